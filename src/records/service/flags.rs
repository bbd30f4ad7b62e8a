//! Flags on records: raising one with a reason, removing it with a reason, and reading them.

use diesel::prelude::*;
use serde_json::Value;

use super::{add_history, event, load_reachable, record_read, within_reach, Caller};
use crate::audit::{self, Audited, Outcome};
use crate::db::now;
use crate::db::schema::{record_flags, records};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::records::merge::Change;
use crate::records::RecordKind;

/// One flag on a record.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = record_flags)]
pub struct Flag {
    pub id: String,
    pub record_id: String,
    pub message: String,
    pub flagged_by: String,
    pub flagged_at: chrono::NaiveDateTime,
    pub removed: bool,
    pub unflag_message: Option<String>,
    pub unflagged_by: Option<String>,
    pub unflagged_at: Option<chrono::NaiveDateTime>,
}

fn flag_text(text: &str, field: &str) -> AppResult<String> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 1000 {
        return Err(AppError::invalid(
            field,
            format!("{field} must have 1 to 1000 characters"),
        ));
    }
    Ok(t.to_owned())
}

/// The flags of a record, newest first.
pub fn flags(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
) -> AppResult<Audited<Vec<Flag>>> {
    let record = load_reachable(conn, kind, caller, id, "view_flags")?;
    let receipt = record_read(
        conn,
        caller,
        event(kind, "view_flags", Outcome::Done, &record),
    )?;
    Ok(Audited::new(flags_of(conn, &record.id)?, receipt))
}

/// The flags of a record already read (and audited) by the caller, newest first.
pub fn flags_of(conn: &mut DbConnection, record_id: &str) -> AppResult<Vec<Flag>> {
    Ok(record_flags::table
        .filter(record_flags::record_id.eq(record_id))
        .order(record_flags::flagged_at.desc())
        .select(Flag::as_select())
        .load(conn)?)
}

/// Flags a record with a reason.
pub fn flag(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    message: &str,
) -> AppResult<Flag> {
    let message = flag_text(message, "message")?;
    within_reach(conn, kind, caller, id, "flag", |conn, record| {
        let flag = Flag {
            id: uuid::Uuid::new_v4().to_string(),
            record_id: record.id.clone(),
            message: message.clone(),
            flagged_by: caller.principal.username.clone(),
            flagged_at: now(),
            removed: false,
            unflag_message: None,
            unflagged_by: None,
            unflagged_at: None,
        };
        diesel::insert_into(record_flags::table)
            .values((
                record_flags::id.eq(&flag.id),
                record_flags::record_id.eq(&flag.record_id),
                record_flags::message.eq(&flag.message),
                record_flags::flagged_by.eq(&flag.flagged_by),
                record_flags::flagged_at.eq(flag.flagged_at),
            ))
            .execute(conn)?;
        diesel::update(records::table.find(&record.id))
            .set(records::flagged.eq(true))
            .execute(conn)?;
        let change = Change {
            field: "flag".into(),
            from: Value::Null,
            to: Value::String(message.clone()),
        };
        add_history(
            conn,
            &record.id,
            record.version,
            &format!("flag:{}", flag.id),
            &caller.principal.username,
            &[change],
        )?;
        // The reason is free text that may name people: it stays on the record, not in the log.
        audit::write(
            conn,
            &caller.actor,
            event(kind, "flag", Outcome::Done, &record)
                .detail(serde_json::json!({"flag_id": flag.id})),
        )?;
        crate::alerts::notify(
            conn,
            &record.id,
            record.owned_by.as_deref(),
            crate::alerts::FLAG,
            &caller.principal.user_id,
        )?;
        Ok(flag)
    })
}

/// Removes a flag, with a reason.
pub fn unflag(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    flag_id: &str,
    message: &str,
) -> AppResult<Flag> {
    let message = flag_text(message, "unflag_message")?;
    within_reach(conn, kind, caller, id, "unflag", |conn, record| {
        let changed = diesel::update(
            record_flags::table
                .filter(record_flags::id.eq(flag_id))
                .filter(record_flags::record_id.eq(&record.id))
                .filter(record_flags::removed.eq(false)),
        )
        .set((
            record_flags::removed.eq(true),
            record_flags::unflag_message.eq(Some(message.clone())),
            record_flags::unflagged_by.eq(Some(caller.principal.username.clone())),
            record_flags::unflagged_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(AppError::not_found());
        }
        let still_flagged: i64 = record_flags::table
            .filter(record_flags::record_id.eq(&record.id))
            .filter(record_flags::removed.eq(false))
            .count()
            .get_result(conn)?;
        diesel::update(records::table.find(&record.id))
            .set(records::flagged.eq(still_flagged > 0))
            .execute(conn)?;
        let message_was: String = record_flags::table
            .find(flag_id)
            .select(record_flags::message)
            .first(conn)?;
        let change = Change {
            field: "flag".into(),
            from: Value::String(message_was),
            to: Value::Null,
        };
        add_history(
            conn,
            &record.id,
            record.version,
            &format!("unflag:{flag_id}"),
            &caller.principal.username,
            &[change],
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "unflag", Outcome::Done, &record)
                .detail(serde_json::json!({"flag_id": flag_id})),
        )?;
        let flag = record_flags::table
            .find(flag_id)
            .select(Flag::as_select())
            .first(conn)?;
        Ok(flag)
    })
}
