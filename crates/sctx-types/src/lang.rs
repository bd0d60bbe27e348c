//! Language tags to ordered language-refset preference lists.

use crate::ids;

/// An ordered list of language reference sets: the first refset that has a preferred
/// synonym for a concept gives its preferred term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePreference {
    /// Refset ids, most preferred first.
    pub refsets: Vec<u64>,
    /// The ISO language code for descriptions without refset guidance (`en`).
    pub language: String,
}

/// A language tag sctx cannot turn into refsets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language tag {0:?} (try en-GB, en-US or en-x-<refsetId>)")]
pub struct LanguageTagError(pub String);

impl Default for LanguagePreference {
    /// en-GB: the NHS clinical refset, then the pharmacy part, then GB English, then US.
    fn default() -> Self {
        Self::en_gb()
    }
}

impl LanguagePreference {
    /// The refsets of [`LanguagePreference::en_gb`].
    pub const EN_GB_REFSETS: [u64; 4] =
        [ids::NHS_CLINICAL_LANG, ids::NHS_PHARMACY_LANG, ids::GB_ENGLISH, ids::US_ENGLISH];
    /// The refsets of [`LanguagePreference::en_us`].
    pub const EN_US_REFSETS: [u64; 2] = [ids::US_ENGLISH, ids::GB_ENGLISH];

    /// en-GB: NHS clinical, NHS pharmacy, GB English; US English as the last fallback.
    pub fn en_gb() -> Self {
        LanguagePreference { refsets: Self::EN_GB_REFSETS.to_vec(), language: "en".into() }
    }

    /// en-US: US English, then GB English as a fallback.
    pub fn en_us() -> Self {
        LanguagePreference { refsets: Self::EN_US_REFSETS.to_vec(), language: "en".into() }
    }

    /// Parses a language tag, or an HTTP `Accept-Language` value (first supported entry
    /// wins). `en` alone means en-GB for this UK-first server; `en-x-<refsetId>` (also
    /// `en-x-sctlang-<id>` as used by FHIR) selects a refset explicitly, with en-GB after it.
    pub fn parse(tag: &str) -> Result<Self, LanguageTagError> {
        let mut last_err = None;
        // Accept-Language: "en-US,en;q=0.9"
        let mut entries: Vec<(f32, &str)> = tag
            .split(',')
            .filter_map(|part| {
                let mut it = part.trim().split(';');
                let t = it.next()?.trim();
                if t.is_empty() {
                    return None;
                }
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, t))
            })
            .collect();
        entries.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (_, t) in entries {
            match Self::parse_one(t) {
                Ok(p) => return Ok(p),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| LanguageTagError(tag.to_owned())))
    }

    fn parse_one(tag: &str) -> Result<Self, LanguageTagError> {
        let lower = tag.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("en-x-") {
            let rest = rest.strip_prefix("sctlang-").unwrap_or(rest);
            let mut refsets = Vec::new();
            for part in rest.split('-') {
                let id = crate::SctId::parse(part).map_err(|_| LanguageTagError(tag.to_owned()))?;
                refsets.push(id.get());
            }
            for r in Self::en_gb().refsets {
                if !refsets.contains(&r) {
                    refsets.push(r);
                }
            }
            return Ok(LanguagePreference { refsets, language: "en".into() });
        }
        match lower.as_str() {
            "en-gb" | "en" | "*" | "en-uk" => Ok(Self::en_gb()),
            "en-us" => Ok(Self::en_us()),
            _ => Err(LanguageTagError(tag.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(LanguagePreference::parse("en-GB").unwrap().refsets[0], ids::NHS_CLINICAL_LANG);
        assert_eq!(LanguagePreference::parse("en-US").unwrap().refsets[0], ids::US_ENGLISH);
        assert_eq!(
            LanguagePreference::parse("en-x-900000000000509007").unwrap().refsets[0],
            ids::US_ENGLISH
        );
        assert_eq!(
            LanguagePreference::parse("fr-FR, en-US;q=0.8, en;q=0.5").unwrap().refsets[0],
            ids::US_ENGLISH
        );
        assert!(LanguagePreference::parse("fr").is_err());
        assert!(LanguagePreference::parse("en-x-123").is_err());
    }
}
