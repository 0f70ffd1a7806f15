//! What a catalog entry says about one code: [`Entry`], [`Category`] and [`Severity`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vendor::Vendor;

/// What the operator would have to fix; every entry has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Connectivity: transport, websocket, ICE, timeouts, unreachable servers.
    Network,
    /// Access denied by a user, moderator, OS, browser or policy.
    Permission,
    /// Credentials: tokens, API keys, AppIDs, passwords.
    Authentication,
    /// A limit reached: participants, quotas, rooms, server resources.
    Capacity,
    /// Negotiation, SDP, codecs, decoding, media not flowing.
    Media,
    /// Camera, microphone or screen source missing, busy or incompatible.
    Device,
    /// Unsupported environment, or the application calling the SDK wrongly.
    Client,
    /// A server-side component failed, is overloaded or shutting down.
    Server,
    /// Add-on services: recording, streaming, mixing, CDN, chat.
    Service,
    /// The lifecycle ended: destroyed, kicked out, replaced.
    Session,
    /// Unhandled or unknown errors, and codes absent from the catalog.
    Unknown,
}

impl Category {
    /// Every category, in the contract's order.
    pub const ALL: [Category; 11] = [
        Category::Network,
        Category::Permission,
        Category::Authentication,
        Category::Capacity,
        Category::Media,
        Category::Device,
        Category::Client,
        Category::Server,
        Category::Service,
        Category::Session,
        Category::Unknown,
    ];

    /// The lower-case id used in files and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Category::Network => "network",
            Category::Permission => "permission",
            Category::Authentication => "authentication",
            Category::Capacity => "capacity",
            Category::Media => "media",
            Category::Device => "device",
            Category::Client => "client",
            Category::Server => "server",
            Category::Service => "service",
            Category::Session => "session",
            Category::Unknown => "unknown",
        }
    }

    /// Parses a lower-case id.
    pub fn from_id(text: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|category| category.id() == text)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How bad an error is for the user. Ordered: `Info < Warning < Error < Fatal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not a failure.
    Info,
    /// Degraded or recoverable.
    Warning,
    /// One function failed; the session goes on.
    Error,
    /// The call, stream or session is lost.
    Fatal,
}

impl Severity {
    /// Every severity, from the least to the most severe.
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Fatal,
    ];

    /// The lower-case id used in files and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }

    /// Parses a lower-case id.
    pub fn from_id(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.id() == text)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One known code of one vendor: what it means and what to do about it.
///
/// Serialised, the first eight fields are the contract's catalog entry object; the rest are
/// optional extras that are left out when empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The vendor whose code this is.
    pub vendor: Vendor,
    /// The code as it appears in logs: `"1101"`, `"conference.iceFailed"`, `"1002031"`.
    pub code: String,
    /// The vendor's constant name.
    pub name: String,
    /// What the operator would have to fix.
    pub category: Category,
    /// How bad it is.
    pub severity: Severity,
    /// What happened, in errscan's words.
    pub description: String,
    /// What to do about it, in errscan's words.
    pub remediation: String,
    /// Where the fact comes from: a seed document or a repository path or URL.
    pub source: String,
    /// The vendor's own grouping (tier, module or platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Other names or string values that mean this code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Codes of the same vendor worth reading together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// The vendor's message texts for this code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// A second meaning the same number has elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// True when the code is not in the seed documents.
    #[serde(default, skip_serializing_if = "is_false")]
    pub beyond_seed: bool,
    /// True when no vendor document names the code and `name` was made up by errscan.
    #[serde(default, skip_serializing_if = "is_false")]
    pub derived_name: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}
