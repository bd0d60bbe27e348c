//! Read v2 / CTV3: packages at import, the compiled tables at open, translation, and
//! alternate identifiers in ECL.

use std::path::PathBuf;

use sctx_translate::{LegacySystem, LegacyTables, Status, System, Translator};
use sctx_types::LanguagePreference;

use crate::{Database, DbError};

/// Splits import paths into RF2 packages and NHS Data Migration / Read / CTV3 packages (a
/// path may be both, e.g. a folder holding everything). A path with neither is an error.
pub(crate) fn classify(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), DbError> {
    let mut rf2 = Vec::new();
    let mut nhs = Vec::new();
    for p in paths {
        let has_rf2 = !sctx_rf2::discover(p)?.is_empty();
        let has_nhs = sctx_nhsmaps::discover(p).map(|f| !f.is_empty()).unwrap_or(false);
        if has_rf2 {
            rf2.push(p.clone());
        }
        if has_nhs {
            nhs.push(p.clone());
        }
        if !has_rf2 && !has_nhs {
            return Err(DbError::Other(format!(
                "{}: no RF2 release files and no NHS Data Migration / Read / CTV3 files found",
                p.display()
            )));
        }
    }
    if rf2.is_empty() {
        return Err(DbError::Other(
            "no RF2 package given: legacy maps need a SNOMED CT release to map into".into(),
        ));
    }
    Ok((rf2, nhs))
}

/// Loads and compiles the legacy packages into `<build>/legacy/`.
pub(crate) fn compile(
    nhs: &[PathBuf],
    build: &std::path::Path,
    as_of: Option<u32>,
) -> Result<Option<sctx_translate::LegacyCounts>, DbError> {
    if nhs.is_empty() {
        return Ok(None);
    }
    let tables = sctx_nhsmaps::load(nhs, &sctx_nhsmaps::LoadOptions { as_of, lenient: false })
        .map_err(|e| DbError::Legacy(e.to_string()))?;
    let counts =
        sctx_translate::compile(&tables, build).map_err(|e| DbError::Legacy(e.to_string()))?;
    Ok(Some(counts))
}

pub(crate) fn open(build: &std::path::Path) -> Result<Option<LegacyTables>, DbError> {
    if !sctx_translate::exists(build) {
        return Ok(None);
    }
    sctx_translate::open(build).map(Some).map_err(|e| DbError::Legacy(e.to_string()))
}

/// Parses a legacy system name: `readv2`, `read`, `ctv3`, or the FHIR system URIs.
pub fn legacy_system(s: &str) -> Option<LegacySystem> {
    match s.to_ascii_lowercase().trim_end_matches('/') {
        "readv2" | "read" | "read2" | "rctv2" | "http://read.info/readv2" => {
            Some(LegacySystem::ReadV2)
        }
        "ctv3" | "read3" | "http://read.info/ctv3" => Some(LegacySystem::Ctv3),
        _ => None,
    }
}

impl Database {
    /// Puts the SNOMED CT concepts a typed legacy code maps to at the top of `hits`.
    pub(crate) fn with_legacy_code_hits(
        &self,
        text: &str,
        hits: Vec<crate::SearchHit>,
        filter: Option<&roaring::RoaringBitmap>,
        lang: &LanguagePreference,
        limit: usize,
    ) -> Vec<crate::SearchHit> {
        let code = text.trim();
        let Some(legacy) = self.legacy() else { return hits };
        if !(5..=7).contains(&code.len()) || code.contains(' ') {
            return hits;
        }
        let mut found: Vec<(LegacySystem, u32)> = Vec::new();
        for sys in [LegacySystem::ReadV2, LegacySystem::Ctv3] {
            if legacy.contains(sys, &code[..5.min(code.len())]) {
                for i in self.legacy_targets(sys, code) {
                    if filter.is_none_or(|f| f.contains(i)) && !found.iter().any(|(_, x)| *x == i) {
                        found.push((sys, i));
                    }
                }
            }
        }
        if found.is_empty() {
            return hits;
        }
        let s = self.store();
        let mut out: Vec<crate::SearchHit> = found
            .iter()
            .map(|&(_, i)| {
                let pt = s.preferred_term(i, lang).map(str::to_string);
                crate::SearchHit {
                    concept_id: s.id_of(i).to_string(),
                    term: pt.clone().unwrap_or_default(),
                    description_id: s
                        .preferred_description(i, lang)
                        .map(|d| d.id.to_string())
                        .unwrap_or_default(),
                    preferred_term: pt,
                    active: s.is_active(i),
                    score: 16_777_216.0,
                }
            })
            .collect();
        for h in hits {
            if !out.iter().any(|o| o.concept_id == h.concept_id) {
                out.push(h);
            }
        }
        out.truncate(limit.max(1));
        out
    }

    /// The compiled Read v2 / CTV3 tables, when the build has them (waits for them to
    /// load after open; `None` also when they failed to, which [`Database::check`] reports).
    pub fn legacy(&self) -> Option<&LegacyTables> {
        self.legacy_loaded().ok().flatten()
    }

    /// A translator over this database in a language.
    pub fn translator(&self, lang: &LanguagePreference) -> Translator<'_> {
        Translator::new(self.store(), self.legacy()).with_language(lang.clone())
    }

    /// SNOMED CT concepts a legacy code maps to (statuses that give targets, ambiguous
    /// candidates included); empty when unmapped or unknown.
    pub fn legacy_targets(&self, system: LegacySystem, code: &str) -> Vec<u32> {
        let t =
            self.translator(&LanguagePreference::en_gb()).legacy_to_sct(system, code, None, false);
        if matches!(t.status, Status::InvalidCode | Status::Unmapped | Status::Drug) {
            return Vec::new();
        }
        t.targets
            .iter()
            .filter(|x| x.system == System::Sct)
            .filter_map(|x| x.code.parse::<u64>().ok())
            .filter_map(|id| self.store().index_of(id))
            .collect()
    }

    /// ECL alternate identifiers: `readv2#H33..`, `ctv3#XE0Ub`, or with the FHIR system URIs.
    pub(crate) fn resolve_alternate(&self, scheme: &str, code: &str) -> Option<Vec<u32>> {
        let sys = legacy_system(scheme)?;
        self.legacy()?;
        Some(self.legacy_targets(sys, code))
    }
}
