//! Paging of small configuration collections (forms, lookups, ...), per the API conventions:
//! `page` from 1, `per` default 20 and capped (not refused) at 1000.

use actix_web::HttpRequest;
use serde_json::{json, Value};

use crate::records::query::MAX_PER;

const DEFAULT_PER: i64 = 20;

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per: i64,
}

impl Paging {
    pub fn of(req: &HttpRequest) -> Self {
        let mut paging = Self {
            page: 1,
            per: DEFAULT_PER,
        };
        for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            match (k.as_ref(), v.parse::<i64>()) {
                ("page", Ok(p)) if p >= 1 => paging.page = p,
                ("per", Ok(p)) if p >= 1 => paging.per = p.min(MAX_PER),
                _ => {}
            }
        }
        paging
    }

    /// The page of `items` as a collection envelope with truthful metadata.
    pub fn envelope(&self, items: Vec<Value>) -> Value {
        let total = items.len();
        let skip = usize::try_from((self.page - 1).saturating_mul(self.per)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.per).unwrap_or(usize::MAX);
        let data: Vec<Value> = items.into_iter().skip(skip).take(take).collect();
        json!({
            "data": data,
            "metadata": {"total": total, "per": self.per, "page": self.page},
        })
    }
}

/// The value of one query parameter.
pub fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
