//! Form data changes as pure functions: cleaning input, merging an update into a record
//! (Primero's PATCH semantics), and the field-by-field difference that history records.

use serde_json::{Map, Value};

use crate::forms::{Catalog, FieldType};

pub const UNIQUE_ID: &str = "unique_id";
const DESTROY: &str = "_destroy";

/// A new subform entry id, in the same form Primero uses (a UUID).
fn new_unique_id() -> Value {
    Value::String(uuid::Uuid::new_v4().to_string())
}

/// Keeps only the fields a user enters (unknown, removed, calculated and metadata fields are
/// dropped, as the API promises), cleans subform
/// entries (their known fields and `unique_id`, which is added where missing), and drops entries
/// marked `_destroy`. Values keep their JSON type.
pub fn clean(catalog: &Catalog, input: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in input {
        let Some(field) = catalog.field(key).filter(|f| f.is_entered()) else {
            continue;
        };
        // An empty value is no value: store nothing rather than an explicit null.
        if value.is_null() {
            continue;
        }
        if field.kind == FieldType::Subform {
            let entries = value.as_array().map(|a| a.as_slice()).unwrap_or(&[]);
            let cleaned: Vec<Value> = entries
                .iter()
                .filter_map(Value::as_object)
                .filter(|e| !is_destroy(e))
                .map(|e| Value::Object(clean_entry(field, e, None)))
                .collect();
            // Anything other than a list is kept as is, for validation to refuse.
            if value.is_array() {
                out.insert(key.clone(), Value::Array(cleaned));
            } else {
                out.insert(key.clone(), value.clone());
            }
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

fn is_destroy(entry: &Map<String, Value>) -> bool {
    matches!(
        entry.get(DESTROY),
        Some(Value::Bool(true)) | Some(Value::String(_))
    ) && entry.get(DESTROY) != Some(&Value::String("false".into()))
}

/// An entry's known fields merged over `base` (if any), with a `unique_id`.
fn clean_entry(
    field: &crate::forms::Field,
    entry: &Map<String, Value>,
    base: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut out = base.cloned().unwrap_or_default();
    for sub in field.fields.iter().filter(|f| f.is_entered()) {
        match entry.get(&sub.name) {
            Some(Value::Null) => {
                out.remove(&sub.name);
            }
            Some(v) => {
                out.insert(sub.name.clone(), v.clone());
            }
            None => {}
        }
    }
    let id = entry
        .get(UNIQUE_ID)
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        .cloned()
        .or_else(|| base.and_then(|b| b.get(UNIQUE_ID).cloned()))
        .unwrap_or_else(new_unique_id);
    out.insert(UNIQUE_ID.into(), id);
    out
}

/// Merges an update into a record's data: fields not sent are kept; a field sent as `null` is
/// cleared; subform entries are matched by `unique_id` (update), appended when new, and removed
/// with `"_destroy": true`.
pub fn merge(
    catalog: &Catalog,
    existing: &Map<String, Value>,
    patch: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = existing.clone();
    for (key, value) in patch {
        // Fields no longer entered keep their stored values whatever an update sends.
        let Some(field) = catalog.field(key).filter(|f| f.is_entered()) else {
            continue;
        };
        if value.is_null() {
            out.remove(key);
            continue;
        }
        if field.kind != FieldType::Subform || !value.is_array() {
            out.insert(key.clone(), value.clone());
            continue;
        }
        let mut entries: Vec<Map<String, Value>> = out
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|e| e.as_object().cloned()).collect())
            .unwrap_or_default();
        for incoming in value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            let id = incoming.get(UNIQUE_ID).and_then(Value::as_str);
            let position = id.and_then(|id| {
                entries
                    .iter()
                    .position(|e| e.get(UNIQUE_ID).and_then(Value::as_str) == Some(id))
            });
            match (position, is_destroy(incoming)) {
                (Some(i), true) => {
                    entries.remove(i);
                }
                (Some(i), false) => {
                    let merged = clean_entry(field, incoming, Some(&entries[i]));
                    entries[i] = merged;
                }
                (None, true) => {}
                (None, false) => entries.push(clean_entry(field, incoming, None)),
            }
        }
        out.insert(
            key.clone(),
            Value::Array(entries.into_iter().map(Value::Object).collect()),
        );
    }
    out
}

/// One changed field: `field` is a path such as `age` or `notes_section[<unique_id>].note_text`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// What changed between two versions of a record's data, field by field; subform entries are
/// compared by `unique_id`.
pub fn diff(catalog: &Catalog, old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<Change> {
    let mut changes = Vec::new();
    for section in &catalog.sections {
        for field in &section.fields {
            // A null and a missing field are the same: no value.
            let (a, b) = (
                old.get(&field.name).filter(|v| !v.is_null()),
                new.get(&field.name).filter(|v| !v.is_null()),
            );
            if a == b {
                continue;
            }
            if field.kind == FieldType::Subform {
                diff_subform(&field.name, a, b, &mut changes);
            } else {
                changes.push(Change {
                    field: field.name.clone(),
                    from: a.cloned().unwrap_or(Value::Null),
                    to: b.cloned().unwrap_or(Value::Null),
                });
            }
        }
    }
    changes
}

fn diff_subform(name: &str, old: Option<&Value>, new: Option<&Value>, changes: &mut Vec<Change>) {
    let entries = |v: Option<&Value>| -> Vec<Map<String, Value>> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|e| e.as_object().cloned()).collect())
            .unwrap_or_default()
    };
    let id_of = |e: &Map<String, Value>| {
        e.get(UNIQUE_ID)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (old, new) = (entries(old), entries(new));
    for o in &old {
        let id = id_of(o);
        match new.iter().find(|n| id_of(n) == id) {
            None => changes.push(Change {
                field: format!("{name}[{id}]"),
                from: Value::Object(o.clone()),
                to: Value::Null,
            }),
            Some(n) => {
                let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys.into_iter().filter(|k| *k != UNIQUE_ID) {
                    let a = o.get(k).filter(|v| !v.is_null());
                    let b = n.get(k).filter(|v| !v.is_null());
                    if a != b {
                        changes.push(Change {
                            field: format!("{name}[{id}].{k}"),
                            from: o.get(k).cloned().unwrap_or(Value::Null),
                            to: n.get(k).cloned().unwrap_or(Value::Null),
                        });
                    }
                }
            }
        }
    }
    for n in new
        .iter()
        .filter(|n| !old.iter().any(|o| id_of(o) == id_of(n)))
    {
        changes.push(Change {
            field: format!("{name}[{}]", id_of(n)),
            from: Value::Null,
            to: Value::Object(n.clone()),
        });
    }
}

/// Splits a change path: `age` → (`age`, None, None); `notes[u1]` → (`notes`, Some(u1), None);
/// `notes[u1].note_text` → (`notes`, Some(u1), Some(note_text)).
fn split_path(path: &str) -> (&str, Option<&str>, Option<&str>) {
    match path.split_once('[') {
        None => (path, None, None),
        Some((field, rest)) => {
            let (id, tail) = rest.split_once(']').unwrap_or((rest, ""));
            let sub = tail.strip_prefix('.').filter(|s| !s.is_empty());
            (field, Some(id), sub)
        }
    }
}

/// Sets the value at a change path (`Null` removes a field or a whole subform entry).
pub fn apply_at(data: &mut Map<String, Value>, path: &str, value: &Value) {
    match split_path(path) {
        (field, None, _) => {
            if value.is_null() {
                data.remove(field);
            } else {
                data.insert(field.to_owned(), value.clone());
            }
        }
        (field, Some(id), sub) => {
            let entries = data
                .entry(field.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !entries.is_array() {
                *entries = Value::Array(Vec::new());
            }
            let Some(list) = entries.as_array_mut() else {
                return;
            };
            let pos = list
                .iter()
                .position(|e| e.get(UNIQUE_ID).and_then(Value::as_str) == Some(id));
            match (sub, pos) {
                (None, Some(i)) if value.is_null() => {
                    list.remove(i);
                }
                (None, Some(i)) => list[i] = value.clone(),
                (None, None) if !value.is_null() => list.push(value.clone()),
                (Some(f), Some(i)) => {
                    if let Some(obj) = list[i].as_object_mut() {
                        if value.is_null() {
                            obj.remove(f);
                        } else {
                            obj.insert(f.to_owned(), value.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The data as it was before `changes` (given oldest first) were applied: for rebuilding the
/// version an editor started from.
pub fn revert(data: &Map<String, Value>, changes: &[Change]) -> Map<String, Value> {
    let mut out = data.clone();
    for c in changes.iter().rev() {
        apply_at(&mut out, &c.field, &c.from);
    }
    out
}

/// Applies changes (oldest first) on top of data.
pub fn apply(data: &Map<String, Value>, changes: &[Change]) -> Map<String, Value> {
    let mut out = data.clone();
    for c in changes {
        apply_at(&mut out, &c.field, &c.to);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> &'static Catalog {
        crate::forms::standard::case_catalog().unwrap()
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn clean_drops_unknown_fields_and_keeps_types() {
        let c = clean(
            catalog(),
            &obj(
                json!({"name_first": "001", "age": 7, "hacker": "x", "status": "closed",
                "notes_section": [{"note_subject": "a", "evil": 1}, {"note_subject": "b", "_destroy": true}]}),
            ),
        );
        assert_eq!(c["name_first"], json!("001"));
        assert_eq!(c["age"], json!(7));
        assert!(c.get("hacker").is_none() && c.get("status").is_none());
        let notes = c["notes_section"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].get("evil").is_none());
        assert!(notes[0]["unique_id"].as_str().unwrap().len() >= 32);
    }

    #[test]
    fn merge_keeps_fields_not_sent_and_handles_subforms() {
        let existing = obj(json!({"name_first": "Amal", "age": 9, "notes_section": [
            {"unique_id": "n1", "note_subject": "first", "note_text": "keep me"},
            {"unique_id": "n2", "note_subject": "second"}]}));
        let patch = obj(
            json!({"age": 10, "name_nickname": null, "unknown": 1, "notes_section": [
            {"unique_id": "n1", "note_subject": "first, edited"},
            {"unique_id": "n2", "_destroy": true},
            {"note_subject": "third"}]}),
        );
        let merged = merge(catalog(), &existing, &patch);
        assert_eq!(merged["name_first"], json!("Amal"));
        assert_eq!(merged["age"], json!(10));
        assert!(merged.get("unknown").is_none());
        let notes = merged["notes_section"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0]["note_subject"], json!("first, edited"));
        assert_eq!(
            notes[0]["note_text"],
            json!("keep me"),
            "entry fields not sent are kept"
        );
        assert_eq!(notes[1]["note_subject"], json!("third"));
        assert!(notes[1]["unique_id"].is_string());
    }

    #[test]
    fn revert_and_apply_round_trip() {
        let old = obj(json!({"age": 9, "name_first": "Amal",
            "notes_section": [{"unique_id": "n1", "note_subject": "a"}, {"unique_id": "n2", "note_subject": "b"}]}));
        let new = obj(
            json!({"age": 10, "name_first": "Amal", "risk_level": "high",
            "notes_section": [{"unique_id": "n1", "note_subject": "A", "note_text": "t"}, {"unique_id": "n3", "note_subject": "c"}]}),
        );
        let changes = diff(catalog(), &old, &new);
        assert_eq!(revert(&new, &changes), old);
        assert_eq!(apply(&old, &changes), new);
    }

    #[test]
    fn null_and_missing_are_the_same() {
        let old = obj(json!({"age": 9, "date_of_birth": null}));
        let new = obj(json!({"age": 9, "name_nickname": null}));
        assert!(diff(catalog(), &old, &new).is_empty());
        assert!(clean(catalog(), &old).get("date_of_birth").is_none());
    }

    #[test]
    fn diff_names_fields_and_subform_entries() {
        let old = obj(json!({"age": 9, "name_first": "Amal",
            "notes_section": [{"unique_id": "n1", "note_subject": "a"}, {"unique_id": "n2", "note_subject": "b"}]}));
        let new = obj(json!({"age": 10, "name_first": "Amal",
            "notes_section": [{"unique_id": "n1", "note_subject": "A"}, {"unique_id": "n3", "note_subject": "c"}]}));
        let fields: Vec<String> = diff(catalog(), &old, &new)
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(
            fields,
            [
                "age",
                "notes_section[n1].note_subject",
                "notes_section[n2]",
                "notes_section[n3]"
            ]
        );
        assert!(diff(catalog(), &old, &old).is_empty());
    }
}
