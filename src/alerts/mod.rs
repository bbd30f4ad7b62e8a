//! Alerts: a user learns that something happened on their case that they did not do
//! themselves. Written in the same transaction as the change; shown on the home page and in the
//! API until the user opens the case. An alert names the case and what kind of thing happened,
//! never what changed (the case shows that, to those who may see it).

pub mod api;

use diesel::prelude::*;

use crate::db::schema::{alerts, records};
use crate::db::{now, DbConnection};
use crate::error::AppResult;

/// What happened.
pub const UPDATE: &str = "update";
pub const FLAG: &str = "flag";
pub const ATTACHMENT: &str = "attachment";
pub const ASSIGN: &str = "assign";
pub const TRANSFER: &str = "transfer";
pub const TRANSFER_ANSWER: &str = "transfer_answer";
pub const REFERRAL: &str = "referral";
pub const REFERRAL_ANSWER: &str = "referral_answer";
pub const APPROVAL: &str = "approval";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct Alert {
    pub id: String,
    pub record_id: String,
    pub user_id: String,
    pub kind: String,
    pub created_at: chrono::NaiveDateTime,
    pub created_by: String,
}

/// Alerts `to` about a record, unless they did it themselves (`by`) or there is nobody to tell.
/// One alert of a kind per user and record waits at a time.
pub fn notify(
    conn: &mut DbConnection,
    record_id: &str,
    to: Option<&str>,
    kind: &str,
    by: &str,
) -> AppResult<()> {
    let Some(to) = to.filter(|t| *t != by) else {
        return Ok(());
    };
    let waiting = alerts::table
        .filter(alerts::record_id.eq(record_id))
        .filter(alerts::user_id.eq(to))
        .filter(alerts::kind.eq(kind))
        .count()
        .get_result::<i64>(conn)?;
    if waiting > 0 {
        return Ok(());
    }
    diesel::insert_into(alerts::table)
        .values(&Alert {
            id: uuid::Uuid::new_v4().to_string(),
            record_id: record_id.to_owned(),
            user_id: to.to_owned(),
            kind: kind.to_owned(),
            created_at: now(),
            created_by: by.to_owned(),
        })
        .execute(conn)?;
    Ok(())
}

/// A user's alert with the case's human id.
#[derive(Debug, Clone)]
pub struct Shown {
    pub alert: Alert,
    pub display_id: String,
    pub record_type: String,
}

/// A user's alerts on enabled records, newest first (at most `limit`).
pub fn for_user(conn: &mut DbConnection, user_id: &str, limit: i64) -> AppResult<Vec<Shown>> {
    let rows: Vec<(Alert, String, String)> = alerts::table
        .inner_join(records::table)
        .filter(alerts::user_id.eq(user_id))
        .filter(records::enabled.eq(true))
        .order(alerts::created_at.desc())
        .limit(limit)
        .select((
            Alert::as_select(),
            records::display_id,
            records::record_type,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(alert, display_id, record_type)| Shown {
            alert,
            display_id,
            record_type,
        })
        .collect())
}

/// A user's alerts on one record.
pub fn on_record(conn: &mut DbConnection, user_id: &str, record_id: &str) -> AppResult<Vec<Alert>> {
    Ok(alerts::table
        .filter(alerts::user_id.eq(user_id))
        .filter(alerts::record_id.eq(record_id))
        .order(alerts::created_at.asc())
        .select(Alert::as_select())
        .load(conn)?)
}

/// The user has seen the record: its alerts for them are done.
pub fn dismiss(conn: &mut DbConnection, user_id: &str, record_id: &str) -> AppResult<()> {
    diesel::delete(
        alerts::table
            .filter(alerts::user_id.eq(user_id))
            .filter(alerts::record_id.eq(record_id)),
    )
    .execute(conn)?;
    Ok(())
}
