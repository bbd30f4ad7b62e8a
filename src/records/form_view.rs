//! Between HTML forms and record data: building the fields a template renders (with values,
//! translated labels and options, and errors), and turning a submitted form back into typed JSON.
//! Works without JavaScript: subforms show their entries plus one blank entry to add.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::merge::UNIQUE_ID;
use crate::error::Problem;
use crate::forms::{Catalog, Field, FieldType};
use crate::i18n::Lang;

/// One input as a template renders it.
pub struct FieldView {
    /// The input's name in the HTML form.
    pub input: String,
    pub id: String,
    pub label: String,
    /// text, textarea, select, multi, radio, tick, number, date
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub checked: bool,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
    /// Someone else changed this field since the user started editing (conflict page).
    pub changed_meanwhile: bool,
    pub max_date: String,
    pub help: String,
    /// Conditional display: the input id of the field this one depends on, and the value.
    pub show_if_input: String,
    pub show_if_value: String,
    /// The two ends of a date range.
    pub value_from: String,
    pub value_to: String,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct EntryView {
    pub index: usize,
    pub unique_id: String,
    pub fields: Vec<FieldView>,
    pub is_new: bool,
    /// The user ticked "remove" before the form came back with errors: keep it ticked.
    pub removed: bool,
}

pub struct SubformView {
    pub name: String,
    pub label: String,
    pub help: String,
    pub entries: Vec<EntryView>,
    pub error: Option<String>,
}

pub enum ItemView {
    Field(FieldView),
    Subform(SubformView),
}

pub struct SectionView {
    pub id: String,
    pub label: String,
    pub items: Vec<ItemView>,
}

/// Choices beyond this many render as a list box.
const LONG_LIST: usize = 20;

fn kind_name(field: &Field) -> &'static str {
    match field.kind {
        FieldType::Text => "text",
        FieldType::Textarea => "textarea",
        FieldType::Select => "select",
        FieldType::MultiSelect => "multi",
        FieldType::Radio => "radio",
        FieldType::TickBox => "tick",
        FieldType::Number => "number",
        FieldType::Date if field.with_time => "datetime",
        FieldType::Date => "date",
        FieldType::DateRange => "daterange",
        FieldType::Subform => "subform",
        FieldType::Separator => "separator",
        FieldType::Photo | FieldType::Document | FieldType::Audio => "attachment",
        FieldType::Calculated => "calculated",
        FieldType::Signature => "signature",
    }
}

/// Whether the form shows a field: visible, and not record metadata (shown on the record page).
fn on_form(field: &Field) -> bool {
    field.visible && !field.system
}

/// A value as text for an input (`true`/`false` for yes/no radios, numbers as written).
pub fn value_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// Validation numbers subform entries as they will be saved (removed entries gone); the form
/// shows them as submitted (removed ones still there, ticked). Renumbers problem paths from the
/// first to the second, so each message lands on the entry it is about.
pub fn remap_problems(problems: &[Problem], submitted: &Map<String, Value>) -> Vec<Problem> {
    problems
        .iter()
        .map(|p| {
            let remapped = (|| {
                let (name, rest) = p.field.split_once('[')?;
                let (index, tail) = rest.split_once(']')?;
                let index: usize = index.parse().ok()?;
                let entries = submitted.get(name)?.as_array()?;
                let position = entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.get("_destroy") != Some(&Value::Bool(true)))
                    .nth(index)?
                    .0;
                Some(format!("{name}[{position}]{tail}"))
            })();
            Problem {
                field: remapped.unwrap_or_else(|| p.field.clone()),
                ..p.clone()
            }
        })
        .collect()
}

/// Problems by field path, translated for display.
pub fn errors_by_path(problems: &[Problem], lang: &Lang) -> BTreeMap<String, String> {
    problems
        .iter()
        .map(|p| (p.field.clone(), lang.t(&format!("validation-{}", p.kind))))
        .collect()
}

fn field_view(
    catalog: &Catalog,
    field: &Field,
    input: String,
    value: Option<&Value>,
    error: Option<String>,
    lang: &Lang,
    today: &str,
) -> FieldView {
    let selected: Vec<String> = match value {
        Some(Value::Array(a)) => a.iter().map(|v| value_text(Some(v))).collect(),
        other => vec![value_text(other)],
    };
    // Disabled choices are offered only to the records that already hold them.
    let options: Vec<OptionView> = catalog
        .choices(field)
        .into_iter()
        .filter(|c| !c.disabled || selected.iter().any(|s| s == c.id))
        .map(|c| OptionView {
            value: c.id.to_owned(),
            label: c.label.get(lang.code()).to_owned(),
            selected: selected.iter().any(|s| s == c.id),
        })
        .collect();
    // Long code lists (countries) as a list box rather than a wall of tick boxes.
    let kind = match kind_name(field) {
        "multi" if options.len() > LONG_LIST => "multiselect",
        "radio" if options.len() > LONG_LIST => "select",
        k => k,
    };
    let range = |end: &str| value_text(value.and_then(|v| v.get(end)));
    let (show_if_input, show_if_value) = match &field.show_if {
        Some(c) => (
            format!("{}{}", input_prefix(&input), c.field).replace(':', "-"),
            value_text(Some(&c.equals)),
        ),
        None => (String::new(), String::new()),
    };
    FieldView {
        id: input.replace(':', "-"),
        input,
        label: field.label.get(lang.code()).to_owned(),
        kind,
        required: field.required,
        value: value_text(value),
        checked: matches!(value, Some(Value::Bool(true))),
        options,
        error,
        changed_meanwhile: false,
        max_date: if field.not_future {
            today.to_owned()
        } else {
            String::new()
        },
        help: field.help.get(lang.code()).to_owned(),
        show_if_input,
        show_if_value,
        value_from: range("from"),
        value_to: range("to"),
    }
}

/// The part of an input name before the field name: `f:` for the record, `s:sub:1:` in a
/// subform entry.
fn input_prefix(input: &str) -> &str {
    input.rfind(':').map(|i| &input[..=i]).unwrap_or("")
}

/// The whole form with the given values and errors.
pub fn sections(
    catalog: &Catalog,
    data: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
    lang: &Lang,
) -> Vec<SectionView> {
    let today = chrono::Utc::now().date_naive().to_string();
    catalog
        .visible_sections()
        .map(|section| SectionView {
            id: section.id.clone(),
            label: section.label.get(lang.code()).to_owned(),
            items: section
                .fields
                .iter()
                .filter(|f| on_form(f))
                .map(|field| {
                    if field.kind != FieldType::Subform {
                        return ItemView::Field(field_view(
                            catalog,
                            field,
                            format!("f:{}", field.name),
                            data.get(&field.name),
                            errors.get(&field.name).cloned(),
                            lang,
                            &today,
                        ));
                    }
                    let existing: Vec<&Map<String, Value>> = data
                        .get(&field.name)
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_object).collect())
                        .unwrap_or_default();
                    let empty = Map::new();
                    let entries = existing
                        .iter()
                        .copied()
                        .chain(std::iter::once(&empty))
                        .enumerate()
                        .map(|(i, entry)| EntryView {
                            index: i,
                            unique_id: value_text(entry.get(UNIQUE_ID)),
                            is_new: i == existing.len(),
                            removed: entry.get("_destroy") == Some(&Value::Bool(true)),
                            fields: field
                                .fields
                                .iter()
                                .filter(|f| on_form(f))
                                .map(|sub| {
                                    let path = format!("{}[{i}].{}", field.name, sub.name);
                                    field_view(
                                        catalog,
                                        sub,
                                        format!("s:{}:{i}:{}", field.name, sub.name),
                                        entry.get(&sub.name),
                                        errors.get(&path).cloned(),
                                        lang,
                                        &today,
                                    )
                                })
                                .collect(),
                        })
                        .collect();
                    ItemView::Subform(SubformView {
                        name: field.name.clone(),
                        label: field.label.get(lang.code()).to_owned(),
                        help: field.help.get(lang.code()).to_owned(),
                        entries,
                        error: errors.get(&field.name).cloned(),
                    })
                })
                .collect(),
        })
        .collect()
}

/// Typed JSON for one submitted value. Text that should be a number but is not stays text, so
/// validation can say so instead of it vanishing.
fn typed(field: &Field, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Null;
    }
    match field.kind {
        FieldType::Number => raw
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                raw.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        FieldType::TickBox => Value::Bool(raw == "true" || raw == "on"),
        FieldType::Radio | FieldType::Select
            if field.lookup.as_deref() == Some("lookup-yes-no") =>
        {
            match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            }
        }
        _ => Value::String(raw.to_owned()),
    }
}

/// A submitted form as a full set of field values: every field of the form is present (empty
/// ones as `null`, which clears them), subform entries keep their `unique_id`, entries marked for
/// removal carry `_destroy`, and a blank new entry is ignored.
pub fn parse_submission(catalog: &Catalog, pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut multi: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut entries: BTreeMap<(String, usize), Map<String, Value>> = BTreeMap::new();
    let mut ranges: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    // Only what the form showed: hidden fields, hidden sections and metadata keep their values.
    let shown: std::collections::HashSet<String> = catalog
        .visible_sections()
        .flat_map(|s| &s.fields)
        .filter(|f| f.is_entered())
        .map(|f| f.name.clone())
        .collect();
    for (key, raw) in pairs {
        if let Some(name) = key.strip_prefix("f:") {
            // A date range comes as two inputs, `name:from` and `name:to`.
            let (name, end) = match name.split_once(':') {
                Some((n, e)) if e == "from" || e == "to" => (n, Some(e)),
                _ => (name, None),
            };
            let Some(field) = catalog.field(name).filter(|f| shown.contains(&f.name)) else {
                continue;
            };
            if let Some(end) = end {
                if field.kind == FieldType::DateRange && !raw.trim().is_empty() {
                    let range = ranges.entry(name.to_owned()).or_default();
                    range.insert(end.to_owned(), Value::String(raw.trim().to_owned()));
                }
                continue;
            }
            if field.kind == FieldType::MultiSelect {
                if !raw.trim().is_empty() {
                    multi
                        .entry(name.to_owned())
                        .or_default()
                        .push(Value::String(raw.trim().to_owned()));
                }
            } else {
                out.insert(name.to_owned(), typed(field, raw));
            }
        } else if let Some(rest) = key.strip_prefix("s:") {
            let mut parts = rest.splitn(3, ':');
            let (Some(sub), Some(index), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (Some(field), Ok(index)) = (
                catalog.field(sub).filter(|f| shown.contains(&f.name)),
                index.parse::<usize>(),
            ) else {
                continue;
            };
            let entry = entries.entry((sub.to_owned(), index)).or_default();
            match name {
                "unique_id" if !raw.is_empty() => {
                    entry.insert(UNIQUE_ID.into(), Value::String(raw.clone()));
                }
                "_destroy" => {
                    entry.insert("_destroy".into(), Value::Bool(true));
                }
                _ => {
                    if let Some(f) = field
                        .fields
                        .iter()
                        .find(|f| f.name == name && f.is_entered())
                    {
                        entry.insert(name.to_owned(), typed(f, raw));
                    }
                }
            }
        }
    }
    for field in catalog.all_fields().filter(|f| shown.contains(&f.name)) {
        match field.kind {
            FieldType::DateRange => {
                let v = ranges
                    .remove(&field.name)
                    .map(Value::Object)
                    .unwrap_or(Value::Null);
                out.insert(field.name.clone(), v);
            }
            FieldType::MultiSelect => {
                let v = multi
                    .remove(&field.name)
                    .map(Value::Array)
                    .unwrap_or(Value::Null);
                out.insert(field.name.clone(), v);
            }
            FieldType::TickBox => {
                out.entry(field.name.clone()).or_insert(Value::Bool(false));
            }
            FieldType::Subform => {
                let list: Vec<Value> = entries
                    .iter()
                    .filter(|((sub, _), _)| *sub == field.name)
                    .map(|(_, e)| e)
                    .filter(|e| {
                        // A blank new entry is the "add" row left empty.
                        e.contains_key(UNIQUE_ID)
                            || e.iter().any(|(k, v)| {
                                k != "_destroy" && !v.is_null() && *v != Value::Bool(false)
                            })
                    })
                    .map(|e| {
                        let mut e = e.clone();
                        for sub in field
                            .fields
                            .iter()
                            .filter(|f| f.kind == FieldType::TickBox && f.is_entered())
                        {
                            e.entry(sub.name.clone()).or_insert(Value::Bool(false));
                        }
                        Value::Object(e)
                    })
                    .collect();
                out.insert(field.name.clone(), Value::Array(list));
            }
            _ => {
                out.entry(field.name.clone()).or_insert(Value::Null);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn problems_land_on_the_entry_shown() {
        let submitted = serde_json::json!({"notes_section": [
            {"unique_id": "a", "_destroy": true}, {"unique_id": "b"}, {"note_subject": ""}]});
        let p = |f: &str| Problem {
            field: f.into(),
            kind: "required",
            message: String::new(),
        };
        let out = remap_problems(
            &[
                p("notes_section[0].note_subject"),
                p("notes_section[1].note_subject"),
                p("age"),
            ],
            submitted.as_object().unwrap(),
        );
        let fields: Vec<&str> = out.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "notes_section[1].note_subject",
                "notes_section[2].note_subject",
                "age"
            ]
        );
    }

    #[test]
    fn submission_becomes_typed_data() {
        let catalog = crate::forms::standard::case_catalog().unwrap();
        let data = parse_submission(
            catalog,
            &pairs(&[
                ("csrf_token", "x"),
                ("f:name_first", " Amal "),
                ("f:age", "9"),
                ("f:name_nickname", "007"),
                ("f:estimated", "true"),
                ("f:protection_concerns", "refugee"),
                ("f:protection_concerns", "migrant"),
                ("f:urgent_protection_concern", "false"),
                ("s:notes_section:0:unique_id", "n1"),
                ("s:notes_section:0:note_subject", "kept"),
                ("s:notes_section:1:unique_id", "n2"),
                ("s:notes_section:1:_destroy", "on"),
                ("s:notes_section:2:note_subject", ""),
                ("s:family_details_section:0:relation_name", "Huda"),
                ("f:age_hack", "1"),
            ]),
        );
        assert_eq!(data["name_first"], "Amal");
        assert_eq!(data["age"], 9);
        assert_eq!(data["name_nickname"], "007");
        assert_eq!(data["estimated"], true);
        assert_eq!(
            data["protection_concerns"],
            serde_json::json!(["refugee", "migrant"])
        );
        assert_eq!(data["urgent_protection_concern"], false);
        assert_eq!(data["sex"], Value::Null);
        let notes = data["notes_section"].as_array().unwrap();
        assert_eq!(notes.len(), 2, "the blank add row is ignored: {notes:?}");
        assert_eq!(notes[1]["_destroy"], true);
        assert_eq!(
            data["family_details_section"][0]["relation_is_caregiver"],
            false
        );
        assert!(data.get("age_hack").is_none());
        let bad = parse_submission(catalog, &pairs(&[("f:age", "nine")]));
        assert_eq!(bad["age"], "nine", "kept as text for validation to refuse");
    }
}
