//! Record operations: the one layer the web UI and the API both call. Each change and its audit
//! entry commit in the same transaction; each read is audited too. Access to a record outside
//! the caller's scope is refused (403) and audited as denied.

mod flags;
mod sections;

pub(crate) use sections::{field_right, redact};

pub use flags::{flag, flags, flags_of, unflag, Flag};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Map, Value};

use super::list_cache::ListCache;
use super::merge::{self, Change};
use super::query::{self, ListQuery};
use super::{search_terms, short_id, Projection, Record, RecordKind};
use crate::access::{Action, Permission, Principal};
use crate::audit::{self, Actor, Audited, Event, Journal, Outcome, Receipt};
use crate::db::schema::{record_counters, record_history, record_search_terms, records, users};
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::forms::validate::{apply_calculations, validate};
use crate::forms::Catalog;

/// Who is acting: the signed-in user and the request's audit details, and where the audit
/// entries of their reads go: the server's journal (batched), or with `None` (the command
/// line) straight into the database.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
    pub journal: Option<Journal>,
}

/// Audits a read: through the journal (the receipt says when it has committed), or on the
/// command line directly. Never inside a write transaction: the journal would wait for the
/// lock that transaction holds.
pub(crate) fn record_read(
    conn: &mut DbConnection,
    caller: &Caller,
    event: Event,
) -> AppResult<Receipt> {
    match &caller.journal {
        Some(journal) => journal.submit(&caller.actor, event),
        None => {
            audit::write_alone(conn, &caller.actor, event)?;
            Ok(Receipt::committed())
        }
    }
}

/// Statuses a record can have.
pub const STATUSES: [&str; 2] = ["open", "closed"];

/// Today's date for "not in the future" checks (UTC, like every stored time).
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub(crate) fn event(
    kind: &RecordKind,
    action: &'static str,
    outcome: Outcome,
    r: &Record,
) -> Event {
    Event::new(action, outcome).record(kind.name, &r.id, r.owned_by.as_deref())
}

/// Records a refusal in its own transaction and returns the error to answer with.
fn deny(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    r: &Record,
    action: &'static str,
) -> AppError {
    let e = event(kind, action, Outcome::Denied, r);
    if let Err(err) = audit::write_alone(conn, &caller.actor, e) {
        return err;
    }
    AppError::forbidden()
}

/// Loads an enabled record of this kind (disabled ones are hidden: 404).
fn load(conn: &mut DbConnection, kind: &RecordKind, id: &str) -> AppResult<Record> {
    records::table
        .find(id)
        .filter(records::record_type.eq(kind.name))
        .filter(records::enabled.eq(true))
        .select(Record::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(AppError::not_found)
}

/// Loads a record the caller may reach, auditing a refusal. Sub-resources kept outside this
/// module (attachments) call it too, so that there is one scope check.
pub(crate) fn load_reachable(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    action: &'static str,
) -> AppResult<Record> {
    let record = load(conn, kind, id)?;
    if !super::reach::reaches(conn, &caller.principal.record_scope(), &record.id)? {
        return Err(deny(conn, kind, caller, &record, action));
    }
    Ok(record)
}

/// Takes the record's row lock for the rest of the transaction, so that a change is computed
/// from the version it replaces. SQLite needs nothing: `BEGIN IMMEDIATE` already made this the
/// only writer. On PostgreSQL two transactions could otherwise both read version n, and the
/// second one's write would find version n+1 and fail although it asked for no version check.
fn lock_for_change(conn: &mut DbConnection, id: &str) -> AppResult<()> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT 1 FROM records WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// Runs `work` in a write transaction on a record the caller may reach. A refusal is answered
/// with 403 after its audit entry commits; an error from `work` rolls everything back.
pub(crate) fn within_reach<T>(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    action: &'static str,
    work: impl FnOnce(&mut DbConnection, Record) -> AppResult<T>,
) -> AppResult<T> {
    write_transaction::<_, AppError, _>(conn, |conn| {
        lock_for_change(conn, id)?;
        match load_reachable(conn, kind, caller, id, action) {
            Ok(record) => work(conn, record).map(Ok),
            // Commit, so that the denial's audit entry is kept.
            Err(e) => Ok(Err(e)),
        }
    })?
}

fn validated(
    catalog: &Catalog,
    data: &Map<String, Value>,
    previous: Option<&Map<String, Value>>,
) -> AppResult<()> {
    let problems = validate(catalog, data, previous, today());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

fn status_from(input: &Map<String, Value>, current: &str) -> AppResult<String> {
    match input.get("status") {
        None | Some(Value::Null) => Ok(current.to_owned()),
        Some(Value::String(s)) if STATUSES.contains(&s.as_str()) => Ok(s.clone()),
        Some(_) => Err(AppError::validation(vec![crate::error::Problem {
            field: "status".into(),
            kind: "unknown_option",
            message: "status must be open or closed".into(),
        }])),
    }
}

/// Closing needs a reason (the closure form's `closure_reason`, sent or already on the case) and
/// dates the closure today unless a date is given; reopening needs a `reopen_reason`, which is
/// returned for the history. Anything else needs neither.
fn status_reason(
    patch: &Map<String, Value>,
    from: &str,
    to: &str,
    data: &mut Map<String, Value>,
) -> AppResult<Option<String>> {
    let filled = |v: Option<&Value>| match v {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    match (from, to) {
        ("open", "closed") => {
            if !filled(data.get("closure_reason")) {
                return Err(AppError::invalid(
                    "closure_reason",
                    "closure_reason is required to close a case",
                ));
            }
            if !filled(data.get("date_closure")) {
                data.insert("date_closure".into(), Value::String(today().to_string()));
            }
            Ok(None)
        }
        ("closed", "open") => match patch.get("reopen_reason") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 2000 => {
                Ok(Some(s.trim().to_owned()))
            }
            _ => Err(AppError::invalid(
                "reopen_reason",
                "reopen_reason (1 to 2000 characters) is required to reopen a case",
            )),
        },
        _ => Ok(None),
    }
}

fn next_display_id(
    conn: &mut DbConnection,
    kind: &RecordKind,
    format: &str,
    id: &str,
) -> AppResult<String> {
    // Each record type's counter row is created by its migration; the update takes its row lock
    // (PostgreSQL) inside the write transaction, so numbers are never handed out twice.
    let bumped = diesel::update(record_counters::table.find(kind.name))
        .set(record_counters::next_value.eq(record_counters::next_value + 1))
        .execute(conn)?;
    if bumped != 1 {
        return Err(AppError::internal(format!(
            "no id counter for record type {}",
            kind.name
        )));
    }
    let n: i64 = record_counters::table
        .find(kind.name)
        .select(record_counters::next_value)
        .first(conn)?;
    Ok(format_display_id(format, n, id))
}

/// Renders the configured human id format: `{seq}` (zero-padded to 6), `{year}`, `{short_id}`.
pub fn format_display_id(format: &str, seq: i64, id: &str) -> String {
    format
        .replace("{seq}", &format!("{seq:06}"))
        .replace("{year}", &chrono::Utc::now().format("%Y").to_string())
        .replace("{short_id}", &short_id(id))
}

fn replace_search_terms(
    conn: &mut DbConnection,
    catalog: &Catalog,
    r: &Record,
    data: &Map<String, Value>,
) -> AppResult<()> {
    diesel::delete(record_search_terms::table.filter(record_search_terms::record_id.eq(&r.id)))
        .execute(conn)?;
    // One row at a time: multi-row inserts are not available across both backends here.
    for term in search_terms(catalog, data) {
        diesel::insert_into(record_search_terms::table)
            .values((
                record_search_terms::term.eq(term),
                record_search_terms::record_id.eq(&r.id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub(crate) fn add_history(
    conn: &mut DbConnection,
    record_id: &str,
    version: i64,
    action: &str,
    changed_by: &str,
    changes: &[Change],
) -> AppResult<()> {
    diesel::insert_into(record_history::table)
        .values((
            record_history::id.eq(uuid::Uuid::new_v4().to_string()),
            record_history::record_id.eq(record_id),
            record_history::version.eq(version),
            record_history::action.eq(action),
            record_history::changed_at.eq(now()),
            record_history::changed_by.eq(Some(changed_by)),
            record_history::changes
                .eq(serde_json::to_string(changes).unwrap_or_else(|_| "[]".into())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a record. `client_id` is an id the client chose (offline clients do); a record with
/// that id already existing is a conflict.
pub fn create(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    input: &Map<String, Value>,
    client_id: Option<&str>,
    display_id_format: &str,
) -> AppResult<Record> {
    let catalog = kind.catalog(conn)?;
    sections::refuse_locked(conn, kind, caller, &catalog, None, input)?;
    let mut data = merge::clean(&catalog, input);
    apply_calculations(&catalog, &mut data, today());
    let status = status_from(input, "open")?;
    if status == "closed"
        && !caller
            .principal
            .can(Permission::new(kind.resource, Action::Close))
    {
        return Err(AppError::forbidden());
    }
    validated(&catalog, &data, None)?;
    let id = match client_id {
        Some(raw) => uuid::Uuid::parse_str(raw)
            .map_err(|_| AppError::invalid("id", "id must be a UUID"))?
            .to_string(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let changes = merge::diff(&catalog, &Map::new(), &data);
    let projection = Projection::of(&data, chrono::Utc::now().date_naive());
    let json = Value::Object(data.clone()).to_string();
    write_transaction(conn, |conn| {
        let exists = records::table
            .find(&id)
            .select(records::id)
            .first::<String>(conn)
            .optional()?
            .is_some();
        if exists {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A record with id {id} already exists."),
            ));
        }
        let at = now();
        let me = &caller.principal;
        let record = Record {
            short_id: short_id(&id),
            display_id: next_display_id(conn, kind, display_id_format, &id)?,
            id: id.clone(),
            record_type: kind.name.into(),
            status,
            enabled: true,
            owned_by: Some(me.user_id.clone()),
            owned_by_agency: None,
            owned_by_groups: "[]".into(),
            created_at: at,
            created_by: Some(me.username.clone()),
            updated_at: at,
            updated_by: Some(me.username.clone()),
            version: 1,
            data: json,
            name_sort: projection.name_sort,
            sex: projection.sex,
            age: projection.age,
            date_of_birth: projection.date_of_birth,
            registration_date: projection.registration_date,
            risk_level: projection.risk_level,
            location_current: projection.location_current,
            flagged: false,
        };
        diesel::insert_into(records::table)
            .values(&record)
            .execute(conn)?;
        replace_search_terms(conn, &catalog, &record, &data)?;
        add_history(conn, &record.id, 1, "create", &me.username, &changes)?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "create", Outcome::Done, &record),
        )?;
        Ok(record)
    })
    .map(|mut r| {
        sections::redact(&catalog, &caller.principal, &mut r);
        r
    })
}

/// One record, audited as a view.
pub fn fetch(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
) -> AppResult<Audited<Record>> {
    let mut record = load_reachable(conn, kind, caller, id, "view")?;
    let receipt = record_read(conn, caller, event(kind, "view", Outcome::Done, &record))?;
    sections::redact(&*kind.catalog(conn)?, &caller.principal, &mut record);
    Ok(Audited::new(record, receipt))
}

/// A page of a list, with the user names of the records' owners.
#[derive(Debug)]
pub struct ListPage {
    pub rows: Vec<Record>,
    pub total: i64,
    pub owners: std::collections::HashMap<String, String>,
}

impl ListPage {
    /// The user name of a record's owner, if it has one.
    pub fn owner_of(&self, r: &Record) -> Option<&str> {
        r.owned_by
            .as_ref()
            .and_then(|id| self.owners.get(id))
            .map(String::as_str)
    }
}

/// A page of records the caller may see, audited as a list: the names of the filters used are
/// kept, never their values (a search can hold a child's name).
pub fn list(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    q: &ListQuery,
    cache: &ListCache,
) -> AppResult<Audited<ListPage>> {
    let (mut rows, total) =
        query::page(conn, kind.name, &caller.principal.record_scope(), q, cache)?;
    if !caller.principal.section_access.is_unrestricted() {
        let catalog = kind.catalog(conn)?;
        for r in &mut rows {
            sections::redact(&catalog, &caller.principal, r);
        }
    }
    let mut e = Event::new("list", Outcome::Done);
    e.record_type = Some(kind.name.into());
    e.detail = serde_json::json!({
        "page": q.page, "per": q.per, "total": total, "returned": rows.len(),
        "filters": q.filter_names(), "searched": q.query.is_some(), "id_search": q.id_search,
    });
    let receipt = record_read(conn, caller, e)?;
    let ids: Vec<String> = rows.iter().filter_map(|r| r.owned_by.clone()).collect();
    let owners = usernames(conn, &ids)?;
    Ok(Audited::new(
        ListPage {
            rows,
            total,
            owners,
        },
        receipt,
    ))
}

/// Why an update was refused for being stale: the current record, so the caller can merge.
pub fn stale(current: Record) -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        format!(
            "This record was changed by someone else meanwhile (now at version {}). Reload it and apply your change again.",
            current.version
        ),
    )
    .with_cause(format!("stale update of {}", current.id))
}

/// Merges an update into a record. With `expected_version`, a record changed meanwhile is a
/// conflict and nothing is written.
pub fn update(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    patch: &Map<String, Value>,
    expected_version: Option<i64>,
) -> AppResult<Record> {
    let catalog = kind.catalog(conn)?;
    sections::refuse_locked(conn, kind, caller, &catalog, Some(id), patch)?;
    let outcome = write_transaction::<_, AppError, _>(conn, |conn| {
        lock_for_change(conn, id)?;
        let record = match load_reachable(conn, kind, caller, id, "update") {
            Ok(r) => r,
            // The refusal's audit entry is already written in its own transaction.
            Err(e) => return Ok(Err(e)),
        };
        if expected_version.is_some_and(|v| v != record.version) {
            return Ok(Err(stale(record)));
        }
        let old = record.form_data()?;
        let mut data = merge::merge(&catalog, &old, patch);
        apply_calculations(&catalog, &mut data, today());
        let status = match status_from(patch, &record.status) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        if status != record.status {
            let perm = if status == "closed" {
                Action::Close
            } else {
                Action::Reopen
            };
            if !caller.principal.can(Permission::new(kind.resource, perm)) {
                return Ok(Err(deny(conn, kind, caller, &record, "update")));
            }
        }
        let reopen_reason = match status_reason(patch, &record.status, &status, &mut data) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = validated(&catalog, &data, Some(&old)) {
            return Ok(Err(e));
        }
        let mut changes = merge::diff(&catalog, &old, &data);
        if let Some(reason) = reopen_reason {
            // Not a form field: the reason lives in the case's history.
            changes.push(Change {
                field: "reopen_reason".into(),
                from: Value::Null,
                to: Value::String(reason),
            });
        }
        if status != record.status {
            changes.push(Change {
                field: "status".into(),
                from: Value::String(record.status.clone()),
                to: Value::String(status.clone()),
            });
        }
        if changes.is_empty() {
            return Ok(Ok(record));
        }
        let projection = Projection::of(&data, record.created_at.date());
        let at = now();
        let version = record.version + 1;
        // The row lock makes this the current version; the condition guards it all the same.
        let written = diesel::update(
            records::table
                .filter(records::id.eq(&record.id))
                .filter(records::version.eq(record.version)),
        )
        .set((
            records::data.eq(Value::Object(data.clone()).to_string()),
            records::status.eq(&status),
            records::version.eq(version),
            records::updated_at.eq(at),
            records::updated_by.eq(Some(caller.principal.username.clone())),
            &projection,
        ))
        .execute(conn)?;
        if written == 0 {
            let current = load(conn, kind, id)?;
            return Ok(Err(stale(current)));
        }
        replace_search_terms(conn, &catalog, &record, &data)?;
        add_history(
            conn,
            &record.id,
            version,
            "update",
            &caller.principal.username,
            &changes,
        )?;
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        let e = event(kind, "update", Outcome::Done, &record)
            .detail(serde_json::json!({ "fields": fields }));
        audit::write(conn, &caller.actor, e)?;
        crate::alerts::notify(
            conn,
            &record.id,
            record.owned_by.as_deref(),
            crate::alerts::UPDATE,
            &caller.principal.user_id,
        )?;
        Ok(Ok(load(conn, kind, id)?))
    })?;
    outcome.map(|mut r| {
        sections::redact(&catalog, &caller.principal, &mut r);
        r
    })
}

/// Disables a record: kept, hidden from lists and reads, audited.
pub fn disable(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
) -> AppResult<()> {
    within_reach(conn, kind, caller, id, "disable", |conn, record| {
        let version = record.version + 1;
        diesel::update(records::table.find(&record.id))
            .set((
                records::enabled.eq(false),
                records::version.eq(version),
                records::updated_at.eq(now()),
                records::updated_by.eq(Some(caller.principal.username.clone())),
            ))
            .execute(conn)?;
        let change = Change {
            field: "record_state".into(),
            from: Value::Bool(true),
            to: Value::Bool(false),
        };
        add_history(
            conn,
            &record.id,
            version,
            "disable",
            &caller.principal.username,
            &[change],
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "disable", Outcome::Done, &record),
        )?;
        Ok(())
    })
}

/// One saved change of a record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = record_history)]
pub struct HistoryEntry {
    pub id: String,
    pub record_id: String,
    pub version: i64,
    pub action: String,
    pub changed_at: chrono::NaiveDateTime,
    pub changed_by: Option<String>,
    pub changes: String,
}

impl HistoryEntry {
    pub fn changes(&self) -> Vec<Change> {
        serde_json::from_str(&self.changes).unwrap_or_default()
    }
}

/// A record and its history, newest first, audited as one history view.
pub fn history(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
) -> AppResult<Audited<(Record, Vec<HistoryEntry>)>> {
    let record = load_reachable(conn, kind, caller, id, "view_history")?;
    let receipt = record_read(
        conn,
        caller,
        event(kind, "view_history", Outcome::Done, &record),
    )?;
    let mut entries = history_since(conn, &record.id, 0)?;
    let catalog = kind.catalog(conn)?;
    sections::redact_history(&catalog, &caller.principal, &mut entries);
    let mut record = record;
    sections::redact(&catalog, &caller.principal, &mut record);
    Ok(Audited::new((record, entries), receipt))
}

/// Changes saved after `version` (oldest first): what happened meanwhile, for a stale edit.
pub fn history_since(
    conn: &mut DbConnection,
    record_id: &str,
    version: i64,
) -> AppResult<Vec<HistoryEntry>> {
    let mut rows: Vec<HistoryEntry> = record_history::table
        .filter(record_history::record_id.eq(record_id))
        .filter(record_history::version.gt(version))
        .order((
            record_history::changed_at.desc(),
            record_history::version.desc(),
        ))
        .select(HistoryEntry::as_select())
        .load(conn)?;
    if version > 0 {
        rows.reverse();
    }
    Ok(rows)
}

/// User names for user ids (owners in lists).
pub fn usernames(
    conn: &mut DbConnection,
    ids: &[String],
) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Makes `owner` the owner of a record the caller already reached, inside the caller's
/// transaction: a new version, and a history entry `action` showing the owner before and after.
pub(crate) fn set_owner(
    conn: &mut DbConnection,
    caller: &Caller,
    record: &Record,
    owner: &crate::accounts::User,
    action: &str,
) -> AppResult<()> {
    let previous = match &record.owned_by {
        Some(id) => usernames(conn, std::slice::from_ref(id))?.remove(id),
        None => None,
    };
    let version = record.version + 1;
    diesel::update(
        records::table
            .find(&record.id)
            .filter(records::version.eq(record.version)),
    )
    .set((
        records::owned_by.eq(Some(owner.id.clone())),
        records::owned_by_agency.eq(owner.agency_id.clone()),
        records::version.eq(version),
        records::updated_at.eq(now()),
        records::updated_by.eq(Some(caller.principal.username.clone())),
    ))
    .execute(conn)?;
    let change = Change {
        field: "owned_by".into(),
        from: previous.map(Value::String).unwrap_or(Value::Null),
        to: Value::String(owner.username.clone()),
    };
    add_history(
        conn,
        &record.id,
        version,
        action,
        &caller.principal.username,
        &[change],
    )
}
