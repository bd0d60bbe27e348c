//! Loading packages into one layered snapshot.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rustc_hash::FxHashMap;

use crate::error::{Rf2Error, Rf2ErrorKind};
use crate::filename::{FileKind, ReleaseType};
use crate::package::{SourceFile, discover};
use crate::reader::{Row, read_rows};
use crate::records::*;

/// Progress callback: (file display name, file index, file count).
pub type ProgressFn<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Options for [`load`].
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Take the state at or before this date (`YYYYMMDD`): Full files are preferred and
    /// rows after the date are ignored.
    pub as_of: Option<u32>,
    /// Called before each file with (file display name, file index, file count).
    pub progress: Option<ProgressFn<'a>>,
}

/// What was loaded from one sub-package (a top-level release folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageInfo {
    /// The path given on the command line.
    pub source: PathBuf,
    /// The release folder name (e.g. `SnomedCT_InternationalRF2_PRODUCTION_20250701T120000Z`).
    pub folder: String,
    /// Latest version date in its file names.
    pub version_date: u32,
    /// Files read, with the release type used.
    pub files: Vec<String>,
    /// Concepts per module in its concept files.
    pub concept_modules: BTreeMap<u64, u64>,
    /// Module dependencies declared in it: (module, depends on, source time, target time).
    pub module_dependencies: Vec<(u64, u64, u32, u32)>,
}

/// An edition found in the loaded packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The edition's module id.
    pub module: u64,
    /// Version date `YYYYMMDD`.
    pub version: u32,
    /// The package folder it came from.
    pub folder: String,
}

impl Edition {
    /// `http://snomed.info/sct/{module}/version/{yyyymmdd}`.
    pub fn uri(&self) -> String {
        format!("http://snomed.info/sct/{}/version/{}", self.module, self.version)
    }
}

/// Row counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Data rows read from all files.
    pub rows_read: u64,
    /// Rows skipped because they are after `as_of`.
    pub rows_after_as_of: u64,
    /// Files read.
    pub files_read: u64,
}

/// The layered snapshot of every loaded package: per component id, the row with the
/// latest effective time wins.
#[derive(Debug, Default)]
pub struct Release {
    /// Concepts by id.
    pub concepts: FxHashMap<u64, Concept>,
    /// Descriptions by id.
    pub descriptions: FxHashMap<u64, Description>,
    /// Text definitions by id.
    pub text_definitions: FxHashMap<u64, Description>,
    /// Inferred relationships by id.
    pub relationships: FxHashMap<u64, Relationship>,
    /// Stated relationships by id (deprecated file, kept for completeness).
    pub stated_relationships: FxHashMap<u64, Relationship>,
    /// Concrete values by id.
    pub concrete_values: FxHashMap<u64, ConcreteValue>,
    /// Refset members of every refset by member UUID.
    pub members: FxHashMap<u128, Member>,
    /// The extra-column layout of every refset seen.
    pub refset_layouts: BTreeMap<u64, RefsetLayout>,
    /// The sub-packages read.
    pub packages: Vec<PackageInfo>,
    /// Counters.
    pub stats: LoadStats,
}

trait Versioned {
    fn effective_time(&self) -> u32;
}
macro_rules! versioned {
    ($($t:ty),*) => {$(impl Versioned for $t { fn effective_time(&self) -> u32 { self.effective_time } })*};
}
versioned!(Concept, Description, Relationship, ConcreteValue, Member);

/// Keeps the row with the latest effective time per id; on a tie the later row (later
/// file) wins. One hash probe per row (the entry API).
fn upsert<K: std::hash::Hash + Eq, V: Versioned>(map: &mut FxHashMap<K, V>, k: K, v: V) {
    match map.entry(k) {
        std::collections::hash_map::Entry::Occupied(mut old) => {
            if old.get().effective_time() <= v.effective_time() {
                old.insert(v);
            }
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(v);
        }
    }
}

/// Loads one or more packages (directories or zips) into a layered snapshot.
pub fn load(packages: &[PathBuf], opts: &LoadOptions<'_>) -> Result<Release, Rf2Error> {
    let mut release = Release::default();
    // discover and choose files
    let mut chosen: Vec<(PathBuf, SourceFile)> = Vec::new();
    for p in packages {
        let files = discover(p)?;
        if files.is_empty() {
            return Err(Rf2Error::file(p.display().to_string(), Rf2ErrorKind::NoRf2Files));
        }
        for f in select(files, opts.as_of) {
            chosen.push((p.clone(), f));
        }
    }
    let total = chosen.len();
    // package bookkeeping first, in file order (cheap)
    let mut info_of: Vec<usize> = Vec::with_capacity(total);
    for (src, file) in &chosen {
        let info_idx = match release
            .packages
            .iter()
            .position(|pk| pk.source == *src && pk.folder == file.package_folder)
        {
            Some(i) => i,
            None => {
                release.packages.push(PackageInfo {
                    source: src.clone(),
                    folder: file.package_folder.clone(),
                    ..Default::default()
                });
                release.packages.len() - 1
            }
        };
        let rt = match file.name.release_type {
            ReleaseType::Full => "Full",
            ReleaseType::Snapshot => "Snapshot",
            ReleaseType::Delta => "Delta",
        };
        let info = &mut release.packages[info_idx];
        info.version_date = info.version_date.max(file.name.version_date);
        info.files.push(format!("{} ({rt})", file.display()));
        info_of.push(info_idx);
    }
    // Two workers: refset files (members) and everything else (concepts, descriptions,
    // relationships, ...). They fill disjoint maps, and each reads its files in the original
    // order, so the layering (latest effective time wins, later file on ties) is unchanged.
    let is_refset = |f: &SourceFile| matches!(f.name.kind, FileKind::Refset { .. });
    let run = |want_refsets: bool| -> PartResult {
        let mut part = Release::default();
        let mut extras = Vec::new();
        for (i, (_, file)) in chosen.iter().enumerate() {
            if is_refset(file) != want_refsets {
                continue;
            }
            if let Some(cb) = opts.progress {
                cb(&file.display(), i, total);
            }
            let x = read_file(&mut part, file, opts.as_of).map_err(|e| (i, e))?;
            part.stats.files_read += 1;
            extras.push((i, x));
        }
        Ok((part, extras))
    };
    let (refset_part, other_part) = std::thread::scope(|scope| {
        let h = std::thread::Builder::new()
            .name("rf2-refsets".into())
            .spawn_scoped(scope, || run(true));
        match h {
            Ok(h) => {
                let other = run(false);
                let refsets = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                (refsets, other)
            }
            // no thread available: read sequentially
            Err(_) => (run(true), run(false)),
        }
    });
    let (mut refs, refs_x, mut other, other_x) = match (refset_part, other_part) {
        (Ok((r, rx)), Ok((o, ox))) => (r, rx, o, ox),
        (Err((_, e)), Ok(_)) | (Ok(_), Err((_, e))) => return Err(e),
        // the first failing file in the original order
        (Err((i, e)), Err((j, f))) => return Err(if i < j { e } else { f }),
    };
    let mut extras: Vec<(usize, FileExtras)> = refs_x.into_iter().chain(other_x).collect();
    extras.sort_by_key(|(i, _)| *i);
    for (i, x) in extras {
        let info = &mut release.packages[info_of[i]];
        for (m, n) in x.concept_modules {
            *info.concept_modules.entry(m).or_default() += n;
        }
        info.module_dependencies.extend(x.module_dependencies);
    }
    release.concepts = std::mem::take(&mut other.concepts);
    release.descriptions = std::mem::take(&mut other.descriptions);
    release.text_definitions = std::mem::take(&mut other.text_definitions);
    release.relationships = std::mem::take(&mut other.relationships);
    release.stated_relationships = std::mem::take(&mut other.stated_relationships);
    release.concrete_values = std::mem::take(&mut other.concrete_values);
    release.members = std::mem::take(&mut refs.members);
    release.refset_layouts = std::mem::take(&mut refs.refset_layouts);
    for s in [&refs.stats, &other.stats] {
        release.stats.rows_read += s.rows_read;
        release.stats.rows_after_as_of += s.rows_after_as_of;
        release.stats.files_read += s.files_read;
    }
    Ok(release)
}

/// What one loading worker returns: its partial release and per-file extras, or the index
/// of the file that failed with its error.
type PartResult = Result<(Release, Vec<(usize, FileExtras)>), (usize, Rf2Error)>;

/// Per-file results that go into the package info, applied in file order.
#[derive(Default)]
struct FileExtras {
    concept_modules: BTreeMap<u64, u64>,
    module_dependencies: Vec<(u64, u64, u32, u32)>,
}

/// Per package, per logical file: Snapshot over Full over Delta (Full first with `as_of`).
fn select(files: Vec<SourceFile>, as_of: Option<u32>) -> Vec<SourceFile> {
    let rank = |rt: ReleaseType| match (rt, as_of.is_some()) {
        (ReleaseType::Snapshot, false) => 0,
        (ReleaseType::Full, false) => 1,
        (ReleaseType::Full, true) => 0,
        (ReleaseType::Snapshot, true) => 1,
        (ReleaseType::Delta, _) => 2,
    };
    let mut best: BTreeMap<(String, String), SourceFile> = BTreeMap::new();
    for f in files {
        if f.name.kind == FileKind::Identifier {
            continue;
        }
        let key = (f.package_folder.clone(), f.name.logical_key.clone());
        match best.get(&key) {
            Some(b) if rank(b.name.release_type) <= rank(f.name.release_type) => {}
            _ => {
                best.insert(key, f);
            }
        }
    }
    best.into_values().collect()
}

/// Estimated rows of a file of `len` bytes, from the lines in the reader's first buffer
/// (without consuming it): the row maps are sized once instead of growing by doubling, which
/// re-hashed every entry and faulted in fresh memory at each step (10% of an International
/// import's CPU, BENCHMARKS.md).
fn estimate_rows(r: &mut dyn std::io::BufRead, len: Option<u64>) -> usize {
    // No RF2 row is shorter than this many bytes (an id, a date, a flag and two more ids
    // with their tabs): caps the estimate when the first buffer is unrepresentative.
    const MIN_ROW_BYTES: u64 = 40;
    let Some(len) = len else { return 0 };
    let Ok(buf) = r.fill_buf() else { return 0 };
    if buf.is_empty() {
        return 0;
    }
    if buf.len() as u64 >= len {
        return memchr::memchr_iter(b'\n', buf).count() + 1;
    }
    let lines = memchr::memchr_iter(b'\n', buf).count().max(1) as f64;
    // 2% over, so that a slightly longer average row does not cost a doubling
    let estimate = (len as f64 * lines / buf.len() as f64 * 1.02) as u64;
    usize::try_from(estimate.min(len / MIN_ROW_BYTES)).unwrap_or(0)
}

const BASE: [&str; 4] = ["id", "effectiveTime", "active", "moduleId"];

fn read_file(
    rel: &mut Release,
    file: &SourceFile,
    as_of: Option<u32>,
) -> Result<FileExtras, Rf2Error> {
    let mut extras = FileExtras::default();
    let disp = file.display();
    let after = |et: u32| as_of.is_some_and(|a| et > a);
    let mut read = 0u64;
    let mut skipped = 0u64;
    // Full files hold several rows per id (the history): sizing by rows would over-reserve
    let full = file.name.release_type == ReleaseType::Full;
    match &file.name.kind {
        FileKind::Concept => {
            let req = [BASE[0], BASE[1], BASE[2], BASE[3], "definitionStatusId"];
            let mut modules: BTreeMap<u64, u64> = BTreeMap::new();
            file.with_sized_reader(|r, len| {
                let len = if full { None } else { len };
                let _ = rel.concepts.try_reserve(estimate_rows(r, len));
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let v = Concept {
                        id: row.sctid(c[0])?,
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        definition_status: row.sctid(c[4])?,
                    };
                    *modules.entry(v.module).or_default() += 1;
                    upsert(&mut rel.concepts, v.id, v);
                    Ok(())
                })
            })?;
            extras.concept_modules = modules;
        }
        FileKind::Description | FileKind::TextDefinition => {
            let is_def = file.name.kind == FileKind::TextDefinition;
            let req = [
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                "conceptId",
                "languageCode",
                "typeId",
                "term",
                "caseSignificanceId",
            ];
            file.with_sized_reader(|r, len| {
                let len = if full { None } else { len };
                let map = if is_def { &mut rel.text_definitions } else { &mut rel.descriptions };
                let _ = map.try_reserve(estimate_rows(r, len));
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let v = Description {
                        id: row.sctid(c[0])?,
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        concept: row.sctid(c[4])?,
                        language_code: row.raw(c[5]).into(),
                        type_id: row.sctid(c[6])?,
                        term: row.raw(c[7]).into(),
                        case_significance: row.sctid(c[8])?,
                    };
                    let map =
                        if is_def { &mut rel.text_definitions } else { &mut rel.descriptions };
                    upsert(map, v.id, v);
                    Ok(())
                })
            })?;
        }
        FileKind::Relationship | FileKind::StatedRelationship => {
            let stated = file.name.kind == FileKind::StatedRelationship;
            let req = [
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                "sourceId",
                "destinationId",
                "relationshipGroup",
                "typeId",
                "characteristicTypeId",
                "modifierId",
            ];
            file.with_sized_reader(|r, len| {
                let len = if full { None } else { len };
                let map =
                    if stated { &mut rel.stated_relationships } else { &mut rel.relationships };
                let _ = map.try_reserve(estimate_rows(r, len));
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let v = Relationship {
                        id: row.sctid(c[0])?,
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        source: row.sctid(c[4])?,
                        destination: row.sctid(c[5])?,
                        group: group(row, c[6])?,
                        type_id: row.sctid(c[7])?,
                        characteristic_type: row.sctid(c[8])?,
                        modifier: row.sctid(c[9])?,
                    };
                    let map =
                        if stated { &mut rel.stated_relationships } else { &mut rel.relationships };
                    upsert(map, v.id, v);
                    Ok(())
                })
            })?;
        }
        FileKind::ConcreteValues => {
            let req = [
                BASE[0],
                BASE[1],
                BASE[2],
                BASE[3],
                "sourceId",
                "value",
                "relationshipGroup",
                "typeId",
                "characteristicTypeId",
            ];
            file.with_sized_reader(|r, len| {
                let len = if full { None } else { len };
                let _ = rel.concrete_values.try_reserve(estimate_rows(r, len));
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let v = ConcreteValue {
                        id: row.sctid(c[0])?,
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        source: row.sctid(c[4])?,
                        value: row.raw(c[5]).into(),
                        group: group(row, c[6])?,
                        type_id: row.sctid(c[7])?,
                        characteristic_type: row.sctid(c[8])?,
                    };
                    upsert(&mut rel.concrete_values, v.id, v);
                    Ok(())
                })
            })?;
        }
        FileKind::Identifier => {}
        FileKind::Refset { pattern, summary } => {
            let req = [BASE[0], BASE[1], BASE[2], BASE[3], "refsetId", "referencedComponentId"];
            let mut extra: Option<Vec<(usize, u8)>> = None;
            let mut deps: Vec<(u64, u64, u32, u32)> = Vec::new();
            let mut last_refset: Option<u64> = None;
            let header = file.with_sized_reader(|r, len| {
                let len = if full { None } else { len };
                let _ = rel.members.try_reserve(estimate_rows(r, len));
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let extra = extra.get_or_insert_with(|| extra_columns(row.header, c, pattern));
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let mut fields = Vec::with_capacity(extra.len());
                    for &(i, t) in extra.iter() {
                        let s = row.raw(i);
                        fields.push(if s.is_empty() {
                            Field::Empty
                        } else {
                            match t {
                                b'c' => Field::Id(row.sctid(i)?),
                                b'i' => Field::Int(row.int(i)?),
                                _ => Field::Str(s.into()),
                            }
                        });
                    }
                    let v = Member {
                        id: row.uuid(c[0])?,
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        refset: row.sctid(c[4])?,
                        referenced: row.sctid(c[5])?,
                        fields,
                    };
                    if v.refset == sctx_types::ids::MODULE_DEPENDENCY_REFSET && v.active {
                        let t = |k: usize| match v.fields.get(k) {
                            Some(Field::Str(s)) => s.parse().unwrap_or(0),
                            _ => 0,
                        };
                        deps.push((v.module, v.referenced, t(0), t(1)));
                    }
                    // rows of one refset come together: look the layout up once per run
                    if last_refset != Some(v.refset) {
                        last_refset = Some(v.refset);
                        rel.refset_layouts.entry(v.refset).or_insert_with(|| RefsetLayout {
                            pattern: pattern.clone(),
                            summary: summary.clone(),
                            field_names: extra
                                .iter()
                                .map(|(i, _)| row.header[*i].clone())
                                .collect(),
                        });
                    }
                    upsert(&mut rel.members, v.id, v);
                    Ok(())
                })
            })?;
            let _ = header;
            extras.module_dependencies = deps;
        }
    }
    rel.stats.rows_read += read;
    rel.stats.rows_after_as_of += skipped;
    Ok(extras)
}

fn group(row: &Row<'_>, i: usize) -> Result<u32, Rf2Error> {
    row.raw(i).parse::<u32>().map_err(|_| row.error(i, Rf2ErrorKind::Integer))
}

/// The extra columns after the six standard ones, typed by the pattern letters when they
/// line up with the header, else as strings.
fn extra_columns(header: &[String], base_cols: &[usize], pattern: &str) -> Vec<(usize, u8)> {
    let cols: Vec<usize> = (0..header.len()).filter(|i| !base_cols.contains(i)).collect();
    let p = pattern.as_bytes();
    cols.iter()
        .enumerate()
        .map(|(k, &i)| {
            let t = if p.len() == cols.len() { p[k] } else { b's' };
            (i, t)
        })
        .collect()
}

impl Release {
    /// The editions in the loaded packages: for each sub-package, its focus module and
    /// version date. The International edition is always `900000000000207008` (never a
    /// satellite such as the ICD-10 mapping module 449080006).
    pub fn editions(&self) -> Vec<Edition> {
        let mut out: Vec<Edition> = Vec::new();
        for p in &self.packages {
            if p.concept_modules.is_empty() && p.module_dependencies.is_empty() {
                continue;
            }
            let module = focus_module(p);
            if let Some(e) = out.iter_mut().find(|e| e.module == module) {
                e.version = e.version.max(p.version_date);
                continue;
            }
            out.push(Edition { module, version: p.version_date, folder: p.folder.clone() });
        }
        out
    }

    /// The effective time of the newest component, a proxy for the release date.
    pub fn newest_effective_time(&self) -> u32 {
        self.concepts.values().map(|c| c.effective_time).max().unwrap_or(0)
    }
}

const INTERNATIONAL_MODULES: [u64; 3] = [
    sctx_types::ids::CORE_MODULE,
    sctx_types::ids::MODEL_COMPONENT_MODULE,
    sctx_types::ids::ICD10_MODULE,
];

fn focus_module(p: &PackageInfo) -> u64 {
    use std::collections::{BTreeSet, HashMap};
    let mut deps: HashMap<u64, BTreeSet<u64>> = HashMap::new();
    for &(m, t, _, _) in &p.module_dependencies {
        deps.entry(m).or_default().insert(t);
    }
    let depended: BTreeSet<u64> = deps.values().flatten().copied().collect();
    // sinks: modules that declare dependencies and nothing in this package depends on;
    // International satellite modules are never an edition of their own.
    let sinks: Vec<u64> = deps
        .keys()
        .copied()
        .filter(|m| !depended.contains(m) && !INTERNATIONAL_MODULES.contains(m))
        .collect();
    if let Some(best) = sinks.iter().copied().max_by_key(|m| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![*m];
        while let Some(x) = stack.pop() {
            for d in deps.get(&x).into_iter().flatten() {
                if seen.insert(*d) {
                    stack.push(*d);
                }
            }
        }
        (seen.len(), p.concept_modules.get(m).copied().unwrap_or(0), *m)
    }) {
        return best;
    }
    let has_core = p.concept_modules.contains_key(&sctx_types::ids::CORE_MODULE)
        || deps.contains_key(&sctx_types::ids::CORE_MODULE)
        || deps.contains_key(&sctx_types::ids::ICD10_MODULE);
    if has_core {
        return sctx_types::ids::CORE_MODULE;
    }
    p.concept_modules
        .iter()
        .max_by_key(|(m, n)| (**n, **m))
        .map(|(m, _)| *m)
        .unwrap_or(sctx_types::ids::CORE_MODULE)
}
