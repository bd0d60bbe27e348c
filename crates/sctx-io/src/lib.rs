//! Writing the files of a database build.
//!
//! An import writes about 600 MB of archives, postings and tables that nothing reads again
//! before the build is served. Written through the page cache, every byte is copied into a
//! page the kernel has just allocated; on the virtual machines sctx is benchmarked on such
//! pages are usually ones the host has reclaimed, and those copies were a quarter of the
//! store's CPU time and most of the import's last second (BENCHMARKS.md). [`OutputFile`]
//! writes with `O_DIRECT` instead: whole aligned blocks go from one reused buffer straight to
//! the device, and the file is cut to its length at the end. Where direct I/O is not
//! available (tmpfs before Linux 6.6, some network file systems, other platforms) it falls
//! back to ordinary writes, silently and without losing a byte.
//!
//! The main type is [`OutputFile`], a [`std::io::Write`] that also counts the bytes and
//! hashes them (xxh3) on the way, for the build's manifest.
//!
//! Use it for files the import does not read back: a file written this way is not in the
//! page cache, so reading it soon after costs a trip to the device.
//!
//! ```
//! use std::io::Write;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("table.bin");
//! let mut out = sctx_io::OutputFile::create(&path).unwrap();
//! out.write_all(b"hello, ").unwrap();
//! out.write_all(b"world").unwrap();
//! let written = out.finish(true).unwrap();
//! assert_eq!(written.bytes, 12);
//! assert_eq!(written.xxh3, xxhash_rust::xxh3::xxh3_64(b"hello, world"));
//! assert_eq!(std::fs::read(&path).unwrap(), b"hello, world");
//! ```

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Alignment of direct writes: of the buffer's address, of every write's file offset and of
/// its length (the logical block size of common devices is 512 or 4096 bytes).
const ALIGN: usize = 4096;
/// Bytes handed to the device per write.
const CHUNK: usize = 2 << 20;

/// What [`OutputFile::finish`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The file's length.
    pub bytes: u64,
    /// xxh3-64 of its contents.
    pub xxh3: u64,
}

/// A new file written with direct I/O where the file system allows it (see the crate
/// documentation), counting and hashing what goes through it. Call [`OutputFile::finish`]
/// at the end: dropping it without finishing leaves a file of unspecified length.
pub struct OutputFile {
    path: PathBuf,
    file: File,
    /// Whether `file` was opened with `O_DIRECT`.
    direct: bool,
    /// `CHUNK + ALIGN` bytes; the chunk is `buf[start..start + CHUNK]`, aligned to `ALIGN`.
    buf: Vec<u8>,
    start: usize,
    /// Bytes of the chunk filled so far.
    filled: usize,
    /// Bytes already handed to the file.
    flushed: u64,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl std::fmt::Debug for OutputFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputFile")
            .field("path", &self.path)
            .field("direct", &self.direct)
            .field("bytes", &(self.flushed + self.filled as u64))
            .finish_non_exhaustive()
    }
}

impl OutputFile {
    /// Creates (or truncates) `path` for writing, with direct I/O if it can be opened so.
    pub fn create(path: &Path) -> io::Result<Self> {
        let (file, direct) = match open_direct(path) {
            Some(file) => (file, true),
            None => (File::create(path)?, false),
        };
        Ok(Self::with_file(path, file, direct))
    }

    fn with_file(path: &Path, file: File, direct: bool) -> Self {
        let buf = vec![0u8; CHUNK + ALIGN];
        // (the offset is at most ALIGN - 1: the allocation is large enough for any)
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        OutputFile {
            path: path.to_path_buf(),
            file,
            direct,
            buf,
            start,
            filled: 0,
            flushed: 0,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
        }
    }

    /// Whether the file is being written with direct I/O (false after a fallback).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes what is buffered, cuts the file to the bytes written, optionally syncs it to
    /// the device (`sync_all`), and returns its length and checksum.
    pub fn finish(mut self, sync: bool) -> io::Result<Written> {
        let len = self.flushed + self.filled as u64;
        if self.filled > 0 {
            if self.direct {
                // a direct write is of whole blocks: pad the last one, cut the file after
                let padded = self.filled.next_multiple_of(ALIGN);
                self.buf[self.start + self.filled..self.start + padded].fill(0);
                self.write_chunk(padded)?;
                self.file.set_len(len)?;
            } else {
                self.write_chunk(self.filled)?;
            }
        }
        if sync {
            self.file.sync_all()?;
        }
        Ok(Written { bytes: len, xxh3: self.hasher.digest() })
    }

    /// Writes the first `n` bytes of the chunk at offset `flushed` and empties it. A direct
    /// write the file system refuses (`EINVAL`: direct I/O, or this alignment, is not
    /// supported after all) is retried through a new, ordinary handle on the same file.
    fn write_chunk(&mut self, n: usize) -> io::Result<()> {
        let range = self.start..self.start + n;
        match self.file.write_all(&self.buf[range.clone()]) {
            Ok(()) => {}
            Err(e) if self.direct && e.raw_os_error() == Some(libc::EINVAL) => {
                let mut file = OpenOptions::new().write(true).open(&self.path)?;
                file.seek(SeekFrom::Start(self.flushed))?;
                file.write_all(&self.buf[range])?;
                self.file = file;
                self.direct = false;
            }
            Err(e) => return Err(e),
        }
        self.flushed += n as u64;
        self.filled = 0;
        Ok(())
    }
}

impl Write for OutputFile {
    /// Takes all of `data` (writing whole chunks as they fill): some writers above this one
    /// assume as much (fst's checksumming writer hashes the whole slice it is given).
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let len = data.len();
        self.hasher.update(data);
        while !data.is_empty() {
            let n = data.len().min(CHUNK - self.filled);
            let at = self.start + self.filled;
            self.buf[at..at + n].copy_from_slice(&data[..n]);
            self.filled += n;
            data = &data[n..];
            if self.filled == CHUNK {
                self.write_chunk(CHUNK)?;
            }
        }
        Ok(len)
    }

    /// Does nothing: only whole chunks are written before [`OutputFile::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `path` created (or truncated) for direct writes, if the platform and file system allow.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path) -> Option<File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic bytes (xorshift).
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn write_in_pieces(out: &mut OutputFile, data: &[u8], pieces: &[usize]) {
        let mut rest = data;
        for &p in pieces.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let n = p.min(rest.len());
            out.write_all(&rest[..n]).unwrap();
            rest = &rest[n..];
        }
    }

    #[test]
    fn files_of_every_awkward_length_are_written_exactly() {
        let dir = tempfile::tempdir().unwrap();
        // empty, under a block, a block and a byte, a chunk exactly, a chunk and a partial
        // block, several chunks
        for (i, len) in [0, 1, ALIGN - 1, ALIGN + 1, CHUNK, CHUNK + 7, 3 * CHUNK + ALIGN]
            .into_iter()
            .enumerate()
        {
            let data = bytes(len, i as u64 + 1);
            for (j, pieces) in
                [vec![len.max(1)], vec![1, 4095, 65_537], vec![CHUNK + 3]].into_iter().enumerate()
            {
                let path = dir.path().join(format!("f{i}-{j}"));
                let mut out = OutputFile::create(&path).unwrap();
                write_in_pieces(&mut out, &data, &pieces);
                let w = out.finish(j == 0).unwrap();
                assert_eq!(w.bytes, len as u64);
                assert_eq!(w.xxh3, xxhash_rust::xxh3::xxh3_64(&data));
                assert_eq!(std::fs::read(&path).unwrap(), data, "length {len}, pieces {j}");
            }
        }
    }

    #[test]
    fn every_write_takes_all_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputFile::create(&dir.path().join("f")).unwrap();
        let data = bytes(2 * CHUNK + 3, 11);
        assert_eq!(out.write(&data[..10]).unwrap(), 10);
        assert_eq!(out.write(&data[10..]).unwrap(), data.len() - 10);
        assert_eq!(out.finish(false).unwrap().xxh3, xxhash_rust::xxh3::xxh3_64(&data));
    }

    #[test]
    fn an_existing_file_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes(3 * CHUNK, 9)).unwrap();
        let data = bytes(CHUNK / 2 + 5, 3);
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(&data).unwrap();
        let w = out.finish(false).unwrap();
        assert_eq!(w.bytes, data.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), data);
    }

    /// A direct write the file system refuses (here: from a buffer one byte off alignment,
    /// which Linux refuses with EINVAL on block file systems) is retried through an ordinary
    /// handle, and every later chunk goes that way: nothing is lost or written twice.
    #[test]
    fn a_refused_direct_write_falls_back_without_losing_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data = bytes(2 * CHUNK + 12_345, 7);
        let mut out = OutputFile::create(&path).unwrap();
        let direct = out.is_direct();
        out.start += 1;
        out.write_all(&data).unwrap();
        let fell_back = direct && !out.is_direct();
        let w = out.finish(true).unwrap();
        assert_eq!(w.bytes, data.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), data, "direct {direct}, fell back {fell_back}");
        if !fell_back {
            eprintln!("note: the misaligned direct write was accepted here (direct: {direct})");
        }
    }

    /// Direct I/O where the test's temporary directory allows it, and on /dev/shm (tmpfs
    /// refuses O_DIRECT at open before Linux 6.6, and takes it since): the file is written
    /// all the same.
    #[test]
    fn the_fallback_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data = bytes(CHUNK + 100, 5);
        let mut out = OutputFile::create(&path).unwrap();
        let direct_at_start = out.is_direct();
        out.write_all(&data).unwrap();
        out.finish(false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), data, "direct at start: {direct_at_start}");
        // and on /dev/shm
        let shm = Path::new("/dev/shm");
        if shm.is_dir()
            && let Ok(d) = tempfile::tempdir_in(shm)
        {
            let path = d.path().join("f");
            let mut out = OutputFile::create(&path).unwrap();
            out.write_all(&data).unwrap();
            let w = out.finish(true).unwrap();
            assert_eq!(w.bytes, data.len() as u64);
            assert_eq!(std::fs::read(&path).unwrap(), data);
        }
    }
}
