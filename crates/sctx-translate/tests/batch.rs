//! Batch CSV/TSV translation.

mod common;

use common::*;
use sctx_translate::*;

fn run(input: &str, opts: &BatchOptions) -> (String, BatchReport) {
    let tr = translator();
    let mut out = Vec::new();
    let rep = translate_batch(&tr, input.as_bytes(), &mut out, opts).expect("batch");
    (String::from_utf8(out).unwrap(), rep)
}

fn rows(out: &str, delim: char) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim as u8)
        .has_headers(false)
        .from_reader(out.as_bytes());
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn csv_with_header_bad_rows_kept_and_report() {
    let input = "patient,read_code,term_code\r\n1,H33..,00\r\n2,H33,00\r\n3,G30..,14\r\n4,,\r\n5,H33zz,\r\n6,H33zz,\r\n7,x\"y,\r\n8,G2...,11\r\n9,bd3..,00\r\n";
    let mut o = BatchOptions::new(System::ReadV2, System::Sct);
    o.column = Some("read_code".parse().unwrap());
    let (out, rep) = run(input, &o);
    let r = rows(&out, ',');
    assert_eq!(r[0], OUTPUT_COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(r.len(), 10, "{out}");
    assert_eq!(rep.rows, 9);
    // H33.. 00 exact
    assert_eq!(&r[1][..4], &["H33..", "00", "Asthma", "195967001"]);
    assert_eq!(r[1][6], "exact");
    assert_eq!(r[1][7], "true");
    // bad rows kept in place
    assert_eq!(r[2][0], "H33");
    assert_eq!(r[2][6], "invalid-code");
    assert_eq!(r[4][6], "invalid-code");
    assert_eq!(r[3][3], "22298006");
    assert_eq!(r[8][6], "unassured");
    assert_eq!(r[8][7], "false");
    assert_eq!(rep.counts["exact"], 3); // H33..00, G30..14, bd3..00 (a mapped Read drug code)
    assert_eq!(rep.counts["invalid-code"], 3);
    assert_eq!(rep.counts["unmapped"], 2);
    assert_eq!(rep.counts.values().sum::<u64>(), 9);
    assert_eq!(rep.invalid.iter().map(|i| i.line).collect::<Vec<_>>(), vec![3, 5, 8]);
    assert_eq!(rep.unmapped.len(), 1);
    assert_eq!(rep.unmapped[0].code, "H33zz");
    assert_eq!(rep.unmapped[0].count, 2);
    assert_eq!(rep.unmapped[0].first_line, 6);
    let j = serde_json::to_value(&rep).unwrap();
    assert_eq!(j["counts"]["via-history"], 0);
    assert_eq!(j["invalid"][0]["line"], 3);
}

#[test]
fn tsv_sniffed_headerless_7char_and_broader() {
    let input = "H33..00\tx\nH33zz\ty\nG30..14\tz\nH3z..11\n";
    let mut o = BatchOptions::new(System::ReadV2, System::Sct);
    o.broader = true;
    let (out, rep) = run(input, &o);
    let r = rows(&out, '\t');
    assert_eq!(rep.rows, 4);
    assert_eq!(r[1][6], "exact");
    assert_eq!(r[2][6], "broader");
    assert!(r[2][8].contains("H33z."), "{:?}", r[2]);
    assert_eq!(r[3][3], "22298006");
    assert_eq!(r[4][6], "ambiguous");
    assert!(r[4][3].contains('|'));
}

#[test]
fn reverse_ctv3_icd10_batches() {
    let (out, rep) = run(
        "concept\n195967001\n138875005\nnot-an-id\n",
        &BatchOptions::new(System::Sct, System::ReadV2),
    );
    let r = rows(&out, ',');
    assert!(r[1][3].contains("H33..00"), "{:?}", r[1]);
    assert!(r[1][8].contains("derived"));
    assert_eq!(r[2][6], "unmapped");
    assert_eq!(r[3][6], "invalid-code");
    assert_eq!(rep.rows, 3);
    let mut o = BatchOptions::new(System::Sct, System::Icd10);
    o.context.sex = Some(Sex::Female);
    let (out, _) = run("9900213008\n9900265005\n", &o);
    let r = rows(&out, ',');
    assert_eq!(r[1][3], "E14.2 + N08.3");
    assert_eq!(r[2][3], "N97.9");
    o.map_refset = Some(sctx_types::SctId::new_unchecked(sctx_types::ids::UK_ICD10_MAP));
    let (out, _) = run("9900202005\n", &o);
    let r = rows(&out, ',');
    assert_eq!(r[1][3], "E059D + I438A");
    assert!(r[1][8].contains("block 2: E059 + I519"), "{:?}", r[1]);
    let (out, _) = run(
        "XE0Ub\tY900D\n",
        &BatchOptions {
            term_column: Some(Column::Index(2)),
            ..BatchOptions::new(System::Ctv3, System::Sct)
        },
    );
    assert_eq!(rows(&out, '\t')[1][3], "38341003");
    let (out, _) = run("C10F.\n", &BatchOptions::new(System::ReadV2, System::Ctv3));
    assert_eq!(rows(&out, ',')[1][3], "X40J5Y900U");
}

#[test]
fn codes_on_the_command_line_and_errors() {
    let tr = translator();
    let mut out = Vec::new();
    let rep = translate_codes(
        &tr,
        &["H33..".into(), "b....".into(), "?".into()],
        &mut out,
        &BatchOptions::new(System::ReadV2, System::Sct),
    )
    .unwrap();
    assert_eq!(rep.rows, 3);
    assert_eq!(rep.counts["invalid-code"], 1);
    let mut o = BatchOptions::new(System::ReadV2, System::Sct);
    o.column = Some(Column::Name("nope".into()));
    assert!(matches!(
        translate_batch(&tr, &b"a,b\nH33..,x\n"[..], Vec::new(), &o),
        Err(TranslateError::NoSuchColumn(_))
    ));
    assert!(matches!(
        translate_batch(&tr, &b""[..], Vec::new(), &BatchOptions::new(System::Icd10, System::Sct)),
        Err(TranslateError::Unsupported { .. })
    ));
    // empty input: header only
    let mut out = Vec::new();
    let rep =
        translate_batch(&tr, &b""[..], &mut out, &BatchOptions::new(System::ReadV2, System::Sct))
            .unwrap();
    assert_eq!(rep.rows, 0);
    assert!(String::from_utf8(out).unwrap().starts_with("source_code,"));
}

/// Throughput on a large generated input (run with `--release -- --ignored`).
#[test]
#[ignore]
fn batch_throughput() {
    let codes = ["H33..00", "G30..14", "C10F.", "H33zz", "G2...00", "H3z..11", "bd31.", "F26..00"];
    let n = 2_000_000usize;
    let mut input = String::with_capacity(n * 10);
    input.push_str("code\n");
    for i in 0..n {
        input.push_str(codes[i % codes.len()]);
        input.push('\n');
    }
    let tr = translator();
    let t0 = std::time::Instant::now();
    let mut out = Vec::with_capacity(n * 120);
    let rep = translate_batch(
        &tr,
        input.as_bytes(),
        &mut out,
        &BatchOptions::new(System::ReadV2, System::Sct),
    )
    .unwrap();
    let s = t0.elapsed().as_secs_f64();
    eprintln!(
        "{} rows in {s:.3}s = {:.0} rows/s, {} MB out",
        rep.rows,
        rep.rows as f64 / s,
        out.len() >> 20
    );
    assert_eq!(rep.rows as usize, n);
}

/// Throughput on the synthetic international profile (about 535k concepts and the
/// synthetic Read v2 map): generate, import, compile, then translate a 1M-row CSV built from
/// the synthetic `rcsctmap2_uk` codes. Slow to set up; run with
/// `cargo test --release -p sctx-translate --test batch synthetic_international_throughput -- --ignored --nocapture`.
/// `SCTX_SYNTH_PROFILE` overrides the profile (e.g. `tiny`).
#[test]
#[ignore]
fn synthetic_international_throughput() {
    use std::time::Instant;
    let profile: sctx_synth::Profile = std::env::var("SCTX_SYNTH_PROFILE")
        .unwrap_or_else(|_| "international".into())
        .parse()
        .unwrap();
    // kept between runs under the target tmp dir (rebuilt when missing)
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sctx-translate-synth-{profile}"));
    let db = dir.join("db");
    let nhs = dir.join("nhs_datamigration");
    if sctx_db::Database::open(&db).is_err() || !nhs.is_dir() {
        let _ = std::fs::remove_dir_all(&dir);
        let t0 = Instant::now();
        sctx_synth::generate(profile, 42, &dir, None).unwrap();
        eprintln!("generated {profile} in {:.1}s", t0.elapsed().as_secs_f64());
        let pkgs: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("SnomedCT_"))
            .collect();
        let t1 = Instant::now();
        sctx_db::import(&db, &pkgs, &Default::default()).unwrap();
        eprintln!("imported in {:.1}s", t1.elapsed().as_secs_f64());
    }
    let database = sctx_db::Database::open(&db).unwrap();
    let build = database.store().dir().to_path_buf();
    let tables = sctx_nhsmaps::load(&[nhs], &Default::default()).unwrap();
    let t2 = Instant::now();
    let counts = compile(&tables, &build).unwrap();
    eprintln!(
        "compiled legacy tables in {:.2}s: {} Read maps, {} CTV3 maps",
        t2.elapsed().as_secs_f64(),
        counts.read_sct_maps,
        counts.ctv3_sct_maps
    );
    let legacy = open(&build).unwrap();
    let tr = Translator::new(database.store(), Some(&legacy));
    let maps = &tables.read_sct;
    let t = Instant::now();
    for m in maps.iter() {
        std::hint::black_box(tr.legacy_to_sct(LegacySystem::ReadV2, &m.code, Some(&m.term), false));
    }
    eprintln!("single-code API: {:.0} codes/s", maps.len() as f64 / t.elapsed().as_secs_f64());
    let mut input = String::from("read_code,term_code\n");
    let n = 1_000_000usize;
    for i in 0..n {
        let m = &maps[(i * 7919) % maps.len()];
        input.push_str(&m.code);
        input.push(',');
        input.push_str(&m.term);
        input.push('\n');
    }
    let mut out = Vec::with_capacity(n * 150);
    let t3 = Instant::now();
    let r = translate_batch(
        &tr,
        input.as_bytes(),
        &mut out,
        &BatchOptions::new(System::ReadV2, System::Sct),
    )
    .unwrap();
    let s = t3.elapsed().as_secs_f64();
    eprintln!(
        "batch: {} rows ({} distinct maps) in {s:.3}s = {:.0} rows/s; {:?}",
        r.rows,
        maps.len(),
        r.rows as f64 / s,
        r.counts
    );
    assert_eq!(r.rows as usize, n);
    if profile.to_string() == "international" {
        assert!(r.rows as f64 / s > 1_000_000.0, "below 1M rows/s");
    }
}
