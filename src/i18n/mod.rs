//! Translations. Every UI string comes from the Fluent catalogues under `locales/`, embedded in
//! the binary at compile time.

pub mod names;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around placeables would show up inside HTML attributes and
        // form values; the page's own dir attribute handles direction.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Languages the UI is offered in, in the order the language menu lists them.
pub const SUPPORTED: &[&str] = &["en", "fr", "ar"];

/// Languages written right to left.
const RIGHT_TO_LEFT: &[&str] = &["ar", "ckb", "ku", "ps", "fa", "ur", "he"];

pub fn is_supported(code: &str) -> bool {
    SUPPORTED.contains(&code)
}

/// The language of one response.
#[derive(Debug, Clone)]
pub struct Lang {
    code: &'static str,
    id: LanguageIdentifier,
}

impl Lang {
    pub fn new(code: &str) -> Self {
        let code = SUPPORTED
            .iter()
            .copied()
            .find(|c| *c == code)
            .unwrap_or("en");
        let id = code.parse().unwrap_or_default();
        Self { code, id }
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// `rtl` or `ltr`, for the `dir` attribute.
    pub fn dir(&self) -> &'static str {
        if RIGHT_TO_LEFT.contains(&self.code) {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The translated text for a key. A missing key shows the key itself (and the catalogue test
    /// fails), never a panic.
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.id, key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The translated text, if the catalogue has the key (for optional keys such as the names
    /// of seeded roles; a role created later keeps its stored name).
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.id, key)
    }

    /// The translated text with named arguments.
    pub fn t_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| {
                // `count` selects plural forms, which needs a number; every other argument is
                // text (an id such as "000123" must keep its zeros).
                let value = match (*k, v.parse::<f64>()) {
                    ("count", Ok(n)) => FluentValue::from(n),
                    _ => FluentValue::from(*v),
                };
                (std::borrow::Cow::Owned((*k).to_owned()), value)
            })
            .collect();
        LOCALES
            .try_lookup_with_args(&self.id, key, &args)
            .unwrap_or_else(|| key.to_owned())
    }
}

/// A language's name in that language, for the language menu.
pub fn native_name(code: &str) -> &'static str {
    match code {
        "en" => "English",
        "fr" => "Français",
        "ar" => "العربية",
        _ => "English",
    }
}

/// Picks the response language: the user's profile, then an explicit choice made before signing
/// in, then the browser's `Accept-Language`, then the instance default.
pub fn negotiate(
    profile: Option<&str>,
    chosen: Option<&str>,
    accept_language: Option<&str>,
    default: &str,
) -> Lang {
    for code in [profile, chosen].into_iter().flatten() {
        if is_supported(code) {
            return Lang::new(code);
        }
    }
    if let Some(header) = accept_language {
        let requested = fluent_langneg::accepted_languages::parse(header);
        let available: Vec<LanguageIdentifier> =
            SUPPORTED.iter().filter_map(|c| c.parse().ok()).collect();
        let default_id: Option<LanguageIdentifier> = default.parse().ok();
        let picked = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            default_id.as_ref(),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        if let Some(first) = picked.first() {
            return Lang::new(first.language.as_str());
        }
    }
    Lang::new(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of the English catalogue exists in every other language, and no language has
    /// keys English lacks.
    #[test]
    fn catalogues_are_complete() {
        // Every catalogue file of a language, in one text.
        let keys = |code: &str| -> Vec<String> {
            let dir = format!("{}/locales/{code}", env!("CARGO_MANIFEST_DIR"));
            let mut text = String::new();
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "ftl") {
                    text.push_str(&std::fs::read_to_string(path).unwrap());
                    text.push('\n');
                }
            }
            let mut keys: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap().trim().to_owned())
                .collect();
            keys.sort();
            keys
        };
        let english = keys("en");
        assert!(english.len() > 40, "English catalogue looks empty");
        for code in SUPPORTED.iter().filter(|c| **c != "en") {
            let other = keys(code);
            let missing: Vec<_> = english.iter().filter(|k| !other.contains(k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !english.contains(k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            assert!(extra.is_empty(), "{code} has unknown keys {extra:?}");
            for key in &english {
                let args = [
                    ("name", "x"),
                    ("min", "12"),
                    ("count", "3"),
                    ("page", "1"),
                    ("pages", "2"),
                    ("id", "X"),
                    ("by", "x"),
                    ("at", "x"),
                    ("file", "x"),
                    ("record", "x"),
                    ("size", "x"),
                    ("types", "x"),
                    // The HXL import report's.
                    ("row", "7"),
                    ("tag", "#adm2+code"),
                    ("column", "2"),
                    ("first", "1"),
                    ("other", "3"),
                    ("code", "XX01"),
                    ("parent", "XX"),
                    ("max", "64"),
                    ("languages", "en, fr, ar"),
                ];
                let text = Lang::new(code).t_args(key, &args);
                assert_ne!(text, *key, "{code}: {key} does not resolve");
            }
        }
    }

    #[test]
    fn negotiation_order() {
        assert_eq!(negotiate(Some("ar"), None, Some("fr"), "en").code(), "ar");
        assert_eq!(negotiate(None, Some("fr"), Some("ar"), "en").code(), "fr");
        assert_eq!(
            negotiate(None, None, Some("fr-CA,fr;q=0.9,en;q=0.5"), "en").code(),
            "fr"
        );
        assert_eq!(
            negotiate(None, None, Some("de-DE,ar;q=0.4"), "en").code(),
            "ar"
        );
        assert_eq!(negotiate(None, None, Some("de"), "fr").code(), "fr");
        assert_eq!(negotiate(Some("xx"), None, None, "en").code(), "en");
        assert_eq!(Lang::new("ar").dir(), "rtl");
        assert_eq!(Lang::new("fr").dir(), "ltr");
    }

    #[test]
    fn plurals_follow_the_count() {
        assert_eq!(
            Lang::new("en").t_args("cases-count", &[("count", "1")]),
            "One case"
        );
        assert_eq!(
            Lang::new("en").t_args("cases-count", &[("count", "25")]),
            "25 cases"
        );
        assert_eq!(
            Lang::new("fr").t_args("cases-count", &[("count", "1")]),
            "Un dossier"
        );
        assert_eq!(
            Lang::new("ar").t_args("cases-count", &[("count", "2")]),
            "حالتان"
        );
    }

    #[test]
    fn arguments_are_substituted() {
        let text = Lang::new("en").t_args("home-welcome", &[("name", "Test User")]);
        assert!(text.contains("Test User"), "{text}");
    }
}
