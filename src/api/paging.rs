//! Pages of configuration lists (`page`, `per`), as the Primero API reads them for every
//! collection: `per` defaults to 20 and is capped at 1000; a value that cannot be read gives an
//! empty page, not an error.

use crate::records::query::{DEFAULT_PER, MAX_PER};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per: i64,
    /// A page or per that could not be read: answer an empty page.
    pub unreadable: bool,
}

impl Paging {
    pub fn parse(params: &[(String, String)]) -> Self {
        let mut p = Self {
            page: 1,
            per: DEFAULT_PER,
            unreadable: false,
        };
        for (key, value) in params {
            let value = value.trim().parse::<i64>().ok().filter(|v| *v >= 1);
            match (key.as_str(), value) {
                ("page", Some(v)) => p.page = v,
                ("per", Some(v)) => p.per = v.min(MAX_PER),
                ("page" | "per", None) => p.unreadable = true,
                _ => {}
            }
        }
        p
    }

    /// The collection envelope's metadata.
    pub fn metadata(&self, total: i64) -> serde_json::Value {
        serde_json::json!({ "total": total, "per": self.per, "page": self.page })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Paging {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Paging::parse(&owned)
    }

    #[test]
    fn defaults_caps_and_unreadable_values() {
        assert_eq!((parse(&[]).page, parse(&[]).per), (1, 20));
        let p = parse(&[("per", "5000"), ("page", "3"), ("other", "x")]);
        assert_eq!((p.page, p.per, p.unreadable), (3, 1000, false));
        assert!(parse(&[("page", "0")]).unreadable);
        assert!(parse(&[("per", "many")]).unreadable);
    }
}
