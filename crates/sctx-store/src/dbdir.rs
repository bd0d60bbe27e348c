//! Database directories: a root holding one directory per build, each complete with its
//! manifest. Builds are written to a temporary directory and renamed into place, so a
//! served build is never written to.

use std::path::{Path, PathBuf};

use crate::error::StoreError;

/// Finds the build to open: `path` itself when it holds a manifest, else the newest
/// `build-*` directory under it that holds one.
pub fn resolve(path: &Path) -> Result<PathBuf, StoreError> {
    if path.join("manifest.json").is_file() {
        return Ok(path.to_path_buf());
    }
    newest_build(path)?.ok_or_else(|| StoreError::NotFound { path: path.to_path_buf() })
}

/// The newest complete build under a database root.
pub fn newest_build(root: &Path) -> Result<Option<PathBuf>, StoreError> {
    let rd = match std::fs::read_dir(root) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotFound { path: root.to_path_buf() });
        }
        Err(e) => return Err(StoreError::io(root, e)),
    };
    let mut builds: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("build-"))
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    builds.sort();
    Ok(builds.pop())
}

/// A build in progress: a temporary directory under the database root that becomes a
/// `build-*` directory on [`Staging::commit`], or disappears when dropped uncommitted.
#[derive(Debug)]
pub struct Staging {
    root: PathBuf,
    tmp: PathBuf,
    name: String,
    committed: bool,
}

impl Staging {
    /// Creates `root` if needed and a fresh temporary build directory in it.
    pub fn new(root: &Path) -> Result<Staging, StoreError> {
        std::fs::create_dir_all(root).map_err(|e| StoreError::io(root, e))?;
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let stamp = crate::manifest::now_rfc3339().replace([':', '-'], "");
        let name = format!("build-{stamp}-{:09}-{}", now.subsec_nanos(), std::process::id());
        let tmp = root.join(format!(".tmp-{name}"));
        std::fs::create_dir(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        Ok(Staging { root: root.to_path_buf(), tmp, name, committed: false })
    }

    /// The temporary directory to write into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the build into place and removes older builds beyond the newest `keep`
    /// (a server still reading an old build keeps its open files). Returns the build path.
    pub fn commit(mut self, keep: usize) -> Result<PathBuf, StoreError> {
        let dest = self.root.join(&self.name);
        std::fs::rename(&self.tmp, &dest).map_err(|e| StoreError::io(&dest, e))?;
        self.committed = true;
        if let Ok(rd) = std::fs::read_dir(&self.root) {
            let mut builds: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("build-"))
                .map(|e| e.path())
                .collect();
            builds.sort();
            let excess = builds.len().saturating_sub(keep.max(1));
            for old in builds.into_iter().take(excess) {
                let _ = std::fs::remove_dir_all(old);
            }
        }
        Ok(dest)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
