//! Synthetic mixed-vendor logs with a known answer, for accuracy tests and benchmarks.
//!
//! [`generate`] writes realistic log lines of every platform errscan knows (Jicofo, JVB, Prosody,
//! the BigBlueButton html5 client, Meteor, nginx, bbb-webrtc-sfu, Kurento, Flutter logcat, the
//! ZEGO web SDK, VideoSDK apps) and returns a [`Truth`]: which codes it wrote, how often, and how
//! many lines and bytes. The truth is kept while writing, from the codes the generator chose; no
//! pattern, regex or scanner is involved, so `errscan scan` over the output must report exactly
//! the truth.
//!
//! Most lines (about 98 %) are noise, and the noise is full of numbers that look like codes but
//! are not (research notes §5b and §5c): `errorCode: 0`, WebSocket close codes `(code: 1006)`,
//! HTTP statuses and body sizes, ports, PIDs, cache busters `?v=1114`, source positions
//! `Logger.js:155:26`, JIDs, event names such as `conference.failed`, epoch-millisecond ids,
//! Kurento JSON-RPC ids and error codes, build numbers, ZIM and legacy ZEGO codes. The other
//! lines carry codes in the shapes the vendors' own logging calls produce, one template per
//! shape; codes are drawn from the catalog (so every known code can appear), plus a few codes
//! the catalog does not know, written in a proper error context.
//!
//! The truth follows the contract's counting rule: one (line, vendor, code) counts once, so a
//! line that carries a code and its constant name counts once, and a line with two different
//! codes counts twice.
//!
//! ```
//! use errscan::catalog::Catalog;
//! use errscan::synth::generate;
//!
//! let mut log = Vec::new();
//! let truth = generate(&mut log, 64 * 1024, 7, &Catalog::builtin()).unwrap();
//! assert_eq!(truth.bytes, log.len() as u64);
//! assert_eq!(truth.lines, log.iter().filter(|&&byte| byte == b'\n').count() as u64);
//! assert!(truth.matches() > 0);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use crate::catalog::{Catalog, Entry};
use crate::vendor::Vendor;

/// What [`generate`] wrote: codes by (vendor, code) with the number of lines carrying each, and
/// the size of the output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Known codes (present in the catalog) and how many lines carry each.
    pub codes: BTreeMap<(Vendor, String), u64>,
    /// Codes written in a vendor's error context but absent from the catalog, and how many lines
    /// carry each.
    pub unknown: BTreeMap<(Vendor, String), u64>,
    /// Lines written; every line ends with `\n`.
    pub lines: u64,
    /// Bytes written.
    pub bytes: u64,
}

impl Truth {
    /// Total (line, vendor, code) occurrences, known and unknown.
    pub fn matches(&self) -> u64 {
        self.codes.values().sum::<u64>() + self.unknown.values().sum::<u64>()
    }
}

/// Writes at least `target_bytes` bytes of synthetic log (whole lines, stopping at the first line
/// end past the target) to `out`, and returns what was written. The same `seed` and catalog
/// give the same bytes. About [`ERROR_LINES_PER_THOUSAND`] lines in a thousand carry codes.
///
/// Codes come from `catalog`; a template whose codes the catalog lacks (a reduced catalog) is
/// replaced by noise.
pub fn generate<W: Write>(
    out: W,
    target_bytes: u64,
    seed: u64,
    catalog: &Catalog,
) -> io::Result<Truth> {
    generate_with_error_lines(out, target_bytes, seed, catalog, ERROR_LINES_PER_THOUSAND)
}

/// [`generate`] with about `error_lines_per_thousand` lines in a thousand carrying codes (at
/// most 1000), the rest noise with its decoys: a quieter or a noisier log than the default.
pub fn generate_with_error_lines<W: Write>(
    out: W,
    target_bytes: u64,
    seed: u64,
    catalog: &Catalog,
    error_lines_per_thousand: u32,
) -> io::Result<Truth> {
    let mut generator = Generator {
        out,
        rng: Rng::new(seed),
        pools: Pools::new(catalog),
        catalog,
        clock: Clock::new(seed),
        stamp: Stamp::default(),
        buf: Vec::with_capacity(1024),
        line_codes: Vec::new(),
        truth: Truth::default(),
    };
    while generator.truth.bytes < target_bytes {
        generator.stamp = generator.clock.tick(&mut generator.rng);
        if generator.rng.below(1000) < error_lines_per_thousand as usize {
            let shape = generator.rng.weighted(&ERROR_SHAPES);
            generator.error_line(shape)?;
        } else {
            let shape = generator.rng.weighted(&NOISE_SHAPES);
            generator.noise_line(shape)?;
        }
    }
    generator.out.flush()?;
    Ok(generator.truth)
}

/// Error lines per thousand lines, by default.
pub const ERROR_LINES_PER_THOUSAND: u32 = 20;

// ---------------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------------

/// xorshift64* seeded through splitmix64: small, fast and the same on every platform.
#[derive(Debug, Clone)]
struct Rng {
    state: u64,
}

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 spreads any seed (0 included) over the state space; xorshift needs a
        // non-zero state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng { state: z.max(1) }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound`; `bound` must be positive.
    fn below(&mut self, bound: usize) -> usize {
        (((self.next_u64() >> 32) * bound as u64) >> 32) as usize
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    fn chance(&mut self, per_hundred: usize) -> bool {
        self.below(100) < per_hundred
    }

    /// One of a non-empty list of literals.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// One of a non-empty list of (item, weight).
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.below(total as usize) as u32;
        for &(item, weight) in items {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// A clock that moves forward by a few milliseconds per line.
struct Clock {
    epoch_ms: u64,
}

impl Clock {
    fn new(seed: u64) -> Clock {
        // 2024-05-09T10:00:00Z plus up to a day, depending on the seed.
        Clock {
            epoch_ms: 1_715_248_800_000 + (seed % 86_400) * 1000,
        }
    }

    fn tick(&mut self, rng: &mut Rng) -> Stamp {
        self.epoch_ms += rng.range(0, 40);
        Stamp::from_epoch_ms(self.epoch_ms)
    }
}

/// A UTC time broken into fields.
#[derive(Debug, Clone, Copy, Default)]
struct Stamp {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    minute: u64,
    second: u64,
    milli: u64,
    epoch_ms: u64,
}

impl Stamp {
    fn from_epoch_ms(epoch_ms: u64) -> Stamp {
        let seconds = epoch_ms / 1000;
        let days = seconds / 86_400;
        let of_day = seconds % 86_400;
        // Days to civil date (H. Hinnant's algorithm, for dates after 1970).
        let z = days + 719_468;
        let era = z / 146_097;
        let day_of_era = z % 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + u64::from(month <= 2);
        Stamp {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            milli: epoch_ms % 1000,
            epoch_ms,
        }
    }

    fn show(self, format: TimeFormat) -> Shown {
        Shown(self, format)
    }
}

/// The time formats of the platforms.
#[derive(Debug, Clone, Copy)]
enum TimeFormat {
    /// `2024-05-09T10:12:01.456Z` (@jitsi/logger, pino).
    Iso,
    /// `2024-05-09T10:12:01+00:00` (nginx `$time_iso8601`).
    IsoOffset,
    /// `2024-05-09 10:12:01.456` (Jicofo, JVB).
    Jicofo,
    /// `09/May/2024:10:12:01 +0000` (nginx access log).
    Nginx,
    /// `2024/05/09 10:12:01` (nginx error log).
    NginxError,
    /// `May 09 10:12:01` (journal).
    Journal,
    /// `I20240509-10:12:01.456(0)?` (Meteor).
    Meteor,
    /// `[10:12:01:0456]` (BBB html5 client console).
    BbbClient,
    /// `05-09 10:12:01.456` (logcat).
    Logcat,
    /// `2024/05/09 10:12:01.56` (ZEGO web SDK; milliseconds not zero-padded).
    ZegoWeb,
    /// `{09/05/2024 10:12:01}` (ZEGO UIKit PLogger).
    PLogger,
    /// `2024-05-09T10:12:01,456000` (Kurento).
    Kurento,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A stamp in one format, written without allocating.
struct Shown(Stamp, TimeFormat);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(t, format) = self;
        let month_name = MONTHS[(t.month as usize).saturating_sub(1) % 12];
        match format {
            TimeFormat::Iso => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::IsoOffset => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            ),
            TimeFormat::Jicofo => write!(
                f,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::Nginx => write!(
                f,
                "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
                t.day, month_name, t.year, t.hour, t.minute, t.second
            ),
            TimeFormat::NginxError => write!(
                f,
                "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            ),
            TimeFormat::Journal => write!(
                f,
                "{} {:02} {:02}:{:02}:{:02}",
                month_name, t.day, t.hour, t.minute, t.second
            ),
            TimeFormat::Meteor => write!(
                f,
                "I{:04}{:02}{:02}-{:02}:{:02}:{:02}.{:03}(0)?",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::BbbClient => write!(
                f,
                "[{:02}:{:02}:{:02}:{:04}]",
                t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::Logcat => write!(
                f,
                "{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
                t.month, t.day, t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::ZegoWeb => write!(
                f,
                "{:04}/{:02}/{:02} {:02}:{:02}:{:02}.{}",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.milli
            ),
            TimeFormat::PLogger => write!(
                f,
                "{{{:02}/{:02}/{:04} {:02}:{:02}:{:02}}}",
                t.day, t.month, t.year, t.hour, t.minute, t.second
            ),
            TimeFormat::Kurento => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02},{:03}{:03}",
                t.year,
                t.month,
                t.day,
                t.hour,
                t.minute,
                t.second,
                t.milli,
                t.epoch_ms % 997
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Code pools drawn from the catalog
// ---------------------------------------------------------------------------------------------

/// A code as the generator writes it.
#[derive(Debug, Clone)]
struct Coded {
    code: String,
    name: String,
    message: Option<String>,
}

impl Coded {
    fn of(entry: &Entry) -> Coded {
        Coded {
            code: entry.code.clone(),
            name: entry.name.clone(),
            message: entry
                .messages
                .iter()
                .find(|message| is_plain_message(message))
                .cloned(),
        }
    }

    fn bare(code: &str) -> Coded {
        Coded {
            code: code.to_string(),
            name: String::new(),
            message: None,
        }
    }
}

/// The code lists the templates draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pool {
    /// BBB audio bridge codes, 1001-1020.
    BbbAudio,
    /// BBB client (screen share, webcam) codes, 11xx without the getDisplayMedia ones.
    BbbClient,
    /// BBB getDisplayMedia codes, 1130-1138 (DOMException names).
    BbbDisplay,
    /// BBB SFU-broker client codes, 13xx.
    BbbSfuClient,
    /// BBB SFU server codes, 2xxx.
    BbbSfuServer,
    /// BBB 2xxx codes whose constant name no other BBB code has.
    BbbSfuServerUniqueName,
    /// BBB 2xxx codes whose constant name other BBB codes have too (`ICE_STATE_FAILED`).
    BbbSfuServerSharedName,
    /// BBB codes with a user-visible text carrying `(error N)` / `(ICE error N)`.
    BbbUiText,
    /// BBB codes with a user-visible text carrying `(SDP error N)`.
    BbbUiTextSdp,
    /// Numbers in BBB error context that the catalog does not know.
    BbbUnknown,
    /// Constant names in BBB error context that the catalog does not know.
    BbbUnknownName,
    /// Jitsi `conference.*` errors.
    JitsiConference,
    /// Jitsi `connection.*` errors.
    JitsiConnection,
    /// Jitsi track errors (`gum.*`, `gdm.*`, `track.*`).
    JitsiTrack,
    /// Jitsi E2EE errors.
    JitsiE2ee,
    /// Jitsi AUTH_ERROR_TYPES values.
    JitsiAuth,
    /// `conference.*` values the catalog does not know.
    JitsiUnknownConference,
    /// `connection.*` values the catalog does not know.
    JitsiUnknownConnection,
    /// VideoSDK codes a Flutter app sees: the Flutter table (3001-3023) and the meeting codes.
    VsdkFlutter,
    /// VideoSDK codes a JavaScript (React, React Native) app sees: the JS 30xx table (3011-3043)
    /// and the meeting codes.
    VsdkJs,
    /// VideoSDK Flutter and meeting codes whose constant name no other code has.
    VsdkFlutterUniqueName,
    /// VideoSDK meeting (40xx, 50xx) codes with a message text.
    VsdkMeetingWithMessage,
    /// VideoSDK numbers the catalog does not know.
    VsdkUnknown,
    /// Every ZEGO Express code except success (0).
    ZegoAll,
    /// ZEGO Express codes of the room module.
    ZegoRoom,
    /// ZEGO Express codes of the publisher module.
    ZegoPublish,
    /// ZEGO numbers the catalog does not know.
    ZegoUnknown,
}

const POOL_COUNT: usize = Pool::ZegoUnknown as usize + 1;

struct Pools {
    lists: Vec<Vec<Coded>>,
}

impl Pools {
    fn new(catalog: &Catalog) -> Pools {
        let mut lists: Vec<Vec<Coded>> = vec![Vec::new(); POOL_COUNT];
        let mut add = |pool: Pool, coded: Coded| lists[pool as usize].push(coded);
        for entry in catalog.entries() {
            let group = entry.group.as_deref().unwrap_or("");
            let coded = Coded::of(entry);
            let is_unique_name = catalog.ids_by_name(entry.vendor, &entry.name).len() == 1;
            match entry.vendor {
                Vendor::BigBlueButton => {
                    let pool = match group {
                        "audio" => Some(Pool::BbbAudio),
                        "client" => Some(Pool::BbbClient),
                        "getdisplaymedia" => Some(Pool::BbbDisplay),
                        "sfu-client" => Some(Pool::BbbSfuClient),
                        "sfu-server" => Some(Pool::BbbSfuServer),
                        _ => None,
                    };
                    let is_number = is_digits(&entry.code) && entry.code.len() == 4;
                    if let (Some(pool), true) = (pool, is_number) {
                        add(pool, coded.clone());
                        if pool == Pool::BbbSfuServer && is_constant_name(&entry.name) {
                            let pool = if is_unique_name {
                                Pool::BbbSfuServerUniqueName
                            } else {
                                Pool::BbbSfuServerSharedName
                            };
                            add(pool, coded.clone());
                        }
                    }
                    for message in &entry.messages {
                        let code = &entry.code;
                        let text = message.replace("{0}", "USER_NOT_REGISTERED");
                        if text.contains(&format!("(error {code})"))
                            || text.contains(&format!("(ICE error {code})"))
                        {
                            add(Pool::BbbUiText, ui_text(entry, text));
                        } else if text.contains(&format!("(SDP error {code})")) {
                            add(Pool::BbbUiTextSdp, ui_text(entry, text));
                        }
                    }
                }
                Vendor::Jitsi => {
                    let code = entry.code.as_str();
                    let pool = if group == "auth-error-type" {
                        Some(Pool::JitsiAuth)
                    } else if code.starts_with("conference.") {
                        Some(Pool::JitsiConference)
                    } else if code.starts_with("connection.") {
                        Some(Pool::JitsiConnection)
                    } else if ["gum.", "gdm.", "track."]
                        .iter()
                        .any(|prefix| code.starts_with(prefix))
                    {
                        Some(Pool::JitsiTrack)
                    } else if code.starts_with("e2ee.olm.") || code.starts_with("e2ee.sas.") {
                        Some(Pool::JitsiE2ee)
                    } else {
                        None
                    };
                    if let Some(pool) = pool {
                        add(pool, coded);
                    }
                }
                Vendor::VideoSdk => {
                    if !(is_digits(&entry.code) && entry.code.len() == 4) {
                        continue;
                    }
                    // The constant name travels only on Flutter (research notes §3a); the
                    // 30xx numbers differ between Flutter and JavaScript (§3b).
                    let is_flutter_only = group == "flutter" && entry.code.as_str() < "3011";
                    if group == "flutter" || group == "meeting" {
                        add(Pool::VsdkFlutter, coded.clone());
                    }
                    if !is_flutter_only {
                        add(Pool::VsdkJs, coded.clone());
                    }
                    if group == "meeting" && coded.message.is_some() {
                        add(Pool::VsdkMeetingWithMessage, coded.clone());
                    }
                    if (group == "flutter" || group == "meeting")
                        && is_unique_name
                        && is_constant_name(&entry.name)
                    {
                        add(Pool::VsdkFlutterUniqueName, coded);
                    }
                }
                Vendor::ZegoCloud => {
                    // 0 is success, never an error.
                    if !is_digits(&entry.code) || entry.code.len() < 6 {
                        continue;
                    }
                    add(Pool::ZegoAll, coded.clone());
                    match group {
                        "room" => add(Pool::ZegoRoom, coded),
                        "publish" | "publisher" => add(Pool::ZegoPublish, coded),
                        _ => {}
                    }
                }
            }
        }
        let unknown: [(Pool, Vendor, &[&str]); 6] = [
            (
                Pool::BbbUnknown,
                Vendor::BigBlueButton,
                &["1999", "2999", "1199"],
            ),
            (
                Pool::BbbUnknownName,
                Vendor::BigBlueButton,
                &["SFU_MEDIA_SERVER_OVERLOADED", "MEDIA_SERVER_DRAINING"],
            ),
            (
                Pool::JitsiUnknownConference,
                Vendor::Jitsi,
                &[
                    "conference.visitorsQueueFull",
                    "conference.breakoutRoomsFailed",
                ],
            ),
            (
                Pool::JitsiUnknownConnection,
                Vendor::Jitsi,
                &["connection.tokenExpiredError"],
            ),
            (
                Pool::VsdkUnknown,
                Vendor::VideoSdk,
                &["4099", "4033", "5099"],
            ),
            (
                Pool::ZegoUnknown,
                Vendor::ZegoCloud,
                &["1009999", "1199999"],
            ),
        ];
        for (pool, vendor, codes) in unknown {
            for code in codes {
                if catalog.get(vendor, code).is_none()
                    && catalog.ids_by_name(vendor, code).is_empty()
                {
                    add(pool, Coded::bare(code));
                }
            }
        }
        Pools { lists }
    }

    fn list(&self, pool: Pool) -> &[Coded] {
        &self.lists[pool as usize]
    }
}

fn ui_text(entry: &Entry, text: String) -> Coded {
    Coded {
        code: entry.code.clone(),
        name: entry.name.clone(),
        message: Some(text),
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// `UPPER_SNAKE_CASE` with at least one underscore: how constant names are written.
fn is_constant_name(text: &str) -> bool {
    let mut parts = text.split('_');
    let first_is_word = parts.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_uppercase())
            && first
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    let rest: Vec<&str> = parts.collect();
    first_is_word
        && !rest.is_empty()
        && rest.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// A message that can be written inside a quoted JSON or JS string as is and starts like a
/// sentence.
fn is_plain_message(message: &str) -> bool {
    !message.is_empty()
        && !message.contains(['"', '\\', '{', '}', '\n'])
        && message.starts_with(|c: char| c.is_ascii_uppercase() || c == '\'')
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// One shape of error line per vendor logging call (research notes §1a, §2a, §3a, §4a).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorShape {
    /// html5 console `clientLogger: Audio error - errorCode=1007, cause=…`.
    BbbAudioConsole,
    /// Meteor journal JSON `{"logCode":"audio_failure","extraInfo":{"errorCode":1007,…},…}`.
    BbbAudioMeteor,
    /// nginx html5-client.log with an escaped batch of one or two client log entries.
    BbbNginxBatch,
    /// User-visible text `Connection failure (ICE error 1107)`, `(error 2001)`.
    BbbUiText,
    /// User-visible text `Client generated an invalid media request (SDP error 2202)`.
    BbbUiTextSdp,
    /// Screen-share toast `Code 1101. Try sharing the screen again.`.
    BbbScreenshareToast,
    /// `Screenshare failed: NAME (code=N)` (console) or the Meteor JSON record with errorCode,
    /// errorMessage and `"msg":"Screenshare failed: NAME"`, with the code's own constant name.
    BbbScreenshareFailedNamed,
    /// Console `Screenshare failed: NAME (code=N)` where several BBB codes share the name
    /// (`ICE_STATE_FAILED (code=2022)`, `MEDIA_SERVER_GENERIC_ERROR (code=2019)`).
    BbbScreenshareFailedSharedNameConsole,
    /// Meteor JSON `{"logCode":"screenshare_failed","extraInfo":{"errorCode":2022,
    /// "errorMessage":"ICE_STATE_FAILED"},"msg":"Screenshare failed: ICE_STATE_FAILED"}`: the
    /// code and its name, where several BBB codes share the name.
    BbbScreenshareFailedSharedNameJson,
    /// `Screenshare failed: NAME` (name only).
    BbbScreenshareFailedNameOnly,
    /// `Screenshare broker failure: NAME` (name only).
    BbbBrokerFailure,
    /// Meteor JSON of an SFU broker error: errorCode with errorMessage, or errorMessage alone.
    BbbBrokerJson,
    /// bbb-webrtc-sfu pino JSON with `errorMessage` and a numeric or string `errorCode`.
    BbbSfuPino,
    /// SFU error message to the client `"code":2211,"reason":"MEDIA_NOT_FLOWING"`.
    BbbSfuErrorMessage,
    /// bbb-webrtc-sfu `Stack trace for error 2003 | NAME ->`.
    BbbSfuStackTrace,
    /// BBB error context with a number or name the catalog lacks.
    BbbUnknown,
    /// jitsi-meet `CONFERENCE FAILED: conference.iceFailed` (with the auth type after
    /// `notAllowed` sometimes: two codes).
    JitsiConferenceFailed,
    /// jitsi-meet `CONNECTION FAILED: connection.droppedError`.
    JitsiConnectionFailed,
    /// Analytics JSON `"error_type":"connection.otherError"`, sometimes followed by the
    /// `CONNECTION FAILED:` line of the same failure.
    JitsiAnalytics,
    /// JitsiTrackError object `name: "gum.permission_denied"`.
    JitsiTrackError,
    /// E2EE `SAS verification failed: e2ee.sas.mac-mismatch`.
    JitsiE2ee,
    /// `CONFERENCE FAILED:` / `CONNECTION FAILED:` with a value the catalog lacks.
    JitsiUnknown,
    /// Flutter docs `VIDEOSDK ERROR :: 4002INVALID_TOKEN'token' is empty…` (glued).
    VsdkFlutterGlued,
    /// React example dialog `Error Code: 4009`.
    VsdkErrorCodeDialog,
    /// `onError {code: 4002, message: "…"}` (React) / `onError: {"code":…}` (Android).
    VsdkOnError,
    /// Flutter error map `{code: 4002, name: INVALID_TOKEN, message: …}` / JSON.
    VsdkCodeWithName,
    /// Flutter snackbar `INVALID_TOKEN :: 'token' is empty…` (name only).
    VsdkSnackbar,
    /// Android `Error is: <message>` (message only).
    VsdkAndroidMessage,
    /// VideoSDK context with a number the catalog lacks.
    VsdkUnknown,
    /// Flutter logcat `[onRoomStateChanged] … reason: LOGIN_FAILED, errorCode: 1002013`.
    ZegoFlutterRoomState,
    /// Flutter logcat `[onPublisherStateUpdate] … errorCode: N`.
    ZegoFlutterPublisher,
    /// Flutter logcat `[onApiCalledResult] errorCode: N, funcName: …`.
    ZegoFlutterApiResult,
    /// Web SDK console `zc.rlm.1 login room fail {"errorCode":1002031,…}`.
    ZegoWeb,
    /// UIKit PLogger `room  loginRoom  result errorCode:1002034, …  {dd/MM/yyyy …}  ERROR`.
    ZegoPLogger,
    /// UIKit dialog `(Error Code: 1000002)`.
    ZegoDialog,
    /// UIKit `join room result: 1002034`.
    ZegoJoinResult,
    /// React Native UIKit `ZEGOUIKit[ERROR]: … code: 1002001, message: …`.
    ZegoUikitError,
    /// ZEGO context with a number the catalog lacks.
    ZegoUnknown,
}

/// Error shapes and their weights. A weight of 0 disables a shape; each disabled shape says why.
const ERROR_SHAPES: [(ErrorShape, u32); 38] = [
    (ErrorShape::BbbAudioConsole, 6),
    (ErrorShape::BbbAudioMeteor, 4),
    (ErrorShape::BbbNginxBatch, 5),
    (ErrorShape::BbbUiText, 3),
    (ErrorShape::BbbUiTextSdp, 1),
    (ErrorShape::BbbScreenshareToast, 3),
    (ErrorShape::BbbScreenshareFailedNamed, 3),
    (ErrorShape::BbbScreenshareFailedSharedNameConsole, 1),
    (ErrorShape::BbbScreenshareFailedSharedNameJson, 1),
    (ErrorShape::BbbScreenshareFailedNameOnly, 2),
    (ErrorShape::BbbBrokerFailure, 3),
    (ErrorShape::BbbBrokerJson, 3),
    (ErrorShape::BbbSfuPino, 6),
    (ErrorShape::BbbSfuErrorMessage, 3),
    (ErrorShape::BbbSfuStackTrace, 2),
    (ErrorShape::BbbUnknown, 1),
    (ErrorShape::JitsiConferenceFailed, 8),
    (ErrorShape::JitsiConnectionFailed, 4),
    (ErrorShape::JitsiAnalytics, 4),
    (ErrorShape::JitsiTrackError, 5),
    (ErrorShape::JitsiE2ee, 2),
    (ErrorShape::JitsiUnknown, 1),
    (ErrorShape::VsdkFlutterGlued, 5),
    (ErrorShape::VsdkErrorCodeDialog, 3),
    (ErrorShape::VsdkOnError, 3),
    (ErrorShape::VsdkCodeWithName, 3),
    (ErrorShape::VsdkSnackbar, 3),
    (ErrorShape::VsdkAndroidMessage, 2),
    (ErrorShape::VsdkUnknown, 1),
    (ErrorShape::ZegoFlutterRoomState, 5),
    (ErrorShape::ZegoFlutterPublisher, 3),
    (ErrorShape::ZegoFlutterApiResult, 4),
    (ErrorShape::ZegoWeb, 5),
    (ErrorShape::ZegoPLogger, 3),
    (ErrorShape::ZegoDialog, 3),
    (ErrorShape::ZegoJoinResult, 3),
    (ErrorShape::ZegoUikitError, 3),
    (ErrorShape::ZegoUnknown, 1),
];

/// Noise: the INFO/DEBUG lines of each platform, with the decoys of research notes §5b/§5c.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoiseShape {
    JicofoInfo,
    JicofoWarning,
    JvbInfo,
    Prosody,
    JitsiClient,
    JitsiAnalyticsNoError,
    JitsiAndroid,
    NginxAccess,
    NginxError,
    NginxHtml5Log,
    BbbClientConsole,
    BbbMeteor,
    BbbBrokerNoise,
    BbbConfCheck,
    SfuPinoInfo,
    Kurento,
    FlutterVideoSdk,
    VideoSdkReact,
    ZegoFlutter,
    ZegoWeb,
    ZegoUikit,
    ZegoOtherCodes,
}

const NOISE_SHAPES: [(NoiseShape, u32); 22] = [
    (NoiseShape::JicofoInfo, 8),
    (NoiseShape::JicofoWarning, 2),
    (NoiseShape::JvbInfo, 8),
    (NoiseShape::Prosody, 6),
    (NoiseShape::JitsiClient, 10),
    (NoiseShape::JitsiAnalyticsNoError, 3),
    (NoiseShape::JitsiAndroid, 3),
    (NoiseShape::NginxAccess, 10),
    (NoiseShape::NginxError, 2),
    (NoiseShape::NginxHtml5Log, 4),
    (NoiseShape::BbbClientConsole, 8),
    (NoiseShape::BbbMeteor, 6),
    (NoiseShape::BbbBrokerNoise, 2),
    (NoiseShape::BbbConfCheck, 1),
    (NoiseShape::SfuPinoInfo, 8),
    (NoiseShape::Kurento, 5),
    (NoiseShape::FlutterVideoSdk, 4),
    (NoiseShape::VideoSdkReact, 3),
    (NoiseShape::ZegoFlutter, 6),
    (NoiseShape::ZegoWeb, 5),
    (NoiseShape::ZegoUikit, 4),
    (NoiseShape::ZegoOtherCodes, 2),
];

const ROOMS: [&str; 8] = [
    "dailystandup",
    "physics-101",
    "board-meeting",
    "room1",
    "team_sync",
    "support-desk",
    "webinar2024",
    "yoga",
];
const USERS: [&str; 8] = [
    "Ana", "Bruno", "Chen", "Dmitri", "Eve", "Fatima", "Gus", "Hana",
];
const IPS: [&str; 6] = [
    "203.0.113.7",
    "198.51.100.23",
    "192.0.2.14",
    "10.8.0.12",
    "172.16.5.90",
    "203.0.113.250",
];
const USER_AGENTS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
];

/// Hex digits of a random number, `width` long.
struct Hex(u64, usize);

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Hex(value, width) = *self;
        let width = width.min(16);
        let mask = if width == 16 {
            u64::MAX
        } else {
            (1u64 << (4 * width)) - 1
        };
        write!(f, "{:0width$x}", value & mask)
    }
}

/// The pid-like number a platform prints.
fn pid(rng: &mut Rng) -> u64 {
    rng.range(1000, 32_000)
}

struct Generator<'c, W> {
    out: W,
    rng: Rng,
    pools: Pools,
    catalog: &'c Catalog,
    clock: Clock,
    stamp: Stamp,
    buf: Vec<u8>,
    /// The (vendor, code) pairs written on the current line, each once.
    line_codes: Vec<(Vendor, String)>,
    truth: Truth,
}

impl<W: Write> Generator<'_, W> {
    fn t(&self, format: TimeFormat) -> Shown {
        self.stamp.show(format)
    }

    /// Records that the current line carries `code` of `vendor`.
    fn carries(&mut self, vendor: Vendor, code: &str) {
        if !self
            .line_codes
            .iter()
            .any(|(known_vendor, known)| *known_vendor == vendor && known == code)
        {
            self.line_codes.push((vendor, code.to_string()));
        }
    }

    /// Ends the current line: writes it and adds its codes to the truth.
    fn end_line(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)?;
        self.truth.lines += 1;
        self.truth.bytes += self.buf.len() as u64;
        self.buf.clear();
        for (vendor, code) in self.line_codes.drain(..) {
            let counts = if self.catalog.get(vendor, &code).is_some() {
                &mut self.truth.codes
            } else {
                &mut self.truth.unknown
            };
            *counts.entry((vendor, code)).or_insert(0) += 1;
        }
        Ok(())
    }

    fn draw(&mut self, pool: Pool) -> Option<Coded> {
        let list = self.pools.list(pool);
        if list.is_empty() {
            return None;
        }
        let index = self.rng.below(list.len());
        Some(list[index].clone())
    }

    /// One of several pools, in proportion to their sizes.
    fn draw_any(&mut self, pools: &[Pool]) -> Option<Coded> {
        let total: usize = pools.iter().map(|&pool| self.pools.list(pool).len()).sum();
        if total == 0 {
            return None;
        }
        let mut index = self.rng.below(total);
        for &pool in pools {
            let list = self.pools.list(pool);
            if index < list.len() {
                return Some(list[index].clone());
            }
            index -= list.len();
        }
        None
    }

    fn error_line(&mut self, shape: ErrorShape) -> io::Result<()> {
        let written = match shape {
            ErrorShape::BbbAudioConsole => self.bbb_audio_console()?,
            ErrorShape::BbbAudioMeteor => self.bbb_audio_meteor()?,
            ErrorShape::BbbNginxBatch => self.bbb_nginx_batch()?,
            ErrorShape::BbbUiText => self.bbb_ui_text(Pool::BbbUiText)?,
            ErrorShape::BbbUiTextSdp => self.bbb_ui_text(Pool::BbbUiTextSdp)?,
            ErrorShape::BbbScreenshareToast => self.bbb_screenshare_toast()?,
            ErrorShape::BbbScreenshareFailedNamed => self.bbb_screenshare_failed_named(
                &[
                    Pool::BbbClient,
                    Pool::BbbDisplay,
                    Pool::BbbSfuServerUniqueName,
                ],
                None,
            )?,
            ErrorShape::BbbScreenshareFailedSharedNameConsole => {
                self.bbb_screenshare_failed_named(&[Pool::BbbSfuServerSharedName], Some(false))?
            }
            ErrorShape::BbbScreenshareFailedSharedNameJson => {
                self.bbb_screenshare_failed_named(&[Pool::BbbSfuServerSharedName], Some(true))?
            }
            ErrorShape::BbbScreenshareFailedNameOnly => self.bbb_screenshare_failed_name_only()?,
            ErrorShape::BbbBrokerFailure => self.bbb_broker_failure()?,
            ErrorShape::BbbBrokerJson => self.bbb_broker_json()?,
            ErrorShape::BbbSfuPino => self.bbb_sfu_pino()?,
            ErrorShape::BbbSfuErrorMessage => self.bbb_sfu_error_message()?,
            ErrorShape::BbbSfuStackTrace => self.bbb_sfu_stack_trace()?,
            ErrorShape::BbbUnknown => self.bbb_unknown()?,
            ErrorShape::JitsiConferenceFailed => {
                self.jitsi_conference_failed(Pool::JitsiConference)?
            }
            ErrorShape::JitsiConnectionFailed => {
                self.jitsi_connection_failed(Pool::JitsiConnection)?
            }
            ErrorShape::JitsiAnalytics => self.jitsi_analytics()?,
            ErrorShape::JitsiTrackError => self.jitsi_track_error()?,
            ErrorShape::JitsiE2ee => self.jitsi_e2ee()?,
            ErrorShape::JitsiUnknown => {
                if self.rng.chance(50) {
                    self.jitsi_conference_failed(Pool::JitsiUnknownConference)?
                } else {
                    self.jitsi_connection_failed(Pool::JitsiUnknownConnection)?
                }
            }
            ErrorShape::VsdkFlutterGlued => self.vsdk_flutter_glued(Pool::VsdkFlutter)?,
            ErrorShape::VsdkErrorCodeDialog => self.vsdk_error_code_dialog(Pool::VsdkJs)?,
            ErrorShape::VsdkOnError => self.vsdk_on_error()?,
            ErrorShape::VsdkCodeWithName => self.vsdk_code_with_name()?,
            ErrorShape::VsdkSnackbar => self.vsdk_snackbar()?,
            ErrorShape::VsdkAndroidMessage => self.vsdk_android_message()?,
            ErrorShape::VsdkUnknown => {
                if self.rng.chance(50) {
                    self.vsdk_flutter_glued(Pool::VsdkUnknown)?
                } else {
                    self.vsdk_error_code_dialog(Pool::VsdkUnknown)?
                }
            }
            ErrorShape::ZegoFlutterRoomState => self.zego_flutter_room_state()?,
            ErrorShape::ZegoFlutterPublisher => self.zego_flutter_publisher()?,
            ErrorShape::ZegoFlutterApiResult => self.zego_flutter_api_result(Pool::ZegoAll)?,
            ErrorShape::ZegoWeb => self.zego_web()?,
            ErrorShape::ZegoPLogger => self.zego_plogger()?,
            ErrorShape::ZegoDialog => self.zego_dialog()?,
            ErrorShape::ZegoJoinResult => self.zego_join_result()?,
            ErrorShape::ZegoUikitError => self.zego_uikit_error()?,
            ErrorShape::ZegoUnknown => self.zego_flutter_api_result(Pool::ZegoUnknown)?,
        };
        if written {
            Ok(())
        } else {
            // The catalog has no code for this shape: keep the line count honest with noise.
            let shape = self.rng.weighted(&NOISE_SHAPES);
            self.noise_line(shape)
        }
    }

    // --- BigBlueButton -----------------------------------------------------------------------

    /// The sip.js bridgeError text of an audio code.
    fn audio_cause(code: &str) -> &'static str {
        match code {
            "1001" => "Websocket disconnected",
            "1002" => "Websocket failed to connect",
            "1004" => "ICE error",
            "1005" => "Audio Conference Error",
            "1006" => "Call timed out on start after 15s",
            "1007" => "ICE negotiation failed. Current state - failed",
            "1008" => "Timeout on call transfer",
            "1010" => "ICE negotiation timeout after 5s",
            "1012" => "ICE connection closed. Current state -closed",
            _ => "Unexpected failure",
        }
    }

    fn bbb_audio_console(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbAudio) else {
            return Ok(false);
        };
        self.bbb_audio_console_with(&coded.code)
    }

    fn bbb_audio_console_with(&mut self, code: &str) -> io::Result<bool> {
        let cause = Self::audio_cause(code);
        let time = self.t(TimeFormat::BbbClient);
        let prefix = self.rng.pick(&[
            "logger.js:29 ",
            "bundle.js?v=1114:2:158472 ",
            "Logger.js:155:26 ",
            "",
        ]);
        if self.rng.chance(40) {
            let session = self.rng.range(1, 9);
            write!(
                self.buf,
                "{prefix}{time} clientLogger: Audio error ({session}) - errorCode={code}, cause={cause}"
            )?;
        } else {
            write!(
                self.buf,
                "{prefix}{time} clientLogger: Audio error - errorCode={code}, cause={cause}"
            )?;
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn meteor_prefix(&mut self) -> io::Result<()> {
        let journal = self.t(TimeFormat::Journal);
        let meteor = self.t(TimeFormat::Meteor);
        write!(self.buf, "{journal} bbb systemd_start.sh[25313]: {meteor} ")
    }

    fn bbb_audio_meteor(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbAudio) else {
            return Ok(false);
        };
        let code = coded.code.as_str();
        let cause = Self::audio_cause(code);
        // sip.js passes 1004 and 1005 as strings (research notes §1a).
        let value = if code == "1004" || code == "1005" {
            format!("\"{code}\"")
        } else {
            code.to_string()
        };
        let user = self.rng.pick(&USERS);
        let meeting = Hex(self.rng.next_u64(), 16);
        let epoch = self.stamp.epoch_ms - 3_600_000;
        self.meteor_prefix()?;
        write!(
            self.buf,
            "error: {{\"logCode\":\"audio_failure\",\"extraInfo\":{{\"errorCode\":{value},\"cause\":\"{cause}\",\"bridge\":\"sip\"}},\"userInfo\":{{\"meetingId\":\"{meeting}-{epoch}\",\"fullname\":\"{user}\"}},\"msg\":\"Audio error - errorCode={code}, cause={cause}\"}}"
        )?;
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    /// One html5 client log entry as nginx writes it (`"` as `\x22`); returns its code.
    fn nginx_entry(&mut self) -> Option<(String, String)> {
        if self.rng.chance(55) {
            let coded = self.draw(Pool::BbbAudio)?;
            let code = coded.code;
            let cause = Self::audio_cause(&code);
            let entry = format!(
                "{{\\x22logCode\\x22:\\x22audio_failure\\x22,\\x22extraInfo\\x22:{{\\x22errorCode\\x22:{code},\\x22cause\\x22:\\x22{cause}\\x22,\\x22bridge\\x22:\\x22sip\\x22}},\\x22msg\\x22:\\x22Audio error - errorCode={code}, cause={cause}\\x22}}"
            );
            Some((code, entry))
        } else {
            // The screen-share bridge has already mapped the error to the client tier.
            let coded = self.draw_any(&[Pool::BbbClient, Pool::BbbDisplay])?;
            let code = coded.code;
            let name = coded.name;
            let entry = format!(
                "{{\\x22logCode\\x22:\\x22screenshare_failed\\x22,\\x22extraInfo\\x22:{{\\x22errorCode\\x22:{code},\\x22errorMessage\\x22:\\x22{name}\\x22}},\\x22msg\\x22:\\x22Screenshare failed: {name}\\x22}}"
            );
            Some((code, entry))
        }
    }

    fn bbb_nginx_batch(&mut self) -> io::Result<bool> {
        let Some((first_code, first)) = self.nginx_entry() else {
            return Ok(false);
        };
        let second = match self.rng.below(10) {
            // Two entries: usually two different codes (counts twice), sometimes the same.
            0..=3 => self.nginx_entry(),
            4 => Some((first_code.clone(), first.clone())),
            _ => None,
        };
        let ip = self.rng.pick(&IPS);
        let time = self.t(TimeFormat::IsoOffset);
        write!(self.buf, "{ip} [{time}] [{first}")?;
        self.carries(Vendor::BigBlueButton, &first_code);
        if let Some((code, entry)) = second {
            write!(self.buf, ",{entry}")?;
            self.carries(Vendor::BigBlueButton, &code);
        }
        self.buf.push(b']');
        self.end_line()?;
        Ok(true)
    }

    fn bbb_ui_text(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let text = coded.message.unwrap_or_default();
        let time = self.t(TimeFormat::BbbClient);
        let context = self.rng.pick(&[
            "clientLogger: notification shown:",
            "toast:",
            "clientLogger: Audio modal error message:",
        ]);
        write!(self.buf, "{time} {context} {text}")?;
        self.carries(Vendor::BigBlueButton, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_screenshare_toast(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[Pool::BbbClient, Pool::BbbDisplay, Pool::BbbSfuServer])
        else {
            return Ok(false);
        };
        let code = &coded.code;
        let text = if code == "1136" {
            "Permission to capture the screen needs to be granted."
        } else {
            self.rng.pick(&[
                "Could not share the screen.",
                "Try sharing the screen again.",
            ])
        };
        let time = self.t(TimeFormat::BbbClient);
        write!(self.buf, "{time} toast error: Code {code}. {text}")?;
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    /// A screenshare failure with its code and name, in the JSON form, the console form, or
    /// (`None`) either.
    fn bbb_screenshare_failed_named(
        &mut self,
        pools: &[Pool],
        is_json: Option<bool>,
    ) -> io::Result<bool> {
        let Some(coded) = self.draw_any(pools) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        let time = self.t(TimeFormat::BbbClient);
        let is_json = is_json.unwrap_or_else(|| self.rng.chance(50));
        if !is_json {
            write!(
                self.buf,
                "{time} clientLogger: Screenshare failed: {name} (code={code})"
            )?;
        } else {
            self.meteor_prefix()?;
            write!(
                self.buf,
                "error: {{\"logCode\":\"screenshare_failed\",\"extraInfo\":{{\"errorCode\":{code},\"errorMessage\":\"{name}\"}},\"msg\":\"Screenshare failed: {name}\"}}"
            )?;
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_screenshare_failed_name_only(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[
            Pool::BbbClient,
            Pool::BbbDisplay,
            Pool::BbbSfuServerUniqueName,
        ]) else {
            return Ok(false);
        };
        let time = self.t(TimeFormat::BbbClient);
        write!(
            self.buf,
            "{time} clientLogger: Screenshare failed: {}",
            coded.name
        )?;
        self.carries(Vendor::BigBlueButton, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_broker_failure(&mut self) -> io::Result<bool> {
        // The bridge logs client-tier names (13xx already mapped to 11xx) and server names.
        let Some(coded) = self.draw_any(&[Pool::BbbClient, Pool::BbbSfuServerUniqueName]) else {
            return Ok(false);
        };
        self.bbb_broker_failure_with(&coded.name, &coded.code)?;
        Ok(true)
    }

    fn bbb_broker_failure_with(&mut self, name: &str, code: &str) -> io::Result<()> {
        let time = self.t(TimeFormat::BbbClient);
        write!(
            self.buf,
            "{time} clientLogger: Screenshare broker failure: {name}"
        )?;
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()
    }

    fn bbb_broker_json(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbSfuClient) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        let component = self.rng.pick(&["screenshare", "video", "audio"]);
        let event = self.rng.pick(&[
            "processanswer_error",
            "processoffer_error",
            "restart_ice_error",
            "websocket_error",
        ]);
        self.meteor_prefix()?;
        if self.rng.chance(60) {
            write!(
                self.buf,
                "error: {{\"logCode\":\"{component}_broker_{event}\",\"extraInfo\":{{\"errorCode\":{code},\"errorCause\":\"{name}\",\"errorMessage\":\"{name}\",\"sfuComponent\":\"{component}\",\"started\":false}},\"msg\":\"SFU broker error\"}}"
            )?;
        } else {
            // assembleError's errorMessage alone: the name of a broker (sfu-client) error.
            let camera = Hex(self.rng.next_u64(), 8);
            write!(
                self.buf,
                "error: {{\"logCode\":\"video_provider_broker_error\",\"extraInfo\":{{\"errorMessage\":\"{name}\",\"cameraId\":\"w_{camera}\"}},\"msg\":\"Camera broker error\"}}"
            )?;
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn pino_prefix(&mut self, level: u32, module: &str) -> io::Result<()> {
        let time = self.t(TimeFormat::Iso);
        write!(
            self.buf,
            "{{\"level\":{level},\"time\":\"{time}\",\"pid\":1043,\"hostname\":\"bbb-sfu-01\",\"mod\":\"{module}\","
        )
    }

    fn bbb_sfu_pino(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbSfuServer) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        // lib/base/errors.js codes are strings, mcs-core constants numbers.
        let value = if self.rng.chance(50) {
            format!("\"{code}\"")
        } else {
            code.clone()
        };
        let module = self.rng.pick(&["audio", "video", "screenshare", "livekit"]);
        let room = Hex(self.rng.next_u64(), 16);
        let epoch = self.stamp.epoch_ms - 7_200_000;
        self.pino_prefix(50, module)?;
        match self.rng.below(3) {
            0 => write!(
                self.buf,
                "\"errorMessage\":\"{name}\",\"errorCode\":{value},\"sessionMetadata\":{{\"roomId\":\"{room}-{epoch}\",\"userId\":\"w_abc\"}},\"msg\":\"Audio session: media server offline\"}}"
            )?,
            1 => write!(
                self.buf,
                "\"errorCode\":{value},\"errorMessage\":\"{name}\",\"msg\":\"MCS connection ungracefully terminated: {name}\"}}"
            )?,
            _ => write!(
                self.buf,
                "\"roomId\":\"{room}-{epoch}\",\"errorMessage\":\"{name}\",\"errorCode\":{value},\"msg\":\"Screenshare session failed\"}}"
            )?,
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_sfu_error_message(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbSfuServer) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        let time = self.t(TimeFormat::BbbClient);
        if code == "2211" && self.rng.chance(70) {
            write!(
                self.buf,
                "{time} clientLogger: SFU audio message {{\"id\":\"webRTCAudioError\",\"error\":{{\"code\":2211,\"reason\":\"MEDIA_NOT_FLOWING\"}}}}"
            )?;
        } else {
            let stream = Hex(self.rng.next_u64(), 12);
            let value = if self.rng.chance(50) {
                format!("\"{code}\"")
            } else {
                code.clone()
            };
            write!(
                self.buf,
                "{time} clientLogger: SFU error {{\"type\":\"screenshare\",\"id\":\"error\",\"role\":\"send\",\"streamId\":\"w_{stream}\",\"code\":{value},\"reason\":\"{name}\"}}"
            )?;
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_sfu_stack_trace(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::BbbSfuServer) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        if self.rng.chance(50) {
            self.pino_prefix(50, "mcs-core")?;
            write!(
                self.buf,
                "\"errorStack\":\"Error: {name}\\n    at BaseProvider._handleError (/usr/local/bigbluebutton/bbb-webrtc-sfu/lib/base/base-provider.js:38:13)\",\"msg\":\"Stack trace for error {code} | {name} ->\"}}"
            )?;
        } else {
            let time = self.t(TimeFormat::Iso);
            write!(
                self.buf,
                "{time} - error: [mcs-media] mediasoup: Stack trace for error {code} | {name} -> {{\"errorStack\":\"Error: {name}\"}}"
            )?;
        }
        self.carries(Vendor::BigBlueButton, code);
        self.end_line()?;
        Ok(true)
    }

    fn bbb_unknown(&mut self) -> io::Result<bool> {
        if self.rng.chance(70) {
            let Some(coded) = self.draw(Pool::BbbUnknown) else {
                return Ok(false);
            };
            self.bbb_audio_console_with(&coded.code)
        } else {
            let Some(coded) = self.draw(Pool::BbbUnknownName) else {
                return Ok(false);
            };
            // An unknown name is reported under its own text.
            self.bbb_broker_failure_with(&coded.code, &coded.code)?;
            Ok(true)
        }
    }

    // --- Jitsi -------------------------------------------------------------------------------

    fn jitsi_conference_failed(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let code = &coded.code;
        // NOT_ALLOWED_ERROR carries the AUTH_ERROR_TYPES value as its first param (seed 002).
        let auth = if code == "conference.connectionError.notAllowed" && self.rng.chance(70) {
            self.draw(Pool::JitsiAuth)
        } else {
            None
        };
        let time = self.t(TimeFormat::Iso);
        let logcat = self.t(TimeFormat::Logcat);
        let style = self.rng.below(4);
        match style {
            0 => write!(
                self.buf,
                "{time} [conference.js] <_onConferenceFailed>:  CONFERENCE FAILED: {code}"
            )?,
            1 => write!(
                self.buf,
                "Logger.js:155 {time} [conference.js] <_onConferenceFailed>:  CONFERENCE FAILED: {code}"
            )?,
            2 => write!(
                self.buf,
                "[conference.js] <e.value>:  CONFERENCE FAILED: {code}"
            )?,
            _ => write!(
                self.buf,
                "{logcat}  2893-3068/fr.test.jitsi E/ReactNativeJS: 'CONFERENCE FAILED:', '{code}'"
            )?,
        }
        self.carries(Vendor::Jitsi, code);
        if let Some(auth) = auth {
            if style == 3 {
                write!(self.buf, ", '{}'", auth.code)?;
            } else {
                write!(self.buf, " {}", auth.code)?;
            }
            self.carries(Vendor::Jitsi, &auth.code);
        } else if code == "conference.iceFailed" || code == "conference.setup_failed" {
            self.buf.extend_from_slice(b" Error: ICE fail");
        }
        self.end_line()?;
        Ok(true)
    }

    fn jitsi_connection_failed(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        self.jitsi_connection_failed_with(&coded.code)?;
        Ok(true)
    }

    fn jitsi_connection_failed_with(&mut self, code: &str) -> io::Result<()> {
        let time = self.t(TimeFormat::Iso);
        let logcat = self.t(TimeFormat::Logcat);
        match self.rng.below(3) {
            0 => write!(
                self.buf,
                "{time} [connection.js] <Object.handleConnectionFailed>:  CONNECTION FAILED: {code}"
            )?,
            1 => write!(
                self.buf,
                "Logger.js:155 {time} [connection.js] <y>:  CONNECTION FAILED: {code}"
            )?,
            _ => write!(
                self.buf,
                "{logcat}  2893-3068/fr.test.jitsi E/ReactNativeJS: 'CONNECTION FAILED:', '{code}'"
            )?,
        }
        if code == "connection.otherError" {
            self.buf.extend_from_slice(b" connection-dropped-error");
        }
        self.carries(Vendor::Jitsi, code);
        self.end_line()
    }

    fn jitsi_analytics(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[
            Pool::JitsiConnection,
            Pool::JitsiConference,
            Pool::JitsiTrack,
        ]) else {
            return Ok(false);
        };
        let code = &coded.code;
        let action = if code.starts_with("connection.") {
            "connection.failed"
        } else if code.starts_with("conference.") {
            "conference.failed"
        } else {
            "getUserMedia.failed"
        };
        let time = self.t(TimeFormat::Iso);
        let since = self.rng.range(100, 9999);
        write!(
            self.buf,
            "{time} [modules/statistics/statistics.js] <cn.sendAnalyticsAndLog>:  {{\"type\":\"operational\",\"action\":\"{action}\",\"attributes\":{{\"error_type\":\"{code}\",\"error_message\":\"connection-dropped-error\",\"suspend_time\":0,\"time_since_last_success\":{since}}}}}"
        )?;
        self.carries(Vendor::Jitsi, code);
        self.end_line()?;
        // One connection failure shows up twice: analytics, then connection.js.
        if action == "connection.failed" && self.rng.chance(50) {
            self.stamp = self.clock.tick(&mut self.rng);
            self.jitsi_connection_failed_with(code)?;
        }
        Ok(true)
    }

    fn jitsi_track_error(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::JitsiTrack) else {
            return Ok(false);
        };
        let code = &coded.code;
        let time = self.t(TimeFormat::Iso);
        match self.rng.below(3) {
            0 => write!(
                self.buf,
                "Logger.js:155 {time} [modules/RTC/RTCUtils.js] <Object.obtainAudioAndVideoPermissions>:  Failed to create local tracks [\"video\"] s {{gum: {{…}}, name: \"{code}\", message: \"User denied permission to use device(s): \"}}"
            )?,
            1 => write!(
                self.buf,
                "{time} [modules/RTC/RTCUtils.js] <getUserMedia>:  {{\"gum\":{{\"error\":{{}},\"constraints\":{{}}}},\"name\":\"{code}\",\"message\":\"Requested device(s) was/were not found: video\"}}"
            )?,
            _ => write!(
                self.buf,
                "{time} [react/features/base/tracks/actions.any.ts] <createLocalTracksF>:  JitsiTrackError {{name: '{code}', message: 'Track has no MediaStream'}}"
            )?,
        }
        self.carries(Vendor::Jitsi, code);
        self.end_line()?;
        Ok(true)
    }

    fn jitsi_e2ee(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::JitsiE2ee) else {
            return Ok(false);
        };
        let code = &coded.code;
        let time = self.t(TimeFormat::Iso);
        if code.starts_with("e2ee.sas.") {
            write!(
                self.buf,
                "{time} [modules/e2ee/ManagedKeyHandler.js] <_onParticipantSasReady>:  SAS verification failed: {code}"
            )?;
        } else {
            write!(
                self.buf,
                "{time} [modules/e2ee/OlmAdapter.js] <_onParticipantE2EEMessage>:  Error: {code}"
            )?;
        }
        self.carries(Vendor::Jitsi, code);
        self.end_line()?;
        Ok(true)
    }

    // --- VideoSDK ----------------------------------------------------------------------------

    fn vsdk_flutter_glued(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let code = &coded.code;
        let (name, message) = if coded.name.is_empty() {
            ("SOME_NEW_ERROR", "A new error.")
        } else {
            (
                coded.name.as_str(),
                coded.message.as_deref().unwrap_or("null"),
            )
        };
        write!(
            self.buf,
            "I/flutter (12873): VIDEOSDK ERROR :: {code}{name}{message}"
        )?;
        self.carries(Vendor::VideoSdk, code);
        self.end_line()?;
        Ok(true)
    }

    fn vsdk_error_code_dialog(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let code = &coded.code;
        let number: u32 = code.parse().unwrap_or(0);
        // The React example collapses 4001-4010 to one message.
        let subtitle = if (4001..=4010).contains(&number) {
            "Unable to join meeting!"
        } else {
            coded.message.as_deref().unwrap_or("Something went wrong.")
        };
        if self.rng.chance(50) {
            write!(
                self.buf,
                "MeetingContainer.js:212 Error Code: {code} {subtitle}"
            )?;
        } else {
            write!(
                self.buf,
                "[MeetingContainer] show dialog title=\"Error Code: {code}\" subtitle=\"{subtitle}\""
            )?;
        }
        self.carries(Vendor::VideoSdk, code);
        self.end_line()?;
        Ok(true)
    }

    fn vsdk_on_error(&mut self) -> io::Result<bool> {
        // React/JS, or Android (whose data file has only meeting codes).
        let is_android = self.rng.chance(40);
        let pool = if is_android {
            Pool::VsdkMeetingWithMessage
        } else {
            Pool::VsdkJs
        };
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let code = &coded.code;
        let pid = pid(&mut self.rng);
        match (&coded.message, is_android) {
            (Some(message), false) => write!(
                self.buf,
                "MeetingContainer.js:198 onError {{code: {code}, message: \"{message}\"}}"
            )?,
            (Some(message), true) => write!(
                self.buf,
                "D/GroupCallActivity({pid}): onError: {{\"code\":{code},\"message\":\"{message}\"}}"
            )?,
            (None, _) => write!(self.buf, "MeetingContainer.js:198 onError {{code: {code}}}")?,
        }
        self.carries(Vendor::VideoSdk, code);
        self.end_line()?;
        Ok(true)
    }

    fn vsdk_code_with_name(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::VsdkFlutter) else {
            return Ok(false);
        };
        let code = &coded.code;
        let name = &coded.name;
        let message = coded.message.as_deref().unwrap_or("null");
        if self.rng.chance(50) {
            write!(
                self.buf,
                "I/flutter (12873): meeting error: {{code: {code}, name: {name}, message: {message}}}"
            )?;
        } else {
            write!(
                self.buf,
                "I/flutter (12873): meeting error json: {{\"code\":{code},\"name\":\"{name}\",\"message\":\"{message}\"}}"
            )?;
        }
        self.carries(Vendor::VideoSdk, code);
        self.end_line()?;
        Ok(true)
    }

    fn vsdk_snackbar(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::VsdkFlutterUniqueName) else {
            return Ok(false);
        };
        let message = coded.message.as_deref().unwrap_or("Something went wrong.");
        write!(self.buf, "I/flutter (12873): {} :: {message}", coded.name)?;
        self.carries(Vendor::VideoSdk, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn vsdk_android_message(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::VsdkMeetingWithMessage) else {
            return Ok(false);
        };
        let message = coded.message.as_deref().unwrap_or_default();
        let pid = pid(&mut self.rng);
        write!(self.buf, "D/#error  ({pid}): Error is: {message}")?;
        self.carries(Vendor::VideoSdk, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    // --- ZEGOCLOUD ---------------------------------------------------------------------------

    fn zego_flutter_room_state(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[Pool::ZegoRoom, Pool::ZegoAll]) else {
            return Ok(false);
        };
        let room = self.rng.pick(&ROOMS);
        let reason = self.rng.pick(&[
            "LOGIN_FAILED",
            "RECONNECT_FAILED",
            "KICK_OUT",
            "LOGOUT_FAILED",
        ]);
        write!(
            self.buf,
            "D/ZEGO    (20540): [Flutter] [onRoomStateChanged] roomID: {room}, reason: {reason}, errorCode: {}, extendedData: {{}}",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_flutter_publisher(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[Pool::ZegoPublish, Pool::ZegoAll]) else {
            return Ok(false);
        };
        let user = self.rng.pick(&USERS);
        let epoch = self.stamp.epoch_ms;
        write!(
            self.buf,
            "D/ZEGO    (20540): [Flutter] [onPublisherStateUpdate] streamID: call_{user}_{epoch}, state: NO_PUBLISH, errorCode: {}, extendedData: {{}}",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_flutter_api_result(&mut self, pool: Pool) -> io::Result<bool> {
        let Some(coded) = self.draw(pool) else {
            return Ok(false);
        };
        let function = self.rng.pick(&[
            "loginRoom",
            "startPublishingStream",
            "startPlayingStream",
            "enableCamera",
            "setAudioConfig",
        ]);
        let info = coded.message.as_deref().unwrap_or("Execution failed.");
        write!(
            self.buf,
            "D/ZEGO    (20540): [Flutter] [onApiCalledResult] errorCode: {}, funcName: {function}, info: {info}",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_web(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::ZegoAll) else {
            return Ok(false);
        };
        let code = &coded.code;
        let time = self.t(TimeFormat::ZegoWeb);
        let room = self.rng.pick(&ROOMS);
        match self.rng.below(3) {
            0 => write!(
                self.buf,
                "{time} zc.rlm.1 login room fail {{\"errorCode\":{code},\"extendedData\":\"{{\\\"msg\\\":\\\"login timeout\\\"}}\"}}"
            )?,
            1 => write!(
                self.buf,
                "{time} roomStateChanged {room} DISCONNECTED errorCode: {code} extendedData: {{}}"
            )?,
            _ => write!(
                self.buf,
                "{time} zc.p.sps.1 cannot start publish {{errorCode: {code}, extendedData: 'publish fail'}}"
            )?,
        }
        self.carries(Vendor::ZegoCloud, code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_plogger(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::ZegoAll) else {
            return Ok(false);
        };
        let time = self.t(TimeFormat::PLogger);
        write!(
            self.buf,
            "room  loginRoom  result errorCode:{}, extendedData:{{}}  {time}  ERROR",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_dialog(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::ZegoAll) else {
            return Ok(false);
        };
        write!(
            self.buf,
            "I/flutter (20540): showError: Please refer to https://docs.zegocloud.com/article/5547 for details. (Error Code: {})",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_join_result(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw_any(&[Pool::ZegoRoom, Pool::ZegoAll]) else {
            return Ok(false);
        };
        if self.rng.chance(50) {
            write!(
                self.buf,
                "I/flutter (20540): [ZegoUIKit] join room result: {}",
                coded.code
            )?;
        } else {
            write!(
                self.buf,
                "ZEGOUIKit[INFO]: join room result: {}",
                coded.code
            )?;
        }
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    fn zego_uikit_error(&mut self) -> io::Result<bool> {
        let Some(coded) = self.draw(Pool::ZegoAll) else {
            return Ok(false);
        };
        let message = coded.message.as_deref().unwrap_or("operation failed");
        write!(
            self.buf,
            "ZEGOUIKit[ERROR]: loginRoom failed, code: {}, message: {message}",
            coded.code
        )?;
        self.carries(Vendor::ZegoCloud, &coded.code);
        self.end_line()?;
        Ok(true)
    }

    // --- Noise -------------------------------------------------------------------------------

    fn noise_line(&mut self, shape: NoiseShape) -> io::Result<()> {
        let room = self.rng.pick(&ROOMS);
        let user = self.rng.pick(&USERS);
        let ip = self.rng.pick(&IPS);
        let id = Hex(self.rng.next_u64(), 8);
        let epoch = self.stamp.epoch_ms;
        let variant = self.rng.below(6);
        match shape {
            NoiseShape::JicofoInfo => {
                let time = self.t(TimeFormat::Jicofo);
                let thread = self.rng.range(20, 200);
                match variant {
                    0..=2 => write!(
                        self.buf,
                        "Jicofo {time} INFO: [{thread}] [room={room}@conference.meet.example.com meeting_id={id}-4b1e] ColibriV2SessionManager.allocate#396: Allocating 1 endpoints on jvb-{}",
                        variant + 1
                    )?,
                    3 => write!(
                        self.buf,
                        "Jicofo {time} INFO: [{thread}] [room={room}@conference.meet.example.com] JitsiMeetConferenceImpl.onMemberJoined#626: Member joined:{id}"
                    )?,
                    _ => write!(
                        self.buf,
                        "Jicofo {time} INFO: [{thread}] ParticipantInviteRunnable.removeParticipant#126: Removed participant {id}, rescheduleSingleParticipantTimeout#2028"
                    )?,
                }
            }
            NoiseShape::JicofoWarning => {
                let time = self.t(TimeFormat::Jicofo);
                write!(
                    self.buf,
                    "Jicofo {time} WARNING: [124] [room={room}@conference.meet.example.com] BridgeSelectionStrategy.select#110: No bridge available in region null, retry after 2000"
                )?;
            }
            NoiseShape::JvbInfo => {
                let time = self.t(TimeFormat::Jicofo);
                let port = self.rng.range(10000, 20000);
                match variant {
                    0..=2 => write!(
                        self.buf,
                        "JVB {time} INFO: [45] [confId={id} conf_name={room}@conference.meet.example.com epId={id}] Endpoint.<init>#320: Created new endpoint isUsingSourceNames=true"
                    )?,
                    3 => write!(
                        self.buf,
                        "JVB {time} INFO: [73] Videobridge.<init>#184: Using UDP port {port}, TCP 4443 (10000-20000 udp and 4443 TCP)"
                    )?,
                    _ => write!(
                        self.buf,
                        "JVB {time} INFO: [1043] HealthChecker.run#170: Performed a successful health check in PT0.000{variant}S. Sticky failure: false"
                    )?,
                }
            }
            NoiseShape::Prosody => match variant {
                0 | 1 => write!(
                    self.buf,
                    "c2s55d2c5c0e5f0                                             info    Client connected"
                )?,
                2 => write!(
                    self.buf,
                    "mod_bosh                                                    info    New BOSH session, assigned sid '{id}-{epoch}'"
                )?,
                3 => write!(
                    self.buf,
                    "conference.meet.example.com:muc_domain_mapper               debug   Rewrote to {room}@conference.meet.example.com"
                )?,
                _ => write!(
                    self.buf,
                    "bosh{id}                                                    info    BOSH client disconnected: session close"
                )?,
            },
            NoiseShape::JitsiClient => {
                let time = self.t(TimeFormat::Iso);
                let timing = self.rng.range(500, 3000);
                match variant {
                    0 => write!(
                        self.buf,
                        "Logger.js:155 {time} [modules/xmpp/xmpp.js] <Ue._connectionHandler>:  (TIME) Strophe connected:\t {timing}"
                    )?,
                    1 => write!(
                        self.buf,
                        "{time} [modules/xmpp/strophe.ping.js] <ping._startInterval>:  XMPP pings will be sent every 10000 ms"
                    )?,
                    2 => write!(
                        self.buf,
                        "Logger.js:155:26 {time} [conference.js] <_onConferenceFailed>:  conference.failed event for {room}@conference.meet.example.com, retry after 2000"
                    )?,
                    3 => write!(
                        self.buf,
                        "lib-jitsi-meet.min.js?v=4074:1:91969 {time} [modules/RTC/RTCUtils.js] <Object.init>:  RtcMuteTimeout set to: 2000, JitsiConnectionEvents connection.connectionFailed listener added"
                    )?,
                    4 => write!(
                        self.buf,
                        "{time} [JitsiConference.js] <JitsiConference._onIceConnectionFailed>:  ICE disconnected P2P? false:\t {epoch} JingleSessionPC.js:877"
                    )?,
                    _ => write!(
                        self.buf,
                        "{time} [modules/RTC/JitsiLocalTrack.js] <JitsiLocalTrack._fireNoDataFromSourceEvent>:  NO_DATA_FROM_SOURCE event with value false detected for track: LocalTrack[1,video] TraceablePeerConnection.js:746"
                    )?,
                }
            }
            NoiseShape::JitsiAnalyticsNoError => {
                let time = self.t(TimeFormat::Iso);
                let since = self.rng.range(100, 9999);
                write!(
                    self.buf,
                    "{time} [modules/statistics/statistics.js] <cn.sendAnalyticsAndLog>:  {{\"type\":\"operational\",\"action\":\"connection.failed\",\"attributes\":{{\"suspend_time\":0,\"time_since_last_success\":{since}}}}}"
                )?;
            }
            NoiseShape::JitsiAndroid => {
                let time = self.t(TimeFormat::Logcat);
                write!(
                    self.buf,
                    "{time}  8296-8881/net.jitsi.sdktest I/JitsiMeetSDK: [modules/xmpp/ChatRoom.js] <onPresence>:  entered {room}@conference.meet.example.com [conference.js] ok"
                )?;
            }
            NoiseShape::NginxAccess => {
                let time = self.t(TimeFormat::Nginx);
                let status = self.rng.pick(&[200, 200, 200, 304, 404, 502]);
                let size = self
                    .rng
                    .pick(&[1007, 1764, 2001, 4009, 1002031, 512, 48213]);
                let agent = self.rng.pick(&USER_AGENTS);
                match variant {
                    0 | 1 => write!(
                        self.buf,
                        "{ip} - - [{time}] \"POST /http-bind?room={room} HTTP/1.1\" {status} {size} \"https://meet.example.com/{room}\" \"{agent}\""
                    )?,
                    2 | 3 => write!(
                        self.buf,
                        "{ip} - - [{time}] \"GET /html5client/sip.js?v=1114 HTTP/1.1\" {status} {size} \"-\" \"{agent}\""
                    )?,
                    _ => write!(
                        self.buf,
                        "{ip} - - [{time}] \"GET /libs/lib-jitsi-meet.min.js?v=6447 HTTP/2.0\" {status} {size} \"-\" \"{agent}\""
                    )?,
                }
            }
            NoiseShape::NginxError => {
                let time = self.t(TimeFormat::NginxError);
                write!(
                    self.buf,
                    "{time} [error] 1043#1043: *51 connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, server: bbb.example.com, request: \"GET /pad/ HTTP/1.1\", upstream: \"http://127.0.0.1:9001/\" (error 404)"
                )?;
            }
            NoiseShape::NginxHtml5Log => {
                let time = self.t(TimeFormat::IsoOffset);
                write!(
                    self.buf,
                    "{ip} [{time}] [{{\\x22logCode\\x22:\\x22joinaudio_success\\x22,\\x22extraInfo\\x22:{{\\x22meetingId\\x22:\\x22{id}-{epoch}\\x22,\\x22listenOnly\\x22:false}},\\x22msg\\x22:\\x22Audio Joined\\x22}}]"
                )?;
            }
            NoiseShape::BbbClientConsole => {
                let time = self.t(TimeFormat::BbbClient);
                let close = self.rng.pick(&[1000, 1006, 1001]);
                match variant {
                    0 | 1 => write!(
                        self.buf,
                        "{time} clientLogger: WebSocket closed wss://bbb.example.com/ws?sessionToken={id} (code: {close})"
                    )?,
                    2 => write!(
                        self.buf,
                        "sip.js?v=1114:9602 {time} clientLogger: SIP transport connected, reconnect in 1007 ms"
                    )?,
                    3 => write!(
                        self.buf,
                        "file.js:1007 {time} clientLogger: Joined audio, isListenOnly=false, inputDeviceId=default"
                    )?,
                    4 => write!(
                        self.buf,
                        "{time} clientLogger: WebSocket event {{\"code\":{close},\"reason\":\"\",\"wasClean\":false}}"
                    )?,
                    _ => write!(
                        self.buf,
                        "Logger.js:155:26 {time} clientLogger: Screenshare started, please share the screen again if it freezes (ref 1101)"
                    )?,
                }
            }
            NoiseShape::BbbMeteor => {
                self.meteor_prefix()?;
                write!(
                    self.buf,
                    "info: {{\"logCode\":\"user_join\",\"extraInfo\":{{\"meetingId\":\"{id}-{epoch}\",\"userId\":\"w_{id}\"}},\"userInfo\":{{\"fullname\":\"{user}\"}},\"msg\":\"User joined\"}}"
                )?;
            }
            NoiseShape::BbbBrokerNoise => {
                self.meteor_prefix()?;
                if variant < 3 {
                    write!(
                        self.buf,
                        "warn: {{\"logCode\":\"screenshare_broker_addicecandidate_error\",\"extraInfo\":{{\"errorMessage\":\"OperationError\",\"errorCode\":701,\"sfuComponent\":\"screenshare\"}},\"msg\":\"addIceCandidate failed\"}}"
                    )?;
                } else {
                    write!(
                        self.buf,
                        "warn: {{\"logCode\":\"screenshare_broker_addicecandidate_error\",\"extraInfo\":{{\"errorMessage\":\"OperationError\",\"errorCode\":\"Unknown code\"}},\"msg\":\"addIceCandidate failed\"}}"
                    )?;
                }
            }
            NoiseShape::BbbConfCheck => match variant {
                0 | 1 => write!(self.buf, "BigBlueButton Server 2.2.4 (1846)")?,
                2 => write!(
                    self.buf,
                    "                    Kurento: 8888/8889/8890, UDP 16384-32768, TCP 1935"
                )?,
                _ => write!(self.buf, "tcp6 0 0 :::8888 :::* LISTEN 25352/kurento-media")?,
            },
            NoiseShape::SfuPinoInfo => {
                let module = self
                    .rng
                    .pick(&["video", "audio", "screenshare", "mcs-core"]);
                self.pino_prefix(30, module)?;
                write!(
                    self.buf,
                    "\"roomId\":\"{id}-{epoch}\",\"userId\":\"w_{id}\",\"msg\":\"Session started, retry after 2000\"}}"
                )?;
            }
            NoiseShape::Kurento => {
                let time = self.t(TimeFormat::Kurento);
                let rpc = self.rng.range(1000, 20000);
                match variant {
                    0..=2 => write!(
                        self.buf,
                        "{time} 8924 0x00007f47d9691700 debug KurentoWebSocketTransport WebSocketTransport.cpp:534 processMessage() Message: {{\"id\":{rpc},\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":{{\"interval\":240000}}}}"
                    )?,
                    _ => write!(
                        self.buf,
                        "{time} 8924 0x00007f47d9691700 debug KurentoWebSocketTransport WebSocketTransport.cpp:534 processMessage() Response: {{\"jsonrpc\":\"2.0\",\"id\":{rpc},\"error\":{{\"code\":40007,\"message\":\"Invalid session\",\"data\":{{\"type\":\"INVALID_SESSION\"}}}}}}"
                    )?,
                }
            }
            NoiseShape::FlutterVideoSdk => match variant {
                0 | 1 => write!(
                    self.buf,
                    "I/flutter (12873): Meeting joined: abcd-efgh-{id}"
                )?,
                2 => write!(
                    self.buf,
                    "I/flutter (12873): participant {user} joined, stream: video"
                )?,
                _ => write!(self.buf, "I/flutter (12873): Meeting left due to null !!")?,
            },
            NoiseShape::VideoSdkReact => match variant {
                0 | 1 => write!(
                    self.buf,
                    "MeetingContainer.js:120 onMeetingJoined {{\"meetingId\":\"abcd-efgh-{id}\"}}"
                )?,
                _ => write!(
                    self.buf,
                    "POST https://api.videosdk.live/v2/rooms 401 {{\"statusCode\":401,\"message\":\"Unauthorized\"}}"
                )?,
            },
            NoiseShape::ZegoFlutter => match variant {
                0..=2 => write!(
                    self.buf,
                    "D/ZEGO    (20540): [Flutter] [onApiCalledResult] errorCode: 0, funcName: loginRoom, info: Execution successful."
                )?,
                _ => write!(
                    self.buf,
                    "D/ZEGO    (20540): [Flutter] [onRoomStateChanged] roomID: {room}, reason: LOGINED, errorCode: 0, extendedData: {{}}"
                )?,
            },
            NoiseShape::ZegoWeb => {
                let time = self.t(TimeFormat::ZegoWeb);
                match variant {
                    0..=2 => write!(
                        self.buf,
                        "{time} zc.p.sps.0 start publish call_{user}_{epoch}"
                    )?,
                    3 => write!(
                        self.buf,
                        "{time} zc.rlm.0 login room success {{\"errorCode\":0,\"extendedData\":\"\"}}"
                    )?,
                    _ => write!(
                        self.buf,
                        "{time} zc.b.sc.0 bundle constants 1048575 1048576 1114112"
                    )?,
                }
            }
            NoiseShape::ZegoUikit => {
                let time = self.t(TimeFormat::PLogger);
                match variant {
                    0..=2 => write!(
                        self.buf,
                        "room  loginRoom  result errorCode:0, extendedData:{{}}  {time}  INFO"
                    )?,
                    3 => write!(
                        self.buf,
                        "I/flutter (20540): [ZegoUIKit] join room result: 0"
                    )?,
                    _ => write!(
                        self.buf,
                        "I/flutter (20540): invitation id: 1610930034591485036, inviter {user}"
                    )?,
                }
            }
            NoiseShape::ZegoOtherCodes => match variant {
                0 | 1 => write!(
                    self.buf,
                    "SignalingPlugin[ERROR]: invite failed, errorCode: 6000353, message: failed with code: 103040"
                )?,
                2 => write!(self.buf, "login room failed, errorCode: 50001006")?,
                _ => write!(
                    self.buf,
                    "REST reply {{\"errorCode\":100000003,\"message\":\"signature error\"}}"
                )?,
            },
        }
        self.end_line()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let catalog = Catalog::builtin();
        let mut first = Vec::new();
        let mut second = Vec::new();
        let truth = generate(&mut first, 50_000, 3, &catalog).unwrap();
        assert_eq!(truth, generate(&mut second, 50_000, 3, &catalog).unwrap());
        assert_eq!(first, second);
        let mut other = Vec::new();
        generate(&mut other, 50_000, 4, &catalog).unwrap();
        assert_ne!(first, other);
    }

    #[test]
    fn truth_counts_lines_and_bytes() {
        let mut log = Vec::new();
        let truth = generate(&mut log, 2_000_000, 12, &Catalog::builtin()).unwrap();
        assert_eq!(truth.bytes, log.len() as u64);
        assert!(truth.bytes >= 2_000_000);
        assert_eq!(
            truth.lines,
            log.iter().filter(|&&b| b == b'\n').count() as u64
        );
        assert_eq!(log.last(), Some(&b'\n'));
        assert!(truth.matches() > 0);
        assert!(!truth.unknown.is_empty());
    }

    #[test]
    fn unknown_codes_are_absent_from_the_catalog() {
        let catalog = Catalog::builtin();
        let mut log = Vec::new();
        let truth = generate(&mut log, 400_000, 5, &catalog).unwrap();
        for (vendor, code) in truth.unknown.keys() {
            assert!(catalog.get(*vendor, code).is_none(), "{vendor}:{code}");
        }
        for (vendor, code) in truth.codes.keys() {
            assert!(catalog.get(*vendor, code).is_some(), "{vendor}:{code}");
        }
    }

    #[test]
    fn the_share_of_error_lines_is_the_one_asked_for() {
        let shares: Vec<f64> = [0, 2, 20, 1000]
            .iter()
            .map(|&per_thousand| {
                let mut log = Vec::new();
                let truth = generate_with_error_lines(
                    &mut log,
                    400_000,
                    3,
                    &Catalog::builtin(),
                    per_thousand,
                )
                .unwrap();
                truth.matches() as f64 / truth.lines as f64
            })
            .collect();
        assert_eq!(shares[0], 0.0);
        // A line can carry two codes, and a few error templates fall back to noise.
        assert!(shares[1] > 0.0005 && shares[1] < 0.005, "{shares:?}");
        assert!(shares[2] > 0.01 && shares[2] < 0.04, "{shares:?}");
        assert!(shares[3] > 0.8, "{shares:?}");
    }

    #[test]
    fn an_empty_catalog_gives_noise_only() {
        let mut log = Vec::new();
        let truth = generate(&mut log, 20_000, 1, &Catalog::default()).unwrap();
        assert_eq!(truth.matches(), 0);
        assert!(truth.bytes >= 20_000);
    }

    #[test]
    fn stamps_are_civil_dates() {
        let stamp = Stamp::from_epoch_ms(1_715_249_521_456);
        assert_eq!(
            stamp.show(TimeFormat::Iso).to_string(),
            "2024-05-09T10:12:01.456Z"
        );
        assert_eq!(
            stamp.show(TimeFormat::BbbClient).to_string(),
            "[10:12:01:0456]"
        );
        let leap = Stamp::from_epoch_ms(951_782_400_000);
        assert_eq!(
            leap.show(TimeFormat::Iso).to_string(),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn constant_names() {
        assert!(is_constant_name("ICE_STATE_FAILED"));
        assert!(is_constant_name("MEDIA_SERVER_OFFLINE"));
        assert!(!is_constant_name("NotAllowedError"));
        assert!(!is_constant_name("TIMEOUT"));
        assert!(!is_constant_name("audioFailedError1001"));
    }
}
