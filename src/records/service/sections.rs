//! Form section rights applied to records: a role's hidden sections are taken out of every
//! record and history entry before it leaves the service, and a change to a field of a hidden
//! or read-only section is refused (and audited) before anything is written.

use serde_json::{Map, Value};

use super::{Caller, HistoryEntry};
use crate::access::sections::SectionRight;
use crate::access::Principal;
use crate::audit::{self, Event, Outcome};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::forms::Catalog;
use crate::records::merge::Change;
use crate::records::{Record, RecordKind};

/// The top-level field a change path names (`notes_section[id].note_text` -> `notes_section`).
fn top_field(path: &str) -> &str {
    path.split(['[', '.']).next().unwrap_or(path)
}

/// Takes the caller's hidden sections out of a record's data.
pub(crate) fn redact(catalog: &Catalog, principal: &Principal, record: &mut Record) {
    if principal.section_access.is_unrestricted() {
        return;
    }
    let hidden = principal
        .section_access
        .fields_below(catalog, SectionRight::Read);
    if hidden.is_empty() {
        return;
    }
    let mut data: Map<String, Value> = serde_json::from_str(&record.data).unwrap_or_default();
    data.retain(|k, _| !hidden.contains(k));
    record.data = Value::Object(data).to_string();
}

/// Takes changes to hidden fields out of history entries (an entry left with none stays, so
/// that the record's versions still show who changed it when).
pub(crate) fn redact_history(
    catalog: &Catalog,
    principal: &Principal,
    entries: &mut [HistoryEntry],
) {
    if principal.section_access.is_unrestricted() {
        return;
    }
    let hidden = principal
        .section_access
        .fields_below(catalog, SectionRight::Read);
    for entry in entries {
        let kept: Vec<Change> = entry
            .changes()
            .into_iter()
            .filter(|c| !hidden.contains(top_field(&c.field)))
            .collect();
        entry.changes = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
    }
}

/// Refuses input that touches a field the caller may not change, auditing the refusal.
pub(crate) fn refuse_locked(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    catalog: &Catalog,
    record_id: Option<&str>,
    input: &Map<String, Value>,
) -> AppResult<()> {
    if caller.principal.section_access.is_unrestricted() {
        return Ok(());
    }
    let locked = caller
        .principal
        .section_access
        .fields_below(catalog, SectionRight::ReadWrite);
    let Some(field) = input.keys().find(|k| locked.contains(*k)) else {
        return Ok(());
    };
    let mut event = Event::new("update", Outcome::Denied)
        .detail(serde_json::json!({ "field": field, "reason": "section not writable" }));
    event.record_type = Some(kind.name.into());
    if let Some(id) = record_id {
        event = event.record(kind.name, id, None);
    }
    audit::write_alone(conn, &caller.actor, event)?;
    let mut e = AppError::new(
        ErrorCode::Forbidden,
        format!("Your role may not change the field {field}."),
    );
    e.field = Some(field.clone());
    Err(e)
}

/// What the caller's role may do with the section holding a top-level field (a field in no
/// section is treated like any unlisted section: read and written).
pub(crate) fn field_right(catalog: &Catalog, principal: &Principal, field: &str) -> SectionRight {
    catalog
        .sections
        .iter()
        .find(|s| s.fields.iter().any(|f| f.name == field))
        .map(|s| principal.section_access.right(&s.id))
        .unwrap_or(SectionRight::ReadWrite)
}
