//! Tests of the timestamp parser: hand-worked tables, near misses, context rules, proptests.

use super::*;
use proptest::prelude::*;

fn utc(text: &str) -> Timestamp {
    text.parse().expect("test expectations are valid RFC 3339")
}

fn time(hour: u8, minute: u8, second: u8, millisecond: u16) -> TimeOfDay {
    TimeOfDay {
        hour,
        minute,
        second,
        millisecond,
    }
}

/// The instant of a line's full stamp, zone-less ones read as UTC.
fn full(line: &str) -> Option<String> {
    find_stamp(line.as_bytes())?
        .to_timestamp(0)
        .map(|at| at.to_string())
}

// (line, expected UTC instant), every expectation worked out by hand.
const FULL_STAMPS: &[(&str, &str)] = &[
    // ISO 8601 / RFC 3339
    (
        "2024-03-07T10:00:01.123Z INFO ready",
        "2024-03-07T10:00:01.123Z",
    ),
    // +01:00 is one hour east of UTC: UTC = 10:00:01 - 1 h.
    (
        "2024-03-07T10:00:01+01:00 WARN slow",
        "2024-03-07T09:00:01.000Z",
    ),
    // No zone: read as UTC (default offset 0); `,` fraction as Python and log4j write it.
    (
        "2024-03-07 10:00:01,123 ERROR [main] failed",
        "2024-03-07T10:00:01.123Z",
    ),
    (
        "Jicofo 2024-03-07 10:00:01.123 INFO: [29] Main.main#96: Starting",
        "2024-03-07T10:00:01.123Z",
    ),
    (
        "Jicofo 2024-05-09 10:13:00.123 SEVERE: [124] [room=room@conference.meet.example.com] \
         ColibriV2SessionManager.allocate#396: no bridge",
        "2024-05-09T10:13:00.123Z",
    ),
    // -05:00: UTC = 23:30 + 5 h = 04:30 on the next day.
    ("2024-03-07T23:30:00-05:00 late", "2024-03-08T04:30:00.000Z"),
    // One hour back from 1 March 00:30 lands in the leap day of 2024 ...
    ("2024-03-01T00:30:00+01:00 x", "2024-02-29T23:30:00.000Z"),
    // ... and on 28 February in 2023, which has none.
    ("2023-03-01T00:30:00+01:00 x", "2023-02-28T23:30:00.000Z"),
    // -00:30: UTC = 23:59:59.999 + 30 min, into the next year.
    (
        "2024-12-31T23:59:59.999-00:30 x",
        "2025-01-01T00:29:59.999Z",
    ),
    ("2024-02-29T12:00:00Z leap day", "2024-02-29T12:00:00.000Z"),
    (
        "2024-04-30T23:59:59.999+00:00 month end",
        "2024-04-30T23:59:59.999Z",
    ),
    // Nanoseconds are truncated to milliseconds ...
    (
        "2024-03-07T10:00:01.123456789Z x",
        "2024-03-07T10:00:01.123Z",
    ),
    // ... never rounded: .9999 stays in second :01.
    ("2024-03-07T10:00:01.9999Z x", "2024-03-07T10:00:01.999Z"),
    // One fraction digit is tenths: .5 = 500 ms. +0530: UTC = 10:00:01.5 - 5 h 30 min.
    ("2024-03-07T10:00:01.5+0530 x", "2024-03-07T04:30:01.500Z"),
    (
        "2024-03-07t10:00:01z lower case",
        "2024-03-07T10:00:01.000Z",
    ),
    // winston's console format (bbb-webrtc-sfu <= 2.12)
    (
        "2022-04-26T10:00:00.000Z - error: [video] mediasoup: x",
        "2022-04-26T10:00:00.000Z",
    ),
    // Kurento: zone-less, six fraction digits after a comma
    (
        "2019-11-13T18:43:57,397556 8924 0x00007f47d9691700   debug KurentoX",
        "2019-11-13T18:43:57.397Z",
    ),
    (
        " \t2024-03-07T10:00:01Z leading blanks",
        "2024-03-07T10:00:01.000Z",
    ),
    (
        "\u{feff}2024-03-07T10:00:01Z byte order mark",
        "2024-03-07T10:00:01.000Z",
    ),
    ("2024-03-07T10:00:01Z\r\n", "2024-03-07T10:00:01.000Z"),
    // ZEGO web SDK: milliseconds are `getTime() % 1000` written without padding, so `.5` is
    // 5 ms (not 500) and `.40` is 40 ms.
    (
        "ZegoExpressWebRTC.js:1 2024/09/06 10:02:10.5 info zc.p.init sdk version: 3.4.0",
        "2024-09-06T10:02:10.005Z",
    ),
    (
        "ZegoExpressWebRTC.js:1 2024/09/06 10:02:10.40 debug zc.ws.0 connect",
        "2024-09-06T10:02:10.040Z",
    ),
    (
        "ZegoExpressWebRTC.js:1 2024/09/06 10:02:15.301 info zc.rl.0 login room success",
        "2024-09-06T10:02:15.301Z",
    ),
    (
        "2024/09/06 10:02:17 error zc.p.sps.1 cannot start publish",
        "2024-09-06T10:02:17.000Z",
    ),
    // nginx $time_local
    (
        "203.0.113.9 - - [09/May/2024:10:14:22 +0000] \"POST /http-bind?room=demo HTTP/1.1\" 200 1764",
        "2024-05-09T10:14:22.000Z",
    ),
    (
        "[07/Mar/2024:10:00:01 +0100] GET /",
        "2024-03-07T09:00:01.000Z",
    ),
    // -0800: UTC = 23:59:59 + 8 h, in the next year.
    (
        "2001:db8::1 - alice [31/Dec/2023:23:59:59 -0800] \"GET / HTTP/1.1\" 200 5",
        "2024-01-01T07:59:59.000Z",
    ),
    // BBB html5-client.log: nginx's $time_iso8601, not the client's `time` inside the body.
    (
        "198.51.100.23 [2024-03-21T10:14:58+00:00] [{\\x22name\\x22:\\x22clientLogger\\x22,\
         \\x22time\\x22:\\x222024-03-21T10:14:57.611Z\\x22}]",
        "2024-03-21T10:14:58.000Z",
    ),
    (
        "[2024-03-07 10:00:01,123] INFO x",
        "2024-03-07T10:00:01.123Z",
    ),
    // JavaScript Date.toString() (sip.js)
    (
        "sip.js?v=1114:9602 Thu Mar 21 2024 10:14:59 GMT+0000 | sip.Transport | Connecting",
        "2024-03-21T10:14:59.000Z",
    ),
    // GMT+0100: UTC = 00:14:59 - 1 h, the evening before.
    (
        "sip.js?v=1114:9602 Thu Mar 21 2024 00:14:59 GMT+0100 (Central European Standard Time) | x",
        "2024-03-20T23:14:59.000Z",
    ),
    // Meteor: `(h)` is the UTC offset in hours, -getTimezoneOffset()/60. (0): local = UTC.
    (
        "I20190702-16:52:21.295(0)? info: {\"logCode\":\"audio_failure\"}",
        "2019-07-02T16:52:21.295Z",
    ),
    // (-7), San Francisco in summer: UTC = 16:52 + 7 h.
    (
        "W20190702-16:52:21.295(-7)? warn x",
        "2019-07-02T23:52:21.295Z",
    ),
    // (5.5) is +05:30: UTC = 01:00 - 5 h 30 min = 19:30 the day before.
    (
        "E20190702-01:00:00.000(5.5) error x",
        "2019-07-01T19:30:00.000Z",
    ),
    // (5.75) is +05:45 (Nepal): UTC = 12:00 - 5 h 45 min.
    ("I20190702-12:00:00.000(5.75) x", "2019-07-02T06:15:00.000Z"),
    // journald line around a Meteor line: the program's full stamp wins over syslog's.
    (
        "Jul 02 16:52:21 bbb22 systemd_start.sh[25313]: I20190702-16:52:21.295(0)? info: {\"x\":1}",
        "2019-07-02T16:52:21.295Z",
    ),
    // ZEGO Flutter UIKit tail: dd/MM/yyyy, so 09/05 is 9 May, not 5 September.
    (
        "I/flutter (20540): room  login  errorCode:1002034, extendedData:{}  {09/05/2024 12:37:35}  ERROR",
        "2024-05-09T12:37:35.000Z",
    ),
    (
        "{room}  {login}  {errorCode:1002034}  {31/12/2024 23:59:59.999}  {ERROR}",
        "2024-12-31T23:59:59.999Z",
    ),
    // logcat's year-less stamp gives way to the full UIKit stamp on the same line.
    (
        "05-09 12:37:35.120 20540 20540 I flutter : room  login  errorCode:0  {09/05/2024 12:37:35}  INFO",
        "2024-05-09T12:37:35.000Z",
    ),
    // Epoch milliseconds: 1715248807077 ms = 1715248807 s + 77 ms; 1715248807 s =
    // 19852 days (1715212800 s) + 36007 s (10:00:07). 2024-01-01 is day 19723 (54 * 365 + 13
    // leap days), and day 19852 is 129 days later: 31 + 29 + 31 + 30 = 121 to 1 May, + 8 =
    // 9 May 2024.
    (
        "{\"level\":50,\"time\":1715248807077,\"pid\":1043,\"msg\":\"x\"}",
        "2024-05-09T10:00:07.077Z",
    ),
    (
        "{\"ts\":1715248807077,\"msg\":\"x\"}",
        "2024-05-09T10:00:07.077Z",
    ),
    // zap: seconds with a fraction, truncated to milliseconds.
    (
        "{\"level\":\"error\",\"ts\":1715248807.0771,\"msg\":\"x\"}",
        "2024-05-09T10:00:07.077Z",
    ),
    ("{\"ts\":1715248807}", "2024-05-09T10:00:07.000Z"),
    // pino with ISO time
    (
        "{\"level\":30,\"time\":\"2024-03-21T10:14:00.101Z\",\"pid\":1043}",
        "2024-03-21T10:14:00.101Z",
    ),
    // winston: `timestamp` comes last; the date inside `message` is not the line's time.
    (
        "{\"level\":\"info\",\"message\":\"[video] x 2018-01-01T00:00:00Z\",\"timestamp\":\"2018-03-07T10:00:01.123Z\"}",
        "2018-03-07T10:00:01.123Z",
    ),
    (
        "{\"@timestamp\":\"2024-03-07T10:00:01.123+01:00\",\"message\":\"x\"}",
        "2024-03-07T09:00:01.123Z",
    ),
    // A nested `time` is not the line's; the top-level one after it is.
    (
        "{\"meta\":{\"time\":\"2020-01-01T00:00:00Z\"},\"note\":\"a \\\"time\\\": 1\",\"time\":\"2024-03-07T10:00:01Z\"}",
        "2024-03-07T10:00:01.000Z",
    ),
    (
        "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2024-03-07T10:00:01.123456789Z\"}",
        "2024-03-07T10:00:01.123Z",
    ),
    (
        "{ \"time\" : \"2024-03-07 10:00:01\" }",
        "2024-03-07T10:00:01.000Z",
    ),
    // @jitsi/logger in a browser console
    (
        "Logger.js:155 2024-05-09T10:11:58.002Z [modules/xmpp/xmpp.js] <Ue._initStrophePlugins>:  x",
        "2024-05-09T10:11:58.002Z",
    ),
    (
        "Logger.js:155:26 2024-05-09T10:11:58.402Z [conference.js] <Object.init>:  x",
        "2024-05-09T10:11:58.402Z",
    ),
];

#[test]
fn full_stamps_give_the_hand_worked_instant() {
    for &(line, expected) in FULL_STAMPS {
        assert_eq!(full(line).as_deref(), Some(expected), "line: {line}");
    }
}

#[test]
fn partial_stamps_are_returned_as_written() {
    let year_less = |month, day, time| Some(LineStamp::YearLess { month, day, time });
    let cases: &[(&str, Option<LineStamp>)] = &[
        (
            "Mar  7 10:00:01 host app[1]: msg",
            year_less(3, 7, time(10, 0, 1, 0)),
        ),
        (
            "Jul 02 16:50:02 bbb22 systemd_start.sh[25313]: info: Redis: x",
            year_less(7, 2, time(16, 50, 2, 0)),
        ),
        (
            "Mar 17 10:00:01.123456 host app: x",
            year_less(3, 17, time(10, 0, 1, 123)),
        ),
        // Without a year 29 February has to be allowed; the year decides later.
        (
            "Feb 29 12:00:00 host app: x",
            year_less(2, 29, time(12, 0, 0, 0)),
        ),
        (
            "05-09 10:20:00.101 8296-8881/net.jitsi.sdktest I/JitsiMeetSDK: x",
            year_less(5, 9, time(10, 20, 0, 101)),
        ),
        (
            "05-09 10:00:07.020  1234  1234 E VideoSDK: x",
            year_less(5, 9, time(10, 0, 7, 20)),
        ),
        // BBB client: the fourth field is in 1/10000 s; 0523 = 52.3 ms, truncated to 52.
        (
            "[17:45:51:0523] ERROR: clientLogger: x",
            Some(LineStamp::TimeOnly(time(17, 45, 51, 52))),
        ),
        // 0006 = 0.6 ms, truncated to 0.
        (
            "[10:18:30:0006] ERROR: x",
            Some(LineStamp::TimeOnly(time(10, 18, 30, 0))),
        ),
        (
            "[23:59:59:9999] x",
            Some(LineStamp::TimeOnly(time(23, 59, 59, 999))),
        ),
        (
            "Logger.js:12 [17:45:51:0523] x",
            Some(LineStamp::TimeOnly(time(17, 45, 51, 52))),
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(find_stamp(line.as_bytes()), *expected, "line: {line}");
    }
}

#[test]
fn zoned_and_local_stamps_keep_what_was_written() {
    let local = CivilDateTime {
        year: 2024,
        month: 3,
        day: 7,
        time: time(10, 0, 1, 0),
    };
    assert_eq!(
        find_stamp(b"2024-03-07T10:00:01+01:00 x"),
        Some(LineStamp::Zoned {
            local,
            offset_minutes: 60
        })
    );
    assert_eq!(
        find_stamp(b"2024-03-07 10:00:01 x"),
        Some(LineStamp::Local(local))
    );
    assert_eq!(
        find_stamp(b"I20190702-16:52:21.295(-3.5) x"),
        Some(LineStamp::Zoned {
            local: CivilDateTime {
                year: 2019,
                month: 7,
                day: 2,
                time: time(16, 52, 21, 295)
            },
            offset_minutes: -210,
        })
    );
    assert_eq!(
        find_stamp(b"{\"time\":1715248807077}"),
        Some(LineStamp::Epoch(Timestamp::from_unix_millis(
            1_715_248_807_077
        )))
    );
}

/// Lines whose dates and numbers are not the line's own time.
const NEAR_MISSES: &[&str] = &[
    "GET https://cdn.example.com/2024/03/07/app.js 200",
    "Fetched https://example.com/2024-03-07T10:00:01Z/report.json",
    "/var/log/2024-03-07T10:00:01Z.log rotated",
    "BigBlueButton Server 2.2.4 (1846)",
    "2.2.4 (1846)",
    "    at Object.onMessage (https://bbb.example.com/html5client/file.js:1007:12)",
    "file.js:1007:12 Uncaught TypeError: x",
    "Logger.js:155 [modules/xmpp/xmpp.js] <Ue>:  no stamp after the source location",
    "10:00 elapsed",
    "Call duration 10:00",
    "[10:00] x",
    "10:00:01 a bare time of day is not a format",
    "The meeting started at 2024-03-07T10:00:01Z",
    "Recording 2024-03-07 10:00:01 saved",
    "2024-03-07 release notes",
    "{\"id\":1715248807077,\"msg\":\"x\"}",
    "{\"time\":12,\"msg\":\"took 12 ms\"}",
    "{\"time\":1715248807077123}",
    "{\"time\":\"12 ms\"}",
    "{\"duration\":\"10:00\",\"url\":\"https://x/2024-03-07T10:00:01Z\"}",
    "{\"msg\":\"x\",\"meta\":{\"time\":\"2024-03-07T10:00:01Z\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":4168,\"result\":{}}",
    "{\"a\":1} {\"time\":\"2024-03-07T10:00:01Z\"}",
    "D/ZEGO    (20540): [Flutter] [startPublishingStream] streamID: call_abc_1715258159702",
    "ICE disconnected P2P? false:\t 1620680740780",
    "tcp6       0      0 :::8888                 :::*                    LISTEN      25352/kurento",
    "[1234:5678:0509/101158.002:ERROR:foo.cc(12)] chromium",
    "[17:45:51:05230] five digits",
    "[25:00:00:0000] hour 25",
    "[17:45:51] no fraction field",
    "2024-13-01T00:00:00Z month 13",
    "2023-02-29T12:00:00Z no leap day in 2023",
    "2024-04-31T00:00:00Z April has 30 days",
    "2024-03-07T24:00:00Z",
    "2024-03-07T10:60:00Z",
    "2024-03-07T10:00:60Z leap seconds are not read",
    "2024-03-07T10:00:01.1234567890Z ten fraction digits",
    "2024-03-07T10:00:01+25:00",
    "2024-03-07T10:00:01Zulu",
    "2024-03-07T10:00:01:123",
    "2024/09/06 10:02:10.1234 four digits",
    "20190702-16:52:21.295(0)? no level letter",
    "X20190702-16:52:21.295(0)? not a level letter",
    "I20190702-16:52:21.295? no offset",
    "Thu Mar 21 2024 10:14:59 no GMT offset",
    "05-09 10:20 no seconds",
    "Mar 32 10:00:01 host x",
    "room  login  errorCode:0  {9/5/2024 12:37:35}  INFO",
    "room  login  {09/05/2024 12:37:35}  nothing after but lower case",
    "room  login  {09/05/2024 12:37:35}ERROR",
    "room  login  {09/05/2024 12:37:35}  TOOLONGLVL",
    "room  login  {09/05/2024 12:37:35.12}  ERROR",
    "room  login  {x09/05/2024 12:37:35}  ERROR",
    "room  login  {09/05/2024 12:37:35}  {ERROR",
    "{09/05/2024 12:37:35}",
    "",
    "\n",
];

#[test]
fn near_misses_give_none() {
    for line in NEAR_MISSES {
        assert_eq!(find_stamp(line.as_bytes()), None, "line: {line}");
    }
}

/// Feeds `lines` to a context and returns what each resolved to.
fn resolve_all(options: TimestampOptions, lines: &[&str]) -> Vec<Option<String>> {
    let mut context = TimestampContext::new(options);
    lines
        .iter()
        .map(|line| context.line(line.as_bytes()).map(|at| at.to_string()))
        .collect()
}

fn expect(values: &[Option<&str>]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|value| value.map(str::to_owned))
        .collect()
}

#[test]
fn time_only_stamps_take_the_date_of_the_previous_stamp() {
    let lines = [
        "[10:14:57:0611] INFO: clientLogger: Client loaded",
        "sip.js?v=1114:9602 Thu Mar 21 2024 10:14:59 GMT+0000 | sip.Transport | Connecting",
        "[10:15:01:0882] ERROR: clientLogger: Audio error - errorCode=1007",
        "[10:15:24:0090] INFO: clientLogger: Webcam selected",
        // 15 s before the previous line: written out of order, still the same day.
        "[10:15:09:0523] ERROR: clientLogger: Audio error (2) - errorCode=1010",
    ];
    let expected = expect(&[
        None, // no date seen yet: never guessed
        Some("2024-03-21T10:14:59.000Z"),
        Some("2024-03-21T10:15:01.088Z"),
        Some("2024-03-21T10:15:24.009Z"),
        Some("2024-03-21T10:15:09.052Z"),
    ]);
    assert_eq!(resolve_all(TimestampOptions::default(), &lines), expected);
}

#[test]
fn time_only_stamps_roll_over_midnight() {
    let lines = [
        "2024-02-28T23:59:58.000Z full",
        "[23:59:59:9999] x",
        // Same day would be 24 h back: midnight passed, into the leap day. 0001 = 0.1 ms.
        "[00:00:00:0001] x",
        "[00:00:01:0000] x",
        // Same day would be 23:59:58 after the previous stamp (> 23 h): a late line from the
        // day before.
        "[23:59:59:0000] x",
        // The previous stamp is now 28 Feb 23:59:59; same day would be 23:59:57 back.
        "[00:00:02:0000] x",
        // 22 h forward: same day.
        "[22:00:00:0000] x",
        // 30 min back (within one hour): same day.
        "[21:30:00:0000] x",
        // 1 h 30 min back (more than one hour): read as the next day.
        "[20:00:00:0000] x",
    ];
    let expected = expect(&[
        Some("2024-02-28T23:59:58.000Z"),
        Some("2024-02-28T23:59:59.999Z"),
        Some("2024-02-29T00:00:00.000Z"),
        Some("2024-02-29T00:00:01.000Z"),
        Some("2024-02-28T23:59:59.000Z"),
        Some("2024-02-29T00:00:02.000Z"),
        Some("2024-02-29T22:00:00.000Z"),
        Some("2024-02-29T21:30:00.000Z"),
        Some("2024-03-01T20:00:00.000Z"),
    ]);
    assert_eq!(resolve_all(TimestampOptions::default(), &lines), expected);

    // No leap day in 2023: 28 February rolls into 1 March.
    let lines = ["2023-02-28T23:59:00Z full", "[00:01:00:0000] x"];
    let expected = expect(&[
        Some("2023-02-28T23:59:00.000Z"),
        Some("2023-03-01T00:01:00.000Z"),
    ]);
    assert_eq!(resolve_all(TimestampOptions::default(), &lines), expected);
}

#[test]
fn time_only_stamps_are_read_in_the_offset_of_the_previous_stamp() {
    let lines = [
        // 23:50 at +01:00 is 22:50 UTC.
        "sip.js?v=1114:9602 Thu Mar 21 2024 23:50:00 GMT+0100 | x",
        // Midnight passed on the +01:00 clock (22 March 00:10 local), not in UTC: 23:10 UTC
        // on the 21st.
        "[00:10:00:0000] x",
    ];
    let expected = expect(&[
        Some("2024-03-21T22:50:00.000Z"),
        Some("2024-03-21T23:10:00.000Z"),
    ]);
    assert_eq!(resolve_all(TimestampOptions::default(), &lines), expected);
}

#[test]
fn year_less_stamps_take_the_year_of_the_previous_stamp() {
    let lines = [
        "2024-05-09T10:11:58.002Z x",
        "05-09 10:20:00.101 8296-8881/net.jitsi.sdktest I/JitsiMeetSDK: x",
    ];
    let expected = expect(&[
        Some("2024-05-09T10:11:58.002Z"),
        Some("2024-05-09T10:20:00.101Z"),
    ]);
    assert_eq!(resolve_all(TimestampOptions::default(), &lines), expected);

    // Without a previous stamp or a default year there is nothing to take the year from.
    assert_eq!(
        resolve_all(TimestampOptions::default(), &["Mar  7 10:00:01 host a: x"]),
        vec![None]
    );
}

#[test]
fn year_less_stamps_cross_the_new_year() {
    let options = TimestampOptions {
        default_year: Some(DefaultYear::Year(2023)),
        ..Default::default()
    };
    let lines = [
        "Dec 31 23:59:59 host app: x",
        // 2024 puts it 2 s after the previous stamp, 2023 almost a year before it.
        "Jan  1 00:00:01 host app: x",
        "Jan  1 00:00:00 host app: x",
        // Back across the new year, written late: the nearest year is 2023 again.
        "Dec 31 23:59:58 host app: x",
    ];
    let expected = expect(&[
        Some("2023-12-31T23:59:59.000Z"),
        Some("2024-01-01T00:00:01.000Z"),
        Some("2024-01-01T00:00:00.000Z"),
        Some("2023-12-31T23:59:58.000Z"),
    ]);
    assert_eq!(resolve_all(options, &lines), expected);
}

#[test]
fn default_year_not_after_a_limit() {
    let options = TimestampOptions {
        default_year: Some(DefaultYear::NotAfter(utc("2025-01-03T00:00:00Z"))),
        ..Default::default()
    };
    // 28 December 2025 would be after the limit, so 2024; January then follows it into 2025.
    let lines = ["Dec 28 10:00:00 host a: x", "Jan  2 09:00:00 host a: x"];
    let expected = expect(&[
        Some("2024-12-28T10:00:00.000Z"),
        Some("2025-01-02T09:00:00.000Z"),
    ]);
    assert_eq!(resolve_all(options, &lines), expected);

    // 2026 and 2025 have no 29 February; 2024 does.
    let options = TimestampOptions {
        default_year: Some(DefaultYear::NotAfter(utc("2026-06-01T00:00:00Z"))),
        ..Default::default()
    };
    assert_eq!(
        resolve_all(options, &["Feb 29 12:00:00 host a: x"]),
        expect(&[Some("2024-02-29T12:00:00.000Z")])
    );
}

#[test]
fn a_fixed_default_year_without_that_date_gives_none() {
    let in_year = |year| TimestampOptions {
        default_year: Some(DefaultYear::Year(year)),
        ..Default::default()
    };
    assert_eq!(
        resolve_all(in_year(2023), &["Feb 29 12:00:00 host a: x"]),
        vec![None]
    );
    assert_eq!(
        resolve_all(in_year(2024), &["Feb 29 12:00:00 host a: x"]),
        expect(&[Some("2024-02-29T12:00:00.000Z")])
    );
}

/// A default year dates year-less stamps only: a time-only stamp (BBB client) has no month and
/// day, so before any other stamp it stays without a time. After a year-less stamp completed
/// from the default year it takes that stamp's day, like after any other stamp.
#[test]
fn a_default_year_does_not_date_time_only_stamps() {
    let options = TimestampOptions {
        default_year: Some(DefaultYear::Year(2023)),
        ..Default::default()
    };
    let lines = [
        "[17:45:51:0523] ERROR: clientLogger: x",
        "Mar  7 17:40:00 host app: x",
        // 0523 ten-thousandths of a second: 52.3 ms, truncated to 52.
        "[17:45:51:0523] ERROR: clientLogger: x",
    ];
    let expected = expect(&[
        None,
        Some("2023-03-07T17:40:00.000Z"),
        Some("2023-03-07T17:45:51.052Z"),
    ]);
    assert_eq!(resolve_all(options, &lines), expected);
    let not_after = TimestampOptions {
        default_year: Some(DefaultYear::NotAfter(utc("2024-01-01T00:00:00Z"))),
        ..Default::default()
    };
    assert_eq!(resolve_all(not_after, &lines[..1]), vec![None]);
}

#[test]
fn input_years_give_each_input_its_default_year() {
    let modified: HashMap<String, Timestamp> =
        [("logs/a.log".to_string(), utc("2024-01-01T00:00:30Z"))].into();
    let years = InputYears::NotAfterModified {
        modified: Arc::new(modified),
        otherwise: utc("2026-11-22T23:00:00Z"),
    };
    assert_eq!(
        years.options_for("logs/a.log").default_year,
        Some(DefaultYear::NotAfter(utc("2024-01-01T00:00:30Z")))
    );
    // Not listed (stdin): the time of the run.
    assert_eq!(
        years.options_for("-").default_year,
        Some(DefaultYear::NotAfter(utc("2026-11-22T23:00:00Z")))
    );
    assert_eq!(
        InputYears::Year(2023).options_for("-").default_year,
        Some(DefaultYear::Year(2023))
    );
    assert_eq!(
        InputYears::default().options_for("-"),
        TimestampOptions::default()
    );
    // The offset stays UTC whatever the year.
    assert_eq!(years.options_for("-").default_offset_minutes, 0);
}

#[test]
fn system_times_round_towards_the_past() {
    use std::time::Duration;
    let epoch = SystemTime::UNIX_EPOCH;
    // 1.5 ms after the epoch is 1 ms, 1.5 ms before it -2 ms: both towards the past.
    let after = epoch + Duration::from_micros(1_500);
    let before = epoch - Duration::from_micros(1_500);
    assert_eq!(Timestamp::from_system_time(after).unix_millis(), 1);
    assert_eq!(Timestamp::from_system_time(before).unix_millis(), -2);
    assert_eq!(Timestamp::from_system_time(epoch), Timestamp::UNIX_EPOCH);
    // 2024-01-01T00:00:30Z is 1_704_067_230 s after the epoch (19723 days × 86400 + 30).
    let new_year = epoch + Duration::from_secs(19_723 * 86_400 + 30);
    assert_eq!(
        Timestamp::from_system_time(new_year).to_string(),
        "2024-01-01T00:00:30.000Z"
    );
}

#[test]
fn default_offset_applies_to_zone_less_stamps_only() {
    let options = TimestampOptions {
        default_offset_minutes: 120,
        default_year: Some(DefaultYear::Year(2024)),
    };
    let lines = [
        // +02:00 by default: 10:00:01.123 local is 08:00:01.123 UTC.
        "2024-03-07 10:00:01,123 x",
        // Its own zone wins.
        "2024-03-07T10:00:01Z x",
        // The previous stamp was written in UTC, so this one is read in UTC too.
        "[10:30:00:0000] x",
    ];
    let expected = expect(&[
        Some("2024-03-07T08:00:01.123Z"),
        Some("2024-03-07T10:00:01.000Z"),
        Some("2024-03-07T10:30:00.000Z"),
    ]);
    assert_eq!(resolve_all(options, &lines), expected);

    // First stamp of the file, year-less: default year and offset; -05:00 means UTC = +5 h.
    let options = TimestampOptions {
        default_offset_minutes: -300,
        default_year: Some(DefaultYear::Year(2024)),
    };
    assert_eq!(
        resolve_all(options, &["Mar  7 10:00:01 host a: x"]),
        expect(&[Some("2024-03-07T15:00:01.000Z")])
    );
}

#[test]
fn line_after_finds_the_nearest_full_stamp_in_the_skipped_text() {
    let preceding = b"noise\n\
        sip.js?v=1114:9602 Thu Mar 21 2024 10:14:59 GMT+0000 | sip.Transport | Connecting\n\
        sip.js?v=1114:9602 Thu Mar 21 2024 10:15:00 GMT+0000 | sip.Transport | WebSocket connected\n\
        more noise\n";
    let line = b"[10:15:01:0882] ERROR: clientLogger: Audio error - errorCode=1007";
    let mut context = TimestampContext::new(TimestampOptions::default());
    assert_eq!(
        context.line_after(line, preceding),
        Some(utc("2024-03-21T10:15:01.088Z"))
    );
    assert_eq!(context.previous(), Some(utc("2024-03-21T10:15:01.088Z")));

    // The same line fed alone has nothing to take its date from.
    assert_eq!(
        TimestampContext::new(TimestampOptions::default()).line(line),
        None
    );

    // Only the last 32 lines are searched: the full stamp followed by 31 lines is the 32nd
    // line back, followed by 32 lines the 33rd.
    let mut near = b"2024-03-21T10:14:59Z full\n".to_vec();
    near.extend(b"noise\n".repeat(31));
    assert_eq!(
        TimestampContext::new(TimestampOptions::default()).line_after(line, &near),
        Some(utc("2024-03-21T10:15:01.088Z"))
    );
    near.extend(b"noise\n");
    assert_eq!(
        TimestampContext::new(TimestampOptions::default()).line_after(line, &near),
        None
    );

    // A full stamp on the line itself needs nothing from the skipped text.
    let mut context = TimestampContext::new(TimestampOptions::default());
    assert_eq!(
        context.line_after(b"2024-01-01T00:00:00Z x", preceding),
        Some(utc("2024-01-01T00:00:00Z"))
    );
    context.reset();
    assert_eq!(context.previous(), None);
    assert_eq!(context.line(line), None);
}

#[test]
fn fixture_meteor_server_log() {
    let log = include_str!("../../fixtures/bigbluebutton/meteor-server.log");
    let times = resolve_all(
        TimestampOptions::default(),
        &log.lines().collect::<Vec<_>>(),
    );
    // Lines 1-8 are journald lines only (Jul 02, no year) before any full stamp: no year to
    // take, so no time. Line 9 carries Meteor's I20190702-16:52:21.295(0): UTC, and from
    // then on the journald lines take 2019.
    assert!(times[..8].iter().all(Option::is_none), "{times:?}");
    assert_eq!(times[8].as_deref(), Some("2019-07-02T16:52:21.295Z"));
    assert_eq!(times[12].as_deref(), Some("2019-07-02T16:54:15.000Z")); // `warn: Meeting …`
    assert_eq!(times[20].as_deref(), Some("2019-07-02T16:59:02.000Z")); // the last line
    assert_eq!(times.len(), 21);
    assert_eq!(times.iter().filter(|time| time.is_some()).count(), 13);

    // With --year 2019 (or the file's mtime) the first lines get a time too.
    let options = TimestampOptions {
        default_year: Some(DefaultYear::Year(2019)),
        ..Default::default()
    };
    let times = resolve_all(options, &log.lines().collect::<Vec<_>>());
    assert_eq!(times[0].as_deref(), Some("2019-07-02T16:50:02.000Z"));
    assert!(times.iter().all(Option::is_some));
}

#[test]
fn fixture_bbb_browser_console_log() {
    let log = include_str!("../../fixtures/bigbluebutton/browser-console.log");
    let lines: Vec<&str> = log.lines().collect();
    let times = resolve_all(TimestampOptions::default(), &lines);
    // Line 1 has no stamp; lines 2-3 are time-only before the first sip.js date (line 4).
    assert_eq!(times[..3], [None, None, None]);
    assert_eq!(times[3].as_deref(), Some("2024-03-21T10:14:59.000Z"));
    assert_eq!(times[5].as_deref(), Some("2024-03-21T10:15:01.088Z"));
    // Line 12 `[10:15:09:0523]` comes after `[10:15:24:0090]`: out of order, same day.
    assert_eq!(times[11].as_deref(), Some("2024-03-21T10:15:09.052Z"));
    assert_eq!(
        times.last().cloned().flatten().as_deref(),
        Some("2024-03-21T10:20:54.077Z")
    );
    // Every `[..]` client line from line 4 on has a time; the others (a stack line, a
    // Chrome violation) have none.
    for (line, time) in lines.iter().zip(&times).skip(3) {
        let is_stamped =
            line.starts_with('[') && !line.starts_with("[Violation]") || line.starts_with("sip.js");
        assert_eq!(time.is_some(), is_stamped, "line: {line}");
    }
}

#[test]
fn fixture_logs_in_iso_and_nginx_shapes() {
    let html5 = include_str!("../../fixtures/bigbluebutton/html5-client.log");
    assert!(
        html5
            .lines()
            .all(|line| find_stamp(line.as_bytes()).is_some_and(|stamp| stamp.is_full()))
    );
    assert_eq!(
        full(html5.lines().next().unwrap_or_default()).as_deref(),
        Some("2024-03-21T10:14:58.000Z")
    );

    let jitsi = include_str!("../../fixtures/jitsi/browser-console.log");
    let stamped = jitsi.lines().filter(|line| full(line).is_some()).count();
    // All 37 lines but the first (`lib-jitsi-meet.min.js?v=6447:2:340507 [modules/…`).
    assert_eq!(stamped, 36);

    let sfu = include_str!("../../fixtures/bigbluebutton/bbb-webrtc-sfu.log");
    assert_eq!(
        full(sfu.lines().next().unwrap_or_default()).as_deref(),
        Some("2024-03-21T10:14:00.101Z")
    );
    assert!(sfu.lines().all(|line| full(line).is_some()));
}

#[test]
fn fixture_decoys_log() {
    let log = include_str!("../../fixtures/decoys/decoys.log");
    let stamps: Vec<Option<LineStamp>> = log
        .lines()
        .map(|line| find_stamp(line.as_bytes()))
        .collect();
    // 1-based line numbers, worked out from the file by hand.
    let full_lines = [1, 2, 4, 7, 9, 17, 20, 22, 23, 29, 30, 32];
    for (index, stamp) in stamps.iter().enumerate() {
        let line_number = index + 1;
        let expected = match line_number {
            6 => "year-less",  // `Jul 02 16:50:02 bbb22 systemd_start.sh[25313]: …`
            18 => "time-only", // `[17:45:51:0523] INFO: …`
            _ if full_lines.contains(&line_number) => "full",
            _ => "none",
        };
        let actual = match stamp {
            None => "none",
            Some(LineStamp::YearLess { .. }) => "year-less",
            Some(LineStamp::TimeOnly(_)) => "time-only",
            Some(_) => "full",
        };
        assert_eq!(actual, expected, "line {line_number}");
    }
    assert_eq!(stamps.len(), 40);
}

#[test]
fn display_and_from_str() {
    assert_eq!(
        Timestamp::UNIX_EPOCH.to_string(),
        "1970-01-01T00:00:00.000Z"
    );
    assert_eq!(
        Timestamp::from_unix_millis(-1).to_string(),
        "1969-12-31T23:59:59.999Z"
    );
    assert_eq!(
        Timestamp::from_unix_millis(1_715_248_807_077).to_string(),
        "2024-05-09T10:00:07.077Z"
    );
    assert_eq!(
        Timestamp::from_utc(2024, 2, 29, 23, 59, 59, 999),
        Some(utc("2024-02-29T23:59:59.999Z"))
    );
    assert_eq!(Timestamp::from_utc(2023, 2, 29, 0, 0, 0, 0), None);
    assert_eq!(Timestamp::from_utc(2024, 1, 1, 0, 0, 0, 1000), None);
    assert_eq!(
        utc("0000-01-01T00:00:00Z").to_string(),
        "0000-01-01T00:00:00.000Z"
    );
    assert_eq!(
        utc("9999-12-31T23:59:59.999Z").to_string(),
        "9999-12-31T23:59:59.999Z"
    );
    assert_eq!(
        utc("2024-03-07 10:00:01+01:00").to_string(),
        "2024-03-07T09:00:01.000Z"
    );
    // Years outside four digits are written with a sign and do not parse back.
    let far = Timestamp::from_unix_millis(253_402_300_800_000); // 10000-01-01
    assert_eq!(far.to_string(), "+10000-01-01T00:00:00.000Z");
    assert!(far.to_string().parse::<Timestamp>().is_err());
    // No panic at the ends of the range.
    assert!(!Timestamp::from_unix_millis(i64::MIN).to_string().is_empty());
    assert!(!Timestamp::from_unix_millis(i64::MAX).to_string().is_empty());
    assert!(utc("2024-03-07T10:00:01Z") < utc("2024-03-07T10:00:01.001Z"));

    for text in [
        "2024-03-07T10:00:01",
        "2024-03-07T10:00:01Z x",
        " 2024-03-07T10:00:01Z",
        "2024-03-07",
        "",
    ] {
        assert!(
            matches!(
                text.parse::<Timestamp>(),
                Err(TimeError::InvalidRfc3339 { .. })
            ),
            "{text:?}"
        );
    }
}

#[test]
fn parse_relative_forms() {
    let now = utc("2024-03-07T10:00:01.123Z");
    let cases = [
        ("-3h", "2024-03-07T07:00:01.123Z"),
        ("-90m", "2024-03-07T08:30:01.123Z"),
        ("-30s", "2024-03-07T09:59:31.123Z"),
        ("-2d", "2024-03-05T10:00:01.123Z"),
        // 7 days before 7 March 2024 is the leap day.
        ("-1w", "2024-02-29T10:00:01.123Z"),
        ("-0h", "2024-03-07T10:00:01.123Z"),
        ("now", "2024-03-07T10:00:01.123Z"),
        ("today", "2024-03-07T00:00:00.000Z"),
        ("Yesterday", "2024-03-06T00:00:00.000Z"),
        ("  today  ", "2024-03-07T00:00:00.000Z"),
        ("2024-03-07T10:00:01+01:00", "2024-03-07T09:00:01.000Z"),
        ("2024-01-31T23:00:00.5-02:00", "2024-02-01T01:00:00.500Z"),
        ("2024-03-07", "2024-03-07T00:00:00.000Z"),
    ];
    for (text, expected) in cases {
        assert_eq!(
            parse_relative(text, now)
                .map(|at| at.to_string())
                .as_deref(),
            Ok(expected),
            "{text:?}"
        );
    }
    // Yesterday of 1 March 2024 is the leap day.
    assert_eq!(
        parse_relative("yesterday", utc("2024-03-01T05:00:00Z")),
        Ok(utc("2024-02-29T00:00:00Z"))
    );
    // Before 1970 `today` still means the start of the UTC day, not a truncation towards 0.
    assert_eq!(
        parse_relative("today", utc("1969-12-31T12:00:00Z")),
        Ok(utc("1969-12-31T00:00:00Z"))
    );

    for text in [
        "3h",
        "-3x",
        "-",
        "-h",
        "- 3h",
        "-3 h",
        "-3H",
        "+3h",
        "",
        "tomorrow",
        "2024-03-07T10:00:01",
        "2024-02-30",
    ] {
        assert!(
            matches!(
                parse_relative(text, now),
                Err(TimeError::InvalidTime { .. })
            ),
            "{text:?}"
        );
    }
    assert!(matches!(
        parse_relative("-999999999999w", now),
        Err(TimeError::OutOfRange { .. })
    ));
    assert!(matches!(
        parse_relative("yesterday", Timestamp::from_unix_millis(i64::MIN)),
        Err(TimeError::OutOfRange { .. })
    ));
    let message = parse_relative("soon", now).map_err(|error| error.to_string());
    assert_eq!(
        message,
        Err("invalid time \"soon\": expected RFC 3339 (2024-03-07T10:00:01Z), a date (2024-03-07), \
             -30s, -90m, -3h, -2d, -1w, now, today or yesterday"
            .to_owned())
    );
}

#[test]
fn calendar_matches_a_day_by_day_count() {
    // Walk every day from 1600-01-01 to 2400-12-31 with plain month lengths and compare.
    let mut days = days_from_civil(1600, 1, 1);
    // 1600-01-01 is 370 years of 365 days and 90 leap days before 1970 (1600..1969 has
    // 93 multiples of 4, minus 1700, 1800, 1900).
    assert_eq!(days, -(370 * 365 + 90));
    for year in 1600..=2400_i64 {
        for month in 1..=12_u8 {
            for day in 1..=days_in_month(year, month) {
                assert_eq!(
                    days_from_civil(year, month, day),
                    days,
                    "{year}-{month}-{day}"
                );
                assert_eq!(civil_from_days(days), (year, month, day));
                days += 1;
            }
        }
    }
    assert_eq!(days_in_month(1900, 2), 28);
    assert_eq!(days_in_month(2000, 2), 29);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Timestamp>();
    assert_send_sync::<LineStamp>();
    assert_send_sync::<TimestampContext>();
    assert_send_sync::<TimeError>();
}

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in Unix milliseconds.
const FIRST_FOUR_DIGIT_MILLIS: i64 = -62_167_219_200_000;
const LAST_FOUR_DIGIT_MILLIS: i64 = 253_402_300_799_999;

fn log_like_text() -> impl Strategy<Value = String> {
    "[0-9:./ \\-+TZ\\[\\]{}()\"?,_@a-zA-Z\t]{0,80}"
}

/// What [`digits_around`] must give, byte by byte.
fn digits_around_byte_by_byte(bytes: [u8; 8], separators: u64) -> Option<[u8; 8]> {
    let mut values = [0; 8];
    for ((value, byte), separator) in values.iter_mut().zip(bytes).zip(separators.to_le_bytes()) {
        match separator {
            0 => *value = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?,
            _ if byte == separator => {}
            _ => return None,
        }
    }
    Some(values)
}

/// Bytes near the edges of the digits and of the separators, and any byte.
fn stamp_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        prop::sample::select(b"/09:;-.,T \x00\x7f\x80\xff\xf9\xfa".to_vec()),
        b'0'..=b'9',
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn digits_around_reads_as_byte_by_byte(bytes in proptest::array::uniform8(stamp_byte())) {
        for separators in [*b"\0\0:\0\0:\0\0", *b"\0\0\0\0-\0\0-", [0; 8], [b'/'; 8]] {
            let separators = u64::from_le_bytes(separators);
            prop_assert_eq!(
                digits_around(bytes, separators),
                digits_around_byte_by_byte(bytes, separators)
            );
        }
    }

    #[test]
    fn fractions_read_as_before(digits in "[0-9]{0,12}", separator in "[.,:]", tail in "[0-9a-z ]?") {
        let text = format!("{separator}{digits}{tail}");
        let mut cursor = Cursor::new(text.as_bytes());
        let all_digits: String = text[1..].chars().take_while(char::is_ascii_digit).collect();
        let expected = match (separator.as_str(), all_digits.len()) {
            (":", _) | (_, 0) => Some((0, 0)),
            (_, 10..) => None,
            (_, count) => {
                // The first three digits, padded with zeros: the rest truncated.
                let first: String = all_digits.chars().take(3).collect();
                Some((format!("{first:0<3}").parse::<u16>().expect("digits"), 1 + count))
            }
        };
        let read = decimal_fraction(&mut cursor).map(|millis| (millis, cursor.position));
        prop_assert_eq!(read, expected);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = find_stamp(&bytes);
        let mut context = TimestampContext::new(TimestampOptions {
            default_offset_minutes: -720,
            default_year: Some(DefaultYear::NotAfter(Timestamp::from_unix_millis(i64::MAX))),
        });
        let _ = context.line(&bytes);
        let _ = context.line_after(&bytes, &bytes);
        let _ = parse_relative(&String::from_utf8_lossy(&bytes), Timestamp::from_unix_millis(i64::MIN));
    }

    #[test]
    fn log_like_lines_never_panic(lines in proptest::collection::vec(log_like_text(), 1..8), year in any::<i32>()) {
        let mut context = TimestampContext::new(TimestampOptions {
            default_offset_minutes: 0,
            default_year: Some(DefaultYear::Year(year)),
        });
        for line in &lines {
            let _ = context.line(line.as_bytes());
            let _ = context.line(format!("[00:00:00:0000] {line}").as_bytes());
            let _ = context.line(format!("Dec 31 23:59:59 {line}").as_bytes());
            let _ = parse_relative(line, Timestamp::from_unix_millis(i64::MAX));
        }
        let joined = lines.join("\n");
        let _ = context.line_after(b"[12:00:00:0000]", joined.as_bytes());
    }

    #[test]
    fn display_then_parse_gives_the_same_instant(
        millis in FIRST_FOUR_DIGIT_MILLIS..=LAST_FOUR_DIGIT_MILLIS,
    ) {
        let at = Timestamp::from_unix_millis(millis);
        let text = at.to_string();
        prop_assert_eq!(text.parse::<Timestamp>(), Ok(at));
        prop_assert_eq!(find_stamp(format!("{text} INFO x").as_bytes()).and_then(|s| s.to_timestamp(0)), Some(at));
        prop_assert_eq!(find_stamp(format!("{{\"time\":\"{text}\"}}").as_bytes()).and_then(|s| s.to_timestamp(0)), Some(at));
        prop_assert_eq!(parse_relative(&text, Timestamp::UNIX_EPOCH), Ok(at));
    }

    #[test]
    fn written_offsets_are_subtracted(
        year in 0_u16..=9999, month in 1_u8..=12, day in 1_u8..=28,
        hour in 0_u8..=23, minute in 0_u8..=59, second in 0_u8..=59, millisecond in 0_u16..=999,
        offset_minutes in -1439_i32..=1439,
    ) {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let (offset_hours, offset_rest) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
        let text = format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millisecond:03}\
             {sign}{offset_hours:02}:{offset_rest:02}"
        );
        let parsed = text.parse::<Timestamp>();
        let wall = Timestamp::from_utc(i32::from(year), month, day, hour, minute, second, millisecond);
        prop_assert!(wall.is_some());
        let expected = wall.and_then(|wall| wall.checked_add_millis(-i64::from(offset_minutes) * MILLIS_PER_MINUTE));
        prop_assert_eq!(parsed.ok(), expected);
    }

    #[test]
    fn relative_words_never_panic(now in any::<i64>(), word in "now|today|yesterday|-1d|-999999999999w") {
        let now = Timestamp::from_unix_millis(now);
        if let Ok(at) = parse_relative(&word, now) {
            prop_assert!(at <= now);
        }
    }

    #[test]
    fn relative_amounts_count_back_from_now(count in 0_i64..1_000_000, unit in 0_usize..5) {
        let now = Timestamp::from_unix_millis(1_715_248_807_077);
        let (letter, unit_millis) = [("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)][unit];
        let parsed = parse_relative(&format!("-{count}{letter}"), now);
        prop_assert_eq!(parsed, Ok(Timestamp::from_unix_millis(now.unix_millis() - count * unit_millis)));
    }
}

/// A partial stamp with nothing before it is dated by the first full stamp after it, before the
/// default year; expectations worked out by hand.
#[test]
fn partial_stamps_at_the_start_are_dated_by_the_next_full_stamp() {
    let with_year = TimestampOptions {
        default_year: Some(DefaultYear::Year(2026)),
        ..TimestampOptions::default()
    };
    let around = |line: &str, following: &str| {
        TimestampContext::new(with_year)
            .line_around(line.as_bytes(), b"", following.as_bytes())
            .map(|at| at.to_string())
    };
    // journald before Meteor's own stamps: the year comes from the 2019 line two lines down.
    let following = "May 09 10:00:08 bbb systemd[1]: started\n\
                     I20190509-10:00:09.000(0)? info: ready\n";
    assert_eq!(
        around("May 09 10:00:07 bbb app: errorCode=1007", following).as_deref(),
        Some("2019-05-09T10:00:07.000Z")
    );
    // The latest year not more than a day after the next stamp: December before a January.
    assert_eq!(
        around("Dec 31 23:59:58 host x", "2020-01-01T00:00:01Z y\n").as_deref(),
        Some("2019-12-31T23:59:58.000Z")
    );
    // Time-only: the next stamp's day, or the day before when that would be over an hour after.
    assert_eq!(
        around("[23:59:50:0000] x", "2024-03-08T00:00:05Z y\n").as_deref(),
        Some("2024-03-07T23:59:50.000Z")
    );
    assert_eq!(
        around("[00:30:00:0000] x", "2024-03-08T00:00:05Z y\n").as_deref(),
        Some("2024-03-08T00:30:00.000Z")
    );
    // Read at the next stamp's offset.
    assert_eq!(
        around("Mar  7 10:00:00 x", "2024-03-07T10:00:05+02:00 y\n").as_deref(),
        Some("2024-03-07T08:00:00.000Z")
    );
    // No full stamp in the next 32 lines: the default year.
    let far = format!("{}2019-05-09T10:00:09Z y\n", "no stamp here\n".repeat(32));
    assert_eq!(
        around("May 09 10:00:07 x", &far).as_deref(),
        Some("2026-05-09T10:00:07.000Z")
    );
    // A stamp before the line wins over one after it.
    let mut context = TimestampContext::new(with_year);
    let time = context.line_around(
        b"May 09 10:00:07 x",
        b"2021-05-09T10:00:00Z before\n",
        b"2019-05-09T10:00:09Z after\n",
    );
    assert_eq!(
        time.map(|at| at.to_string()).as_deref(),
        Some("2021-05-09T10:00:07.000Z")
    );
    // The completed stamp is the previous one for what follows.
    assert_eq!(
        context
            .line(b"[10:00:09:0000] x")
            .map(|at| at.to_string())
            .as_deref(),
        Some("2021-05-09T10:00:09.000Z")
    );
}

/// `lines_backwards` gives what `rsplit` on newlines gives, empty lines and ends included.
#[test]
fn lines_backwards_equals_rsplit() {
    for text in [
        &b""[..],
        b"a",
        b"\n",
        b"a\nb",
        b"\na\n\nbc\n",
        b"2024-03-07T10:00:01Z x\nno stamp\n",
    ] {
        let expected: Vec<&[u8]> = text.rsplit(|&byte| byte == b'\n').collect();
        let got: Vec<&[u8]> = lines_backwards(text).collect();
        assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(text));
    }
}
