//! Case management as movement: assigning a record to another worker, transferring it to
//! another user (who accepts or rejects), and referring it to a service provider inside or
//! outside the system (who accepts, rejects or marks it done; the sender may revoke). Each is
//! a row in `transitions`, kept for good, and each step is audited with the record.
//!
//! Who may reach a record while a transfer or referral is open is decided in
//! [`crate::records::reach`], from the same rows: revoking a referral ends the recipient's
//! access at their next request.

pub mod api;
pub mod approvals;
pub mod assign;
pub mod pages;
pub mod referral;
pub mod tasks;
pub mod transfer;

use diesel::prelude::*;

use crate::access::{roles, Action, Permission, PermissionSet};
use crate::accounts::{self, User};
use crate::db::schema::{transitions, users};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::records::service::Caller;
use crate::records::RecordKind;

/// Waiting for the recipient's answer (a transfer or referral reaches its recipient meanwhile).
pub const PENDING: &str = "in_progress";
/// A referral the recipient took on (it keeps reaching them until done or revoked).
pub const ACCEPTED: &str = "accepted";
pub const DONE: &str = "done";
pub const REJECTED: &str = "rejected";
pub const REVOKED: &str = "revoked";

pub const ASSIGN: &str = "assign";
pub const TRANSFER: &str = "transfer";
pub const REFERRAL: &str = "referral";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = transitions)]
pub struct Transition {
    pub id: String,
    pub record_id: String,
    pub record_type: String,
    pub kind: String,
    pub status: String,
    pub transitioned_by: String,
    pub transitioned_to: Option<String>,
    pub transitioned_to_agency: Option<String>,
    pub transitioned_to_remote: Option<String>,
    pub remote: bool,
    pub service: Option<String>,
    pub service_record_id: Option<String>,
    pub consent_overridden: bool,
    pub consent_individual_transfer: bool,
    pub notes: String,
    pub rejected_reason: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub responded_at: Option<chrono::NaiveDateTime>,
    pub responded_by: Option<String>,
}

impl Transition {
    /// Whether the recipient may still act on it (and, for a referral, reach the record).
    pub fn is_open(&self) -> bool {
        self.status == PENDING || (self.kind == REFERRAL && self.status == ACCEPTED)
    }

    fn new(kind: &'static str, record: &crate::records::Record, by: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            record_id: record.id.clone(),
            record_type: record.record_type.clone(),
            kind: kind.into(),
            status: PENDING.into(),
            transitioned_by: by.into(),
            transitioned_to: None,
            transitioned_to_agency: None,
            transitioned_to_remote: None,
            remote: false,
            service: None,
            service_record_id: None,
            consent_overridden: false,
            consent_individual_transfer: false,
            notes: String::new(),
            rejected_reason: None,
            created_at: crate::db::now(),
            responded_at: None,
            responded_by: None,
        }
    }
}

/// The transitions of a record, oldest first, optionally of one kind. The caller has already
/// read (and audited) the record.
pub fn of_record(
    conn: &mut DbConnection,
    record_id: &str,
    kind: Option<&str>,
) -> AppResult<Vec<Transition>> {
    let mut q = transitions::table
        .filter(transitions::record_id.eq(record_id))
        .into_boxed();
    if let Some(kind) = kind {
        q = q.filter(transitions::kind.eq(kind.to_owned()));
    }
    Ok(q.order(transitions::created_at.asc())
        .select(Transition::as_select())
        .load(conn)?)
}

/// A view of one transition with the user names it refers to.
#[derive(Debug, Clone)]
pub struct TransitionView {
    pub transition: Transition,
    pub by: String,
    pub to: Option<String>,
    pub responded_by: Option<String>,
}

/// The transitions of a record the caller reaches (optionally of one kind), with user names;
/// the read is audited as `view_transitions`.
pub fn read(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    of_kind: Option<&str>,
) -> AppResult<crate::audit::Audited<Vec<TransitionView>>> {
    use crate::records::service::{event, load_reachable, record_read};
    let record = load_reachable(conn, kind, caller, id, "view_transitions")?;
    let receipt = record_read(
        conn,
        caller,
        event(
            kind,
            "view_transitions",
            crate::audit::Outcome::Done,
            &record,
        ),
    )?;
    let list = of_record(conn, &record.id, of_kind)?;
    Ok(crate::audit::Audited::new(views(conn, list)?, receipt))
}

/// Transitions with the user names they refer to.
pub fn views(conn: &mut DbConnection, list: Vec<Transition>) -> AppResult<Vec<TransitionView>> {
    let names = names_of(conn, &list)?;
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    Ok(list
        .into_iter()
        .map(|t| TransitionView {
            by: names.get(&t.transitioned_by).cloned().unwrap_or_default(),
            to: name(&t.transitioned_to),
            responded_by: name(&t.responded_by),
            transition: t,
        })
        .collect())
}

/// One transition of a record, of one kind; 404 if there is none.
fn find(conn: &mut DbConnection, record_id: &str, kind: &str, id: &str) -> AppResult<Transition> {
    transitions::table
        .find(id)
        .filter(transitions::record_id.eq(record_id))
        .filter(transitions::kind.eq(kind))
        .select(Transition::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(AppError::not_found)
}

/// What a user's role grants (nothing if the role is gone).
fn permissions_of(conn: &mut DbConnection, user: &User) -> AppResult<PermissionSet> {
    Ok(roles::find(conn, &user.role_id)?
        .map(|r| r.permission_set())
        .unwrap_or_default())
}

/// An enabled user, by user name or id, whose role grants `needs` on the record type. The
/// error names the field the client sent.
fn recipient(
    conn: &mut DbConnection,
    kind: &RecordKind,
    name: &str,
    needs: Action,
    field: &str,
) -> AppResult<User> {
    let user = match accounts::find_by_username(conn, name)? {
        Some(u) => Some(u),
        None => accounts::find_by_id(conn, name)?,
    }
    .filter(|u| !u.disabled)
    .ok_or_else(|| AppError::invalid(field, format!("There is no active user {name:?}.")))?;
    if !permissions_of(conn, &user)?.allows(Permission::new(kind.resource, needs)) {
        return Err(AppError::invalid(
            field,
            format!(
                "{} may not {} {}.",
                user.username,
                if needs == Action::ReceiveReferral {
                    "receive referrals of"
                } else {
                    "work on"
                },
                kind.plural
            ),
        ));
    }
    Ok(user)
}

/// Refuses the same recipient twice while an earlier transition to them is still open.
fn refuse_duplicate(
    conn: &mut DbConnection,
    record_id: &str,
    kind: &str,
    to: &str,
) -> AppResult<()> {
    let open = of_record(conn, record_id, Some(kind))?
        .into_iter()
        .any(|t| t.transitioned_to.as_deref() == Some(to) && t.is_open());
    if open {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("An open {kind} of this record to this user already exists."),
        ));
    }
    Ok(())
}

/// Free text of a transition (notes, reasons): trimmed, at most 2000 characters.
fn text(value: Option<&str>, field: &str, required: bool) -> AppResult<String> {
    let t = value.unwrap_or_default().trim();
    if required && t.is_empty() {
        return Err(AppError::invalid(field, format!("{field} is required")));
    }
    if t.chars().count() > 2000 {
        return Err(AppError::invalid(
            field,
            format!("{field} must have at most 2000 characters"),
        ));
    }
    Ok(t.to_owned())
}

/// User names for the user ids a list of transitions names.
pub fn names_of(
    conn: &mut DbConnection,
    list: &[Transition],
) -> AppResult<std::collections::HashMap<String, String>> {
    let mut ids: Vec<String> = Vec::new();
    for t in list {
        ids.push(t.transitioned_by.clone());
        ids.extend(t.transitioned_to.clone());
        ids.extend(t.responded_by.clone());
    }
    ids.sort();
    ids.dedup();
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Runs one action on several records in one transaction: all of them move, or (on the first
/// refusal, which names the record) none. Refuses more than the configured limit outright.
/// Reach is checked for every record first, so that a refused one is audited as denied even
/// though the transaction then moves nothing.
pub fn bulk<T>(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    action: &'static str,
    ids: &[String],
    limit: u32,
    mut each: impl FnMut(&mut DbConnection, &str) -> AppResult<T>,
) -> AppResult<Vec<T>> {
    if ids.is_empty() {
        return Err(AppError::invalid(
            "ids",
            "ids must name at least one record",
        ));
    }
    if ids.len() > limit as usize {
        return Err(AppError::invalid(
            "ids",
            format!(
                "{} records were selected; one bulk action moves at most {limit}.",
                ids.len()
            ),
        ));
    }
    for id in ids {
        crate::records::service::load_reachable(conn, kind, caller, id, action).map_err(|e| {
            AppError {
                message: format!("{id}: {}", e.message),
                ..e
            }
        })?;
    }
    crate::db::write_transaction(conn, |conn| {
        ids.iter()
            .map(|id| {
                each(conn, id).map_err(|e| AppError {
                    message: format!("{id}: {}", e.message),
                    ..e
                })
            })
            .collect()
    })
}

/// The caller's user id, as stored in transitions.
fn me(caller: &Caller) -> &str {
    &caller.principal.user_id
}

/// Audits a refusal on its own (outside any transaction that will roll back) and returns the
/// error to answer with.
fn deny(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    record_id: &str,
    action: &'static str,
) -> AppError {
    let event = crate::audit::Event::new(action, crate::audit::Outcome::Denied)
        .record(kind.name, record_id, None);
    match crate::audit::write_alone(conn, &caller.actor, event) {
        Ok(_) => AppError::forbidden(),
        Err(e) => e,
    }
}

/// Why someone is offered as a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Assign,
    Transfer,
    Refer,
}

/// A user who can be chosen as a recipient.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub username: String,
    pub full_name: String,
    pub agency_id: Option<String>,
}

/// The users the caller may choose for `purpose` on a record owned by `owner`: enabled, with
/// the permission the purpose needs on the record type, and (to assign) within the caller's
/// reach. By user name.
pub fn candidates(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    purpose: Purpose,
    owner: Option<&str>,
) -> AppResult<Vec<Candidate>> {
    let needs = match purpose {
        Purpose::Refer => Action::ReceiveReferral,
        Purpose::Assign | Purpose::Transfer => Action::Read,
    };
    let roles_granting: Vec<String> = roles::all(conn)?
        .into_iter()
        .filter(|r| {
            r.permission_set()
                .allows(Permission::new(kind.resource, needs))
        })
        .map(|r| r.id)
        .collect();
    let users: Vec<User> = users::table
        .filter(users::disabled.eq(false))
        .filter(users::role_id.eq_any(roles_granting))
        .filter(users::id.ne(me(caller)))
        .order(users::username.asc())
        .select(User::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for u in users {
        if owner == Some(u.id.as_str()) && purpose != Purpose::Refer {
            continue;
        }
        if purpose == Purpose::Assign && !assign::may_assign_to(conn, &caller.principal, &u)? {
            continue;
        }
        out.push(Candidate {
            username: u.username,
            full_name: u.full_name,
            agency_id: u.agency_id,
        });
    }
    Ok(out)
}

/// Stores an answer to a transfer or referral (its new status, the reason of a rejection, who
/// answered and when) and alerts the sender, inside the caller's transaction.
fn record_answer(
    conn: &mut DbConnection,
    caller: &Caller,
    t: &mut Transition,
    status: &str,
    reason: &str,
    alert: &str,
) -> AppResult<()> {
    t.status = status.to_owned();
    t.rejected_reason = (status == REJECTED).then(|| reason.to_owned());
    t.responded_at = Some(crate::db::now());
    t.responded_by = Some(me(caller).to_owned());
    diesel::update(transitions::table.find(&t.id))
        .set((
            transitions::status.eq(&t.status),
            transitions::rejected_reason.eq(&t.rejected_reason),
            transitions::responded_at.eq(t.responded_at),
            transitions::responded_by.eq(&t.responded_by),
        ))
        .execute(conn)?;
    crate::alerts::notify(
        conn,
        &t.record_id,
        Some(&t.transitioned_by),
        alert,
        me(caller),
    )
}
