#!/usr/bin/env python3
"""Deterministic generator for the hand-made sctx sample release.

Run:  python3 release-files/sample/tools/make_sample.py
It (re)writes every file under release-files/sample/ except README.md and tools/.

Everything here is synthetic.  Only a small list of well-known real concept ids
(with their real terms) and real metadata ids are used; every description,
relationship and refset-member id, every invented concept, every map row,
Read/CTV3 term and MapId is invented by this script.
"""
import json
import os
import shutil
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)

INT_DATE = "20250131"
UK_DATE = "20250401"
INT_PKG = "SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z"
UK_PKG = "SnomedCT_SampleUKClinicalRF2_PRODUCTION_20250401T000001Z"

CORE = "900000000000207008"
MODEL = "900000000000012004"
ICDMOD = "449080006"
UKMOD = "999000011000000103"
UKREFMOD = "999000031000000106"

FSN, SYN, DEF = "900000000000003001", "900000000000013009", "900000000000550004"
CI, CS, IC = "900000000000448009", "900000000000017005", "900000000000020002"
PRIM, FULLDEF = "900000000000074008", "900000000000073002"
INFERRED, EXIST = "900000000000011006", "900000000000451002"
PREF, ACC = "900000000000548007", "900000000000549004"
GB, US, NHS = "900000000000508004", "900000000000509007", "999001261000000100"
ISA = "116680003"
SAME_AS, REPLACED_BY, POSS_EQ, ALTERNATIVE, WAS_A = (
    "900000000000527005", "900000000000526001", "900000000000523009",
    "900000000000530003", "900000000000528000")
CONCEPT_INACT, DESC_INACT = "900000000000489007", "900000000000490003"
DUPLICATE, OUTDATED, AMBIGUOUS, ERRONEOUS, LIMITED = (
    "900000000000482003", "900000000000483008", "900000000000484002",
    "900000000000485001", "900000000000486000")
CTV3MAP, ICD10MAP, UKICD10MAP = "900000000000497000", "447562003", "999002271000000101"
SIMPLE_REFSET_KEY = "SIMPLE_REFSET"
OWL_AXIOM = "733073007"
MODDEP = "900000000000534007"
REFSET_DESCRIPTOR = "900000000000456007"
DESC_FORMAT_REFSET = "900000000000538005"
MRCM_RANGE = "723562003"
CORR_NS = "447561005"
CAT_OK, CAT_CANNOT, CAT_CONTEXT = "447637006", "447638001", "447639009"

# ---------------------------------------------------------------- Verhoeff
_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
      [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
      [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
      [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_F = [list(range(10)), [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]]
for _i in range(2, 8):
    _F.append([_F[_i - 1][_F[1][j]] for j in range(10)])
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_ok(s):
    c = 0
    for p, d in enumerate(reversed(s)):
        c = _D[c][_F[p % 8][int(d)]]
    return c == 0


def check_digit(partial):
    c = 0
    for p, d in enumerate(reversed(partial)):
        c = _D[c][_F[(p + 1) % 8][int(d)]]
    return str(_INV[c])


class IdGen:
    """Invented ids.  Core: short format, item numbers from 9900000.
    UK: long format, namespace 1000000, item numbers from 9990000."""

    def __init__(self, start, namespace=None):
        self.next = {"c": start, "d": start, "r": start}
        self.ns = namespace

    def make(self, kind):
        item = self.next[kind]
        self.next[kind] += 1
        if self.ns is None:
            part = {"c": "00", "d": "01", "r": "02"}[kind]
            s = str(item) + part
        else:
            part = {"c": "10", "d": "11", "r": "12"}[kind]
            s = str(item) + self.ns + part
        return s + check_digit(s)


CORE_IDS = IdGen(9900000)
UK_IDS = IdGen(9990000, "1000000")


def member_uuid(key):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://sctx.invalid/sample/" + key))


def mapid(key):
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://sctx.invalid/dm/" + key)).upper() + "}"


# ---------------------------------------------------------------- model
class Pkg:
    """Holds rows per logical file.  rows: list of tuples, first column id,
    second effectiveTime."""

    def __init__(self):
        self.files = {}

    def add(self, fkey, row):
        self.files.setdefault(fkey, []).append(tuple(str(x) for x in row))


INT = Pkg()
UK = Pkg()

KEY = {}          # symbolic key -> SCTID
CONCEPTS = {}     # SCTID -> info dict
DESC_BY_TERM = {}  # (conceptId, term) -> description id
REAL_CLINICAL = []  # real non-metadata ids used (budget check)


def K(x):
    if x in KEY:
        return KEY[x]
    if x.isdigit():
        return x
    raise KeyError(x)


def lang_member(pkg, refset, desc_id, history, module):
    """history: list of (et, active, acceptability)."""
    mid = member_uuid("lang|%s|%s" % (refset, desc_id))
    fk = "lang"
    for et, act, acc in history:
        pkg.add(fk, (mid, et, act, module, refset, desc_id, acc))
    return mid


def concept(key, fsn, tag, parents, syns=(), attrs=(), real=None, et="20020131",
            module=CORE, defined=False, pkg=None, inactive=None, defined_from=None,
            fsn_case=CI, metadata=False, refsets=(GB, US)):
    """syns: list of str or tuple (term, gbAcc, usAcc, case).  First plain str
    synonym is preferred in all dialects unless dialect tuples are given.
    attrs: (group, typeKey, destKey[, inactive_et])."""
    pkg = pkg or INT
    ids = UK_IDS if pkg is UK else CORE_IDS
    cid = real if real else ids.make("c")
    if real and not metadata:
        REAL_CLINICAL.append(real)
    KEY[key] = cid
    CONCEPTS[cid] = dict(key=key, fsn="%s (%s)" % (fsn, tag), module=module,
                         inactive=inactive, pkg="UK" if pkg is UK else "INT")
    ds = PRIM
    if defined_from:
        pkg.add("concept", (cid, et, 1, module, PRIM))
        pkg.add("concept", (cid, defined_from, 1, module, FULLDEF))
        ds = FULLDEF
    else:
        ds = FULLDEF if defined else PRIM
        pkg.add("concept", (cid, et, 1, module, ds))
    if inactive:
        pkg.add("concept", (cid, inactive, 0, module, ds))
    # descriptions
    allsyn = list(syns) if syns else [fsn]
    norm = []
    first = True
    for s in allsyn:
        if isinstance(s, str):
            norm.append((s, "P" if first else "A", "P" if first else "A", CI))
        else:
            t = tuple(s) + (CI,) * (4 - len(s))
            norm.append(t)
        first = False
    descs = [("%s (%s)" % (fsn, tag), FSN, "P", "P", fsn_case)] + \
            [(t, SYN, g, u, c) for (t, g, u, c) in norm]
    for term, typ, g, u, case in descs:
        did = ids.make("d")
        DESC_BY_TERM[(cid, term)] = did
        pkg.add("desc", (did, et, 1, module, cid, "en", typ, term, case))
        for rs, a in ((GB, g), (US, u)):
            if rs in refsets and a:
                lang_member(pkg, rs, did, [(et, 1, PREF if a == "P" else ACC)], module)
    # relationships
    for p in parents:
        rel(pkg, cid, ISA, K(p), 0, et, module, inactive)
    for a in attrs:
        g, t, d = a[0], a[1], a[2]
        rel(pkg, cid, K(t), K(d), g, et, module, inactive if len(a) < 4 else a[3],
            removed=len(a) >= 4)
    CONCEPTS[cid]["parents"] = [K(p) for p in parents]
    return cid


def rel(pkg, src, typ, dst, group, et, module, inactive_et=None, removed=False):
    ids = UK_IDS if pkg is UK else CORE_IDS
    rid = ids.make("r")
    pkg.add("rel", (rid, et, 1, module, src, dst, group, typ, INFERRED, EXIST))
    if inactive_et:
        pkg.add("rel", (rid, inactive_et, 0, module, src, dst, group, typ, INFERRED, EXIST))
    return rid


def refset_member(pkg, fkey, key, history, module, refset, rc, *extra_cols_first):
    """history: list of (et, active, extra-cols-tuple)."""
    mid = member_uuid(fkey + "|" + key)
    for et, act, extra in history:
        pkg.add(fkey, (mid, et, act, module, refset, rc) + tuple(extra))
    return mid


def D(ck, term):
    return DESC_BY_TERM[(K(ck), term)]


# ================================================================ CONTENT
def build_metadata():
    M = dict(module=MODEL, metadata=True)
    concept("ROOT", "SNOMED CT Concept", "SNOMED RT+CTV3", [], ["SNOMED CT Concept"],
            real="138875005", module=CORE, fsn_case=CS)
    concept("MC", "SNOMED CT Model Component", "metadata", ["ROOT"], ["SNOMED CT Model Component"],
            real="900000000000441003", fsn_case=CS, **M)
    concept("CORE_META", "Core metadata concept", "core metadata concept", ["MC"], real="900000000000442005", **M)
    concept("FOUND_META", "Foundation metadata concept", "foundation metadata concept", ["MC"], real="900000000000454005", **M)
    concept("LINKAGE", "Linkage concept", "linkage concept", ["MC"], real="106237007", **M)
    concept("ATTRIBUTE", "Attribute", "attribute", ["LINKAGE"], real="246061005", **M)
    concept("CMA", "Concept model attribute", "attribute", ["ATTRIBUTE"], real="410662002", **M)
    concept("OBJ", "Concept model object attribute", "attribute", ["CMA"], real="762705008", **M)
    concept("DATA", "Concept model data attribute", "attribute", ["CMA"], real="762706009", **M)
    concept("ISA", "Is a", "attribute", ["OBJ"], real=ISA, **M)
    concept("FINDING_SITE", "Finding site", "attribute", ["OBJ"], real="363698007", **M)
    concept("MORPH", "Associated morphology", "attribute", ["OBJ"], real="116676008", **M)
    concept("METHOD", "Method", "attribute", ["OBJ"], real="260686004", **M)
    concept("PROC_SITE", "Procedure site", "attribute", ["OBJ"], real="363704007", **M)
    concept("PROC_SITE_DIRECT", "Procedure site - Direct", "attribute", ["PROC_SITE"], real="405813007", **M)
    concept("CAUSATIVE", "Causative agent", "attribute", ["OBJ"], real="246075003", **M)
    concept("COURSE", "Clinical course", "attribute", ["OBJ"], real="263502005", **M)
    concept("DUE_TO", "Due to", "attribute", ["OBJ"], real="42752001", **M)
    concept("ROLE_GROUP", "Role group", "attribute", ["OBJ"], real="609096000", **M)
    concept("ACTIVE_ING", "Has active ingredient", "attribute", ["OBJ"], real="127489000", **M)
    concept("DOSE_FORM_ATTR", "Has manufactured dose form", "attribute", ["OBJ"], real="411116001", **M)
    concept("PSNV", "Has presentation strength numerator value", "attribute", ["DATA"], real="1142135004", **M)
    concept("PSDV", "Has presentation strength denominator value", "attribute", ["DATA"], real="1142136003", **M)
    concept("CBAI", "Count of base of active ingredient", "attribute", ["DATA"], real="1142139005", **M)
    concept("TEXT_ATTR", "Has sample dose form text", "attribute", ["DATA"], module=MODEL)  # invented string attribute
    # core metadata
    concept("MODULE", "Module", "core metadata concept", ["CORE_META"], real="900000000000443000", **M)
    concept("IHTSDO_MODULE", "IHTSDO maintained module", "core metadata concept", ["MODULE"], real="900000000000445007", **M)
    concept("CORE_MODULE", "SNOMED CT core module", "core metadata concept", ["IHTSDO_MODULE"], real=CORE, **M)
    concept("MODEL_MODULE", "SNOMED CT model component module", "core metadata concept", ["IHTSDO_MODULE"], real=MODEL, **M)
    concept("ICD_MODULE", "SNOMED CT to ICD-10 rule-based mapping module", "core metadata concept", ["IHTSDO_MODULE"], real=ICDMOD, **M)
    concept("DEFSTATUS", "Definition status", "core metadata concept", ["CORE_META"], real="900000000000444006", **M)
    concept("PRIMITIVE", "Not sufficiently defined by necessary conditions definition status", "core metadata concept",
            ["DEFSTATUS"], ["Primitive", "Not sufficiently defined by necessary conditions definition status"], real=PRIM, **M)
    concept("DEFINED", "Sufficiently defined by necessary conditions definition status", "core metadata concept",
            ["DEFSTATUS"], ["Defined", "Sufficiently defined by necessary conditions definition status"], real=FULLDEF, **M)
    concept("DESCTYPE", "Description type", "core metadata concept", ["CORE_META"], real="900000000000446008", **M)
    concept("FSN_T", "Fully specified name", "core metadata concept", ["DESCTYPE"], real=FSN, **M)
    concept("SYN_T", "Synonym", "core metadata concept", ["DESCTYPE"], real=SYN, **M)
    concept("DEF_T", "Definition", "core metadata concept", ["DESCTYPE"], real=DEF, **M)
    concept("CASE", "Case significance", "core metadata concept", ["CORE_META"], real="900000000000447004", **M)
    concept("CASE_CI", "Entire term case insensitive", "core metadata concept", ["CASE"], real=CI, **M)
    concept("CASE_CS", "Entire term case sensitive", "core metadata concept", ["CASE"], real=CS, **M)
    concept("CASE_IC", "Only initial character case insensitive", "core metadata concept", ["CASE"], real=IC, **M)
    concept("CHARTYPE", "Characteristic type", "core metadata concept", ["CORE_META"], real="900000000000449001", **M)
    concept("DEFINING", "Defining relationship", "core metadata concept", ["CHARTYPE"], real="900000000000006009", **M)
    concept("INFERRED_REL", "Inferred relationship", "core metadata concept", ["DEFINING"], real=INFERRED, **M)
    concept("STATED_REL", "Stated relationship", "core metadata concept", ["DEFINING"], real="900000000000010007", **M)
    concept("ADDITIONAL_REL", "Additional relationship", "core metadata concept", ["CHARTYPE"], real="900000000000227009", **M)
    concept("MODIFIER", "Modifier", "core metadata concept", ["CORE_META"], real="900000000000450001", **M)
    concept("EXISTENTIAL", "Existential restriction modifier", "core metadata concept", ["MODIFIER"], real=EXIST, **M)
    concept("UNIVERSAL", "Universal restriction modifier", "core metadata concept", ["MODIFIER"], real="900000000000452009", **M)
    # foundation metadata
    F = "foundation metadata concept"
    concept("REFSET", "Reference set", F, ["FOUND_META"], real="900000000000455006", **M)
    concept("LANG_TYPE", "Language type reference set", F, ["REFSET"], real="900000000000506000", **M)
    concept("GB_LANG", "Great Britain English language reference set", F, ["LANG_TYPE"], real=GB, **M)
    concept("US_LANG", "United States of America English language reference set", F, ["LANG_TYPE"], real=US, **M)
    concept("ASSOC_TYPE", "Association type reference set", F, ["REFSET"], real="900000000000521006", **M)
    concept("HIST_ASSOC", "Historical association reference set", F, ["ASSOC_TYPE"], real="900000000000522004", **M)
    concept("SAME_AS_RS", "SAME AS association reference set", F, ["HIST_ASSOC"], real=SAME_AS, fsn_case=CS, **M)
    concept("REPLACED_BY_RS", "REPLACED BY association reference set", F, ["HIST_ASSOC"], real=REPLACED_BY, fsn_case=CS, **M)
    concept("POSS_EQ_RS", "POSSIBLY EQUIVALENT TO association reference set", F, ["HIST_ASSOC"], real=POSS_EQ, fsn_case=CS, **M)
    concept("ALTERNATIVE_RS", "ALTERNATIVE association reference set", F, ["HIST_ASSOC"], real=ALTERNATIVE, fsn_case=CS, **M)
    concept("WAS_A_RS", "WAS A association reference set", F, ["HIST_ASSOC"], real=WAS_A, fsn_case=CS, **M)
    concept("SIMPLE_TYPE", "Simple type reference set", F, ["REFSET"], real="446609009", **M)
    concept(SIMPLE_REFSET_KEY, "Sample cardiovascular disorders simple reference set", F, ["SIMPLE_TYPE"],
            ["Sample cardiovascular disorders simple reference set", "Sample CVD reference set"], module=CORE)
    concept("SIMPLE_MAP_TYPE", "Simple map type reference set", F, ["REFSET"], real="900000000000496009", **M)
    concept("CTV3_MAP_RS", "CTV3 simple map reference set", F, ["SIMPLE_MAP_TYPE"], real=CTV3MAP, fsn_case=CS, **M)
    concept("COMPLEX_MAP_TYPE", "Complex map type reference set", F, ["REFSET"], real="447250001", **M)
    concept("EXT_MAP_TYPE", "Extended map type reference set", F, ["COMPLEX_MAP_TYPE"], real="609331003", **M)
    concept("ICD10_MAP_RS", "ICD-10 complex map reference set", F, ["EXT_MAP_TYPE"], real=ICD10MAP, fsn_case=CS, **M)
    concept("ATTR_VALUE_TYPE", "Attribute value type reference set", F, ["REFSET"], real="900000000000480006", **M)
    concept("CONCEPT_INACT_RS", "Concept inactivation indicator reference set", F, ["ATTR_VALUE_TYPE"], real=CONCEPT_INACT, **M)
    concept("DESC_INACT_RS", "Description inactivation indicator reference set", F, ["ATTR_VALUE_TYPE"], real=DESC_INACT, **M)
    concept("OWL_TYPE", "OWL expression type reference set", F, ["REFSET"], real="762676003", fsn_case=CS, **M)
    concept("OWL_AXIOM_RS", "OWL axiom reference set", F, ["OWL_TYPE"], real=OWL_AXIOM, fsn_case=CS, **M)
    concept("OWL_ONT_RS", "OWL ontology reference set", F, ["OWL_TYPE"], real="762103008", fsn_case=CS, **M)
    concept("MODDEP_RS", "Module dependency reference set", F, ["REFSET"], real=MODDEP, **M)
    concept("DESCRIPTOR_RS", "Reference set descriptor reference set", F, ["REFSET"], real=REFSET_DESCRIPTOR, **M)
    concept("DESC_FORMAT_RS", "Description format reference set", F, ["REFSET"], real=DESC_FORMAT_REFSET, **M)
    concept("MRCM_RANGE_RS", "MRCM attribute range international reference set", F, ["REFSET"], real=MRCM_RANGE, fsn_case=CS, **M)
    concept("REFSET_ATTR", "Reference set attribute", F, ["FOUND_META"], real="900000000000457003", **M)
    concept("REF_COMPONENT", "Referenced component", F, ["REFSET_ATTR"], real="449608002", **M)
    concept("ACCEPTABILITY", "Acceptability", F, ["REFSET_ATTR"], real="900000000000511003", **M)
    concept("PREFERRED", "Preferred", F, ["ACCEPTABILITY"], real=PREF, **M)
    concept("ACCEPTABLE", "Acceptable", F, ["ACCEPTABILITY"], real=ACC, **M)
    concept("MAP_SOURCE", "Map source concept", F, ["REFSET_ATTR"], real="900000000000500006", **M)
    concept("MAP_TARGET", "Map target", F, ["REFSET_ATTR"], real="900000000000505001", **M)
    concept("ATTR_TYPE", "Attribute type", F, ["FOUND_META"], real="900000000000459000", **M)
    concept("COMPONENT_TYPE", "Component type", F, ["ATTR_TYPE"], real="900000000000460005", **M)
    concept("CONCEPT_TYPE_COMP", "Concept type component", F, ["COMPONENT_TYPE"], real="900000000000461009", **M)
    concept("STRING_TYPE", "String", F, ["ATTR_TYPE"], real="900000000000465000", **M)
    concept("DESC_FORMAT", "Description format", F, ["FOUND_META"], real="900000000000539002", **M)
    concept("PLAIN_TEXT", "Plain text", F, ["DESC_FORMAT"], real="900000000000540000", **M)
    concept("INACT_VALUE", "Concept inactivation value", F, ["FOUND_META"], real="900000000000481005", **M)
    for k, t, i in (("DUPLICATE", "Duplicate component", DUPLICATE), ("OUTDATED", "Outdated component", OUTDATED),
                    ("AMBIGUOUS", "Ambiguous component", AMBIGUOUS), ("ERRONEOUS", "Erroneous component", ERRONEOUS),
                    ("LIMITED", "Limited component", LIMITED),
                    ("NONCURRENT", "Concept non-current", "900000000000495008")):
        concept(k, t, F, ["INACT_VALUE"], real=i, **M)
    concept("ICD_CATEGORY", "ICD-10 map category value", F, ["FOUND_META"], real="447634004", fsn_case=CS, **M)
    concept("CAT_OK", "Map source concept is properly classified", F, ["ICD_CATEGORY"], real=CAT_OK, **M)
    concept("CAT_CANNOT", "Map source concept cannot be classified with available data", F, ["ICD_CATEGORY"], real=CAT_CANNOT, **M)
    concept("CAT_CONTEXT", "Map of source concept is context dependent", F, ["ICD_CATEGORY"], real=CAT_CONTEXT, **M)
    concept("CORRELATION", "SNOMED CT source code to target map code correlation value", F, ["FOUND_META"], real="447247004", fsn_case=CS, **M)
    concept("CORR_NS", "SNOMED CT source code to target map code correlation not specified", F, ["CORRELATION"], real=CORR_NS, fsn_case=CS, **M)
    concept("MRCM_STRENGTH_MAND", "Mandatory concept model rule", F, ["FOUND_META"], real="723597001", **M)
    concept("MRCM_ALL_CONTENT", "All SNOMED CT content", F, ["FOUND_META"], real="723596005", fsn_case=CS, **M)


def build_top_levels():
    concept("CF", "Clinical finding", "finding", ["ROOT"], real="404684003")
    concept("PROC", "Procedure", "procedure", ["ROOT"], real="71388002")
    concept("BS", "Body structure", "body structure", ["ROOT"], real="123037004")
    concept("OBS", "Observable entity", "observable entity", ["ROOT"], real="363787002")
    concept("QV", "Qualifier value", "qualifier value", ["ROOT"], real="362981000")
    concept("SUB", "Substance", "substance", ["ROOT"], real="105590001")
    concept("PRODUCT", "Pharmaceutical / biologic product", "product", ["ROOT"],
            ["Pharmaceutical / biologic product", "Drug or medicament"], real="373873005")
    concept("SIT", "Situation with explicit context", "situation", ["ROOT"],
            ["Situation with explicit context", "Context-dependent category"], real="243796009")
    concept("EVENT", "Event", "event", ["ROOT"], real="272379006")
    concept("ORG", "Organism", "organism", ["ROOT"], real="410607006")


SITES = [
    # key, structure FSN (without tag), PT, disorder key, disorder term, real structure id
    ("HEART", "Heart structure", "Heart", "HEART_DIS", "Heart disease", "80891009"),
    ("KIDNEY", "Kidney structure", "Kidney", "KIDNEY_DIS", "Disorder of kidney", "64033007"),
    ("LUNG", "Lung structure", "Lung", "LUNG_DIS", "Disorder of lung", "39607008"),
    ("LIVER", "Liver structure", "Liver", "LIVER_DIS", "Disorder of liver", None),
    ("STOMACH", "Stomach structure", "Stomach", "STOMACH_DIS", "Disorder of stomach", None),
    ("COLON", "Colon structure", "Colon", "COLON_DIS", "Disorder of colon", None),
    ("BRAIN", "Brain structure", "Brain", "BRAIN_DIS", "Disorder of brain", None),
    ("BREAST", "Breast structure", "Breast", "BREAST_DIS", "Disorder of breast", None),
    ("SKIN", "Skin structure", "Skin", "SKIN_DIS", "Disorder of skin", None),
    ("THYROID", "Thyroid structure", "Thyroid gland", "THYROID_DIS", "Disorder of thyroid gland", None),
    ("ESOPH", "Esophageal structure", "Esophagus", "ESOPH_DIS", "Disorder of esophagus", None),
]


def build_body():
    S = "body structure"
    concept("ANAT", "Anatomical or acquired body structure", S, ["BS"])
    concept("BODY_SYS_STRUCT", "Structure of body system", S, ["ANAT"])
    concept("CV_STRUCT", "Cardiovascular system structure", S, ["BODY_SYS_STRUCT"])
    concept("RESP_STRUCT", "Respiratory system structure", S, ["BODY_SYS_STRUCT"])
    concept("DIGEST_STRUCT", "Digestive system structure", S, ["BODY_SYS_STRUCT"])
    concept("URINARY_STRUCT", "Urinary system structure", S, ["BODY_SYS_STRUCT"])
    concept("NERVOUS_STRUCT", "Nervous system structure", S, ["BODY_SYS_STRUCT"])
    concept("ENDO_STRUCT", "Endocrine system structure", S, ["BODY_SYS_STRUCT"])
    concept("MSK_STRUCT", "Musculoskeletal system structure", S, ["BODY_SYS_STRUCT"])
    concept("BONE_STRUCT", "Bone structure", S, ["MSK_STRUCT"], ["Bone structure", "Bone"])
    concept("LOWER_LIMB", "Lower limb structure", S, ["ANAT"], ["Lower limb structure", "Leg"])
    concept("BODY_REGION", "Body region structure", S, ["ANAT"])
    concept("LARGE_INTESTINE", "Large intestine structure", S, ["DIGEST_STRUCT"], ["Large intestine structure", "Large bowel"])
    concept("INTEGUMENT", "Integumentary system structure", S, ["BODY_SYS_STRUCT"])
    concept("BRONCHUS", "Bronchial structure", S, ["RESP_STRUCT"], ["Bronchial structure", "Bronchus"])
    parents = {"HEART": ["CV_STRUCT"], "KIDNEY": ["URINARY_STRUCT"], "LUNG": ["RESP_STRUCT"],
               "LIVER": ["DIGEST_STRUCT"], "STOMACH": ["DIGEST_STRUCT"], "COLON": ["LARGE_INTESTINE"],
               "BRAIN": ["NERVOUS_STRUCT"], "BREAST": ["BODY_REGION", "INTEGUMENT"], "SKIN": ["INTEGUMENT"],
               "THYROID": ["ENDO_STRUCT"], "ESOPH": ["DIGEST_STRUCT"]}
    for key, fsn, pt, _, _, real in SITES:
        syns = [fsn, pt]
        if key == "ESOPH":
            syns = [("Oesophageal structure", "P", "A"), ("Esophageal structure", "A", "P"),
                    ("Oesophagus", "A", "A"), ("Esophagus", "A", "A")]
        concept(key, fsn, S, parents[key], syns, real=real)
    concept("HEART_VALVE", "Heart valve structure", S, ["HEART"], ["Heart valve structure", "Cardiac valve"])
    concept("MITRAL_VALVE", "Mitral valve structure", S, ["HEART_VALVE"], ["Mitral valve structure", "Mitral valve"])
    concept("CORONARY", "Coronary artery structure", S, ["HEART", "CV_STRUCT"], ["Coronary artery structure", "Coronary artery"])
    concept("APPENDIX", "Appendix structure", S, ["LARGE_INTESTINE"],
            ["Appendix structure", "Appendix", "Vermiform appendix"], real="66754008")
    concept("FEMUR", "Bone structure of femur", S, ["BONE_STRUCT", "LOWER_LIMB"],
            ["Bone structure of femur", "Femur", "Thigh bone"])
    concept("NECK_FEMUR", "Structure of neck of femur", S, ["FEMUR"], ["Structure of neck of femur", "Femoral neck"])
    concept("RETINA", "Retinal structure", S, ["NERVOUS_STRUCT"], ["Retinal structure", "Retina"])
    concept("FOOT", "Foot structure", S, ["LOWER_LIMB"], ["Foot structure", "Foot"])
    concept("JOINT", "Joint structure", S, ["MSK_STRUCT"], ["Joint structure", "Joint"])
    M = "morphologic abnormality"
    concept("MORPH_ROOT", "Morphologically abnormal structure", M, ["BS"])
    concept("INFARCT", "Infarct", M, ["MORPH_ROOT"], ["Infarct", "Infarction"], real="55641003")
    concept("INFLAMMATION", "Inflammation", M, ["MORPH_ROOT"], ["Inflammation", "Inflammatory morphology"], real="23583003")
    concept("FRACTURE_M", "Fracture", M, ["MORPH_ROOT"], ["Fracture"], real="72704001")
    concept("NEOPLASM_M", "Neoplasm", M, ["MORPH_ROOT"],
            ["Neoplasm", ("Tumour", "A", "A"), ("Tumor", "A", "A")], real="108369006")
    concept("MALIGNANT_M", "Neoplasm, malignant (primary)", M, ["NEOPLASM_M"], ["Neoplasm, malignant (primary)", "Primary malignant neoplasm"])
    concept("BENIGN_M", "Neoplasm, benign", M, ["NEOPLASM_M"], ["Neoplasm, benign", "Benign tumour"])
    concept("ULCER_M", "Ulcer", M, ["MORPH_ROOT"])
    concept("INJURY_M", "Traumatic abnormality", M, ["MORPH_ROOT"], ["Traumatic abnormality", "Injury"])
    concept("DEGENERATION_M", "Degenerative abnormality", M, ["MORPH_ROOT"])
    concept("HEMORRHAGE_M", "Hemorrhage", M, ["MORPH_ROOT"], [("Haemorrhage", "P", "A"), ("Hemorrhage", "A", "P"), ("Bleeding", "A", "A")])


def build_qualifiers_etc():
    Q = "qualifier value"
    concept("ACTION", "Action", Q, ["QV"])
    concept("EXCISION", "Excision - action", Q, ["ACTION"], ["Excision - action", "Excision"], real="129304002")
    concept("INCISION", "Incision - action", Q, ["ACTION"], ["Incision - action", "Incision"])
    concept("SURG_REPAIR", "Surgical repair - action", Q, ["ACTION"], ["Surgical repair - action", "Surgical repair"])
    concept("COURSES", "Courses", Q, ["QV"])
    concept("ACUTE", "Sudden onset AND/OR short duration", Q, ["COURSES"], ["Acute", "Sudden onset AND/OR short duration"])
    concept("CHRONIC", "Chronic", Q, ["COURSES"])
    concept("SEVERITIES", "Severities", Q, ["QV"])
    for s in ("Mild", "Moderate", "Severe"):
        concept(s.upper(), s, Q, ["SEVERITIES"])
    concept("SIDE", "Side", Q, ["QV"])
    concept("LEFT", "Left", Q, ["SIDE"])
    concept("RIGHT", "Right", Q, ["SIDE"])
    concept("DOSE_FORM", "Pharmaceutical dose form", "dose form", ["QV"])
    concept("ORAL_TABLET", "Oral tablet", "dose form", ["DOSE_FORM"], ["Oral tablet", "Tablet"])
    # organisms
    O = "organism"
    concept("BACTERIUM", "Bacterium", O, ["ORG"], ["Bacterium", "Bacteria"])
    concept("STREP_PNEU", "Streptococcus pneumoniae", O, ["BACTERIUM"], [("Streptococcus pneumoniae", "P", "P", IC), "Pneumococcus"], fsn_case=IC)
    concept("VIRUS", "Virus", O, ["ORG"])
    concept("INFLUENZA_VIRUS", "Influenza virus", O, ["VIRUS"])
    concept("RHINOVIRUS", "Rhinovirus", O, ["VIRUS"])
    concept("FUNGUS", "Fungus", O, ["ORG"], ["Fungus", "Fungi"])
    # substances
    S = "substance"
    concept("DRUG_SUB", "Drug or medicament", S, ["SUB"], ["Drug or medicament", "Medicinal substance"])
    for k, t in (("PARACETAMOL", "Paracetamol"), ("ATENOLOL", "Atenolol"), ("COLCHICINE", "Colchicine"),
                 ("METFORMIN", "Metformin"), ("INSULIN", "Insulin")):
        syns = [t] if k != "PARACETAMOL" else [("Paracetamol", "P", "A"), ("Acetaminophen", "A", "P")]
        concept(k, t, S, ["DRUG_SUB"], syns)
    concept("GLUCOSE", "Glucose", S, ["SUB"], ["Glucose", "Dextrose"])
    concept("GRASS_POLLEN", "Grass pollen", S, ["SUB"])
    # products
    P, CD = "medicinal product", "clinical drug"
    concept("MED_PRODUCT", "Medicinal product", P, ["PRODUCT"])
    concept("P_PARACETAMOL", "Product containing paracetamol", P, ["MED_PRODUCT"],
            [("Paracetamol-containing product", "P", "A"), ("Acetaminophen-containing product", "A", "P")],
            attrs=[(0, "ACTIVE_ING", "PARACETAMOL")])
    concept("P_ATENOLOL", "Product containing atenolol", P, ["MED_PRODUCT"], ["Atenolol-containing product"],
            attrs=[(0, "ACTIVE_ING", "ATENOLOL")])
    concept("P_COLCHICINE", "Product containing colchicine", P, ["MED_PRODUCT"], ["Colchicine-containing product"],
            attrs=[(0, "ACTIVE_ING", "COLCHICINE")])
    concept("P_METFORMIN", "Product containing metformin", P, ["MED_PRODUCT"], ["Metformin-containing product"],
            attrs=[(0, "ACTIVE_ING", "METFORMIN")])
    concept("CD_PARACETAMOL_500", "Product containing precisely paracetamol 500 milligram/1 each conventional release oral tablet", CD,
            ["P_PARACETAMOL"], ["Paracetamol 500 mg oral tablet", ("Acetaminophen 500 mg oral tablet", "A", "A")],
            attrs=[(1, "ACTIVE_ING", "PARACETAMOL"), (0, "DOSE_FORM_ATTR", "ORAL_TABLET")], et="20190731")
    concept("CD_COLCHICINE_500MCG", "Product containing precisely colchicine 0.5 milligram/1 each conventional release oral tablet", CD,
            ["P_COLCHICINE"], ["Colchicine 0.5 mg oral tablet", "Colchicine 500 microgram oral tablet"],
            attrs=[(1, "ACTIVE_ING", "COLCHICINE"), (0, "DOSE_FORM_ATTR", "ORAL_TABLET")], et="20190731")
    concept("CD_ATENOLOL_50", "Product containing precisely atenolol 50 milligram/1 each conventional release oral tablet", CD,
            ["P_ATENOLOL"], ["Atenolol 50 mg oral tablet"],
            attrs=[(1, "ACTIVE_ING", "ATENOLOL"), (0, "DOSE_FORM_ATTR", "ORAL_TABLET")], et="20190731")
    # observables
    OB = "observable entity"
    concept("VITAL", "Vital sign", OB, ["OBS"], ["Vital sign", "Vital signs"])
    concept("BP_OBS", "Blood pressure", OB, ["VITAL"], ["Blood pressure", "BP - Blood pressure"])
    concept("SBP_OBS", "Systolic blood pressure", OB, ["BP_OBS"], ["Systolic blood pressure", "SBP - Systolic blood pressure"])
    concept("DBP_OBS", "Diastolic blood pressure", OB, ["BP_OBS"], ["Diastolic blood pressure", "DBP - Diastolic blood pressure"])
    concept("HR_OBS", "Heart rate", OB, ["VITAL"], ["Heart rate", "Pulse rate"])
    concept("BMI_OBS", "Body mass index", OB, ["OBS"], [("Body mass index", "P", "P"), ("BMI - Body mass index", "A", "A", CS)])
    concept("HBA1C_OBS", "Hemoglobin A1c level", OB, ["OBS"],
            [("Haemoglobin A1c level", "P", "A"), ("Hemoglobin A1c level", "A", "P"), ("HbA1c level", "A", "A", CS)])
    concept("AGE_ONSET", "Age at onset of clinical finding", OB, ["OBS"], real="445518008")
    concept("BODY_TEMP", "Body temperature", OB, ["VITAL"], ["Body temperature", "Temperature"])
    # situations / events
    SI = "situation"
    concept("HISTORY_OF", "History of clinical finding in subject", SI, ["SIT"])
    concept("FAMILY_HISTORY_OF", "Family history of clinical finding", SI, ["SIT"], ["Family history of clinical finding", "FH: Clinical finding"])
    concept("HISTORY_MI", "History of myocardial infarction", SI, ["HISTORY_OF"], ["History of myocardial infarction", "H/O: myocardial infarction"])
    concept("FH_DM", "Family history of diabetes mellitus", SI, ["FAMILY_HISTORY_OF"], ["Family history of diabetes mellitus", "FH: Diabetes mellitus"])
    E = "event"
    concept("ACCIDENT", "Accident", E, ["EVENT"])
    concept("RTA", "Road traffic accident", E, ["ACCIDENT"], ["Road traffic accident", "RTA - Road traffic accident", ("Motor vehicle accident", "A", "A")])
    concept("FALL", "Fall", E, ["ACCIDENT"], ["Fall", "Accidental fall"])


def build_procedures():
    P = "procedure"
    concept("PROC_BY_METHOD", "Procedure by method", P, ["PROC"])
    concept("SURGICAL", "Surgical procedure", P, ["PROC"], ["Surgical procedure", "Operation"])
    concept("EXCISION_PROC", "Excision", P, ["PROC_BY_METHOD", "SURGICAL"], ["Excision", "Surgical removal"],
            attrs=[(1, "METHOD", "EXCISION")])
    concept("OP_APPENDIX", "Operation on appendix", P, ["SURGICAL"], attrs=[(1, "PROC_SITE_DIRECT", "APPENDIX")])
    concept("OP_KIDNEY", "Operation on kidney", P, ["SURGICAL"], attrs=[(1, "PROC_SITE_DIRECT", "KIDNEY")])
    concept("APPENDECTOMY", "Appendectomy", P, ["EXCISION_PROC", "OP_APPENDIX"],
            [("Appendicectomy", "P", "A"), ("Appendectomy", "A", "P"), ("Excision of appendix", "A", "A")],
            attrs=[(1, "METHOD", "EXCISION"), (1, "PROC_SITE_DIRECT", "APPENDIX")], real="80146002", defined=True)
    concept("LAP_APPX", "Laparoscopic appendectomy", P, ["APPENDECTOMY"],
            [("Laparoscopic appendicectomy", "P", "A"), ("Laparoscopic appendectomy", "A", "P")],
            attrs=[(1, "METHOD", "EXCISION"), (1, "PROC_SITE_DIRECT", "APPENDIX")])
    concept("EMERG_APPX", "Emergency appendectomy", P, ["APPENDECTOMY"],
            [("Emergency appendicectomy", "P", "A"), ("Emergency appendectomy", "A", "P")],
            attrs=[(1, "METHOD", "EXCISION"), (1, "PROC_SITE_DIRECT", "APPENDIX")])
    concept("NEPHRECTOMY", "Excision of kidney", P, ["EXCISION_PROC", "OP_KIDNEY"], ["Nephrectomy", "Excision of kidney"],
            attrs=[(1, "METHOD", "EXCISION"), (1, "PROC_SITE_DIRECT", "KIDNEY")], defined=True)
    concept("LOBECTOMY", "Lobectomy of lung", P, ["EXCISION_PROC"], ["Lobectomy of lung", "Pulmonary lobectomy"],
            attrs=[(1, "METHOD", "EXCISION"), (1, "PROC_SITE_DIRECT", "LUNG")])
    concept("CABG", "Coronary artery bypass graft", P, ["SURGICAL"],
            ["Coronary artery bypass graft", ("CABG - Coronary artery bypass graft", "A", "A", CS)],
            attrs=[(1, "PROC_SITE_DIRECT", "CORONARY")])
    concept("PCI", "Percutaneous coronary intervention", P, ["SURGICAL"],
            ["Percutaneous coronary intervention", ("PCI - Percutaneous coronary intervention", "A", "A", CS)],
            attrs=[(1, "PROC_SITE_DIRECT", "CORONARY")])
    concept("EVAL_PROC", "Evaluation procedure", P, ["PROC"])
    concept("BP_TAKING", "Blood pressure taking", P, ["EVAL_PROC"], ["Blood pressure taking", "Measurement of blood pressure"])
    concept("HBA1C_MEAS", "Hemoglobin A1c measurement", P, ["EVAL_PROC"],
            [("Haemoglobin A1c measurement", "P", "A"), ("Hemoglobin A1c measurement", "A", "P"), ("HbA1c measurement", "A", "A", CS)])
    concept("FEMUR_FIXATION", "Internal fixation of fracture of femur", P, ["SURGICAL"],
            attrs=[(1, "METHOD", "SURG_REPAIR"), (1, "PROC_SITE_DIRECT", "FEMUR")])


def build_findings():
    F, Dz = "finding", "disorder"
    concept("FINDING_BY_SITE", "Finding by site", F, ["CF"])
    concept("CV_FINDING", "Cardiovascular finding", F, ["FINDING_BY_SITE"])
    concept("RESP_FINDING", "Respiratory finding", F, ["FINDING_BY_SITE"])
    concept("GENERAL_FINDING", "General finding of observation of patient", F, ["CF"])
    concept("SEX_FINDING", "Finding of biological sex", F, ["GENERAL_FINDING"])
    concept("FEMALE", "Female", F, ["SEX_FINDING"], real="248152002")
    concept("MALE", "Male", F, ["SEX_FINDING"], real="248153007")
    concept("CHEST_PAIN", "Chest pain", F, ["CV_FINDING"], ["Chest pain", "Thoracic pain"])
    concept("PALPITATIONS", "Palpitations", F, ["CV_FINDING"])
    concept("BP_FINDING", "Blood pressure finding", F, ["CV_FINDING"], ["Blood pressure finding", "O/E - blood pressure reading"])
    concept("RAISED_BP", "Raised blood pressure", F, ["BP_FINDING"], ["Raised blood pressure", "Elevated blood pressure"])
    concept("BMI_FINDING", "Finding of body mass index", F, ["GENERAL_FINDING"], ["Finding of body mass index", "Body mass index finding"])
    concept("COUGH", "Cough", F, ["RESP_FINDING"])
    concept("DYSPNEA", "Dyspnea", F, ["RESP_FINDING"],
            [("Dyspnoea", "P", "A"), ("Dyspnea", "A", "P"), ("Shortness of breath", "A", "A"), ("SOB - Shortness of breath", "A", "A", CS)])
    concept("WHEEZING", "Wheezing", F, ["RESP_FINDING"], ["Wheezing", "Wheeze"])
    concept("HEADACHE", "Headache", F, ["FINDING_BY_SITE"], ["Headache", "Cephalgia"])
    concept("FEVER", "Fever", F, ["GENERAL_FINDING"], ["Fever", "Pyrexia", "High temperature"])
    concept("FATIGUE", "Fatigue", F, ["GENERAL_FINDING"], ["Fatigue", "Tiredness"])
    concept("NAUSEA", "Nausea", F, ["GENERAL_FINDING"])
    concept("ABDO_PAIN", "Abdominal pain", F, ["FINDING_BY_SITE"], ["Abdominal pain", "Stomach ache", "Tummy ache"])

    concept("DISEASE", "Disease", Dz, ["CF"], ["Disease", "Disorder"], real="64572001")
    concept("BODY_SYS_DIS", "Disorder of body system", Dz, ["DISEASE"])
    concept("INFLAMMATORY_DIS", "Inflammatory disorder", Dz, ["DISEASE"], attrs=[(1, "MORPH", "INFLAMMATION")])
    concept("INFECTIOUS", "Infectious disease", Dz, ["DISEASE"], ["Infectious disease", "Infection"])
    concept("BACT_INFECTION", "Bacterial infectious disease", Dz, ["INFECTIOUS"], ["Bacterial infectious disease", "Bacterial infection"],
            attrs=[(0, "CAUSATIVE", "BACTERIUM")])
    concept("VIRAL_DISEASE", "Viral disease", Dz, ["INFECTIOUS"], ["Viral disease", "Viral infection"], attrs=[(0, "CAUSATIVE", "VIRUS")])
    concept("AUTOIMMUNE", "Autoimmune disease", Dz, ["DISEASE"])
    concept("NEOPLASTIC", "Neoplastic disease", Dz, ["DISEASE"], ["Neoplastic disease", "Neoplasm", ("Tumour", "A", "A"), ("Tumor", "A", "A")],
            attrs=[(1, "MORPH", "NEOPLASM_M")])
    concept("MALIGNANT", "Malignant neoplastic disease", Dz, ["NEOPLASTIC"], ["Malignant neoplastic disease", "Cancer", "Malignancy"],
            attrs=[(1, "MORPH", "MALIGNANT_M")])
    concept("BENIGN", "Benign neoplastic disease", Dz, ["NEOPLASTIC"], ["Benign neoplastic disease", "Benign tumour"],
            attrs=[(1, "MORPH", "BENIGN_M")])
    concept("INJURY", "Traumatic injury", Dz, ["DISEASE"], ["Traumatic injury", "Injury"], attrs=[(1, "MORPH", "INJURY_M")])
    concept("DEGENERATIVE", "Degenerative disorder", Dz, ["DISEASE"])
    concept("MENTAL", "Mental disorder", Dz, ["DISEASE"], ["Mental disorder", "Psychiatric disorder"])
    concept("PREGNANCY_DIS", "Disorder of pregnancy", Dz, ["DISEASE"], ["Disorder of pregnancy", "Pregnancy complication"])

    # body-system disorders
    concept("CVD", "Disorder of cardiovascular system", Dz, ["BODY_SYS_DIS"],
            ["Disorder of cardiovascular system", "Cardiovascular disease", "Disorder of the circulatory system"],
            attrs=[(1, "FINDING_SITE", "CV_STRUCT")], real="49601007")
    concept("RESP_DIS", "Disorder of respiratory system", Dz, ["BODY_SYS_DIS"], ["Disorder of respiratory system", "Respiratory disease"],
            attrs=[(1, "FINDING_SITE", "RESP_STRUCT")])
    concept("DIGEST_DIS", "Disorder of digestive system", Dz, ["BODY_SYS_DIS"], ["Disorder of digestive system", "Gastrointestinal disease"],
            attrs=[(1, "FINDING_SITE", "DIGEST_STRUCT")])
    concept("URINARY_DIS", "Disorder of urinary system", Dz, ["BODY_SYS_DIS"], attrs=[(1, "FINDING_SITE", "URINARY_STRUCT")])
    concept("NERVOUS_DIS", "Disorder of nervous system", Dz, ["BODY_SYS_DIS"], ["Disorder of nervous system", "Neurological disorder"],
            attrs=[(1, "FINDING_SITE", "NERVOUS_STRUCT")])
    concept("ENDOCRINE_DIS", "Disorder of endocrine system", Dz, ["BODY_SYS_DIS"], ["Disorder of endocrine system", "Endocrine disease"],
            attrs=[(1, "FINDING_SITE", "ENDO_STRUCT")])
    concept("MSK_DIS", "Disorder of musculoskeletal system", Dz, ["BODY_SYS_DIS"], attrs=[(1, "FINDING_SITE", "MSK_STRUCT")])
    concept("INTEG_DIS", "Disorder of integument", Dz, ["BODY_SYS_DIS"], attrs=[(1, "FINDING_SITE", "INTEGUMENT")])
    concept("REPRO_DIS", "Disorder of reproductive system", Dz, ["BODY_SYS_DIS"])
    concept("CONNECTIVE_DIS", "Disorder of connective tissue", Dz, ["BODY_SYS_DIS"], ["Disorder of connective tissue", "Connective tissue disease"])
    site_parent = {"HEART": "CVD", "KIDNEY": "URINARY_DIS", "LUNG": "RESP_DIS", "LIVER": "DIGEST_DIS", "STOMACH": "DIGEST_DIS",
                   "COLON": "DIGEST_DIS", "BRAIN": "NERVOUS_DIS", "BREAST": "INTEG_DIS", "SKIN": "INTEG_DIS",
                   "THYROID": "ENDOCRINE_DIS", "ESOPH": "DIGEST_DIS"}
    for key, sfsn, pt, dkey, dterm, _ in SITES:
        syns = [dterm]
        if key == "HEART":
            syns = ["Heart disease", "Disorder of heart", "Cardiac disorder"]
        elif key == "KIDNEY":
            syns = ["Disorder of kidney", "Kidney disease", "Renal disease", "Nephropathy"]
        elif key == "LUNG":
            syns = ["Disorder of lung", "Lung disease", "Pulmonary disease"]
        elif key == "ESOPH":
            syns = [("Disorder of oesophagus", "P", "A"), ("Disorder of esophagus", "A", "P")]
        concept(dkey, dterm, Dz, [site_parent[key]], syns, attrs=[(1, "FINDING_SITE", key)])
    # generated neoplasm / injury disorders per site ("... of heart" etc.)
    for key, sfsn, pt, dkey, dterm, _ in SITES:
        if key in ("STOMACH", "THYROID", "ESOPH"):
            continue
        site = pt.lower() if key != "THYROID" else "thyroid gland"
        if key == "ESOPH":
            site = "esophagus"
        nk = "NEOPLASM_OF_" + key
        concept(nk, "Neoplasm of " + site, Dz, [dkey, "NEOPLASTIC"],
                ["Neoplasm of " + site, "Tumour of " + site], attrs=[(1, "FINDING_SITE", key), (1, "MORPH", "NEOPLASM_M")], et="20050731")
        concept("BENIGN_NEOPLASM_OF_" + key, "Benign neoplasm of " + site, Dz, [nk, "BENIGN"],
                ["Benign neoplasm of " + site, "Benign tumour of " + site],
                attrs=[(1, "FINDING_SITE", key), (1, "MORPH", "BENIGN_M")], et="20050731")
        if key == "BREAST":
            concept("BREAST_CA", "Malignant neoplasm of breast", Dz, [nk, "MALIGNANT"],
                    ["Malignant neoplasm of breast", "Breast cancer", "Cancer of breast", ("Ca breast", "A", "A")],
                    attrs=[(1, "FINDING_SITE", key), (1, "MORPH", "MALIGNANT_M")], real="254837009")
        else:
            concept("MALIGNANT_NEOPLASM_OF_" + key, "Malignant neoplasm of " + site, Dz, [nk, "MALIGNANT"],
                    ["Malignant neoplasm of " + site, "Cancer of " + site],
                    attrs=[(1, "FINDING_SITE", key), (1, "MORPH", "MALIGNANT_M")], et="20050731")
        if key not in ("HEART", "KIDNEY", "LUNG", "BRAIN"):
            continue
        concept("INJURY_OF_" + key, "Injury of " + site, Dz, [dkey, "INJURY"], ["Injury of " + site, "Trauma to " + site],
                attrs=[(1, "FINDING_SITE", key), (1, "MORPH", "INJURY_M")], et="20090131")

    # ---- cardiovascular
    concept("IHD", "Ischemic heart disease", Dz, ["HEART_DIS"],
            [("Ischaemic heart disease", "P", "A"), ("Ischemic heart disease", "A", "P"), ("IHD - Ischaemic heart disease", "A", "A", CS)],
            attrs=[(1, "FINDING_SITE", "HEART")])
    concept("MI", "Myocardial infarction", Dz, ["IHD"],
            ["Myocardial infarction", "Heart attack", ("MI - Myocardial infarction", "A", "A", CS), "Cardiac infarction", "Infarction of heart"],
            attrs=[(1, "FINDING_SITE", "HEART"), (1, "MORPH", "INFARCT")], real="22298006", defined=True)
    concept("AMI", "Acute myocardial infarction", Dz, ["MI"],
            ["Acute myocardial infarction", ("AMI - Acute myocardial infarction", "A", "A", CS), "Acute heart attack"],
            attrs=[(1, "FINDING_SITE", "HEART"), (1, "MORPH", "INFARCT"), (0, "COURSE", "ACUTE")],
            real="57054005", defined_from="20110131")
    concept("AAMI", "Acute anterior myocardial infarction", Dz, ["AMI"], attrs=[(1, "FINDING_SITE", "HEART"), (1, "MORPH", "INFARCT")])
    concept("AASMI", "Acute anteroseptal myocardial infarction", Dz, ["AAMI"],
            ["Acute anteroseptal myocardial infarction", "Acute anteroseptal infarction"],
            attrs=[(1, "FINDING_SITE", "HEART"), (1, "MORPH", "INFARCT")], et="20090731")
    concept("OLD_MI", "Old myocardial infarction", Dz, ["MI"], ["Old myocardial infarction", "Healed myocardial infarction"],
            attrs=[(1, "FINDING_SITE", "HEART"), (1, "MORPH", "INFARCT")])
    concept("ANGINA", "Angina pectoris", Dz, ["IHD"], ["Angina pectoris", "Angina", "Cardiac angina", "Stenocardia"])
    concept("HF", "Heart failure", Dz, ["HEART_DIS"],
            ["Heart failure", ("Cardiac faliure", "A", "A"), ("Weak heart", "A", "A")], real="84114007",
            attrs=[(1, "FINDING_SITE", "HEART")])
    concept("LVF", "Left ventricular failure", Dz, ["HF"], ["Left ventricular failure", ("LVF - Left ventricular failure", "A", "A", CS)])
    concept("CHF", "Congestive heart failure", Dz, ["HF"],
            [("Congestive cardiac failure", "P", "A"), ("Congestive heart failure", "A", "P"), ("CCF - Congestive cardiac failure", "A", "A", CS)])
    concept("HT", "Hypertensive disorder, systemic arterial", Dz, ["CVD"],
            ["Hypertensive disorder", "Hypertension", "High blood pressure", ("HT", "A", "A", CS), ("HBP - High blood pressure", "A", "A", CS)],
            real="38341003", attrs=[(1, "FINDING_SITE", "CV_STRUCT")])
    concept("ESS_HT", "Essential hypertension", Dz, ["HT"], ["Essential hypertension", "Primary hypertension"])
    concept("HHD", "Hypertensive heart disease", Dz, ["HT", "HEART_DIS"], attrs=[(1, "FINDING_SITE", "HEART")])
    concept("ARRHYTHMIA", "Cardiac arrhythmia", Dz, ["HEART_DIS"], ["Cardiac arrhythmia", "Arrhythmia", "Dysrhythmia"])
    concept("AF", "Atrial fibrillation", Dz, ["ARRHYTHMIA"], ["Atrial fibrillation", ("AF - Atrial fibrillation", "A", "A", CS)])
    concept("CARDIOMYOPATHY", "Cardiomyopathy", Dz, ["HEART_DIS"])
    concept("MITRAL_DIS", "Mitral valve disorder", Dz, ["HEART_DIS"], attrs=[(1, "FINDING_SITE", "MITRAL_VALVE")])
    concept("MITRAL_REGURG", "Mitral valve regurgitation", Dz, ["MITRAL_DIS"], ["Mitral valve regurgitation", "Mitral regurgitation", "Mitral incompetence"],
            attrs=[(1, "FINDING_SITE", "MITRAL_VALVE")])
    concept("CEREBROVASC", "Cerebrovascular disease", Dz, ["CVD", "BRAIN_DIS"])
    concept("STROKE", "Cerebrovascular accident", Dz, ["CEREBROVASC"],
            ["Cerebrovascular accident", "Stroke", ("CVA - Cerebrovascular accident", "A", "A", CS)])
    concept("HYPERTHYROID", "Hyperthyroidism", Dz, ["THYROID_DIS"], ["Hyperthyroidism", "Thyrotoxicosis", "Overactive thyroid"])
    concept("THYROTOXIC_HD", "Thyrotoxic heart disease", Dz, ["HEART_DIS", "HYPERTHYROID"],
            attrs=[(1, "FINDING_SITE", "HEART"), (2, "FINDING_SITE", "THYROID")])
    # ---- kidney
    concept("CKD", "Chronic kidney disease", Dz, ["KIDNEY_DIS"],
            ["Chronic kidney disease", ("CKD - Chronic kidney disease", "A", "A", CS), "Chronic renal disease"],
            attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "COURSE", "CHRONIC")], real="709044004", et="20150731")
    for n in range(1, 6):
        concept("CKD%d" % n, "Chronic kidney disease stage %d" % n, Dz, ["CKD"],
                ["Chronic kidney disease stage %d" % n, ("CKD stage %d" % n, "A", "A", CS)],
                attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "COURSE", "CHRONIC")], et="20150731")
    concept("AKI", "Acute kidney injury", Dz, ["KIDNEY_DIS"],
            ["Acute kidney injury", ("AKI - Acute kidney injury", "A", "A", CS), "Acute renal failure"],
            attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "COURSE", "ACUTE")])
    concept("KIDNEY_STONE", "Kidney stone", Dz, ["KIDNEY_DIS"], ["Kidney stone", "Renal calculus", "Nephrolithiasis"])
    concept("HT_CKD", "Hypertensive chronic kidney disease", Dz, ["HT", "CKD"], attrs=[(1, "FINDING_SITE", "KIDNEY")], et="20150731")
    concept("HT_HEART_CKD", "Hypertensive heart and chronic kidney disease", Dz, ["HHD", "HT_CKD"],
            attrs=[(1, "FINDING_SITE", "HEART"), (2, "FINDING_SITE", "KIDNEY")], et="20150731")
    # ---- endocrine / diabetes
    concept("GLUCOSE_DIS", "Disorder of glucose metabolism", Dz, ["ENDOCRINE_DIS"])
    concept("DM", "Diabetes mellitus", Dz, ["GLUCOSE_DIS"],
            ["Diabetes mellitus", ("DM - Diabetes mellitus", "A", "A", CS), "Diabetes"], real="73211009")
    concept("T1DM", "Diabetes mellitus type 1", Dz, ["DM"],
            ["Type 1 diabetes mellitus", "Diabetes mellitus type 1", ("T1DM - Type 1 diabetes mellitus", "A", "A", CS),
             "Type I diabetes mellitus", "Insulin dependent diabetes mellitus", ("IDDM - Insulin dependent diabetes mellitus", "A", "A", CS)],
            real="46635009")
    concept("T2DM", "Diabetes mellitus type 2", Dz, ["DM"],
            ["Type 2 diabetes mellitus", "Diabetes mellitus type 2", ("T2DM", "A", "A", CS), "Type II diabetes mellitus",
             "Non-insulin dependent diabetes mellitus", ("NIDDM - Non-insulin dependent diabetes mellitus", "A", "A", CS)],
            real="44054006")
    concept("DIAB_NEPH", "Diabetic nephropathy", Dz, ["DM", "KIDNEY_DIS"],
            ["Diabetic nephropathy", "Diabetic renal disease", "Diabetic kidney disease"],
            attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "DUE_TO", "DM")], et="20050731")
    concept("RETINA_DIS", "Disorder of retina", Dz, ["NERVOUS_DIS"], ["Disorder of retina", "Retinopathy"], attrs=[(1, "FINDING_SITE", "RETINA")])
    concept("DIAB_RETINO", "Diabetic retinopathy", Dz, ["DM", "RETINA_DIS"], attrs=[(1, "FINDING_SITE", "RETINA"), (0, "DUE_TO", "DM")])
    concept("T2DM_NEPH", "Diabetic nephropathy due to type 2 diabetes mellitus", Dz, ["T2DM", "DIAB_NEPH"],
            ["Type 2 diabetes mellitus with diabetic nephropathy", "Diabetic nephropathy due to type 2 diabetes mellitus"],
            attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "DUE_TO", "T2DM")], et="20120731")
    concept("FOOT_ULCER", "Ulcer of foot", Dz, ["SKIN_DIS"], ["Ulcer of foot", "Foot ulcer"],
            attrs=[(1, "FINDING_SITE", "FOOT"), (1, "MORPH", "ULCER_M")])
    concept("DIAB_FOOT_ULCER", "Diabetic foot ulcer", Dz, ["DM", "FOOT_ULCER"],
            attrs=[(1, "FINDING_SITE", "FOOT"), (1, "MORPH", "ULCER_M"), (0, "DUE_TO", "DM")])
    concept("GEST_DM", "Gestational diabetes mellitus", Dz, ["DM", "PREGNANCY_DIS"], ["Gestational diabetes mellitus", "GDM - Gestational diabetes mellitus"])
    concept("HYPOGLYCEMIA", "Hypoglycemia", Dz, ["GLUCOSE_DIS"], [("Hypoglycaemia", "P", "A"), ("Hypoglycemia", "A", "P"), ("Hypo", "A", "A")])
    # ---- respiratory
    concept("BRONCHUS_DIS", "Disorder of bronchus", Dz, ["RESP_DIS"], attrs=[(1, "FINDING_SITE", "BRONCHUS")])
    concept("URT_DIS", "Disorder of upper respiratory tract", Dz, ["RESP_DIS"], ["Disorder of upper respiratory tract", "URTI - Upper respiratory tract disorder"])
    concept("ASTHMA", "Asthma", Dz, ["LUNG_DIS", "BRONCHUS_DIS"], ["Asthma", "Bronchial asthma", "Asthmatic"],
            attrs=[(1, "FINDING_SITE", "BRONCHUS")], real="195967001")
    concept("ALLERGIC_ASTHMA", "Allergic asthma", Dz, ["ASTHMA"], ["Allergic asthma", "Extrinsic asthma", "Atopic asthma"])
    concept("EIA", "Exercise-induced asthma", Dz, ["ASTHMA"], ["Exercise-induced asthma", "Exercise induced asthma"])
    concept("CHILD_ASTHMA", "Childhood asthma", Dz, ["ASTHMA"])
    concept("SEVERE_ASTHMA", "Severe asthma", Dz, ["ASTHMA"], attrs=[(0, "COURSE", "CHRONIC")])
    concept("COPD", "Chronic obstructive lung disease", Dz, ["LUNG_DIS"],
            ["Chronic obstructive pulmonary disease", ("COPD", "A", "A", CS), "Chronic obstructive lung disease",
             ("COPD - Chronic obstructive pulmonary disease", "A", "A", CS)],
            attrs=[(1, "FINDING_SITE", "LUNG"), (0, "COURSE", "CHRONIC")], real="13645005")
    concept("EMPHYSEMA", "Pulmonary emphysema", Dz, ["COPD"], ["Pulmonary emphysema", "Emphysema"])
    concept("CHRONIC_BRONCHITIS", "Chronic bronchitis", Dz, ["COPD", "BRONCHUS_DIS"])
    concept("PNEUMONIA", "Pneumonia", Dz, ["LUNG_DIS", "INFECTIOUS", "INFLAMMATORY_DIS"], ["Pneumonia", "Pneumonitis"],
            attrs=[(1, "FINDING_SITE", "LUNG"), (1, "MORPH", "INFLAMMATION"), (0, "CAUSATIVE", "ORG", "20210131")],
            real="233604007")
    concept("BACT_PNEUMONIA", "Bacterial pneumonia", Dz, ["PNEUMONIA", "BACT_INFECTION"],
            attrs=[(1, "FINDING_SITE", "LUNG"), (1, "MORPH", "INFLAMMATION"), (1, "CAUSATIVE", "BACTERIUM")])
    concept("PNEUMOCOCCAL_PNEU", "Pneumococcal pneumonia", Dz, ["BACT_PNEUMONIA"],
            ["Pneumococcal pneumonia", ("Streptococcus pneumoniae pneumonia", "A", "A", IC)],
            attrs=[(1, "FINDING_SITE", "LUNG"), (1, "MORPH", "INFLAMMATION"), (1, "CAUSATIVE", "STREP_PNEU")])
    concept("VIRAL_PNEUMONIA", "Viral pneumonia", Dz, ["PNEUMONIA", "VIRAL_DISEASE"],
            attrs=[(1, "FINDING_SITE", "LUNG"), (1, "MORPH", "INFLAMMATION"), (0, "CAUSATIVE", "VIRUS")])
    concept("INFLUENZA", "Influenza", Dz, ["VIRAL_DISEASE", "RESP_DIS"], ["Influenza", "Flu"], attrs=[(0, "CAUSATIVE", "INFLUENZA_VIRUS")])
    concept("COMMON_COLD", "Common cold", Dz, ["VIRAL_DISEASE", "URT_DIS"], ["Common cold", "Coryza", "Acute nasopharyngitis"],
            attrs=[(0, "CAUSATIVE", "RHINOVIRUS")])
    concept("ACUTE_BRONCHITIS", "Acute bronchitis", Dz, ["BRONCHUS_DIS", "INFLAMMATORY_DIS"],
            attrs=[(1, "FINDING_SITE", "BRONCHUS"), (1, "MORPH", "INFLAMMATION"), (0, "COURSE", "ACUTE")])
    # ---- digestive
    concept("INTESTINE_DIS", "Disorder of intestine", Dz, ["DIGEST_DIS"], ["Disorder of intestine", "Bowel disorder"])
    concept("APPENDIX_DIS", "Disorder of appendix", Dz, ["INTESTINE_DIS"], attrs=[(1, "FINDING_SITE", "APPENDIX")])
    concept("APPENDICITIS", "Appendicitis", Dz, ["APPENDIX_DIS", "INFLAMMATORY_DIS"], ["Appendicitis", "Inflammation of appendix"],
            attrs=[(1, "FINDING_SITE", "APPENDIX"), (1, "MORPH", "INFLAMMATION")], real="74400008", defined=True)
    concept("ACUTE_APPENDICITIS", "Acute appendicitis", Dz, ["APPENDICITIS"],
            attrs=[(1, "FINDING_SITE", "APPENDIX"), (1, "MORPH", "INFLAMMATION"), (0, "COURSE", "ACUTE")])
    concept("PERF_APPENDICITIS", "Perforated appendicitis", Dz, ["ACUTE_APPENDICITIS"], ["Perforated appendicitis", "Ruptured appendix"])
    concept("IBD", "Inflammatory bowel disease", Dz, ["INTESTINE_DIS", "INFLAMMATORY_DIS"], ["Inflammatory bowel disease", ("IBD - Inflammatory bowel disease", "A", "A", CS)])
    concept("CROHNS", "Crohn's disease", Dz, ["IBD"], [("Crohn's disease", "P", "P", CS), "Regional enteritis", ("Crohn disease", "A", "A", CS)],
            real="34000006", fsn_case=CS)
    concept("ULC_COLITIS", "Ulcerative colitis", Dz, ["IBD", "COLON_DIS"], ["Ulcerative colitis", ("UC - Ulcerative colitis", "A", "A", CS)],
            attrs=[(1, "FINDING_SITE", "COLON")])
    concept("ESOPHAGITIS", "Esophagitis", Dz, ["ESOPH_DIS", "INFLAMMATORY_DIS"], [("Oesophagitis", "P", "A"), ("Esophagitis", "A", "P")],
            attrs=[(1, "FINDING_SITE", "ESOPH"), (1, "MORPH", "INFLAMMATION")])
    concept("GASTRITIS", "Gastritis", Dz, ["STOMACH_DIS", "INFLAMMATORY_DIS"], attrs=[(1, "FINDING_SITE", "STOMACH"), (1, "MORPH", "INFLAMMATION")])
    concept("GASTRIC_ULCER", "Gastric ulcer", Dz, ["STOMACH_DIS"], ["Gastric ulcer", "Stomach ulcer", "GU - Gastric ulcer"],
            attrs=[(1, "FINDING_SITE", "STOMACH"), (1, "MORPH", "ULCER_M")])
    concept("CIRRHOSIS", "Cirrhosis of liver", Dz, ["LIVER_DIS"], ["Cirrhosis of liver", "Liver cirrhosis", "Hepatic cirrhosis"])
    concept("FATTY_LIVER", "Steatosis of liver", Dz, ["LIVER_DIS"], ["Fatty liver", "Steatosis of liver", "Hepatic steatosis"])
    # ---- nervous / mental
    concept("DEMENTIA", "Dementia", Dz, ["BRAIN_DIS", "MENTAL"])
    concept("ALZ", "Alzheimer's disease", Dz, ["DEMENTIA", "DEGENERATIVE"],
            [("Alzheimer's disease", "P", "P", CS), ("Alzheimer disease", "A", "A", CS), ("AD - Alzheimer's disease", "A", "A", CS)],
            real="26929004", fsn_case=CS)
    concept("VASC_DEMENTIA", "Vascular dementia", Dz, ["DEMENTIA", "CEREBROVASC"])
    concept("PARKINSONS", "Parkinson's disease", Dz, ["BRAIN_DIS", "DEGENERATIVE"],
            [("Parkinson's disease", "P", "P", CS), "Paralysis agitans", ("PD - Parkinson's disease", "A", "A", CS)], fsn_case=CS)
    concept("EPILEPSY", "Epilepsy", Dz, ["BRAIN_DIS"], ["Epilepsy", "Epileptic disorder", "Seizure disorder"], real="84757009")
    concept("GEN_EPILEPSY", "Generalized epilepsy", Dz, ["EPILEPSY"], [("Generalised epilepsy", "P", "A"), ("Generalized epilepsy", "A", "P")])
    concept("FOCAL_EPILEPSY", "Focal epilepsy", Dz, ["EPILEPSY"], ["Focal epilepsy", "Partial epilepsy"])
    concept("HEADACHE_DIS", "Headache disorder", Dz, ["NERVOUS_DIS"])
    concept("MIGRAINE", "Migraine", Dz, ["HEADACHE_DIS", "BRAIN_DIS"], ["Migraine", "Sick headache", "Migraine headache"], real="37796009")
    concept("MIGRAINE_AURA", "Migraine with aura", Dz, ["MIGRAINE"], ["Migraine with aura", "Classical migraine"])
    concept("MIGRAINE_NO_AURA", "Migraine without aura", Dz, ["MIGRAINE"], ["Migraine without aura", "Common migraine"])
    concept("DEMYELINATING", "Demyelinating disease of central nervous system", Dz, ["NERVOUS_DIS"])
    concept("MS", "Multiple sclerosis", Dz, ["DEMYELINATING", "AUTOIMMUNE"],
            ["Multiple sclerosis", ("MS - Multiple sclerosis", "A", "A", CS), "Disseminated sclerosis"])
    concept("ANXIETY", "Anxiety disorder", Dz, ["MENTAL"], ["Anxiety disorder", "Anxiety state"])
    concept("DEPRESSION", "Depressive disorder", Dz, ["MENTAL"], ["Depressive disorder", "Depression"])
    # ---- musculoskeletal
    concept("FRACTURE", "Fracture of bone", Dz, ["INJURY", "MSK_DIS"], ["Fracture of bone", "Bone fracture", "Broken bone"],
            attrs=[(1, "FINDING_SITE", "BONE_STRUCT"), (1, "MORPH", "FRACTURE_M")])
    concept("FRACTURE_FEMUR", "Fracture of femur", Dz, ["FRACTURE"], ["Fracture of femur", "Femur fracture", "Broken thigh bone"],
            attrs=[(1, "FINDING_SITE", "FEMUR"), (1, "MORPH", "FRACTURE_M")], real="71620000", defined=True)
    concept("FRACTURE_NOF", "Fracture of neck of femur", Dz, ["FRACTURE_FEMUR"],
            ["Fracture of neck of femur", "Hip fracture", ("NOF - Neck of femur fracture", "A", "A", CS)],
            attrs=[(1, "FINDING_SITE", "NECK_FEMUR"), (1, "MORPH", "FRACTURE_M")])
    concept("OSTEOPOROSIS", "Osteoporosis", Dz, ["MSK_DIS", "DEGENERATIVE"])
    concept("ARTHROPATHY", "Arthropathy", Dz, ["MSK_DIS"], ["Arthropathy", "Joint disease"], attrs=[(1, "FINDING_SITE", "JOINT")])
    concept("ARTHRITIS", "Arthritis", Dz, ["ARTHROPATHY", "INFLAMMATORY_DIS"], attrs=[(1, "FINDING_SITE", "JOINT"), (1, "MORPH", "INFLAMMATION")])
    concept("OA", "Osteoarthritis", Dz, ["ARTHROPATHY", "DEGENERATIVE"],
            ["Osteoarthritis", ("OA - Osteoarthritis", "A", "A", CS), "Degenerative joint disease"])
    concept("RA", "Rheumatoid arthritis", Dz, ["ARTHRITIS", "AUTOIMMUNE"], ["Rheumatoid arthritis", ("RA - Rheumatoid arthritis", "A", "A", CS)])
    concept("SJOGREN", "Sjögren's syndrome", Dz, ["AUTOIMMUNE", "CONNECTIVE_DIS"],
            [("Sjögren's syndrome", "P", "P", CS), "Sicca syndrome"], real="83901003", fsn_case=CS)
    concept("INFERTILITY", "Infertility", Dz, ["REPRO_DIS"], ["Infertility", "Sterility"])
    concept("PSORIASIS", "Psoriasis", Dz, ["SKIN_DIS", "AUTOIMMUNE"])
    concept("ECZEMA", "Eczema", Dz, ["SKIN_DIS", "INFLAMMATORY_DIS"], ["Eczema", "Dermatitis"])


def build_inactive():
    Dz = "disorder"
    concept("HEART_INFARCTION_OLD", "Heart infarction", Dz, ["MI"], ["Heart infarction"],
            et="20200131", inactive="20230731")
    concept("ASTHMA_NOS", "Asthma NOS", Dz, ["ASTHMA"], ["Asthma NOS", "Asthma unspecified"], inactive="20090731")
    concept("HT_DISEASE", "Hypertensive disease", Dz, ["CVD"], ["Hypertensive disease", "BP - hypertensive disease"], inactive="20150731")
    concept("COLD_AMBIG", "COLD", Dz, ["DISEASE"], [("COLD", "P", "P", CS), "Cold"], inactive="20170731", fsn_case=CS)
    concept("MIGRAINOUS_NOS", "Migrainous headache NOS", Dz, ["HEADACHE_DIS"], ["Migrainous headache NOS"], inactive="20120731")
    concept("CHAIN_A", "Kidney disease stage unspecified", Dz, ["KIDNEY_DIS"], ["Kidney disease stage unspecified"],
            et="20050731", inactive="20150731")
    concept("CHAIN_B", "Chronic renal impairment", Dz, ["KIDNEY_DIS"], ["Chronic renal impairment", "CRI - Chronic renal impairment"],
            et="20050731", inactive="20230731")
    concept("T2DM_UNCONTROLLED", "Uncontrolled type 2 diabetes mellitus", Dz, ["T2DM"],
            ["Uncontrolled type 2 diabetes mellitus", "Type 2 diabetes mellitus - poor control"], et="20050731", inactive="20190731")
    inact = [
        ("HEART_INFARCTION_OLD", "20230731", DUPLICATE, [(SAME_AS, "MI")]),
        ("ASTHMA_NOS", "20090731", DUPLICATE, [(SAME_AS, "ASTHMA")]),
        ("HT_DISEASE", "20150731", OUTDATED, [(REPLACED_BY, "HT")]),
        ("COLD_AMBIG", "20170731", AMBIGUOUS, [(POSS_EQ, "COMMON_COLD"), (POSS_EQ, "COPD")]),
        ("MIGRAINOUS_NOS", "20120731", ERRONEOUS, [(ALTERNATIVE, "MIGRAINE")]),
        ("CHAIN_A", "20150731", OUTDATED, [(REPLACED_BY, "CHAIN_B")]),
        ("CHAIN_B", "20230731", DUPLICATE, [(REPLACED_BY, "CKD")]),
        ("T2DM_UNCONTROLLED", "20190731", LIMITED, [(WAS_A, "T2DM")]),
    ]
    for key, et, value, assocs in inact:
        cid = K(key)
        refset_member(INT, "attrval", "ci|" + key, [(et, 1, (value,))], CORE, CONCEPT_INACT, cid)
        for rs, tgt in assocs:
            refset_member(INT, "assoc", "%s|%s|%s" % (key, rs, tgt), [(et, 1, (K(tgt),))], CORE, rs, cid)


def build_history_edits():
    """Description correction, language acceptable->preferred change."""
    # Heart failure: "Cardiac faliure" (typo) inactivated 20190731, replaced by new description "Cardiac failure"
    hf = K("HF")
    old = DESC_BY_TERM[(hf, "Cardiac faliure")]
    row = [r for r in INT.files["desc"] if r[0] == old][0]
    INT.add("desc", (old, "20190731", 0) + row[3:])
    for rs in (GB, US):
        mid = member_uuid("lang|%s|%s" % (rs, old))
        INT.add("lang", (mid, "20190731", 0, CORE, rs, old, ACC))
    new = CORE_IDS.make("d")
    DESC_BY_TERM[(hf, "Cardiac failure")] = new
    INT.add("desc", (new, "20190731", 1, CORE, hf, "en", SYN, "Cardiac failure", CI))
    for rs in (GB, US):
        lang_member(INT, rs, new, [("20190731", 1, ACC)], CORE)
    refset_member(INT, "attrval", "di|" + old, [("20190731", 1, (ERRONEOUS,))], CORE, DESC_INACT, old)
    # Hypertension: "Hypertension" was acceptable, became preferred 20160131; "Hypertensive disorder" preferred -> acceptable
    ht = K("HT")
    d_ht = DESC_BY_TERM[(ht, "Hypertension")]
    d_hd = DESC_BY_TERM[(ht, "Hypertensive disorder")]
    for rs in (GB, US):
        INT.add("lang", (member_uuid("lang|%s|%s" % (rs, d_ht)), "20160131", 1, CORE, rs, d_ht, PREF))
        INT.add("lang", (member_uuid("lang|%s|%s" % (rs, d_hd)), "20160131", 1, CORE, rs, d_hd, ACC))


def build_text_definitions():
    defs = [
        ("MI", "Necrosis of the myocardium caused by an obstruction of the blood supply to the heart.", "20050131"),
        ("ASTHMA", "A chronic inflammatory disorder of the airways with reversible airflow obstruction.", "20050131"),
        ("DM", "A metabolic disorder characterized by chronic hyperglycemia.", "20050131"),
        ("APPENDECTOMY", "Surgical removal of the vermiform appendix.", "20090131"),
    ]
    for key, text, et in defs:
        did = CORE_IDS.make("d")
        INT.add("textdef", (did, et, 1, CORE, K(key), "en", DEF, text, CS))
        DESC_BY_TERM[(K(key), text)] = did
    # corrected definition: old one inactivated, new id
    did = CORE_IDS.make("d")
    old_text = "Excision of a kidney"
    INT.add("textdef", (did, "20020131", 1, CORE, K("NEPHRECTOMY"), "en", DEF, old_text, CS))
    INT.add("textdef", (did, "20210731", 0, CORE, K("NEPHRECTOMY"), "en", DEF, old_text, CS))
    did2 = CORE_IDS.make("d")
    INT.add("textdef", (did2, "20210731", 1, CORE, K("NEPHRECTOMY"), "en", DEF, "Surgical removal of all or part of a kidney.", CS))


def build_concrete():
    rows = [("CD_PARACETAMOL_500", "PSNV", "#500", 1), ("CD_PARACETAMOL_500", "PSDV", "#1", 1),
            ("CD_PARACETAMOL_500", "CBAI", "#1", 0),
            ("CD_COLCHICINE_500MCG", "PSNV", "#0.5", 1), ("CD_COLCHICINE_500MCG", "PSDV", "#1", 1),
            ("CD_ATENOLOL_50", "PSNV", "#50", 1), ("CD_ATENOLOL_50", "TEXT_ATTR", '"tablet"', 0),
            ("CD_PARACETAMOL_500", "TEXT_ATTR", '"oral \\"caplet\\" tablet"', 0)]
    for k, t, v, g in rows:
        rid = CORE_IDS.make("r")
        INT.add("concrete", (rid, "20190731", 1, CORE, K(k), v, g, K(t), INFERRED, EXIST))
    # a corrected concrete value (history): #250 -> inactive, replaced
    rid = CORE_IDS.make("r")
    INT.add("concrete", (rid, "20190731", 1, CORE, K("CD_ATENOLOL_50"), "#25", 1, K("PSNV"), INFERRED, EXIST))
    INT.add("concrete", (rid, "20200131", 0, CORE, K("CD_ATENOLOL_50"), "#25", 1, K("PSNV"), INFERRED, EXIST))


def build_owl():
    def grp(*pairs):
        inner = " ".join("ObjectSomeValuesFrom(:%s :%s)" % (K(t), K(d)) for t, d in pairs)
        if len(pairs) > 1:
            inner = "ObjectIntersectionOf(%s)" % inner
        return "ObjectSomeValuesFrom(:609096000 %s)" % inner
    axioms = [
        ("APPENDECTOMY", "EquivalentClasses(:%s ObjectIntersectionOf(:%s :%s %s))" % (
            K("APPENDECTOMY"), K("EXCISION_PROC"), K("OP_APPENDIX"), grp(("METHOD", "EXCISION"), ("PROC_SITE_DIRECT", "APPENDIX")))),
        ("MI", "EquivalentClasses(:%s ObjectIntersectionOf(:%s %s))" % (
            K("MI"), K("IHD"), grp(("FINDING_SITE", "HEART"), ("MORPH", "INFARCT")))),
        ("ASTHMA", "SubClassOf(:%s ObjectIntersectionOf(:%s :%s %s))" % (
            K("ASTHMA"), K("LUNG_DIS"), K("BRONCHUS_DIS"), grp(("FINDING_SITE", "BRONCHUS")))),
        ("T2DM", "SubClassOf(:%s :%s)" % (K("T2DM"), K("DM"))),
        ("HT_HEART_CKD", "SubClassOf(:%s ObjectIntersectionOf(:%s :%s %s %s))" % (
            K("HT_HEART_CKD"), K("HHD"), K("HT_CKD"), grp(("FINDING_SITE", "HEART")), grp(("FINDING_SITE", "KIDNEY")))),
        ("CD_PARACETAMOL_500", "SubClassOf(:%s ObjectIntersectionOf(:%s %s DataHasValue(:%s \"500\"^^xsd:decimal)))" % (
            K("CD_PARACETAMOL_500"), K("P_PARACETAMOL"), grp(("ACTIVE_ING", "PARACETAMOL")), K("PSNV"))),
        ("ISA_ATTR", "SubObjectPropertyOf(:%s :%s)" % (K("FINDING_SITE"), K("OBJ"))),
    ]
    for key, expr in axioms:
        refset_member(INT, "owl", key, [("20190731", 1, (expr,))], CORE, OWL_AXIOM, K(key) if key != "ISA_ATTR" else K("FINDING_SITE"))
    # an axiom replaced: the old one inactivated
    refset_member(INT, "owl", "ASTHMA-old", [("20190731", 1, ("SubClassOf(:%s :%s)" % (K("ASTHMA"), K("LUNG_DIS")),)),
                                             ("20210131", 0, ("SubClassOf(:%s :%s)" % (K("ASTHMA"), K("LUNG_DIS")),))],
                  CORE, OWL_AXIOM, K("ASTHMA"))


CTV3_SIMPLE = [
    ("ASTHMA", "H33.."), ("MI", "X200E"), ("AMI", "G30.."), ("DM", "C10.."), ("T1DM", "X40J4"), ("T2DM", "X40J5"),
    ("HT", "XE0Ub"), ("ESS_HT", "G20.."), ("HF", "XE0V9"), ("COPD", "H3..."), ("PNEUMONIA", "XE0Ym"),
    ("APPENDICITIS", "X30Bz"), ("ACUTE_APPENDICITIS", "J20.."), ("ALZ", "F110."), ("CROHNS", "J40.."),
    ("MIGRAINE", "F26.."), ("EPILEPSY", "F25.."), ("SJOGREN", "XaB9z"), ("IHD", "G3..."), ("ANGINA", "G33.."),
    ("AF", "G5730"), ("LVF", "G581."), ("OLD_MI", "G32.."), ("AASMI", "G3011"), ("ALLERGIC_ASTHMA", "H330."),
    ("DIAB_NEPH", "C104."), ("BREAST_CA", "B34.."), ("FRACTURE_NOF", "S30.."), ("MS", "F20.."),
    ("APPENDECTOMY", "7761."), ("INFLUENZA", "H27.."), ("CKD", "XaLHI"),
]


def build_refsets():
    # simple refset
    members = ["MI", "AMI", "AAMI", "AASMI", "OLD_MI", "ANGINA", "HF", "LVF", "CHF", "HT", "ESS_HT", "HHD", "HT_CKD",
               "HT_HEART_CKD", "AF", "ARRHYTHMIA", "CARDIOMYOPATHY", "THYROTOXIC_HD", "STROKE", "IHD", "HEART_DIS"]
    rs = K(SIMPLE_REFSET_KEY)
    for m in members:
        refset_member(INT, "simple", m, [("20200131", 1, ())], CORE, rs, K(m))
    refset_member(INT, "simple", "HEART_INFARCTION_OLD", [("20200131", 1, ()), ("20230731", 0, ())], CORE, rs, K("HEART_INFARCTION_OLD"))
    # CTV3 simple map
    for key, code in CTV3_SIMPLE:
        refset_member(INT, "simplemap", key, [("20020131", 1, (code,))], CORE, CTV3MAP, K(key))
    # inactive map row (concept inactivated)
    refset_member(INT, "simplemap", "HT_DISEASE", [("20020131", 1, ("G2...",)), ("20150731", 0, ("G2...",))], CORE, CTV3MAP, K("HT_DISEASE"))
    # ICD-10 extended map (International)
    def m(key, rows, et="20200731", hist=None):
        for i, (g, p, rule, advice, target, cat) in enumerate(rows):
            h = [(et, 1, (g, p, rule, advice, target, CORR_NS, cat))]
            if hist:
                h = hist(h)
            refset_member(INT, "extmap", "%s|%d" % (key, i), h, ICDMOD, ICD10MAP, K(key))

    def simple(key, code, advice_extra=""):
        adv = "ALWAYS " + code + (" | " + advice_extra if advice_extra else "")
        m(key, [(1, 1, "TRUE", adv, code, CAT_OK)])

    for key, code in (("ASTHMA", "J45.9"), ("MI", "I21.9"), ("AMI", "I21.9"), ("T2DM", "E11.9"), ("T1DM", "E10.9"),
                      ("DM", "E14.9"), ("APPENDICITIS", "K37"), ("ACUTE_APPENDICITIS", "K35.8"), ("HT", "I10"),
                      ("ESS_HT", "I10"), ("COPD", "J44.9"), ("PNEUMONIA", "J18.9"), ("EPILEPSY", "G40.9"),
                      ("MIGRAINE", "G43.9"), ("CROHNS", "K50.9"), ("SJOGREN", "M35.0"), ("MS", "G35"),
                      ("AF", "I48.9"), ("ANGINA", "I20.9"), ("CKD", "N18.9")):
        simple(key, code)
    simple("FRACTURE_FEMUR", "T14.2", "POSSIBLE REQUIREMENT FOR AN EXTERNAL CAUSE CODE")
    m("FRACTURE_NOF", [(1, 1, "TRUE", "ALWAYS S72.0 | POSSIBLE REQUIREMENT FOR AN EXTERNAL CAUSE CODE", "S72.0", CAT_OK)])
    # 2-group maps
    m("DIAB_NEPH", [(1, 1, "TRUE", "ALWAYS E14.2", "E14.2", CAT_OK), (2, 1, "TRUE", "ALWAYS N08.3", "N08.3", CAT_OK)])
    m("ALZ", [(1, 1, "TRUE", "ALWAYS G30.9 | POSSIBLE REQUIREMENT FOR ADDITIONAL CODE TO FULLY DESCRIBE DISEASE OR CONDITION", "G30.9", CAT_OK),
              (2, 1, "TRUE", "ALWAYS F00.9", "F00.9", CAT_OK)])
    # sex rule
    m("INFERTILITY", [(1, 1, "IFA 248152002 | Female (finding) |", "IF FEMALE CHOOSE N97.9 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "N97.9", CAT_CONTEXT),
                      (1, 2, "OTHERWISE TRUE", "ALWAYS N46", "N46", CAT_OK)])
    # sex rule with same target for both + cannot classify fallback
    m("BREAST_CA", [(1, 1, "IFA 248153007 | Male (finding) |", "IF MALE CHOOSE C50.9 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "C50.9", CAT_CONTEXT),
                    (1, 2, "OTHERWISE TRUE", "ALWAYS C50.9", "C50.9", CAT_OK)])
    # age rule
    m("ANXIETY", [(1, 1, "IFA 445518008 | Age at onset of clinical finding (observable entity) | < 19.0 years",
                   "IF AGE AT ONSET OF CLINICAL FINDING BEFORE 19.0 YEARS CHOOSE F93.8 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "F93.8", CAT_CONTEXT),
                  (1, 2, "OTHERWISE TRUE", "ALWAYS F41.9", "F41.9", CAT_OK)])
    # context dependent on a sub-condition, falling through to empty target
    m("HF", [(1, 1, "IFA %s | Left ventricular failure (disorder) |" % K("LVF"), "IF LEFT VENTRICULAR FAILURE CHOOSE I50.1 | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT", "I50.1", CAT_CONTEXT),
             (1, 2, "OTHERWISE TRUE", "ALWAYS I50.9", "I50.9", CAT_OK)])
    # cannot classify: empty target
    m("DISEASE", [(1, 1, "TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", CAT_CANNOT)])
    m("CF", [(1, 1, "TRUE", "MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA", "", CAT_CANNOT)])
    # history: inactive-concept row inactivated; a target corrected (old row inactive, new row)
    refset_member(INT, "extmap", "HT_DISEASE|0", [("20100131", 1, (1, 1, "TRUE", "ALWAYS I10", "I10", CORR_NS, CAT_OK)),
                                                  ("20150731", 0, (1, 1, "TRUE", "ALWAYS I10", "I10", CORR_NS, CAT_OK))],
                  ICDMOD, ICD10MAP, K("HT_DISEASE"))
    refset_member(INT, "extmap", "STROKE|0", [("20100131", 1, (1, 1, "TRUE", "ALWAYS I64", "I64", CORR_NS, CAT_OK)),
                                              ("20220731", 1, (1, 1, "TRUE", "ALWAYS I63.9", "I63.9", CORR_NS, CAT_OK))],
                  ICDMOD, ICD10MAP, K("STROKE"))
    # module dependency
    for src, tgt in ((CORE, MODEL), (ICDMOD, CORE), (ICDMOD, MODEL)):
        mod = src
        refset_member(INT, "moddep", src + "|" + tgt,
                      [("20240131", 1, ("20240131", "20240131")), (INT_DATE, 1, (INT_DATE, INT_DATE))], mod, MODDEP, tgt)
    # refset descriptor
    RC, CTC, STR = "449608002", "900000000000461009", "900000000000465000"
    desc_rows = [(rs, RC, CTC, 0)]
    for lang in (GB, US):
        desc_rows += [(lang, RC, "900000000000460005", 0), (lang, "900000000000511003", CTC, 1)]
    desc_rows += [(CTV3MAP, "900000000000500006", CTC, 0), (CTV3MAP, "900000000000505001", STR, 1)]
    for i, (refset, a, t, o) in enumerate(desc_rows):
        refset_member(INT, "descriptor", "%s|%d" % (refset, o), [("20020131", 1, (a, t, o))], MODEL, REFSET_DESCRIPTOR, refset)
    # description format (generic refset with extra columns)
    for typ, length in ((FSN, 255), (SYN, 255), (DEF, 4096)):
        refset_member(INT, "desctype", typ, [("20020131", 1, ("900000000000540000", length))], MODEL, DESC_FORMAT_REFSET, typ)
    # MRCM attribute range
    ranges = [
        ("FINDING_SITE", "<< %s |Body structure (body structure)|" % K("BS"),
         "(<< %s |Clinical finding (finding)|: [0..*] { [0..1] %s |Finding site (attribute)| = << %s |Body structure (body structure)| })" % (K("CF"), K("FINDING_SITE"), K("BS"))),
        ("MORPH", "<< %s |Morphologically abnormal structure (morphologic abnormality)|" % K("MORPH_ROOT"),
         "(<< %s |Clinical finding (finding)|: [0..*] { [0..1] %s |Associated morphology (attribute)| = << %s |Morphologically abnormal structure (morphologic abnormality)| })" % (K("CF"), K("MORPH"), K("MORPH_ROOT"))),
        ("METHOD", "<< %s |Action (qualifier value)|" % K("ACTION"),
         "(<< %s |Procedure (procedure)|: [0..*] { [0..1] %s |Method (attribute)| = << %s |Action (qualifier value)| })" % (K("PROC"), K("METHOD"), K("ACTION"))),
        ("PSNV", "dec(>#0..)", "(<< %s |Clinical drug (clinical drug)|: [0..*] { [0..1] %s |Has presentation strength numerator value (attribute)| = dec(>#0..) })" % (K("MED_PRODUCT"), K("PSNV"))),
        ("TEXT_ATTR", "str(\"\")", "(<< %s: [0..1] %s = str(\"\"))" % (K("MED_PRODUCT"), K("TEXT_ATTR"))),
    ]
    for key, rng, rule in ranges:
        refset_member(INT, "mrcmrange", key, [("20200131", 1, (rng, rule, "723597001", "723596005"))], MODEL, MRCM_RANGE, K(key))


# ================================================================ UK
def build_uk():
    U = dict(pkg=UK, module=UKMOD, et=UK_DATE, refsets=(GB,))
    # UK metadata concepts (real ids, UK module)
    concept("UK_MODULE", "SNOMED CT United Kingdom clinical extension module", "core metadata concept", ["MODULE"],
            real=UKMOD, metadata=True, **U)
    concept("UK_REF_MODULE", "SNOMED CT United Kingdom Edition reference set module", "core metadata concept", ["MODULE"],
            real=UKREFMOD, metadata=True, **U)
    concept("NHS_LANG", "National Health Service realm language reference set (clinical part)", "foundation metadata concept",
            ["LANG_TYPE"], real=NHS, metadata=True, **U)
    concept("UK_ICD10_RS", "ICD-10 fifth edition five character code extended map reference set", "foundation metadata concept",
            ["EXT_MAP_TYPE"], real=UKICD10MAP, metadata=True, fsn_case=CS, **U)
    # UK clinical concepts (invented long-format ids)
    concept("UK_CHRONIC_REVIEW", "Chronic disease review", "procedure", ["EVAL_PROC"], **U)
    concept("UK_ASTHMA_REVIEW", "Asthma annual review", "procedure", ["UK_CHRONIC_REVIEW"], ["Asthma annual review", "Annual asthma review"], **U)
    concept("UK_DM_REVIEW", "Diabetes annual review", "procedure", ["UK_CHRONIC_REVIEW"], ["Diabetes annual review", "Annual diabetic review"], **U)
    concept("UK_HT_REVIEW", "Hypertension annual review", "procedure", ["UK_CHRONIC_REVIEW", "BP_TAKING"],
            ["Hypertension annual review", "Annual hypertension review"], **U)
    concept("UK_SEEN_DM_CLINIC", "Seen in diabetic clinic", "finding", ["GENERAL_FINDING"], ["Seen in diabetic clinic", "Seen in diabetes clinic"], **U)
    concept("UK_ASTHMA_REVIEW_OLD", "Asthma review", "procedure", ["UK_CHRONIC_REVIEW"], ["Asthma review"],
            pkg=UK, module=UKMOD, et="20200401", inactive=UK_DATE, refsets=(GB,))
    concept("UK_CKD3_PROT", "Chronic kidney disease stage 3 with proteinuria", "disorder", ["CKD3"],
            ["Chronic kidney disease stage 3 with proteinuria", ("CKD stage 3 with proteinuria", "A", "A", CS)],
            attrs=[(1, "FINDING_SITE", "KIDNEY"), (0, "COURSE", "CHRONIC")], **U)
    refset_member(UK, "attrval", "ci|UK_ASTHMA_REVIEW_OLD", [(UK_DATE, 1, (DUPLICATE,))], UKMOD, CONCEPT_INACT, K("UK_ASTHMA_REVIEW_OLD"))
    refset_member(UK, "assoc", "UK_ASTHMA_REVIEW_OLD|SAME_AS", [(UK_DATE, 1, (K("UK_ASTHMA_REVIEW"),))], UKMOD, SAME_AS, K("UK_ASTHMA_REVIEW_OLD"))
    # NHS language refset: mirror GB acceptability for every UK-package description
    for r in list(UK.files["lang"]):
        mid, et, act, mod, rs, did, acc = r
        if rs == GB:
            lang_member(UK, NHS, did, [(et, act, acc)], UKMOD)
    # NHS members for core descriptions of selected core concepts (UK preferred terms)
    nhs_core = ["ROOT", "CF", "DISEASE", "ASTHMA", "MI", "AMI", "DM", "T1DM", "HT", "HF", "COPD", "APPENDECTOMY",
                "APPENDICITIS", "ALZ", "CROHNS", "SJOGREN", "MIGRAINE", "EPILEPSY", "IHD", "DYSPNEA", "ESOPHAGITIS", "PROC", "BS"]
    latest = {}
    for r in INT.files["lang"]:
        if r[4] == GB and (r[0] not in latest or r[1] > latest[r[0]][1]):
            latest[r[0]] = r
    desc_concept = {}
    for r in INT.files["desc"]:
        desc_concept[r[0]] = r
    latest_desc = {}
    for r in INT.files["desc"]:
        if r[0] not in latest_desc or r[1] > latest_desc[r[0]][1]:
            latest_desc[r[0]] = r
    wanted = {K(k) for k in nhs_core}
    for mid, r in sorted(latest.items()):
        d = latest_desc[r[5]]
        if d[4] in wanted and r[2] == "1" and d[2] == "1":
            lang_member(UK, NHS, r[5], [("20200401", 1, r[6])], UKMOD)
    # T2DM: UK adds its own synonym which is NHS-preferred; the core PT is NHS-acceptable
    t2 = K("T2DM")
    did = UK_IDS.make("d")
    DESC_BY_TERM[(t2, "Type 2 diabetes")] = did
    UK.add("desc", (did, "20200401", 1, UKMOD, t2, "en", SYN, "Type 2 diabetes", CI))
    lang_member(UK, NHS, did, [("20200401", 1, PREF)], UKMOD)
    lang_member(UK, GB, did, [("20200401", 1, ACC)], UKMOD)
    for term, acc in (("Diabetes mellitus type 2 (disorder)", PREF), ("Type 2 diabetes mellitus", ACC), ("T2DM", ACC),
                      ("Type II diabetes mellitus", ACC)):
        lang_member(UK, NHS, D("T2DM", term), [("20200401", 1, acc)], UKMOD)
    # ---- overrides of core components (layering: latest effectiveTime wins)
    sick = D("MIGRAINE", "Sick headache")
    r = [x for x in INT.files["desc"] if x[0] == sick][-1]
    UK.add("desc", (sick, UK_DATE, 0, UKMOD) + r[4:])
    seiz = D("EPILEPSY", "Seizure disorder")
    UK.add("lang", (member_uuid("lang|%s|%s" % (GB, seiz)), UK_DATE, 0, UKMOD, GB, seiz, ACC))
    # stale override: older than the core row (20160131), so the core row must win
    d_ht = D("HT", "Hypertension")
    UK.add("lang", (member_uuid("lang|%s|%s" % (GB, d_ht)), "20150401", 1, UKMOD, GB, d_ht, ACC))
    # ---- UK ICD-10 map (iisssci)
    def um(key, rows, et="20200805"):
        for i, (blk, g, p, advice, target) in enumerate(rows):
            refset_member(UK, "ukmap", "%s|%d" % (key, i), [(et, 1, (g, p, "", advice, target, CORR_NS, blk))],
                          UKREFMOD, UKICD10MAP, K(key))
    um("ASTHMA", [(1, 1, 1, "ALWAYS J459", "J459")])
    um("MI", [(1, 1, 1, "ALWAYS I219", "I219")])
    um("AMI", [(1, 1, 1, "ALWAYS I219", "I219")])
    um("T2DM", [(1, 1, 1, "ALWAYS E119", "E119")])
    um("T1DM", [(1, 1, 1, "ALWAYS E109", "E109")])
    um("HT", [(1, 1, 1, "ALWAYS I10X", "I10X")])
    um("ESS_HT", [(1, 1, 1, "ALWAYS I10X", "I10X")])
    um("MS", [(1, 1, 1, "ALWAYS G35X", "G35X")])
    um("APPENDICITIS", [(1, 1, 1, "ALWAYS K37X", "K37X")])
    um("COPD", [(1, 1, 1, "ALWAYS J449", "J449")])
    um("HF", [(1, 1, 1, "ALWAYS I500", "I500"), (1, 1, 2, "ALWAYS I501", "I501"), (1, 1, 3, "ALWAYS I509", "I509")])
    um("THYROTOXIC_HD", [(1, 1, 1, "ALWAYS E059D | ADDITIONAL CODE POSSIBLE", "E059D"), (1, 2, 1, "ALWAYS I438A", "I438A"),
                         (2, 1, 1, "ALWAYS E059", "E059"), (2, 2, 1, "ALWAYS I519", "I519")])
    um("DIAB_NEPH", [(1, 1, 1, "ALWAYS E142D", "E142D"), (1, 2, 1, "ALWAYS N083A", "N083A")])
    um("FRACTURE_NOF", [(1, 1, 1, "ALWAYS S720 | ADDITIONAL CODE POSSIBLE", "S720")])
    um("UK_CKD3_PROT", [(1, 1, 1, "ALWAYS N183", "N183")], et=UK_DATE)
    refset_member(UK, "ukmap", "HT_DISEASE|0", [("20170401", 0, (1, 1, "", "ALWAYS I10X", "I10X", CORR_NS, 1))],
                  UKREFMOD, UKICD10MAP, K("HT_DISEASE"))
    # ---- module dependency
    for src, tgt, tet in ((UKMOD, CORE, INT_DATE), (UKMOD, MODEL, INT_DATE), (UKREFMOD, UKMOD, UK_DATE), (UKREFMOD, CORE, INT_DATE)):
        refset_member(UK, "moddep", src + "|" + tgt, [(UK_DATE, 1, (UK_DATE, tet))], src, MODDEP, tgt)


# ================================================================ writing
HEADERS = {
    "concept": "id effectiveTime active moduleId definitionStatusId",
    "desc": "id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId",
    "textdef": "id effectiveTime active moduleId conceptId languageCode typeId term caseSignificanceId",
    "rel": "id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId characteristicTypeId modifierId",
    "stated": "id effectiveTime active moduleId sourceId destinationId relationshipGroup typeId characteristicTypeId modifierId",
    "concrete": "id effectiveTime active moduleId sourceId value relationshipGroup typeId characteristicTypeId modifierId",
    "identifier": "alternateIdentifier effectiveTime active moduleId identifierSchemeId referencedComponentId",
    "owl": "id effectiveTime active moduleId refsetId referencedComponentId owlExpression",
    "assoc": "id effectiveTime active moduleId refsetId referencedComponentId targetComponentId",
    "attrval": "id effectiveTime active moduleId refsetId referencedComponentId valueId",
    "simple": "id effectiveTime active moduleId refsetId referencedComponentId",
    "lang": "id effectiveTime active moduleId refsetId referencedComponentId acceptabilityId",
    "simplemap": "id effectiveTime active moduleId refsetId referencedComponentId mapTarget",
    "extmap": "id effectiveTime active moduleId refsetId referencedComponentId mapGroup mapPriority mapRule mapAdvice mapTarget correlationId mapCategoryId",
    "ukmap": "id effectiveTime active moduleId refsetId referencedComponentId mapGroup mapPriority mapRule mapAdvice mapTarget correlationId mapBlock",
    "descriptor": "id effectiveTime active moduleId refsetId referencedComponentId attributeDescription attributeType attributeOrder",
    "moddep": "id effectiveTime active moduleId refsetId referencedComponentId sourceEffectiveTime targetEffectiveTime",
    "desctype": "id effectiveTime active moduleId refsetId referencedComponentId descriptionFormat descriptionLength",
    "mrcmrange": "id effectiveTime active moduleId refsetId referencedComponentId rangeConstraint attributeRule ruleStrengthId contentTypeId",
}

INT_FILES = {
    "concept": "Terminology/sct2_Concept_{RT}_INT_{D}.txt",
    "desc": "Terminology/sct2_Description_{RT}-en_INT_{D}.txt",
    "textdef": "Terminology/sct2_TextDefinition_{RT}-en_INT_{D}.txt",
    "rel": "Terminology/sct2_Relationship_{RT}_INT_{D}.txt",
    "stated": "Terminology/sct2_StatedRelationship_{RT}_INT_{D}.txt",
    "concrete": "Terminology/sct2_RelationshipConcreteValues_{RT}_INT_{D}.txt",
    "identifier": "Terminology/sct2_Identifier_{RT}_INT_{D}.txt",
    "owl": "Terminology/sct2_sRefset_OWLExpression{RT}_INT_{D}.txt",
    "assoc": "Refset/Content/der2_cRefset_Association{RT}_INT_{D}.txt",
    "attrval": "Refset/Content/der2_cRefset_AttributeValue{RT}_INT_{D}.txt",
    "simple": "Refset/Content/der2_Refset_Simple{RT}_INT_{D}.txt",
    "lang": "Refset/Language/der2_cRefset_Language{RT}-en_INT_{D}.txt",
    "simplemap": "Refset/Map/der2_sRefset_SimpleMap{RT}_INT_{D}.txt",
    "extmap": "Refset/Map/der2_iisssccRefset_ExtendedMap{RT}_INT_{D}.txt",
    "descriptor": "Refset/Metadata/der2_cciRefset_RefsetDescriptor{RT}_INT_{D}.txt",
    "moddep": "Refset/Metadata/der2_ssRefset_ModuleDependency{RT}_INT_{D}.txt",
    "desctype": "Refset/Metadata/der2_ciRefset_DescriptionType{RT}_INT_{D}.txt",
    "mrcmrange": "Refset/Metadata/der2_ssccRefset_MRCMAttributeRange{RT}_INT_{D}.txt",
}

UK_FILES = {
    "concept": "Terminology/sct2_Concept_UKCLSnapshot_GB1000000_{D}.txt",
    "desc": "Terminology/sct2_Description_UKCLSnapshot-en_GB1000000_{D}.txt",
    "rel": "Terminology/sct2_Relationship_UKCLSnapshot_GB1000000_{D}.txt",
    "assoc": "Refset/Content/der2_cRefset_AssociationUKCLSnapshot_GB1000000_{D}.txt",
    "attrval": "Refset/Content/der2_cRefset_AttributeValueUKCLSnapshot_GB1000000_{D}.txt",
    "lang": "Refset/Language/der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_{D}.txt",
    "ukmap": "Refset/Map/der2_iisssciRefset_ExtendedMapUKCLSnapshot_GB1000000_{D}.txt",
    "moddep": "Refset/Metadata/der2_ssRefset_ModuleDependencyUKCLSnapshot_GB1000000_{D}.txt",
}


def write_tsv(path, header_cols, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(header_cols) + "\r\n")
        for r in rows:
            f.write("\t".join(r) + "\r\n")


def snapshot(rows):
    latest = {}
    for r in rows:
        if r[0] not in latest or r[1] > latest[r[0]][1]:
            latest[r[0]] = r
    return [latest[k] for k in sorted(latest)]


def full_sorted(rows):
    return sorted(set(rows), key=lambda r: (r[0], r[1]))


def write_rf2():
    base = os.path.join(SAMPLE, INT_PKG)
    for fk, tmpl in INT_FILES.items():
        rows = INT.files.get(fk, [])
        for rt in ("Full", "Snapshot"):
            rel_path = tmpl.format(RT=rt, D=INT_DATE)
            data = full_sorted(rows) if rt == "Full" else snapshot(rows)
            write_tsv(os.path.join(base, rt, rel_path), HEADERS[fk].split(), data)
    base = os.path.join(SAMPLE, UK_PKG, "Snapshot")
    for fk, tmpl in UK_FILES.items():
        write_tsv(os.path.join(base, tmpl.format(D=UK_DATE)), HEADERS[fk].split(), snapshot(UK.files.get(fk, [])))


# ================================================================ NHS Data Migration, Read v2, CTV3
READ = [
    # code, termcode, term, target concept key (None = unmapped), target description term (None = PT), assured
    ("C....", "00", "Endocrine, nutritional, metabolic and immunity disorders", None, None, 1),
    ("C1...", "00", "Other endocrine gland diseases", None, None, 1),
    ("C10..", "00", "Diabetes mellitus", "DM", "Diabetes mellitus", 1),
    ("C10..", "11", "Diabetes", "DM", "Diabetes", 1),
    ("C104.", "00", "Diabetes mellitus with nephropathy", "DIAB_NEPH", "Diabetic nephropathy", 1),
    ("C10E.", "00", "Type 1 diabetes mellitus", "T1DM", "Type 1 diabetes mellitus", 1),
    ("C10E.", "11", "Type I diabetes mellitus", "T1DM", "Type I diabetes mellitus", 1),
    ("C10E.", "12", "Insulin dependent diabetes mellitus", "T1DM", "Insulin dependent diabetes mellitus", 1),
    ("C10F.", "00", "Type 2 diabetes mellitus", "T2DM", "Type 2 diabetes mellitus", 1),
    ("C10F.", "11", "Type II diabetes mellitus", "T2DM", "Type II diabetes mellitus", 1),
    ("C10F.", "12", "Non-insulin dependent diabetes mellitus", "T2DM", "Non-insulin dependent diabetes mellitus", 1),
    ("C10F7", "00", "Type 2 diabetes mellitus - poor control", "T2DM_UNCONTROLLED", "Type 2 diabetes mellitus - poor control", 1),
    ("G....", "00", "Circulatory system diseases", None, None, 1),
    ("G2...", "00", "Hypertensive disease", "HT_DISEASE", "Hypertensive disease", 1),
    ("G2...", "11", "BP - hypertensive disease", "HT", "Hypertension", 0),
    ("G20..", "00", "Essential hypertension", "ESS_HT", "Essential hypertension", 1),
    ("G20..", "11", "High blood pressure", "HT", "High blood pressure", 1),
    ("G3...", "00", "Ischaemic heart disease", "IHD", "Ischaemic heart disease", 1),
    ("G30..", "00", "Acute myocardial infarction", "AMI", "Acute myocardial infarction", 1),
    ("G30..", "14", "Heart attack", "MI", "Heart attack", 1),
    ("G30..", "15", "MI - acute myocardial infarction", "AMI", "AMI - Acute myocardial infarction", 1),
    ("G301.", "00", "Other specified anterior myocardial infarction", "AAMI", "Acute anterior myocardial infarction", 1),
    ("G3011", "00", "Acute anteroseptal infarction", "AASMI", "Acute anteroseptal infarction", 1),
    ("G32..", "00", "Old myocardial infarction", "OLD_MI", "Old myocardial infarction", 1),
    ("G33..", "00", "Angina pectoris", "ANGINA", "Angina pectoris", 1),
    ("G5...", "00", "Other forms of heart disease", None, None, 1),
    ("G57..", "00", "Cardiac dysrhythmias", "ARRHYTHMIA", "Dysrhythmia", 1),
    ("G573.", "00", "Atrial fibrillation and flutter", None, None, 1),
    ("G5730", "00", "Atrial fibrillation", "AF", "Atrial fibrillation", 1),
    ("G58..", "00", "Heart failure", "HF", "Heart failure", 1),
    ("G58..", "11", "Cardiac failure", "HF", "Cardiac failure", 1),
    ("G581.", "00", "Left ventricular failure", "LVF", "Left ventricular failure", 1),
    ("H....", "00", "Respiratory system diseases", None, None, 1),
    ("H2...", "00", "Pneumonia and influenza", None, None, 1),
    ("H27..", "00", "Influenza", "INFLUENZA", "Influenza", 1),
    ("H3...", "00", "Chronic obstructive pulmonary disease", "COPD", "Chronic obstructive pulmonary disease", 1),
    ("H3z..", "00", "Chronic obstructive airways disease NOS", "COPD", "Chronic obstructive lung disease", 0),
    ("H3z..", "11", "COLD", "COLD_AMBIG", "COLD", 1),
    ("H33..", "00", "Asthma", "ASTHMA", "Asthma", 1),
    ("H33..", "11", "Bronchial asthma", "ASTHMA", "Bronchial asthma", 1),
    ("H330.", "00", "Extrinsic (atopic) asthma", "ALLERGIC_ASTHMA", "Atopic asthma", 1),
    ("H33z.", "00", "Asthma unspecified", "ASTHMA_NOS", "Asthma unspecified", 1),
    ("H33zz", "00", "Asthma NOS", None, None, 1),
    ("F....", "00", "Nervous system and sense organ diseases", None, None, 1),
    ("F1...", "00", "Hereditary and degenerative diseases of the CNS", None, None, 1),
    ("F11..", "00", "Other cerebral degenerations", None, None, 1),
    ("F2...", "00", "Other disorders of the central nervous system", None, None, 1),
    ("F110.", "00", "Alzheimer's disease", "ALZ", "Alzheimer's disease", 0),
    ("F20..", "00", "Multiple sclerosis", "MS", "Multiple sclerosis", 1),
    ("F25..", "00", "Epilepsy", "EPILEPSY", "Epilepsy", 1),
    ("F26..", "00", "Migraine", "MIGRAINE", "Migraine", 1),
    ("F26..", "11", "Migrainous headache", "MIGRAINOUS_NOS", "Migrainous headache NOS", 1),
    ("J....", "00", "Digestive system diseases", None, None, 1),
    ("J2...", "00", "Appendicitis", "APPENDICITIS", "Appendicitis", 1),
    ("J20..", "00", "Acute appendicitis", "ACUTE_APPENDICITIS", "Acute appendicitis", 1),
    ("J4...", "00", "Non-infective enteritis and colitis", None, None, 1),
    ("J40..", "00", "Regional enteritis - Crohn's disease", "CROHNS", "Crohn's disease", 0),
    ("N....", "00", "Musculoskeletal and connective tissue diseases", None, None, 1),
    ("N0...", "00", "Arthropathies and related disorders", None, None, 1),
    ("N06..", "00", "Other arthropathies", None, None, 1),
    ("N065.", "00", "Other connective tissue arthropathies", None, None, 1),
    ("N0650", "00", "Sjogren's syndrome", "SJOGREN", "Sjögren's syndrome", 1),
    ("B....", "00", "Neoplasms", "NEOPLASTIC", "Neoplastic disease", 1),
    ("B3...", "00", "Malignant neoplasm of bone, connective tissue, skin and breast", None, None, 1),
    ("B34..", "00", "Malignant neoplasm of female breast", "BREAST_CA", "Malignant neoplasm of breast", 1),
    ("S....", "00", "Injury and poisoning", None, None, 1),
    ("S3...", "00", "Fracture of lower limb", None, None, 1),
    ("S30..", "00", "Fracture of neck of femur", "FRACTURE_NOF", "Fracture of neck of femur", 1),
    ("S30..", "11", "Hip fracture", "FRACTURE_NOF", "Hip fracture", 1),
    ("7....", "00", "Operations, procedures, sites", None, None, 1),
    ("77...", "00", "Other abdominal operations", None, None, 1),
    ("776..", "00", "Operations on appendix", "OP_APPENDIX", "Operation on appendix", 1),
    ("7761.", "00", "Emergency excision of appendix", "EMERG_APPX", "Emergency appendicectomy", 1),
    ("7762.", "00", "Appendicectomy NEC", "APPENDECTOMY", "Appendicectomy", 1),
    ("b....", "00", "Cardiovascular system drugs", None, None, 1),
    ("bd...", "00", "Beta-adrenoceptor blocking drugs", None, None, 1),
    ("bd3..", "00", "Atenolol", "P_ATENOLOL", "Atenolol-containing product", 1),
    ("bd31.", "00", "ATENOLOL 50mg tablets", "CD_ATENOLOL_50", "Atenolol 50 mg oral tablet", 1),
    ("2....", "00", "Examination / Signs", None, None, 1),
    ("22...", "00", "O/E - height, weight, BMI", None, None, 1),
    ("22K..", "00", "Body Mass Index", "BMI_FINDING", "Finding of body mass index", 1),
    ("24...", "00", "Examination of cardiovascular system", None, None, 1),
    ("246..", "00", "O/E - blood pressure reading", "BP_FINDING", "O/E - blood pressure reading", 1),
    ("4....", "00", "Laboratory procedures", None, None, 1),
    ("44...", "00", "Blood chemistry", None, None, 1),
    ("44D..", "00", "Blood glucose and related tests", None, None, 1),
    ("44D6.", "00", "Haemoglobin A1c level", "HBA1C_MEAS", "Haemoglobin A1c measurement", 1),
]

CTV3 = [
    # code, [(termid, P/S, term)], parents, snomed target key (None unmapped / "_DRUG"), target desc term, assured
    ("H....", [("Y9001", "P", "Respiratory disorder")], ["....."], None, None, 1),
    ("H3...", [("Y9002", "P", "Chronic obstructive pulmonary disease"), ("Y9003", "S", "COPD - Chronic obstructive pulmonary disease")],
     ["H...."], "COPD", "Chronic obstructive pulmonary disease", 1),
    ("H33..", [("Y9004", "P", "Asthma"), ("Y9005", "S", "Bronchial asthma")], ["H3..."], "ASTHMA", "Asthma", 1),
    ("H330.", [("Y9006", "P", "Extrinsic asthma"), ("Y9007", "S", "Atopic asthma")], ["H33.."], "ALLERGIC_ASTHMA", "Extrinsic asthma", 1),
    ("H33z.", [("Y9008", "P", "Asthma unspecified")], ["H33.."], "ASTHMA_NOS", "Asthma unspecified", 1),
    ("XE0Ym", [("Y9009", "P", "Pneumonia")], ["H...."], "PNEUMONIA", "Pneumonia", 1),
    ("G....", [("Y900A", "P", "Circulatory system disorder")], ["....."], None, None, 1),
    ("G2...", [("Y900B", "P", "Hypertensive disease")], ["G...."], "HT_DISEASE", "Hypertensive disease", 1),
    ("XE0Ub", [("Y900C", "P", "Hypertensive disorder"), ("Y900D", "S", "High blood pressure")], ["G2..."], "HT", "Hypertensive disorder", 1),
    ("G20..", [("Y900E", "P", "Essential hypertension")], ["XE0Ub"], "ESS_HT", "Essential hypertension", 1),
    ("G3...", [("Y900F", "P", "Ischaemic heart disease")], ["G...."], "IHD", "Ischaemic heart disease", 1),
    ("X200E", [("Y900G", "P", "Myocardial infarction"), ("Y900H", "S", "Heart attack")], ["G3..."], "MI", "Myocardial infarction", 1),
    ("G30..", [("Y900J", "P", "Acute myocardial infarction"), ("Y900K", "S", "AMI - Acute myocardial infarction")],
     ["X200E"], "AMI", "Acute myocardial infarction", 1),
    ("G3011", [("Y900L", "P", "Acute anteroseptal infarction")], ["G30.."], "AASMI", "Acute anteroseptal infarction", 1),
    ("XE0V9", [("Y900M", "P", "Heart failure"), ("Y900N", "S", "Cardiac failure")], ["G...."], "HF", "Heart failure", 1),
    ("G5730", [("Y900P", "P", "Atrial fibrillation")], ["G...."], "AF", "Atrial fibrillation", 0),
    ("C....", [("Y900Q", "P", "Endocrine, nutritional, metabolic and immunity disorder")], ["....."], None, None, 1),
    ("C10..", [("Y900R", "P", "Diabetes mellitus")], ["C...."], "DM", "Diabetes mellitus", 1),
    ("X40J4", [("Y900S", "P", "Type 1 diabetes mellitus"), ("Y900T", "S", "Insulin dependent diabetes mellitus")],
     ["C10.."], "T1DM", "Type 1 diabetes mellitus", 1),
    ("X40J5", [("Y900U", "P", "Type 2 diabetes mellitus"), ("Y900V", "S", "Type II diabetes mellitus")],
     ["C10.."], "T2DM", "Type 2 diabetes mellitus", 1),
    ("C104.", [("Y900W", "P", "Diabetic nephropathy")], ["C10..", "XaLHI"], "DIAB_NEPH", "Diabetic nephropathy", 1),
    ("XaLHI", [("Y900X", "P", "Chronic kidney disease")], ["....."], "CKD", "Chronic kidney disease", 1),
    ("F....", [("Y900Y", "P", "Nervous system disorder")], ["....."], None, None, 1),
    ("F110.", [("Y900Z", "P", "Alzheimer's disease")], ["F...."], "ALZ", "Alzheimer's disease", 0),
    ("F25..", [("Y900a", "P", "Epilepsy")], ["F...."], "EPILEPSY", "Epilepsy", 1),
    ("F26..", [("Y900b", "P", "Migraine")], ["F...."], "MIGRAINE", "Migraine", 1),
    ("XaB9z", [("Y900c", "P", "Sjogren's syndrome"), ("Y900d", "S", "Sicca syndrome")], ["....."], "SJOGREN", "Sjögren's syndrome", 1),
    ("J....", [("Y900e", "P", "Digestive system disorder")], ["....."], None, None, 1),
    ("X30Bz", [("Y900f", "P", "Appendicitis")], ["J...."], "APPENDICITIS", "Appendicitis", 1),
    ("J20..", [("Y900g", "P", "Acute appendicitis")], ["X30Bz"], "ACUTE_APPENDICITIS", "Acute appendicitis", 1),
    ("J40..", [("Y900h", "P", "Crohn's disease"), ("Y900i", "S", "Regional enteritis")], ["J...."], "CROHNS", "Crohn's disease", 1),
    ("7....", [("Y900j", "P", "Operations, procedures and interventions")], ["....."], None, None, 1),
    ("7761.", [("Y900k", "P", "Appendicectomy"), ("Y900m", "S", "Appendectomy")], ["7...."], "APPENDECTOMY", "Appendicectomy", 1),
    ("x00Dz", [("Y900n", "P", "Atenolol 50mg tablet")], ["....."], "_DRUG", None, 1),
    ("bd3..", [("Y900p", "P", "Atenolol")], ["....."], "_DRUG", None, 1),
    ("XaZz1", [("Y900q", "P", "Asthma annual review")], ["7...."], None, None, 1),
]


def write_tab(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        if header:
            f.write("\t".join(header) + "\r\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\r\n")


def t30_60_198(term):
    return term[:30], (term[:60] if len(term) > 30 else ""), (term if len(term) > 60 else "")


def write_legacy():
    dm = os.path.join(SAMPLE, "nhs_datamigration_sample_20200401", "Mapping Tables", "Updated")
    ca = os.path.join(dm, "Clinically Assured")
    nca = os.path.join(dm, "Not Clinically Assured")
    # ---- rcsctmap2
    rows = []
    special = {("F26..", "00"): [("20100401", 1), ("20150401", 0), ("20180401", 1)],   # re-versioned, active again
               ("J2...", "00"): [("20100401", 1), ("20170401", 0)],                      # latest row inactive
               ("G2...", "11"): [("20160401", 1)]}
    for code, tc, term, tgt, dterm, assured in READ:
        if tgt is None:
            continue
        cid = K(tgt)
        did = D(tgt, dterm)
        hist = special.get((code, tc), [("20100401", 1)])
        mid = mapid("rc|%s|%s" % (code, tc))
        for et, st in hist:
            rows.append((mid, code, tc, cid, did, assured, et, st))
    # duplicate active map with a different MapId (consumers must dedupe targets)
    rows.append((mapid("rc|C10..|00|dup"), "C10..", "00", K("DM"), D("DM", "Diabetes mellitus"), 1, "20180401", 1))
    # a superseded target: old MapId inactive, new MapId to a different concept
    rows.append((mapid("rc|G30..|14|old"), "G30..", "14", K("AMI"), D("AMI", "Acute myocardial infarction"), 1, "20100401", 1))
    rows.append((mapid("rc|G30..|14|old"), "G30..", "14", K("AMI"), D("AMI", "Acute myocardial infarction"), 1, "20160401", 0))
    write_tab(os.path.join(ca, "rcsctmap2_uk_20200401000001.txt"),
              ["MapId", "ReadCode", "TermCode", "ConceptId", "DescriptionId", "IS_ASSURED", "EffectiveDate", "MapStatus"], rows)
    # ---- Not Clinically Assured rcsctmap_uk (older, simpler)
    rows = []
    for code, tc, term, tgt, dterm, assured in READ:
        if tgt is None or code[0] not in "CGH":
            continue
        rows.append((mapid("rcold|%s|%s" % (code, tc)), code, tc, K(tgt), "20070401", 1))
    write_tab(os.path.join(nca, "rcsctmap_uk_20200401000001.txt"),
              ["MapId", "ReadCode", "TermCode", "ConceptId", "EffectiveDate", "MapStatus"], rows)
    # ---- ctv3sctmap2
    rows = []
    for code, terms, parents, tgt, dterm, assured in CTV3:
        if tgt is None:
            continue
        for tid, tt, term in terms:
            mid = mapid("ctv3|%s|%s" % (code, tid))
            if tgt == "_DRUG":
                rows.append((mid, code, tid, tt, "_DRUG", "_DRUG", 1, "20100401", 1))
                continue
            dt = dterm if tt == "P" else (term if (K(tgt), term) in DESC_BY_TERM else dterm)
            hist = [("20100401", 1)]
            if code == "X40J5" and tt == "P":
                hist = [("20100401", 1), ("20140401", 0), ("20190401", 1)]
            if code == "G5730":
                hist = [("20100401", 1), ("20170401", 0)]
            for et, st in hist:
                rows.append((mid, code, tid, tt, K(tgt), D(tgt, dt), st, et, assured))
    write_tab(os.path.join(ca, "ctv3sctmap2_uk_20200401000001.txt"),
              ["MAPID", "CTV3_CONCEPTID", "CTV3_TERMID", "CTV3_TERMTYPE", "SCT_CONCEPTID", "SCT_DESCRIPTIONID", "MAPSTATUS",
               "EFFECTIVEDATE", "IS_ASSURED"], rows)
    # ---- Read v2 <-> CTV3
    ctv3_by_code = {c[0]: c for c in CTV3}
    v2_to_ctv3 = {"H33..": "H33..", "H330.": "H330.", "H33z.": "H33z.", "H3...": "H3...", "G2...": "G2...", "G20..": "G20..",
                  "G3...": "G3...", "G30..": "G30..", "G3011": "G3011", "G58..": "XE0V9", "G5730": "G5730", "C10..": "C10..",
                  "C10E.": "X40J4", "C10F.": "X40J5", "C104.": "C104.", "F110.": "F110.", "F25..": "F25..", "F26..": "F26..",
                  "J20..": "J20..", "J40..": "J40..", "N0650": "XaB9z", "7761.": "7761.", "bd3..": "bd3.."}
    fwd, back = [], []
    for code, tc, term, tgt, dterm, assured in READ:
        if code not in v2_to_ctv3 or tc != "00":
            continue
        c3 = ctv3_by_code[v2_to_ctv3[code]]
        tid, tt, _ = c3[1][0]
        fwd.append((mapid("rc3|" + code), code, tc, tid, tt, c3[0], "Y", "A", "E", 1, "20100401", assured))
    for code, terms, parents, tgt, dterm, assured in CTV3:
        v2 = [k for k, v in v2_to_ctv3.items() if v == code]
        for tid, tt, term in terms[:1]:
            if v2:
                back.append((mapid("c3rc|" + code), code, tid, tt, v2[0], "00", "Y", "A", "E", 1, "20100401", assured))
            elif tgt == "_DRUG":
                back.append((mapid("c3rc|" + code), code, tid, tt, "_DRUG", "", "N", "A", "n", 1, "20100401", 1))
            else:
                back.append((mapid("c3rc|" + code), code, tid, tt, "_NONE", "", "N", "A", "n", 1, "20100401", 1))
    write_tab(os.path.join(ca, "rctctv3map_uk_20200401000001.txt"),
              ["MAPID", "V2_CONCEPTID", "V2_TERMID", "CTV3_TERMID", "CTV3_TERMTYPE", "CTV3_CONCEPTID", "USE_CTV3_TERMID", "STAT",
               "MAPTYP", "MAPSTATUS", "EFFECTIVEDATE", "IS_ASSURED"], fwd)
    write_tab(os.path.join(ca, "ctv3rctmap_uk_20200401000002.txt"),
              ["MAPID", "CTV3_CONCEPTID", "CTV3_TERMID", "CTV3_TERMTYP", "V2_CONCEPTID", "V2_TERMID", "USE_V2_TERMID", "STAT",
               "MAPTYP", "MAPSTATUS", "EFFECTIVEDATE", "ISASSURED"], back)
    # ---- codes with values: alternate maps
    alt = [("44D6.", "00", K("HBA1C_OBS"), D("HBA1C_OBS", "Haemoglobin A1c level"), "Y"),
           ("246..", "00", K("BP_OBS"), D("BP_OBS", "Blood pressure"), "Y"),
           ("22K..", "00", K("BMI_OBS"), D("BMI_OBS", "Body mass index"), "Y"),
           ("C10F.", "00", K("HBA1C_OBS"), D("HBA1C_OBS", "HbA1c level"), "N")]
    write_tab(os.path.join(ca, "codesWithValues_AlternateMaps_READ2_20200401000001.txt"),
              ["ReadCode", "TermCode", "ConceptId", "DescriptionId", "Use"], alt)
    # ---- Read v2 term files (comma separated, quoted, CRLF)
    rv2 = os.path.join(SAMPLE, "nhs_readv2_sample", "V2", "Unified")
    os.makedirs(rv2, exist_ok=True)
    icd9 = {"H33..": "493", "G30..": "410", "C10..": "250", "G20..": "401", "F26..": "346"}

    def q(vals):
        return ",".join('"%s"' % v for v in vals) + "\r\n"
    with open(os.path.join(rv2, "Corev2.all"), "w", encoding="utf-8", newline="") as f:
        for code, tc, term, *_ in READ:
            if tc != "00":
                continue
            t30, t60, t198 = t30_60_198(term)
            f.write(q([code, t30, t60, t198, icd9.get(code, ""), "", icd9.get(code, ""), "", "", "", "", "C", "EN"]))
    with open(os.path.join(rv2, "Keyv2.all"), "w", encoding="utf-8", newline="") as f:
        for code, tc, term, *_ in READ:
            t30, t60, t198 = t30_60_198(term)
            words = []
            for w in term.replace("-", " ").replace("/", " ").replace(",", " ").replace("(", " ").replace(")", " ").split():
                w = w.upper().strip("'")
                if len(w) >= 2 and w not in words:
                    words.append(w)
            for i, w in enumerate(words):
                f.write(q([w[:10], "%02d" % i, t30, t60, t198, tc, "EN", code, "0"]))
    # ---- CTV3 files ('|' separated, no header, CRLF)
    v3 = os.path.join(SAMPLE, "nhs_readctv3_sample", "V3")
    os.makedirs(v3, exist_ok=True)
    with open(os.path.join(v3, "Concept.v3"), "w", encoding="utf-8", newline="") as f:
        for code, terms, parents, *_ in CTV3:
            status = "C"
            f.write("%s|%s|N|%s\r\n" % (code, status, "Xa00B" if code[0] not in "7xb" else "Xa01C"))
        f.write("XaZz9|R|N|Xa00B\r\n")  # a redundant concept (status R), still has terms
    with open(os.path.join(v3, "Descrip.v3"), "w", encoding="utf-8", newline="") as f:
        for code, terms, *_ in CTV3:
            for tid, tt, term in terms:
                f.write("%s|%s|%s\r\n" % (code, tid, tt))
        f.write("XaZz9|Y900r|P\r\n")
    with open(os.path.join(v3, "Terms.v3"), "w", encoding="utf-8", newline="") as f:
        for code, terms, *_ in CTV3:
            for tid, tt, term in terms:
                t30, t60, t198 = t30_60_198(term)
                f.write("%s|C|%s|%s|%s\r\n" % (tid, t30, t60, t198))
        f.write("Y900r|C|Asthma monitoring (old)||\r\n")
    with open(os.path.join(v3, "V3hier.v3"), "w", encoding="utf-8", newline="") as f:
        for code, terms, parents, *_ in CTV3:
            for i, p in enumerate(parents):
                f.write("%s|%s|%02d\r\n" % (code, p, i + 1))
        f.write("XaZz9|7....|02\r\n")


# ================================================================ cases.json
def write_cases():
    k = lambda x: K(x)
    cases = {
        "_note": "Key ids of the hand-made sample by purpose; see README.md for the full table.",
        "root": k("ROOT"),
        "real_clinical_ids_used": sorted(set(REAL_CLINICAL)),
        "multiple_parents": [k(x) for x in ("APPENDECTOMY", "DIAB_NEPH", "DIAB_RETINO", "T2DM_NEPH", "HHD", "HT_CKD", "HT_HEART_CKD",
                                            "THYROTOXIC_HD", "ASTHMA", "PNEUMONIA", "BACT_PNEUMONIA", "IBD",
                                            "ALZ", "SJOGREN", "FEMUR", "NEPHRECTOMY", "CEREBROVASC", "GEST_DM")],
        "role_group_one": {"myocardial_infarction": k("MI"), "appendectomy": k("APPENDECTOMY")},
        "two_role_groups": k("HT_HEART_CKD"),
        "two_role_groups_other": k("THYROTOXIC_HD"),
        "ungrouped_attributes": {"clinical_course_acute": k("AMI"), "causative_agent_virus": k("VIRAL_PNEUMONIA"),
                                 "due_to": k("DIAB_NEPH")},
        "deepest_chain": [k(x) for x in ("ROOT", "CF", "DISEASE", "BODY_SYS_DIS", "CVD", "HEART_DIS", "IHD", "MI", "AMI", "AAMI", "AASMI")],
        "concrete_values": {"integer_500": k("CD_PARACETAMOL_500"), "decimal_0_5": k("CD_COLCHICINE_500MCG"),
                            "string_tablet": k("CD_ATENOLOL_50"), "string_attribute": k("TEXT_ATTR")},
        "inactive_relationship": {"source": k("PNEUMONIA"), "type": k("CAUSATIVE"), "destination": k("ORG"), "inactivated": "20210131"},
        "inactive_same_as": {"source": k("HEART_INFARCTION_OLD"), "target": k("MI"), "active_until": "20230731", "created": "20200131"},
        "inactive_same_as_2": {"source": k("ASTHMA_NOS"), "target": k("ASTHMA")},
        "inactive_replaced_by": {"source": k("HT_DISEASE"), "target": k("HT")},
        "inactive_possibly_equivalent_to": {"source": k("COLD_AMBIG"), "targets": [k("COMMON_COLD"), k("COPD")]},
        "inactive_alternative": {"source": k("MIGRAINOUS_NOS"), "target": k("MIGRAINE")},
        "inactive_was_a": {"source": k("T2DM_UNCONTROLLED"), "target": k("T2DM")},
        "replaced_by_chain": [k("CHAIN_A"), k("CHAIN_B"), k("CKD")],
        "inactive_concept_with_active_description": {"concept": k("COLD_AMBIG"), "term": "COLD", "description": D("COLD_AMBIG", "COLD")},
        "inactive_description_on_active_concept": {"concept": k("HF"), "old_description": D("HF", "Cardiac faliure"),
                                                    "old_term": "Cardiac faliure", "new_description": D("HF", "Cardiac failure"),
                                                    "new_term": "Cardiac failure", "changed": "20190731"},
        "language_acceptable_to_preferred": {"concept": k("HT"), "description": D("HT", "Hypertension"),
                                             "was_preferred": D("HT", "Hypertensive disorder"), "changed": "20160131"},
        "defined_status_change": {"concept": k("AMI"), "primitive_until": "20110131"},
        "dialect": {"appendectomy": {"concept": k("APPENDECTOMY"), "gb_preferred": "Appendicectomy", "us_preferred": "Appendectomy",
                                     "gb_preferred_description": D("APPENDECTOMY", "Appendicectomy"),
                                     "us_preferred_description": D("APPENDECTOMY", "Appendectomy")},
                    "oesophagitis": {"concept": k("ESOPHAGITIS"), "gb_preferred": "Oesophagitis", "us_preferred": "Esophagitis"},
                    "dyspnoea": {"concept": k("DYSPNEA"), "gb_preferred": "Dyspnoea", "us_preferred": "Dyspnea"},
                    "paracetamol": {"concept": k("PARACETAMOL"), "gb_preferred": "Paracetamol", "us_preferred": "Acetaminophen"}},
        "search": {"apostrophe": [k("ALZ"), k("CROHNS"), k("PARKINSONS")], "accent": {"concept": k("SJOGREN"), "term": "Sjögren's syndrome",
                   "other_synonym": "Sicca syndrome"},
                   "abbreviations": {"HT": k("HT"), "COPD": k("COPD"), "T2DM": k("T2DM"), "MI": k("MI"), "CKD stage 3": k("CKD3"),
                                     "HbA1c": k("HBA1C_OBS")},
                   "synonyms": {"Heart attack": k("MI"), "High blood pressure": k("HT"), "Chronic obstructive lung disease": k("COPD"),
                                "Type II diabetes mellitus": k("T2DM")},
                   "shared_words_of_heart": [k(x) for x in ("HEART_DIS", "NEOPLASM_OF_HEART", "BENIGN_NEOPLASM_OF_HEART",
                                                            "MALIGNANT_NEOPLASM_OF_HEART", "INJURY_OF_HEART")],
                   "hyphen": k("EIA"), "numbers": [k("CKD%d" % n) for n in range(1, 6)]},
        "simple_refset": {"refset": k(SIMPLE_REFSET_KEY), "inactive_member_concept": k("HEART_INFARCTION_OLD")},
        "ctv3_simple_map": {"refset": CTV3MAP, "examples": {k("ASTHMA"): "H33..", k("MI"): "X200E"},
                            "inactive_row_concept": k("HT_DISEASE")},
        "icd10_int": {"refset": ICD10MAP, "module": ICDMOD,
                      "simple": {k("ASTHMA"): "J45.9", k("MI"): "I21.9", k("T2DM"): "E11.9", k("APPENDICITIS"): "K37"},
                      "two_groups": {k("DIAB_NEPH"): ["E14.2", "N08.3"], k("ALZ"): ["G30.9", "F00.9"]},
                      "sex_rule": {"concept": k("INFERTILITY"), "female": "N97.9", "otherwise": "N46"},
                      "sex_rule_male": {"concept": k("BREAST_CA"), "target": "C50.9"},
                      "age_rule": {"concept": k("ANXIETY"), "under_19": "F93.8", "otherwise": "F41.9"},
                      "context_sub_condition": {"concept": k("HF"), "if_lvf": "I50.1", "otherwise": "I50.9", "condition": k("LVF")},
                      "cannot_classify_empty_target": [k("DISEASE"), k("CF")],
                      "target_changed_history": {"concept": k("STROKE"), "old": "I64", "new": "I63.9"},
                      "inactive_row": k("HT_DISEASE"),
                      "unmapped_child_of_mapped": k("AASMI")},
        "uk": {"module": UKMOD, "refset_module": UKREFMOD, "nhs_language_refset": NHS, "icd10_refset": UKICD10MAP,
               "concepts": {x: k(x) for x in ("UK_CHRONIC_REVIEW", "UK_ASTHMA_REVIEW", "UK_DM_REVIEW", "UK_HT_REVIEW",
                                              "UK_SEEN_DM_CLINIC", "UK_ASTHMA_REVIEW_OLD", "UK_CKD3_PROT")},
               "uk_inactive_same_as": {"source": k("UK_ASTHMA_REVIEW_OLD"), "target": k("UK_ASTHMA_REVIEW")},
               "nhs_preferred_differs_from_gb": {"concept": k("T2DM"), "nhs_preferred": "Type 2 diabetes",
                                                 "nhs_preferred_description": D("T2DM", "Type 2 diabetes"), "gb_preferred": "Type 2 diabetes mellitus"},
               "override_description_inactivated": {"concept": k("MIGRAINE"), "description": D("MIGRAINE", "Sick headache"),
                                                    "term": "Sick headache", "core_effective": "20020131", "uk_effective": UK_DATE},
               "override_language_member_inactivated": {"refset": GB, "description": D("EPILEPSY", "Seizure disorder"),
                                                        "member": member_uuid("lang|%s|%s" % (GB, D("EPILEPSY", "Seizure disorder")))},
               "stale_override_core_wins": {"refset": GB, "description": D("HT", "Hypertension"),
                                            "member": member_uuid("lang|%s|%s" % (GB, D("HT", "Hypertension"))),
                                            "uk_effective": "20150401", "core_effective": "20160131", "winner_acceptability": PREF},
               "map": {"simple": {k("ASTHMA"): "J459", k("MI"): "I219", k("T2DM"): "E119", k("HT"): "I10X", k("MS"): "G35X"},
                       "multiple_priorities": {"concept": k("HF"), "targets_by_priority": ["I500", "I501", "I509"]},
                       "asterisk_dagger_blocks": {"concept": k("THYROTOXIC_HD"), "block1": ["E059D", "I438A"], "block2": ["E059", "I519"]},
                       "uk_concept": k("UK_CKD3_PROT"), "inactive_row": k("HT_DISEASE")}},
        "data_migration": {
            "H33..00_asthma_assured": {"read": "H33..", "term": "00", "concept": k("ASTHMA")},
            "G30..00_acute_mi": {"read": "G30..", "term": "00", "concept": k("AMI")},
            "term_level_difference": {"read": "G30..", "00": k("AMI"), "14": k("MI"),
                                      "same_concept_different_description": {"read": "C10F.", "00": D("T2DM", "Type 2 diabetes mellitus"),
                                                                             "11": D("T2DM", "Type II diabetes mellitus")}},
            "G20..11_high_blood_pressure": {"concept": k("HT"), "vs_00": k("ESS_HT")},
            "C10..": k("DM"), "C10F.": k("T2DM"), "C10E.": k("T1DM"),
            "reversioned_mapid": {"read": "F26..", "term": "00", "mapid": mapid("rc|F26..|00"), "history": "20100401:1,20150401:0,20180401:1"},
            "latest_row_inactive": {"read": "J2...", "term": "00", "mapid": mapid("rc|J2...|00")},
            "superseded_mapid": {"read": "G30..", "term": "14", "mapid": mapid("rc|G30..|14|old")},
            "duplicate_active_maps": {"read": "C10..", "term": "00", "mapids": [mapid("rc|C10..|00"), mapid("rc|C10..|00|dup")]},
            "unassured": ["G2...11", "H3z..00", "F110.00", "J40..00"],
            "to_inactive_replaced_by": {"read": "G2...", "term": "00", "concept": k("HT_DISEASE"), "resolves_to": k("HT")},
            "to_inactive_same_as": {"read": "H33z.", "term": "00", "concept": k("ASTHMA_NOS"), "resolves_to": k("ASTHMA")},
            "to_inactive_possibly_equivalent": {"read": "H3z..", "term": "11", "concept": k("COLD_AMBIG"), "candidates": [k("COMMON_COLD"), k("COPD")]},
            "to_inactive_alternative": {"read": "F26..", "term": "11", "concept": k("MIGRAINOUS_NOS")},
            "to_inactive_was_a": {"read": "C10F7", "term": "00", "concept": k("T2DM_UNCONTROLLED")},
            "unmapped_read_codes": ["H33zz", "G5...", "G573.", "H....", "H2..."],
            "case_sensitive_pair": {"upper": "B....", "lower": "b....", "drug": "bd3..", "drug_concept": k("P_ATENOLOL")},
            "ascii_term_to_accented": {"read": "N0650", "concept": k("SJOGREN")},
            "ctv3_drug_sentinel": ["x00Dz", "bd3.."],
            "ctv3_reversioned": {"ctv3": "X40J5", "termid": "Y900U"},
            "ctv3_latest_inactive": {"ctv3": "G5730"},
            "ctv3_unmapped": "XaZz1",
            "ctv3_redundant_concept": "XaZz9",
            "codes_with_values": {"44D6.": k("HBA1C_OBS"), "246..": k("BP_OBS"), "22K..": k("BMI_OBS")},
        },
    }
    with open(os.path.join(SAMPLE, "cases.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(cases, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    for d in (INT_PKG, UK_PKG, "nhs_datamigration_sample_20200401", "nhs_readv2_sample", "nhs_readctv3_sample"):
        p = os.path.join(SAMPLE, d)
        if os.path.isdir(p):
            shutil.rmtree(p)
    build_metadata()
    build_top_levels()
    build_body()
    build_qualifiers_etc()
    build_procedures()
    build_findings()
    build_inactive()
    build_history_edits()
    build_text_definitions()
    build_concrete()
    build_owl()
    build_refsets()
    build_uk()
    write_rf2()
    write_legacy()
    write_cases()
    print("real clinical ids used:", len(set(REAL_CLINICAL)))


if __name__ == "__main__":
    main()
