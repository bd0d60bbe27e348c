//! Shared fixture: the sample release imported once per test binary, with the sample
//! Data Migration pack and term files compiled into the build.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sctx_db::Database;
use sctx_translate::LegacyTables;

pub struct Fixture {
    pub db: Database,
    pub legacy: LegacyTables,
    pub build: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../release-files/sample")
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let s = sample_dir();
        let report = sctx_db::import(
            dir.path(),
            &[
                s.join("SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z"),
                s.join("SnomedCT_SampleUKClinicalRF2_PRODUCTION_20250401T000001Z"),
            ],
            &Default::default(),
        )
        .expect("import sample");
        let tables = sctx_nhsmaps::load(
            &[
                s.join("nhs_datamigration_sample_20200401"),
                s.join("nhs_readv2_sample"),
                s.join("nhs_readctv3_sample"),
            ],
            &Default::default(),
        )
        .expect("load NHS sample");
        sctx_translate::compile(&tables, &report.build).expect("compile legacy tables");
        let db = Database::open(dir.path()).expect("open db");
        let legacy = sctx_translate::open(&report.build).expect("open legacy tables");
        Fixture { db, legacy, build: report.build, _dir: dir }
    })
}

pub fn translator() -> sctx_translate::Translator<'static> {
    let f = fixture();
    sctx_translate::Translator::new(f.db.store(), Some(&f.legacy))
}
