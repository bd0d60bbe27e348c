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
/// prefix postings, or the `prefix` field of older indexes). Longer query tokens are
/// expanded to the whole words that start with them instead (a range of the whole-word keys
/// in the prefix postings, or the `words` field's term dictionary in older indexes): few
/// words share a prefix that long, while most of the indexing
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
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) joined: String,
    pub(crate) parts: Vec<String>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{00B4}' | '\u{02BC}')
}

/// Reusable buffers for analysing terms, the one implementation of the rules above.
///
/// An import analyses every description (1.6M on the International edition): kept between
/// terms, these buffers make that free of allocations (a `String` per word and per field
/// value was 30 allocations per description, a tenth of the index build's CPU).
#[derive(Default)]
pub(crate) struct Analyser {
    folded: String,
    /// Every word form, space separated: each word's joined form, then its parts.
    forms: String,
    /// Per word: the byte range of its joined form in `forms` and its number of parts.
    words: Vec<(u32, u32, u32)>,
    /// Byte offsets in `forms` where the current word's parts after the first begin.
    part_starts: Vec<u32>,
    first: String,
    prefixes: String,
    exact: String,
    /// For text that is not ASCII (built on first use).
    folder: Option<TextAnalyzer>,
}

impl std::fmt::Debug for Analyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyser").field("forms", &self.forms).finish_non_exhaustive()
    }
}

/// Field values derived from one term (borrowed from an [`Analyser`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexedText<'a> {
    /// Every word form, space separated.
    pub(crate) words: &'a str,
    /// Edge n-grams (1..=[`PREFIX_EDGE`] characters) of every word form (empty unless
    /// asked for).
    pub(crate) prefixes: &'a str,
    /// Edge n-grams (1..=[`PREFIX_EDGE`], only when asked for) and whole forms longer than
    /// that of the first word.
    pub(crate) first: &'a str,
    /// How many of the forms in `words` are the first word's.
    pub(crate) first_forms: usize,
    /// The normalised term (joined forms, in order).
    pub(crate) exact: &'a str,
}

impl Analyser {
    /// Lower-cases and folds `text` to ASCII where possible, into `self.folded`.
    fn fold(&mut self, text: &str) {
        self.folded.clear();
        if text.is_ascii() {
            self.folded.push_str(text);
            self.folded.make_ascii_lowercase();
            return;
        }
        let folder = self.folder.get_or_insert_with(|| {
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build()
        });
        let mut stream = folder.token_stream(text);
        while let Some(token) = stream.next() {
            self.folded.push_str(&token.text);
        }
    }

    /// Splits `text` into normalised words: afterwards `forms` holds them and
    /// [`Self::joined`] lists each word's joined form.
    pub(crate) fn split(&mut self, text: &str) {
        self.fold(text);
        self.forms.clear();
        self.words.clear();
        self.part_starts.clear();
        let folded = std::mem::take(&mut self.folded);
        if folded.is_ascii() {
            self.split_ascii(&folded);
        } else {
            self.split_chars(&folded);
        }
        self.folded = folded;
    }

    /// [`Self::split`] of folded text, character by character.
    fn split_chars(&mut self, folded: &str) {
        // where the current word's separator (or the word, if first) starts in `forms`; the
        // word itself; the run of alphanumerics not yet copied (from `run` in `folded`)
        let mut sep_at = 0usize;
        let mut word_at: Option<usize> = None;
        let mut run: Option<usize> = None;
        let mut chars = folded.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                if word_at.is_none() {
                    sep_at = self.forms.len();
                    if !self.forms.is_empty() {
                        self.forms.push(' ');
                    }
                    word_at = Some(self.forms.len());
                }
                run.get_or_insert(i);
                continue;
            }
            if let Some(r) = run.take() {
                self.forms.push_str(&folded[r..i]);
            }
            if is_apostrophe(c)
                && word_at.is_some()
                && chars.peek().is_some_and(|(_, n)| n.is_alphanumeric())
            {
                self.part_starts.push(self.forms.len() as u32);
            } else if let Some(at) = word_at.take() {
                self.end_word(sep_at, at);
            }
        }
        if let Some(r) = run {
            self.forms.push_str(&folded[r..]);
        }
        if let Some(at) = word_at {
            self.end_word(sep_at, at);
        }
    }

    /// [`Self::split`] of folded text that is all ASCII (nearly every term): the same rules
    /// on bytes, without decoding characters or the Unicode tables.
    fn split_ascii(&mut self, folded: &str) {
        let b = folded.as_bytes();
        let mut sep_at = 0usize;
        let mut word_at: Option<usize> = None;
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_alphanumeric() {
                let run = i;
                while i < b.len() && b[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                if word_at.is_none() {
                    sep_at = self.forms.len();
                    if !self.forms.is_empty() {
                        self.forms.push(' ');
                    }
                    word_at = Some(self.forms.len());
                }
                // ASCII: every index is a character boundary
                self.forms.push_str(folded.get(run..i).unwrap_or_default());
                continue;
            }
            let c = b[i];
            i += 1;
            if matches!(c, b'\'' | b'`')
                && word_at.is_some()
                && b.get(i).is_some_and(u8::is_ascii_alphanumeric)
            {
                self.part_starts.push(self.forms.len() as u32);
            } else if let Some(at) = word_at.take() {
                self.end_word(sep_at, at);
            }
        }
        if let Some(at) = word_at {
            self.end_word(sep_at, at);
        }
    }

    /// Ends the word written at `at..` in `forms` (after its separator at `sep_at`): drops
    /// it when too long, else records it and appends its apostrophe-separated parts ("crohn"
    /// of "crohns"; a trailing possessive "s" is not a part).
    fn end_word(&mut self, sep_at: usize, at: usize) {
        let end = self.forms.len();
        if end - at > MAX_WORD_BYTES {
            self.forms.truncate(sep_at);
            self.part_starts.clear();
            return;
        }
        let mut parts = 0u32;
        if !self.part_starts.is_empty() {
            let n = self.part_starts.len() + 1;
            for i in 0..n {
                let s = if i == 0 { at } else { self.part_starts[i - 1] as usize };
                let e = if i + 1 == n { end } else { self.part_starts[i] as usize };
                if s == e || (i + 1 == n && &self.forms[s..e] == "s") {
                    continue;
                }
                self.forms.push(' ');
                self.forms.extend_from_within(s..e);
                parts += 1;
            }
            self.part_starts.clear();
        }
        self.words.push((at as u32, end as u32, parts));
    }

    /// The joined form of every word of the last split text, in order.
    pub(crate) fn joined(&self) -> impl Iterator<Item = &str> + '_ {
        self.words.iter().map(|&(s, e, _)| &self.forms[s as usize..e as usize])
    }

    /// The words of the last split text, with their parts.
    #[cfg(test)]
    fn owned_words(&self) -> Vec<Word> {
        let mut forms = self.forms.split(' ').filter(|f| !f.is_empty());
        self.words
            .iter()
            .map(|&(_, _, parts)| Word {
                joined: forms.next().unwrap_or_default().to_string(),
                parts: forms.by_ref().take(parts as usize).map(str::to_string).collect(),
            })
            .collect()
    }

    /// Computes the indexed field values of `term`. With `with_prefixes` (the fallback
    /// build), the edge n-grams of every word ([`IndexedText::prefixes`]) and of the first
    /// word (in [`IndexedText::first`]) are field values; without, current indexes keep
    /// both in [`crate::prefixes`], built from [`IndexedText::words`] and
    /// [`IndexedText::first_forms`], and `first` holds only the whole first-word forms longer
    /// than the edges.
    pub(crate) fn index_text(&mut self, term: &str, with_prefixes: bool) -> IndexedText<'_> {
        self.split(term);
        self.first.clear();
        self.prefixes.clear();
        self.exact.clear();
        let first_forms = self.words.first().map_or(0, |w| 1 + w.2 as usize);
        let forms = &self.forms;
        let first = || forms.split(' ').filter(|f| !f.is_empty()).take(first_forms);
        if with_prefixes {
            let all: Vec<&str> = forms.split(' ').filter(|f| !f.is_empty()).collect();
            let mut edges = Vec::with_capacity(all.len() * PREFIX_EDGE);
            distinct_edges(&all, PREFIX_EDGE, &mut edges);
            join_into(&mut self.prefixes, edges);
            let mut edges = Vec::new();
            distinct_edges(&first().collect::<Vec<_>>(), PREFIX_EDGE, &mut edges);
            join_into(&mut self.first, edges);
        }
        // whole forms longer than the edges (shorter ones are edges already)
        for (k, form) in first().enumerate() {
            if form.chars().nth(PREFIX_EDGE).is_some() && !first().take(k).any(|f| f == form) {
                join_into(&mut self.first, [form]);
            }
        }
        for (s, e, _) in &self.words {
            join_into(&mut self.exact, [&self.forms[*s as usize..*e as usize]]);
        }
        let exact_len = truncated_len(&self.exact);
        IndexedText {
            words: &self.forms,
            prefixes: &self.prefixes,
            first: &self.first,
            first_forms,
            exact: &self.exact[..exact_len],
        }
    }
}

/// Splits `text` into normalised words.
#[cfg(test)]
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut a = Analyser::default();
    a.split(text);
    a.owned_words()
}

/// Query tokens: the joined form of every word, in order.
pub(crate) fn query_tokens(text: &str) -> Vec<String> {
    let mut a = Analyser::default();
    a.split(text);
    a.joined().map(str::to_string).collect()
}

/// The normalised form of a whole term or query, used for exact matching.
pub(crate) fn exact_key(tokens: &[String]) -> String {
    let mut key = tokens.join(" ");
    key.truncate(truncated_len(&key));
    key
}

/// The length of `key` cut to at most [`MAX_EXACT_BYTES`] (on a character boundary).
fn truncated_len(key: &str) -> usize {
    let mut end = key.len().min(MAX_EXACT_BYTES);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Returns `token` cut to at most `max` characters.
pub(crate) fn truncate_chars(token: &str, max: usize) -> &str {
    match token.char_indices().nth(max) {
        Some((end, _)) => &token[..end],
        None => token,
    }
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

/// Appends `parts` to `out`, each after a single space unless `out` is empty.
fn join_into<'a>(out: &mut String, parts: impl IntoIterator<Item = &'a str>) {
    for p in parts {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_text(term: &str, with_prefixes: bool) -> (String, String, String, String) {
        let mut a = Analyser::default();
        let t = a.index_text(term, with_prefixes);
        (t.words.into(), t.prefixes.into(), t.first.into(), t.exact.into())
    }

    /// The byte-wise split of ASCII text makes the same words, parts and buffers as the
    /// character-wise one, for random text of letters, digits, apostrophes, separators and
    /// over-long words, split by one reused analyser each.
    #[test]
    fn ascii_split_agrees_with_the_character_split() {
        let alphabet = b"ab z9'` -/.()'";
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut by_bytes, mut by_chars) = (Analyser::default(), Analyser::default());
        for _ in 0..20_000 {
            let len = (next() % 90) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let k = (next() % 20) as usize;
                    if k == 19 {
                        // a long run of letters now and then (words over the limit)
                        return 'a';
                    }
                    alphabet[k % alphabet.len()] as char
                })
                .collect();
            let text = if next() % 7 == 0 { text.replace('a', &"a".repeat(40)) } else { text };
            for a in [&mut by_bytes, &mut by_chars] {
                a.forms.clear();
                a.words.clear();
                a.part_starts.clear();
            }
            by_bytes.split_ascii(&text);
            by_chars.split_chars(&text);
            assert_eq!(by_bytes.forms, by_chars.forms, "{text:?}");
            assert_eq!(by_bytes.words, by_chars.words, "{text:?}");
            assert_eq!(by_bytes.part_starts, by_chars.part_starts, "{text:?}");
        }
    }

    #[test]
    fn a_reused_analyser_answers_as_a_fresh_one() {
        let terms = [
            "O'Brien's test of Sjögren's syndrome",
            "Crohn\u{2019}s",
            "",
            "ab'cd'ef'gh'ij'kl'mn'op'qr'st'uv'wx'yz'abcdefghijabcdefghijabcdefghijabcdefghijabcdefg",
            "MI - Myocardial infarction",
            "Ménière's disease",
        ];
        let mut reused = Analyser::default();
        for term in terms.iter().chain(terms.iter().rev()) {
            for p in [false, true] {
                let mut fresh = Analyser::default();
                let (a, b) = (reused.index_text(term, p), fresh.index_text(term, p));
                assert_eq!(
                    (a.words, a.prefixes, a.first, a.first_forms, a.exact),
                    (b.words, b.prefixes, b.first, b.first_forms, b.exact),
                    "{term:?}"
                );
            }
        }
        // a word over the length limit is dropped with its separator and its parts
        let long = format!("alpha {}'s beta", "x".repeat(MAX_WORD_BYTES));
        let t = reused.index_text(&long, false);
        assert_eq!((t.words, t.exact, t.first_forms), ("alpha beta", "alpha beta", 1));
    }

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
        let (words, _, first, exact) = index_text("O'Brien's test", true);
        assert_eq!(words, "obriens o brien test");
        assert_eq!(exact, "obriens test");
        assert!(first.split(' ').any(|p| p == "bri"));
        // A trailing or leading apostrophe is a separator.
        assert_eq!(query_tokens("'crohns'"), vec!["crohns"]);
    }

    #[test]
    fn edges_are_distinct_without_sorting() {
        let (_, prefixes, _, _) = index_text("Acute abdominal pain in adults, abdominal", true);
        let grams: Vec<&str> = prefixes.split(' ').collect();
        let mut sorted = grams.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(grams.len(), sorted.len(), "no duplicates: {grams:?}");
        for g in ["a", "ac", "acute", "ab", "abdom", "ad", "adult", "p", "pain", "i", "in"] {
            assert!(grams.contains(&g), "{g} in {grams:?}");
        }
        let (_, _, first, _) = index_text("Crohn's disease", true);
        let first: Vec<&str> = first.split(' ').collect();
        assert_eq!(first, vec!["c", "cr", "cro", "croh", "crohn", "crohns"]);
        let (_, _, first, _) = index_text("Ménière's disease", true);
        let first: Vec<&str> = first.split(' ').collect();
        assert_eq!(first, vec!["m", "me", "men", "meni", "menie", "menieres", "meniere"]);
    }

    #[test]
    fn edge_ngrams_are_bounded() {
        let (_, prefixes, first, _) = index_text("Appendicectomy", true);
        let grams: Vec<&str> = prefixes.split(' ').collect();
        assert!(grams.contains(&"a"));
        assert!(grams.contains(&"appen"));
        assert!(!grams.contains(&"append"));
        let first: Vec<&str> = first.split(' ').collect();
        assert!(first.contains(&"appen"));
        assert!(first.contains(&"appendicectomy"), "the whole first word");
        assert!(!first.contains(&"append"));
        assert_eq!(truncate_chars("appendicectomy", OLD_FIRST_EDGE), "appendicec");
        assert_eq!(truncate_chars("mi", OLD_FIRST_EDGE), "mi");
    }
}
