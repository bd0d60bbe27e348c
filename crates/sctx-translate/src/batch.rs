//! Streaming batch translation of CSV / TSV files.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::Instant;

use rustc_hash::FxHashMap;
use sctx_types::{SctId, ids};

use crate::compiled::LegacySystem;
use crate::engine::{LegacyKey, Translator, parse_legacy};
use crate::error::TranslateError;
use crate::result::*;

/// CSV or TSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated, RFC 4180 quoting.
    Csv,
    /// Tab-separated.
    Tsv,
}

impl Format {
    /// From a file name: `.csv` → CSV; `.tsv`, `.tab`, `.txt` → TSV.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "tsv" | "tab" | "txt" => Some(Format::Tsv),
            _ => None,
        }
    }
    /// From the first line: a TAB means TSV, otherwise CSV.
    pub fn sniff(first_line: &[u8]) -> Format {
        if first_line.contains(&b'\t') { Format::Tsv } else { Format::Csv }
    }
    fn delimiter(self) -> u8 {
        match self {
            Format::Csv => b',',
            Format::Tsv => b'\t',
        }
    }
}

/// Which input column holds the codes: a header name (case-insensitive) or a 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Column {
    /// 1-based column number.
    Index(usize),
    /// Header name.
    Name(String),
}

impl std::str::FromStr for Column {
    type Err = std::convert::Infallible;
    /// A positive number is a column number, anything else a header name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().parse::<usize>() {
            Ok(n) if n > 0 => Column::Index(n),
            _ => Column::Name(s.trim().to_string()),
        })
    }
}

/// Options of [`translate_batch`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BatchOptions {
    /// Source system (`readv2`, `ctv3`, `sct`).
    pub from: System,
    /// Target system (`sct`, `readv2`, `ctv3`, `icd10`).
    pub to: System,
    /// The code column (default: the first).
    #[serde(default)]
    pub column: Option<Column>,
    /// The term code column (default: a header named `term_code`, `termcode`, `term_id`,
    /// `termid`, `ctv3_termid` or `v2_termid`, when there is a header).
    #[serde(default)]
    pub term_column: Option<Column>,
    /// Input format (default: sniffed from the first line).
    #[serde(default)]
    pub input_format: Option<Format>,
    /// Output format (default: the input format).
    #[serde(default)]
    pub output_format: Option<Format>,
    /// Whether the input has a header row (default: detected; always true with a named
    /// column).
    #[serde(default)]
    pub has_header: Option<bool>,
    /// Walk up the legacy hierarchy (ICD-10: SNOMED CT is-a) when there is no map.
    #[serde(default)]
    pub broader: bool,
    /// ICD-10 map refset (default 447562003; 999002271000000101 for the UK map).
    #[serde(default)]
    pub map_refset: Option<SctId>,
    /// ICD-10 rule context applied to every row.
    #[serde(default)]
    pub context: MapContext,
    /// At most this many unmapped codes and invalid rows are listed in the report
    /// (default 10,000); counts are always complete.
    #[serde(default)]
    pub max_listed: Option<usize>,
}

impl BatchOptions {
    /// Defaults for a direction.
    pub fn new(from: System, to: System) -> BatchOptions {
        BatchOptions {
            from,
            to,
            column: None,
            term_column: None,
            input_format: None,
            output_format: None,
            has_header: None,
            broader: false,
            map_refset: None,
            context: MapContext::default(),
            max_listed: None,
        }
    }
}

/// An input row that could not be read as a code (kept in the output as `invalid-code`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InvalidRow {
    /// 1-based input line.
    pub line: u64,
    /// The value read.
    pub value: String,
    /// Why it is invalid.
    pub reason: String,
}

/// A distinct code without a map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnmappedCode {
    /// Code (normalised).
    pub code: String,
    /// Term code, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_code: Option<String>,
    /// Rows with it.
    pub count: u64,
    /// First input line with it.
    pub first_line: u64,
}

/// The summary of a batch (written as JSON by `--report`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchReport {
    /// Source system.
    pub from: System,
    /// Target system.
    pub to: System,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows per status (every status listed, zeros included).
    pub counts: BTreeMap<String, u64>,
    /// Distinct unmapped codes, in order of first appearance.
    pub unmapped: Vec<UnmappedCode>,
    /// Invalid rows.
    pub invalid: Vec<InvalidRow>,
    /// True when a list was cut at `max_listed`.
    pub truncated: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Throughput.
    pub rows_per_second: f64,
}

/// The output columns, in order.
pub const OUTPUT_COLUMNS: [&str; 9] = [
    "source_code",
    "term_code",
    "source_term",
    "target_concept",
    "target_description",
    "target_preferred_term",
    "status",
    "assured",
    "notes",
];

#[derive(Clone, Copy)]
enum CacheKey {
    Legacy(LegacyKey),
    Sct(u64),
}

impl CacheKey {
    /// A compact hash key: code (5 bytes), term (5), term length, kind.
    fn packed(&self) -> u128 {
        match self {
            CacheKey::Legacy(k) => {
                let mut b = [0u8; 16];
                b[..5].copy_from_slice(&k.code);
                if let Some(t) = k.term {
                    b[5..10].copy_from_slice(&t.bytes);
                    b[10] = t.len;
                }
                b[11] = 1;
                u128::from_le_bytes(b)
            }
            CacheKey::Sct(id) => (2u128 << 88) | *id as u128,
        }
    }
}

struct Cached {
    bytes: Box<[u8]>,
    status: Status,
}

/// Renders output rows: RFC 4180 quoting where needed (a field holding the delimiter, a
/// quote, CR or LF is quoted, quotes doubled), CRLF line ends.
struct Renderer {
    delim: u8,
}

impl Renderer {
    fn new(f: Format) -> Renderer {
        Renderer { delim: f.delimiter() }
    }
    fn push_field(&self, out: &mut Vec<u8>, f: &[u8]) {
        if f.iter().any(|&b| b == self.delim || b == b'"' || b == b'\r' || b == b'\n') {
            out.push(b'"');
            for &b in f {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(f);
        }
    }
    fn row(&mut self, fields: &[&str]) -> Box<[u8]> {
        let mut v = Vec::with_capacity(fields.iter().map(|f| f.len() + 1).sum::<usize>() + 8);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                v.push(self.delim);
            }
            self.push_field(&mut v, f.as_bytes());
        }
        v.extend_from_slice(b"\r\n");
        v.into_boxed_slice()
    }
}

fn join(v: impl Iterator<Item = String>, sep: &str) -> String {
    v.collect::<Vec<_>>().join(sep)
}

fn assured_str(a: Option<bool>) -> &'static str {
    match a {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// The 9 output fields of a code translation (consumes it: single targets move their
/// strings instead of copying them).
fn translation_fields(t: Translation) -> [String; 9] {
    let legacy_target = matches!(t.to, System::ReadV2 | System::Ctv3);
    let Translation { source, status, mut targets, method, mut notes, .. } = t;
    let (target, desc, pref) = if targets.len() == 1 {
        let x = targets.pop().unwrap_or_else(|| unreachable!());
        let mut code = x.code;
        if legacy_target {
            code.push_str(x.term_code.as_deref().unwrap_or(""));
        }
        (code, x.description.unwrap_or_default(), x.preferred_term.unwrap_or_default())
    } else {
        let target = join(
            targets.iter().map(|x| {
                if legacy_target {
                    format!("{}{}", x.code, x.term_code.as_deref().unwrap_or(""))
                } else {
                    x.code.clone()
                }
            }),
            "|",
        );
        let desc = join(targets.iter().map(|x| x.description.clone().unwrap_or_default()), " | ");
        let pref =
            join(targets.iter().map(|x| x.preferred_term.clone().unwrap_or_default()), " | ");
        let blank =
            |s: String| if s.trim_matches([' ', '|']).is_empty() { String::new() } else { s };
        (target, blank(desc), blank(pref))
    };
    for h in &method.history {
        notes.push(format!("{} {} {}", h.from, h.association, h.to));
    }
    if method.derived {
        notes.retain(|n| !n.starts_with("reverse map derived"));
        notes.push("derived reverse map".into());
    }
    [
        source.code,
        source.term_code.unwrap_or_default(),
        source.term.unwrap_or_default(),
        target,
        desc,
        pref,
        status.as_str().to_string(),
        assured_str(method.assured).to_string(),
        if notes.is_empty() { String::new() } else { notes.join("; ") },
    ]
}

fn map_fields(m: &MapResult, source_term: Option<&str>) -> [String; 9] {
    let codes = join(m.groups.iter().filter_map(|g| g.target.clone()), " + ");
    let advice = join(m.groups.iter().filter_map(|g| g.advice.clone()), " + ");
    let mut notes = m.notes.clone();
    if m.blocks.len() > 1 {
        for b in &m.blocks[1..] {
            notes.push(format!(
                "block {}: {}",
                b.block,
                join(b.groups.iter().filter_map(|g| g.target.clone()), " + ")
            ));
        }
    }
    [
        m.concept.to_string(),
        String::new(),
        source_term.unwrap_or("").to_string(),
        codes,
        advice,
        String::new(),
        m.status.as_str().to_string(),
        String::new(),
        notes.join("; "),
    ]
}

impl Translator<'_> {
    fn check_direction(&self, from: System, to: System) -> Result<(), TranslateError> {
        let ok = matches!(
            (from, to),
            (System::ReadV2 | System::Ctv3, System::Sct)
                | (System::ReadV2, System::Ctv3)
                | (System::Ctv3, System::ReadV2)
                | (System::Sct, System::ReadV2 | System::Ctv3 | System::Icd10)
        );
        if !ok {
            return Err(TranslateError::Unsupported { from: from.to_string(), to: to.to_string() });
        }
        if matches!(from, System::ReadV2) && self.legacy.is_none() {
            return Err(TranslateError::NoLegacyTables);
        }
        Ok(())
    }

    /// Translates one request (the HTTP single-code route).
    pub fn translate(&self, req: &TranslateRequest) -> Result<TranslateResponse, TranslateError> {
        self.check_direction(req.from, req.to)?;
        let term = req.term_code.as_deref();
        Ok(match (req.from, req.to) {
            (System::ReadV2, System::Sct) => TranslateResponse::Code(self.legacy_to_sct(
                LegacySystem::ReadV2,
                &req.code,
                term,
                req.broader,
            )),
            (System::Ctv3, System::Sct) => TranslateResponse::Code(self.legacy_to_sct(
                LegacySystem::Ctv3,
                &req.code,
                term,
                req.broader,
            )),
            (System::ReadV2, _) => TranslateResponse::Code(self.legacy_to_legacy(
                LegacySystem::ReadV2,
                &req.code,
                term,
            )),
            (System::Ctv3, _) => {
                TranslateResponse::Code(self.legacy_to_legacy(LegacySystem::Ctv3, &req.code, term))
            }
            (_, System::ReadV2) => {
                TranslateResponse::Code(self.sct_to_legacy(&req.code, LegacySystem::ReadV2))
            }
            (_, System::Ctv3) => {
                TranslateResponse::Code(self.sct_to_legacy(&req.code, LegacySystem::Ctv3))
            }
            _ => TranslateResponse::Map(self.map_concept(
                &req.code,
                req.map_refset.map_or(ids::ICD10_MAP, SctId::get),
                &req.context,
                req.broader,
            )),
        })
    }

    fn render_key(
        &self,
        key: CacheKey,
        opts: &BatchOptions,
        r: &mut Renderer,
    ) -> Result<Cached, TranslateError> {
        let (fields, status) = match key {
            CacheKey::Legacy(k) => {
                let sys = if opts.from == System::Ctv3 {
                    LegacySystem::Ctv3
                } else {
                    LegacySystem::ReadV2
                };
                let t = if opts.to == System::Sct {
                    self.legacy_to_sct_key(sys, &k, opts.broader)
                } else {
                    self.legacy_to_legacy_key(sys, &k)
                };
                {
                    let st = t.status;
                    (translation_fields(t), st)
                }
            }
            CacheKey::Sct(id) => {
                let s = id.to_string();
                match opts.to {
                    System::Icd10 => {
                        let m = self.map_concept(
                            &s,
                            opts.map_refset.map_or(ids::ICD10_MAP, SctId::get),
                            &opts.context,
                            opts.broader,
                        );
                        let term = self.store.index_of(id).and_then(|i| self.preferred(i));
                        (map_fields(&m, term), m.status)
                    }
                    System::Ctv3 => {
                        let t = self.sct_to_legacy(&s, LegacySystem::Ctv3);
                        {
                            let st = t.status;
                            (translation_fields(t), st)
                        }
                    }
                    _ => {
                        let t = self.sct_to_legacy(&s, LegacySystem::ReadV2);
                        {
                            let st = t.status;
                            (translation_fields(t), st)
                        }
                    }
                }
            }
        };
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        Ok(Cached { bytes: r.row(&refs), status })
    }
}

const TERM_HEADERS: [&str; 8] =
    ["term_code", "termcode", "term code", "term_id", "termid", "ctv3_termid", "v2_termid", "term"];
const CODE_HINTS: [&str; 7] = ["code", "concept", "id", "read", "ctv3", "snomed", "sct"];

fn resolve_column(c: &Column, header: Option<&csv::ByteRecord>) -> Result<usize, TranslateError> {
    match c {
        Column::Index(n) => Ok(n.saturating_sub(1)),
        Column::Name(name) => header
            .and_then(|h| {
                h.iter().position(|f| String::from_utf8_lossy(f).trim().eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| TranslateError::NoSuchColumn(name.clone())),
    }
}

/// Translates a CSV/TSV stream: reads codes from `input`, writes one output row per input
/// row (header excluded) to `output` with the columns of [`OUTPUT_COLUMNS`], and returns the
/// report. Rows whose code is malformed (or missing) are kept with status `invalid-code` and
/// listed with their line numbers. Distinct codes are translated once (results are cached
/// as rendered rows), so large files with repeated codes stream at memory speed.
///
/// Multi-valued cells: several SNOMED CT candidates (or reverse-map codes) are joined with
/// `|`; ICD-10 codes of several map groups with ` + `. Read v2 targets are written in the
/// 7-character code + term code form (`H33..00`), CTV3 targets as code + term id.
pub fn translate_batch<R: Read, W: Write>(
    tr: &Translator<'_>,
    input: R,
    output: W,
    opts: &BatchOptions,
) -> Result<BatchReport, TranslateError> {
    let t0 = Instant::now();
    tr.check_direction(opts.from, opts.to)?;
    let berr = |e: std::io::Error| TranslateError::Batch(e.to_string());
    let mut input = BufReader::with_capacity(1 << 20, input);
    let format = match opts.input_format {
        Some(f) => f,
        None => {
            let buf = input.fill_buf().map_err(berr)?;
            let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
            Format::sniff(&buf[..end])
        }
    };
    let out_format = opts.output_format.unwrap_or(format);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(format.delimiter())
        .has_headers(false)
        .flexible(true)
        // LF as the terminator keeps record line numbers right for CRLF input; the CR left
        // on the last field is trimmed with the other whitespace
        .terminator(csv::Terminator::Any(b'\n'))
        .quoting(format == Format::Csv)
        .buffer_capacity(1 << 20)
        .from_reader(input);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, output);
    let mut renderer = Renderer::new(out_format);
    out.write_all(&renderer.row(&OUTPUT_COLUMNS)).map_err(berr)?;

    let max_listed = opts.max_listed.unwrap_or(10_000);
    let mut counts = [0u64; Status::ALL.len()];
    let mut unmapped: FxHashMap<u128, usize> = FxHashMap::default();
    let mut unmapped_list: Vec<UnmappedCode> = Vec::new();
    let mut invalid: Vec<InvalidRow> = Vec::new();
    let mut truncated = false;
    let mut cache: FxHashMap<u128, Cached> = FxHashMap::default();
    let legacy_from = match opts.from {
        System::ReadV2 => Some(LegacySystem::ReadV2),
        System::Ctv3 => Some(LegacySystem::Ctv3),
        _ => None,
    };

    let mut rec = csv::ByteRecord::new();
    let mut first = true;
    let mut code_col = 0usize;
    let mut term_col: Option<usize> = None;
    let mut rows = 0u64;
    loop {
        let more = match rdr.read_byte_record(&mut rec) {
            Ok(m) => m,
            Err(e) => {
                // a broken row (e.g. bad quoting): keep it as invalid and go on
                let line = e.position().map_or(0, |p| p.line());
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    return Err(TranslateError::Batch(format!("line {line}: {e}")));
                }
                continue;
            }
        };
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue; // blank line
        }
        if first {
            first = false;
            let named = matches!(opts.column, Some(Column::Name(_)));
            let header = match opts.has_header {
                Some(h) => h || named,
                None => {
                    named || {
                        let idx = match &opts.column {
                            Some(Column::Index(n)) => n.saturating_sub(1),
                            _ => 0,
                        };
                        let cell = rec.get(idx).unwrap_or(b"");
                        let valid = match legacy_from {
                            Some(s) => parse_legacy(s, cell, None).is_ok(),
                            None => SctId::parse(String::from_utf8_lossy(cell).trim()).is_ok(),
                        };
                        let lower = String::from_utf8_lossy(cell).to_ascii_lowercase();
                        !valid && CODE_HINTS.iter().any(|h| lower.contains(h))
                    }
                }
            };
            let hdr = header.then_some(&rec);
            code_col = match &opts.column {
                Some(c) => resolve_column(c, hdr)?,
                None => 0,
            };
            term_col = match &opts.term_column {
                Some(c) => Some(resolve_column(c, hdr)?),
                None => hdr.and_then(|h| {
                    h.iter().enumerate().find_map(|(i, f)| {
                        let n = String::from_utf8_lossy(f).trim().to_ascii_lowercase();
                        (i != code_col && TERM_HEADERS.contains(&n.as_str())).then_some(i)
                    })
                }),
            };
            if header {
                continue;
            }
        }
        rows += 1;
        let raw = rec.get(code_col);
        let term = term_col.and_then(|c| rec.get(c));
        let parsed: Result<CacheKey, &'static str> = match raw {
            None => Err("missing code column"),
            Some(raw) => match legacy_from {
                Some(s) => parse_legacy(s, raw, term).map(CacheKey::Legacy),
                None => {
                    let s = std::str::from_utf8(raw).map(str::trim).unwrap_or("");
                    SctId::parse(s)
                        .map(|id| CacheKey::Sct(id.get()))
                        .map_err(|_| "not a valid SCTID")
                }
            },
        };
        match parsed {
            Ok(key) => {
                let packed = key.packed();
                let c = match cache.get(&packed) {
                    Some(c) => c,
                    None => {
                        if cache.len() >= 2_000_000 {
                            cache.clear();
                        }
                        let c = tr.render_key(key, opts, &mut renderer)?;
                        cache.entry(packed).or_insert(c)
                    }
                };
                out.write_all(&c.bytes).map_err(berr)?;
                counts[c.status as usize] += 1;
                if c.status == Status::Unmapped {
                    match unmapped.get(&packed) {
                        Some(&i) => unmapped_list[i].count += 1,
                        None if unmapped_list.len() < max_listed => {
                            let (code, term_code) = match key {
                                CacheKey::Legacy(k) => (
                                    String::from_utf8_lossy(&k.code).into_owned(),
                                    k.term.map(|t| t.as_str().to_string()),
                                ),
                                CacheKey::Sct(id) => (id.to_string(), None),
                            };
                            unmapped.insert(packed, unmapped_list.len());
                            unmapped_list.push(UnmappedCode {
                                code,
                                term_code,
                                count: 1,
                                first_line: line,
                            });
                        }
                        None => truncated = true,
                    }
                }
            }
            Err(reason) => {
                let value = String::from_utf8_lossy(raw.unwrap_or(b"").trim_ascii()).into_owned();
                let term_s = String::from_utf8_lossy(term.unwrap_or(b"").trim_ascii()).into_owned();
                let row = renderer.row(&[
                    &value,
                    &term_s,
                    "",
                    "",
                    "",
                    "",
                    Status::InvalidCode.as_str(),
                    "",
                    reason,
                ]);
                out.write_all(&row).map_err(berr)?;
                counts[Status::InvalidCode as usize] += 1;
                if invalid.len() < max_listed {
                    invalid.push(InvalidRow { line, value, reason: reason.to_string() });
                } else {
                    truncated = true;
                }
            }
        }
    }
    out.flush().map_err(berr)?;
    let seconds = t0.elapsed().as_secs_f64();
    Ok(BatchReport {
        from: opts.from,
        to: opts.to,
        rows,
        counts: Status::ALL.iter().map(|s| (s.as_str().to_string(), counts[*s as usize])).collect(),
        unmapped: unmapped_list,
        invalid,
        truncated,
        seconds,
        rows_per_second: if seconds > 0.0 { rows as f64 / seconds } else { 0.0 },
    })
}

/// Translates codes given on the command line (`sctx translate ... CODE...`): each code is
/// one input row (no header, TSV).
pub fn translate_codes<W: Write>(
    tr: &Translator<'_>,
    codes: &[String],
    output: W,
    opts: &BatchOptions,
) -> Result<BatchReport, TranslateError> {
    let mut input = Vec::new();
    for c in codes {
        input.extend_from_slice(c.replace(['\t', '\r', '\n'], " ").as_bytes());
        input.push(b'\n');
    }
    let o = BatchOptions {
        has_header: Some(false),
        input_format: Some(Format::Tsv),
        column: None,
        term_column: None,
        ..opts.clone()
    };
    translate_batch(tr, &input[..], output, &o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut r = Renderer::new(Format::Csv);
        assert_eq!(&*r.row(&["a", "b,c", "say \"x\"", ""]), b"a,\"b,c\",\"say \"\"x\"\"\",\r\n");
        let mut t = Renderer::new(Format::Tsv);
        assert_eq!(&*t.row(&["a,b", "c\td"]), b"a,b\t\"c\td\"\r\n");
        assert_eq!(Format::sniff(b"a\tb"), Format::Tsv);
        assert_eq!(Format::sniff(b"a,b"), Format::Csv);
        assert_eq!(Format::from_path("x.CSV".as_ref()), Some(Format::Csv));
        assert_eq!("3".parse::<Column>().unwrap(), Column::Index(3));
        assert_eq!("code".parse::<Column>().unwrap(), Column::Name("code".into()));
    }
}
