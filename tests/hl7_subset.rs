use sctx_db::{Database, Subsumption};
use sctx_types::LanguagePreference;

use crate::util::*;

#[test]
fn imports_the_real_international_subset() {
    let Some(shared) = shared() else {
        return skip("hl7 subset import");
    };
    let pkg = shared.join("samples/fhir-tx-ecosystem-ig/tx-source/snomed");
    let dir = tempfile::tempdir().unwrap();
    let r = sctx_db::import(dir.path(), &[pkg], &Default::default()).unwrap();
    let c = &r.manifest.counts;
    assert_eq!(c.concepts, 2238);
    assert_eq!(c.active_concepts, 2234);
    let db = Database::open(dir.path()).unwrap();
    let s = db.store();
    let root = s.index_of(138875005).unwrap();
    // << 138875005 in the inferred hierarchy = 2206 (the HL7 suite's `*` count)
    assert_eq!(s.descendants(root).len() + 1, 2206);
    let gb = LanguagePreference::en_gb();
    let d = db.lookup("10200004", &gb).unwrap();
    assert_eq!(d.fsn.as_deref(), Some("Liver structure (body structure)"));
    assert_eq!(d.preferred_term.as_deref(), Some("Liver structure"));
    assert_eq!(s.descendants(s.index_of(10200004).unwrap()).len() + 1, 310);
    assert_eq!(db.subsumes("64572001", "404684003").unwrap(), Subsumption::SubsumedBy);
    crate::store::check_closure(&db);
}
