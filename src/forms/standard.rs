//! The standard child-protection case forms and code lists a fresh instance starts with
//! (`standard_case.json`, built from the reference case form). Installed once; after that they
//! are the administrators' to change.

use std::sync::LazyLock;

use super::catalog::References;
use super::{Catalog, FormSet};
use crate::error::{AppError, AppResult};

static STANDARD: LazyLock<Result<FormSet, String>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("standard_case.json")).map_err(|e| e.to_string())
});

static CASE_CATALOG: LazyLock<Result<Catalog, String>> = LazyLock::new(|| {
    let set = STANDARD.as_ref().map_err(Clone::clone)?;
    Ok(Catalog::new(
        "case",
        set.sections.clone(),
        set.lookups.clone(),
        References::default(),
    ))
});

/// The standard sections and lookups as shipped.
pub fn standard_set() -> AppResult<&'static FormSet> {
    STANDARD
        .as_ref()
        .map_err(|e| AppError::internal(format!("standard forms are invalid: {e}")))
}

/// The standard case form without reference data: for generating demo data and for tests.
pub fn case_catalog() -> AppResult<&'static Catalog> {
    CASE_CATALOG
        .as_ref()
        .map_err(|e| AppError::internal(format!("standard forms are invalid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::changes::check_set;

    #[test]
    fn standard_forms_are_consistent() {
        let set = standard_set().unwrap();
        let problems = check_set(&set.sections, &set.lookups);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn standard_forms_keep_the_first_case_form() {
        let c = case_catalog().unwrap();
        for name in [
            "name_first",
            "name_last",
            "sex",
            "age",
            "date_of_birth",
            "registration_date",
            "risk_level",
            "protection_concerns",
            "urgent_protection_concern",
            "family_details_section",
            "notes_section",
            "location_current",
            "nationality",
        ] {
            assert!(c.field(name).is_some(), "{name}");
        }
        assert_eq!(c.option_label("lookup-gender", "female", "fr"), "Féminin");
        assert_eq!(c.option_label("lookup-risk-level", "high", "ar"), "مرتفع");
        assert_eq!(
            c.option_label("lookup-risk-level", "unknown-x", "en"),
            "unknown-x"
        );
        let searchable: Vec<_> = c.searchable_fields().collect();
        for name in ["name_first", "name_last", "name_nickname"] {
            assert!(searchable.contains(&name), "{name} is searchable");
        }
    }

    #[test]
    fn every_label_is_in_english_and_french() {
        let set = standard_set().unwrap();
        fn fields(f: &[crate::forms::Field], out: &mut Vec<String>) {
            for field in f {
                for lang in ["en", "fr"] {
                    if field.label.exact(lang).is_empty() {
                        out.push(format!("{} {lang}", field.name));
                    }
                }
                fields(&field.fields, out);
            }
        }
        let mut missing = Vec::new();
        for s in &set.sections {
            fields(&s.fields, &mut missing);
        }
        for l in &set.lookups {
            for v in &l.values {
                if v.label.exact("fr").is_empty() {
                    missing.push(format!("{} {}", l.id, v.id));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
