//! The catalog of known codes: built-in files compiled into the binary, user files merged over
//! them, and lookups by code, by name and by free text for `explain`.

mod entry;
mod file;

use std::path::Path;

pub use entry::{Category, Entry, Severity};
pub use file::{CatalogFile, parse};

use crate::datafile::{self, DataFileError};
use crate::tally::FastMap;
use crate::vendor::Vendor;

/// The built-in catalog files: (file name, text).
pub const BUILTIN_FILES: [(&str, &str); 4] = [
    (
        "catalogs/bigbluebutton.toml",
        include_str!("../../catalogs/bigbluebutton.toml"),
    ),
    (
        "catalogs/jitsi.toml",
        include_str!("../../catalogs/jitsi.toml"),
    ),
    (
        "catalogs/videosdk.toml",
        include_str!("../../catalogs/videosdk.toml"),
    ),
    (
        "catalogs/zegocloud.toml",
        include_str!("../../catalogs/zegocloud.toml"),
    ),
];

/// Index of an entry inside a [`Catalog`]; stable for the catalog's lifetime.
pub type EntryId = u32;

/// Every known code, indexed by (vendor, code) and by (vendor, name or alias).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    /// Per vendor, code → entry; looked up by `&str` on the hot path (every match), without
    /// allocating, with aHash (with SipHash, the two lookups were 1 % of a scan's
    /// instructions).
    by_code: FastMap<Vendor, FastMap<String, EntryId>>,
    /// Per vendor, name or alias → entries; looked up by `&str` for matches found by name.
    by_name: FastMap<Vendor, FastMap<String, Vec<EntryId>>>,
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Catalog {
        // The built-in files are validated by the test suite (tests in this module), so a
        // failure here means the binary was built from a broken checkout.
        let parse_builtin = |(name, text): &(&str, &str)| {
            parse(Path::new(name), text)
                .unwrap_or_else(|error| panic!("built-in catalog is invalid:\n{error}"))
        };
        // One thread per file: parsing is most of a short scan's start-up.
        let files: Vec<CatalogFile> = std::thread::scope(|scope| {
            let parsing: Vec<_> = BUILTIN_FILES
                .iter()
                .map(|file| scope.spawn(move || parse_builtin(file)))
                .collect();
            parsing
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut catalog = Catalog::default();
        for file in files {
            catalog.merge(file);
        }
        catalog
    }

    /// The built-in catalog with user files merged over it, in order.
    pub fn with_user_files<P: AsRef<Path>>(paths: &[P]) -> Result<Catalog, DataFileError> {
        let mut catalog = Catalog::builtin();
        for path in paths {
            let path = path.as_ref();
            let text = datafile::read(path)?;
            catalog.merge(parse(path, &text)?);
        }
        Ok(catalog)
    }

    /// Merges a file over this catalog: an entry with the same vendor and code replaces the old
    /// one, a new code is added.
    pub fn merge(&mut self, file: CatalogFile) {
        for entry in file.entries {
            let codes = self.by_code.entry(entry.vendor).or_default();
            match codes.get(entry.code.as_str()) {
                Some(&id) => self.entries[id as usize] = entry,
                None => {
                    let id = EntryId::try_from(self.entries.len())
                        .expect("a catalog holds fewer than 2^32 entries");
                    codes.insert(entry.code.clone(), id);
                    self.entries.push(entry);
                }
            }
        }
        self.reindex_names();
    }

    fn reindex_names(&mut self) {
        self.by_name.clear();
        for (index, entry) in self.entries.iter().enumerate() {
            let id = index as EntryId;
            let names = std::iter::once(&entry.name).chain(&entry.aliases);
            for name in names {
                let ids = self
                    .by_name
                    .entry(entry.vendor)
                    .or_default()
                    .entry(name.clone())
                    .or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// A stable fingerprint of the catalog: `fnv1a64:` and 16 hex digits, an FNV-1a hash over
    /// the sorted (vendor, code, name, category, severity) of every entry. Reports carry it in
    /// `tool.catalog`, so `errscan merge` can tell reports made with different catalogs apart.
    /// Descriptions, fixes and sources do not count: they change no number in a report.
    pub fn fingerprint(&self) -> String {
        let mut rows: Vec<[&str; 5]> = self
            .entries
            .iter()
            .map(|entry| {
                [
                    entry.vendor.id(),
                    entry.code.as_str(),
                    entry.name.as_str(),
                    entry.category.id(),
                    entry.severity.id(),
                ]
            })
            .collect();
        rows.sort_unstable();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for row in rows {
            for field in row {
                // Each field ends with a unit separator and each row with a newline, so that
                // moving bytes between fields changes the hash.
                for &byte in field.as_bytes().iter().chain(b"") {
                    hash ^= u64::from(byte);
                    hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            hash ^= u64::from(b'\n');
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("fnv1a64:{hash:016x}")
    }

    /// Every entry, in load order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id as usize]
    }

    /// The id of a vendor's code, if the catalog knows it.
    pub fn id_of(&self, vendor: Vendor, code: &str) -> Option<EntryId> {
        self.by_code.get(&vendor)?.get(code).copied()
    }

    /// A vendor's code, if the catalog knows it.
    pub fn get(&self, vendor: Vendor, code: &str) -> Option<&Entry> {
        self.id_of(vendor, code).map(|id| self.entry(id))
    }

    /// The ids of the entries of `vendor` whose name or an alias is exactly `name`.
    pub fn ids_by_name(&self, vendor: Vendor, name: &str) -> &[EntryId] {
        self.by_name
            .get(&vendor)
            .and_then(|names| names.get(name))
            .map_or(&[], Vec::as_slice)
    }

    /// Every entry that `query` names, for `explain`: `vendor:code` or `vendor:NAME`, a code of
    /// any vendor, a constant name or alias (ASCII case ignored). Several vendors or tiers may
    /// share a name or number; all of them are returned, in catalog order.
    pub fn explain(&self, query: &str) -> Vec<&Entry> {
        let query = query.trim();
        let (vendor, wanted) = match query.split_once(':') {
            Some((vendor, rest)) => match Vendor::from_id(vendor) {
                Some(vendor) => (Some(vendor), rest.trim()),
                None => (None, query),
            },
            None => (None, query),
        };
        self.entries
            .iter()
            .filter(|entry| vendor.is_none_or(|vendor| vendor == entry.vendor))
            .filter(|entry| {
                entry.code == wanted
                    || entry.name.eq_ignore_ascii_case(wanted)
                    || entry
                        .aliases
                        .iter()
                        .any(|alias| alias.eq_ignore_ascii_case(wanted))
            })
            .collect()
    }

    /// Up to `limit` codes or names close to `query`, best first, for "did you mean".
    pub fn suggestions(&self, query: &str, limit: usize) -> Vec<String> {
        let wanted = query
            .split_once(':')
            .filter(|(vendor, _)| Vendor::from_id(vendor).is_some())
            .map_or(query, |(_, rest)| rest)
            .to_ascii_lowercase();
        let mut scored: Vec<(f64, String)> = Vec::new();
        for entry in &self.entries {
            for candidate in std::iter::once(&entry.code)
                .chain(std::iter::once(&entry.name))
                .chain(&entry.aliases)
            {
                let score = strsim::jaro_winkler(&wanted, &candidate.to_ascii_lowercase());
                if score >= 0.8 {
                    scored.push((score, format!("{}:{}", entry.vendor, candidate)));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut seen = Vec::new();
        for (_, suggestion) in scored {
            if !seen.contains(&suggestion) {
                seen.push(suggestion);
            }
            if seen.len() == limit {
                break;
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests;
