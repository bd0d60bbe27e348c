//! The only `unsafe` in the store: mapping files and O(1) archive access after one
//! validated access at open.
#![allow(unsafe_code)]

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;
use rkyv::Portable;
use rkyv::api::high::HighValidator;
use rkyv::bytecheck::CheckBytes;

use crate::error::StoreError;

/// A read-only mapped archive whose bytes passed rkyv validation as `T` at open.
pub(crate) struct Archive<T> {
    map: Mmap,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T> Archive<T>
where
    T: Portable + for<'a> CheckBytes<HighValidator<'a, rkyv::rancor::Error>>,
{
    /// Maps `path`, checks size (and checksum when given) and validates the archive.
    pub(crate) fn open(path: &Path, bytes: u64, xxh3: Option<&str>) -> Result<Self, StoreError> {
        let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
        let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
        if len != bytes {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("size is {len} bytes, the manifest says {bytes} (truncated?)"),
            });
        }
        // SAFETY: the database directory is immutable once renamed into place: sctx never
        // writes to a build after it is committed (new imports go to a new directory), so
        // the mapping cannot change under us. Truncation by another process is outside
        // sctx's contract, as for any mmap-based database.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| StoreError::io(path, e))?;
        if let Some(expected) = xxh3 {
            let got = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&map));
            if got != expected {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    reason: format!("checksum {got} differs from the manifest's {expected}"),
                });
            }
        }
        rkyv::access::<T, rkyv::rancor::Error>(&map).map_err(|e| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("archive validation failed ({e})"),
        })?;
        Ok(Archive { map, _t: std::marker::PhantomData })
    }

    /// The archived root.
    #[inline]
    pub(crate) fn get(&self) -> &T {
        // SAFETY: `open` validated these exact bytes as a `T` with `rkyv::access`, and the
        // mapping is read-only and never modified (see `open`), so unchecked access yields
        // the same valid reference in O(1).
        unsafe { rkyv::access_unchecked::<T>(&self.map) }
    }
}

/// Maps a non-archive file (fst), checking its size and checksum.
pub(crate) fn map_file(path: &Path, bytes: u64, xxh3: Option<&str>) -> Result<Mmap, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
    if len != bytes {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("size is {len} bytes, the manifest says {bytes} (truncated?)"),
        });
    }
    // SAFETY: as in `Archive::open`: committed database files are never modified.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| StoreError::io(path, e))?;
    if let Some(expected) = xxh3 {
        let got = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&map));
        if got != expected {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("checksum {got} differs from the manifest's {expected}"),
            });
        }
    }
    Ok(map)
}
