//! `manifest.json`: what a database directory holds.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// The `format` value of every sctx manifest.
pub const FORMAT_NAME: &str = "sctx-database";

/// The manifest of a database build.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// The store format version ([`crate::FORMAT_VERSION`]).
    pub format_version: u32,
    /// The sctx version that wrote it.
    pub sctx_version: String,
    /// Build time (UTC, RFC 3339).
    pub created_at: String,
    /// The `--as-of` date, if any.
    pub as_of: Option<String>,
    /// Source packages.
    pub sources: Vec<SourceInfo>,
    /// Editions and versions.
    pub editions: Vec<EditionInfo>,
    /// Module dependencies declared by the sources.
    pub module_dependencies: Vec<ModuleDependency>,
    /// Counts.
    pub counts: Counts,
    /// Files with sizes and checksums.
    pub files: BTreeMap<String, FileInfo>,
    /// Fingerprint of the inputs (used to rebuild the bundled sample when it changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_fingerprint: Option<String>,
    /// Sections added by other components (search index, maps), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A source package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    /// Path given to the importer.
    pub path: String,
    /// Release folder.
    pub folder: String,
    /// Version date of its files.
    pub version_date: String,
    /// Files read.
    pub files: Vec<String>,
}

/// An edition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EditionInfo {
    /// Module id (string).
    pub module: String,
    /// `YYYYMMDD`.
    pub version: String,
    /// `http://snomed.info/sct/{module}/version/{version}`.
    pub uri: String,
    /// The release folder.
    pub folder: String,
}

/// A module dependency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ModuleDependency {
    /// The dependent module.
    pub module: String,
    /// The module depended on.
    pub depends_on: String,
    /// Version of the dependent module.
    pub source_effective_time: String,
    /// Version required of the target.
    pub target_effective_time: String,
}

/// Component counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Concepts.
    pub concepts: u64,
    /// Active concepts.
    pub active_concepts: u64,
    /// Descriptions.
    pub descriptions: u64,
    /// Active descriptions.
    pub active_descriptions: u64,
    /// Text definitions.
    pub text_definitions: u64,
    /// Inferred relationship rows (snapshot).
    pub relationships: u64,
    /// Active inferred relationships stored.
    pub active_inferred_relationships: u64,
    /// Is-a edges.
    pub is_a_edges: u64,
    /// (concept, ancestor) pairs in the closure.
    pub closure_pairs: u64,
    /// Active concrete values.
    pub concrete_values: u64,
    /// Refsets.
    pub refsets: u64,
    /// Non-language refset members.
    pub refset_members: u64,
    /// Active non-language refset members.
    pub active_refset_members: u64,
    /// Language refset members read.
    pub language_members: u64,
    /// Rows that reference a component missing from the release (skipped).
    pub dangling_references: u64,
}

/// A file's size and checksum.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileInfo {
    /// Size in bytes.
    pub bytes: u64,
    /// XXH3-64 of the contents, hex.
    pub xxh3: String,
}

impl Manifest {
    /// Reads and checks `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Manifest, StoreError> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::NotFound { path: dir.to_path_buf() }
            } else {
                StoreError::io(&path, e)
            }
        })?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| StoreError::Manifest { path: path.clone(), reason: e.to_string() })?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(StoreError::Manifest {
                path,
                reason: format!("not an sctx database (format must be {FORMAT_NAME:?})"),
            });
        }
        let found = v.get("formatVersion").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
        if found != crate::FORMAT_VERSION {
            return Err(StoreError::FormatVersion { path, found, expected: crate::FORMAT_VERSION });
        }
        serde_json::from_value(v).map_err(|e| StoreError::Manifest { path, reason: e.to_string() })
    }

    /// Writes `dir/manifest.json`.
    pub fn write(&self, dir: &Path) -> Result<(), StoreError> {
        let path = dir.join("manifest.json");
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| StoreError::Manifest { path: path.clone(), reason: e.to_string() })?;
        std::fs::write(&path, text).map_err(|e| StoreError::io(&path, e))
    }
}

/// The current UTC time as RFC 3339 (seconds).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}
