//! Pages of collections (`page`, `per`), as the Primero API reads them: `per` defaults to 20 and
//! is capped at 1000; a value that cannot be read gives an empty page, not an error.

use actix_web::HttpRequest;
use serde_json::{json, Value};

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

    /// The paging of a request's query string.
    pub fn of(req: &HttpRequest) -> Self {
        let params: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect();
        Self::parse(&params)
    }

    /// The collection envelope's metadata.
    pub fn metadata(&self, total: i64) -> Value {
        json!({ "total": total, "per": self.per, "page": self.page })
    }

    /// One page of a collection held in memory, in the collection envelope.
    pub fn envelope(&self, items: Vec<Value>) -> Value {
        let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let data: Vec<Value> = if self.unreadable {
            Vec::new()
        } else {
            let skip =
                usize::try_from((self.page - 1).saturating_mul(self.per)).unwrap_or(usize::MAX);
            let take = usize::try_from(self.per).unwrap_or(usize::MAX);
            items.into_iter().skip(skip).take(take).collect()
        };
        json!({ "data": data, "metadata": self.metadata(total) })
    }
}

/// The value of one query parameter.
pub fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
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

    #[test]
    fn envelope_pages_truthfully() {
        let items: Vec<Value> = (0..25).map(Value::from).collect();
        let page = parse(&[("page", "2"), ("per", "10")]).envelope(items.clone());
        assert_eq!(page["data"].as_array().unwrap().len(), 10);
        assert_eq!(page["metadata"]["total"], 25);
        let unreadable = parse(&[("page", "x")]).envelope(items);
        assert!(unreadable["data"].as_array().unwrap().is_empty());
    }
}
