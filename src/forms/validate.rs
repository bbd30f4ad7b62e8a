//! Checking a record's form data against its form: required and conditional fields, types,
//! ranges, dates and choices. Every problem is reported, not only the first.
//!
//! On an update only what the update changes is checked: a value stored before the form changed
//! (an option since disabled, a field since made required) never blocks an unrelated edit, and a
//! disabled option a record already holds stays valid on it.

use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use super::{Calculation, Catalog, Field, FieldType};
use crate::error::Problem;

/// Longest text accepted in one field.
const MAX_TEXT: usize = 10_000;
/// Most entries in one subform.
const MAX_SUBFORM_ENTRIES: usize = 500;
/// Largest signature image (bytes of PNG).
const MAX_SIGNATURE: usize = 256 * 1024;
const SIGNATURE_PREFIX: &str = "data:image/png;base64,";

/// Validates a whole record (after merging an update into it). `previous` is the stored record
/// an update starts from, `None` for a new record.
pub fn validate(
    catalog: &Catalog,
    data: &Map<String, Value>,
    previous: Option<&Map<String, Value>>,
    today: NaiveDate,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let check = Check { catalog, today };
    for field in catalog.all_fields() {
        let old = previous.and_then(|p| p.get(&field.name));
        check.field(
            field,
            data,
            old,
            previous.is_some(),
            &field.name,
            &mut problems,
        );
    }
    problems
}

/// Whether a stored value fits a field as (re)defined: used to count the records a change to
/// the field would break. A stored disabled choice fits: disabling never breaks a record.
pub fn value_fits(catalog: &Catalog, field: &Field, value: &Value) -> bool {
    if !field.is_entered() || is_blank(Some(value)) {
        return true;
    }
    let check = Check {
        catalog,
        today: NaiveDate::MAX,
    };
    let mut problems = Vec::new();
    check.value(
        field,
        value,
        Some(value),
        field.name.as_str(),
        &mut problems,
    );
    problems.is_empty()
}

struct Check<'a> {
    catalog: &'a Catalog,
    today: NaiveDate,
}

fn problem(problems: &mut Vec<Problem>, path: &str, kind: &'static str, message: String) {
    problems.push(Problem {
        field: path.to_owned(),
        kind,
        message,
    });
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

impl Check<'_> {
    /// Checks one field of `siblings` (the record, or one subform entry).
    fn field(
        &self,
        field: &Field,
        siblings: &Map<String, Value>,
        old: Option<&Value>,
        updating: bool,
        path: &str,
        problems: &mut Vec<Problem>,
    ) {
        if !field.is_entered() {
            return;
        }
        let value = siblings.get(&field.name);
        let unchanged = updating && value.filter(|v| !v.is_null()) == old.filter(|v| !v.is_null());
        if unchanged {
            return;
        }
        if is_blank(value) {
            if field.required && field.condition_met(siblings) {
                problem(problems, path, "required", format!("{path} is required"));
            }
            return;
        }
        let Some(value) = value else { return };
        self.value(field, value, old, path, problems);
    }

    /// Whether `v` is an acceptable choice: known, and not disabled unless the record already
    /// held it.
    fn choice_ok(&self, field: &Field, v: &str, old: Option<&Value>) -> bool {
        if !self.catalog.has_choice_list(field) {
            return true;
        }
        let held = |old: Option<&Value>| match old {
            Some(Value::Array(items)) => items.iter().any(|i| choice_text(i).as_deref() == Some(v)),
            Some(other) => choice_text(other).as_deref() == Some(v),
            None => false,
        };
        match self.catalog.choice(field, v) {
            Some(c) => !c.disabled || held(old),
            None => false,
        }
    }

    fn value(
        &self,
        field: &Field,
        value: &Value,
        old: Option<&Value>,
        path: &str,
        problems: &mut Vec<Problem>,
    ) {
        match field.kind {
            FieldType::Text | FieldType::Textarea => match value.as_str() {
                Some(s) if s.chars().count() > MAX_TEXT => problem(
                    problems,
                    path,
                    "too_long",
                    format!("{path} is longer than {MAX_TEXT} characters"),
                ),
                Some(_) => {}
                None => problem(problems, path, "not_text", format!("{path} must be text")),
            },
            FieldType::Select | FieldType::Radio => match choice_text(value) {
                Some(v) if self.choice_ok(field, &v, old) => {}
                Some(v) => problem(
                    problems,
                    path,
                    "unknown_option",
                    format!("{path}: {v:?} is not one of the allowed values"),
                ),
                None => problem(
                    problems,
                    path,
                    "not_text",
                    format!("{path} must be one value"),
                ),
            },
            FieldType::MultiSelect => match value.as_array() {
                Some(items) => {
                    let bad = items
                        .iter()
                        .find(|item| !item.as_str().is_some_and(|v| self.choice_ok(field, v, old)));
                    if let Some(item) = bad {
                        problem(
                            problems,
                            path,
                            "unknown_option",
                            format!("{path}: {item} is not one of the allowed values"),
                        );
                    }
                }
                None => problem(
                    problems,
                    path,
                    "not_list",
                    format!("{path} must be a list of values"),
                ),
            },
            FieldType::TickBox => {
                if !value.is_boolean() {
                    problem(
                        problems,
                        path,
                        "not_boolean",
                        format!("{path} must be true or false"),
                    );
                }
            }
            FieldType::Number => match value.as_f64() {
                Some(n) => {
                    let below = field.min.is_some_and(|m| n < m);
                    let above = field.max.is_some_and(|m| n > m);
                    if below || above {
                        problem(
                            problems,
                            path,
                            "out_of_range",
                            format!(
                                "{path} must be between {} and {}",
                                field.min.unwrap_or(f64::MIN),
                                field.max.unwrap_or(f64::MAX)
                            ),
                        );
                    }
                }
                None => problem(
                    problems,
                    path,
                    "not_a_number",
                    format!("{path} must be a number"),
                ),
            },
            FieldType::Date => self.date(field, value.as_str(), path, problems),
            FieldType::DateRange => match value.as_object() {
                Some(range) => {
                    let from = range.get("from").and_then(Value::as_str);
                    let to = range.get("to").and_then(Value::as_str);
                    let before = problems.len();
                    for (end, text) in [("from", from), ("to", to)] {
                        if let Some(text) = text {
                            self.date(field, Some(text), &format!("{path}.{end}"), problems);
                        }
                    }
                    let (a, b) = (from.and_then(parse_date), to.and_then(parse_date));
                    if from.is_none() && to.is_none() {
                        problem(
                            problems,
                            path,
                            "not_a_date_range",
                            format!("{path} must have a start or an end"),
                        );
                    } else if problems.len() == before && a.zip(b).is_some_and(|(a, b)| a > b) {
                        problem(
                            problems,
                            path,
                            "range_reversed",
                            format!("{path} ends before it starts"),
                        );
                    }
                }
                None => problem(
                    problems,
                    path,
                    "not_a_date_range",
                    format!("{path} must be a range with \"from\" and \"to\" dates"),
                ),
            },
            FieldType::Signature => {
                if !is_signature(value) {
                    problem(
                        problems,
                        path,
                        "not_a_signature",
                        format!("{path} must be a PNG image of at most {MAX_SIGNATURE} bytes"),
                    );
                }
            }
            FieldType::Subform => self.subform(field, value, old, path, problems),
            // Not entered: `is_entered` returned early.
            FieldType::Separator
            | FieldType::Photo
            | FieldType::Document
            | FieldType::Audio
            | FieldType::Calculated => {}
        }
    }

    fn date(&self, field: &Field, text: Option<&str>, path: &str, problems: &mut Vec<Problem>) {
        let parsed = text.and_then(|t| {
            if field.with_time {
                parse_date_time(t).map(|dt| dt.date())
            } else {
                parse_date(t)
            }
        });
        match parsed {
            Some(d) if field.not_future && d > self.today => problem(
                problems,
                path,
                "in_future",
                format!("{path} cannot be in the future"),
            ),
            Some(_) => {}
            None if field.with_time => problem(
                problems,
                path,
                "not_a_date_time",
                format!("{path} must be a date and time written YYYY-MM-DDTHH:MM"),
            ),
            None => problem(
                problems,
                path,
                "not_a_date",
                format!("{path} must be a date written YYYY-MM-DD"),
            ),
        }
    }

    fn subform(
        &self,
        field: &Field,
        value: &Value,
        old: Option<&Value>,
        path: &str,
        problems: &mut Vec<Problem>,
    ) {
        let Some(entries) = value.as_array() else {
            problem(problems, path, "not_list", format!("{path} must be a list"));
            return;
        };
        if entries.len() > MAX_SUBFORM_ENTRIES {
            problem(
                problems,
                path,
                "too_long",
                format!("{path} has more than {MAX_SUBFORM_ENTRIES} entries"),
            );
            return;
        }
        let old_entries: Vec<&Map<String, Value>> = old
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        for (i, entry) in entries.iter().enumerate() {
            let entry_path = format!("{path}[{i}]");
            let Some(obj) = entry.as_object() else {
                problem(
                    problems,
                    &entry_path,
                    "not_object",
                    format!("{entry_path} must be an object"),
                );
                continue;
            };
            let before = obj.get(crate::records::merge::UNIQUE_ID).and_then(|id| {
                old_entries
                    .iter()
                    .find(|e| e.get(crate::records::merge::UNIQUE_ID) == Some(id))
            });
            for sub in &field.fields {
                let sub_path = format!("{entry_path}.{}", sub.name);
                let old_value = before.and_then(|b| b.get(&sub.name));
                self.field(sub, obj, old_value, before.is_some(), &sub_path, problems);
            }
        }
    }
}

/// A single choice as text: yes/no radios arrive as booleans from Primero clients and as text
/// from forms.
fn choice_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_signature(value: &Value) -> bool {
    let Some(data) = value
        .as_str()
        .and_then(|s| s.strip_prefix(SIGNATURE_PREFIX))
    else {
        return false;
    };
    if data.len() > MAX_SIGNATURE * 4 / 3 + 4 {
        return false;
    }
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .is_ok_and(|png| png.len() <= MAX_SIGNATURE && png.starts_with(b"\x89PNG\r\n\x1a\n"))
}

/// Dates are ISO calendar dates (`2024-03-09`); a full timestamp is accepted and its date used.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// A date with a time: `2024-03-09T14:30`, with or without seconds, or a full RFC 3339
/// timestamp (then taken in UTC).
pub fn parse_date_time(text: &str) -> Option<NaiveDateTime> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_utc());
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// Sets every calculated field from the values it derives from (submitted values for them are
/// never kept). A value that cannot be derived is removed.
pub fn apply_calculations(catalog: &Catalog, data: &mut Map<String, Value>, today: NaiveDate) {
    for field in catalog.all_fields() {
        let (FieldType::Calculated, Some(calc)) = (field.kind, &field.calculate) else {
            continue;
        };
        let result = match calc {
            Calculation::YearsSince(from) => data
                .get(from)
                .and_then(Value::as_str)
                .and_then(parse_date)
                .and_then(|d| today.years_since(d))
                .map(Value::from),
            Calculation::Sum(names) => {
                let numbers: Vec<f64> = names
                    .iter()
                    .filter_map(|n| data.get(n).and_then(Value::as_f64))
                    .collect();
                (!numbers.is_empty())
                    .then(|| serde_json::Number::from_f64(numbers.iter().sum()))
                    .flatten()
                    .map(Value::Number)
            }
            Calculation::Count(subform) => data
                .get(subform)
                .and_then(Value::as_array)
                .map(|a| Value::from(a.len())),
        };
        match result {
            Some(v) => data.insert(field.name.clone(), v),
            None => data.remove(&field.name),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn problems(data: Value) -> Vec<(String, &'static str)> {
        let catalog = crate::forms::standard::case_catalog().unwrap();
        validate(catalog, data.as_object().unwrap(), None, today())
            .into_iter()
            .map(|p| (p.field, p.kind))
            .collect()
    }

    fn valid() -> Value {
        json!({"name_first": "Amal", "name_last": "Haddad", "sex": "female", "age": 9})
    }

    #[test]
    fn a_minimal_case_is_valid() {
        assert!(problems(valid()).is_empty());
    }

    #[test]
    fn each_kind_of_problem() {
        let cases: Vec<(Value, &str, &str)> = vec![
            (json!({"name_first": ""}), "name_first", "required"),
            (json!({"age": "9"}), "age", "not_a_number"),
            (json!({"age": 31}), "age", "out_of_range"),
            (json!({"sex": "other"}), "sex", "unknown_option"),
            (
                json!({"date_of_birth": "2030-01-01"}),
                "date_of_birth",
                "in_future",
            ),
            (
                json!({"date_of_birth": "09/03/2017"}),
                "date_of_birth",
                "not_a_date",
            ),
            (json!({"estimated": "yes"}), "estimated", "not_boolean"),
            (
                json!({"protection_concerns": "unaccompanied"}),
                "protection_concerns",
                "not_list",
            ),
            (
                json!({"protection_concerns": ["nonsense"]}),
                "protection_concerns",
                "unknown_option",
            ),
            (json!({"name_nickname": 5}), "name_nickname", "not_text"),
            (
                json!({"family_details_section": [{"relation_name": ""}]}),
                "family_details_section[0].relation_name",
                "required",
            ),
            (
                json!({"family_details_section": [{"relation_name": "Ali", "relation_age": "x"}]}),
                "family_details_section[0].relation_age",
                "not_a_number",
            ),
        ];
        for (patch, field, kind) in cases {
            let mut data = valid();
            for (k, v) in patch.as_object().unwrap() {
                data[k] = v.clone();
            }
            let found = problems(data);
            assert!(
                found.contains(&(field.to_owned(), kind)),
                "{field} {kind}: got {found:?}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported() {
        let found = problems(json!({"age": "x", "sex": "robot"}));
        let fields: Vec<_> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name_first", "name_last", "sex", "age"]);
    }

    #[test]
    fn yes_no_radio_takes_booleans_and_text() {
        let mut data = valid();
        data["urgent_protection_concern"] = json!(true);
        assert!(problems(data.clone()).is_empty());
        data["urgent_protection_concern"] = json!("false");
        assert!(problems(data).is_empty());
    }
}
