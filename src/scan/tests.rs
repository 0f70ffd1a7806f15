//! Scanner tests: per-vendor tables of real shapes and near misses, the counting rule, chunk
//! boundaries, the confirmation path forced on every line, long lines, and arbitrary bytes.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;

use super::*;
use crate::catalog::Catalog;
use crate::patterns::PatternSet;
use crate::tally::{ChunkTally, InputTally, Tally};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        Scanner::new(&PatternSet::builtin(), Arc::new(Catalog::builtin()), &[])
            .expect("builtin patterns build")
    })
}

/// (vendor, code) pairs of one line, sorted.
fn codes(line: &str) -> Vec<(Vendor, String)> {
    let mut found = scanner().codes_of_line(line);
    found.sort();
    found
}

fn expect(line: &str, expected: &[(Vendor, &str)]) {
    let mut expected: Vec<(Vendor, String)> = expected
        .iter()
        .map(|(vendor, code)| (*vendor, code.to_string()))
        .collect();
    expected.sort();
    assert_eq!(codes(line), expected, "line: {line}");
}

use Vendor::{BigBlueButton as Bbb, Jitsi, VideoSdk as Vsdk, ZegoCloud as Zego};

#[test]
fn bigbluebutton_shapes() {
    let rows: &[(&str, &[(Vendor, &str)])] = &[
        (
            "clientLogger: Audio error - errorCode=1007, cause=ICE negotiation failed. Current state - failed",
            &[(Bbb, "1007")],
        ),
        (
            "Audio error (2) - errorCode=1010, cause=ICE negotiation timeout after 5s",
            &[(Bbb, "1010")],
        ),
        (
            r#"{"logCode":"audio_failure","extraInfo":{"errorCode":1004,"cause":"ICE error"}}"#,
            &[(Bbb, "1004")],
        ),
        (
            r#"{"logCode":"audio_failure","extraInfo":{"errorCode":"1005"}}"#,
            &[(Bbb, "1005")],
        ),
        (
            r#"10.0.0.1 [2024-03-07T10:00:01+00:00] {\x22logCode\x22:\x22sfu_broker\x22,\x22errorCode\x22:2001}"#,
            &[(Bbb, "2001")],
        ),
        ("Connection failure (ICE error 1107)", &[(Bbb, "1107")]),
        (
            "Media could not reach the server (error 1020)",
            &[(Bbb, "1020")],
        ),
        ("Code 1101. Try sharing the screen again.", &[(Bbb, "1101")]),
        (
            "Screenshare broker failure: SFU_INVALID_REQUEST",
            &[(Bbb, "2300")],
        ),
        (
            r#"{"id":"webRTCAudioError","error":{"code":2211,"reason":"MEDIA_NOT_FLOWING"}}"#,
            &[(Bbb, "2211")],
        ),
        // unknown code in a real BBB context: reported, never dropped
        (
            "clientLogger: Audio error - errorCode=1999, cause=x",
            &[(Bbb, "1999")],
        ),
    ];
    for (line, expected) in rows {
        expect(line, expected);
    }
}

#[test]
fn jitsi_shapes() {
    expect(
        "2024-03-07T10:00:01.000Z [conference.js] <ge._onConferenceFailed>:  CONFERENCE FAILED: conference.iceFailed",
        &[(Jitsi, "conference.iceFailed")],
    );
    expect(
        "CONFERENCE FAILED: conference.connectionError.membersOnly",
        &[(Jitsi, "conference.connectionError.membersOnly")],
    );
    expect(
        "CONNECTION FAILED: connection.droppedError",
        &[(Jitsi, "connection.droppedError")],
    );
    expect(
        r#"{"type":"operational","action":"connection.failed","attributes":{"error_type":"connection.otherError"}}"#,
        &[(Jitsi, "connection.otherError")],
    );
    expect(
        r#"Failed to create local tracks ["video"] s {gum: {…}, name: "gum.permission_denied", message: "x"}"#,
        &[(Jitsi, "gum.permission_denied")],
    );
    expect(
        "CONFERENCE FAILED: conference.someNewError",
        &[(Jitsi, "conference.someNewError")],
    );
}

#[test]
fn videosdk_shapes() {
    expect(
        "VIDEOSDK ERROR :: 4002INVALID_TOKEN'token' is empty or invalid or might have expired.",
        &[(Vsdk, "4002")],
    );
    expect("Error Code: 4009", &[(Vsdk, "4009")]);
}

#[test]
fn zegocloud_shapes() {
    expect(
        "D/ZEGO (20540): [Flutter] [onRoomStateChanged] roomID: r1, reason: LOGIN_FAILED, errorCode: 1002013",
        &[(Zego, "1002013")],
    );
    expect(
        "Please refer to https://docs.zegocloud.com/article/5547 for details. (Error Code: 1000002)",
        &[(Zego, "1000002")],
    );
    expect("join room result: 1002034", &[(Zego, "1002034")]);
    expect(
        r#"{"errorCode":1002031,"extendedData":"login timeout"}"#,
        &[(Zego, "1002031")],
    );
}

#[test]
fn decoys_do_not_count() {
    let decoys = [
        "[Flutter] [onApiCalledResult] errorCode: 0, funcName: loginRoom, info: Execution successful.",
        "WebSocket closed wss://bbb.example.com/ws?sessionToken=abc (code: 1000)",
        "websocket: close 1006 (abnormal closure)",
        r#"10.0.0.2 - - "POST /http-bind?room=test HTTP/1.1" 200 1764"#,
        "Mar  7 10:00:01 bbb systemd_start.sh[25313]: info: starting",
        "GET https://bbb.example.com/html5client/sip.js?v=1114:9602",
        "at Object.onError (file.js:1007) Logger.js:155:26",
        "Joined room@conference.example.com as focus",
        "2024-03-07T10:00:01.000Z [conference.js] <ge.init>:  starting",
        "stream id call_abc_1715258159702 started",
        r#"{"jsonrpc":"2.0","id":4168,"error":{"code":40007,"message":"Invalid session"}}"#,
        "BigBlueButton Server 2.2.4 (1846)",
        "UnhandledError: Focus error, retry after 2000",
        "[17:45:51:0523] INFO: clientLogger: joined audio",
        "ZIM error 6000353 failed with code: 103040",
        "legacy error 50001006",
        "conference.failed event received",
    ];
    for line in decoys {
        assert_eq!(codes(line), Vec::new(), "decoy counted: {line}");
    }
}

#[test]
fn a_line_counts_once_per_code_and_twice_for_two_codes() {
    // code and its constant name: one hit
    expect(
        r#"{"errorCode":1307,"errorMessage":"ICE_STATE_FAILED"}"#,
        &[(Bbb, "1307")],
    );
    // the same code twice on one line: one hit
    expect("errorCode=1007 again errorCode=1007", &[(Bbb, "1007")]);
    // two different codes: two hits
    expect(
        "Audio error - errorCode=1007 then (ICE error 1107)",
        &[(Bbb, "1007"), (Bbb, "1107")],
    );
}

fn sample_log() -> String {
    let lines = [
        "INFO noise line",
        "clientLogger: Audio error - errorCode=1007, cause=x",
        "CONFERENCE FAILED: conference.iceFailed",
        "",
        "noise (code: 1000)",
        "join room result: 1002034",
        "Error Code: 4009 and errorCode: 1002031",
        "Connection failure (ICE error 1107)",
        "tail without newline errorCode=1101",
    ];
    lines.join("\n")
}

fn hits_of(scanner: &Scanner, bytes: &[u8]) -> Vec<(u64, u64, Vendor, String)> {
    let mut hits: Vec<Hit> = Vec::new();
    scanner.scan_slice(bytes, SliceStart::INPUT_START, &mut hits);
    hits.into_iter()
        .map(|hit| {
            (
                hit.line_number,
                hit.byte_offset,
                hit.vendor,
                scanner.code_text(&hit.code).to_string(),
            )
        })
        .collect()
}

#[test]
fn line_numbers_and_offsets_are_exact() {
    let log = sample_log();
    let hits = hits_of(scanner(), log.as_bytes());
    let lines: Vec<(u64, String)> = hits.iter().map(|hit| (hit.0, hit.3.clone())).collect();
    let expected: Vec<(u64, String)> = [
        (2, "1007"),
        (3, "conference.iceFailed"),
        (6, "1002034"),
        (7, "4009"),
        (7, "1002031"),
        (8, "1107"),
        (9, "1101"),
    ]
    .iter()
    .map(|(line, code)| (*line, code.to_string()))
    .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted);
    // offsets point at the start of each line
    for (line_number, offset, _, _) in &hits {
        let start = *offset as usize;
        assert!(start == 0 || log.as_bytes()[start - 1] == b'\n');
        assert_eq!(log[..start].matches('\n').count() as u64 + 1, *line_number);
    }
}

/// Scans `bytes` split into newline-aligned chunks of `chunk_bytes`, as the worker does.
fn tally_in_chunks(scanner: &Scanner, bytes: &[u8], chunk_bytes: usize) -> (Tally, u64) {
    let path: Arc<str> = Arc::from("x.log");
    let mut input = InputTally::default();
    let mut newlines = 0;
    for range in crate::worker::split_at_newlines(bytes, chunk_bytes) {
        let mut chunk = ChunkTally::default();
        let stats = scanner.scan_slice(&bytes[range], SliceStart::INPUT_START, &mut chunk);
        input.add_chunk(chunk, newlines);
        newlines += stats.newlines;
    }
    (input.into_tally(&path), newlines)
}

#[test]
fn every_chunk_size_gives_the_same_tally() {
    let log = sample_log();
    let (whole, whole_newlines) = tally_in_chunks(scanner(), log.as_bytes(), usize::MAX);
    assert_eq!(whole.matches(), 7);
    for chunk_bytes in 1..=log.len() + 1 {
        let (chunked, newlines) = tally_in_chunks(scanner(), log.as_bytes(), chunk_bytes);
        assert_eq!(chunked, whole, "chunk size {chunk_bytes}");
        assert_eq!(newlines, whole_newlines);
    }
}

#[test]
fn forcing_every_line_to_be_a_candidate_changes_nothing() {
    // Anchors that occur on every non-empty line make every line go through confirmation.
    let mut patterns = PatternSet::builtin();
    let widened: Vec<_> = patterns
        .patterns()
        .iter()
        .cloned()
        .map(|mut pattern| {
            pattern
                .anchors
                .extend(["e", "a", "o", " ", "1"].map(String::from));
            pattern
        })
        .collect();
    patterns.extend(widened);
    let every_line = Scanner::new(&patterns, Arc::new(Catalog::builtin()), &[]).expect("builds");
    let log = sample_log();
    assert_eq!(
        hits_of(&every_line, log.as_bytes()),
        hits_of(scanner(), log.as_bytes())
    );
}

#[test]
fn long_lines_are_confirmed_in_windows_without_double_counting() {
    let filler = "x".repeat(MAX_CONFIRM_LINE_BYTES);
    let line = format!(
        "{filler} errorCode=1007 {filler} errorCode=1007 {filler} (ICE error 1107) {filler}\nnext errorCode=1101\n"
    );
    let hits = hits_of(scanner(), line.as_bytes());
    let found: Vec<(u64, String)> = hits.iter().map(|hit| (hit.0, hit.3.clone())).collect();
    assert_eq!(
        found,
        vec![
            (1, "1007".to_string()),
            (1, "1107".to_string()),
            (2, "1101".to_string())
        ]
    );
}

#[test]
fn vendor_selection_limits_the_patterns() {
    let jitsi_only = Scanner::new(
        &PatternSet::builtin(),
        Arc::new(Catalog::builtin()),
        &[Jitsi],
    )
    .expect("builds");
    let log = sample_log();
    let vendors: Vec<Vendor> = hits_of(&jitsi_only, log.as_bytes())
        .iter()
        .map(|hit| hit.2)
        .collect();
    assert_eq!(vendors, vec![Jitsi]);
}

#[test]
fn builtin_pattern_samples_hold() {
    let failures = check_samples(scanner());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn scanner_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
    assert_send_sync::<Catalog>();
    assert_send_sync::<Tally>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut hits: Vec<Hit> = Vec::new();
        let stats = scanner().scan_slice(&bytes, SliceStart::INPUT_START, &mut hits);
        prop_assert_eq!(stats.newlines, bytes.iter().filter(|&&b| b == b'\n').count() as u64);
    }

    #[test]
    fn halves_split_at_a_newline_add_up_to_the_whole(lines in proptest::collection::vec(
        prop_oneof![
            Just("noise".to_string()),
            Just("errorCode=1007".to_string()),
            Just("CONFERENCE FAILED: conference.iceFailed".to_string()),
            Just("join room result: 1002034".to_string()),
            Just("Error Code: 4009".to_string()),
            "[ -~]{0,40}",
        ], 0..40), split in 0usize..40) {
        let text = lines.join("\n");
        let bytes = text.as_bytes();
        let (whole, _) = tally_in_chunks(scanner(), bytes, usize::MAX);
        let newline_positions: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
        let cut = newline_positions.get(split).map_or(bytes.len(), |i| i + 1);
        let path: Arc<str> = Arc::from("x.log");
        let mut first = ChunkTally::default();
        let stats = scanner().scan_slice(&bytes[..cut], SliceStart::INPUT_START, &mut first);
        let mut second = ChunkTally::default();
        scanner().scan_slice(&bytes[cut..], SliceStart::INPUT_START, &mut second);
        let mut halves = Tally::default();
        let mut later = Tally::default();
        second.add_into(&mut later, &path, stats.newlines);
        first.add_into(&mut halves, &path, 0);
        halves += later;
        prop_assert_eq!(halves, whole);
    }
}

/// Regression (found by the accuracy test): a JSON record carrying `errorCode` and the same
/// code's constant name in its message counted twice when the name alone resolves to another
/// tier (ICE_STATE_FAILED is 1107, 1307 and 2022).
#[test]
fn a_code_and_its_name_count_once_even_across_patterns_and_tiers() {
    let line = r#"May 09 10:03:55 bbb systemd_start.sh[25313]: I20240509-10:03:55.794(0)? error: {"logCode":"screenshare_failed","extraInfo":{"errorCode":2022,"errorMessage":"ICE_STATE_FAILED"},"msg":"Screenshare failed: ICE_STATE_FAILED"}"#;
    expect(line, &[(Bbb, "2022")]);
    let line = r#"{"logCode":"screenshare_failed","extraInfo":{"errorCode":2019,"errorMessage":"MEDIA_SERVER_GENERIC_ERROR"},"msg":"Screenshare failed: MEDIA_SERVER_GENERIC_ERROR"}"#;
    expect(line, &[(Bbb, "2019")]);
    // A name that is not the code's own still counts on its own.
    expect(
        r#"{"errorCode":2022,"msg":"Screenshare failed: SFU_INVALID_REQUEST"}"#,
        &[(Bbb, "2022"), (Bbb, "2300")],
    );
}
