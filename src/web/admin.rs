//! Pieces the configuration pages share: names entered side by side in every interface language,
//! problems shown next to the field they concern, and posted forms read as pairs.

use std::collections::BTreeMap;

use crate::error::Problem;
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
