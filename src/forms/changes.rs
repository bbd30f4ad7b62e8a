//! Changing forms and lookups without losing record data.
//!
//! - A field left out of a saved section is kept, hidden: its values stay in the records.
//! - A change to a field's type, choices or limits is refused when stored values would no longer
//!   fit it, with the number of records that block it.
//! - A choice in use can be disabled, not deleted; a lookup in use cannot be deleted.
//!
//! Every accepted change is written in one transaction with a new configuration stamp and an
//! audit entry.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use serde_json::{Map, Value};

use super::{store, validate, Catalog, Field, FieldType, Lookup, Section};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::records;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode, Problem};

/// Records are read this many at a time when counting those a change would break.
const SCAN_BATCH: i64 = 500;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn valid_lookup_id(id: &str) -> bool {
    id.starts_with("lookup-")
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn problem(field: &str, kind: &'static str, message: String) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message,
    }
}

/// Checks a whole configuration for consistency: names, uniqueness, references between
/// fields and lookups. Returns every problem found.
pub fn check_set(sections: &[Section], lookups: &[Lookup]) -> Vec<Problem> {
    let mut out = Vec::new();
    let lookup_ids: HashSet<&str> = lookups.iter().map(|l| l.id.as_str()).collect();
    let mut seen_lookups = HashSet::new();
    for l in lookups {
        if !valid_lookup_id(&l.id) {
            out.push(problem(
                &l.id,
                "bad_name",
                format!("lookup id {:?} must look like lookup-name", l.id),
            ));
        }
        if !seen_lookups.insert(&l.id) {
            out.push(problem(
                &l.id,
                "duplicate",
                format!("lookup {} is defined twice", l.id),
            ));
        }
        check_options(&l.id, &l.values, &mut out);
    }
    let mut section_ids = HashSet::new();
    let mut top_names: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for s in sections {
        if !valid_name(&s.id) {
            out.push(problem(
                &s.id,
                "bad_name",
                format!(
                    "section id {:?} must be lower-case letters, digits and _",
                    s.id
                ),
            ));
        }
        if !section_ids.insert((&s.record_type, &s.id)) {
            out.push(problem(
                &s.id,
                "duplicate",
                format!("section {} is defined twice", s.id),
            ));
        }
        if s.label.exact("en").is_empty() {
            out.push(problem(
                &s.id,
                "required",
                format!("section {} needs an English name", s.id),
            ));
        }
        for f in &s.fields {
            if let Some(other) = top_names.insert((&s.record_type, &f.name), &s.id) {
                out.push(problem(
                    &f.name,
                    "duplicate",
                    format!("field {} is in sections {other} and {}", f.name, s.id),
                ));
            }
        }
        check_fields(&s.fields, &lookup_ids, false, &mut out);
    }
    out
}

fn check_options(owner: &str, options: &[super::OptionDef], out: &mut Vec<Problem>) {
    let mut ids = HashSet::new();
    for o in options {
        if o.id.trim().is_empty() || o.id.len() > 128 {
            out.push(problem(
                owner,
                "bad_name",
                format!("{owner}: an option needs an id of at most 128 characters"),
            ));
        }
        if !ids.insert(&o.id) {
            out.push(problem(
                owner,
                "duplicate",
                format!("{owner}: option {} is listed twice", o.id),
            ));
        }
        if o.label.exact("en").is_empty() {
            out.push(problem(
                owner,
                "required",
                format!("{owner}: option {} needs an English label", o.id),
            ));
        }
    }
}

fn check_fields(
    fields: &[Field],
    lookups: &HashSet<&str>,
    in_subform: bool,
    out: &mut Vec<Problem>,
) {
    let names: HashSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut seen = HashSet::new();
    for f in fields {
        let n = f.name.as_str();
        if !valid_name(n) {
            out.push(problem(
                n,
                "bad_name",
                format!("field name {n:?} must be lower-case letters, digits and _ (at most 64)"),
            ));
        }
        if in_subform && !seen.insert(n) {
            out.push(problem(
                n,
                "duplicate",
                format!("field {n} is twice in one subform"),
            ));
        }
        if f.label.exact("en").is_empty() {
            out.push(problem(
                n,
                "required",
                format!("field {n} needs an English label"),
            ));
        }
        let sources = usize::from(f.lookup.is_some())
            + usize::from(!f.options.is_empty())
            + usize::from(f.source.is_some());
        if f.kind.has_choices() && sources != 1 {
            out.push(problem(n, "no_choices", format!("field {n} needs its choices from exactly one of: a lookup, its own options, locations, agencies or users")));
        }
        if !f.kind.has_choices() && sources > 0 {
            out.push(problem(
                n,
                "unexpected_choices",
                format!(
                    "field {n} is a {} field and cannot have choices",
                    f.kind.name()
                ),
            ));
        }
        if let Some(l) = &f.lookup {
            if !lookups.contains(l.as_str()) {
                out.push(problem(
                    n,
                    "unknown_lookup",
                    format!("field {n} uses unknown lookup {l}"),
                ));
            }
        }
        check_options(n, &f.options, out);
        if let (Some(a), Some(b)) = (f.min, f.max) {
            if a > b {
                out.push(problem(
                    n,
                    "out_of_range",
                    format!("field {n}: the minimum is above the maximum"),
                ));
            }
        }
        if let Some(c) = &f.show_if {
            if c.field == f.name || !names.contains(c.field.as_str()) {
                out.push(problem(
                    n,
                    "unknown_field",
                    format!(
                        "field {n} is shown depending on {}, which is not a field beside it",
                        c.field
                    ),
                ));
            }
        }
        match (f.kind, &f.calculate) {
            (FieldType::Calculated, None) => out.push(problem(
                n,
                "required",
                format!("calculated field {n} needs a calculation"),
            )),
            (FieldType::Calculated, Some(calc)) => {
                let refs: Vec<&String> = match calc {
                    super::Calculation::YearsSince(a) | super::Calculation::Count(a) => vec![a],
                    super::Calculation::Sum(list) => list.iter().collect(),
                };
                for r in refs {
                    if !names.contains(r.as_str()) {
                        out.push(problem(
                            n,
                            "unknown_field",
                            format!(
                                "calculated field {n} uses {r}, which is not a field beside it"
                            ),
                        ));
                    }
                }
            }
            (_, Some(_)) => out.push(problem(
                n,
                "unexpected_calculation",
                format!("field {n} is not a calculated field"),
            )),
            _ => {}
        }
        match f.kind {
            FieldType::Subform if in_subform => out.push(problem(
                n,
                "nested_subform",
                format!("subform {n} cannot be inside another subform"),
            )),
            FieldType::Subform => check_fields(&f.fields, lookups, true, out),
            _ if !f.fields.is_empty() => out.push(problem(
                n,
                "unexpected_fields",
                format!("field {n} is not a subform and cannot hold fields"),
            )),
            _ => {}
        }
    }
}

/// Keeps every field of `old` that `new` leaves out, hidden, so no record loses its values.
fn keep_removed_fields(old: &[Field], new: &mut Vec<Field>) {
    for o in old {
        match new.iter_mut().find(|n| n.name == o.name) {
            Some(n) if n.kind == FieldType::Subform && o.kind == FieldType::Subform => {
                keep_removed_fields(&o.fields, &mut n.fields);
            }
            Some(_) => {}
            None => {
                let mut kept = o.clone();
                kept.visible = false;
                new.push(kept);
            }
        }
    }
}

/// Whether a field's change could make stored values invalid.
fn value_rules_changed(old: &Field, new: &Field) -> bool {
    let ids = |f: &Field| {
        f.options
            .iter()
            .map(|o| o.id.clone())
            .collect::<HashSet<_>>()
    };
    old.kind != new.kind
        || old.lookup != new.lookup
        || old.source != new.source
        || !ids(old).is_subset(&ids(new))
        || old.min != new.min
        || old.max != new.max
        || old.with_time != new.with_time
}

/// Paths (`name` or `subform.name`) of fields whose value rules change between two field lists.
fn changed_paths(old: &[Field], new: &[Field], prefix: Option<&str>, out: &mut Vec<String>) {
    for n in new {
        let Some(o) = old.iter().find(|o| o.name == n.name) else {
            continue;
        };
        let path = match prefix {
            Some(p) => format!("{p}.{}", n.name),
            None => n.name.clone(),
        };
        if n.kind == FieldType::Subform && o.kind == FieldType::Subform {
            changed_paths(&o.fields, &n.fields, Some(&n.name), out);
        } else if value_rules_changed(o, n) {
            out.push(path);
        }
    }
}

/// The stored values at a path: the field's value, or the values in every subform entry.
fn values_at<'a>(data: &'a Map<String, Value>, path: &str) -> Vec<&'a Value> {
    match path.split_once('.') {
        None => data
            .get(path)
            .filter(|v| !v.is_null())
            .into_iter()
            .collect(),
        Some((sub, name)) => data
            .get(sub)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get(name))
            .filter(|v| !v.is_null())
            .collect(),
    }
}

fn field_at<'a>(catalog: &'a Catalog, path: &str) -> Option<&'a Field> {
    match path.split_once('.') {
        None => catalog.field(path),
        Some((sub, name)) => catalog.field(sub)?.fields.iter().find(|f| f.name == name),
    }
}

/// For each path, how many records of the type hold a value the new catalog would refuse.
fn count_blocking(
    conn: &mut DbConnection,
    record_type: &str,
    catalog: &Catalog,
    paths: &[String],
) -> AppResult<BTreeMap<String, usize>> {
    let mut blocking: BTreeMap<String, usize> = BTreeMap::new();
    if paths.is_empty() {
        return Ok(blocking);
    }
    let mut after = String::new();
    loop {
        let batch: Vec<(String, String)> = records::table
            .filter(records::record_type.eq(record_type))
            .filter(records::id.gt(&after))
            .order(records::id)
            .select((records::id, records::data))
            .limit(SCAN_BATCH)
            .load(conn)?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        after = last.clone();
        for (id, json) in &batch {
            let data: Map<String, Value> = serde_json::from_str(json)
                .map_err(|e| AppError::internal(format!("record {id} has unreadable data: {e}")))?;
            for path in paths {
                let Some(field) = field_at(catalog, path) else {
                    continue;
                };
                if values_at(&data, path)
                    .iter()
                    .any(|v| !validate::value_fits(catalog, field, v))
                {
                    *blocking.entry(path.clone()).or_default() += 1;
                }
            }
        }
    }
    Ok(blocking)
}

fn refuse_blocking(blocking: BTreeMap<String, usize>) -> AppResult<()> {
    if blocking.is_empty() {
        return Ok(());
    }
    let problems = blocking
        .into_iter()
        .map(|(path, n)| {
            problem(
                &path,
                "values_do_not_fit",
                format!(
                    "{n} record{} hold{} values of {path} that the changed field would not accept; change or clear them first, or disable options instead of removing them",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" },
                ),
            )
        })
        .collect();
    Err(AppError::validation(problems))
}

fn refuse_inconsistent(problems: Vec<Problem>) -> AppResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

/// Saves a section (new or changed) after the checks above; returns it as stored (with any
/// left-out fields kept, hidden).
pub fn save_section(
    conn: &mut DbConnection,
    actor: &Actor,
    mut section: Section,
) -> AppResult<Section> {
    crate::db::write_transaction(conn, |conn| {
        begin_change(conn)?;
        let mut sections = store::load_sections(conn, &section.record_type)?;
        let lookups = store::load_lookups(conn)?;
        let old = sections.iter().position(|s| s.id == section.id);
        let mut paths = Vec::new();
        if let Some(i) = old {
            let old = sections.remove(i);
            keep_removed_fields(&old.fields, &mut section.fields);
            changed_paths(&old.fields, &section.fields, None, &mut paths);
        }
        sections.push(section.clone());
        refuse_inconsistent(check_set(&sections, &lookups))?;
        let catalog = Catalog::new(
            &section.record_type,
            sections,
            lookups,
            store::load_references(conn)?,
        );
        refuse_blocking(count_blocking(
            conn,
            &section.record_type,
            &catalog,
            &paths,
        )?)?;
        store::put_section(conn, &section, actor.username.as_deref())?;
        let event = Event::new("form_section.saved", Outcome::Done).detail(serde_json::json!({
            "record_type": section.record_type,
            "section": section.id,
            "created": old.is_none(),
            "checked_fields": paths,
        }));
        audit::write(conn, actor, event)?;
        Ok(section)
    })
}

/// The fields (as paths, per record type) that take their choices from a lookup.
fn fields_using_lookup(sections: &[Section], lookup: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in sections {
        for f in &s.fields {
            if f.lookup.as_deref() == Some(lookup) {
                out.push((s.record_type.clone(), f.name.clone()));
            }
            for sub in &f.fields {
                if sub.lookup.as_deref() == Some(lookup) {
                    out.push((s.record_type.clone(), format!("{}.{}", f.name, sub.name)));
                }
            }
        }
    }
    out
}

fn all_sections(conn: &mut DbConnection) -> AppResult<Vec<Section>> {
    let types: Vec<String> = crate::db::schema::form_sections::table
        .select(crate::db::schema::form_sections::record_type)
        .distinct()
        .load(conn)?;
    let mut out = Vec::new();
    for t in types {
        out.extend(store::load_sections(conn, &t)?);
    }
    Ok(out)
}

/// Marks the configuration changed, first thing in a change's transaction: on PostgreSQL the
/// update locks the configuration row, so two administrators' changes run one after the other
/// and neither works from a stale copy.
fn begin_change(conn: &mut DbConnection) -> AppResult<()> {
    store::config_changed(conn)
}

/// Saves a lookup (new or changed). Removing a value that records hold is refused (disable it).
pub fn save_lookup(conn: &mut DbConnection, actor: &Actor, lookup: Lookup) -> AppResult<Lookup> {
    crate::db::write_transaction(conn, |conn| {
        begin_change(conn)?;
        let sections = all_sections(conn)?;
        let mut lookups = store::load_lookups(conn)?;
        let old = lookups
            .iter()
            .position(|l| l.id == lookup.id)
            .map(|i| lookups.remove(i));
        lookups.push(lookup.clone());
        refuse_inconsistent(check_set(&sections, &lookups))?;
        let removed: Vec<&str> = old
            .iter()
            .flat_map(|o| &o.values)
            .filter(|v| !lookup.values.iter().any(|n| n.id == v.id))
            .map(|v| v.id.as_str())
            .collect();
        if !removed.is_empty() {
            let users = fields_using_lookup(&sections, &lookup.id);
            let refs = store::load_references(conn)?;
            let mut blocking = BTreeMap::new();
            let types: HashSet<&String> = users.iter().map(|(t, _)| t).collect();
            for t in types {
                let paths: Vec<String> = users
                    .iter()
                    .filter(|(rt, _)| rt == t)
                    .map(|(_, p)| p.clone())
                    .collect();
                let catalog = Catalog::new(t, sections.clone(), lookups.clone(), refs.clone());
                blocking.extend(count_blocking(conn, t, &catalog, &paths)?);
            }
            refuse_blocking(blocking)?;
        }
        store::put_lookup(conn, &lookup, actor.username.as_deref())?;
        let event = Event::new("lookup.saved", Outcome::Done).detail(serde_json::json!({
            "lookup": lookup.id,
            "created": old.is_none(),
            "removed_values": removed,
        }));
        audit::write(conn, actor, event)?;
        Ok(lookup)
    })
}

/// Deletes a lookup that no field uses.
pub fn delete_lookup(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<()> {
    crate::db::write_transaction(conn, |conn| {
        begin_change(conn)?;
        let sections = all_sections(conn)?;
        if !store::load_lookups(conn)?.iter().any(|l| l.id == id) {
            return Err(AppError::not_found());
        }
        let users = fields_using_lookup(&sections, id);
        if !users.is_empty() {
            let names: Vec<String> = users.into_iter().map(|(t, p)| format!("{t}.{p}")).collect();
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Lookup {id} is used by {}; change those fields first.",
                    names.join(", ")
                ),
            ));
        }
        store::delete_lookup(conn, id)?;
        audit::write(
            conn,
            actor,
            Event::new("lookup.deleted", Outcome::Done).detail(serde_json::json!({"lookup": id})),
        )?;
        Ok(())
    })
}

/// Moves a section one place up or down and renumbers the record type's sections 10, 20, ...
pub fn move_section(
    conn: &mut DbConnection,
    actor: &Actor,
    record_type: &str,
    id: &str,
    up: bool,
) -> AppResult<()> {
    crate::db::write_transaction(conn, |conn| {
        begin_change(conn)?;
        let mut sections = store::load_sections(conn, record_type)?;
        sections.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
        let i = sections
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(AppError::not_found)?;
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(j) = j.filter(|j| *j < sections.len()) {
            sections.swap(i, j);
        }
        for (n, section) in sections.iter_mut().enumerate() {
            let order = i32::try_from((n + 1) * 10).unwrap_or(i32::MAX);
            if section.order != order {
                section.order = order;
                store::put_section(conn, section, actor.username.as_deref())?;
            }
        }
        let event = Event::new("form_section.moved", Outcome::Done).detail(serde_json::json!({
            "record_type": record_type,
            "section": id,
            "direction": if up { "up" } else { "down" },
        }));
        audit::write(conn, actor, event)?;
        Ok(())
    })
}
