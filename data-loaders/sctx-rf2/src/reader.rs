//! Reading tab-separated RF2 rows by header name.

use std::io::BufRead;

use crate::error::{Rf2Error, Rf2ErrorKind};
use crate::records::parse_uuid;

/// One row of a file, with helpers that parse fields and name the file, line, column and
/// value in their errors.
pub struct Row<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
    pub(crate) header: &'a [String],
    pub(crate) fields: &'a [&'a str],
    /// Per column, the last SCTID validated in it (see [`IdMemo`]).
    pub(crate) memo: &'a [std::cell::Cell<IdMemo>],
}

/// The last SCTID validated in one column, as text and value. Most id columns repeat
/// from row to row (module, refset, type, characteristic type, modifier, acceptability,
/// case significance): comparing at most 18 bytes skips the parse and Verhoeff check, which
/// was 6% of an import's CPU.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdMemo {
    len: u8,
    text: [u8; 18],
    value: u64,
}

impl<'a> Row<'a> {
    /// The raw text of column `i`.
    pub fn raw(&self, i: usize) -> &'a str {
        self.fields[i]
    }

    /// An error at column `i`.
    pub fn error(&self, i: usize, kind: impl Into<Rf2ErrorKind>) -> Rf2Error {
        Rf2Error {
            file: self.file.to_string(),
            line: Some(self.line),
            column: self.header.get(i).cloned(),
            value: self.fields.get(i).map(|s| s.to_string()),
            kind: kind.into(),
        }
    }

    /// Column `i` as a validated SCTID.
    pub fn sctid(&self, i: usize) -> Result<u64, Rf2Error> {
        let s = self.fields[i];
        let memo = self.memo.get(i);
        if let Some(m) = memo.map(std::cell::Cell::get)
            && m.len != 0
            && usize::from(m.len) == s.len()
            && m.text.get(..s.len()).is_some_and(|t| same_short(t, s.as_bytes()))
        {
            return Ok(m.value);
        }
        match sctx_types::SctId::parse(s) {
            Ok(id) => {
                if let Some(cell) = memo {
                    // SCTIDs are at most 18 digits (checked by the parse)
                    let mut m = IdMemo { len: s.len() as u8, value: id.get(), ..IdMemo::default() };
                    m.text[..s.len()].copy_from_slice(s.as_bytes());
                    cell.set(m);
                }
                Ok(id.get())
            }
            Err(e) => Err(self.error(i, e)),
        }
    }

    /// Column `i` as `0`/`1`.
    pub fn boolean(&self, i: usize) -> Result<bool, Rf2Error> {
        match self.fields[i] {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(self.error(i, Rf2ErrorKind::Boolean)),
        }
    }

    /// Column `i` as `YYYYMMDD` (blank = 0).
    pub fn date(&self, i: usize) -> Result<u32, Rf2Error> {
        sctx_types::EffectiveTime::parse(self.fields[i])
            .map(|t| t.0)
            .map_err(|_| self.error(i, Rf2ErrorKind::Date))
    }

    /// Column `i` as a UUID.
    pub fn uuid(&self, i: usize) -> Result<u128, Rf2Error> {
        parse_uuid(self.fields[i]).ok_or_else(|| self.error(i, Rf2ErrorKind::Uuid))
    }

    /// Column `i` as a signed integer.
    pub fn int(&self, i: usize) -> Result<i64, Rf2Error> {
        let s = self.fields[i];
        s.parse::<i32>().map(i64::from).map_err(|_| self.error(i, Rf2ErrorKind::Integer))
    }
}

/// `a == b` for two slices of the same length of at most 18 bytes (an SCTID), as two or
/// three overlapping 8-byte compares instead of a call to `memcmp` (most id columns hold a
/// new id on every row, of the same length as the last one).
fn same_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() || !(8..=24).contains(&n) {
        return a == b;
    }
    let word = |x: &[u8], i: usize| {
        x.get(i..i + 8).and_then(|w| w.try_into().ok()).map(u64::from_ne_bytes)
    };
    word(a, 0) == word(b, 0)
        && word(a, n - 8) == word(b, n - 8)
        && (n <= 16 || word(a, 8) == word(b, 8))
}

/// Reads the header, locates `required` columns (by exact name, case-insensitively as a
/// fallback) and calls `f` for every data row. Blank lines are skipped; a file whose only
/// content is `NOT USED` (a UK placeholder) yields no rows. Lines starting with `#` are
/// comments (never in real releases, but present in some public fixtures) and are skipped.
pub fn read_rows(
    file: &str,
    reader: &mut dyn BufRead,
    required: &[&str],
    mut f: impl FnMut(&Row<'_>, &[usize]) -> Result<(), Rf2Error>,
) -> Result<Vec<String>, Rf2Error> {
    // Rows are processed a block at a time: the block buffer and the per-row field slice
    // vector are reused, so a row costs no allocation here.
    const BLOCK: usize = 4 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + 4096);
    let mut line_no: u64 = 0;
    let mut header: Option<Vec<String>> = None;
    let mut cols: Vec<usize> = Vec::new();
    let mut memo: Vec<std::cell::Cell<IdMemo>> = Vec::new();
    let mut eof = false;
    let mut want = BLOCK;
    let io_err = |e: std::io::Error, line: u64| Rf2Error {
        file: file.to_string(),
        line: Some(line),
        column: None,
        value: None,
        kind: e.into(),
    };
    while !eof {
        // fill the buffer up to BLOCK bytes, or to the end of the input
        while buf.len() < want {
            let avail = reader.fill_buf().map_err(|e| io_err(e, line_no + 1))?;
            if avail.is_empty() {
                eof = true;
                break;
            }
            let take = avail.len().min(want - buf.len());
            buf.extend_from_slice(&avail[..take]);
            reader.consume(take);
        }
        // complete lines only (all of it at the end of the input)
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => p + 1,
                None => {
                    // a line longer than the block: read more
                    want = buf.len() + BLOCK;
                    continue;
                }
            }
        };
        want = BLOCK;
        {
            let mut parts: Vec<&str> = Vec::with_capacity(32);
            let mut rest: &[u8] = &buf[..end];
            while !rest.is_empty() {
                let (line, next) = match memchr::memchr(b'\n', rest) {
                    Some(p) => (&rest[..p], &rest[p + 1..]),
                    None => (rest, &rest[rest.len()..]),
                };
                rest = next;
                line_no += 1;
                let mut bytes = line;
                if line_no == 1 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    bytes = &bytes[3..];
                }
                while let Some((&last, r)) = bytes.split_last() {
                    if last == b'\n' || last == b'\r' {
                        bytes = r;
                    } else {
                        break;
                    }
                }
                if bytes.is_empty() || bytes[0] == b'#' {
                    continue;
                }
                let text = std::str::from_utf8(bytes).map_err(|_| Rf2Error {
                    file: file.to_string(),
                    line: Some(line_no),
                    column: None,
                    value: None,
                    kind: Rf2ErrorKind::Utf8,
                })?;
                match &header {
                    None => {
                        if text.trim() == "NOT USED" {
                            return Ok(Vec::new());
                        }
                        let h: Vec<String> =
                            text.split('\t').map(|s| s.trim().to_string()).collect();
                        for req in required {
                            let pos = h
                                .iter()
                                .position(|c| c == req)
                                .or_else(|| h.iter().position(|c| c.eq_ignore_ascii_case(req)));
                            match pos {
                                Some(p) => cols.push(p),
                                None => {
                                    return Err(Rf2Error {
                                        file: file.to_string(),
                                        line: Some(line_no),
                                        column: Some((*req).to_string()),
                                        value: None,
                                        kind: Rf2ErrorKind::MissingColumn,
                                    });
                                }
                            }
                        }
                        memo = vec![std::cell::Cell::new(IdMemo::default()); h.len()];
                        header = Some(h);
                    }
                    Some(h) => {
                        // fields by tab positions (memchr), cheaper than `str::split`
                        parts.clear();
                        let mut start = 0;
                        for tab in memchr::memchr_iter(b'\t', text.as_bytes()) {
                            // a tab is a char boundary: `get` never fails
                            parts.push(text.get(start..tab).unwrap_or_default());
                            start = tab + 1;
                        }
                        parts.push(text.get(start..).unwrap_or_default());
                        if parts.len() != h.len() {
                            // tolerate trailing empty columns being absent
                            if parts.len() < h.len()
                                && parts.len() >= cols.iter().max().map_or(0, |m| m + 1)
                            {
                                parts.resize(h.len(), "");
                            } else {
                                return Err(Rf2Error {
                                    file: file.to_string(),
                                    line: Some(line_no),
                                    column: None,
                                    value: Some(text.to_string()),
                                    kind: Rf2ErrorKind::FieldCount {
                                        expected: h.len(),
                                        found: parts.len(),
                                    },
                                });
                            }
                        }
                        let row =
                            Row { file, line: line_no, header: h, fields: &parts, memo: &memo };
                        f(&row, &cols)?;
                    }
                }
            }
        }
        buf.drain(..end);
    }
    Ok(header.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_short_compares_every_byte() {
        for n in 1..=24 {
            let a: Vec<u8> = (0..n).map(|i| b'0' + (i % 10) as u8).collect();
            assert!(same_short(&a, &a.clone()));
            for k in 0..n {
                let mut b = a.clone();
                b[k] = b'x';
                assert!(!same_short(&a, &b), "length {n}, byte {k}");
            }
        }
        assert!(!same_short(b"12345678", b"1234567"));
    }

    /// Fields are split at every tab, empty ones included.
    #[test]
    fn empty_fields_are_kept() {
        let text = "a\tb\tc\td\n1\t\t\t\n\t2\t\t3\n";
        let mut got = Vec::new();
        read_rows("f.txt", &mut text.as_bytes(), &["a", "d"], |row, _| {
            got.push(row.fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec![vec!["1", "", "", ""], vec!["", "2", "", "3"]]);
    }

    /// The per-column memo returns the value of a repeated id, and a different (invalid)
    /// id in the same column after a valid one is still refused, naming line and column.
    #[test]
    fn repeated_ids_are_memoized_and_bad_ids_still_fail() {
        let text = "id\tmoduleId\n\
                    22298006\t900000000000207008\n\
                    195967001\t900000000000207008\n\
                    80146002\t900000000000207009\n";
        let mut got = Vec::new();
        let err = read_rows("f.txt", &mut text.as_bytes(), &["id", "moduleId"], |row, c| {
            got.push((row.sctid(c[0])?, row.sctid(c[1])?));
            Ok(())
        })
        .expect_err("the last module id has a wrong check digit");
        assert_eq!(got, vec![(22298006, 900000000000207008), (195967001, 900000000000207008)]);
        assert_eq!(err.line, Some(4));
        assert_eq!(err.column.as_deref(), Some("moduleId"));
        assert_eq!(err.value.as_deref(), Some("900000000000207009"));
        // an empty id before any valid one in its column is refused (the empty memo is no
        // match)
        let text = "id\tmoduleId\n\t900000000000207008\n";
        let err = read_rows("f.txt", &mut text.as_bytes(), &["id", "moduleId"], |row, c| {
            row.sctid(c[0]).map(|_| ())
        })
        .expect_err("empty id");
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column.as_deref(), Some("id"));
    }
}
