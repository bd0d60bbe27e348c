//! Deterministic synthetic SNOMED CT releases at national scale, for tests and benchmarks.
//!
//! [`generate`] writes a release in the exact RF2 package layout a real importer reads
//! (UTF-8, TAB, CRLF, exact header rows, valid SCTIDs with Verhoeff check digits, UUID member
//! ids) plus the NHS Data Migration Read v2 and CTV3 map tables. Same profile and seed give
//! byte-identical files; a different seed gives different content. The random generator is a
//! private xoshiro256** seeded by SplitMix64, so the output never depends on a crate version.
//!
//! Content is invented but shaped like the real editions: the real root and 19 top-level
//! hierarchies, metadata concepts (attributes, modules, refsets, description types...) with
//! their real ids and names, a poly-hierarchy up to depth 30 with about a quarter of the
//! concepts having several parents, attributes in role groups that follow a concept model,
//! concrete values, about 30 % inactive concepts with inactivation indicators and historical
//! associations, a Zipf-distributed pseudo-medical vocabulary with GB/US spelling
//! differences, acronyms and a few non-ASCII letters, ICD-10 and CTV3 maps.
//!
//! Main types:
//! - [`Profile`]: `tiny` (a few thousand concepts, for tests), `international` (~535k
//!   concepts) or `uk` (International plus UK clinical and drug extensions, ~1.07M concepts);
//! - [`Stats`]: counts, shape statistics and the list of files written;
//! - [`SynthError`]: I/O failures.
//!
//! Layout written under `out`:
//! - `SnomedCT_SynthInternationalRF2_PRODUCTION_20250131T120000Z/Snapshot/...`
//! - (uk) `SnomedCT_SynthUKClinicalRF2_PRODUCTION_20250401T000001Z/Snapshot/...` (`UKCL`,
//!   `GB1000000`) and `SnomedCT_SynthUKDrugRF2_PRODUCTION_20250401T000001Z/Snapshot/...`
//!   (`UKDG`, `GB1000001`)
//! - `nhs_datamigration/Mapping Tables/Updated/Clinically Assured/{rcsctmap2_uk,ctv3sctmap2_uk}_20200401000001.txt`
//!
//! ```no_run
//! use sctx_synth::{generate, Profile};
//! let out = std::path::Path::new("/tmp/synth-tiny");
//! let profile: Profile = "tiny".parse().unwrap();
//! let stats = generate(profile, 42, out, Some(&|stage: &str, n: u64| eprintln!("{stage}: {n}")))?;
//! assert!(stats.concepts > 1000);
//! # Ok::<(), sctx_synth::SynthError>(())
//! ```

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

mod graph;
mod ids;
mod meta;
mod nhs;
mod out;
mod rf2;
mod rng;
mod vocab;

use graph::{Graph, GrowSpec};
use meta::{Kind, POOLS};
use rf2::{Ctx, DescIds, Extra, Pass, PkgSpec, Sinks};
use rng::Rng;
use sctx_types::ids as wk;

/// The International package folder name.
pub const INT_PACKAGE: &str = "SnomedCT_SynthInternationalRF2_PRODUCTION_20250131T120000Z";
/// The UK clinical extension package folder name (uk profile).
pub const UKCL_PACKAGE: &str = "SnomedCT_SynthUKClinicalRF2_PRODUCTION_20250401T000001Z";
/// The UK drug extension package folder name (uk profile).
pub const UKDG_PACKAGE: &str = "SnomedCT_SynthUKDrugRF2_PRODUCTION_20250401T000001Z";
/// Folder of the NHS Data Migration map tables, relative to the output directory.
pub const NHS_MAP_DIR: &str = nhs::DIR;
/// International release date.
pub const INT_DATE: u32 = 20250131;
/// UK release date.
pub const UK_DATE: u32 = 20250401;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A few thousand concepts with the same shape; fast, for tests.
    Tiny,
    /// About the size of the International Edition.
    International,
    /// International plus UK clinical and drug extensions, about the size of the UK edition.
    Uk,
}

impl Profile {
    fn spec(self) -> ProfileSpec {
        match self {
            Profile::Tiny => {
                ProfileSpec { int_concepts: 6_000, ukcl: 0, ukdg: 0, refset_target: 0 }
            }
            Profile::International => {
                ProfileSpec { int_concepts: 535_000, ukcl: 0, ukdg: 0, refset_target: 0 }
            }
            Profile::Uk => ProfileSpec {
                int_concepts: 535_000,
                ukcl: 110_000,
                ukdg: 425_000,
                refset_target: 13_350_000,
            },
        }
    }
}

struct ProfileSpec {
    /// International concepts including the fixed ones.
    int_concepts: usize,
    ukcl: usize,
    ukdg: usize,
    /// Total refset members to reach with UK simple refsets (0: none).
    refset_target: u64,
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tiny" => Ok(Profile::Tiny),
            "international" | "int" => Ok(Profile::International),
            "uk" => Ok(Profile::Uk),
            other => Err(format!("unknown profile {other:?}: expected tiny, international or uk")),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Tiny => "tiny",
            Profile::International => "international",
            Profile::Uk => "uk",
        })
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Creating or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl SynthError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SynthError::Io { path: path.to_owned(), source }
    }
}

/// One file written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileStat {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Data rows (the header excluded).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
}

/// Counts and shape statistics of a generated release.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Profile name.
    pub profile: String,
    /// Seed used.
    pub seed: u64,
    /// Concept rows (all packages).
    pub concepts: u64,
    /// Active concepts.
    pub active_concepts: u64,
    /// Description rows (FSNs and synonyms; text definitions excluded).
    pub descriptions: u64,
    /// Inactive description rows.
    pub inactive_descriptions: u64,
    /// Text definition rows.
    pub text_definitions: u64,
    /// Relationship rows (inferred, active and inactive).
    pub relationships: u64,
    /// Active relationship rows.
    pub active_relationships: u64,
    /// Active is-a rows.
    pub active_is_a: u64,
    /// Concrete value rows.
    pub concrete_values: u64,
    /// Language refset members (GB, US and, for uk, NHS).
    pub language_members: u64,
    /// Historical association members.
    pub association_members: u64,
    /// Attribute value members (concept and description inactivation indicators).
    pub attribute_value_members: u64,
    /// Simple refset members.
    pub simple_members: u64,
    /// CTV3 simple map members.
    pub ctv3_map_members: u64,
    /// International ICD-10 extended map members.
    pub icd10_map_members: u64,
    /// UK ICD-10 extended map members.
    pub uk_icd10_map_members: u64,
    /// Module dependency members.
    pub module_dependency_members: u64,
    /// All refset members.
    pub refset_members: u64,
    /// Rows of `rcsctmap2_uk`.
    pub readv2_map_rows: u64,
    /// Distinct MapIds in `rcsctmap2_uk`.
    pub readv2_map_ids: u64,
    /// MapIds whose latest row is active.
    pub readv2_active_maps: u64,
    /// Active MapIds that are assured.
    pub readv2_assured_maps: u64,
    /// Rows of `ctv3sctmap2_uk`.
    pub ctv3_table_rows: u64,
    /// Longest is-a path from the root among active concepts.
    pub max_depth: u32,
    /// Mean longest-path depth of active concepts.
    pub mean_depth: f64,
    /// Share of active non-root concepts with more than one parent.
    pub multi_parent_fraction: f64,
    /// Share of concepts that are inactive.
    pub inactive_fraction: f64,
    /// Mean ancestor count over a sample of active concepts.
    pub mean_ancestors: f64,
    /// 90th percentile ancestor count over the sample.
    pub p90_ancestors: u32,
    /// Largest ancestor count in the sample.
    pub max_ancestors: u32,
    /// Active concepts per top-level hierarchy: (hierarchy id, count), largest first.
    pub hierarchy_sizes: Vec<(u64, u64)>,
    /// Concepts whose GB and US preferred terms differ.
    pub gb_us_differences: u64,
    /// Distinct vocabulary words.
    pub vocabulary_words: u64,
    /// Files written.
    pub files: Vec<FileStat>,
    /// Total bytes written.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Stats {
    fn add(&mut self, kind: &str, f: FileStat) {
        let n = f.rows;
        match kind {
            "concept" => self.concepts += n,
            "description" => self.descriptions += n,
            "text_definition" => self.text_definitions += n,
            "relationship" => self.relationships += n,
            "concrete_value" => self.concrete_values += n,
            "language" => self.language_members += n,
            "association" => self.association_members += n,
            "attribute_value" => self.attribute_value_members += n,
            "simple" => self.simple_members += n,
            "module_dependency" => self.module_dependency_members += n,
            "ctv3_simple_map" => self.ctv3_map_members += n,
            "icd10_map" => self.icd10_map_members += n,
            "uk_icd10_map" => self.uk_icd10_map_members += n,
            _ => {}
        }
        if !matches!(
            kind,
            "concept"
                | "description"
                | "text_definition"
                | "relationship"
                | "concrete_value"
                | "nhs"
        ) {
            self.refset_members += n;
        }
        self.bytes += f.bytes;
        self.files.push(f);
    }
}

/// Generates a release for `profile` from `seed` into `out` (created if needed; existing
/// files with the same names are overwritten). `progress`, if given, is called with a stage
/// or file name and a count as work proceeds.
// The signature is the crate's contract; a type alias would only hide it.
#[allow(clippy::type_complexity)]
pub fn generate(
    profile: Profile,
    seed: u64,
    out: &Path,
    progress: Option<&dyn Fn(&str, u64)>,
) -> Result<Stats, SynthError> {
    let t0 = std::time::Instant::now();
    let report = |s: &str, n: u64| {
        if let Some(p) = progress {
            p(s, n);
        }
    };
    std::fs::create_dir_all(out).map_err(|e| SynthError::io(out, e))?;
    let spec = profile.spec();
    let uk = profile == Profile::Uk;
    let vocab = vocab::Vocab::build(&mut Rng::stream(seed, "vocab"), 3200);
    let mut dates = meta::release_dates(INT_DATE);
    let int_last = (dates.len() - 1) as u8;
    if uk {
        dates.push(UK_DATE);
    }
    let uk_last = (dates.len() - 1) as u8;

    // ---- the International graph
    let mut rng = Rng::stream(seed, "graph");
    let mut g = Graph::new();
    g.n_dates = dates.len() as u8;
    g.add_fixed(&[Kind::Clin, Kind::Meta]);
    let reserved = Graph::reserved_items();
    let n_int = spec.int_concepts.saturating_sub(g.len());
    let items = ids::concept_items(n_int, 10_000, &reserved, &mut rng);
    let int_weights: Vec<(usize, f64)> =
        POOLS.iter().enumerate().map(|(k, p)| (k, p.weight)).collect();
    g.grow(
        &GrowSpec {
            n: n_int,
            inactive: 0.30,
            multi_parent: 0.29,
            weights: int_weights,
            ns: None,
            concrete: 0.6,
        },
        &items,
        &vocab,
        &mut rng,
        0,
        int_last,
    );
    let int_range = 0..g.len();
    let upto = |g: &Graph| g.members.iter().map(Vec::len).collect::<Vec<usize>>();
    let int_upto = upto(&g);
    let mut ukcl_upto = int_upto.clone();
    report("international concepts", int_range.len() as u64);
    let read_target = (spec.int_concepts as f64 * 0.134) as usize;
    let (rc, read_of) = nhs::build_read_codes(read_target, &g, int_range.clone(), &mut rng);

    // ---- UK extensions
    let mut uk_refsets: Vec<u32> = Vec::new();
    let mut ukcl_range = 0..0;
    let mut ukdg_range = 0..0;
    if uk {
        let first_uk = g.len();
        g.add_fixed(&[Kind::Uk]);
        let empty = HashSet::new();
        let items = ids::concept_items(spec.ukcl + 40, 10_000, &empty, &mut rng);
        let (refset_items, gen_items) = items.split_at(24);
        let mut name = Vec::new();
        for &it in refset_items {
            name.clear();
            name.push(vocab.zipf(&mut rng));
            name.push(vocab.zipf(&mut rng));
            name.push(vocab.head(meta::MODEL, &mut rng));
            let id = ids::sctid(it, Some(1_000_000), ids::Part::Concept);
            let i = g.add_named(id, meta::SIMPLE_TYPE_REFSET, &name, uk_last);
            uk_refsets.push(i as u32);
        }
        let w = vec![
            (meta::FINDING, 0.2),
            (meta::DISORDER, 0.2),
            (meta::PROCEDURE, 0.25),
            (meta::SITUATION, 0.08),
            (meta::RECORD, 0.06),
            (meta::OBSERVABLE, 0.08),
            (meta::PHYSOBJ, 0.05),
            (meta::SOCIAL, 0.03),
            (meta::QUALIFIER, 0.03),
            (meta::ENVIRONMENT, 0.02),
        ];
        let n = spec.ukcl.saturating_sub(g.len() - first_uk);
        g.grow(
            &GrowSpec {
                n,
                inactive: 0.30,
                multi_parent: 0.29,
                weights: w,
                ns: Some(1_000_000),
                concrete: 0.6,
            },
            gen_items,
            &vocab,
            &mut rng,
            int_last / 2,
            uk_last,
        );
        ukcl_range = first_uk..g.len();
        ukcl_upto = upto(&g);
        let items = ids::concept_items(spec.ukdg, 10_000, &empty, &mut rng);
        let start = g.len();
        g.grow(
            &GrowSpec {
                n: spec.ukdg,
                inactive: 0.2,
                multi_parent: 0.29,
                weights: vec![(meta::PRODUCT, 0.9), (meta::SUBSTANCE, 0.1)],
                ns: Some(1_000_001),
                concrete: 0.9,
            },
            &items,
            &vocab,
            &mut rng,
            int_last / 2,
            uk_last,
        );
        ukdg_range = start..g.len();
        report("uk concepts", (g.len() - first_uk) as u64);
    }

    // ---- write the packages
    let ctv3 = |i: usize| -> Option<[u8; 5]> {
        (i < int_range.end && nhs::ctv3_mapped(seed, &g, i))
            .then(|| nhs::ctv3_code(i, &read_of, &rc))
    };
    let ctx = Ctx { g: &g, vocab: &vocab, dates: &dates, seed, ctv3: &ctv3 };
    let mut stats = Stats {
        profile: profile.to_string(),
        seed,
        vocabulary_words: vocab.len() as u64,
        ..Stats::default()
    };
    let mut desc_ids = DescIds { pt: vec![0; g.len()], syn: vec![0; g.len()] };

    let int_pkg = PkgSpec {
        dir: INT_PACKAGE.to_owned(),
        infix: "",
        ns_code: "INT",
        date: INT_DATE,
        last_date: int_last,
        ns: None,
        module: wk::CORE_MODULE,
        refset_module: wk::CORE_MODULE,
        range: int_range.clone(),
        members_upto: int_upto.clone(),
        langs: vec![(wk::GB_ENGLISH, false), (wk::US_ENGLISH, true)],
        int_maps: true,
        uk_map: false,
        us_diff: 0.021,
        inactive_rel_mean: 4.0,
        no_synonym: 0.0,
        desc_start: 1_000_000,
        rel_start: 2_000_000,
        moddeps: vec![
            (wk::CORE_MODULE, wk::MODEL_COMPONENT_MODULE),
            (wk::MODEL_COMPONENT_MODULE, wk::CORE_MODULE),
            (wk::ICD10_MODULE, wk::CORE_MODULE),
            (wk::ICD10_MODULE, wk::MODEL_COMPONENT_MODULE),
        ],
    };
    let ukcl_pkg = PkgSpec {
        dir: UKCL_PACKAGE.to_owned(),
        infix: "UKCL",
        ns_code: "GB1000000",
        date: UK_DATE,
        last_date: uk_last,
        ns: Some(1_000_000),
        module: meta::UKCL_MODULE,
        refset_module: meta::UKCL_REFSET_MODULE,
        range: ukcl_range.clone(),
        members_upto: ukcl_upto,
        langs: vec![(wk::GB_ENGLISH, false), (wk::NHS_CLINICAL_LANG, false)],
        int_maps: false,
        uk_map: true,
        us_diff: 0.0,
        inactive_rel_mean: 3.5,
        no_synonym: 0.0,
        desc_start: 10_000,
        rel_start: 10_000,
        moddeps: vec![
            (meta::UKCL_MODULE, wk::CORE_MODULE),
            (meta::UKCL_MODULE, wk::MODEL_COMPONENT_MODULE),
            (meta::UKCL_REFSET_MODULE, meta::UKCL_MODULE),
            (meta::UKCL_REFSET_MODULE, wk::CORE_MODULE),
            (meta::UKED_REFSET_MODULE, meta::UKCL_MODULE),
            (meta::UKED_REFSET_MODULE, wk::CORE_MODULE),
        ],
    };
    let ukdg_pkg = PkgSpec {
        dir: UKDG_PACKAGE.to_owned(),
        infix: "UKDG",
        ns_code: "GB1000001",
        date: UK_DATE,
        last_date: uk_last,
        ns: Some(1_000_001),
        module: meta::UKDG_MODULE,
        refset_module: meta::UKDG_MODULE,
        range: ukdg_range.clone(),
        members_upto: upto(&g),
        langs: vec![
            (wk::GB_ENGLISH, false),
            (wk::NHS_PHARMACY_LANG, false),
            (wk::NHS_CLINICAL_LANG, false),
        ],
        int_maps: false,
        uk_map: false,
        us_diff: 0.0,
        inactive_rel_mean: 7.5,
        no_synonym: 0.5,
        desc_start: 10_000,
        rel_start: 10_000,
        moddeps: vec![
            (meta::UKDG_MODULE, meta::UKCL_MODULE),
            (meta::UKDG_MODULE, wk::CORE_MODULE),
            (meta::UKDG_MODULE, wk::MODEL_COMPONENT_MODULE),
        ],
    };

    let mut counters = Vec::new();
    let mut int_sinks = Sinks::open(out, &int_pkg)?;
    let mut ukcl_sinks = if uk { Some(Sinks::open(out, &ukcl_pkg)?) } else { None };
    {
        let extra = ukcl_sinks.as_mut().and_then(|s| {
            s.ukmap.as_mut().map(|ukmap| Extra {
                lang: &mut s.lang,
                lang_refset: wk::NHS_CLINICAL_LANG,
                lang_module: meta::UKCL_REFSET_MODULE,
                ukmap,
                rng: Rng::stream(seed, "rf2-int-uk"),
            })
        });
        let mut pass = Pass::new(&ctx, &int_pkg, "rf2-int");
        pass.run(&mut int_sinks, extra, &mut desc_ids, &|n| report("international rows", n))?;
        counters.push(pass.counters.clone());
    }
    for (kind, f) in int_sinks.finish()? {
        report(&f.path, f.rows);
        stats.add(kind, f);
    }
    let (nhs_files, nc) =
        nhs::write_tables(out, &g, int_range.clone(), &rc, &read_of, &desc_ids, &int_upto, seed)?;
    for f in nhs_files {
        report(&f.path, f.rows);
        stats.add("nhs", f);
    }
    stats.readv2_map_rows = nc.read_rows;
    stats.readv2_map_ids = nc.read_map_ids;
    stats.readv2_active_maps = nc.read_active;
    stats.readv2_assured_maps = nc.read_assured;
    stats.ctv3_table_rows = nc.ctv3_rows;

    if let Some(mut ukcl) = ukcl_sinks {
        let mut pass = Pass::new(&ctx, &ukcl_pkg, "rf2-ukcl");
        pass.run(&mut ukcl, None, &mut desc_ids, &|n| report("uk clinical rows", n))?;
        counters.push(pass.counters.clone());
        let mut ukdg = Sinks::open(out, &ukdg_pkg)?;
        let mut pass = Pass::new(&ctx, &ukdg_pkg, "rf2-ukdg");
        pass.run(&mut ukdg, None, &mut desc_ids, &|n| report("uk drug rows", n))?;
        counters.push(pass.counters.clone());
        let mut dg_stats = Vec::new();
        for (kind, f) in ukdg.finish()? {
            report(&f.path, f.rows);
            dg_stats.push((kind, f));
        }
        // UK simple refsets fill the refset member count up to the UK figure
        let so_far: u64 = stats.refset_members
            + dg_stats.iter().filter(|(k, _)| is_refset(k)).map(|(_, f)| f.rows).sum::<u64>()
            + [&ukcl.lang, &ukcl.assoc, &ukcl.attrval, &ukcl.simple, &ukcl.moddep]
                .iter()
                .map(|t| t.rows())
                .sum::<u64>()
            + ukcl.ukmap.as_ref().map_or(0, |t| t.rows());
        let fill = spec.refset_target.saturating_sub(so_far);
        let mut frng = Rng::stream(seed, "filler");
        rf2::filler_simple(
            &mut ukcl.simple,
            &g,
            &uk_refsets,
            fill,
            meta::UKCL_REFSET_MODULE,
            &dates,
            &mut frng,
        )?;
        for (kind, f) in ukcl.finish()? {
            report(&f.path, f.rows);
            stats.add(kind, f);
        }
        for (kind, f) in dg_stats {
            stats.add(kind, f);
        }
    }
    for c in &counters {
        stats.active_concepts += c.active_concepts;
        stats.inactive_descriptions += c.inactive_descriptions;
        stats.active_relationships += c.active_relationships;
        stats.active_is_a += c.active_is_a;
        stats.gb_us_differences += c.gb_us_differences;
    }
    shape_stats(&g, seed, &mut stats);
    stats.seconds = t0.elapsed().as_secs_f64();
    report("done", stats.bytes);
    Ok(stats)
}

fn is_refset(kind: &str) -> bool {
    !matches!(
        kind,
        "concept" | "description" | "text_definition" | "relationship" | "concrete_value" | "nhs"
    )
}

fn shape_stats(g: &Graph, seed: u64, st: &mut Stats) {
    let n = g.len();
    let mut active = 0u64;
    let mut multi = 0u64;
    let mut depth_sum = 0u64;
    let mut max_depth = 0u32;
    let mut tops: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut act_idx = Vec::new();
    for i in 0..n {
        if !g.active[i] {
            continue;
        }
        active += 1;
        act_idx.push(i);
        let ps = g.parents(i).len();
        if ps > 1 {
            multi += 1;
        }
        depth_sum += u64::from(g.depth[i]);
        max_depth = max_depth.max(u32::from(g.depth[i]));
        if ps > 0 {
            *tops.entry(g.top_of(i)).or_default() += 1;
        }
    }
    st.max_depth = max_depth;
    st.mean_depth = depth_sum as f64 / active.max(1) as f64;
    st.multi_parent_fraction = multi as f64 / (active.max(2) - 1) as f64;
    st.inactive_fraction = 1.0 - active as f64 / n.max(1) as f64;
    let mut hs: Vec<(u64, u64)> = tops.into_iter().map(|(t, c)| (g.id[t], c)).collect();
    hs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    st.hierarchy_sizes = hs;
    // ancestor counts over a sample
    let mut rng = Rng::stream(seed, "sample");
    let mut counts = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = Vec::new();
    for _ in 0..2000.min(act_idx.len()) {
        let i = act_idx[rng.index(act_idx.len())];
        seen.clear();
        stack.clear();
        stack.push(i as u32);
        while let Some(c) = stack.pop() {
            for &p in g.parents(c as usize) {
                if seen.insert(p) {
                    stack.push(p);
                }
            }
        }
        counts.push(seen.len() as u32);
    }
    counts.sort_unstable();
    if !counts.is_empty() {
        st.mean_ancestors = counts.iter().map(|&c| f64::from(c)).sum::<f64>() / counts.len() as f64;
        st.p90_ancestors = counts[counts.len() * 9 / 10];
        st.max_ancestors = counts[counts.len() - 1];
    }
}
