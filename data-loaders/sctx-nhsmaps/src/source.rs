//! Finding pack files in directories and zip archives.

use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use crate::error::NhsError;

/// The kinds of file this crate reads, recognised by file name (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `rcsctmap2_uk*`: Read v2 → SNOMED CT, clinically assured pack (has `IS_ASSURED`).
    ReadSct,
    /// `ctv3sctmap2_uk*`: CTV3 → SNOMED CT.
    Ctv3Sct,
    /// `rctctv3map_uk*`: Read v2 → CTV3.
    ReadCtv3,
    /// `ctv3rctmap_uk*`: CTV3 → Read v2 (backward map).
    Ctv3Read,
    /// `rcsctmap_uk*`: the older Not Clinically Assured Read v2 → SNOMED CT map.
    ReadSctNca,
    /// `codesWithValues_AlternateMaps_READ2*`.
    ReadAlternates,
    /// `codesWithValues_AlternateMaps_CTV3*`.
    Ctv3Alternates,
    /// `Corev2.all`: Read v2 codes and preferred terms.
    Corev2,
    /// `Keyv2.all`: Read v2 keyword index (gives code + term code + term).
    Keyv2,
    /// `Concept.v3`.
    Ctv3Concept,
    /// `Descrip.v3`.
    Ctv3Descrip,
    /// `Terms.v3`.
    Ctv3Terms,
    /// `V3hier.v3`.
    Ctv3Hier,
}

impl FileKind {
    /// Recognises a file by its name (without directories).
    pub fn classify(file_name: &str) -> Option<FileKind> {
        let n = file_name.to_ascii_lowercase();
        if n.starts_with("._") {
            return None;
        }
        let kind = if n.starts_with("rcsctmap2_uk") {
            FileKind::ReadSct
        } else if n.starts_with("ctv3sctmap2_uk") {
            FileKind::Ctv3Sct
        } else if n.starts_with("rctctv3map_uk") {
            FileKind::ReadCtv3
        } else if n.starts_with("ctv3rctmap_uk") {
            FileKind::Ctv3Read
        } else if n.starts_with("rcsctmap_uk") {
            FileKind::ReadSctNca
        } else if n.starts_with("codeswithvalues_alternatemaps_read2") {
            FileKind::ReadAlternates
        } else if n.starts_with("codeswithvalues_alternatemaps_ctv3") {
            FileKind::Ctv3Alternates
        } else {
            match n.as_str() {
                "corev2.all" => FileKind::Corev2,
                "keyv2.all" => FileKind::Keyv2,
                "concept.v3" => FileKind::Ctv3Concept,
                "descrip.v3" => FileKind::Ctv3Descrip,
                "terms.v3" => FileKind::Ctv3Terms,
                "v3hier.v3" => FileKind::Ctv3Hier,
                _ => return None,
            }
        };
        Some(kind)
    }
}

/// A recognised file, read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// What it is.
    pub kind: FileKind,
    /// Display path (`archive.zip!/inner/path` for zip entries).
    pub display: String,
    /// The file name.
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
}

fn skip_entry(name: &str) -> bool {
    name.split('/').any(|p| p == "__MACOSX" || p.starts_with("._"))
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Finds every recognised file under `path` (a directory searched recursively, a zip
/// archive, possibly nested, or a single file). Exact duplicates (same file name and same
/// bytes, as in doubled folders) are kept once. The result is sorted by kind and name.
pub fn discover(path: &Path) -> Result<Vec<SourceFile>, NhsError> {
    let mut out = Vec::new();
    walk(path, &mut out)?;
    out.sort_by(|a, b| (a.kind, &a.name, &a.display).cmp(&(b.kind, &b.name, &b.display)));
    out.dedup_by(|b, a| a.kind == b.kind && a.name == b.name && a.data == b.data);
    Ok(out)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> NhsError + '_ {
    move |source| NhsError::Io { path: path.to_path_buf(), source }
}

fn walk(path: &Path, out: &mut Vec<SourceFile>) -> Result<(), NhsError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io(path))?;
        entries.sort();
        for p in entries {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.as_deref().is_some_and(|n| n == "__MACOSX" || n.starts_with("._")) {
                continue;
            }
            walk(&p, out)?;
        }
        return Ok(());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.to_ascii_lowercase().ends_with(".zip") {
        let file = std::fs::File::open(path).map_err(io(path))?;
        return walk_zip(std::io::BufReader::new(file), &path.display().to_string(), out);
    }
    if let Some(kind) = FileKind::classify(&name) {
        let data = std::fs::read(path).map_err(io(path))?;
        out.push(SourceFile { kind, display: path.display().to_string(), name, data });
    }
    Ok(())
}

fn walk_zip<R: Read + Seek>(
    reader: R,
    display: &str,
    out: &mut Vec<SourceFile>,
) -> Result<(), NhsError> {
    let zerr = |e: zip::result::ZipError| NhsError::Zip {
        path: display.to_string(),
        reason: e.to_string(),
    };
    let mut za = zip::ZipArchive::new(reader).map_err(zerr)?;
    for i in 0..za.len() {
        let mut entry = za.by_index(i).map_err(zerr)?;
        if entry.is_dir() {
            continue;
        }
        let inner = entry.name().map_err(zerr)?.to_string();
        if skip_entry(&inner) {
            continue;
        }
        let name = file_name(&inner).to_string();
        let nested = name.to_ascii_lowercase().ends_with(".zip");
        let kind = FileKind::classify(&name);
        if !nested && kind.is_none() {
            continue;
        }
        let entry_display = format!("{display}!/{inner}");
        let mut data = Vec::with_capacity(entry.size().min(1 << 30) as usize);
        entry
            .read_to_end(&mut data)
            .map_err(|e| NhsError::Zip { path: entry_display.clone(), reason: e.to_string() })?;
        drop(entry);
        if nested {
            walk_zip(Cursor::new(data), &entry_display, out)?;
        } else if let Some(kind) = kind {
            out.push(SourceFile { kind, display: entry_display, name, data });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_names() {
        assert_eq!(FileKind::classify("rcsctmap2_uk_20200401000001.txt"), Some(FileKind::ReadSct));
        assert_eq!(
            FileKind::classify("rcsctmap_uk_20200401000001.txt"),
            Some(FileKind::ReadSctNca)
        );
        assert_eq!(FileKind::classify("rcsctmap_enhanced_uk_20200401000001.txt"), None);
        assert_eq!(
            FileKind::classify("CTV3RCTMAP_UK_20200401000002.txt"),
            Some(FileKind::Ctv3Read)
        );
        assert_eq!(FileKind::classify("Corev2.all"), Some(FileKind::Corev2));
        assert_eq!(FileKind::classify("V3hier.v3"), Some(FileKind::Ctv3Hier));
        assert_eq!(
            FileKind::classify("codesWithValues_AlternateMaps_CTV3_20200401000001.txt"),
            Some(FileKind::Ctv3Alternates)
        );
        assert_eq!(FileKind::classify("._rcsctmap2_uk.txt"), None);
    }
}
