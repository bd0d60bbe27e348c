//! Parsers for each file kind.

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::NhsError;
use crate::source::{FileKind, SourceFile};
use crate::tables::*;
use crate::text::{count_lines, decode, for_each_line};

/// Error sink: strict mode fails on the first problem, lenient mode records it.
pub(crate) struct Sink<'a> {
    pub lenient: bool,
    pub warnings: &'a mut Vec<String>,
}

impl Sink<'_> {
    fn fail(&mut self, e: NhsError) -> Result<(), NhsError> {
        if self.lenient {
            self.warnings.push(e.to_string());
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// Normalises a MapId: braces stripped, upper case.
pub fn normalize_map_id(s: &str) -> String {
    // as `trim_start_matches('{').trim_end_matches('}')`, on bytes (both are ASCII)
    let t = trim(s);
    let b = t.as_bytes();
    let start = b.iter().position(|&c| c != b'{').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b'}').map_or(start, |e| e + 1).max(start);
    t.get(start..end).unwrap_or("").to_ascii_uppercase()
}

/// `str::trim`, answering at once when both ends are ASCII and not whitespace (as nearly
/// every field is).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Splits `text` on an ASCII separator into `out` (as `str::split` does), looking at eight
/// bytes at a time.
fn split_into<'a>(text: &'a str, sep: u8, out: &mut Vec<&'a str>) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let b = text.as_bytes();
    let pattern = ONES * u64::from(sep);
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let found = match b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            Some(w) => {
                // the lowest byte of `x` that is zero is the first separator (the bits above
                // it may be false, so the scan restarts after it)
                let x = u64::from_le_bytes(w) ^ pattern;
                let m = x.wrapping_sub(ONES) & !x & HIGHS;
                if m == 0 {
                    i += 8;
                    continue;
                }
                i + (m.trailing_zeros() / 8) as usize
            }
            None => match b[i..].iter().position(|&c| c == sep) {
                Some(p) => i + p,
                None => break,
            },
        };
        // an ASCII byte is always at a character boundary
        out.push(text.get(start..found).unwrap_or(""));
        start = found + 1;
        i = start;
    }
    out.push(text.get(start..).unwrap_or(""));
}

/// Parses a tolerant date: `YYYYMMDD`, `YYYY.MM.DD`, `YYYY-MM-DD`, optionally followed by a
/// time. Returns `yyyymmdd`.
pub fn parse_date(s: &str) -> Option<u32> {
    let s = trim(s);
    // the part before the first ' ' or 'T' (ASCII, so a byte search finds it)
    let date = match s.bytes().position(|b| b == b' ' || b == b'T') {
        Some(i) => s.get(..i).unwrap_or(""),
        None => s,
    };
    // the digits once `.`, `-` and `/` are dropped: exactly 8 ASCII digits
    let (mut v, mut n) = (0u32, 0usize);
    for &b in date.as_bytes() {
        match b {
            b'.' | b'-' | b'/' => {}
            b'0'..=b'9' if n < 8 => {
                v = v * 10 + u32::from(b - b'0');
                n += 1;
            }
            _ => return None,
        }
    }
    if n != 8 {
        return None;
    }
    let (m, d) = ((v / 100) % 100, v % 100);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(v)
}

fn parse_bool(s: &str) -> Option<Option<bool>> {
    match s.trim() {
        "" => Some(None),
        "1" | "Y" | "y" | "T" | "t" | "true" | "TRUE" => Some(Some(true)),
        "0" | "N" | "n" | "F" | "f" | "false" | "FALSE" => Some(Some(false)),
        _ => None,
    }
}

fn parse_sct_target(concept: &str, description: Option<&str>) -> Result<SctTarget, &'static str> {
    let c = trim(concept);
    match c {
        "_DRUG" => return Ok(SctTarget::Drug),
        "_NONE" | "" => return Ok(SctTarget::None),
        _ => {}
    }
    let concept = parse_id(c).ok_or("not a SNOMED CT concept id")?;
    let description = match description.map(trim) {
        None | Some("") | Some("_DRUG") | Some("_NONE") => None,
        Some(d) => Some(parse_id(d).ok_or("not a SNOMED CT description id")?),
    };
    Ok(SctTarget::Concept { concept, description })
}

fn parse_id(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 18 || s.starts_with('0') {
        return None;
    }
    // at most 18 digits: no overflow
    let mut v = 0u64;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// A header row, names compared case-insensitively.
struct Header {
    names: Vec<String>,
    raw: String,
}

impl Header {
    fn new(line: &str) -> Header {
        Header {
            names: line.split('\t').map(|s| s.trim().to_ascii_lowercase()).collect(),
            raw: line.to_string(),
        }
    }
    fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| self.names.iter().position(|n| n == a))
    }
    fn require(&self, file: &str, aliases: &[&str]) -> Result<usize, NhsError> {
        self.find(aliases).ok_or_else(|| NhsError::MissingColumn {
            file: file.to_string(),
            column: aliases[0].to_string(),
            header: self.raw.clone(),
        })
    }
}

/// One row before versioning.
struct Versioned<T> {
    map_id: String,
    effective: u32,
    status: i64,
    order: usize,
    row: T,
}

/// Latest row per MapId at or before `as_of`, then only rows whose status is > 0. Rows on
/// the same date: the later one in the input wins.
#[cfg(test)]
fn resolve<T>(rows: Vec<Versioned<T>>, as_of: Option<u32>) -> Vec<T> {
    resolve_with(rows, as_of, |_, row| row)
}

/// [`resolve`], handing each kept row its MapId (`finish(map_id, row)`), in input order.
fn resolve_with<T, U>(
    rows: Vec<Versioned<T>>,
    as_of: Option<u32>,
    mut finish: impl FnMut(String, T) -> U,
) -> Vec<U> {
    let mut keep = vec![false; rows.len()];
    {
        let mut best: FxHashMap<&str, usize> =
            FxHashMap::with_capacity_and_hasher(rows.len(), Default::default());
        for (i, r) in rows.iter().enumerate() {
            if as_of.is_some_and(|d| r.effective > d) {
                continue;
            }
            match best.entry(r.map_id.as_str()) {
                Entry::Occupied(mut e) => {
                    let b = &rows[*e.get()];
                    if (b.effective, b.order) <= (r.effective, r.order) {
                        e.insert(i);
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        for i in best.into_values() {
            if rows[i].status > 0 {
                keep[i] = true;
            }
        }
    }
    rows.into_iter().zip(keep).filter(|(_, k)| *k).map(|(v, _)| finish(v.map_id, v.row)).collect()
}

/// Empties a field buffer so that it can hold slices of another line (keeps its allocation).
fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|_| "").collect()
}

/// Column indices shared by the map files.
struct MapCols {
    map_id: usize,
    effective: usize,
    status: usize,
    assured: Option<usize>,
}

fn field<'a>(fields: &'a [&'a str], i: usize) -> &'a str {
    trim(fields.get(i).copied().unwrap_or(""))
}

struct RowCtx<'a> {
    file: &'a str,
    line: usize,
    header: &'a Header,
}

impl RowCtx<'_> {
    fn bad(&self, col: usize, value: &str, reason: &str) -> NhsError {
        NhsError::BadValue {
            file: self.file.to_string(),
            line: self.line,
            column: self.header.names.get(col).cloned().unwrap_or_else(|| format!("#{}", col + 1)),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
}

fn common(
    ctx: &RowCtx<'_>,
    fields: &[&str],
    cols: &MapCols,
) -> Result<(String, u32, i64, Option<bool>), NhsError> {
    let id = field(fields, cols.map_id);
    if id.is_empty() {
        return Err(ctx.bad(cols.map_id, id, "empty MapId"));
    }
    let eff_s = field(fields, cols.effective);
    let effective =
        parse_date(eff_s).ok_or_else(|| ctx.bad(cols.effective, eff_s, "not a date"))?;
    let st = field(fields, cols.status);
    let status: i64 =
        st.parse().map_err(|_| ctx.bad(cols.status, st, "not an integer map status"))?;
    let assured = match cols.assured {
        Some(c) => {
            let a = field(fields, c);
            parse_bool(a).ok_or_else(|| ctx.bad(c, a, "not 0/1"))?
        }
        None => None,
    };
    Ok((normalize_map_id(id), effective, status, assured))
}

fn check_code(ctx: &RowCtx<'_>, col: usize, v: &str) -> Result<(), NhsError> {
    if is_code(v) { Ok(()) } else { Err(ctx.bad(col, v, "not a 5-character Read v2/CTV3 code")) }
}

/// Parses the data rows of a map file, calling `row` for each (with its fields), after the
/// header. Row errors go to the sink.
fn for_rows<C>(
    f: &SourceFile,
    sink: &mut Sink<'_>,
    setup: impl FnOnce(&Header) -> Result<C, NhsError>,
    mut row: impl FnMut(&RowCtx<'_>, &C, &[&str]) -> Result<(), NhsError>,
) -> Result<usize, NhsError> {
    let mut setup = Some(setup);
    let mut head: Option<(Header, C)> = None;
    let mut buf: Vec<&str> = Vec::new();
    let mut n = 0;
    for_each_line(&f.data, |line, text| {
        if line == 1 {
            let header = Header::new(text);
            if let Some(setup) = setup.take() {
                let cols = setup(&header)?;
                head = Some((header, cols));
            }
            return Ok(());
        }
        let Some((header, cols)) = &head else { return Ok(()) };
        if text.bytes().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        n += 1;
        let mut fields = recycle(std::mem::take(&mut buf));
        split_into(text, b'\t', &mut fields);
        let ctx = RowCtx { file: &f.display, line, header };
        if fields.len() < header.names.len().min(5) {
            sink.fail(NhsError::ShortRow {
                file: f.display.clone(),
                line,
                expected: header.names.len(),
                found: fields.len(),
            })?;
        } else if let Err(e) = row(&ctx, cols, &fields) {
            sink.fail(e)?;
        }
        buf = recycle(fields);
        Ok(())
    })?;
    Ok(n)
}

/// Reads `rcsctmap2_uk`, `rcsctmap_uk` or `ctv3sctmap2_uk` files.
pub(crate) fn sct_maps(
    files: &[&SourceFile],
    kind: FileKind,
    as_of: Option<u32>,
    sink: &mut Sink<'_>,
    summaries: &mut Vec<FileSummary>,
) -> Result<Vec<SctMap>, NhsError> {
    let mut all = Vec::new();
    for f in files {
        let start = all.len();
        all.reserve(count_lines(&f.data));
        let file = &f.display;
        let setup = |h: &Header| -> Result<_, NhsError> {
            let ctv3 = kind == FileKind::Ctv3Sct;
            let cols = MapCols {
                map_id: h.require(file, &["mapid"])?,
                effective: h.require(file, &["effectivedate", "effective_date"])?,
                status: h.require(file, &["mapstatus", "map_status"])?,
                assured: if kind == FileKind::ReadSctNca {
                    h.find(&["is_assured", "isassured"])
                } else {
                    Some(h.require(file, &["is_assured", "isassured"])?)
                },
            };
            let (code, term, concept, desc, ttype) = if ctv3 {
                (
                    h.require(file, &["ctv3_conceptid"])?,
                    h.require(file, &["ctv3_termid"])?,
                    h.require(file, &["sct_conceptid"])?,
                    h.find(&["sct_descriptionid"]),
                    h.find(&["ctv3_termtype", "ctv3_termtyp"]),
                )
            } else {
                (
                    h.require(file, &["readcode", "read_code"])?,
                    h.require(file, &["termcode", "term_code"])?,
                    h.require(file, &["conceptid", "concept_id"])?,
                    h.find(&["descriptionid", "description_id"]),
                    None,
                )
            };
            Ok((cols, [code, term, concept], desc, ttype))
        };
        let rows = for_rows(f, sink, setup, |ctx, c, fields| {
            let (cols, [code_c, term_c, concept_c], desc_c, ttype_c) = c;
            let (map_id, effective, status, assured) = common(ctx, fields, cols)?;
            let code = field(fields, *code_c);
            check_code(ctx, *code_c, code)?;
            let term = field(fields, *term_c);
            let term_ok = match kind {
                FileKind::Ctv3Sct => term.is_empty() || is_ctv3_term_id(term),
                _ => term.is_empty() || is_read_term_code(term),
            };
            if !term_ok {
                return Err(ctx.bad(*term_c, term, "not a term code"));
            }
            let concept = field(fields, *concept_c);
            let desc = desc_c.map(|c| field(fields, c));
            let target =
                parse_sct_target(concept, desc).map_err(|r| ctx.bad(*concept_c, concept, r))?;
            let term_type = ttype_c.and_then(|c| TermType::parse(field(fields, c)));
            all.push(Versioned {
                map_id,
                effective,
                status,
                order: all.len(),
                row: SctMap {
                    map_id: String::new(),
                    code: code.to_string(),
                    term: term.to_string(),
                    term_type,
                    target,
                    assured,
                    effective,
                    source: kind,
                },
            });
            Ok(())
        })?;
        summaries.push(FileSummary {
            kind,
            path: f.display.clone(),
            rows,
            kept: all.len() - start,
        });
    }
    let out = resolve_with(all, as_of, |map_id, row| SctMap { map_id, ..row });
    if let Some(last) = summaries.last_mut() {
        // the resolved count is reported on the last file of the kind
        last.kept = out.len();
    }
    Ok(out)
}

/// Reads `rctctv3map_uk` (Read v2 → CTV3) or `ctv3rctmap_uk` (CTV3 → Read v2) files.
pub(crate) fn legacy_maps(
    files: &[&SourceFile],
    kind: FileKind,
    as_of: Option<u32>,
    sink: &mut Sink<'_>,
    summaries: &mut Vec<FileSummary>,
) -> Result<Vec<LegacyMap>, NhsError> {
    let forward = kind == FileKind::ReadCtv3;
    let mut all = Vec::new();
    for f in files {
        let start = all.len();
        all.reserve(count_lines(&f.data));
        let file = &f.display;
        let setup = |h: &Header| -> Result<_, NhsError> {
            let cols = MapCols {
                map_id: h.require(file, &["mapid"])?,
                effective: h.require(file, &["effectivedate", "effective_date"])?,
                status: h.require(file, &["mapstatus", "map_status"])?,
                assured: h.find(&["is_assured", "isassured"]),
            };
            let v2c = h.require(file, &["v2_conceptid"])?;
            let v2t = h.require(file, &["v2_termid"])?;
            let c3c = h.require(file, &["ctv3_conceptid"])?;
            let c3t = h.require(file, &["ctv3_termid"])?;
            let ttype = h.find(&["ctv3_termtype", "ctv3_termtyp"]);
            let use_t =
                if forward { h.find(&["use_ctv3_termid"]) } else { h.find(&["use_v2_termid"]) };
            let maptyp = h.find(&["maptyp", "maptype"]);
            let idx = if forward { [v2c, v2t, c3c, c3t] } else { [c3c, c3t, v2c, v2t] };
            Ok((cols, idx, ttype, use_t, maptyp))
        };
        let rows = for_rows(f, sink, setup, |ctx, c, fields| {
            let (cols, [sc, st, tc, tt], ttype, use_t, maptyp) = c;
            let (map_id, effective, status, assured) = common(ctx, fields, cols)?;
            let code = field(fields, *sc);
            check_code(ctx, *sc, code)?;
            let term = field(fields, *st);
            let tcode = field(fields, *tc);
            let target = match tcode {
                "_DRUG" => LegacyTarget::Drug,
                "_NONE" | "" => LegacyTarget::None,
                c => {
                    check_code(ctx, *tc, c)?;
                    LegacyTarget::Code { code: c.to_string(), term: field(fields, *tt).to_string() }
                }
            };
            all.push(Versioned {
                map_id,
                effective,
                status,
                order: all.len(),
                row: LegacyMap {
                    map_id: String::new(),
                    code: code.to_string(),
                    term: term.to_string(),
                    term_type: ttype.and_then(|c| TermType::parse(field(fields, c))),
                    target,
                    use_term: use_t.is_some_and(|c| matches!(field(fields, c), "Y" | "y" | "1")),
                    map_type: maptyp.map(|c| field(fields, c).to_string()).unwrap_or_default(),
                    assured,
                    effective,
                },
            });
            Ok(())
        })?;
        summaries.push(FileSummary {
            kind,
            path: f.display.clone(),
            rows,
            kept: all.len() - start,
        });
    }
    let out = resolve_with(all, as_of, |map_id, row| LegacyMap { map_id, ..row });
    if let Some(last) = summaries.last_mut() {
        last.kept = out.len();
    }
    Ok(out)
}

/// Reads `codesWithValues_AlternateMaps_*` files (positional: code, term, concept,
/// description, use; a header row is recognised by a non-numeric concept column).
pub(crate) fn alternates(
    files: &[&SourceFile],
    kind: FileKind,
    sink: &mut Sink<'_>,
    summaries: &mut Vec<FileSummary>,
) -> Result<Vec<AlternateMap>, NhsError> {
    let mut out = Vec::new();
    for f in files {
        let start = out.len();
        let mut rows = 0;
        let header = Header::new("code\tterm\tconceptid\tdescriptionid\tuse");
        for_each_line(&f.data, |line, text| {
            let fields: Vec<&str> = text.split('\t').collect();
            if line == 1 && parse_id(field(&fields, 2)).is_none() {
                return Ok(());
            }
            if text.trim().is_empty() {
                return Ok(());
            }
            rows += 1;
            let ctx = RowCtx { file: &f.display, line, header: &header };
            let r = (|| {
                if fields.len() < 3 {
                    return Err(NhsError::ShortRow {
                        file: f.display.clone(),
                        line,
                        expected: 3,
                        found: fields.len(),
                    });
                }
                let code = field(&fields, 0);
                check_code(&ctx, 0, code)?;
                let c = field(&fields, 2);
                let concept = parse_id(c).ok_or_else(|| ctx.bad(2, c, "not a concept id"))?;
                let d = field(&fields, 3);
                Ok(AlternateMap {
                    code: code.to_string(),
                    term: field(&fields, 1).to_string(),
                    concept,
                    description: parse_id(d),
                    use_alternate: matches!(field(&fields, 4), "Y" | "y" | "1"),
                })
            })();
            match r {
                Ok(a) => out.push(a),
                Err(e) => sink.fail(e)?,
            }
            Ok(())
        })?;
        summaries.push(FileSummary {
            kind,
            path: f.display.clone(),
            rows,
            kept: out.len() - start,
        });
    }
    Ok(out)
}

fn csv_records(
    f: &SourceFile,
    sink: &mut Sink<'_>,
    mut each: impl FnMut(usize, &[Cow<'_, str>]) -> Result<(), NhsError>,
) -> Result<usize, NhsError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        // LF as the terminator keeps line numbers right for CRLF files (fields are trimmed)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(f.data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&f.data));
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                let fields: Vec<Cow<'_, str>> = rec.iter().map(decode).collect();
                if fields.iter().all(|s| s.trim().is_empty()) {
                    continue;
                }
                n += 1;
                if let Err(e) = each(line, &fields) {
                    sink.fail(e)?;
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                sink.fail(NhsError::Csv { file: f.display.clone(), line, reason: e.to_string() })?;
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break;
                }
            }
        }
    }
    Ok(n)
}

fn cf<'a>(fields: &'a [Cow<'_, str>], i: usize) -> &'a str {
    fields.get(i).map(|s| s.trim()).unwrap_or("")
}

/// Reads `Corev2.all` (term code `00`) and `Keyv2.all` rows into Read v2 terms.
pub(crate) fn read_terms(
    files: &[&SourceFile],
    sink: &mut Sink<'_>,
    summaries: &mut Vec<FileSummary>,
) -> Result<Vec<ReadTerm>, NhsError> {
    let mut out: Vec<ReadTerm> = Vec::new();
    // code (5 bytes) and term code (2 bytes, both checked below) packed into one integer
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    // Corev2 first so its preferred terms win.
    let mut ordered: Vec<&&SourceFile> = files.iter().collect();
    ordered.sort_by_key(|f| f.kind != FileKind::Corev2);
    for f in ordered {
        let start = out.len();
        let core = f.kind == FileKind::Corev2;
        let (code_i, tc_i, t30_i) = if core { (0, usize::MAX, 1) } else { (7, 5, 2) };
        let rows = csv_records(f, sink, |line, fields| {
            let code = cf(fields, code_i);
            let bad = |col: usize, v: &str, reason: &str| NhsError::BadValue {
                file: f.display.clone(),
                line,
                column: format!("#{}", col + 1),
                value: v.to_string(),
                reason: reason.to_string(),
            };
            if !is_code(code) {
                if line <= 1 {
                    return Ok(()); // a header row
                }
                if fields.len() <= code_i {
                    return Err(NhsError::ShortRow {
                        file: f.display.clone(),
                        line,
                        expected: code_i + 1,
                        found: fields.len(),
                    });
                }
                return Err(bad(code_i, code, "not a 5-character Read v2 code"));
            }
            let term_code = if core { "00" } else { cf(fields, tc_i) };
            if !is_read_term_code(term_code) {
                return Err(bad(tc_i, term_code, "not a 2-character term code"));
            }
            let key =
                code.bytes().chain(term_code.bytes()).fold(0u64, |k, b| k << 8 | u64::from(b));
            if !seen.insert(key) {
                return Ok(());
            }
            out.push(ReadTerm {
                code: code.to_string(),
                term_code: term_code.to_string(),
                term30: cf(fields, t30_i).to_string(),
                term60: cf(fields, t30_i + 1).to_string(),
                term198: cf(fields, t30_i + 2).to_string(),
            });
            Ok(())
        })?;
        summaries.push(FileSummary {
            kind: f.kind,
            path: f.display.clone(),
            rows,
            kept: out.len() - start,
        });
    }
    Ok(out)
}

fn pipe_rows(
    f: &SourceFile,
    min_fields: usize,
    sink: &mut Sink<'_>,
    mut each: impl FnMut(&RowCtx<'_>, &[&str]) -> Result<(), NhsError>,
) -> Result<usize, NhsError> {
    let header = Header { names: Vec::new(), raw: String::new() };
    let mut n = 0;
    let mut buf: Vec<&str> = Vec::new();
    for_each_line(&f.data, |line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        n += 1;
        let mut fields = recycle(std::mem::take(&mut buf));
        split_into(text, b'|', &mut fields);
        if fields.len() < min_fields {
            sink.fail(NhsError::ShortRow {
                file: f.display.clone(),
                line,
                expected: min_fields,
                found: fields.len(),
            })?;
        } else {
            let ctx = RowCtx { file: &f.display, line, header: &header };
            if let Err(e) = each(&ctx, &fields) {
                sink.fail(e)?;
            }
        }
        buf = recycle(fields);
        Ok(())
    })?;
    Ok(n)
}

fn status_char(s: &str) -> char {
    s.trim().chars().next().unwrap_or('C')
}

/// Reads the CTV3 `V3/` files into `tables`.
pub(crate) fn ctv3_files(
    files: &[&SourceFile],
    tables: &mut NhsTables,
    sink: &mut Sink<'_>,
) -> Result<(), NhsError> {
    for f in files {
        let kept_before = match f.kind {
            FileKind::Ctv3Concept => tables.ctv3_concepts.len(),
            FileKind::Ctv3Descrip => tables.ctv3_descriptions.len(),
            FileKind::Ctv3Terms => tables.ctv3_terms.len(),
            _ => tables.ctv3_hierarchy.len(),
        };
        let rows = match f.kind {
            FileKind::Ctv3Concept => pipe_rows(f, 2, sink, |ctx, x| {
                let code = field(x, 0);
                check_code(ctx, 0, code)?;
                tables
                    .ctv3_concepts
                    .push(Ctv3Concept { code: code.to_string(), status: status_char(field(x, 1)) });
                Ok(())
            })?,
            FileKind::Ctv3Descrip => pipe_rows(f, 3, sink, |ctx, x| {
                let code = field(x, 0);
                check_code(ctx, 0, code)?;
                let tid = field(x, 1);
                if !is_ctv3_term_id(tid) {
                    return Err(ctx.bad(1, tid, "not a CTV3 term id"));
                }
                let tt = field(x, 2);
                let term_type = TermType::parse(tt).ok_or_else(|| ctx.bad(2, tt, "not P or S"))?;
                tables.ctv3_descriptions.push(Ctv3Description {
                    code: code.to_string(),
                    term_id: tid.to_string(),
                    term_type,
                });
                Ok(())
            })?,
            FileKind::Ctv3Terms => pipe_rows(f, 3, sink, |ctx, x| {
                let tid = field(x, 0);
                if !is_ctv3_term_id(tid) {
                    return Err(ctx.bad(0, tid, "not a CTV3 term id"));
                }
                tables.ctv3_terms.push(Ctv3Term {
                    term_id: tid.to_string(),
                    status: status_char(field(x, 1)),
                    term30: field(x, 2).to_string(),
                    term60: field(x, 3).to_string(),
                    term198: field(x, 4).to_string(),
                });
                Ok(())
            })?,
            _ => pipe_rows(f, 2, sink, |ctx, x| {
                let (c, p) = (field(x, 0), field(x, 1));
                check_code(ctx, 0, c)?;
                check_code(ctx, 1, p)?;
                let o = field(x, 2);
                tables.ctv3_hierarchy.push(Ctv3Parent {
                    child: c.to_string(),
                    parent: p.to_string(),
                    order: o.parse().unwrap_or(0),
                });
                Ok(())
            })?,
        };
        let kept_after = match f.kind {
            FileKind::Ctv3Concept => tables.ctv3_concepts.len(),
            FileKind::Ctv3Descrip => tables.ctv3_descriptions.len(),
            FileKind::Ctv3Terms => tables.ctv3_terms.len(),
            _ => tables.ctv3_hierarchy.len(),
        };
        tables.files.push(FileSummary {
            kind: f.kind,
            path: f.display.clone(),
            rows,
            kept: kept_after - kept_before,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ids() {
        assert_eq!(parse_date("20200401"), Some(20200401));
        assert_eq!(parse_date("2020.04.01"), Some(20200401));
        assert_eq!(parse_date("2020-04-01 00:00:00"), Some(20200401));
        assert_eq!(parse_date("2020041"), None);
        assert_eq!(parse_date("20201301"), None);
        assert_eq!(normalize_map_id("{ab-c}"), "AB-C");
        assert_eq!(parse_sct_target("_DRUG", Some("_DRUG")), Ok(SctTarget::Drug));
        assert!(parse_sct_target("12x", None).is_err());
    }

    #[test]
    fn split_into_is_str_split() {
        let mut words = vec![String::new()];
        for s in ["a\tb", "\t", "\t\t", "abcdefgh\tijklmnop\t", "{5F62-3DF1}|x|}||"] {
            words.push(s.to_string());
        }
        // separators at every offset, next to `}` (`|` ^ 1) and `\x08` (tab ^ 1), and non-ASCII
        for n in 0..40 {
            for sep in ['\t', '|'] {
                let w: String = (0..n)
                    .map(|i| match (i * 7 + n) % 5 {
                        0 => sep,
                        1 => '}',
                        2 => '\u{8}',
                        3 => 'é',
                        _ => 'x',
                    })
                    .collect();
                words.push(w);
            }
        }
        for w in &words {
            for sep in [b'\t', b'|'] {
                let mut got = Vec::new();
                split_into(w, sep, &mut got);
                let want: Vec<&str> = w.split(sep as char).collect();
                assert_eq!(got, want, "{w:?}");
            }
        }
    }

    #[test]
    fn latest_row_then_status() {
        let v = |id: &str, e: u32, s: i64, o: usize| Versioned {
            map_id: id.into(),
            effective: e,
            status: s,
            order: o,
            row: (id.to_string(), e),
        };
        let rows = vec![
            v("A", 20100401, 1, 0),
            v("A", 20150401, 0, 1),
            v("A", 20180401, 1, 2),
            v("B", 20170401, 0, 3),
            v("B", 20100401, 1, 4),
        ];
        let got = resolve(rows, None);
        assert_eq!(got, vec![("A".to_string(), 20180401)]);
        let rows = vec![
            v("A", 20100401, 1, 0),
            v("A", 20150401, 0, 1),
            v("A", 20180401, 1, 2),
            v("B", 20100401, 1, 3),
            v("B", 20170401, 0, 4),
        ];
        let got = resolve(rows, Some(20160101));
        assert_eq!(got, vec![("B".to_string(), 20100401)]);
    }
}
