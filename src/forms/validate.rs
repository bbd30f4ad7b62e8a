//! Checking a record's form data against its form: required fields, types, ranges, dates and
//! lookup values. Every problem is reported, not only the first.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{Catalog, Field, FieldType};
use crate::error::Problem;

/// Longest text accepted in one field.
const MAX_TEXT: usize = 10_000;
/// Most entries in one subform.
const MAX_SUBFORM_ENTRIES: usize = 500;

/// Validates a whole record (after merging an update into it).
pub fn validate(catalog: &Catalog, data: &Map<String, Value>, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    for field in catalog.form.sections.iter().flat_map(|s| &s.fields) {
        check(
            catalog,
            field,
            data.get(&field.name),
            &field.name,
            today,
            &mut problems,
        );
    }
    problems
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

fn check(
    catalog: &Catalog,
    field: &Field,
    value: Option<&Value>,
    path: &str,
    today: NaiveDate,
    problems: &mut Vec<Problem>,
) {
    if is_blank(value) {
        if field.required {
            problem(problems, path, "required", format!("{path} is required"));
        }
        return;
    }
    let Some(value) = value else { return };
    let in_lookup = |v: &str| {
        field
            .lookup
            .as_deref()
            .and_then(|l| catalog.lookup(l))
            .is_none_or(|l| l.values.iter().any(|o| o.id == v))
    };
    match field.kind {
        FieldType::Text | FieldType::Textarea | FieldType::Location => match value.as_str() {
            Some(s) if s.chars().count() > MAX_TEXT => problem(
                problems,
                path,
                "too_long",
                format!("{path} is longer than {MAX_TEXT} characters"),
            ),
            Some(_) => {}
            None => problem(problems, path, "not_text", format!("{path} must be text")),
        },
        FieldType::Select | FieldType::Radio => {
            // Yes/no radios arrive as booleans from Primero clients and as text from forms.
            let text = match value {
                Value::String(s) => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            match text {
                Some(v) if in_lookup(&v) => {}
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
            }
        }
        FieldType::MultiSelect => match value.as_array() {
            Some(items) => {
                for item in items {
                    match item.as_str() {
                        Some(v) if in_lookup(v) => {}
                        _ => {
                            problem(
                                problems,
                                path,
                                "unknown_option",
                                format!("{path}: {item} is not one of the allowed values"),
                            );
                            break;
                        }
                    }
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
        FieldType::Date => match value.as_str().and_then(parse_date) {
            Some(d) if field.not_future && d > today => problem(
                problems,
                path,
                "in_future",
                format!("{path} cannot be in the future"),
            ),
            Some(_) => {}
            None => problem(
                problems,
                path,
                "not_a_date",
                format!("{path} must be a date written YYYY-MM-DD"),
            ),
        },
        FieldType::Subform => match value.as_array() {
            Some(entries) if entries.len() > MAX_SUBFORM_ENTRIES => problem(
                problems,
                path,
                "too_long",
                format!("{path} has more than {MAX_SUBFORM_ENTRIES} entries"),
            ),
            Some(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    let entry_path = format!("{path}[{i}]");
                    match entry.as_object() {
                        Some(obj) => {
                            for sub in &field.fields {
                                let sub_path = format!("{entry_path}.{}", sub.name);
                                check(catalog, sub, obj.get(&sub.name), &sub_path, today, problems);
                            }
                        }
                        None => problem(
                            problems,
                            &entry_path,
                            "not_object",
                            format!("{entry_path} must be an object"),
                        ),
                    }
                }
            }
            None => problem(problems, path, "not_list", format!("{path} must be a list")),
        },
    }
}

/// Dates are ISO calendar dates (`2024-03-09`); a full timestamp is accepted and its date used.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn problems(data: Value) -> Vec<(String, &'static str)> {
        let catalog = super::super::case_form().unwrap();
        validate(catalog, data.as_object().unwrap(), today())
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
