//! The four vendors errscan knows, their ids and command-line aliases.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A video-conferencing platform whose error codes errscan knows.
///
/// The lower-case id (`bigbluebutton`, `jitsi`, `videosdk`, `zegocloud`) is used everywhere: on the
/// command line, in JSON and in catalog and pattern files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// BigBlueButton (html5 client, bbb-webrtc-sfu, FreeSWITCH audio).
    #[serde(rename = "bigbluebutton")]
    BigBlueButton,
    /// Jitsi Meet and lib-jitsi-meet.
    Jitsi,
    /// VideoSDK (videosdk.live).
    #[serde(rename = "videosdk")]
    VideoSdk,
    /// ZEGOCLOUD (ZEGO Express, UIKits).
    #[serde(rename = "zegocloud")]
    ZegoCloud,
}

impl Vendor {
    /// Every vendor, in the order reports list them when counts tie.
    pub const ALL: [Vendor; 4] = [
        Vendor::BigBlueButton,
        Vendor::Jitsi,
        Vendor::VideoSdk,
        Vendor::ZegoCloud,
    ];

    /// The lower-case id used in files, JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Vendor::BigBlueButton => "bigbluebutton",
            Vendor::Jitsi => "jitsi",
            Vendor::VideoSdk => "videosdk",
            Vendor::ZegoCloud => "zegocloud",
        }
    }

    /// The vendor's name as people write it.
    pub fn display_name(self) -> &'static str {
        match self {
            Vendor::BigBlueButton => "BigBlueButton",
            Vendor::Jitsi => "Jitsi",
            Vendor::VideoSdk => "VideoSDK",
            Vendor::ZegoCloud => "ZEGOCLOUD",
        }
    }

    /// Parses an id or a command-line alias (`bbb`, `zego`), ignoring ASCII case.
    pub fn from_id(text: &str) -> Option<Vendor> {
        match text.to_ascii_lowercase().as_str() {
            "bigbluebutton" | "bbb" => Some(Vendor::BigBlueButton),
            "jitsi" => Some(Vendor::Jitsi),
            "videosdk" => Some(Vendor::VideoSdk),
            "zegocloud" | "zego" => Some(Vendor::ZegoCloud),
            _ => None,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error returned when a vendor id is not one errscan knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown vendor '{0}' (expected bigbluebutton, jitsi, videosdk, zegocloud, or the aliases bbb, zego)"
)]
pub struct UnknownVendor(pub String);

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(text: &str) -> Result<Vendor, UnknownVendor> {
        Vendor::from_id(text).ok_or_else(|| UnknownVendor(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_aliases_resolve() {
        for vendor in Vendor::ALL {
            assert_eq!(Vendor::from_id(vendor.id()), Some(vendor));
            assert_eq!(vendor.to_string(), vendor.id());
        }
        assert_eq!("bbb".parse::<Vendor>(), Ok(Vendor::BigBlueButton));
        assert_eq!("ZEGO".parse::<Vendor>(), Ok(Vendor::ZegoCloud));
        assert!("zoom".parse::<Vendor>().is_err());
    }

    #[test]
    fn json_uses_lower_case_ids() {
        let json = serde_json::to_string(&Vendor::VideoSdk).unwrap();
        assert_eq!(json, "\"videosdk\"");
    }
}
