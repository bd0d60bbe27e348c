//! Loading packages into one layered snapshot.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Rf2Error, Rf2ErrorKind};
use crate::filename::{FileKind, ReleaseType};
use crate::package::{SourceFile, discover};
use crate::reader::{Row, read_rows};
use crate::records::*;
use crate::table::{FieldSlot, Table, TableRow};

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
/// latest effective time wins (on a tie the later row). Each kind of row is a [`Table`]
/// (rows in load order; text and refset fields in the table's arena).
#[derive(Debug, Default)]
pub struct Release {
    /// Concepts.
    pub concepts: Table<Concept>,
    /// Descriptions.
    pub descriptions: Table<Description>,
    /// Text definitions.
    pub text_definitions: Table<Description>,
    /// Inferred relationships.
    pub relationships: Table<Relationship>,
    /// Stated relationships (deprecated file, kept for completeness).
    pub stated_relationships: Table<Relationship>,
    /// Concrete values.
    pub concrete_values: Table<ConcreteValue>,
    /// Refset members of every refset, by member UUID.
    pub members: Table<Member>,
    /// The extra-column layout of every refset seen.
    pub refset_layouts: BTreeMap<u64, RefsetLayout>,
    /// The sub-packages read.
    pub packages: Vec<PackageInfo>,
    /// Counters.
    pub stats: LoadStats,
}

/// Appends `v` to `table` (layered when the table is finished).
fn push<T: TableRow>(
    table: &mut Table<T>,
    v: T,
    row: &Row<'_>,
    id_col: usize,
) -> Result<(), Rf2Error> {
    table.push(v).map_err(|_| row.error(id_col, Rf2ErrorKind::TooLarge("rows of one kind")))
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
    // relationships, ...). They fill disjoint tables, and each reads its files in the
    // original order and layers its tables when done, so the layering (latest effective time
    // wins, later file on ties) is unchanged.
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
        // layer each table (per id the latest row) on this worker
        part.finish();
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
/// (without consuming it): each file's chunk of rows is sized once instead of growing by
/// doubling, which copied the rows and faulted in fresh memory at each step.
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

/// Reads the rows of component files (concepts, descriptions, relationships, concrete
/// values) into their tables, counting rows read and rows after `--as-of`.
struct ComponentRows<'f> {
    file: &'f SourceFile,
    disp: &'f str,
    /// A Full file (several rows per id: not sized by its rows).
    full: bool,
    as_of: Option<u32>,
    read: u64,
    skipped: u64,
}

impl ComponentRows<'_> {
    /// Reads the file into `table` with the required columns `req` (the first four are
    /// [`BASE`]): the table is sized from the file (its text arena too with `text`), rows
    /// after `--as-of` are counted and skipped, and `make` builds each remaining row from its
    /// columns and effective time (with the table, for its arena).
    fn read<T: TableRow>(
        &mut self,
        table: &mut Table<T>,
        req: &[&str],
        text: bool,
        mut make: impl FnMut(&Row<'_>, &[usize], u32, &mut Table<T>) -> Result<T, Rf2Error>,
    ) -> Result<(), Rf2Error> {
        let Self { file, disp, full, as_of, read, skipped } = self;
        file.with_sized_reader(|r, len| {
            let len = if *full { None } else { len };
            table.reserve_rows(estimate_rows(r, len));
            if text {
                table.reserve_text(len.and_then(|l| usize::try_from(l).ok()).unwrap_or(0));
            }
            read_rows(disp, r, req, |row, c| {
                *read += 1;
                let et = row.date(c[1])?;
                if as_of.is_some_and(|a| et > a) {
                    *skipped += 1;
                    return Ok(());
                }
                let v = make(row, c, et, table)?;
                push(table, v, row, c[0])
            })
        })?;
        Ok(())
    }
}

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
    let mut rows = ComponentRows { file, disp: &disp, full, as_of, read: 0, skipped: 0 };
    match &file.name.kind {
        FileKind::Concept => {
            let req = [BASE[0], BASE[1], BASE[2], BASE[3], "definitionStatusId"];
            let mut modules: BTreeMap<u64, u64> = BTreeMap::new();
            rows.read(&mut rel.concepts, &req, false, |row, c, et, _| {
                let v = Concept {
                    id: row.sctid(c[0])?,
                    effective_time: et,
                    active: row.boolean(c[2])?,
                    module: row.sctid(c[3])?,
                    definition_status: row.sctid(c[4])?,
                };
                *modules.entry(v.module).or_default() += 1;
                Ok(v)
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
            let table = if is_def { &mut rel.text_definitions } else { &mut rel.descriptions };
            // the terms are less than the file: reserving its size (address space, only
            // touched as it fills) keeps the arena from being copied as it grows
            rows.read(table, &req, true, |row, c, et, table| {
                let id = row.sctid(c[0])?;
                let active = row.boolean(c[2])?;
                let module = row.sctid(c[3])?;
                let concept = row.sctid(c[4])?;
                let language = table
                    .arena
                    .intern(row.raw(c[5]))
                    .ok_or_else(|| row.error(c[5], Rf2ErrorKind::TooLarge("language codes")))?;
                let type_id = row.sctid(c[6])?;
                let term = table
                    .arena
                    .push_text(row.raw(c[7]))
                    .ok_or_else(|| row.error(c[7], Rf2ErrorKind::TooLarge("characters")))?;
                Ok(Description {
                    id,
                    effective_time: et,
                    active,
                    module,
                    concept,
                    language,
                    type_id,
                    term,
                    case_significance: row.sctid(c[8])?,
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
            let table = if stated { &mut rel.stated_relationships } else { &mut rel.relationships };
            rows.read(table, &req, false, |row, c, et, _| {
                Ok(Relationship {
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
            rows.read(&mut rel.concrete_values, &req, false, |row, c, et, table| {
                let id = row.sctid(c[0])?;
                let active = row.boolean(c[2])?;
                let module = row.sctid(c[3])?;
                let source = row.sctid(c[4])?;
                let value = table
                    .arena
                    .push_text(row.raw(c[5]))
                    .ok_or_else(|| row.error(c[5], Rf2ErrorKind::TooLarge("characters")))?;
                Ok(ConcreteValue {
                    id,
                    effective_time: et,
                    active,
                    module,
                    source,
                    value,
                    group: group(row, c[6])?,
                    type_id: row.sctid(c[7])?,
                    characteristic_type: row.sctid(c[8])?,
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
                let table = &mut rel.members;
                table.reserve_rows(estimate_rows(r, len));
                // string columns (map targets, OWL axioms, ...) are less than the file
                if pattern.contains('s') {
                    table.reserve_text(len.and_then(|l| usize::try_from(l).ok()).unwrap_or(0));
                }
                read_rows(&disp, r, &req, |row, c| {
                    read += 1;
                    let extra = extra.get_or_insert_with(|| extra_columns(row.header, c, pattern));
                    let et = row.date(c[1])?;
                    if after(et) {
                        skipped += 1;
                        return Ok(());
                    }
                    let fields_start = u32::try_from(table.arena.fields_len())
                        .map_err(|_| row.error(c[0], Rf2ErrorKind::TooLarge("refset fields")))?;
                    for &(i, t) in extra.iter() {
                        let s = row.raw(i);
                        let f =
                            if s.is_empty() {
                                FieldSlot::Empty
                            } else {
                                match t {
                                    b'c' => FieldSlot::Id(row.sctid(i)?),
                                    b'i' => FieldSlot::Int(row.int(i)?),
                                    _ => FieldSlot::text(table.arena.push_text(s).ok_or_else(
                                        || row.error(i, Rf2ErrorKind::TooLarge("characters")),
                                    )?),
                                }
                            };
                        table.arena.push_field(f);
                    }
                    let v = Member {
                        uuid: split_uuid(row.uuid(c[0])?),
                        effective_time: et,
                        active: row.boolean(c[2])?,
                        module: row.sctid(c[3])?,
                        refset: row.sctid(c[4])?,
                        referenced: row.sctid(c[5])?,
                        fields_start,
                        // the header's width, which a row matches
                        fields_len: extra.len() as u32,
                    };
                    if v.refset == sctx_types::ids::MODULE_DEPENDENCY_REFSET && v.active {
                        let t = |k: usize| match table.field(&v, k) {
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
                    push(table, v, row, c[0])
                })
            })?;
            let _ = header;
            extras.module_dependencies = deps;
        }
    }
    rel.stats.rows_read += read + rows.read;
    rel.stats.rows_after_as_of += skipped + rows.skipped;
    Ok(extras)
}

fn split_uuid(v: u128) -> [u64; 2] {
    [(v >> 64) as u64, v as u64]
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
    /// Layers every table: per id, the row with the latest effective time (on a tie the
    /// later row, from the later file).
    fn finish(&mut self) {
        self.concepts.finish();
        self.descriptions.finish();
        self.text_definitions.finish();
        self.relationships.finish();
        self.stated_relationships.finish();
        self.concrete_values.finish();
        self.members.finish();
    }

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
        self.concepts.iter().map(|c| c.effective_time).max().unwrap_or(0)
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
