//! NHS Data Migration map tables (Read v2 → SNOMED CT, CTV3 → SNOMED CT) and the Read v2 /
//! CTV3 code shapes shared with the CTV3 simple map refset.

use std::ops::Range;
use std::path::Path;

use crate::graph::Graph;
use crate::meta;
use crate::out::Table;
use crate::rf2::DescIds;
use crate::rng::{Rng, hash01};
use crate::{FileStat, SynthError};

/// Folder of the map tables, relative to the output directory.
pub(crate) const DIR: &str = "nhs_datamigration/Mapping Tables/Updated/Clinically Assured";
pub(crate) const H_READ: &[&str] = &[
    "MapId",
    "ReadCode",
    "TermCode",
    "ConceptId",
    "DescriptionId",
    "IS_ASSURED",
    "EffectiveDate",
    "MapStatus",
];
pub(crate) const H_CTV3: &[&str] = &[
    "MAPID",
    "CTV3_CONCEPTID",
    "CTV3_TERMID",
    "CTV3_TERMTYPE",
    "SCT_CONCEPTID",
    "SCT_DESCRIPTIONID",
    "MAPSTATUS",
    "EFFECTIVEDATE",
    "IS_ASSURED",
];

const CHAPTERS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUZ";
const CHILD_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXabcdefghjkmnpqrstuvwx";
const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const M62_4: u64 = 62 * 62 * 62 * 62;

/// Read v2 codes with their SNOMED CT targets.
pub(crate) struct ReadCodes {
    pub codes: Vec<[u8; 5]>,
    pub target: Vec<u32>,
    pub n_terms: Vec<u8>,
}

fn chapter_pools(ch: u8) -> &'static [usize] {
    match ch {
        b'0' => &[meta::SOCIAL],
        b'1' | b'2' | b'R' => &[meta::FINDING],
        b'3' | b'5' | b'7' | b'8' | b'Z' => &[meta::PROCEDURE],
        b'4' => &[meta::PROCEDURE, meta::OBSERVABLE],
        b'6' => &[meta::PROCEDURE, meta::SITUATION],
        b'9' => &[meta::RECORD, meta::SITUATION, meta::PROCEDURE],
        b'T' | b'U' => &[meta::EVENT],
        _ => &[meta::DISORDER],
    }
}

/// Builds about `target` hierarchical Read v2 codes (5 characters, trailing dots) and maps
/// each to an active International concept. Returns the codes and, per concept, the index of
/// the first code mapped to it (`u32::MAX` if none).
pub(crate) fn build_read_codes(
    target: usize,
    g: &Graph,
    int: Range<usize>,
    rng: &mut Rng,
) -> (ReadCodes, Vec<u32>) {
    // fanout f with 30 * (1 + f + f^2 + f^3 + f^4) ≈ target
    let total = |f: f64| 30.0 * (1.0 + f + f * f + f * f * f + f * f * f * f);
    let (mut lo, mut hi) = (0.5f64, 40.0f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if total(mid) < target as f64 { lo = mid } else { hi = mid }
    }
    let f = lo;
    let mut codes: Vec<[u8; 5]> = Vec::with_capacity(target + 64);
    for &c in CHAPTERS {
        codes.push([c, b'.', b'.', b'.', b'.']);
    }
    let mut head = 0;
    while head < codes.len() && codes.len() < target {
        let parent = codes[head];
        head += 1;
        let level = parent.iter().position(|&b| b == b'.').unwrap_or(5);
        if level >= 5 {
            continue;
        }
        let k = ((f * (0.4 + 1.2 * rng.f64())).round() as usize).min(CHILD_CHARS.len());
        for (j, &ch) in CHILD_CHARS.iter().enumerate().take(k) {
            if codes.len() >= target {
                break;
            }
            let mut c = parent;
            c[level] = if j + 1 == k && k > 2 && rng.chance(0.5) {
                b'z'
            } else if j + 2 == k && k > 3 && rng.chance(0.3) {
                b'y'
            } else {
                ch
            };
            codes.push(c);
        }
    }
    let mut read_of = vec![u32::MAX; g.len()];
    let mut tgt = Vec::with_capacity(codes.len());
    let mut n_terms = Vec::with_capacity(codes.len());
    for c in &codes {
        let pools = chapter_pools(c[0]);
        let pool = pools[rng.index(pools.len())];
        let m = &g.members[pool];
        let mut pick =
            m[if rng.chance(0.5) { rng.zipf(m.len()) } else { rng.index(m.len()) }] as usize;
        if !int.contains(&pick) {
            pick = m[0] as usize;
        }
        if read_of[pick] == u32::MAX {
            read_of[pick] = tgt.len() as u32;
        }
        tgt.push(pick as u32);
        n_terms.push(1 + rng.geometric(0.45).min(8) as u8);
    }
    (ReadCodes { codes, target: tgt, n_terms }, read_of)
}

fn b62_4(mut v: u64, out: &mut [u8]) {
    for k in (0..4).rev() {
        out[k] = B62[(v % 62) as usize];
        v /= 62;
    }
}

/// The CTV3 code of concept `i`: its Read v2 code when it has one, else an `X…` code.
pub(crate) fn ctv3_code(i: usize, read_of: &[u32], rc: &ReadCodes) -> [u8; 5] {
    if let Some(&r) = read_of.get(i)
        && r != u32::MAX
    {
        return rc.codes[r as usize];
    }
    let v = (i as u64 * 7_368_787 + 1_234_567) % M62_4;
    let mut c = [b'X'; 5];
    b62_4(v, &mut c[1..]);
    c
}

/// Whether concept `i` (International, not metadata) has a CTV3 simple map row.
pub(crate) fn ctv3_mapped(seed: u64, g: &Graph, i: usize) -> bool {
    let p = g.pool[i] as usize;
    p < meta::N_POOLS
        && p != meta::MODEL
        && g.fixed[i] == crate::graph::NONE16
        && hash01(seed, i as u64, 97) < 0.935
}

fn nhs_dates() -> Vec<u32> {
    let mut v = Vec::new();
    for y in 2007..=2020u32 {
        v.push(y * 10000 + 401);
        if y < 2020 {
            v.push(y * 10000 + 1001);
        }
    }
    v
}

fn term_code(k: u8) -> [u8; 2] {
    if k == 0 { *b"00" } else { [b'1' + (k - 1) / 9, b'1' + (k - 1) % 9] }
}

/// Per-table summary counts.
#[derive(Default)]
pub(crate) struct NhsCounts {
    pub read_rows: u64,
    pub read_map_ids: u64,
    pub read_active: u64,
    pub read_assured: u64,
    pub ctv3_rows: u64,
}

/// Writes both map tables.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_tables(
    root: &Path,
    g: &Graph,
    int: Range<usize>,
    rc: &ReadCodes,
    read_of: &[u32],
    d: &DescIds,
    int_upto: &[usize],
    seed: u64,
) -> Result<(Vec<FileStat>, NhsCounts), SynthError> {
    let mut rng = Rng::stream(seed, "nhs");
    let dates = nhs_dates();
    let mut counts = NhsCounts::default();
    let mut t = Table::create(root, &format!("{DIR}/rcsctmap2_uk_20200401000001.txt"), H_READ)?;
    let last = dates.len() - 1;
    for (c, code) in rc.codes.iter().enumerate() {
        let concept = rc.target[c] as usize;
        let assured = hash01(seed, c as u64, 5) < 0.755;
        for k in 0..rc.n_terms[c] {
            let tc = term_code(k);
            let desc = if k == 0 || d.syn[concept] == 0 { d.pt[concept] } else { d.syn[concept] };
            // an older, retired MapId for the same code and term
            if rng.chance(0.42) {
                let pool = g.pool[concept] as usize;
                let m = &g.members[pool][..int_upto[pool]];
                let mut old = m[rng.index(m.len())] as usize;
                if !int.contains(&old) {
                    old = concept;
                }
                let d0 = rng.index(last - 2);
                let d1 = d0 + 1 + rng.index(last - d0 - 1);
                let guid = rng.uuid();
                counts.read_map_ids += 1;
                let old_assured = rng.chance(0.5);
                if rng.chance(0.25) {
                    t.guid(&guid)
                        .bytes(code)
                        .bytes(&tc)
                        .u64(g.id[old])
                        .u64(d.pt[old])
                        .flag(old_assured)
                        .u64(u64::from(dates[d0]))
                        .u64(1)
                        .end()?;
                }
                t.guid(&guid)
                    .bytes(code)
                    .bytes(&tc)
                    .u64(g.id[old])
                    .u64(d.pt[old])
                    .flag(old_assured)
                    .u64(u64::from(dates[d1]))
                    .u64(0)
                    .end()?;
            }
            let guid = rng.uuid();
            counts.read_map_ids += 1;
            counts.read_active += 1;
            if assured {
                counts.read_assured += 1;
            }
            let dl = 1 + rng.index(last);
            if rng.chance(0.08) {
                let d0 = rng.index(dl);
                t.guid(&guid)
                    .bytes(code)
                    .bytes(&tc)
                    .u64(g.id[concept])
                    .u64(desc)
                    .flag(!assured)
                    .u64(u64::from(dates[d0]))
                    .u64(1)
                    .end()?;
            }
            t.guid(&guid)
                .bytes(code)
                .bytes(&tc)
                .u64(g.id[concept])
                .u64(desc)
                .flag(assured)
                .u64(u64::from(dates[dl]))
                .u64(1)
                .end()?;
        }
    }
    counts.read_rows = t.rows();
    let mut stats = vec![t.finish()?];

    let mut t = Table::create(root, &format!("{DIR}/ctv3sctmap2_uk_20200401000001.txt"), H_CTV3)?;
    let mut term_n: u64 = 0;
    let mut num = Vec::with_capacity(20);
    for i in int {
        if !ctv3_mapped(seed, g, i) || hash01(seed, i as u64, 41) >= 0.62 {
            continue;
        }
        let code = ctv3_code(i, read_of, rc);
        let n = 1 + rng.geometric(0.45).min(6);
        let drug = g.pool[i] as usize == meta::PRODUCT && rng.chance(0.5);
        for k in 0..n {
            let mut tid = [b'Y'; 5];
            b62_4((term_n * 7_368_787 + 99_991) % M62_4, &mut tid[1..]);
            term_n += 1;
            let guid = rng.uuid();
            t.guid(&guid).bytes(&code).bytes(&tid).str(if k == 0 { "P" } else { "S" });
            if drug {
                t.str("_DRUG").str("_DRUG");
            } else {
                let desc = if k == 0 || d.syn[i] == 0 { d.pt[i] } else { d.syn[i] };
                t.u64(g.id[i]).u64(desc);
            }
            let status = g.active[i] && rng.chance(0.96);
            num.clear();
            crate::out::push_u64(&mut num, u64::from(dates[rng.index(dates.len())]));
            t.flag(status).bytes(&num).flag(rng.chance(0.85)).end()?;
        }
    }
    counts.ctv3_rows = t.rows();
    stats.push(t.finish()?);
    Ok((stats, counts))
}
