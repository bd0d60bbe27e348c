//! Complex / extended map refsets (ICD-10): rule evaluation, UK map blocks, generic forward
//! and reverse lookups, and the walk to the nearest mapped ancestor.

use sctx_store::{FieldValue, MemberView};
use sctx_types::{SctId, ids};

use crate::engine::{Hist, Translator, sctid};
use crate::result::*;

const FEMALE: u64 = 248152002;
const MALE: u64 = 248153007;
const AGE_AT_ONSET: u64 = 445518008;
const CURRENT_AGE: u64 = 424144002;

/// A parsed map rule clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `TRUE` or empty.
    True,
    /// `OTHERWISE TRUE`.
    Otherwise,
    /// `IFA <concept> | <term> |`.
    Ifa(u64),
    /// `IFA <attribute> | <term> | <op> <value> <unit>`: an age comparison in days.
    Age {
        /// 445518008 (age at onset) or 424144002 (current age).
        attribute: u64,
        /// `<`, `<=`, `>`, `>=`, `=`.
        op: String,
        /// The bound, in days.
        days: f64,
    },
    /// Anything else (evaluates as unknown).
    Unparsed(String),
}

/// Parses a `mapRule` into clauses joined by ` AND `.
pub fn parse_rule(rule: &str) -> Vec<Clause> {
    let r = rule.trim();
    if r.is_empty() || r.eq_ignore_ascii_case("TRUE") {
        return vec![Clause::True];
    }
    if r.eq_ignore_ascii_case("OTHERWISE TRUE") {
        return vec![Clause::Otherwise];
    }
    r.split(" AND ").map(parse_clause).collect()
}

fn parse_clause(c: &str) -> Clause {
    let c = c.trim();
    let bad = || Clause::Unparsed(c.to_string());
    let Some(rest) = c.strip_prefix("IFA ") else {
        return if c.eq_ignore_ascii_case("TRUE") { Clause::True } else { bad() };
    };
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(|ch| ch.is_ascii_digit()).collect();
    let Ok(id) = digits.parse::<u64>() else { return bad() };
    // `<id> | term | tail`
    let mut parts = rest.splitn(3, '|');
    parts.next();
    let _term = parts.next();
    let tail = parts.next().map(str::trim).unwrap_or("");
    if tail.is_empty() {
        return Clause::Ifa(id);
    }
    let (op, after) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| tail.strip_prefix(op).map(|a| (op.to_string(), a.trim())))
        .unwrap_or_default();
    if op.is_empty() {
        return bad();
    }
    let mut it = after.split_whitespace();
    let (Some(v), unit) =
        (it.next().and_then(|v| v.parse::<f64>().ok()), it.next().unwrap_or("years"))
    else {
        return bad();
    };
    let per = match unit.trim_end_matches('s').to_ascii_lowercase().as_str() {
        "year" => 365.25,
        "month" => 30.4375,
        "week" => 7.0,
        "day" => 1.0,
        _ => return bad(),
    };
    Clause::Age { attribute: id, op, days: v * per }
}

fn and(a: RuleValue, b: RuleValue) -> RuleValue {
    match (a, b) {
        (RuleValue::False, _) | (_, RuleValue::False) => RuleValue::False,
        (RuleValue::Unknown, _) | (_, RuleValue::Unknown) => RuleValue::Unknown,
        _ => RuleValue::True,
    }
}

fn field_str(m: &MemberView<'_>, name: &str) -> String {
    m.field(name).map(|v| v.to_string()).unwrap_or_default()
}

fn field_int(m: &MemberView<'_>, name: &str) -> i64 {
    match m.field(name) {
        Some(FieldValue::Int(v)) => v,
        Some(FieldValue::Id(v)) => v as i64,
        Some(FieldValue::Str(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn field_id(m: &MemberView<'_>, name: &str) -> Option<SctId> {
    match m.field(name) {
        Some(FieldValue::Id(v)) if v > 0 => Some(sctid(v)),
        _ => None,
    }
}

struct Row {
    block: i64,
    group: i64,
    row: MapRow,
    clauses: Vec<Clause>,
}

impl<'a> Translator<'a> {
    fn eval_clause(&self, c: &Clause, ctx: &MapContext) -> RuleValue {
        let b = |v: bool| if v { RuleValue::True } else { RuleValue::False };
        match c {
            Clause::True | Clause::Otherwise => RuleValue::True,
            Clause::Ifa(FEMALE) => ctx.sex.map_or(RuleValue::Unknown, |s| b(s == Sex::Female)),
            Clause::Ifa(MALE) => ctx.sex.map_or(RuleValue::Unknown, |s| b(s == Sex::Male)),
            Clause::Ifa(id) => match &ctx.findings {
                None => RuleValue::Unknown,
                Some(list) => {
                    let Some(a) = self.store.index_of(*id) else {
                        return b(list.iter().any(|f| f.get() == *id));
                    };
                    b(list.iter().any(|f| {
                        self.store.index_of(f.get()).is_some_and(|x| self.store.subsumes(a, x))
                    }))
                }
            },
            Clause::Age { attribute, op, days } => {
                let age = match *attribute {
                    AGE_AT_ONSET => ctx.onset_age_years.or(ctx.age_years),
                    CURRENT_AGE => ctx.age_years.or(ctx.onset_age_years),
                    _ => None,
                };
                let Some(years) = age else { return RuleValue::Unknown };
                let d = years * 365.25;
                b(match op.as_str() {
                    "<" => d < *days,
                    "<=" => d <= *days,
                    ">" => d > *days,
                    ">=" => d >= *days,
                    _ => (d - *days).abs() < 0.5,
                })
            }
            Clause::Unparsed(_) => RuleValue::Unknown,
        }
    }

    fn rows_of(&self, refset: u64, concept: u64) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .store
            .members_of_for(refset, concept)
            .filter(|m| m.active)
            .map(|m| {
                let rule = field_str(&m, "mapRule");
                Row {
                    block: if m.field("mapBlock").is_some() {
                        field_int(&m, "mapBlock")
                    } else {
                        0
                    },
                    group: field_int(&m, "mapGroup"),
                    clauses: parse_rule(&rule),
                    row: MapRow {
                        priority: field_int(&m, "mapPriority"),
                        rule,
                        advice: field_str(&m, "mapAdvice"),
                        target: field_str(&m, "mapTarget"),
                        correlation: field_id(&m, "correlationId"),
                        category: field_id(&m, "mapCategoryId"),
                        evaluation: RuleValue::Skipped,
                    },
                }
            })
            .collect();
        rows.sort_by_key(|r| (r.block, r.group, r.row.priority));
        rows
    }

    /// Evaluates one group's rows (already in priority order). `uk_default_last`: UK maps have
    /// no rules; the highest-numbered priority is the default (Rdiagnosislist convention)
    /// and every row is listed as an alternative.
    fn eval_group(&self, group: i64, rows: Vec<Row>, ctx: &MapContext, uk: bool) -> MapGroup {
        let mut g = MapGroup {
            group,
            target: None,
            advice: None,
            priority: None,
            context_dependent: false,
            rows: Vec::new(),
        };
        let mut chosen: Option<usize> = None;
        for (i, r) in rows.into_iter().enumerate() {
            let mut row = r.row;
            if uk {
                row.evaluation = RuleValue::True;
                chosen = Some(i);
            } else if chosen.is_none() {
                let v = r
                    .clauses
                    .iter()
                    .fold(RuleValue::True, |acc, c| and(acc, self.eval_clause(c, ctx)));
                row.evaluation = v;
                match v {
                    RuleValue::True => chosen = Some(i),
                    RuleValue::Unknown => g.context_dependent = true,
                    _ => {}
                }
            }
            g.rows.push(row);
        }
        if let Some(i) = chosen {
            let r = &g.rows[i];
            g.target = (!r.target.is_empty()).then(|| r.target.clone());
            g.advice = Some(r.advice.clone());
            g.priority = Some(r.priority);
        }
        g
    }

    fn groups_of(&self, rows: Vec<Row>, ctx: &MapContext, uk: bool) -> Vec<MapGroup> {
        let mut out = Vec::new();
        let mut it = rows.into_iter().peekable();
        while let Some(first) = it.next() {
            let g = first.group;
            let mut v = vec![first];
            while it.peek().is_some_and(|r| r.group == g) {
                v.extend(it.next());
            }
            out.push(self.eval_group(g, v, ctx, uk));
        }
        out
    }

    /// Maps a concept through a complex/extended map refset (ICD-10 447562003 with rules,
    /// UK 999002271000000101 with `mapBlock`, or any other such refset). An inactive concept
    /// is first resolved through history; with `ancestor_walk`, a concept without rows uses
    /// its nearest mapped ancestors' rows (status `broader`).
    pub fn map_concept(
        &self,
        concept: &str,
        refset: u64,
        ctx: &MapContext,
        ancestor_walk: bool,
    ) -> MapResult {
        let mut res = MapResult {
            concept: sctid(0),
            refset: sctid(refset),
            status: Status::Unmapped,
            mapped_concept: None,
            via_ancestor: false,
            history: Vec::new(),
            groups: Vec::new(),
            blocks: Vec::new(),
            notes: Vec::new(),
        };
        let id = match SctId::parse(concept.trim()) {
            Ok(id) => id,
            Err(e) => {
                res.status = Status::InvalidCode;
                res.notes.push(e.to_string());
                return res;
            }
        };
        res.concept = id;
        let Some(mut idx) = self.store.index_of(id.get()) else {
            res.notes.push(format!("concept {id} is not in the loaded release"));
            return res;
        };
        let mut status = Status::Exact;
        if !self.store.is_active(idx) && self.rows_of(refset, id.get()).is_empty() {
            match self.follow_history(idx, &mut res.history, 0) {
                Hist::Single(t) => {
                    idx = t;
                    status = Status::ViaHistory;
                }
                Hist::Candidates(c) => {
                    res.notes.push(format!(
                        "inactive concept with several candidates: {}",
                        c.iter()
                            .map(|x| self.store.id_of(x.0).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    idx = c[0].0;
                    status = Status::Ambiguous;
                }
                Hist::WasA(c) => {
                    idx = c[0];
                    status = Status::Broader;
                }
                Hist::Dead => {
                    res.notes
                        .push("inactive concept without a usable historical association".into());
                    return res;
                }
            }
        }
        let mut source = idx;
        let mut rows = self.rows_of(refset, self.store.id_of(idx));
        if rows.is_empty()
            && ancestor_walk
            && let Some((anc, others)) = self.nearest_mapped_ancestor(idx, refset)
        {
            source = anc;
            rows = self.rows_of(refset, self.store.id_of(anc));
            res.via_ancestor = true;
            status = Status::Broader;
            res.notes.push(format!(
                "no map of its own: used the map of the nearest mapped ancestor {} |{}|",
                self.store.id_of(anc),
                self.preferred(anc).unwrap_or("")
            ));
            if !others.is_empty() {
                res.notes.push(format!(
                    "other mapped ancestors at the same distance: {}",
                    others
                        .iter()
                        .map(|o| self.store.id_of(*o).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if rows.is_empty() {
            res.notes.push("no map rows".into());
            return res;
        }
        res.mapped_concept = Some(sctid(self.store.id_of(source)));
        let uk = rows.iter().any(|r| r.block != 0) || refset == ids::UK_ICD10_MAP;
        if uk {
            let mut it = rows.into_iter().peekable();
            while let Some(first) = it.next() {
                let b = first.block;
                let mut v = vec![first];
                while it.peek().is_some_and(|r| r.block == b) {
                    v.extend(it.next());
                }
                res.blocks.push(MapBlock { block: b, groups: self.groups_of(v, ctx, true) });
            }
            res.groups = res.blocks.first().map(|b| b.groups.clone()).unwrap_or_default();
            if res.blocks.len() > 1 {
                res.notes.push(format!(
                    "{} alternative map blocks; groups show block {}",
                    res.blocks.len(),
                    res.blocks[0].block
                ));
            }
            if res.groups.iter().any(|g| g.rows.len() > 1) {
                res.notes.push("several priorities in a group: the highest-numbered is the default; all are listed".into());
            }
        } else {
            res.groups = self.groups_of(rows, ctx, false);
            if res.groups.iter().any(|g| g.context_dependent) {
                res.notes.push("context-dependent rule(s) could not be evaluated without patient context; fell through to the next row".into());
            }
        }
        res.status = if res.groups.iter().all(|g| g.target.is_none()) {
            if let Some(a) = res.groups.iter().find_map(|g| g.advice.clone()) {
                res.notes.push(a);
            }
            Status::Unmapped
        } else {
            status
        };
        res
    }

    /// ICD-10 through the International map 447562003.
    pub fn icd10(&self, concept: &str, ctx: &MapContext, ancestor_walk: bool) -> MapResult {
        self.map_concept(concept, ids::ICD10_MAP, ctx, ancestor_walk)
    }

    /// The nearest ancestors (by is-a distance) with active rows in `refset`: the first one
    /// and the others at the same distance.
    fn nearest_mapped_ancestor(&self, idx: u32, refset: u64) -> Option<(u32, Vec<u32>)> {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert(idx);
        let mut level = vec![idx];
        while !level.is_empty() {
            let mut next = Vec::new();
            for &c in &level {
                for &p in self.store.parents(c) {
                    if seen.insert(p) {
                        next.push(p);
                    }
                }
            }
            next.sort_unstable_by_key(|&i| self.store.id_of(i));
            let mapped: Vec<u32> = next
                .iter()
                .copied()
                .filter(|&p| {
                    self.store.members_of_for(refset, self.store.id_of(p)).any(|m| m.active)
                })
                .collect();
            if let Some((&first, rest)) = mapped.split_first() {
                return Some((first, rest.to_vec()));
            }
            level = next;
        }
        None
    }

    fn member(&self, m: &MemberView<'_>) -> MapMember {
        MapMember {
            refset: sctid(m.refset),
            concept: sctid(m.referenced),
            preferred_term: self
                .store
                .index_of(m.referenced)
                .and_then(|i| self.preferred(i))
                .map(str::to_string),
            target: field_str(m, "mapTarget"),
            fields: m.fields.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        }
    }

    /// Active members of any map refset for a concept (forward).
    pub fn map_members(&self, refset: u64, concept: u64) -> Vec<MapMember> {
        self.store
            .members_of_for(refset, concept)
            .filter(|m| m.active)
            .map(|m| self.member(&m))
            .collect()
    }

    /// Active members of any map refset whose `mapTarget` is `target` (reverse). ICD-10 codes
    /// are also tried without their dot (`G35.X` → `G35X`) and with a dot after 3 characters.
    pub fn map_reverse(&self, refset: u64, target: &str) -> Vec<MapMember> {
        let t = target.trim();
        let mut forms = vec![t.to_string()];
        if t.contains('.') {
            forms.push(t.replace('.', ""));
        } else if t.len() > 3 && t.is_char_boundary(3) {
            forms.push(format!("{}.{}", &t[..3], &t[3..]));
        }
        for f in forms {
            let v: Vec<MapMember> = self
                .store
                .members_by_map_target(refset, &f)
                .iter()
                .filter(|m| m.active)
                .map(|m| self.member(m))
                .collect();
            if !v.is_empty() {
                return v;
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules() {
        assert_eq!(parse_rule(""), vec![Clause::True]);
        assert_eq!(parse_rule("TRUE"), vec![Clause::True]);
        assert_eq!(parse_rule("OTHERWISE TRUE"), vec![Clause::Otherwise]);
        assert_eq!(parse_rule("IFA 248152002 | Female (finding) |"), vec![Clause::Ifa(248152002)]);
        let r = parse_rule(
            "IFA 445518008 | Age at onset of clinical finding (observable entity) | >= 12.0 years AND IFA 445518008 | Age at onset of clinical finding (observable entity) | < 19.0 years",
        );
        assert_eq!(r.len(), 2);
        assert!(
            matches!(&r[0], Clause::Age { attribute: 445518008, op, days } if op == ">=" && (*days - 12.0 * 365.25).abs() < 1e-9)
        );
        assert!(matches!(&r[1], Clause::Age { op, .. } if op == "<"));
        assert!(
            matches!(parse_rule("IFA 424144002 | Current chronological age | < 28.0 days")[0], Clause::Age { days, .. } if (days - 28.0).abs() < 1e-9)
        );
        assert!(matches!(parse_rule("IFA 424144002 | x | < 3 months")[0], Clause::Age { .. }));
        assert!(matches!(parse_rule("IFA 424144002 | x | < 3 fortnights")[0], Clause::Unparsed(_)));
        assert!(matches!(parse_rule("garbage")[0], Clause::Unparsed(_)));
    }

    #[test]
    fn three_valued_and() {
        use RuleValue::*;
        assert_eq!(and(True, Unknown), Unknown);
        assert_eq!(and(Unknown, False), False);
        assert_eq!(and(True, True), True);
    }
}
