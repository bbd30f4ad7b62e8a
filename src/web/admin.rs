//! Pieces the configuration pages share: names entered side by side in every interface language,
//! problems shown next to the field they concern, and posted forms read as pairs.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;

use crate::error::{AppError, ErrorCode, Problem};
use crate::i18n::names::Names;
use crate::i18n::{self, Lang};

/// One language's name input.
pub struct NameInput {
    pub lang: &'static str,
    /// The language's own name, as the label.
    pub label: &'static str,
    pub dir: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// An input per interface language, filled from `names`, with the problems about each (a
/// problem with the names as a whole, field `name`, is shown once above them).
pub fn name_inputs(names: &Names, errors: &BTreeMap<String, String>) -> Vec<NameInput> {
    i18n::SUPPORTED
        .iter()
        .map(|code| NameInput {
            lang: code,
            label: i18n::native_name(code),
            dir: Lang::new(code).dir(),
            value: names.get(*code).cloned().unwrap_or_default(),
            error: errors.get(&format!("name.{code}")).cloned(),
        })
        .collect()
}

/// The text of a problem in `lang`: the translation of its kind when the catalogue has one, its
/// English message otherwise.
pub fn problem_text(lang: &Lang, p: &Problem) -> String {
    lang.try_t(&format!("admin-problem-{}", p.kind.replace('_', "-")))
        .unwrap_or_else(|| p.message.clone())
}

/// Problems by field, translated.
pub fn errors_by_field(lang: &Lang, problems: &[Problem]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for p in problems {
        out.entry(p.field.clone())
            .or_insert_with(|| problem_text(lang, p));
    }
    out
}

/// A URL-encoded form body as pairs, keeping repeated keys (tick boxes).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of a form field, trimmed; empty if absent.
pub fn form_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A path segment for a code: codes may hold characters that URLs reserve.
pub fn segment(code: &str) -> String {
    url::form_urlencoded::byte_serialize(code.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Why a posted change was not made, as its form shows it: problems beside the fields, or the
/// refusal of a rule (the domain's own sentence, which names no internals) above the form.
#[derive(Debug, Default)]
pub enum Trouble {
    #[default]
    None,
    Problems(Vec<Problem>),
    Refused(String),
}

impl Trouble {
    /// Sorts an error from a change into what its form shows. `taken` is the field and problem
    /// kind a conflict is about (a name already used), or `None` when a conflict is a refusal.
    /// Any other error is not the form's to show and is handed back.
    pub fn from_error(e: AppError, taken: Option<(&str, &'static str)>) -> Result<Self, AppError> {
        match (e.code, taken) {
            (ErrorCode::Invalid, _) if e.problems.is_empty() => Ok(Self::Problems(vec![Problem {
                field: e.field.clone().unwrap_or_default(),
                kind: "invalid",
                message: e.message,
            }])),
            (ErrorCode::Invalid, _) => Ok(Self::Problems(e.problems)),
            (ErrorCode::Conflict, Some((field, kind))) => Ok(Self::Problems(vec![Problem {
                field: field.to_owned(),
                kind,
                message: e.message,
            }])),
            (ErrorCode::Forbidden | ErrorCode::Conflict, _) => Ok(Self::Refused(e.message)),
            _ => Err(e),
        }
    }

    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Problems(p) => p,
            _ => &[],
        }
    }

    pub fn refusal(&self) -> Option<String> {
        match self {
            Self::Refused(message) => Some(message.clone()),
            _ => None,
        }
    }

    /// The status of the re-rendered form.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::None => StatusCode::OK,
            Self::Problems(_) => ErrorCode::Invalid.status(),
            Self::Refused(_) => ErrorCode::Forbidden.status(),
        }
    }
}

/// A choice in a select or a group of radio buttons.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The first value of a query-string or form field, trimmed, if not empty.
pub fn optional_value(pairs: &[(String, String)], key: &str) -> Option<String> {
    Some(form_value(pairs, key)).filter(|v| !v.is_empty())
}

/// Every value of a repeated field (tick boxes).
pub fn form_values(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// Whether the form sent the field at all.
pub fn has_field(pairs: &[(String, String)], key: &str) -> bool {
    pairs.iter().any(|(k, _)| k == key)
}
