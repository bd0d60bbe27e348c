//! Text normalisation shared by indexing and querying.
//!
//! All folding happens here, in Rust, so the index and the query side can never disagree:
//! the index fields hold space-separated, already-normalised tokens and use a plain whitespace
//! tokenizer.
//!
//! Rules:
//! - lower-case, then fold accents and ligatures to ASCII (tantivy's `AsciiFoldingFilter`):
//!   "Sjögren" → "sjogren", "Ménière" → "meniere";
//! - words are maximal runs of alphanumeric characters; everything else (space, hyphen, slash,
//!   brackets, dots, ...) separates words;
//! - an apostrophe between two alphanumerics joins them: "Crohn's" → "crohns". On the index
//!   side the parts are added as well ("crohn"; a trailing possessive "s" is dropped), so both
//!   "crohns" and "crohn" find "Crohn's disease".

use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer};

/// Longest first-word prefix indexed as an edge n-gram by indexes written before the
/// `firstw` payload word; current indexes hold the first word's edges up to
/// [`PREFIX_EDGE`] and the whole first word instead (longer typed prefixes expand through
/// the field's term dictionary, as for the `words` field). The edges of lengths 6 to 10 were
/// a tenth of all indexed tokens, and mostly rare ones.
pub(crate) const OLD_FIRST_EDGE: usize = 10;

/// Longest prefix, in characters, that is indexed as an edge n-gram of every word (the
/// `prefix` field). Longer query tokens are expanded against the term dictionary of the
/// whole-word field instead: few words share a prefix that long, while most of the indexing
/// work (and index size) would go into those longer n-grams. Five: at four, a query of three
/// five-letter prefixes intersected three unions of word postings and was the slowest
/// tenth of searches (BENCHMARKS.md). The value is recorded in the index (`edgeN` in the
/// commit payload) so an index built with another value is still read correctly.
pub(crate) const PREFIX_EDGE: usize = 5;

/// Words longer than this (in bytes) are not indexed (they are never typed into a search box).
const MAX_WORD_BYTES: usize = 64;

/// Longest normalised term (in bytes) stored in the exact-match field.
pub(crate) const MAX_EXACT_BYTES: usize = 512;

/// One word of a term: its joined form plus, when it contained apostrophes, its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) joined: String,
    pub(crate) parts: Vec<String>,
}

/// Lower-cases and folds `text` to ASCII where possible.
pub(crate) fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(text);
    let mut out = String::with_capacity(text.len());
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{00B4}' | '\u{02BC}')
}

/// Splits `text` into normalised words.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let folded = fold(text);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut parts: Vec<String> = Vec::new();
    let mut part = String::new();
    let mut flush = |current: &mut String, parts: &mut Vec<String>, part: &mut String| {
        if !current.is_empty() && current.len() <= MAX_WORD_BYTES {
            let mut word = Word { joined: std::mem::take(current), parts: Vec::new() };
            if !parts.is_empty() {
                let last = std::mem::take(part);
                parts.push(last);
                let n = parts.len();
                for (i, p) in parts.drain(..).enumerate() {
                    // "crohn's" → keep "crohn", drop the possessive "s".
                    if p.is_empty() || (i + 1 == n && p == "s") {
                        continue;
                    }
                    word.parts.push(p);
                }
            }
            out.push(word);
        }
        current.clear();
        parts.clear();
        part.clear();
    };
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            current.push(c);
            part.push(c);
        } else if is_apostrophe(c)
            && !current.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            parts.push(std::mem::take(&mut part));
        } else {
            flush(&mut current, &mut parts, &mut part);
        }
    }
    flush(&mut current, &mut parts, &mut part);
    out
}

/// Query tokens: the joined form of every word, in order.
pub(crate) fn query_tokens(text: &str) -> Vec<String> {
    words(text).into_iter().map(|w| w.joined).collect()
}

/// The normalised form of a whole term or query, used for exact matching.
pub(crate) fn exact_key(tokens: &[String]) -> String {
    truncate_key(tokens.join(" "))
}

/// `key` cut to at most [`MAX_EXACT_BYTES`] (on a character boundary).
fn truncate_key(mut key: String) -> String {
    if key.len() > MAX_EXACT_BYTES {
        let mut end = MAX_EXACT_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

/// Returns `token` cut to at most `max` characters.
pub(crate) fn truncate_chars(token: &str, max: usize) -> &str {
    match token.char_indices().nth(max) {
        Some((end, _)) => &token[..end],
        None => token,
    }
}

/// Field values derived from one term.
#[derive(Debug, Default)]
pub(crate) struct IndexedText {
    /// Every word form, space separated.
    pub(crate) words: String,
    /// Edge n-grams (1..=[`PREFIX_EDGE`] characters) of every word form (empty unless
    /// asked for).
    pub(crate) prefixes: String,
    /// Edge n-grams (1..=[`PREFIX_EDGE`], only when asked for) and whole forms longer than
    /// that of the first word.
    pub(crate) first: String,
    /// How many of the forms in `words` are the first word's.
    pub(crate) first_forms: usize,
    /// The normalised term (joined forms, in order).
    pub(crate) exact: String,
}

/// Pushes the edge n-grams of `form` from `skip + 1` up to `max` characters.
fn push_edges<'a>(form: &'a str, skip: usize, max: usize, out: &mut Vec<&'a str>) {
    for (n, (i, c)) in form.char_indices().enumerate() {
        if n >= max {
            break;
        }
        if n >= skip {
            out.push(&form[..i + c.len_utf8()]);
        }
    }
}

/// Number of leading characters `a` and `b` share, up to `max`.
fn shared_chars(a: &str, b: &str, max: usize) -> usize {
    a.chars().zip(b.chars()).take(max).take_while(|(x, y)| x == y).count()
}

/// The distinct edge n-grams (up to `max` characters) of `forms`, in order: each form adds
/// only the edges longer than its longest shared prefix with an earlier form (no sort; the
/// sort-and-dedup of every term's edges was 5% of the index build).
fn distinct_edges<'a>(forms: &[&'a str], max: usize, out: &mut Vec<&'a str>) {
    for (k, form) in forms.iter().enumerate() {
        let skip = forms[..k].iter().map(|f| shared_chars(f, form, max)).max().unwrap_or(0);
        push_edges(form, skip, max, out);
    }
}

/// Joins `parts` with single spaces into a new string.
fn join(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

/// Computes the indexed field values of `term`. With `with_prefixes` (the fallback build),
/// the edge n-grams of every word ([`IndexedText::prefixes`]) and of the first word (in
/// [`IndexedText::first`]) are field values; without, current indexes keep both in
/// [`crate::prefixes`], built from [`IndexedText::words`] and
/// [`IndexedText::first_forms`], and `first` holds only the whole first-word forms longer
/// than the edges.
pub(crate) fn index_text(term: &str, with_prefixes: bool) -> IndexedText {
    let words = words(term);
    let mut forms: Vec<&str> = Vec::new();
    for w in &words {
        forms.push(&w.joined);
        forms.extend(w.parts.iter().map(String::as_str));
    }
    let mut prefixes: Vec<&str> = Vec::new();
    if with_prefixes {
        prefixes.reserve(forms.len() * PREFIX_EDGE);
        distinct_edges(&forms, PREFIX_EDGE, &mut prefixes);
    }
    let mut first: Vec<&str> = Vec::new();
    if let Some(w) = words.first() {
        let first_forms: Vec<&str> =
            std::iter::once(w.joined.as_str()).chain(w.parts.iter().map(String::as_str)).collect();
        if with_prefixes {
            distinct_edges(&first_forms, PREFIX_EDGE, &mut first);
        }
        // whole forms longer than the edges (shorter ones are edges already)
        for (k, form) in first_forms.iter().enumerate() {
            if form.chars().nth(PREFIX_EDGE).is_some() && !first_forms[..k].contains(form) {
                first.push(form);
            }
        }
    }
    let joined: Vec<&str> = words.iter().map(|w| w.joined.as_str()).collect();
    let first_forms = words.first().map_or(0, |w| 1 + w.parts.len());
    IndexedText {
        first_forms,
        words: join(&forms),
        prefixes: join(&prefixes),
        first: join(&first),
        exact: truncate_key(join(&joined)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(query_tokens("Sjögren's Syndrome"), vec!["sjogrens", "syndrome"]);
        assert_eq!(query_tokens("Ménière"), vec!["meniere"]);
    }

    #[test]
    fn splits_hyphens_slashes_punctuation() {
        assert_eq!(
            query_tokens("Beta-blocker/ACE (inhibitor)"),
            vec!["beta", "blocker", "ace", "inhibitor"]
        );
    }

    #[test]
    fn apostrophes_join_and_split_on_the_index_side() {
        let w = words("Crohn\u{2019}s disease");
        assert_eq!(w[0].joined, "crohns");
        assert_eq!(w[0].parts, vec!["crohn"]);
        let t = index_text("O'Brien's test", true);
        assert_eq!(t.words, "obriens o brien test");
        assert_eq!(t.exact, "obriens test");
        assert!(t.first.split(' ').any(|p| p == "bri"));
        // A trailing or leading apostrophe is a separator.
        assert_eq!(query_tokens("'crohns'"), vec!["crohns"]);
    }

    #[test]
    fn edges_are_distinct_without_sorting() {
        let t = index_text("Acute abdominal pain in adults, abdominal", true);
        let grams: Vec<&str> = t.prefixes.split(' ').collect();
        let mut sorted = grams.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(grams.len(), sorted.len(), "no duplicates: {grams:?}");
        for g in ["a", "ac", "acute", "ab", "abdom", "ad", "adult", "p", "pain", "i", "in"] {
            assert!(grams.contains(&g), "{g} in {grams:?}");
        }
        let t = index_text("Crohn's disease", true);
        let first: Vec<&str> = t.first.split(' ').collect();
        assert_eq!(first, vec!["c", "cr", "cro", "croh", "crohn", "crohns"]);
        let t = index_text("Ménière's disease", true);
        let first: Vec<&str> = t.first.split(' ').collect();
        assert_eq!(first, vec!["m", "me", "men", "meni", "menie", "menieres", "meniere"]);
    }

    #[test]
    fn edge_ngrams_are_bounded() {
        let t = index_text("Appendicectomy", true);
        let grams: Vec<&str> = t.prefixes.split(' ').collect();
        assert!(grams.contains(&"a"));
        assert!(grams.contains(&"appen"));
        assert!(!grams.contains(&"append"));
        let first: Vec<&str> = t.first.split(' ').collect();
        assert!(first.contains(&"appen"));
        assert!(first.contains(&"appendicectomy"), "the whole first word");
        assert!(!first.contains(&"append"));
        assert_eq!(truncate_chars("appendicectomy", OLD_FIRST_EDGE), "appendicec");
        assert_eq!(truncate_chars("mi", OLD_FIRST_EDGE), "mi");
    }
}
