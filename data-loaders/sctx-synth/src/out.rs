//! Streaming TAB/CRLF table writer with allocation-free field formatting.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::SynthError;

const FLUSH_AT: usize = 1 << 20;
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// One output file: a header row then rows of TAB-separated fields, each line ending CRLF.
pub(crate) struct Table {
    file: File,
    buf: Vec<u8>,
    path: PathBuf,
    rel: String,
    rows: u64,
    bytes: u64,
    at_line_start: bool,
}

impl Table {
    /// Creates the file (and its parent folders) and writes the header row.
    pub(crate) fn create(root: &Path, rel: &str, header: &[&str]) -> Result<Table, SynthError> {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SynthError::io(dir, e))?;
        }
        let file = File::create(&path).map_err(|e| SynthError::io(&path, e))?;
        let mut t = Table {
            file,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            path,
            rel: rel.to_owned(),
            rows: 0,
            bytes: 0,
            at_line_start: true,
        };
        for h in header {
            t.str(h);
        }
        t.end_header()?;
        Ok(t)
    }

    #[inline]
    fn sep(&mut self) {
        if self.at_line_start {
            self.at_line_start = false;
        } else {
            self.buf.push(b'\t');
        }
    }

    /// An unsigned integer field.
    #[inline]
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.sep();
        push_u64(&mut self.buf, v);
        self
    }

    /// A string field (no quoting).
    #[inline]
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// A raw byte field (must be UTF-8).
    #[inline]
    pub(crate) fn bytes(&mut self, s: &[u8]) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(s);
        self
    }

    /// A boolean `1`/`0` field.
    #[inline]
    pub(crate) fn flag(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.push(if b { b'1' } else { b'0' });
        self
    }

    /// A lower-case `8-4-4-4-12` UUID field.
    #[inline]
    pub(crate) fn uuid(&mut self, u: &[u8; 16]) -> &mut Self {
        self.sep();
        push_uuid(&mut self.buf, u, HEX_LOWER);
        self
    }

    /// An upper-case `{8-4-4-4-12}` GUID field (NHS map tables).
    #[inline]
    pub(crate) fn guid(&mut self, u: &[u8; 16]) -> &mut Self {
        self.sep();
        self.buf.push(b'{');
        push_uuid(&mut self.buf, u, HEX_UPPER);
        self.buf.push(b'}');
        self
    }

    fn end_header(&mut self) -> Result<(), SynthError> {
        self.buf.extend_from_slice(b"\r\n");
        self.at_line_start = true;
        Ok(())
    }

    /// Ends the current row.
    #[inline]
    pub(crate) fn end(&mut self) -> Result<(), SynthError> {
        self.buf.extend_from_slice(b"\r\n");
        self.at_line_start = true;
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SynthError> {
        self.file.write_all(&self.buf).map_err(|e| SynthError::io(&self.path, e))?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Data rows written so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and closes the file, returning its summary.
    pub(crate) fn finish(mut self) -> Result<crate::FileStat, SynthError> {
        self.flush()?;
        self.file.flush().map_err(|e| SynthError::io(&self.path, e))?;
        Ok(crate::FileStat { path: self.rel, rows: self.rows, bytes: self.bytes })
    }
}

/// Appends the decimal digits of `v`.
#[inline]
pub(crate) fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

#[inline]
fn push_uuid(buf: &mut Vec<u8>, u: &[u8; 16], hex: &[u8; 16]) {
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            buf.push(b'-');
        }
        buf.push(hex[usize::from(b >> 4)]);
        buf.push(hex[usize::from(b & 15)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_and_uuids() {
        let mut b = Vec::new();
        push_u64(&mut b, 0);
        b.push(b' ');
        push_u64(&mut b, 900000000000207008);
        assert_eq!(b, b"0 900000000000207008");
        let mut b = Vec::new();
        push_uuid(&mut b, &[0xab; 16], HEX_LOWER);
        assert_eq!(b, b"abababab-abab-abab-abab-abababababab");
    }
}
