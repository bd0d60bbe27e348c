//! Finding RF2 files in directories and (nested) zip archives.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use crate::error::{Rf2Error, Rf2ErrorKind};
use crate::filename::{self, FileName};

/// Where a file lives: on disk, or inside a chain of zip archives.
#[derive(Debug, Clone)]
pub enum Location {
    /// A plain file.
    Path(PathBuf),
    /// A member of a zip, possibly nested: the outer archive on disk and the entry names
    /// of each nested level, the last being the file itself.
    Zip {
        /// The archive on disk.
        archive: PathBuf,
        /// Entry names, outermost first.
        entries: Vec<String>,
    },
}

/// A discovered RF2 file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Where to read it.
    pub location: Location,
    /// The parsed file name.
    pub name: FileName,
    /// The top-level folder inside the package that holds it (for reporting).
    pub package_folder: String,
}

impl SourceFile {
    /// A display path: `a/b.txt` or `pkg.zip!/inner.zip!/a/b.txt`.
    pub fn display(&self) -> String {
        match &self.location {
            Location::Path(p) => p.display().to_string(),
            Location::Zip { archive, entries } => {
                let mut s = archive.display().to_string();
                for e in entries {
                    s.push_str("!/");
                    s.push_str(e);
                }
                s
            }
        }
    }

    /// Runs `f` with a buffered reader over the file's bytes.
    pub fn with_reader<T>(
        &self,
        f: impl FnOnce(&mut dyn BufRead) -> Result<T, Rf2Error>,
    ) -> Result<T, Rf2Error> {
        self.with_sized_reader(|r, _| f(r))
    }

    /// Runs `f` with a buffered reader over the file's bytes and its size in bytes when
    /// known (a plain file's length; a zip entry's declared uncompressed size, which a
    /// damaged archive may misstate: use it as a hint only).
    pub fn with_sized_reader<T>(
        &self,
        f: impl FnOnce(&mut dyn BufRead, Option<u64>) -> Result<T, Rf2Error>,
    ) -> Result<T, Rf2Error> {
        let disp = self.display();
        match &self.location {
            Location::Path(p) => {
                let file = File::open(p).map_err(|e| Rf2Error::file(&disp, e))?;
                let len = file.metadata().ok().map(|m| m.len());
                let mut r = BufReader::with_capacity(1 << 20, file);
                f(&mut r, len)
            }
            Location::Zip { archive, entries } => {
                let file = File::open(archive).map_err(|e| Rf2Error::file(&disp, e))?;
                let zerr = |e: zip::result::ZipError| {
                    Rf2Error::file(&disp, Rf2ErrorKind::Zip(e.to_string()))
                };
                let mut za = zip::ZipArchive::new(BufReader::new(file)).map_err(zerr)?;
                let (last, outer) = entries.split_last().ok_or_else(|| {
                    Rf2Error::file(&disp, Rf2ErrorKind::Zip("empty entry chain".into()))
                })?;
                if outer.is_empty() {
                    let entry = za.by_name(last).map_err(zerr)?;
                    let len = Some(entry.size());
                    let mut r = BufReader::with_capacity(1 << 20, entry);
                    return f(&mut r, len);
                }
                // nested: read each inner archive into memory
                let mut bytes = read_entry(&mut za, &outer[0], &disp)?;
                for name in &outer[1..] {
                    let mut inner = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zerr)?;
                    bytes = read_entry(&mut inner, name, &disp)?;
                }
                let mut inner = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zerr)?;
                let entry = inner.by_name(last).map_err(zerr)?;
                let len = Some(entry.size());
                let mut r = BufReader::with_capacity(1 << 20, entry);
                f(&mut r, len)
            }
        }
    }
}

fn read_entry<R: Read + std::io::Seek>(
    za: &mut zip::ZipArchive<R>,
    name: &str,
    disp: &str,
) -> Result<Vec<u8>, Rf2Error> {
    let mut e =
        za.by_name(name).map_err(|e| Rf2Error::file(disp, Rf2ErrorKind::Zip(e.to_string())))?;
    let mut v = Vec::with_capacity(e.size() as usize);
    e.read_to_end(&mut v).map_err(|e| Rf2Error::file(disp, e))?;
    Ok(v)
}

fn skip_name(name: &str) -> bool {
    name.split('/').any(|p| p == "__MACOSX" || p.starts_with("._"))
}

const LAYOUT_FOLDERS: [&str; 9] = [
    "Full",
    "Snapshot",
    "Delta",
    "Terminology",
    "Refset",
    "Content",
    "Language",
    "Map",
    "Metadata",
];

/// The release folder of a file at `path` (relative to the package root, `/`-separated):
/// its first directory, unless that is already part of the standard layout (then the
/// package root itself, named `root_name`, is the release folder).
fn release_folder(path: &str, root_name: &str) -> String {
    let mut dirs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    dirs.pop(); // the file itself
    match dirs.first() {
        Some(first) if !LAYOUT_FOLDERS.contains(first) => (*first).to_string(),
        _ => root_name.to_string(),
    }
}

fn base_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Finds every RF2 file in a package: a directory (searched recursively, zips inside it
/// included) or a `.zip` (nested zips included).
pub fn discover(path: &Path) -> Result<Vec<SourceFile>, Rf2Error> {
    let mut out = Vec::new();
    let disp = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Rf2Error::file(&disp, e))?;
    if meta.is_dir() {
        walk_dir(path, path, &mut out)?;
    } else if is_zip_name(&disp) {
        walk_zip_file(path, &mut out)?;
    } else {
        return Err(Rf2Error::file(disp, Rf2ErrorKind::NotAPackage));
    }
    out.sort_by_key(|a| a.display());
    Ok(out)
}

fn is_zip_name(n: &str) -> bool {
    n.to_ascii_lowercase().ends_with(".zip")
}

fn walk_dir(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), Rf2Error> {
    let disp = dir.display().to_string();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Rf2Error::file(&disp, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| Rf2Error::file(&disp, e))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "__MACOSX" || name.starts_with("._") || name.starts_with('.') {
            continue;
        }
        let p = e.path();
        let ft = e.file_type().map_err(|err| Rf2Error::file(p.display().to_string(), err))?;
        if ft.is_dir() {
            walk_dir(root, &p, out)?;
        } else if is_zip_name(&name) {
            walk_zip_file(&p, out)?;
        } else if let Some(fname) = filename::parse(&name) {
            let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            out.push(SourceFile {
                location: Location::Path(p.clone()),
                name: fname,
                package_folder: release_folder(&rel, &base_name(root)),
            });
        }
    }
    Ok(())
}

fn walk_zip_file(path: &Path, out: &mut Vec<SourceFile>) -> Result<(), Rf2Error> {
    let disp = path.display().to_string();
    let file = File::open(path).map_err(|e| Rf2Error::file(&disp, e))?;
    let mut za = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Rf2Error::file(&disp, Rf2ErrorKind::Zip(e.to_string())))?;
    walk_zip(&mut za, path, &mut Vec::new(), &disp, out)
}

fn walk_zip<R: Read + std::io::Seek>(
    za: &mut zip::ZipArchive<R>,
    archive: &Path,
    chain: &mut Vec<String>,
    disp: &str,
    out: &mut Vec<SourceFile>,
) -> Result<(), Rf2Error> {
    let mut names: Vec<String> = Vec::with_capacity(za.len());
    for n in za.file_names() {
        let n = n.map_err(|e| Rf2Error::file(disp, Rf2ErrorKind::Zip(e.to_string())))?;
        names.push(n.into_owned());
    }
    names.sort();
    for name in names {
        if name.ends_with('/') || skip_name(&name) {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name);
        if is_zip_name(base) {
            let bytes = read_entry(za, &name, disp)?;
            let inner_disp = format!("{disp}!/{name}");
            let mut inner = zip::ZipArchive::new(Cursor::new(bytes))
                .map_err(|e| Rf2Error::file(&inner_disp, Rf2ErrorKind::Zip(e.to_string())))?;
            chain.push(name.clone());
            walk_zip(&mut inner, archive, chain, &inner_disp, out)?;
            chain.pop();
        } else if let Some(fname) = filename::parse(base) {
            let mut entries = chain.clone();
            entries.push(name.clone());
            let container = match chain.last() {
                Some(inner) => {
                    inner.rsplit('/').next().unwrap_or(inner).trim_end_matches(".zip").to_string()
                }
                None => base_name(archive).trim_end_matches(".zip").to_string(),
            };
            let folder = release_folder(&name, &container);
            out.push(SourceFile {
                location: Location::Zip { archive: archive.to_path_buf(), entries },
                name: fname,
                package_folder: folder,
            });
        }
    }
    Ok(())
}
