//! Reading the fields of a `{"data": {...}}` request body, collecting every problem rather than
//! stopping at the first, so that a client can fix a request in one go.

use serde_json::{Map, Value};

use crate::error::Problem;

/// A request body: `{"data": {...}}`.
#[derive(Debug, serde::Deserialize)]
pub struct Envelope {
    pub data: Map<String, Value>,
}

/// The fields of one request, and the problems found reading them.
pub struct Fields<'a> {
    data: &'a Map<String, Value>,
    pub problems: Vec<Problem>,
}

impl<'a> Fields<'a> {
    pub fn new(data: &'a Map<String, Value>) -> Self {
        Self {
            data,
            problems: Vec::new(),
        }
    }

    fn wrong(&mut self, key: &str, kind: &'static str, what: &str) {
        self.problems.push(Problem {
            field: key.to_owned(),
            kind,
            message: format!("{key} must be {what}"),
        });
    }

    /// Whether the field was sent at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.data.contains_key(key)
    }

    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.data.get(key)
    }

    /// Text: `None` if not sent, `Some(None)` if sent as `null`.
    pub fn text(&mut self, key: &str) -> Option<Option<String>> {
        match self.data.get(key)? {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => {
                self.wrong(key, "not_text", "text");
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.data.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong(key, "not_boolean", "true or false");
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str) -> Option<i64> {
        match self.data.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            _ => {
                self.wrong(key, "not_a_number", "a whole number");
                None
            }
        }
    }

    /// A list of text values (`null` reads as an empty list).
    pub fn text_list(&mut self, key: &str) -> Option<Vec<String>> {
        match self.data.get(key)? {
            Value::Null => Some(Vec::new()),
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => {
                self.wrong(key, "not_list", "a list of text values");
                None
            }
        }
    }
}
