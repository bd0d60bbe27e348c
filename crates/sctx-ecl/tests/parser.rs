//! Parser unit tests: every production, long syntax, errors, depth cap and a
//! deterministic fuzz/mutation loop.

mod common;

use common::parse_roundtrip;
use sctx_ecl::*;

fn ok(src: &str) -> Expr {
    parse_roundtrip(src).unwrap_or_else(|e| panic!("{src}\n{e}"))
}

fn err(src: &str) -> ParseError {
    match parse(src) {
        Ok(e) => panic!("expected a syntax error for {src:?}, parsed as {e}"),
        Err(e) => e,
    }
}

fn sub(e: &Expr) -> &SubExpr {
    match e {
        Expr::Sub(s) => s,
        other => panic!("not a sub-expression: {other:?}"),
    }
}

#[test]
fn constraint_operators_brief_and_long() {
    let cases = [
        ("< 404684003", ConstraintOp::DescendantOf),
        ("<< 404684003", ConstraintOp::DescendantOrSelfOf),
        ("<! 404684003", ConstraintOp::ChildOf),
        ("<<! 404684003", ConstraintOp::ChildOrSelfOf),
        ("> 404684003", ConstraintOp::AncestorOf),
        (">> 404684003", ConstraintOp::AncestorOrSelfOf),
        (">! 404684003", ConstraintOp::ParentOf),
        (">>! 404684003", ConstraintOp::ParentOrSelfOf),
        ("!!> 404684003", ConstraintOp::Top),
        ("!!< 404684003", ConstraintOp::Bottom),
        ("descendantOf 404684003", ConstraintOp::DescendantOf),
        ("DescendantOrSelfOf 404684003", ConstraintOp::DescendantOrSelfOf),
        ("childof 404684003", ConstraintOp::ChildOf),
        ("CHILDORSELFOF 404684003", ConstraintOp::ChildOrSelfOf),
        ("ancestorOf 404684003", ConstraintOp::AncestorOf),
        ("ancestorOrSelfOf 404684003", ConstraintOp::AncestorOrSelfOf),
        ("parentOf 404684003", ConstraintOp::ParentOf),
        ("parentOrSelfOf /* c */ 404684003", ConstraintOp::ParentOrSelfOf),
        ("top 404684003", ConstraintOp::Top),
        ("bottom 404684003", ConstraintOp::Bottom),
        ("<<404684003", ConstraintOp::DescendantOrSelfOf),
    ];
    for (src, op) in cases {
        assert_eq!(sub(&ok(src)).op, Some(op), "{src}");
    }
    // long keywords need whitespace after them
    err("descendantOf404684003");
}

#[test]
fn focus_forms() {
    assert_eq!(sub(&ok("*")).focus, Focus::Wildcard);
    assert_eq!(sub(&ok("ANY")).focus, Focus::Wildcard);
    assert_eq!(sub(&ok("< any")).focus, Focus::Wildcard);
    let e = ok("404684003 | Clinical finding |");
    assert_eq!(
        sub(&e).focus,
        Focus::Concept(ConceptRef { id: 404684003, term: Some("Clinical finding".into()) })
    );
    assert_eq!(e.to_string(), "404684003 |Clinical finding|");
    let e = ok("<< LOINC#54486-6 |Some term|");
    assert_eq!(
        sub(&e).focus,
        Focus::AltId(AltIdentifier {
            scheme: "LOINC".into(),
            code: "54486-6".into(),
            term: Some("Some term".into())
        })
    );
    let e = ok(r#""LOINC#54486 6""#);
    assert!(matches!(&sub(&e).focus, Focus::AltId(a) if a.code == "54486 6"));
    let e = ok("http://snomed.info/id#12345");
    assert!(
        matches!(&sub(&e).focus, Focus::AltId(a) if a.scheme == "http://snomed.info/id" && a.code == "12345")
    );
    ok("ICD-10#J45.9");
    // scheme aliases that look like keywords are still alternate identifiers
    assert!(matches!(&sub(&ok("ANY#x")).focus, Focus::AltId(a) if a.scheme == "ANY"));
    assert!(matches!(&sub(&ok("memberOf#x")).focus, Focus::AltId(a) if a.scheme == "memberOf"));
    let e = ok("< 404684003 : R1#x = *");
    let Expr::Refined(_, Refinement::Attribute(a)) = &e else { panic!() };
    assert!(!a.reverse);
    // URI schemes are printed in the quoted form
    assert_eq!(ok("http://snomed.info/id#12345").to_string(), "\"http://snomed.info/id#12345\"");
}

#[test]
fn refset_operators() {
    let e = ok("^ 700043003");
    assert_eq!(sub(&e).refset, Some(RefsetOp::MemberOf(None)));
    let e = ok("memberOf 700043003");
    assert_eq!(sub(&e).refset, Some(RefsetOp::MemberOf(None)));
    let e = ok("^ [referencedComponentId, mapTarget] 447562003");
    assert_eq!(
        sub(&e).refset,
        Some(RefsetOp::MemberOf(Some(FieldSelection::Fields(vec![
            "referencedComponentId".into(),
            "mapTarget".into()
        ]))))
    );
    let e = ok("^ [*] 447562003");
    assert_eq!(sub(&e).refset, Some(RefsetOp::MemberOf(Some(FieldSelection::All))));
    let e = ok("^R 404684003");
    assert_eq!(sub(&e).refset, Some(RefsetOp::ContainingAny));
    let e = ok("^R (<< 404684003)");
    assert_eq!(sub(&e).refset, Some(RefsetOp::ContainingAny));
    let e = ok("refsetContainingAny 404684003");
    assert_eq!(sub(&e).refset, Some(RefsetOp::ContainingAny));
    let e = ok("< ^ 700043003");
    assert_eq!(sub(&e).op, Some(ConstraintOp::DescendantOf));
    ok("^ *");
    ok("^ (< 450973005)");
}

#[test]
fn compound_expressions() {
    assert!(matches!(ok("< 19829001 AND < 301867009"), Expr::And(v) if v.len() == 2));
    assert!(matches!(ok("< 19829001 and < 301867009 AND 123456"), Expr::And(v) if v.len() == 3));
    assert!(matches!(ok("< 19829001 , < 301867009"), Expr::And(v) if v.len() == 2));
    assert!(matches!(ok("< 19829001 OR < 301867009 or 123456"), Expr::Or(v) if v.len() == 3));
    assert!(matches!(ok("< 19829001 MINUS < 301867009"), Expr::Minus(..)));
    assert!(matches!(ok("(< 19829001 MINUS < 301867009) MINUS 123456"), Expr::Minus(..)));
    ok("(< 19829001 AND < 301867009) OR ^ 700043003");
    // dotted operands (sctx extension, see corpus tests)
    assert!(matches!(ok("< 105590001 AND 326359002 . 127489000"), Expr::And(_)));
}

#[test]
fn mixing_operators_is_an_error() {
    let src = "<< 128045006 OR << 10200004 AND << 64572001";
    let e = err(src);
    assert!(e.message.contains("cannot be mixed"), "{e}");
    assert_eq!(e.offset, src.find("AND").unwrap());
    assert_eq!((e.line, e.column), (1, 29));
    err("1234567 MINUS 2345678 MINUS 3456789");
    err("1234567 AND 2345678 OR 3456789");
    err("1234567 , 2345678 OR 3456789");
    err("< 404684003 : 363698007 = 1234567 , 116676008 = 1234567 OR 42752001 = 1234567");
    // same operator repeated, including `,` with AND, is fine
    ok("1234567 AND 2345678 , 3456789");
    ok("< 404684003 : 363698007 = 1234567 , 116676008 = 1234567 AND 42752001 = 1234567");
    ok("< 404684003 : (363698007 = 1234567 , 116676008 = 1234567) OR 42752001 = 1234567");
}

#[test]
fn refinements() {
    let e = ok("< 19829001 : 116676008 = << 79654002");
    let Expr::Refined(_, Refinement::Attribute(a)) = &e else { panic!() };
    assert!(
        matches!(&a.comparison, Comparison::Expr(EqOp::Eq, v) if v.op == Some(ConstraintOp::DescendantOrSelfOf))
    );
    let e = ok(
        "< 404684003 : { 363698007 = << 39057004, 116676008 = << 415582006 }, { 363698007 = << 53085002 }",
    );
    let Expr::Refined(_, Refinement::And(v)) = &e else { panic!() };
    assert!(matches!(&v[0], Refinement::Group { cardinality: None, .. }));
    let e = ok("< 404684003 : [0..0] { [2..*] 363698007 = < 91723000 }");
    let Expr::Refined(_, Refinement::Group { cardinality, body }) = &e else { panic!() };
    assert_eq!(*cardinality, Some(Cardinality { min: 0, max: Some(0) }));
    assert!(
        matches!(&**body, Refinement::Attribute(a) if a.cardinality == Some(Cardinality { min: 2, max: None }))
    );
    let e = ok("< 105590001 : [3..3] R 127489000 = *");
    let Expr::Refined(_, Refinement::Attribute(a)) = &e else { panic!() };
    assert!(a.reverse);
    let e = ok("< 105590001 : reverseOf 127489000 = *");
    let Expr::Refined(_, Refinement::Attribute(a)) = &e else { panic!() };
    assert!(a.reverse);
    ok("< 404684003 : [1 to many] 363698007 = *");
    ok("< 404684003 : * = 79654002");
    ok("< 404684003 : 116676008 != << 26036001");
    ok("< 404684003 : 116676008 NOT = << 26036001");
    ok("< 404684003 : 116676008 <> << 26036001");
    ok("<< 125605004 : [0..0] ((<< 410662002 MINUS 363698007) MINUS 116676008) = *");
    ok("< 404684003 : (363698007 = 1234567)");
    ok("< 404684003 : ((363698007 = 1234567))");
    ok(
        "< 27658006 : 411116001 = << 385049006, { 111115 = (111115 : 111115 >= #500, 111115 <= #800.5, 111115 = 258684004) }",
    );
    ok("< 373873005 : 111115 = \"PANADOL\"");
    ok("< 373873005 : 111115 = (\"PANADOL\" \"TYLENOL\")");
    ok("< 373873005 : 111115 != \"PAN\\*ADOL*\"");
    ok("< 373873005 : 111115 = wild:\"PAN*\"");
    ok("< 373873005 : 111115 = match:\"pan\"");
    ok("< 373873005 : 859999999102 = TRUE");
    ok("< 373873005 : 859999999102 != false");
    ok("< 373873005 : 111115 > #-5");
    ok("< 373873005 : 111115 < #+5.25");
    ok("< 91723000 : R 363698007 = < 125605004");
    err("< 404684003 : { { 363698007 = 1234567 } }");
    err("< 404684003 : [3..1] 363698007 = 1234567");
    err("< 404684003 : 363698007 < 1234567");
    err("< 404684003 : 363698007 = ");
    err("< 404684003 :");
}

#[test]
fn dotted_attributes() {
    let e = ok("< 19829001 . < 47429007 . 363698007");
    assert!(matches!(&e, Expr::Dotted(_, v) if v.len() == 2));
    ok("((< 19829001) . < 47429007) . 363698007");
    err("< 113331007 . R 363698007");
    err("< 113331007 .");
}

#[test]
fn description_filters() {
    let e = ok("< 64572001 {{ term = \"heart att\" }}");
    assert!(matches!(&sub(&e).filters[0], FilterConstraint::Description(v)
        if v[0] == DescriptionFilter::Term(EqOp::Eq, vec![TypedString { mode: StringMode::Plain, raw: "heart att".into() }])));
    ok("* {{ D term = \"heart att\" }}");
    ok("< 64572001 {{ term = \"heart\", term = \"att\" }}");
    ok("< 64572001 {{ term = match:\"heart att\" }}");
    ok("< 64572001 {{ term = wild:\"cardi*opathy\" }}");
    ok("< 64572001 {{ term = (match:\"gas\" wild:\"*itis\") }}");
    ok("< 64572001 {{ term != (\"heart\" \"card\") }}");
    ok("< 64572001 {{ term = \"eye\" }} {{ term = wild:\"*itis\" }}");
    ok("< 64572001 {{ term = \"hjärt\", language = sv }}");
    ok("< 64572001 {{ language = (en sv) }}");
    ok("< 56265001 {{ term = \"heart\", type = fsn }}");
    ok("< 56265001 {{ type = (syn fsn def) }}");
    ok("< 56265001 {{ type = synonym }}");
    ok("< 56265001 {{ typeId = 900000000000013009 |synonym| }}");
    ok("< 56265001 {{ typeId = (900000000000013009 |Synonym| 900000000000003001 |FSN|) }}");
    ok("< 56265001 {{ typeId = << 900000000000446008 }}");
    ok("< 64572001 {{ dialect = en-au }}");
    ok("< 64572001 {{ dialect = en-gb (prefer) }}");
    ok("< 64572001 {{ dialect = ( en-nhs-clinical (accept) en-nhs-pharmacy ) }}");
    ok("< 64572001 {{ dialectId = 32570271000036106 |AU English| }}");
    ok("< 64572001 {{ dialectId = 999001261000000100 (900000000000548007) }}");
    ok("< 64572001 {{ dialectId = (999001261000000100 (prefer) 900000000000508004) }}");
    ok("< 64572001 {{ dialectId = << 900000000000506000 (preferred acceptable) }}");
    ok("< 131148009 {{ D id = 670169018 }}");
    ok("< 131148009 {{ D id = (670169018 670170017) }}");
    ok(
        "< 131148009 {{ D moduleId = 900000000000207008, effectiveTime >= \"20200101\", active = 1 }}",
    );
    ok("< 131148009 {{ d active = false }}");
    err("< 64572001 {{ term = exact:\"x\" }}");
    err("< 64572001 {{ language = de AND term = \"x\" }}");
    err("< 64572001 {{ term = \"unterminated }}");
    err("< 64572001 {{ }}");
    err("< 64572001 {{ language = eng }}");
}

#[test]
fn concept_and_member_filters() {
    ok("< 56265001 {{ C definitionStatus = primitive }}");
    ok("< 56265001 {{ C definitionStatus = (primitive defined) }}");
    ok("< 56265001 {{ C definitionStatusId = 900000000000074008 |Primitive| }}");
    ok("< 195967001 {{ C moduleId = 731000124108 }}");
    ok(
        "< 195967001 {{ c definitionStatus = primitive, moduleId = (900000000000207008 731000124108) }}",
    );
    ok("< 125605004 {{ C effectiveTime = \"20210131\" }}");
    ok("< 125605004 {{ C effectiveTime != (\"20190131\" \"20190731\") }}");
    ok("< 125605004 {{ C effectiveTime = \"\" }}");
    ok("< 125605004 {{ C effectiveTime > \"20190131\", effectiveTime <= \"20200131\" }}");
    for v in ["1", "0", "true", "false", "*", "\"true\"", "\"*\""] {
        ok(&format!("^ 816080008 {{{{ C active = {v} }}}}"));
    }
    err("< 125605004 {{ C effectiveTime = \"2021013\" }}");
    err("< 125605004 {{ C effectiveTime = \"20211331\" }}");
    err("< 125605004 {{ C term = \"x\" }}");

    let e = ok("^ 447562003 {{ M mapTarget = \"J45.9\" }}");
    assert_eq!(sub(&e).member_filters.len(), 1);
    ok("^ 447562003 {{ M mapGroup = #2, mapPriority = #1, mapTarget = \"J45.9\" }}");
    ok("^ 447562003 {{ M mapGroup != #2, mapPriority < #2, mapTarget = wild:\"J*\" }}");
    ok("^ [targetComponentId] 900000000000527005 {{ M referencedComponentId = 67415000 }}");
    ok("^ 447562003 {{ M active = false, moduleId = 449080006, effectiveTime >= \"20180731\" }}");
    ok("^ 447562003 {{ M active = * }} {{ M mapAdvice = \"ALWAYS\" }} {{ C active = 1 }}");
    ok("^ 447562003 {{ M someDate > \"20200101\" }}");
    ok("^ 447562003 {{ M flag = true }}");
    // member filters must precede description/concept filters
    err("^ 447562003 {{ C active = 1 }} {{ M active = 1 }}");
}

#[test]
fn history_supplements() {
    let cases = [
        ("<< 195967001 {{ +HISTORY }}", HistorySupplement::Default),
        ("<< 195967001 {{ + HISTORY-MIN }}", HistorySupplement::Min),
        ("<< 195967001 {{ +history_mod }}", HistorySupplement::Mod),
        ("<< 195967001 {{ +HISTORY-MAX }}", HistorySupplement::Max),
    ];
    for (src, h) in cases {
        assert_eq!(sub(&ok(src)).history, Some(h), "{src}");
    }
    let e = ok("<< 195967001 {{ + HISTORY (<< 900000000000527005 |SAME AS|) }}");
    assert!(matches!(sub(&e).history, Some(HistorySupplement::Subset(_))));
    ok("<< 195967001 {{ +HISTORY (*) }}");
    ok("<< 195967001 {{ C active = 1 }} {{ +HISTORY }}");
    err("<< 195967001 {{ +HISTORY-FOO }}");
    err("<< 195967001 {{ +HISTORY }} {{ C active = 1 }}");
}

#[test]
fn comments_anywhere() {
    ok(
        "/* a */ < /* b */ 19829001 /* c */ |Disorder of lung| /* d */ : /* e */ 116676008 /* f */ = /* g */ << 79654002 /* h */",
    );
    let e = err("< 19829001 /* unterminated");
    assert!(e.message.contains("unterminated comment"));
}

#[test]
fn syntax_errors_from_tx_suite() {
    for src in
        ["<< abc", "<<", "<< 10200004 <<", "<< 123", "0404684003", "< 404684003 |unterminated", ""]
    {
        let e = err(src);
        assert!(!e.message.is_empty());
        let rendered = e.render(src);
        assert!(rendered.contains('^'), "{rendered}");
    }
    let e = err("<< abc");
    assert_eq!((e.offset, e.line, e.column), (3, 1, 4));
    assert!(e.expected.iter().any(|x| x == "concept id"), "{:?}", e.expected);
    let e = err("<< 123");
    assert!(e.message.contains("6 to 18 digits"), "{e}");
    let src = "< 404684003 :\n  363698007 = ";
    let e = err(src);
    assert_eq!(e.line, 2);
    assert_eq!(
        e.render(src),
        "error: unexpected end of input; expected one of: `#`, string, `true`, `false`, constraint operator, \
         `^`, `memberOf`, concept id, `*`, `(`\n --> line 2, column 15\n  |\n2 |   363698007 = \n  |               ^"
    );
}

#[test]
fn nesting_depth_is_capped() {
    let deep = format!("{}404684003{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = err(&deep);
    assert!(e.message.contains("nested too deeply"), "{e}");
    let deep = "<< (".repeat(5000);
    assert!(parse(&deep).is_err());
    let deep = format!("< 404684003 : {}363698007 = 1234567{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse(&deep).is_err());
    let deep = format!(
        "< 404684003 : 363698007 = {}1234567{}",
        "(1234567 : 363698007 = ".repeat(5000),
        ")".repeat(5000)
    );
    assert!(parse(&deep).is_err());
    // moderate nesting is fine
    let ok_nested = format!("{}404684003{}", "(".repeat(20), ")".repeat(20));
    ok(&ok_nested);
}

/// Tiny deterministic PRNG (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: [&str; 16] = [
    "< 404684003 |Clinical finding| : { 363698007 = << 39057004, 116676008 = << 415582006 } OR { 363698007 = 53085002 }",
    "<< 19829001 MINUS ^ [referencedComponentId] 447562003 {{ M mapTarget = wild:\"J4*\", mapGroup > #1 }}",
    "!!> (< 386617003 . 363698007) {{ C active = *, effectiveTime >= \"20200101\" }} {{ +HISTORY-MOD }}",
    "< 64572001 {{ D term = (match:\"gas\" wild:\"*itis\"), dialect = (en-gb (prefer) en-us), type = syn }}",
    "descendantOrSelfOf 404684003 or memberOf 700043003 or childOf LOINC#54486-6 |x|",
    "< 27658006 : [1..*] { 111115 >= #500.5, 111115 = \"PAN\\*\" , 859999999102 != true }",
    "<< 125605004 : [0..0] ((<< 410662002 MINUS 363698007) MINUS 116676008) = *",
    "^R (<< 404684003) {{ +HISTORY (<< 900000000000527005) }}",
    "/* comment */ * {{ C definitionStatusId = (900000000000074008 900000000000073002) }}",
    "< 105590001 : [3..3] R 127489000 = *, reverseOf 363698007 NOT = << 1234567",
    "^ [*] 447562003 {{ M active = false }}",
    "< 64572001 {{ dialectId = 999001261000000100 (prefer), id = (670169018 670170017) }}",
    "\"http://loinc.org#1234-5\" AND top 404684003",
    "< 373873005 : 859999999102 = TRUE , 111115 = (\"a\" \"b\")",
    "((< 19829001 AND < 301867009) OR 123456789) MINUS (>> 40541001)",
    "< 404684003 : 363698007 = << 39057004 AND (116676008 = << 415582006 OR 42752001 = << 445238008)",
];

const ALPHABET: &[char] = &[
    '<', '>', '!', '^', '*', '(', ')', '{', '}', '[', ']', ':', ',', '.', '=', '#', '"', '|', '/',
    ' ', '\n', '\\', '1', '0', '4', '6', 'R', 'D', 'C', 'M', 'a', 'n', 'd', 'o', 'r', '+', '-',
    '_', 'é', '€', '\u{0}',
];

/// A small store so fuzzed expressions also exercise the evaluator.
fn small_store() -> &'static memory::MemoryBackend {
    static STORE: std::sync::OnceLock<memory::MemoryBackend> = std::sync::OnceLock::new();
    STORE.get_or_init(|| {
        let mut b = memory::MemoryBackend::new();
        for id in [138875005, 116680003, 404684003, 363698007, 1234567, 447562003, 64572001] {
            b.add_concept(id, true, 900000000000207008, 20200131, true);
        }
        b.add_concept(2345678, false, 900000000000207008, 20200131, true);
        for id in [404684003, 363698007, 1234567, 447562003] {
            b.add_relationship(id, 116680003, 138875005, 0);
        }
        b.add_relationship(64572001, 116680003, 404684003, 0);
        b.add_relationship(64572001, 363698007, 1234567, 1);
        b.add_concrete(64572001, 363698007, 0, ConcreteValue::Integer(5));
        b.add_description(
            64572001,
            memory::Description {
                id: 1000001,
                active: true,
                module: 900000000000207008,
                effective_time: 20200131,
                language_code: "en".into(),
                type_id: 900000000000013009,
                term: "Disease".into(),
                acceptability: vec![(900000000000508004, true)],
            },
        );
        b.add_member(memory::Member {
            id: None,
            refset: 447562003,
            referenced_component: 64572001,
            active: true,
            module: 900000000000207008,
            effective_time: 20200131,
            fields: vec![("mapTarget".into(), FieldValueOwned::String("J45.9".into()))],
        });
        b.finish();
        b
    })
}

fn check_no_panic_and_roundtrip(src: &str) {
    if let Ok(e) = parse(src) {
        let _ = Evaluator::new(small_store()).evaluate(&e);
        let _ = Evaluator::new(small_store()).member_fields(&e);
        let printed = e.to_string();
        let again = parse(&printed).unwrap_or_else(|err| {
            panic!("{src:?} printed as {printed:?} does not re-parse: {err}")
        });
        assert_eq!(e, again, "{src:?} => {printed:?}");
    } else if let Err(err) = parse(src) {
        let _ = err.render(src);
    }
}

#[test]
fn fuzz_random_inputs_never_panic() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..4000 {
        let len = rng.below(60);
        let s: String = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
        check_no_panic_and_roundtrip(&s);
    }
    // random tokens
    const TOKENS: &[&str] = &[
        "<",
        "<<",
        "<!",
        ">>!",
        "!!>",
        "^",
        "^R",
        "*",
        "(",
        ")",
        "{",
        "}",
        "{{",
        "}}",
        "[0..*]",
        "[1..1]",
        ":",
        ",",
        ".",
        "=",
        "!=",
        "AND",
        "OR",
        "MINUS",
        "R",
        "404684003",
        "363698007",
        "|term|",
        "#5",
        "#2.5",
        "\"x\"",
        "wild:\"a*\"",
        "C",
        "M",
        "D",
        "term",
        "active",
        "1",
        "+HISTORY",
        "-MIN",
        "descendantOf",
        "memberOf",
        "ANY",
        "LOINC#1-2",
        "/* c */",
        "true",
        "language",
        "en",
        "dialect",
        "en-gb",
        "(prefer)",
        "effectiveTime",
        "\"20200101\"",
    ];
    for _ in 0..6000 {
        let n = rng.below(14);
        let s: Vec<&str> = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        check_no_panic_and_roundtrip(&s.join(" "));
    }
}

#[test]
fn fuzz_mutations_never_panic() {
    let mut rng = Rng(0xDEAD_BEEF_0BAD_F00D);
    for seed in SEEDS {
        ok(seed);
        let chars: Vec<char> = seed.chars().collect();
        for _ in 0..800 {
            let mut c = chars.clone();
            for _ in 0..=rng.below(3) {
                if c.is_empty() {
                    break;
                }
                let i = rng.below(c.len());
                match rng.below(4) {
                    0 => {
                        c.remove(i);
                    }
                    1 => c.insert(i, ALPHABET[rng.below(ALPHABET.len())]),
                    2 => c[i] = ALPHABET[rng.below(ALPHABET.len())],
                    _ => c.truncate(i),
                }
            }
            let s: String = c.into_iter().collect();
            check_no_panic_and_roundtrip(&s);
        }
    }
}

#[test]
fn canonical_printing() {
    let cases = [
        (
            "descendantOrSelfOf 404684003 or memberOf [mapTarget] 447562003",
            "<< 404684003 OR ^ [mapTarget] 447562003",
        ),
        (
            "<404684003|Clinical finding|:{363698007|Finding site|=<<39057004,116676008=<<415582006}OR[0..0]R 42752001 NOT = *",
            "< 404684003 |Clinical finding| : { 363698007 |Finding site| = << 39057004, 116676008 = << 415582006 } OR [0..0] R 42752001 != *",
        ),
        (
            "< 64572001 {{ term = \"heart\", dialect = en-gb (prefer) }} {{ c active = 1 }} {{ + history_min }}",
            "< 64572001 {{ D term = \"heart\", dialect = en-gb (prefer) }} {{ C active = true }} {{ +HISTORY-MIN }}",
        ),
        ("(< 1234567 . 363698007) AND ^R 7654321", "(< 1234567 . 363698007) AND ^R 7654321"),
        (
            "< 1234567 : 3311486008 >= #2.0, 111115 = (\"a\" \"b*\")",
            "< 1234567 : 3311486008 >= #2.0, 111115 = (\"a\" \"b*\")",
        ),
    ];
    for (src, canonical) in cases {
        assert_eq!(ok(src).to_string(), canonical);
    }
}
