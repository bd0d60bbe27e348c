//! The term vocabulary: a few thousand pseudo-medical words built from syllables plus real
//! medical words, drawn with Zipf-like frequencies.

use std::collections::HashMap;

use crate::meta::{N_POOLS, POOLS};
use crate::rng::Rng;

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "th", "ch", "ph", "cr",
    "pl", "st", "tr", "gl", "br", "pr", "sp", "sc", "k", "x", "z", "fl", "gr", "dr",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "y", "ae", "io", "ou", "ia", "a", "e", "i", "o"];
const CODAS: &[&str] = &["", "", "", "n", "r", "s", "l", "m", "x", "th", "c", "st", "nt"];
const PREFIXES: &[&str] = &[
    "hyper", "hypo", "neuro", "cardio", "gastro", "osteo", "myo", "dermo", "haemo", "pneumo",
    "nephro", "hepato", "arthro", "angio", "endo", "peri", "sub", "intra", "poly", "dys", "retro",
    "pan", "micro", "macro",
];
const SUFFIXES: &[&str] = &[
    "itis", "osis", "oma", "ectomy", "algia", "ia", "ism", "ous", "al", "ic", "ine", "ase", "ate",
    "oid", "ium", "plasty", "scopy", "uria", "pathy", "otomy", "gram", "cyte", "genic", "ide",
    "ol", "um", "us", "a",
];

/// Real words mixed into the Zipf pool (GB spelling where it matters).
const REAL: &[&str] = &[
    "abdominal",
    "acute",
    "adrenal",
    "allergic",
    "alveolar",
    "anal",
    "ankle",
    "aortic",
    "arterial",
    "auditory",
    "bacterial",
    "basal",
    "biliary",
    "bladder",
    "blood",
    "bone",
    "bowel",
    "brain",
    "breast",
    "bronchial",
    "cardiac",
    "carotid",
    "cell",
    "central",
    "cerebral",
    "cervical",
    "chest",
    "chronic",
    "colon",
    "coronary",
    "cranial",
    "cutaneous",
    "dental",
    "digital",
    "duodenal",
    "ear",
    "elbow",
    "embryonic",
    "endocrine",
    "epidural",
    "eye",
    "facial",
    "femoral",
    "fibrous",
    "finger",
    "foot",
    "gastric",
    "genital",
    "gland",
    "hand",
    "head",
    "heart",
    "hepatic",
    "hip",
    "iliac",
    "immune",
    "infective",
    "inguinal",
    "intestinal",
    "joint",
    "kidney",
    "knee",
    "lacrimal",
    "laryngeal",
    "leg",
    "lip",
    "liver",
    "lumbar",
    "lung",
    "lymph",
    "mammary",
    "mandible",
    "maxillary",
    "mitral",
    "mouth",
    "muscle",
    "nasal",
    "neck",
    "nerve",
    "neural",
    "ocular",
    "optic",
    "oral",
    "orbital",
    "ovarian",
    "pancreatic",
    "pelvic",
    "penile",
    "pericardial",
    "peripheral",
    "pharyngeal",
    "pituitary",
    "placental",
    "pleural",
    "pulmonary",
    "radial",
    "rectal",
    "renal",
    "respiratory",
    "retinal",
    "sacral",
    "scalp",
    "shoulder",
    "sinus",
    "skin",
    "spinal",
    "spleen",
    "sternal",
    "stomach",
    "synovial",
    "tarsal",
    "testicular",
    "thoracic",
    "throat",
    "thyroid",
    "tibial",
    "toe",
    "tongue",
    "tonsil",
    "tooth",
    "tracheal",
    "tricuspid",
    "ulnar",
    "ureteric",
    "urethral",
    "urinary",
    "uterine",
    "vaginal",
    "valve",
    "vascular",
    "venous",
    "ventricular",
    "vertebral",
    "vesical",
    "viral",
    "vulval",
    "wrist",
    "insulin",
    "glucose",
    "sodium",
    "potassium",
    "calcium",
    "iron",
    "protein",
    "lipid",
    "cholesterol",
    "haemoglobin",
    "antibody",
    "antigen",
    "enzyme",
    "hormone",
    "vitamin",
    "plasma",
    "serum",
    "urine",
    "tissue",
    "fluid",
    "membrane",
    "capsule",
    "ligament",
    "tendon",
    "cartilage",
    "artery",
    "vein",
    "capillary",
    "duct",
    "canal",
    "infection",
    "injury",
    "fracture",
    "tumour",
    "cyst",
    "ulcer",
    "abscess",
    "oedema",
    "anaemia",
    "diabetes",
    "asthma",
    "pneumonia",
    "hepatitis",
    "arthritis",
    "dermatitis",
    "nephritis",
    "gastritis",
    "colitis",
    "syndrome",
    "disorder",
    "disease",
    "deficiency",
    "hypertension",
    "stenosis",
    "thrombosis",
    "embolism",
    "ischaemia",
    "necrosis",
    "fibrosis",
    "sclerosis",
    "atrophy",
    "hypertrophy",
    "dysplasia",
    "neoplasm",
    "carcinoma",
    "lymphoma",
    "melanoma",
    "sarcoma",
    "leukaemia",
    "haemorrhage",
    "haematoma",
    "oesophageal",
    "paediatric",
    "orthopaedic",
    "caesarean",
    "foetal",
    "anaesthesia",
    "diarrhoea",
    "dyspnoea",
    "behaviour",
    "colour",
    "oestrogen",
    "faecal",
    "naïve",
    "Ménière",
    "Sjögren",
    "Bézier",
    "Guillain",
    "Barré",
    "Down",
    "Crohn",
    "Parkinson",
    "Alzheimer",
    "Hodgkin",
    "Addison",
    "Cushing",
    "Graves",
    "Hashimoto",
    "Raynaud",
];

/// GB/US spelling pairs used where preferred terms differ between dialects.
pub(crate) const GB_US: &[(&str, &str)] = &[
    ("haemorrhage", "hemorrhage"),
    ("anaemia", "anemia"),
    ("oesophagitis", "esophagitis"),
    ("paediatric", "pediatric"),
    ("tumour", "tumor"),
    ("oedema", "edema"),
    ("leukaemia", "leukemia"),
    ("haematoma", "hematoma"),
    ("orthopaedic", "orthopedic"),
    ("faecal", "fecal"),
    ("anaesthesia", "anesthesia"),
    ("foetal", "fetal"),
    ("ischaemia", "ischemia"),
    ("diarrhoea", "diarrhea"),
    ("dyspnoea", "dyspnea"),
    ("haemoglobinuria", "hemoglobinuria"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("oestrogen", "estrogen"),
    ("haematuria", "hematuria"),
];

/// Qualifiers prepended to a parent's words.
const QUALIFIERS: &[&str] = &[
    "acute",
    "chronic",
    "left",
    "right",
    "bilateral",
    "recurrent",
    "congenital",
    "primary",
    "secondary",
    "severe",
    "mild",
    "partial",
    "complete",
    "open",
    "closed",
    "upper",
    "lower",
    "anterior",
    "posterior",
    "lateral",
    "medial",
    "superficial",
    "deep",
    "benign",
    "malignant",
    "traumatic",
    "hereditary",
    "neonatal",
    "adult",
    "childhood",
    "postoperative",
    "idiopathic",
    "drug-induced",
    "familial",
    "atypical",
    "local",
    "generalised",
    "early",
    "late",
    "persistent",
    "transient",
    "multiple",
    "single",
    "complicated",
    "uncomplicated",
    "proximal",
    "distal",
];

const CONNECTORS: &[&str] =
    &["of", "with", "due to", "in", "of", "following", "without", "of", "on"];

/// The vocabulary and its samplers.
pub(crate) struct Vocab {
    words: Vec<String>,
    /// Rank-ordered word ids for Zipf draws.
    zipf: Vec<u32>,
    /// Qualifier word ids.
    qualifiers: Vec<u32>,
    /// Connector ids ("of", "with", ...).
    connectors: Vec<u32>,
    /// Head nouns per pool.
    heads: Vec<Vec<u32>>,
    /// `(GB word id, US word id)`.
    pub(crate) gb_us: Vec<(u32, u32)>,
    /// Word ids of "Product" and "containing".
    pub(crate) product_containing: [u32; 2],
    is_connector: Vec<bool>,
}

impl Vocab {
    pub(crate) fn build(rng: &mut Rng, n_pseudo: usize) -> Vocab {
        let mut words: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        fn intern_in(w: &str, words: &mut Vec<String>, index: &mut HashMap<String, u32>) -> u32 {
            if let Some(&i) = index.get(w) {
                return i;
            }
            let i = words.len() as u32;
            words.push(w.to_owned());
            index.insert(w.to_owned(), i);
            i
        }
        let mut rankable = Vec::new();
        let gb_words: Vec<&str> = GB_US.iter().map(|p| p.0).collect();
        for w in REAL {
            let id = intern_in(w, &mut words, &mut index);
            if !gb_words.contains(w) {
                rankable.push(id);
            }
        }
        let mut made = 0;
        let mut guard = 0;
        while made < n_pseudo && guard < n_pseudo * 20 {
            guard += 1;
            let mut w = String::new();
            let prefixed = rng.chance(0.15);
            if prefixed {
                w.push_str(PREFIXES[rng.index(PREFIXES.len())]);
            }
            let n_syl = if prefixed || rng.chance(0.45) { 1 } else { 2 };
            for _ in 0..n_syl {
                w.push_str(ONSETS[rng.index(ONSETS.len())]);
                w.push_str(VOWELS[rng.index(VOWELS.len())]);
                w.push_str(CODAS[rng.index(CODAS.len())]);
            }
            if rng.chance(0.5) {
                w.push_str(SUFFIXES[rng.index(SUFFIXES.len())]);
            }
            if w.len() < 4 || w.len() > 13 {
                continue;
            }
            if rng.chance(0.012) {
                // a non-ASCII letter in about 1% of words
                let accented = ["é", "ö", "ü"][rng.index(3)];
                if let Some(pos) = w
                    .char_indices()
                    .skip(1)
                    .find(|(_, c)| matches!(c, 'e' | 'o' | 'u'))
                    .map(|(i, _)| i)
                {
                    w.replace_range(pos..pos + 1, accented);
                }
            }
            if index.contains_key(&w) {
                continue;
            }
            let id = intern_in(&w, &mut words, &mut index);
            rankable.push(id);
            made += 1;
        }
        rng.shuffle(&mut rankable);
        let qualifiers: Vec<u32> =
            QUALIFIERS.iter().map(|w| intern_in(w, &mut words, &mut index)).collect();
        let connectors: Vec<u32> =
            CONNECTORS.iter().map(|w| intern_in(w, &mut words, &mut index)).collect();
        let mut heads = Vec::with_capacity(N_POOLS);
        for p in &POOLS {
            heads.push(p.heads.iter().map(|w| intern_in(w, &mut words, &mut index)).collect());
        }
        let gb_us = GB_US
            .iter()
            .map(|(g, u)| {
                (intern_in(g, &mut words, &mut index), intern_in(u, &mut words, &mut index))
            })
            .collect();
        let product_containing = [
            intern_in("Product", &mut words, &mut index),
            intern_in("containing", &mut words, &mut index),
        ];
        let mut is_connector = vec![false; words.len()];
        for &c in &connectors {
            is_connector[c as usize] = true;
        }
        Vocab {
            words,
            zipf: rankable,
            qualifiers,
            connectors,
            heads,
            gb_us,
            product_containing,
            is_connector,
        }
    }

    #[inline]
    pub(crate) fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    #[inline]
    pub(crate) fn is_connector(&self, id: u32) -> bool {
        self.is_connector[id as usize]
    }

    /// A Zipf-distributed word.
    #[inline]
    pub(crate) fn zipf(&self, rng: &mut Rng) -> u32 {
        self.zipf[rng.zipf(self.zipf.len())]
    }

    #[inline]
    pub(crate) fn qualifier(&self, rng: &mut Rng) -> u32 {
        self.qualifiers[rng.index(self.qualifiers.len())]
    }

    #[inline]
    pub(crate) fn connector(&self, rng: &mut Rng) -> u32 {
        self.connectors[rng.index(self.connectors.len())]
    }

    #[inline]
    pub(crate) fn head(&self, pool: usize, rng: &mut Rng) -> u32 {
        let h = &self.heads[pool];
        h[rng.index(h.len())]
    }

    /// Number of distinct words.
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// Appends the words joined by spaces, with the first letter upper-cased.
    pub(crate) fn render(&self, tokens: &[u32], out: &mut String) {
        for (i, &t) in tokens.iter().enumerate() {
            let w = self.word(t);
            if i == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
            }
        }
    }

    /// An upper-case acronym from the initials of the non-connector words.
    pub(crate) fn acronym(&self, tokens: &[u32], out: &mut String) -> bool {
        let start = out.len();
        for &t in tokens {
            if self.is_connector(t) {
                continue;
            }
            if let Some(c) = self.word(t).chars().next()
                && c.is_ascii_alphabetic()
            {
                out.push(c.to_ascii_uppercase());
            }
        }
        if out.len() - start < 2 {
            out.truncate(start);
            false
        } else {
            true
        }
    }
}
