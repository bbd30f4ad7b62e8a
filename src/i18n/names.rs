//! Names of configured things (places, agencies) in several languages, stored as one JSON object
//! `{"en": "...", "fr": "...", "ar": "..."}`. Only the interface languages are kept, so that every
//! name an administrator enters can also be seen and corrected in the admin pages.

use std::collections::BTreeMap;

use serde_json::Value;

use super::SUPPORTED;
use crate::error::Problem;

/// Language code to name.
pub type Names = BTreeMap<String, String>;

/// A change to names: a language mapped to its new name, or to `None` to remove it.
pub type NamesPatch = BTreeMap<String, Option<String>>;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Reads stored names. A damaged value shows as no names (and is logged) rather than failing
/// every page that lists the place or agency.
pub fn parse(json: &str) -> Names {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "stored names are not a JSON object of strings");
        Names::new()
    })
}

pub fn to_json(names: &Names) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "{}".into())
}

/// The name to show in `lang`: that language, else English, else any.
pub fn pick<'a>(names: &'a Names, lang: &str) -> &'a str {
    names
        .get(lang)
        .or_else(|| names.get("en"))
        .or_else(|| names.values().next())
        .map(String::as_str)
        .unwrap_or("")
}

/// Why a single name is not acceptable, if it is not.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.chars().count() > MAX_NAME_CHARS {
        Some("too_long")
    } else if name.chars().any(char::is_control) {
        Some("control_characters")
    } else {
        None
    }
}

/// Reads a JSON object of names into a patch: a string sets the name (an empty one removes it),
/// `null` removes it; a key that is not an interface language is a problem. `field` is the API field (`name`) used to name problems.
pub fn patch_from_json(field: &str, value: &Value) -> Result<NamesPatch, Vec<Problem>> {
    let Some(object) = value.as_object() else {
        return Err(vec![Problem {
            field: field.to_owned(),
            kind: "not_object",
            message: format!("{field} must be an object of language codes to names"),
        }]);
    };
    let mut patch = NamesPatch::new();
    let mut problems = Vec::new();
    for (lang, v) in object {
        if !SUPPORTED.contains(&lang.as_str()) {
            problems.push(unknown_language(&format!("{field}.{lang}"), lang));
            continue;
        }
        match v {
            Value::String(s) => {
                patch.insert(lang.clone(), Some(s.clone()));
            }
            Value::Null => {
                patch.insert(lang.clone(), None);
            }
            _ => problems.push(Problem {
                field: format!("{field}.{lang}"),
                kind: "not_text",
                message: format!("{field}.{lang} must be text"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(patch)
    } else {
        Err(problems)
    }
}

fn unknown_language(path: &str, lang: &str) -> Problem {
    Problem {
        field: path.to_owned(),
        kind: "unknown_language",
        message: format!(
            "{lang} is not one of the interface languages ({})",
            SUPPORTED.join(", ")
        ),
    }
}

/// Applies a patch to names and checks the result: only interface languages, names within the
/// length limit and without control characters, English present when `english_required`, and
/// at least one name in any case.
pub fn apply(
    field: &str,
    current: &Names,
    patch: &NamesPatch,
    english_required: bool,
) -> Result<Names, Vec<Problem>> {
    let mut names = current.clone();
    let mut problems = Vec::new();
    for (lang, value) in patch {
        let path = format!("{field}.{lang}");
        if !SUPPORTED.contains(&lang.as_str()) {
            problems.push(unknown_language(&path, lang));
            continue;
        }
        let trimmed = value.as_deref().map(str::trim).unwrap_or_default();
        if trimmed.is_empty() {
            names.remove(lang);
            continue;
        }
        if let Some(kind) = name_problem(trimmed) {
            problems.push(Problem {
                field: path.clone(),
                kind,
                message: format!(
                    "{path} must have at most {MAX_NAME_CHARS} characters and no control characters"
                ),
            });
            continue;
        }
        names.insert(lang.clone(), trimmed.to_owned());
    }
    if problems.is_empty() {
        if english_required && !names.contains_key("en") {
            problems.push(Problem {
                field: format!("{field}.en"),
                kind: "required",
                message: format!("{field}.en (the English name) is required"),
            });
        } else if names.is_empty() {
            problems.push(Problem {
                field: field.to_owned(),
                kind: "required",
                message: format!("{field} needs a name in at least one language"),
            });
        }
    }
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems)
    }
}

/// The patch that sets every interface language from form fields named `name_<lang>`; an empty
/// field removes that language's name.
pub fn patch_from_form(pairs: &[(String, String)]) -> NamesPatch {
    SUPPORTED
        .iter()
        .map(|lang| {
            let key = format!("name_{lang}");
            let value = pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone());
            ((*lang).to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(items: &[(&str, Option<&str>)]) -> NamesPatch {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn patches_merge_trim_and_remove() {
        let current: Names = [("en".to_owned(), "North".to_owned())].into();
        let names = apply(
            "name",
            &current,
            &patch(&[("fr", Some("  Nord ")), ("ar", Some(""))]),
            true,
        )
        .unwrap();
        assert_eq!(names.get("fr").map(String::as_str), Some("Nord"));
        assert_eq!(names.len(), 2);
        let names = apply("name", &names, &patch(&[("fr", None)]), true).unwrap();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn problems_name_their_language() {
        let err = apply(
            "name",
            &Names::new(),
            &patch(&[("xx", Some("A")), ("fr", Some("a\u{7}b"))]),
            false,
        )
        .unwrap_err();
        let fields: Vec<_> = err.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name.fr", "name.xx"]);
        let err = apply("name", &Names::new(), &patch(&[("fr", Some("Nord"))]), true).unwrap_err();
        assert_eq!(err[0].field, "name.en");
        let err = apply("name", &Names::new(), &NamesPatch::new(), false).unwrap_err();
        assert_eq!(err[0].field, "name");
    }

    #[test]
    fn pick_falls_back_to_english_then_any() {
        let names: Names = [("ar".to_owned(), "شمال".to_owned())].into();
        assert_eq!(pick(&names, "fr"), "شمال");
        let names: Names = [
            ("en".to_owned(), "North".to_owned()),
            ("ar".to_owned(), "شمال".to_owned()),
        ]
        .into();
        assert_eq!(pick(&names, "fr"), "North");
        assert_eq!(pick(&names, "ar"), "شمال");
    }
}
