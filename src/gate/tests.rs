use super::*;
use crate::report::{CodeRow, FirstSeen, Tool, Totals, UnknownRow};

fn key(text: &str) -> Key {
    Key::parse(text).unwrap_or_else(|error| panic!("`{text}`: {error}"))
}

fn error_of(text: &str) -> String {
    match Key::parse(text) {
        Ok(key) => panic!("`{text}` parsed as {key:?}"),
        Err(error) => error.to_string(),
    }
}

fn known(
    vendor: Vendor,
    code: &str,
    category: Category,
    severity: Severity,
    count: u64,
) -> CodeRow {
    CodeRow {
        vendor,
        code: code.to_string(),
        name: format!("NAME_{code}"),
        category,
        severity,
        count,
        first: FirstSeen {
            path: "a.log".to_string(),
            line: 1,
        },
        first_time: None,
        last_time: None,
        intervals_ms: None,
    }
}

fn unknown(vendor: Vendor, code: &str, count: u64) -> UnknownRow {
    UnknownRow {
        vendor,
        code: code.to_string(),
        count,
        first: FirstSeen {
            path: "a.log".to_string(),
            line: 2,
        },
        first_time: None,
        last_time: None,
        intervals_ms: None,
    }
}

/// 5 network (bbb 1101 error x3, jitsi iceFailed fatal x2), 4 capacity (videosdk 4009 fatal),
/// 1 info (zego 0 session), 2 unknown (bbb 1999).
fn sample() -> Report {
    use Category::*;
    use Severity::*;
    use Vendor::*;
    Report {
        schema: crate::report::SCHEMA.to_string(),
        tool: Tool {
            name: "errscan".to_string(),
            version: "0".to_string(),
            catalog: String::new(),
        },
        totals: Totals::default(),
        by_category: Vec::new(),
        by_vendor: Vec::new(),
        codes: vec![
            known(VideoSdk, "4009", Capacity, Fatal, 4),
            known(BigBlueButton, "1101", Network, Error, 3),
            known(Jitsi, "conference.iceFailed", Network, Fatal, 2),
            known(ZegoCloud, "0", Session, Info, 1),
        ],
        unknown: vec![unknown(BigBlueButton, "1999", 2)],
        files: Vec::new(),
        timeline: None,
        percentiles: None,
        gate: None,
        by_file: Vec::new(),
    }
}

fn gate(options: GateOptions) -> Gate {
    Gate::new(options, None)
}

fn max(pairs: &[(&str, u64)]) -> GateOptions {
    GateOptions {
        max: pairs
            .iter()
            .map(|(text, limit)| (key(text), *limit))
            .collect(),
        ..GateOptions::default()
    }
}

/// The count each key gives on the sample, read off as the summary of a `--max KEY=1000` rule.
fn count_of(text: &str) -> String {
    let result = gate(max(&[(text, 1000)])).evaluate(&sample());
    result.rules[0].summary.clone()
}

#[test]
fn keys_parse_and_print_canonically() {
    let cases = [
        ("total", "total"),
        ("network", "network"),
        (" Capacity ", "capacity"),
        ("unknown", "unknown"),
        ("severity>=error", "severity>=error"),
        ("severity >= fatal", "severity>=fatal"),
        ("severity=fatal", "severity=fatal"),
        ("severity>warning", "severity>warning"),
        ("jitsi", "jitsi"),
        ("bbb", "bigbluebutton"),
        ("ZEGO", "zegocloud"),
        ("bbb:1101", "bigbluebutton:1101"),
        ("jitsi:conference.iceFailed", "jitsi:conference.iceFailed"),
    ];
    for (text, canonical) in cases {
        assert_eq!(key(text).to_string(), canonical, "{text}");
        assert_eq!(key(canonical), key(text), "{text} round trip");
    }
}

#[test]
fn bad_keys_say_what_was_expected() {
    assert!(error_of("error").contains("write severity>=error"));
    assert!(error_of("netwrk").contains("did you mean `network`?"));
    assert!(error_of("frobnicate").starts_with("unknown gate key `frobnicate` (expected total"));
    assert!(error_of("severity>=bad").contains("unknown severity `bad`"));
    assert!(error_of("severity~error").contains("expected severity>=LEVEL"));
    assert!(error_of("zoom:1").contains("unknown vendor 'zoom'"));
    assert!(error_of("bbb:").contains("no code after the colon"));
    assert_eq!(error_of(""), "empty gate key");
}

#[test]
fn limits_are_n_or_key_equals_n() {
    assert_eq!(parse_limit("10"), Ok((Key::Total, 10)));
    assert_eq!(parse_limit("network=0"), Ok((key("network"), 0)));
    assert_eq!(parse_limit("capacity = 5"), Ok((key("capacity"), 5)));
    assert_eq!(
        parse_limit("severity>=error=3"),
        Ok((key("severity>=error"), 3))
    );
    assert_eq!(
        parse_limit("severity=fatal=0"),
        Ok((key("severity=fatal"), 0))
    );
    assert_eq!(parse_limit("bbb:1101=2"), Ok((key("bbb:1101"), 2)));
    for bad in [
        "network=",
        "network",
        "-1",
        "network=-1",
        "network=1.5",
        "severity=fatal",
    ] {
        assert!(parse_limit(bad).is_err(), "{bad}");
    }
}

#[test]
fn growth_is_exact_in_hundredths_of_a_percent() {
    let growth = |text: &str| Growth::parse(text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(growth("10").to_string(), "10%");
    assert_eq!(growth("12.5").to_string(), "12.5%");
    assert_eq!(growth("0.25%").to_string(), "0.25%");
    assert_eq!(growth("0"), Growth::default());
    for bad in [
        "-1",
        "1.234",
        "abc",
        "",
        "1e3",
        ".5",
        "99999999999999999999",
    ] {
        assert!(Growth::parse(bad).is_err(), "{bad}");
    }
    // 10 -> 11 is exactly 10%: not more than 10%.
    assert!(!growth("10").is_exceeded(10, 11));
    assert!(growth("10").is_exceeded(10, 12));
    assert!(growth("0").is_exceeded(10, 11));
    assert!(!growth("0").is_exceeded(10, 10));
    assert!(!growth("0").is_exceeded(10, 3));
    assert!(growth("12.5").is_exceeded(8, 10));
    assert!(!growth("25").is_exceeded(8, 10));
    assert_eq!(Growth::from_percent(12.5), Some(growth("12.5")));
    assert_eq!(Growth::from_percent(-1.0), None);
    assert_eq!(Growth::from_percent(f64::NAN), None);
}

#[test]
fn every_key_counts_rows_of_the_report() {
    assert_eq!(count_of("total"), "total 12 <= 1000");
    assert_eq!(count_of("network"), "network 5 <= 1000");
    assert_eq!(count_of("capacity"), "capacity 4 <= 1000");
    // Codes absent from the catalog count under the category `unknown`...
    assert_eq!(count_of("unknown"), "unknown 2 <= 1000");
    // ...under their vendor, but under no severity.
    assert_eq!(count_of("bbb"), "bigbluebutton 5 <= 1000");
    assert_eq!(count_of("severity>=error"), "severity>=error 9 <= 1000");
    assert_eq!(count_of("severity>error"), "severity>error 6 <= 1000");
    assert_eq!(count_of("severity=fatal"), "severity=fatal 6 <= 1000");
    assert_eq!(count_of("severity>=info"), "severity>=info 10 <= 1000");
    assert_eq!(count_of("bbb:1999"), "bigbluebutton:1999 2 <= 1000");
    assert_eq!(count_of("bbb:1101"), "bigbluebutton:1101 3 <= 1000");
    assert_eq!(
        count_of("jitsi:conference.icefailed"),
        "jitsi:conference.icefailed 0 <= 1000"
    );
}

#[test]
fn rules_trip_above_their_limit_and_name_the_top_codes() {
    let options = GateOptions {
        fail_on: vec![key("network"), key("media")],
        max: vec![(Key::Total, 12), (key("capacity"), 3)],
        fail_on_unknown: true,
        ..GateOptions::default()
    };
    let result = gate(options).evaluate(&sample());
    assert!(!result.passed);
    let rules: Vec<(&str, bool, &str)> = result
        .rules
        .iter()
        .map(|check| (check.rule.as_str(), check.passed, check.summary.as_str()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("fail-on network", false, "network 5 > 0"),
            ("fail-on media", true, "media 0 <= 0"),
            ("max 12", true, "total 12 <= 12"),
            ("max capacity=3", false, "capacity 4 > 3"),
            ("fail-on-unknown", false, "codes not in the catalog 2 > 0"),
        ]
    );
    assert_eq!(result.failed_rules(), 3);
    assert_eq!(result.violations.len(), 3);
    let network = &result.violations[0];
    assert_eq!(network.rule, "fail-on network");
    let codes: Vec<(&str, u64)> = network
        .codes
        .iter()
        .map(|code| (code.code.as_str(), code.count))
        .collect();
    assert_eq!(codes, vec![("1101", 3), ("conference.iceFailed", 2)]);
}

#[test]
fn allowed_codes_are_left_out_of_every_rule() {
    let options = GateOptions {
        fail_on: vec![key("network")],
        max: vec![(Key::Total, 7)],
        allow: vec![
            CodeKey::parse("bbb:1101").expect("valid"),
            CodeKey::parse("jitsi:conference.iceFailed").expect("valid"),
            CodeKey::parse("bbb:1999").expect("valid"),
        ],
        fail_on_unknown: true,
        ..GateOptions::default()
    };
    let result = gate(options).evaluate(&sample());
    assert!(result.passed, "{result:?}");
    assert_eq!(result.rules[1].summary, "total 5 <= 7");
}

#[test]
fn an_empty_gate_passes() {
    let result = gate(GateOptions::default()).evaluate(&sample());
    assert!(result.passed);
    assert!(result.rules.is_empty());
}

#[test]
fn the_baseline_fails_on_new_codes_and_on_growth_beyond_the_limit() {
    let mut before = sample();
    before.codes.retain(|row| row.code != "4009");
    before.codes[0].count = 2; // bbb 1101: 2 before, 3 now (+50%)
    before.unknown[0].count = 2; // bbb 1999: unchanged
    let baseline = |growth: &str| {
        Baseline::new(
            &before,
            "base.json",
            Growth::parse(growth).expect("valid growth"),
        )
    };
    let result = Gate::new(GateOptions::default(), Some(baseline("0"))).evaluate(&sample());
    let messages: Vec<&str> = result
        .violations
        .iter()
        .map(|violation| violation.message.as_str())
        .collect();
    assert_eq!(
        messages,
        vec![
            "videosdk:4009 new: 4 (absent from the baseline)",
            "bigbluebutton:1101 grew 2 -> 3 (+50%, more than 0%)",
        ]
    );
    assert!(
        result
            .violations
            .iter()
            .all(|violation| violation.rule == "baseline")
    );
    assert_eq!(result.rules.len(), 1);
    assert_eq!(
        result.rules[0].summary,
        "2 codes new or grown by more than 0% against base.json"
    );
    assert_eq!(result.failed_rules(), 1);
    // 50% growth is within 50%; the new code still fails.
    let result = Gate::new(GateOptions::default(), Some(baseline("50"))).evaluate(&sample());
    assert_eq!(result.violations.len(), 1);
    // An allowed code is never new.
    let options = GateOptions {
        allow: vec![CodeKey::parse("videosdk:4009").expect("valid")],
        ..GateOptions::default()
    };
    let result = Gate::new(options, Some(baseline("50"))).evaluate(&sample());
    assert!(result.passed, "{result:?}");
    assert_eq!(
        result.rules[0].summary,
        "0 codes new or grown by more than 50% against base.json"
    );
}

#[test]
fn the_implicit_junit_verdict_fails_on_error_or_worse() {
    let result = Gate::implicit_junit_verdict(&sample());
    assert!(!result.passed);
    assert_eq!(result.rules.len(), 1);
    assert_eq!(result.rules[0].rule, "errscan");
    assert_eq!(result.violations[0].message, "severity>=error 9 > 0");
    let mut calm = sample();
    calm.codes.retain(|row| row.severity < Severity::Error);
    assert!(Gate::implicit_junit_verdict(&calm).passed);
}

#[test]
fn command_line_options_add_to_and_override_the_file() {
    let file = GateOptions {
        fail_on: vec![key("network")],
        max: vec![(key("capacity"), 5), (Key::Total, 100)],
        allow: vec![CodeKey::parse("bbb:1110").expect("valid")],
        baseline: Some(PathBuf::from("file.json")),
        max_growth: Some(Growth::parse("10").expect("valid")),
        fail_on_unknown: true,
    };
    let command_line = GateOptions {
        fail_on: vec![key("network"), key("media")],
        max: vec![(key("capacity"), 1)],
        allow: vec![CodeKey::parse("bbb:1111").expect("valid")],
        baseline: Some(PathBuf::from("cli.json")),
        max_growth: None,
        fail_on_unknown: false,
    };
    let merged = file.overridden_by(command_line);
    assert_eq!(merged.fail_on, vec![key("network"), key("media")]);
    assert_eq!(merged.max, vec![(key("capacity"), 1), (Key::Total, 100)]);
    assert_eq!(merged.allow.len(), 2);
    assert_eq!(merged.baseline, Some(PathBuf::from("cli.json")));
    assert_eq!(merged.max_growth, Growth::parse("10").ok());
    assert!(merged.fail_on_unknown);
    assert!(merged.is_given());
    assert!(!GateOptions::default().is_given());
}
