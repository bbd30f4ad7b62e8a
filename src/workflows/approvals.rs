//! Approvals of a case's assessment, case plan and closure. The case worker requests one; a
//! manager of one of the owner's user groups (a user whose role approves and who shares an
//! enabled group with the owner) approves or rejects it, with comments. One request of a kind
//! waits at a time.

use diesel::prelude::*;

use super::{me, text};
use crate::access::{Action, Permission};
use crate::audit::{self, Outcome};
use crate::db::schema::approvals;
use crate::db::{now, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::records::service::{event, load_reachable, record_read, within_reach, Caller};
use crate::records::RecordKind;
use crate::user_groups;

/// The kinds of approval, as the Primero API names them.
pub const TYPES: [&str; 3] = ["assessment", "case_plan", "closure"];
pub const REQUESTED: &str = "requested";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = approvals)]
pub struct Approval {
    pub id: String,
    pub record_id: String,
    pub approval_type: String,
    pub status: String,
    pub requested_by: String,
    pub requested_at: chrono::NaiveDateTime,
    pub request_comments: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::NaiveDateTime>,
    pub decision_comments: String,
}

fn check_type(approval_type: &str) -> AppResult<()> {
    if TYPES.contains(&approval_type) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "approval_id",
            "approval_id must be assessment, case_plan or closure",
        ))
    }
}

/// The approvals of a record, oldest first (the caller has read the record).
pub fn of_record(conn: &mut DbConnection, record_id: &str) -> AppResult<Vec<Approval>> {
    Ok(approvals::table
        .filter(approvals::record_id.eq(record_id))
        .order(approvals::requested_at.asc())
        .select(Approval::as_select())
        .load(conn)?)
}

/// The approvals of a record the caller reaches, audited as `view_approvals`.
pub fn read(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
) -> AppResult<crate::audit::Audited<Vec<Approval>>> {
    let record = load_reachable(conn, kind, caller, id, "view_approvals")?;
    let receipt = record_read(
        conn,
        caller,
        event(kind, "view_approvals", Outcome::Done, &record),
    )?;
    Ok(crate::audit::Audited::new(
        of_record(conn, &record.id)?,
        receipt,
    ))
}

fn pending(
    conn: &mut DbConnection,
    record_id: &str,
    approval_type: &str,
) -> AppResult<Option<Approval>> {
    Ok(approvals::table
        .filter(approvals::record_id.eq(record_id))
        .filter(approvals::approval_type.eq(approval_type))
        .filter(approvals::status.eq(REQUESTED))
        .select(Approval::as_select())
        .first(conn)
        .optional()?)
}

/// Requests an approval of `approval_type`.
pub fn request(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    approval_type: &str,
    comments: Option<&str>,
) -> AppResult<Approval> {
    check_type(approval_type)?;
    let comments = text(comments, "notes", false)?;
    if !caller
        .principal
        .can(Permission::new(kind.resource, Action::RequestApproval))
    {
        return Err(super::deny(conn, kind, caller, id, "approval_request"));
    }
    within_reach(
        conn,
        kind,
        caller,
        id,
        "approval_request",
        |conn, record| {
            if pending(conn, &record.id, approval_type)?.is_some() {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("A {approval_type} approval is already waiting for a decision."),
                ));
            }
            let a = Approval {
                id: uuid::Uuid::new_v4().to_string(),
                record_id: record.id.clone(),
                approval_type: approval_type.to_owned(),
                status: REQUESTED.into(),
                requested_by: me(caller).to_owned(),
                requested_at: now(),
                request_comments: comments.clone(),
                decided_by: None,
                decided_at: None,
                decision_comments: String::new(),
            };
            diesel::insert_into(approvals::table)
                .values(&a)
                .execute(conn)?;
            audit::write(
                conn,
                &caller.actor,
                event(kind, "approval_request", Outcome::Done, &record)
                    .detail(serde_json::json!({ "approval_id": a.id, "type": approval_type })),
            )?;
            Ok(a)
        },
    )
}

/// Whether the caller may decide approvals of this record: their role approves, and they share
/// an enabled user group with its owner.
fn is_managers_decision(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    owner: Option<&str>,
) -> AppResult<bool> {
    let approves = caller
        .principal
        .can(Permission::new(kind.resource, Action::Approve));
    Ok(approves
        && match owner {
            Some(owner) if owner != me(caller) => {
                user_groups::share_a_group(conn, me(caller), owner)?
            }
            // Nobody approves their own case.
            _ => false,
        })
}

/// Approves or rejects the waiting request of `approval_type`.
pub fn decide(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    approval_type: &str,
    approved: bool,
    comments: Option<&str>,
) -> AppResult<Approval> {
    check_type(approval_type)?;
    let comments = text(comments, "notes", false)?;
    let action = if approved {
        "approval_approve"
    } else {
        "approval_reject"
    };
    let record = load_reachable(conn, kind, caller, id, action)?;
    if !is_managers_decision(conn, kind, caller, record.owned_by.as_deref())? {
        return Err(super::deny(conn, kind, caller, id, action));
    }
    within_reach(conn, kind, caller, id, action, |conn, record| {
        let Some(mut a) = pending(conn, &record.id, approval_type)? else {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("No {approval_type} approval is waiting for a decision."),
            ));
        };
        a.status = if approved { APPROVED } else { REJECTED }.into();
        a.decided_by = Some(me(caller).to_owned());
        a.decided_at = Some(now());
        a.decision_comments = comments.clone();
        diesel::update(approvals::table.find(&a.id))
            .set((
                approvals::status.eq(&a.status),
                approvals::decided_by.eq(&a.decided_by),
                approvals::decided_at.eq(a.decided_at),
                approvals::decision_comments.eq(&a.decision_comments),
            ))
            .execute(conn)?;
        crate::alerts::notify(
            conn,
            &record.id,
            Some(&a.requested_by),
            crate::alerts::APPROVAL,
            me(caller),
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, action, Outcome::Done, &record)
                .detail(serde_json::json!({ "approval_id": a.id, "type": approval_type })),
        )?;
        Ok(a)
    })
}

/// Where a case stands in case management: `new`, `assessment`, `case_plan`,
/// `service_provision` or `closed`, worked out from its status, its services and its approvals.
pub fn stage(
    status: &str,
    data: &serde_json::Map<String, serde_json::Value>,
    list: &[Approval],
) -> &'static str {
    let has = |t: &str, states: &[&str]| {
        list.iter()
            .any(|a| a.approval_type == t && states.contains(&a.status.as_str()))
    };
    let services = data
        .get("services_section")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if status == "closed" {
        "closed"
    } else if services {
        "service_provision"
    } else if has("case_plan", &[APPROVED]) {
        "case_plan"
    } else if has("assessment", &[REQUESTED, APPROVED]) || has("case_plan", &[REQUESTED]) {
        "assessment"
    } else {
        "new"
    }
}

/// Whether the caller may decide this record's approvals (for offering the buttons; the
/// decision itself checks again).
pub fn may_decide(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    owner: Option<&str>,
) -> AppResult<bool> {
    is_managers_decision(conn, kind, caller, owner)
}
