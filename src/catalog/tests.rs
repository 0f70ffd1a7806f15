//! Tests of the built-in catalogs against the seed documents, and of catalog-file validation.

use std::path::Path;

use super::*;

fn builtin() -> Catalog {
    Catalog::builtin()
}

#[test]
fn every_builtin_file_parses() {
    for (name, text) in BUILTIN_FILES {
        if let Err(error) = parse(Path::new(name), text) {
            panic!("{error}");
        }
    }
}

/// Counts of seed entries per vendor, from ../shared/seeds/README.md: BigBlueButton 39, Jitsi 20
/// conference errors + 6 AUTH_ERROR_TYPES, VideoSDK 68, ZEGOCLOUD 231 codes plus `0`.
#[test]
fn seed_entries_per_vendor_match_the_documents() {
    let catalog = builtin();
    let seed_count = |vendor: Vendor| {
        catalog
            .entries()
            .iter()
            .filter(|entry| entry.vendor == vendor && !entry.beyond_seed)
            .count()
    };
    assert_eq!(seed_count(Vendor::BigBlueButton), 39);
    assert_eq!(seed_count(Vendor::Jitsi), 26);
    assert_eq!(seed_count(Vendor::VideoSdk), 68);
    assert_eq!(seed_count(Vendor::ZegoCloud), 232);
    for entry in catalog.entries() {
        assert_eq!(
            entry.beyond_seed,
            !entry.source.starts_with("seed:"),
            "{}:{}",
            entry.vendor,
            entry.code
        );
    }
}

/// Hand-picked names, read off the seed documents (file and line in the comment).
#[test]
fn names_match_the_seed_documents() {
    let catalog = builtin();
    let cases = [
        // 000: "| 1101 | SIGNALLING_TRANSPORT_DISCONNECTED |"
        (
            Vendor::BigBlueButton,
            "1101",
            "SIGNALLING_TRANSPORT_DISCONNECTED",
        ),
        (Vendor::BigBlueButton, "1136", "NotAllowedError"),
        (Vendor::BigBlueButton, "1307", "ICE_STATE_FAILED"),
        (Vendor::BigBlueButton, "2300", "SFU_INVALID_REQUEST"),
        // 001 lines 69-70: ICE_FAILED / Value:conference.iceFailed
        (Vendor::Jitsi, "conference.iceFailed", "ICE_FAILED"),
        (
            Vendor::Jitsi,
            "conference.max_users",
            "CONFERENCE_MAX_USERS",
        ),
        (
            Vendor::Jitsi,
            "conference.connectionError.membersOnly",
            "MEMBERS_ONLY_ERROR",
        ),
        // 003 line 15: 4009MAX_PARTICIPANT_REACHED
        (Vendor::VideoSdk, "4009", "MAX_PARTICIPANT_REACHED"),
        (Vendor::VideoSdk, "3003", "ERROR_CAMERA_IN_USE"),
        (Vendor::VideoSdk, "5001", "RECORDING_FAILED"),
    ];
    for (vendor, code, name) in cases {
        let entry = catalog
            .get(vendor, code)
            .unwrap_or_else(|| panic!("{vendor}:{code} missing"));
        assert_eq!(entry.name, name, "{vendor}:{code}");
    }
}

/// Categories checked by hand against the contract's table ("what would the operator fix?").
#[test]
fn hand_checked_categories() {
    let catalog = builtin();
    let cases = [
        (Vendor::BigBlueButton, "1101", Category::Network), // websocket interrupted
        (Vendor::BigBlueButton, "1136", Category::Permission), // NotAllowedError: denied by browser/user
        (Vendor::BigBlueButton, "1138", Category::Device), // NotReadableError: source does not respond
        (Vendor::BigBlueButton, "2002", Category::Capacity), // media server at maximum capacity
        (Vendor::BigBlueButton, "2202", Category::Media),  // invalid SDP
        (Vendor::Jitsi, "conference.max_users", Category::Capacity),
        (
            Vendor::Jitsi,
            "conference.connectionError.membersOnly",
            Category::Permission,
        ),
        (
            Vendor::Jitsi,
            "conference.authenticationRequired",
            Category::Authentication,
        ),
        (Vendor::Jitsi, "conference.destroyed", Category::Session),
        (Vendor::Jitsi, "conference.iceFailed", Category::Network),
        (Vendor::VideoSdk, "4002", Category::Authentication), // invalid or expired token
        (Vendor::VideoSdk, "4009", Category::Capacity),       // max participants
        (Vendor::VideoSdk, "3003", Category::Device),         // camera in use
        (Vendor::VideoSdk, "4011", Category::Service),        // recording start failed
        (Vendor::ZegoCloud, "1002034", Category::Capacity),   // room member limit
        (Vendor::ZegoCloud, "1000002", Category::Client),     // called before loginRoom
        (Vendor::ZegoCloud, "1002031", Category::Network),    // login timeout
    ];
    for (vendor, code, category) in cases {
        let entry = catalog
            .get(vendor, code)
            .unwrap_or_else(|| panic!("{vendor}:{code} missing"));
        assert_eq!(entry.category, category, "{vendor}:{code} {}", entry.name);
    }
}

#[test]
fn research_conflicts_are_recorded_not_resolved_silently() {
    let catalog = builtin();
    for (vendor, code) in [
        (Vendor::BigBlueButton, "2211"),
        (Vendor::ZegoCloud, "1000017"),
        (Vendor::ZegoCloud, "1002056"),
        (Vendor::VideoSdk, "3014"),
    ] {
        let entry = catalog
            .get(vendor, code)
            .unwrap_or_else(|| panic!("{vendor}:{code} missing"));
        assert!(
            entry.conflict.is_some(),
            "{vendor}:{code} has no conflict note"
        );
    }
    let esl = catalog
        .get(Vendor::BigBlueButton, "2211")
        .map(|entry| &entry.aliases);
    assert!(esl.is_some_and(|aliases| {
        aliases
            .iter()
            .any(|alias| alias == "MEDIA_ESL_COMMAND_ERROR")
    }));
}

#[test]
fn explain_shows_every_tier_that_shares_a_name() {
    let catalog = builtin();
    let codes: Vec<&str> = catalog
        .explain("ICE_STATE_FAILED")
        .iter()
        .map(|entry| entry.code.as_str())
        .collect();
    assert_eq!(codes, ["1107", "1307", "2022"]);
    let codes: Vec<&str> = catalog
        .explain("bbb:1107")
        .iter()
        .map(|entry| entry.code.as_str())
        .collect();
    assert_eq!(codes, ["1107"]);
    assert_eq!(catalog.explain("conference.iceFailed").len(), 1);
    assert_eq!(
        catalog.explain("zego:RoomErrorLoginTimeout")[0].code,
        "1002031"
    );
    assert!(catalog.explain("NO_SUCH_THING").is_empty());
    assert!(
        catalog
            .suggestions("ICE_STATE_FAIL", 3)
            .contains(&"bigbluebutton:ICE_STATE_FAILED".to_string())
    );
}

#[test]
fn user_file_replaces_and_adds() {
    let mut catalog = builtin();
    let before = catalog.entries().len();
    let text = r#"
vendor = "bigbluebutton"
[[entry]]
code = "1101"
name = "RENAMED"
category = "server"
severity = "warning"
description = "d"
remediation = "r"
source = "local"
[[entry]]
code = "1999"
name = "NEW_CODE"
category = "media"
severity = "error"
description = "d"
remediation = "r"
source = "local"
"#;
    catalog.merge(parse(Path::new("user.toml"), text).expect("valid"));
    assert_eq!(catalog.entries().len(), before + 1);
    assert_eq!(
        catalog
            .get(Vendor::BigBlueButton, "1101")
            .map(|e| e.name.as_str()),
        Some("RENAMED")
    );
    assert_eq!(catalog.explain("NEW_CODE")[0].code, "1999");
    assert!(
        catalog
            .explain("SIGNALLING_TRANSPORT_DISCONNECTED")
            .is_empty()
    );
}

/// Problems of a broken file as (line, column, message start).
fn problems(text: &str) -> Vec<(usize, usize, String)> {
    match parse(Path::new("broken.toml"), text) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems()
            .iter()
            .map(|problem| (problem.line, problem.column, problem.message.clone()))
            .collect(),
    }
}

const GOOD_ENTRY: &str = r#"[[entry]]
code = "1101"
name = "A"
category = "network"
severity = "error"
description = "d"
remediation = "r"
source = "seed:x"
"#;

#[test]
fn bad_category_is_reported_at_its_value() {
    let text = format!(
        "vendor = \"bigbluebutton\"\n{}",
        GOOD_ENTRY.replace("\"network\"", "\"netwrok\"")
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    // line 1 vendor, 2 [[entry]], 3 code, 4 name, 5 category; the value starts at column 12.
    assert_eq!((found[0].0, found[0].1), (5, 12));
    assert!(
        found[0].2.starts_with("unknown category `netwrok`"),
        "{}",
        found[0].2
    );
}

#[test]
fn duplicate_code_names_both_lines() {
    let text = format!("vendor = \"bigbluebutton\"\n{GOOD_ENTRY}{GOOD_ENTRY}");
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    // the second entry starts on line 10; its code is on line 11.
    assert_eq!((found[0].0, found[0].1), (11, 8));
    assert_eq!(
        found[0].2,
        "duplicate code `1101` (first defined on line 3)"
    );
}

#[test]
fn missing_field_is_reported_at_its_entry() {
    let text = format!(
        "vendor = \"bigbluebutton\"\n\n{}",
        GOOD_ENTRY.replace("severity = \"error\"\n", "")
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3, "{found:?}");
    assert_eq!(found[0].2, "entry is missing the required field `severity`");
}

#[test]
fn syntax_error_is_reported_where_the_parser_stops() {
    let text = "vendor = \"jitsi\"\n[[entry]]\ncode = \"conference.x\nname = \"A\"\n";
    let found = problems(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3, "{found:?}");
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let text = format!(
        "vendor = \"bigbluebutton\"\n{}{}",
        GOOD_ENTRY.replace("\"error\"", "\"critical\""),
        GOOD_ENTRY.replace("\"A\"", "\"\"").replace("1101", "1102"),
    );
    let found = problems(&text);
    let lines: Vec<usize> = found.iter().map(|problem| problem.0).collect();
    // entry 1 spans lines 2-9 (severity on 6); entry 2 starts on 10, its name is on 12.
    assert_eq!(lines, [6, 12], "{found:?}");
    assert!(found[0].2.starts_with("unknown severity `critical`"));
    assert_eq!(found[1].2, "field `name` must not be empty");
}

#[test]
fn vendor_aliases_are_for_the_command_line_only() {
    let found = problems(&format!("vendor = \"bbb\"\n{GOOD_ENTRY}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.starts_with("unknown vendor `bbb`"), "{found:?}");
}

#[test]
fn unknown_keys_and_vendors_are_errors() {
    let found = problems(&format!("vendor = \"zoom\"\n{GOOD_ENTRY}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1), (1, 10));
    let found = problems(&format!(
        "vendor = \"jitsi\"\n{}",
        GOOD_ENTRY.replace("source", "sauce")
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("sauce"), "{found:?}");
}

#[test]
fn fingerprint_is_stable_and_follows_the_counted_fields() {
    let catalog = builtin();
    let fingerprint = catalog.fingerprint();
    assert!(fingerprint.starts_with("fnv1a64:"), "{fingerprint}");
    assert_eq!(fingerprint.len(), "fnv1a64:".len() + 16);
    // Load order does not matter: the same entries reversed give the same fingerprint.
    let mut reversed = Catalog::default();
    reversed.merge(CatalogFile {
        vendor: Vendor::Jitsi,
        entries: catalog.entries().iter().rev().cloned().collect(),
    });
    assert_eq!(reversed.fingerprint(), fingerprint);
    // A description is not counted; a category is.
    let mut described = catalog.clone();
    described.entries[0].description.push_str(" More words.");
    assert_eq!(described.fingerprint(), fingerprint);
    let mut moved = catalog.clone();
    moved.entries[0].category = if moved.entries[0].category == Category::Network {
        Category::Media
    } else {
        Category::Network
    };
    assert_ne!(moved.fingerprint(), fingerprint);
}
