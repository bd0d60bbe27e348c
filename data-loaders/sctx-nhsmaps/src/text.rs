//! Line splitting and per-line decoding (UTF-8 with a Windows-1252 fallback).

use std::borrow::Cow;

/// Windows-1252 code points for bytes 0x80..=0x9F (undefined bytes map to themselves, as
/// the WHATWG encoding standard does).
const CP1252_HIGH: [u32; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
];

/// Decodes bytes as UTF-8, or as Windows-1252 when they are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => {
                        char::from_u32(CP1252_HIGH[(b - 0x80) as usize]).unwrap_or('\u{FFFD}')
                    }
                    _ => b as char,
                })
                .collect(),
        ),
    }
}

/// Splits a file into lines on LF, dropping a trailing CR, a UTF-8 byte-order mark on the
/// first line and the empty remainder after a final line break. Yields 1-based line numbers.
pub fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let trimmed = data.strip_suffix(b"\n").unwrap_or(data);
    let empty = data.is_empty();
    trimmed
        .split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Calls `f` with each line of a file, numbered and split as [`lines`] does, decoded as
/// [`decode`] does. A file that is valid UTF-8 as a whole (the usual case) is checked once
/// and its lines are borrowed from it; otherwise each line is decoded on its own.
pub(crate) fn for_each_line<E>(
    data: &[u8],
    mut f: impl FnMut(usize, &str) -> Result<(), E>,
) -> Result<(), E> {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    match std::str::from_utf8(body) {
        Ok(text) => {
            // a line break never falls inside a UTF-8 sequence, so every line is valid too
            if text.is_empty() {
                return Ok(());
            }
            let trimmed = text.strip_suffix('\n').unwrap_or(text);
            for (i, l) in trimmed.split('\n').enumerate() {
                f(i + 1, l.strip_suffix('\r').unwrap_or(l))?;
            }
        }
        Err(_) => {
            for (line, bytes) in lines(data) {
                f(line, &decode(bytes))?;
            }
        }
    }
    Ok(())
}

/// Counts the line breaks in `data` (to size row vectors).
pub(crate) fn count_lines(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_and_cp1252() {
        assert_eq!(decode("Sjögren".as_bytes()), "Sjögren");
        assert_eq!(decode(b"Sj\xF6gren \x93x\x94"), "Sjögren \u{201C}x\u{201D}");
    }

    #[test]
    fn splits_crlf_and_lf() {
        let v: Vec<_> = lines(b"\xEF\xBB\xBFa\r\nb\nc\r\n").collect();
        assert_eq!(v, vec![(1, &b"a"[..]), (2, &b"b"[..]), (3, &b"c"[..])]);
        let v: Vec<_> = lines(b"a\nb").collect();
        assert_eq!(v.len(), 2);
        assert_eq!(lines(b"").count(), 0);
    }

    #[test]
    fn each_line_is_lines_then_decode() {
        for data in [
            &b"\xEF\xBB\xBFa\r\nb\nc\r\n"[..],
            b"a\nb",
            b"",
            b"\n",
            b"\r\n\r\n",
            b"x\r\r\ny",
            b"Sj\xC3\xB6gren\nb\n",
            b"\xEF\xBB\xBFSj\xF6gren\r\nSj\xC3\xB6gren\n\x93x\x94",
        ] {
            let want: Vec<(usize, String)> =
                lines(data).map(|(i, l)| (i, decode(l).into_owned())).collect();
            let mut got = Vec::new();
            for_each_line(data, |i, l| {
                got.push((i, l.to_string()));
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(got, want, "{data:?}");
        }
    }
}
