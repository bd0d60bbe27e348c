//! End-to-end checks of the generated tiny release: determinism, format, counts and shape.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use sctx_synth::{INT_PACKAGE, NHS_MAP_DIR, Profile, Stats, generate};
use sctx_types::SctId;

const ROOT: u64 = 138875005;
const IS_A: u64 = 116680003;
const FSN: u64 = 900000000000003001;
const PREFERRED: u64 = 900000000000548007;
const GB: u64 = 900000000000508004;
const US: u64 = 900000000000509007;
const TOP_LEVEL: [u64; 19] = [
    404684003,
    71388002,
    123037004,
    105590001,
    373873005,
    410607006,
    363787002,
    362981000,
    243796009,
    272379006,
    260787004,
    308916002,
    48176007,
    370115009,
    123038009,
    254291000,
    900000000000441003,
    78621006,
    419891008,
];

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut v = Vec::new();
    all_files(dir, &mut v);
    v.into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

#[test]
fn same_seed_is_byte_identical_and_other_seed_differs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let sa = generate(Profile::Tiny, 7, a.path(), None).unwrap();
    let sb = generate(Profile::Tiny, 7, b.path(), None).unwrap();
    generate(Profile::Tiny, 8, c.path(), None).unwrap();
    let (fa, fb, fc) = (files_of(a.path()), files_of(b.path()), files_of(c.path()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert!(fa.len() >= 14, "{:?}", fa.keys());
    for (name, bytes) in &fa {
        assert_eq!(fnv(bytes), fnv(&fb[name]), "{name} differs between runs with the same seed");
    }
    let differing = fa.iter().filter(|(n, bytes)| fnv(bytes) != fnv(&fc[*n])).count();
    // every content file differs with another seed (the module dependency file has fixed ids
    // but random member ids, so it differs too)
    assert!(
        differing >= fa.len() - 1,
        "only {differing} of {} files differ with another seed",
        fa.len()
    );
    let strip = |s: &Stats| Stats { seconds: 0.0, ..s.clone() };
    assert_eq!(strip(&sa), strip(&sb));
}

/// Parsed rows of one RF2 or map file.
struct Rows {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Rows {
    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }
}

fn parse(name: &str, bytes: &[u8]) -> Rows {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
    assert!(text.ends_with("\r\n"), "{name}: last line must end with CRLF");
    let body = &text[..text.len() - 2];
    let mut lines = body.split("\r\n");
    let header: Vec<String> = lines.next().unwrap().split('\t').map(str::to_owned).collect();
    let mut rows = Vec::new();
    for (k, l) in lines.enumerate() {
        assert!(!l.contains('\n') && !l.contains('\r'), "{name}: bare CR/LF in line {}", k + 2);
        let f: Vec<String> = l.split('\t').map(str::to_owned).collect();
        assert_eq!(f.len(), header.len(), "{name}: line {} has {} fields", k + 2, f.len());
        rows.push(f);
    }
    Rows { header, rows }
}

fn expected_header(file: &str) -> Vec<&'static str> {
    let refset = |extra: &[&'static str]| {
        let mut v =
            vec!["id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId"];
        v.extend_from_slice(extra);
        v
    };
    let base = file.rsplit('/').next().unwrap();
    if base.starts_with("sct2_Concept_") {
        vec!["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]
    } else if base.starts_with("sct2_Description_") || base.starts_with("sct2_TextDefinition_") {
        vec![
            "id",
            "effectiveTime",
            "active",
            "moduleId",
            "conceptId",
            "languageCode",
            "typeId",
            "term",
            "caseSignificanceId",
        ]
    } else if base.starts_with("sct2_Relationship_") {
        vec![
            "id",
            "effectiveTime",
            "active",
            "moduleId",
            "sourceId",
            "destinationId",
            "relationshipGroup",
            "typeId",
            "characteristicTypeId",
            "modifierId",
        ]
    } else if base.starts_with("sct2_RelationshipConcreteValues_") {
        vec![
            "id",
            "effectiveTime",
            "active",
            "moduleId",
            "sourceId",
            "value",
            "relationshipGroup",
            "typeId",
            "characteristicTypeId",
            "modifierId",
        ]
    } else if base.starts_with("der2_cRefset_Language") {
        refset(&["acceptabilityId"])
    } else if base.starts_with("der2_cRefset_Association") {
        refset(&["targetComponentId"])
    } else if base.starts_with("der2_cRefset_AttributeValue") {
        refset(&["valueId"])
    } else if base.starts_with("der2_Refset_Simple") {
        refset(&[])
    } else if base.starts_with("der2_sRefset_SimpleMap") {
        refset(&["mapTarget"])
    } else if base.starts_with("der2_iisssccRefset_ExtendedMap") {
        refset(&[
            "mapGroup",
            "mapPriority",
            "mapRule",
            "mapAdvice",
            "mapTarget",
            "correlationId",
            "mapCategoryId",
        ])
    } else if base.starts_with("der2_iisssciRefset_ExtendedMap") {
        refset(&[
            "mapGroup",
            "mapPriority",
            "mapRule",
            "mapAdvice",
            "mapTarget",
            "correlationId",
            "mapBlock",
        ])
    } else if base.starts_with("der2_ssRefset_ModuleDependency") {
        refset(&["sourceEffectiveTime", "targetEffectiveTime"])
    } else if base.starts_with("rcsctmap2_uk_") {
        vec![
            "MapId",
            "ReadCode",
            "TermCode",
            "ConceptId",
            "DescriptionId",
            "IS_ASSURED",
            "EffectiveDate",
            "MapStatus",
        ]
    } else if base.starts_with("ctv3sctmap2_uk_") {
        vec![
            "MAPID",
            "CTV3_CONCEPTID",
            "CTV3_TERMID",
            "CTV3_TERMTYPE",
            "SCT_CONCEPTID",
            "SCT_DESCRIPTIONID",
            "MAPSTATUS",
            "EFFECTIVEDATE",
            "IS_ASSURED",
        ]
    } else {
        panic!("unexpected file {file}")
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
            }
        })
}

fn sctid(file: &str, s: &str) -> u64 {
    SctId::parse(s).unwrap_or_else(|e| panic!("{file}: {e}")).get()
}

fn is_read_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.')
        && b[0] != b'.'
        && b.windows(2).all(|w| !(w[0] == b'.' && w[1] != b'.'))
}

/// Everything the shape checks need, loaded from one generated tiny release.
#[derive(Default)]
struct Release {
    concepts: HashMap<u64, bool>,
    desc_concept: HashMap<u64, (u64, u64, String)>,
    text_definitions: HashMap<u64, u64>,
    parents: HashMap<u64, Vec<u64>>,
    attrs: Vec<(u64, u64, u64)>,
    inactivation: HashSet<u64>,
    assoc: Vec<(u64, u64, u64)>,
    lang: Vec<(u64, u64, u64, bool)>,
    read_rows: Vec<Vec<String>>,
    ctv3_rows: Vec<Vec<String>>,
    files: Vec<String>,
}

fn load(dir: &Path) -> Release {
    let mut r = Release::default();
    for (name, bytes) in files_of(dir) {
        let rows = parse(&name, &bytes);
        assert_eq!(rows.header, expected_header(&name), "{name}: header");
        r.files.push(name.clone());
        let base = name.rsplit('/').next().unwrap().to_owned();
        if name.starts_with(NHS_MAP_DIR) {
            if base.starts_with("rcsctmap2") {
                r.read_rows = rows.rows;
            } else {
                r.ctv3_rows = rows.rows;
            }
            continue;
        }
        assert!(name.starts_with(INT_PACKAGE), "{name}");
        let (et, act, module) =
            (rows.col("effectiveTime"), rows.col("active"), rows.col("moduleId"));
        let refset = base.starts_with("der2_");
        for f in &rows.rows {
            let t: u32 = f[et].parse().unwrap();
            assert!((20020131..=20250131).contains(&t), "{name}: effectiveTime {t}");
            assert!(f[act] == "1" || f[act] == "0", "{name}: active {}", f[act]);
            sctid(&name, &f[module]);
            if refset {
                assert!(is_uuid(&f[0]), "{name}: member id {}", f[0]);
                sctid(&name, &f[4]);
                sctid(&name, &f[5]);
            } else {
                sctid(&name, &f[0]);
            }
        }
        if base.starts_with("sct2_Concept_") {
            for f in &rows.rows {
                let id = sctid(&name, &f[0]);
                assert!(r.concepts.insert(id, f[2] == "1").is_none(), "duplicate concept {id}");
                sctid(&name, &f[4]);
            }
        } else if base.starts_with("sct2_Description_") {
            for f in &rows.rows {
                let id = sctid(&name, &f[0]);
                let c = sctid(&name, &f[4]);
                let ty = sctid(&name, &f[6]);
                assert_eq!(f[5], "en");
                assert!(!f[7].is_empty() && f[7].chars().count() <= 255, "term {:?}", f[7]);
                sctid(&name, &f[8]);
                assert!(
                    r.desc_concept.insert(id, (c, ty, f[7].clone())).is_none(),
                    "duplicate description {id}"
                );
            }
        } else if base.starts_with("sct2_TextDefinition_") {
            for f in &rows.rows {
                assert_eq!(f[6], "900000000000550004");
                r.text_definitions.insert(sctid(&name, &f[0]), sctid(&name, &f[4]));
            }
        } else if base.starts_with("sct2_Relationship_") {
            for f in &rows.rows {
                let (src, dst, ty) =
                    (sctid(&name, &f[4]), sctid(&name, &f[5]), sctid(&name, &f[7]));
                if f[2] != "1" {
                    continue;
                }
                if ty == IS_A {
                    r.parents.entry(src).or_default().push(dst);
                } else {
                    r.attrs.push((src, ty, dst));
                }
            }
        } else if base.starts_with("sct2_RelationshipConcreteValues_") {
            for f in &rows.rows {
                assert!(
                    f[5].starts_with('#') && f[5][1..].parse::<f64>().is_ok(),
                    "concrete value {}",
                    f[5]
                );
            }
        } else if base.starts_with("der2_cRefset_Language") {
            for f in &rows.rows {
                r.lang.push((
                    sctid(&name, &f[4]),
                    sctid(&name, &f[5]),
                    sctid(&name, &f[6]),
                    f[2] == "1",
                ));
            }
        } else if base.starts_with("der2_cRefset_AttributeValue") {
            for f in &rows.rows {
                if f[4] == "900000000000489007" {
                    r.inactivation.insert(sctid(&name, &f[5]));
                }
                sctid(&name, &f[6]);
            }
        } else if base.starts_with("der2_cRefset_Association") {
            for f in &rows.rows {
                r.assoc.push((sctid(&name, &f[4]), sctid(&name, &f[5]), sctid(&name, &f[6])));
            }
        } else if base.starts_with("der2_sRefset_SimpleMap") {
            for f in &rows.rows {
                assert_eq!(f[4], "900000000000497000");
                assert_eq!(f[6].len(), 5, "CTV3 code {}", f[6]);
            }
        } else if base.starts_with("der2_iisssccRefset_ExtendedMap") {
            for f in &rows.rows {
                assert_eq!(f[4], "447562003");
                let target = &f[10];
                let cat = &f[12];
                assert_eq!(
                    target.is_empty(),
                    cat == "447638001",
                    "target {target:?} with category {cat}"
                );
            }
        }
    }
    r
}

#[test]
fn tiny_release_has_the_specified_format_and_shape() {
    let dir = tempfile::tempdir().unwrap();
    let stats = generate(Profile::Tiny, 42, dir.path(), None).unwrap();
    let r = load(dir.path());

    // ---- file list
    let expect = [
        "Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250131.txt",
        "Snapshot/Terminology/sct2_Description_Snapshot-en_INT_20250131.txt",
        "Snapshot/Terminology/sct2_Relationship_Snapshot_INT_20250131.txt",
        "Snapshot/Terminology/sct2_RelationshipConcreteValues_Snapshot_INT_20250131.txt",
        "Snapshot/Terminology/sct2_TextDefinition_Snapshot-en_INT_20250131.txt",
        "Snapshot/Refset/Language/der2_cRefset_LanguageSnapshot-en_INT_20250131.txt",
        "Snapshot/Refset/Content/der2_cRefset_AssociationSnapshot_INT_20250131.txt",
        "Snapshot/Refset/Content/der2_cRefset_AttributeValueSnapshot_INT_20250131.txt",
        "Snapshot/Refset/Content/der2_Refset_SimpleSnapshot_INT_20250131.txt",
        "Snapshot/Refset/Map/der2_sRefset_SimpleMapSnapshot_INT_20250131.txt",
        "Snapshot/Refset/Map/der2_iisssccRefset_ExtendedMapSnapshot_INT_20250131.txt",
        "Snapshot/Refset/Metadata/der2_ssRefset_ModuleDependencySnapshot_INT_20250131.txt",
    ];
    for e in expect {
        let p = format!("{INT_PACKAGE}/{e}");
        assert!(r.files.contains(&p), "missing {p}");
    }
    assert!(r.files.contains(&format!("{NHS_MAP_DIR}/rcsctmap2_uk_20200401000001.txt")));
    assert!(r.files.contains(&format!("{NHS_MAP_DIR}/ctv3sctmap2_uk_20200401000001.txt")));

    // ---- counts against the profile (tolerances) and the reported stats
    let n = r.concepts.len() as f64;
    assert_eq!(r.concepts.len() as u64, stats.concepts);
    assert!((4000.0..=8000.0).contains(&n), "{n} concepts");
    let active = r.concepts.values().filter(|a| **a).count() as f64;
    assert_eq!(active as u64, stats.active_concepts);
    let inactive_fraction = 1.0 - active / n;
    assert!((0.25..=0.33).contains(&inactive_fraction), "inactive fraction {inactive_fraction}");
    let per = |x: usize| x as f64 / n;
    assert_eq!(r.desc_concept.len() as u64, stats.descriptions);
    assert!(
        (2.6..=3.4).contains(&per(r.desc_concept.len())),
        "descriptions per concept {}",
        per(r.desc_concept.len())
    );
    let rel_rows = stats.relationships as f64 / n;
    assert!((4.8..=6.5).contains(&rel_rows), "relationship rows per concept {rel_rows}");
    let lang_per_desc = r.lang.len() as f64 / r.desc_concept.len() as f64;
    assert!(
        (1.9..=2.2).contains(&lang_per_desc),
        "language members per description {lang_per_desc}"
    );
    let assoc = per(r.assoc.len());
    assert!((0.35..=0.6).contains(&assoc), "associations per concept {assoc}");
    assert!(
        (0.2..=0.35).contains(&per(stats.icd10_map_members as usize)),
        "ICD-10 rows {}",
        stats.icd10_map_members
    );
    assert!(
        (0.8..=1.0).contains(&per(stats.ctv3_map_members as usize)),
        "CTV3 rows {}",
        stats.ctv3_map_members
    );
    assert!(stats.concrete_values > 0 && stats.text_definitions > 0);
    let inactive_desc = stats.inactive_descriptions as f64 / stats.descriptions as f64;
    assert!((0.03..=0.07).contains(&inactive_desc), "inactive descriptions {inactive_desc}");

    // ---- every active concept has an FSN; metadata concepts present with their names
    let mut fsn: HashMap<u64, &str> = HashMap::new();
    for (c, ty, term) in r.desc_concept.values() {
        assert!(r.concepts.contains_key(c), "description of unknown concept {c}");
        if *ty == FSN {
            fsn.insert(*c, term);
        }
    }
    for (c, a) in &r.concepts {
        if *a {
            let f = fsn.get(c).unwrap_or_else(|| panic!("{c} has no FSN"));
            assert!(f.ends_with(')') && f.contains(" ("), "FSN without semantic tag: {f}");
        }
    }
    assert_eq!(fsn[&410662002], "Concept model attribute (attribute)");
    assert_eq!(
        fsn[&GB],
        "Great Britain English language reference set (foundation metadata concept)"
    );
    assert_eq!(fsn[&ROOT], "SNOMED CT Concept (SNOMED RT+CTV3)");
    for id in [
        363698007u64,
        116676008,
        127489000,
        900000000000527005,
        900000000000003001,
        447562003,
        900000000000497000,
    ] {
        assert!(r.concepts[&id], "{id} inactive or missing");
    }

    // ---- the is-a graph: acyclic, everything reaches the root, 19 top-level hierarchies
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for (c, ps) in &r.parents {
        assert!(r.concepts[c], "inactive concept {c} has active is-a rows");
        for p in ps {
            assert!(r.concepts[p], "{c} has inactive parent {p}");
            children.entry(*p).or_default().push(*c);
        }
    }
    let mut tops: Vec<u64> = children[&ROOT].clone();
    tops.sort_unstable();
    let mut want = TOP_LEVEL.to_vec();
    want.sort_unstable();
    assert_eq!(tops, want);
    // Kahn: longest path depth and acyclicity
    let mut indeg: HashMap<u64, usize> = r.parents.iter().map(|(c, p)| (*c, p.len())).collect();
    let mut depth: HashMap<u64, u32> = HashMap::from([(ROOT, 0)]);
    let mut queue = vec![ROOT];
    let mut seen = 0usize;
    while let Some(c) = queue.pop() {
        seen += 1;
        let d = depth[&c];
        for ch in children.get(&c).into_iter().flatten() {
            let e = depth.entry(*ch).or_insert(0);
            *e = (*e).max(d + 1);
            let k = indeg.get_mut(ch).unwrap();
            *k -= 1;
            if *k == 0 {
                queue.push(*ch);
            }
        }
    }
    assert_eq!(
        seen as f64, active,
        "the is-a graph has a cycle or active concepts that do not reach the root"
    );
    let max_depth = *depth.values().max().unwrap();
    assert_eq!(max_depth, stats.max_depth);
    assert!((9..=30).contains(&max_depth), "max depth {max_depth}");
    let multi = r.parents.values().filter(|p| p.len() > 1).count() as f64 / r.parents.len() as f64;
    assert!((0.2..=0.3).contains(&multi), "multi-parent fraction {multi}");
    // no redundant parent: no parent is an ancestor of another parent
    let ancestors = |c: u64| {
        let mut s = HashSet::new();
        let mut st = vec![c];
        while let Some(x) = st.pop() {
            for p in r.parents.get(&x).into_iter().flatten() {
                if s.insert(*p) {
                    st.push(*p);
                }
            }
        }
        s
    };
    // clinical finding is the largest hierarchy, about a third
    let cf = ancestors_count_under(&children, 404684003) as f64 / active;
    assert!((0.25..=0.42).contains(&cf), "clinical finding share {cf}");
    assert_eq!(stats.hierarchy_sizes[0].0, 404684003);

    // ---- attributes follow the concept model
    let body = descendants(&children, 123037004);
    let morph = descendants(&children, 49755003);
    let substance = descendants(&children, 105590001);
    let mut checked = 0;
    for (src, ty, dst) in &r.attrs {
        assert!(r.concepts[src] && r.concepts[dst], "attribute on/to inactive concept");
        match *ty {
            363698007 | 405813007 => assert!(body.contains(dst), "site {dst} not a body structure"),
            116676008 => {
                assert!(morph.contains(dst), "morphology {dst} not a morphologic abnormality")
            }
            127489000 => assert!(substance.contains(dst), "ingredient {dst} not a substance"),
            _ => continue,
        }
        checked += 1;
    }
    assert!(checked > 500, "only {checked} attribute relationships checked");
    let _ = ancestors(ROOT);

    // ---- inactive concepts: indicators and historical associations
    for (c, a) in &r.concepts {
        if !*a {
            assert!(r.inactivation.contains(c), "inactive {c} without inactivation indicator");
            assert!(!r.parents.contains_key(c));
        }
    }
    let mut pe: HashMap<u64, usize> = HashMap::new();
    let mut kinds = HashSet::new();
    for (refset, src, dst) in &r.assoc {
        assert!(!r.concepts[src], "association source {src} active");
        assert!(r.concepts[dst], "association target {dst} inactive");
        kinds.insert(*refset);
        if *refset == 900000000000523009 {
            *pe.entry(*src).or_default() += 1;
        }
    }
    for k in [900000000000527005u64, 900000000000526001, 900000000000523009, 900000000000530003] {
        assert!(kinds.contains(&k), "no association of refset {k}");
    }
    assert!(
        pe.values().all(|&n| (2..=3).contains(&n)),
        "POSSIBLY EQUIVALENT TO must have 2-3 targets"
    );

    // ---- GB/US preferred terms differ for a few concepts
    let mut pt: HashMap<(u64, u64), u64> = HashMap::new();
    for (refset, d, acc, act) in &r.lang {
        if let Some(c) = r.text_definitions.get(d) {
            assert!(r.concepts.contains_key(c));
            continue;
        }
        let (c, ty, _) = &r.desc_concept[d];
        if *act && *acc == PREFERRED && *ty != FSN {
            assert!(
                pt.insert((*refset, *c), *d).is_none(),
                "two preferred synonyms for {c} in {refset}"
            );
        }
    }
    let mut differ = 0;
    for (c, a) in &r.concepts {
        if *a {
            let (g, u) = (pt.get(&(GB, *c)), pt.get(&(US, *c)));
            assert!(g.is_some() && u.is_some(), "{c} lacks a preferred term");
            if g != u {
                differ += 1;
            }
        }
    }
    let differ_frac = differ as f64 / active;
    assert!((0.01..=0.04).contains(&differ_frac), "GB/US differences {differ_frac}");
    assert_eq!(differ, stats.gb_us_differences);

    // ---- vocabulary: non-ASCII letters, acronyms, shared words
    let terms: Vec<&str> = r.desc_concept.values().map(|(_, _, t)| t.as_str()).collect();
    let non_ascii = terms.iter().filter(|t| !t.is_ascii()).count();
    assert!(
        non_ascii > 0 && (non_ascii as f64) < 0.08 * terms.len() as f64,
        "{non_ascii} non-ASCII terms"
    );
    let acronyms = terms
        .iter()
        .filter(|t| t.len() >= 2 && t.len() <= 9 && t.chars().all(|c| c.is_ascii_uppercase()))
        .count();
    assert!(acronyms as f64 > 0.005 * active, "{acronyms} acronyms");
    let mut words: HashMap<&str, usize> = HashMap::new();
    for t in &terms {
        for w in t.split(' ') {
            *words.entry(w).or_default() += 1;
        }
    }
    let mut freq: Vec<usize> = words.values().copied().collect();
    freq.sort_unstable_by(|a, b| b.cmp(a));
    assert!(
        freq[0] > 20 * freq[freq.len() / 2],
        "word frequencies are not Zipf-like: {:?}",
        &freq[..10]
    );

    // ---- NHS Data Migration tables
    let mut map_ids: HashMap<&str, usize> = HashMap::new();
    for f in &r.read_rows {
        assert!(f[0].starts_with('{') && f[0].ends_with('}') && f[0].len() == 38, "MapId {}", f[0]);
        assert!(is_read_code(&f[1]), "Read code {:?}", f[1]);
        assert!(f[2].len() == 2 && f[2].bytes().all(|b| b.is_ascii_digit()), "term code {}", f[2]);
        let c = sctid("rcsctmap2", &f[3]);
        assert!(r.concepts.contains_key(&c), "map to unknown concept {c}");
        let d = sctid("rcsctmap2", &f[4]);
        assert_eq!(r.desc_concept[&d].0, c, "description {d} is not of concept {c}");
        assert!(f[5] == "0" || f[5] == "1");
        assert!(f[7] == "0" || f[7] == "1");
        *map_ids.entry(&f[0]).or_default() += 1;
    }
    assert!(map_ids.values().any(|&k| k > 1), "no MapId with several versions");
    assert!(
        r.read_rows.iter().any(|f| f[1].ends_with("z.") || f[1].ends_with('z')),
        "no NOS-style Read codes"
    );
    assert!(r.read_rows.iter().any(|f| f[1].ends_with("...")), "no chapter-level Read codes");
    assert!(stats.readv2_active_maps as f64 > 0.55 * stats.readv2_map_ids as f64);
    let assured = stats.readv2_assured_maps as f64 / stats.readv2_active_maps as f64;
    assert!((0.65..=0.85).contains(&assured), "assured share {assured}");
    assert!(r.ctv3_rows.iter().any(|f| f[4] == "_DRUG"), "no _DRUG rows in the CTV3 table");
    for f in &r.ctv3_rows {
        assert!(f[0].starts_with('{') && f[0].ends_with('}'));
        assert_eq!(f[1].len(), 5);
        assert!(f[2].len() == 5 && f[2].starts_with('Y'));
        assert!(f[3] == "P" || f[3] == "S");
        if f[4] != "_DRUG" {
            assert!(r.concepts.contains_key(&sctid("ctv3sctmap2", &f[4])));
        }
    }
    let ratio = r.ctv3_rows.len() as f64 / r.read_rows.len() as f64;
    assert!((2.0..=3.5).contains(&ratio), "CTV3/Read table ratio {ratio}");
}

fn descendants(children: &HashMap<u64, Vec<u64>>, top: u64) -> HashSet<u64> {
    let mut s = HashSet::new();
    let mut st = vec![top];
    while let Some(x) = st.pop() {
        for c in children.get(&x).into_iter().flatten() {
            if s.insert(*c) {
                st.push(*c);
            }
        }
    }
    s
}

fn ancestors_count_under(children: &HashMap<u64, Vec<u64>>, top: u64) -> usize {
    descendants(children, top).len() + 1
}

#[test]
fn profiles_parse() {
    assert_eq!("tiny".parse::<Profile>().unwrap(), Profile::Tiny);
    assert_eq!("International".parse::<Profile>().unwrap(), Profile::International);
    assert_eq!("uk".parse::<Profile>().unwrap(), Profile::Uk);
    assert!("us".parse::<Profile>().is_err());
    assert_eq!(Profile::International.to_string(), "international");
}
