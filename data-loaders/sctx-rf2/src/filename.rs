//! The RF2 file-name grammar: `[x|z](sct|der)2_<ContentType>_<SubType>_<Country>_<Date>.txt`.

/// Release type of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReleaseType {
    /// All rows ever published.
    Full,
    /// Latest row per id.
    Snapshot,
    /// Rows changed since the previous release.
    Delta,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `sct2_Concept_*`
    Concept,
    /// `sct2_Description_*`
    Description,
    /// `sct2_TextDefinition_*`
    TextDefinition,
    /// `sct2_Relationship_*` (inferred)
    Relationship,
    /// `sct2_StatedRelationship_*`
    StatedRelationship,
    /// `sct2_RelationshipConcreteValues_*`
    ConcreteValues,
    /// `sct2_Identifier_*` (read but not stored)
    Identifier,
    /// Any refset file (`der2_<pattern>Refset_<Summary>...` or `sct2_sRefset_OWL...`).
    Refset {
        /// Extra column type letters (`c`, `i`, `s`).
        pattern: String,
        /// Refset type name, e.g. `Language`, `SimpleMap`, `ExtendedMap`.
        summary: String,
    },
}

/// A parsed RF2 file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The kind of content.
    pub kind: FileKind,
    /// Full, Snapshot or Delta.
    pub release_type: ReleaseType,
    /// `INT`, `GB1000000`, ...
    pub country_namespace: String,
    /// `YYYYMMDD` from the name.
    pub version_date: u32,
    /// The name with the release type and date removed: files with the same key are the
    /// same logical file in different release types.
    pub logical_key: String,
}

/// Parses an RF2 file name (the last path component). Returns `None` for files that are
/// not RF2 data files (readmes, PDFs, `doc_`/`res_` files, non-.txt files).
pub fn parse(name: &str) -> Option<FileName> {
    let stem = name.strip_suffix(".txt").or_else(|| name.strip_suffix(".TXT"))?;
    let stem = stem.strip_prefix('x').or_else(|| stem.strip_prefix('z')).unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    if parts.len() < 4 {
        return None;
    }
    let file_type = parts[0];
    if file_type != "sct2" && file_type != "der2" {
        return None;
    }
    let content_type = parts[1];
    let date_str = parts[parts.len() - 1];
    let country = parts[parts.len() - 2];
    let subtype = parts[2..parts.len() - 2].join("_");
    if date_str.len() != 8 || !date_str.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version_date: u32 = date_str.parse().ok()?;
    // release type: the last of Full/Snapshot/Delta inside the subtype
    let (rt, pos) = ["Snapshot", "Full", "Delta"]
        .iter()
        .filter_map(|t| subtype.rfind(t).map(|p| (*t, p)))
        .max_by_key(|(_, p)| *p)?;
    let release_type = match rt {
        "Snapshot" => ReleaseType::Snapshot,
        "Full" => ReleaseType::Full,
        _ => ReleaseType::Delta,
    };
    let summary_part = &subtype[..pos];
    let kind = if let Some(pattern) = content_type.strip_suffix("Refset") {
        if !pattern.bytes().all(|b| matches!(b, b'c' | b'i' | b's')) {
            return None;
        }
        // strip a known edition infix from the summary (e.g. ExtendedMapUKCL)
        let mut summary = summary_part.to_string();
        for infix in ["UKCL", "UKED", "UKCR", "UKDG", "UKPC", "MONO"] {
            if let Some(s) = summary.strip_suffix(infix) {
                summary = s.to_string();
            }
        }
        FileKind::Refset { pattern: pattern.to_string(), summary }
    } else {
        match content_type {
            "Concept" => FileKind::Concept,
            "Description" => FileKind::Description,
            "TextDefinition" => FileKind::TextDefinition,
            "Relationship" => FileKind::Relationship,
            "StatedRelationship" => FileKind::StatedRelationship,
            "RelationshipConcreteValues" => FileKind::ConcreteValues,
            "Identifier" => FileKind::Identifier,
            _ => return None,
        }
    };
    let logical_key = format!(
        "{}_{}_{}{}_{}",
        file_type,
        content_type,
        summary_part,
        &subtype[pos + rt.len()..],
        country
    );
    Some(FileName {
        kind,
        release_type,
        country_namespace: country.to_string(),
        version_date,
        logical_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_names() {
        let f = parse("sct2_Description_Snapshot-en_INT_20250701.txt").unwrap();
        assert_eq!(f.kind, FileKind::Description);
        assert_eq!(f.release_type, ReleaseType::Snapshot);
        assert_eq!(f.version_date, 20250701);
        let g = parse("sct2_Description_Full-en_INT_20250701.txt").unwrap();
        assert_eq!(f.logical_key, g.logical_key);

        let f = parse("der2_iisssciRefset_ExtendedMapUKCLSnapshot_GB1000000_20230215.txt").unwrap();
        assert_eq!(
            f.kind,
            FileKind::Refset { pattern: "iisssci".into(), summary: "ExtendedMap".into() }
        );
        assert_eq!(f.country_namespace, "GB1000000");

        let f = parse("sct2_Concept_MONOSnapshot_GB_20260311.txt").unwrap();
        assert_eq!(f.kind, FileKind::Concept);
        assert_eq!(f.release_type, ReleaseType::Snapshot);

        let f = parse("der2_Refset_SimpleDelta_INT_20180131.txt").unwrap();
        assert_eq!(f.kind, FileKind::Refset { pattern: "".into(), summary: "Simple".into() });
        assert_eq!(f.release_type, ReleaseType::Delta);

        let f = parse("sct2_sRefset_OWLExpressionSnapshot_INT_20250701.txt").unwrap();
        assert_eq!(
            f.kind,
            FileKind::Refset { pattern: "s".into(), summary: "OWLExpression".into() }
        );

        let f = parse("der2_cRefset_LanguageSnapshot-en-GB_GB1000000_20180401.txt").unwrap();
        assert!(matches!(f.kind, FileKind::Refset { ref summary, .. } if summary == "Language"));
        let f =
            parse("xder2_iisssciRefset_ICD10FourthEditionComplexMapFull_GB1000000_20140401.txt")
                .unwrap();
        assert_eq!(f.release_type, ReleaseType::Full);
        assert!(parse("Readme_en_20250701.txt").is_none());
        assert!(parse("doc_Icd10MapTechnicalGuide_Current-en-US_INT_20250701.pdf").is_none());
        assert!(parse("sct2_Concept_Snapshot_INT_2025.txt").is_none());
    }
}
