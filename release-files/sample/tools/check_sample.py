#!/usr/bin/env python3
"""Validate the hand-made sample release.  Exit status 1 on any error.

Checks: CRLF everywhere (every line incl. the last), UTF-8, exact RF2 headers,
SCTID validity (digits, length, partition, Verhoeff), referential integrity,
Snapshot == latest-per-id(Full), one row per (id, effectiveTime),
every active concept has an active FSN and exactly one preferred FSN and one
preferred synonym per required language refset (GB+US for International content,
GB+NHS for UK content, evaluated on the layered INT+UK view), the is-a graph
is acyclic and every active concept except the root reaches 138875005,
and the legacy Data Migration / Read / CTV3 files are consistent.
"""
import csv
import glob
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
INT = os.path.join(SAMPLE, "SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z")
UK = os.path.join(SAMPLE, "SnomedCT_SampleUKClinicalRF2_PRODUCTION_20250401T000001Z")
ROOT = "138875005"
ISA = "116680003"
FSN, SYN = "900000000000003001", "900000000000013009"
PREF = "900000000000548007"
GB, US, NHS = "900000000000508004", "900000000000509007", "999001261000000100"
UKMODS = {"999000011000000103", "999000031000000106"}

ERRORS = []


def err(msg):
    ERRORS.append(msg)


_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
      [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_F = [list(range(10)), [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _i in range(2, 8):
    _F.append([_F[_i - 1][_F[1][j]] for j in range(10)])


def sctid_ok(s, kind=None):
    if not re.fullmatch(r"[1-9][0-9]{5,17}", s):
        return False
    part = s[-3:-1]
    if part not in ("00", "01", "02", "10", "11", "12"):
        return False
    if part[0] == "1" and len(s) < 11:
        return False
    if kind is not None and part[1] != {"c": "0", "d": "1", "r": "2"}[kind]:
        return False
    c = 0
    for p, d in enumerate(reversed(s)):
        c = _D[c][_F[p % 8][int(d)]]
    return c == 0


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATE_RE = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")

HEADERS = {
    "sct2_Concept_": "id effectiveTime active moduleId definitionStatusId",
    "sct2_Description_": "id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId",
    "sct2_TextDefinition_": "id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId",
    "sct2_Relationship_": "id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId characteristicTypeId modifierId",
    "sct2_StatedRelationship_": "id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId characteristicTypeId modifierId",
    "sct2_RelationshipConcreteValues_": "id effectiveTime active moduleId sourceId value relationshipGroup typeId characteristicTypeId modifierId",
    "sct2_Identifier_": "alternateIdentifier effectiveTime active moduleId identifierSchemeId referencedComponentId",
    "sct2_sRefset_OWLExpression": "id effectiveTime active moduleId refsetId referencedComponentId owlExpression",
    "der2_cRefset_Association": "id effectiveTime active moduleId refsetId referencedComponentId targetComponentId",
    "der2_cRefset_AttributeValue": "id effectiveTime active moduleId refsetId referencedComponentId valueId",
    "der2_Refset_Simple": "id effectiveTime active moduleId refsetId referencedComponentId",
    "der2_cRefset_Language": "id effectiveTime active moduleId refsetId referencedComponentId acceptabilityId",
    "der2_sRefset_SimpleMap": "id effectiveTime active moduleId refsetId referencedComponentId mapTarget",
    "der2_iisssccRefset_ExtendedMap": "id effectiveTime active moduleId refsetId referencedComponentId mapGroup mapPriority mapRule mapAdvice mapTarget correlationId mapCategoryId",
    "der2_iisssciRefset_ExtendedMap": "id effectiveTime active moduleId refsetId referencedComponentId mapGroup mapPriority mapRule mapAdvice mapTarget correlationId mapBlock",
    "der2_cciRefset_RefsetDescriptor": "id effectiveTime active moduleId refsetId referencedComponentId attributeDescription attributeType attributeOrder",
    "der2_ssRefset_ModuleDependency": "id effectiveTime active moduleId refsetId referencedComponentId sourceEffectiveTime targetEffectiveTime",
    "der2_ciRefset_DescriptionType": "id effectiveTime active moduleId refsetId referencedComponentId descriptionFormat descriptionLength",
    "der2_ssccRefset_MRCMAttributeRange": "id effectiveTime active moduleId refsetId referencedComponentId rangeConstraint attributeRule ruleStrengthId contentTypeId",
}
NAME_RE = re.compile(r"^(sct2|der2)_[A-Za-z]*_?[A-Za-z]*(Full|Snapshot)(-en)?_(INT_20250131|GB1000000_20250401)\.txt$")


def read_crlf(path):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        err("%s: not UTF-8" % path)
        return []
    if data and not data.endswith(b"\r\n"):
        err("%s: last line lacks CRLF" % path)
    if re.search(rb"(?<!\r)\n", data):
        err("%s: bare LF line ending" % path)
    if b"\r" in data.replace(b"\r\n", b""):
        err("%s: stray CR" % path)
    return text.split("\r\n")[:-1]


def read_rf2(path):
    lines = read_crlf(path)
    base = os.path.basename(path)
    if not NAME_RE.match(base):
        err("%s: unexpected file name" % base)
    prefix = [p for p in HEADERS if base.startswith(p)]
    if len(prefix) != 1:
        err("%s: unknown file type" % base)
        return [], []
    hdr = HEADERS[prefix[0]].split()
    if not lines or lines[0].split("\t") != hdr:
        err("%s: header mismatch: %r" % (base, lines[:1]))
    rows = []
    for i, line in enumerate(lines[1:], 2):
        f = line.split("\t")
        if len(f) != len(hdr):
            err("%s:%d: %d fields, expected %d" % (base, i, len(f), len(hdr)))
            continue
        rows.append(dict(zip(hdr, f)))
    return hdr, rows


def latest(rows, key="id"):
    out = {}
    for r in rows:
        k = r[key]
        if k not in out or r["effectiveTime"] > out[k]["effectiveTime"]:
            out[k] = r
    return out


def load_tree(tree):
    files = {}
    for p in sorted(glob.glob(os.path.join(tree, "**", "*.txt"), recursive=True)):
        hdr, rows = read_rf2(p)
        files[p] = rows
    return files


def kind_of(path):
    b = os.path.basename(path)
    for k in ("Concept", "Description", "TextDefinition", "RelationshipConcreteValues", "StatedRelationship", "Relationship",
              "Identifier", "OWLExpression", "Association", "AttributeValue", "Refset_Simple", "Language", "SimpleMap",
              "iisssccRefset_ExtendedMap", "iisssciRefset_ExtendedMap", "RefsetDescriptor", "ModuleDependency",
              "DescriptionType", "MRCMAttributeRange"):
        if ("_" + k + "_" in b) or (k + "Full") in b or (k + "Snapshot") in b or (k + "UKCL") in b or b.startswith("sct2_" + k + "_"):
            return k
    return None


def check_rows_basic(path, rows):
    k = kind_of(path)
    seen = set()
    for r in rows:
        idk = r.get("id", r.get("alternateIdentifier"))
        if (idk, r["effectiveTime"]) in seen:
            err("%s: duplicate (id, effectiveTime) %s %s" % (os.path.basename(path), idk, r["effectiveTime"]))
        seen.add((idk, r["effectiveTime"]))
        if not DATE_RE.fullmatch(r["effectiveTime"]):
            err("%s: bad effectiveTime %s" % (path, r["effectiveTime"]))
        if r["active"] not in ("0", "1"):
            err("%s: bad active %s" % (path, r["active"]))
        if not sctid_ok(r["moduleId"], "c"):
            err("%s: bad moduleId %s" % (path, r["moduleId"]))
        if k in ("Concept",):
            if not sctid_ok(r["id"], "c"):
                err("bad concept id %s" % r["id"])
        elif k in ("Description", "TextDefinition"):
            if not sctid_ok(r["id"], "d"):
                err("bad description id %s" % r["id"])
            if r["languageCode"] != "en":
                err("languageCode %s" % r["languageCode"])
        elif k in ("Relationship", "RelationshipConcreteValues", "StatedRelationship"):
            if not sctid_ok(r["id"], "r"):
                err("bad relationship id %s" % r["id"])
        elif "refsetId" in r:
            if not UUID_RE.fullmatch(r["id"]):
                err("%s: bad member uuid %s" % (os.path.basename(path), r["id"]))
        for col, v in r.items():
            if col in ("moduleId", "definitionStatusId", "conceptId", "typeId", "caseSignificanceId", "sourceId",
                       "destinationId", "characteristicTypeId", "modifierId", "refsetId", "valueId", "acceptabilityId",
                       "correlationId", "mapCategoryId", "attributeDescription", "attributeType", "descriptionFormat",
                       "ruleStrengthId", "contentTypeId"):
                if not sctid_ok(v, "c"):
                    err("%s: column %s has invalid concept id %r" % (os.path.basename(path), col, v))
            if col in ("referencedComponentId", "targetComponentId") and not sctid_ok(v):
                err("%s: column %s invalid SCTID %r" % (os.path.basename(path), col, v))


def main():
    # ---------------- load
    full = load_tree(os.path.join(INT, "Full"))
    snap = load_tree(os.path.join(INT, "Snapshot"))
    uk = load_tree(os.path.join(UK, "Snapshot"))
    for d in (full, snap, uk):
        for p, rows in d.items():
            check_rows_basic(p, rows)
    # Snapshot == latest-per-id(Full)
    for p, rows in full.items():
        sp = p.replace(os.sep + "Full" + os.sep, os.sep + "Snapshot" + os.sep).replace("Full", "Snapshot")
        sp = os.path.join(os.path.dirname(p).replace(os.sep + "Full", os.sep + "Snapshot"),
                          os.path.basename(p).replace("Full", "Snapshot"))
        if sp not in snap:
            err("no Snapshot for %s" % p)
            continue
        keyc = "id" if not rows or "id" in rows[0] else "alternateIdentifier"
        exp = sorted(tuple(r.values()) for r in latest(rows, keyc).values())
        got = sorted(tuple(r.values()) for r in snap[sp])
        if exp != got:
            err("Snapshot != latest(Full) for %s" % os.path.basename(p))
    if len(full) != len(snap):
        err("Full/Snapshot file count differs")

    def by_kind(d, k):
        out = []
        for p, rows in d.items():
            if kind_of(p) == k:
                out += rows
        return out

    # ---------------- layered view (INT Snapshot + UK Snapshot, latest effectiveTime wins)
    def layer(k, key="id"):
        return latest(by_kind(snap, k) + by_kind(uk, k), key)

    int_concepts = latest(by_kind(snap, "Concept"))
    concepts = layer("Concept")
    descs = layer("Description")
    tdefs = layer("TextDefinition")
    rels = layer("Relationship")
    conc = layer("RelationshipConcreteValues")
    all_concept_ids = set(concepts)
    int_desc_ids = set(latest(by_kind(snap, "Description"))) | set(latest(by_kind(snap, "TextDefinition")))
    all_desc_ids = set(descs) | set(tdefs)

    def need_concept(v, where, pool=all_concept_ids):
        if v not in pool:
            err("%s: concept %s does not exist" % (where, v))

    # INT must be self-contained
    int_ids = set(int_concepts)
    for p, rows in list(snap.items()):
        k = kind_of(p)
        for r in rows:
            for col in ("moduleId", "definitionStatusId", "conceptId", "typeId", "caseSignificanceId", "sourceId",
                        "destinationId", "characteristicTypeId", "modifierId", "refsetId", "valueId", "acceptabilityId",
                        "correlationId", "mapCategoryId", "attributeDescription", "attributeType", "descriptionFormat",
                        "ruleStrengthId", "contentTypeId", "targetComponentId"):
                if col in r:
                    need_concept(r[col], "INT " + os.path.basename(p) + " " + col, int_ids)
            if "referencedComponentId" in r:
                if k in ("Language",) or (k == "AttributeValue" and r["refsetId"] == "900000000000490003"):
                    if r["referencedComponentId"] not in int_desc_ids:
                        err("INT %s: description %s missing" % (os.path.basename(p), r["referencedComponentId"]))
                elif k == "DescriptionType" or k == "RefsetDescriptor" or k == "ModuleDependency" or True:
                    need_concept(r["referencedComponentId"], "INT " + os.path.basename(p), int_ids)
    # UK against layered
    for p, rows in uk.items():
        k = kind_of(p)
        for r in rows:
            for col in ("moduleId", "definitionStatusId", "conceptId", "typeId", "caseSignificanceId", "sourceId",
                        "destinationId", "characteristicTypeId", "modifierId", "refsetId", "valueId", "acceptabilityId",
                        "correlationId", "targetComponentId"):
                if col in r:
                    need_concept(r[col], "UK " + os.path.basename(p) + " " + col)
            if "referencedComponentId" in r:
                if k == "Language":
                    if r["referencedComponentId"] not in all_desc_ids:
                        err("UK lang: description %s missing" % r["referencedComponentId"])
                else:
                    need_concept(r["referencedComponentId"], "UK " + os.path.basename(p))
            if "mapBlock" in r and not r["mapBlock"].isdigit():
                err("UK mapBlock %r" % r["mapBlock"])
        if kind_of(p) == "Concept" or kind_of(p) == "Relationship":
            for r in rows:
                idv = r["id"]
                if r["moduleId"] in UKMODS and idv not in int_ids and idv[-3:-2] != "1" and idv not in (
                        "999000011000000103", "999000031000000106", "999001261000000100", "999002271000000101"):
                    err("UK component %s is not long format" % idv)

    # ---------------- descriptions and language
    lang = layer("Language")
    active_lang = defaultdict(dict)   # desc -> {refset: acceptability}
    for m in lang.values():
        if m["active"] == "1":
            active_lang[m["referencedComponentId"]][m["refsetId"]] = m["acceptabilityId"]
    by_concept = defaultdict(list)
    for d in descs.values():
        need_concept(d["conceptId"], "description %s" % d["id"])
        by_concept[d["conceptId"]].append(d)
    for cid, c in concepts.items():
        if c["active"] != "1":
            continue
        ds = [d for d in by_concept[cid] if d["active"] == "1"]
        fsns = [d for d in ds if d["typeId"] == FSN]
        if len(fsns) != 1:
            err("concept %s has %d active FSNs" % (cid, len(fsns)))
        elif not re.search(r" \([^()]+\)$", fsns[0]["term"]):
            err("FSN without semantic tag: %s" % fsns[0]["term"])
        if not any(d["typeId"] == SYN for d in ds):
            err("concept %s has no synonym" % cid)
        is_uk = c["moduleId"] in UKMODS
        for rs in ((GB, NHS) if is_uk else (GB, US)):
            for typ in (FSN, SYN):
                n = sum(1 for d in ds if d["typeId"] == typ and active_lang[d["id"]].get(rs) == PREF)
                if n != 1:
                    err("concept %s (%s) has %d preferred %s in %s" % (cid, c["moduleId"], n,
                                                                        "FSN" if typ == FSN else "synonym", rs))
    int_lang = defaultdict(dict)
    for m in latest(by_kind(snap, "Language")).values():
        if m["active"] == "1":
            int_lang[m["referencedComponentId"]][m["refsetId"]] = m["acceptabilityId"]
    for d in latest(by_kind(snap, "Description")).values():
        if d["active"] == "1" and not ({GB, US} <= set(int_lang[d["id"]])):
            err("INT description %s (%s) lacks GB and/or US member" % (d["id"], d["term"]))

    # ---------------- relationships, hierarchy
    parents = defaultdict(set)
    for r in rels.values():
        for col in ("sourceId", "destinationId", "typeId"):
            need_concept(r[col], "relationship %s" % r["id"])
        if r["active"] == "1":
            if concepts[r["sourceId"]]["active"] != "1":
                err("active relationship %s on inactive concept" % r["id"])
            if concepts[r["destinationId"]]["active"] != "1":
                err("active relationship %s to inactive concept" % r["id"])
            if r["typeId"] == ISA:
                parents[r["sourceId"]].add(r["destinationId"])
    for r in conc.values():
        v = r["value"]
        if not (re.fullmatch(r"#-?\d+(\.\d+)?", v) or re.fullmatch(r'"(?:[^"\\]|\\.)*"', v)):
            err("bad concrete value %r" % v)
    # acyclic + reach root
    state = {}

    def visit(n, stack):
        if state.get(n) == 1:
            err("is-a cycle through %s" % n)
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for p in parents[n]:
            visit(p, stack)
        state[n] = 2
    sys.setrecursionlimit(10000)
    for n in list(concepts):
        visit(n, [])
    depth = {}

    def reaches(n, seen=()):
        if n == ROOT:
            return 0
        if n in depth:
            return depth[n]
        ds = [reaches(p) for p in parents[n]]
        ds = [d for d in ds if d is not None]
        depth[n] = (max(ds) + 1) if ds else None
        return depth[n]
    for cid, c in concepts.items():
        if c["active"] == "1" and cid != ROOT and reaches(cid) is None:
            err("active concept %s does not reach the root" % cid)
    multi = [c for c in concepts if concepts[c]["active"] == "1" and len(parents[c]) > 1]
    maxdepth = max(d for d in depth.values() if d is not None)

    # ---------------- history associations
    assoc = [m for m in layer("Association").values() if m["active"] == "1"]
    for m in assoc:
        src = concepts[m["referencedComponentId"]]
        if src["active"] != "0":
            err("historical association from active concept %s" % src["id"])
    attr = [m for m in layer("AttributeValue").values() if m["active"] == "1" and m["refsetId"] == "900000000000489007"]
    inactive_concepts = {c for c, r in concepts.items() if r["active"] == "0"}
    with_indicator = {m["referencedComponentId"] for m in attr}
    if inactive_concepts - with_indicator:
        err("inactive concepts without inactivation indicator: %s" % sorted(inactive_concepts - with_indicator))

    # ---------------- maps
    for m in by_kind(snap, "iisssccRefset_ExtendedMap"):
        if m["active"] == "1":
            if m["mapCategoryId"] in ("447637006", "447639009") and not m["mapTarget"]:
                err("ext map %s: category needs a target" % m["id"])
            if m["mapCategoryId"] == "447638001" and m["mapTarget"]:
                err("ext map %s: cannot-classify row has a target" % m["id"])
            if m["moduleId"] != "449080006":
                err("ext map %s module" % m["id"])
    for m in by_kind(uk, "iisssciRefset_ExtendedMap"):
        if m["mapRule"] != "" or "." in m["mapTarget"]:
            err("UK map row %s: rule must be empty and target undotted" % m["id"])

    # ---------------- legacy files
    dm = os.path.join(SAMPLE, "nhs_datamigration_sample_20200401", "Mapping Tables", "Updated")
    legacy_headers = {
        "Clinically Assured/rcsctmap2_uk_20200401000001.txt": "MapId ReadCode TermCode ConceptId DescriptionId IS_ASSURED EffectiveDate MapStatus",
        "Clinically Assured/ctv3sctmap2_uk_20200401000001.txt": "MAPID CTV3_CONCEPTID CTV3_TERMID CTV3_TERMTYPE SCT_CONCEPTID SCT_DESCRIPTIONID MAPSTATUS EFFECTIVEDATE IS_ASSURED",
        "Clinically Assured/rctctv3map_uk_20200401000001.txt": "MAPID V2_CONCEPTID V2_TERMID CTV3_TERMID CTV3_TERMTYPE CTV3_CONCEPTID USE_CTV3_TERMID STAT MAPTYP MAPSTATUS EFFECTIVEDATE IS_ASSURED",
        "Clinically Assured/ctv3rctmap_uk_20200401000002.txt": "MAPID CTV3_CONCEPTID CTV3_TERMID CTV3_TERMTYP V2_CONCEPTID V2_TERMID USE_V2_TERMID STAT MAPTYP MAPSTATUS EFFECTIVEDATE ISASSURED",
        "Clinically Assured/codesWithValues_AlternateMaps_READ2_20200401000001.txt": "ReadCode TermCode ConceptId DescriptionId Use",
        "Not Clinically Assured/rcsctmap_uk_20200401000001.txt": "MapId ReadCode TermCode ConceptId EffectiveDate MapStatus",
    }
    tabs = {}
    for rel_path, hdr in legacy_headers.items():
        lines = read_crlf(os.path.join(dm, rel_path))
        if lines[0].split("\t") != hdr.split():
            err("%s header" % rel_path)
        rows = [dict(zip(hdr.split(), l.split("\t"))) for l in lines[1:]]
        for l in lines[1:]:
            if len(l.split("\t")) != len(hdr.split()):
                err("%s: field count" % rel_path)
        tabs[rel_path] = rows
        for r in rows:
            mid = r.get("MapId", r.get("MAPID"))
            if mid is not None and not re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", mid):
                err("%s: bad MapId %s" % (rel_path, mid))
    read_codes = set()
    read_terms = set()
    rv2 = os.path.join(SAMPLE, "nhs_readv2_sample", "V2", "Unified")
    for name, n in (("Corev2.all", 13), ("Keyv2.all", 9)):
        lines = read_crlf(os.path.join(rv2, name))
        for row in csv.reader(lines):
            if len(row) != n:
                err("%s: %d fields" % (name, len(row)))
            if name == "Corev2.all":
                read_codes.add(row[0])
            else:
                read_terms.add((row[7], row[5]))
    for c in read_codes:
        if len(c) != 5:
            err("Read code %r not 5 chars" % c)
        par = re.sub(r"[^.](\.*)$", lambda m: "." + m.group(1), c) if c != "....." else None
        if par and par != "....." and par not in read_codes:
            err("Read code %s: parent %s missing" % (c, par))
    for r in tabs["Clinically Assured/rcsctmap2_uk_20200401000001.txt"]:
        if (r["ReadCode"], r["TermCode"]) not in read_terms:
            err("rcsctmap2: %s %s not in Keyv2" % (r["ReadCode"], r["TermCode"]))
        need_concept(r["ConceptId"], "rcsctmap2", int_ids)
        d = descs.get(r["DescriptionId"])
        if not d or d["conceptId"] != r["ConceptId"]:
            err("rcsctmap2: description %s not of concept %s" % (r["DescriptionId"], r["ConceptId"]))
    v3 = os.path.join(SAMPLE, "nhs_readctv3_sample", "V3")
    ctv3 = {l.split("|")[0] for l in read_crlf(os.path.join(v3, "Concept.v3"))}
    ctv3_terms = {l.split("|")[0] for l in read_crlf(os.path.join(v3, "Terms.v3"))}
    for l in read_crlf(os.path.join(v3, "Descrip.v3")):
        c, t, tt = l.split("|")
        if c not in ctv3 or t not in ctv3_terms or tt not in "PS":
            err("Descrip.v3 bad row %s" % l)
    for l in read_crlf(os.path.join(v3, "V3hier.v3")):
        c, p, o = l.split("|")
        if c not in ctv3 or (p != "....." and p not in ctv3):
            err("V3hier bad row %s" % l)
    for r in tabs["Clinically Assured/ctv3sctmap2_uk_20200401000001.txt"]:
        if r["CTV3_CONCEPTID"] not in ctv3:
            err("ctv3sctmap2: unknown CTV3 %s" % r["CTV3_CONCEPTID"])
        if r["SCT_CONCEPTID"] != "_DRUG":
            need_concept(r["SCT_CONCEPTID"], "ctv3sctmap2", int_ids)
            d = descs.get(r["SCT_DESCRIPTIONID"])
            if not d or d["conceptId"] != r["SCT_CONCEPTID"]:
                err("ctv3sctmap2: description mismatch %s" % r)
    for m in by_kind(snap, "SimpleMap"):
        if m["mapTarget"] not in ctv3 and m["active"] == "1":
            pass  # CTV3 simple map targets need not be in the small CTV3 term sample

    # ---------------- report
    def cnt(d, k, active=None):
        rows = by_kind(d, k)
        return len(rows)
    print("INT concepts (snapshot): %d (%d active)" % (len(int_concepts), sum(1 for r in int_concepts.values() if r["active"] == "1")))
    print("UK concepts: %d" % len(by_kind(uk, "Concept")))
    print("descriptions INT snapshot: %d, UK: %d; text definitions: %d" % (cnt(snap, "Description"), cnt(uk, "Description"), cnt(snap, "TextDefinition")))
    print("relationships INT snapshot: %d (active %d), UK: %d; concrete: %d" % (
        cnt(snap, "Relationship"), sum(1 for r in by_kind(snap, "Relationship") if r["active"] == "1"), cnt(uk, "Relationship"),
        cnt(snap, "RelationshipConcreteValues")))
    print("Full rows: " + ", ".join("%s=%d" % (kind_of(p), len(r)) for p, r in sorted(full.items())))
    per_refset = defaultdict(int)
    for d in (snap, uk):
        for p, rows in d.items():
            for r in rows:
                if "refsetId" in r:
                    per_refset[(r["refsetId"], "INT" if d is snap else "UK")] += 1
    for (rs, pk), n in sorted(per_refset.items()):
        print("  refset %s [%s]: %d members" % (rs, pk, n))
    print("multiple-parent concepts: %d; max depth: %d" % (len(multi), maxdepth))
    if ERRORS:
        print("\n%d ERRORS" % len(ERRORS))
        for e in ERRORS[:200]:
            print("  " + e)
        sys.exit(1)
    print("\nOK: no errors")


if __name__ == "__main__":
    main()
