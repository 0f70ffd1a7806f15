//! Turning a regex match into a [`Code`]: the `code`, `name` and `message` captures joined
//! against the catalog.

use std::collections::HashMap;
use std::sync::Arc;

use regex::bytes::{CaptureLocations, Captures, Regex};

use super::Code;
use crate::catalog::{Catalog, EntryId};
use crate::patterns::Pattern;
use crate::vendor::Vendor;

/// What one regex match stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The code.
    pub code: Code,
    /// The constant name it was resolved from, when it came from a `name` capture.
    pub via_name: Option<Arc<str>>,
}

/// Resolves captures to codes through the catalog.
#[derive(Debug, Clone)]
pub struct Resolver {
    catalog: Arc<Catalog>,
    /// Per vendor, (message, entry) with the longest messages first.
    messages: HashMap<Vendor, Vec<(String, EntryId)>>,
}

impl Resolver {
    /// Indexes the catalog's messages.
    pub fn new(catalog: Arc<Catalog>) -> Resolver {
        let mut messages: HashMap<Vendor, Vec<(String, EntryId)>> = HashMap::new();
        for (index, entry) in catalog.entries().iter().enumerate() {
            for message in &entry.messages {
                let message = trim_message(message);
                if !message.is_empty() {
                    messages
                        .entry(entry.vendor)
                        .or_default()
                        .push((message.to_string(), index as EntryId));
                }
            }
        }
        for list in messages.values_mut() {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        }
        Resolver { catalog, messages }
    }

    /// The catalog.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The code a match stands for: `code` wins over `name`, `name` over `message`. `None` when
    /// the match carries nothing usable (an empty capture, bytes that are not text, or a
    /// message the catalog does not know).
    pub fn resolve<'h>(&self, pattern: &Pattern, captures: &impl Groups<'h>) -> Option<Resolved> {
        let vendor = pattern.vendor;
        if let Some(code) = captured_text(captures, "code") {
            let code = match self.catalog.id_of(vendor, code) {
                Some(id) => Code::Known(id),
                None => Code::Unknown(Arc::from(code)),
            };
            return Some(Resolved {
                code,
                via_name: None,
            });
        }
        if let Some(name) = captured_text(captures, "name") {
            let code = match self.resolve_name(pattern, name) {
                Some(id) => Code::Known(id),
                None => Code::Unknown(Arc::from(name)),
            };
            return Some(Resolved {
                code,
                via_name: Some(Arc::from(name)),
            });
        }
        let message = captured_text(captures, "message")?;
        let message = trim_message(message);
        self.messages
            .get(&vendor)?
            .iter()
            .find(|(known, _)| message.starts_with(known.as_str()))
            .map(|(_, id)| Resolved {
                code: Code::Known(*id),
                via_name: None,
            })
    }

    /// True when `code` is a known entry whose name or an alias is `name`.
    pub fn is_named(&self, code: &Code, name: &str) -> bool {
        match code {
            Code::Known(id) => {
                let entry = self.catalog.entry(*id);
                entry.name == name || entry.aliases.iter().any(|alias| alias == name)
            }
            Code::Unknown(_) => false,
        }
    }

    /// The tier rule: the first listed group with an entry of this name wins; without groups,
    /// the first entry in catalog order.
    fn resolve_name(&self, pattern: &Pattern, name: &str) -> Option<EntryId> {
        let ids = self.catalog.ids_by_name(pattern.vendor, name);
        if pattern.groups.is_empty() {
            return ids.first().copied();
        }
        pattern.groups.iter().find_map(|group| {
            ids.iter()
                .copied()
                .find(|&id| self.catalog.entry(id).group.as_deref() == Some(group.as_str()))
        })
    }

    /// The text of a code.
    pub fn code_text<'a>(&'a self, code: &'a Code) -> &'a str {
        match code {
            Code::Known(id) => &self.catalog.entry(*id).code,
            Code::Unknown(text) => text,
        }
    }
}

fn captured_text<'h>(captures: &impl Groups<'h>, group: &str) -> Option<&'h str> {
    let text = std::str::from_utf8(captures.group(group)?).ok()?;
    Some(text).filter(|text| !text.is_empty())
}

/// The text of a match's named groups.
pub trait Groups<'h> {
    /// The text the group `name` matched, if it took part in the match.
    fn group(&self, name: &str) -> Option<&'h [u8]>;
}

impl<'h> Groups<'h> for Captures<'h> {
    fn group(&self, name: &str) -> Option<&'h [u8]> {
        self.name(name).map(|found| found.as_bytes())
    }
}

/// A match read into reusable [`CaptureLocations`] (no allocation per match).
pub struct Located<'a, 'h> {
    /// The regex that matched (for its group names).
    pub regex: &'a Regex,
    /// Where its groups matched.
    pub locations: &'a CaptureLocations,
    /// The text searched.
    pub text: &'h [u8],
}

impl<'h> Groups<'h> for Located<'_, 'h> {
    fn group(&self, name: &str) -> Option<&'h [u8]> {
        let index = self
            .regex
            .capture_names()
            .position(|group| group == Some(name))?;
        let (start, end) = self.locations.get(index)?;
        self.text.get(start..end)
    }
}

fn trim_message(message: &str) -> &str {
    message.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
}
