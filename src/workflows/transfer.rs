//! Transferring a record to another user: the recipient reaches the record while the transfer
//! waits for them, and accepts it (becoming its owner) or rejects it with a reason. The sender,
//! or anyone who may transfer the record, can revoke it while it waits.

use diesel::prelude::*;

use super::{find, me, recipient, refuse_duplicate, text, Transition};
use super::{ACCEPTED, PENDING, REJECTED, REVOKED, TRANSFER};
use crate::access::{Action, Permission};
use crate::audit::{self, Outcome};
use crate::db::schema::transitions;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::records::service::{event, set_owner, within_reach, Caller};
use crate::records::RecordKind;

/// What a transfer request says.
#[derive(Debug, Clone, Default)]
pub struct TransferInput {
    /// User name or id of the recipient.
    pub to: String,
    pub notes: Option<String>,
    /// Whether the worker had the child's consent to make this transfer (recorded, as asked).
    pub consent_individual_transfer: bool,
}

pub fn transfer(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    input: &TransferInput,
) -> AppResult<Transition> {
    let notes = text(input.notes.as_deref(), "notes", false)?;
    within_reach(conn, kind, caller, id, "transfer", |conn, record| {
        let to = recipient(conn, kind, &input.to, Action::Read, "transitioned_to")?;
        if record.owned_by.as_deref() == Some(to.id.as_str()) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("{} already owns this record.", to.username),
            ));
        }
        let waiting = super::of_record(conn, &record.id, Some(TRANSFER))?
            .into_iter()
            .any(|t| t.status == PENDING);
        if waiting {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "A transfer of this record is already waiting for an answer.",
            ));
        }
        refuse_duplicate(conn, &record.id, TRANSFER, &to.id)?;
        let mut t = Transition::new(TRANSFER, &record, me(caller));
        t.transitioned_to = Some(to.id.clone());
        t.transitioned_to_agency = to.agency_id.clone();
        t.consent_individual_transfer = input.consent_individual_transfer;
        t.notes = notes.clone();
        diesel::insert_into(transitions::table)
            .values(&t)
            .execute(conn)?;
        crate::alerts::notify(
            conn,
            &record.id,
            Some(&to.id),
            crate::alerts::TRANSFER,
            me(caller),
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "transfer", Outcome::Done, &record)
                .detail(serde_json::json!({ "transition_id": t.id, "to": to.id })),
        )?;
        Ok(t)
    })
}

/// The recipient's answer: `accepted`, or `rejected` with a reason; or `revoked` by someone
/// who may transfer the record.
pub fn respond(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    transition_id: &str,
    status: &str,
    reason: Option<&str>,
) -> AppResult<Transition> {
    let action = match status {
        ACCEPTED => "transfer_accept",
        REJECTED => "transfer_reject",
        REVOKED => "transfer_revoke",
        _ => {
            return Err(AppError::invalid(
                "status",
                "status must be accepted, rejected or revoked",
            ))
        }
    };
    let reason = text(reason, "rejected_reason", status == REJECTED)?;
    let may = |t: &Transition| {
        if status == REVOKED {
            t.transitioned_by == me(caller)
                || caller
                    .principal
                    .can(Permission::new(kind.resource, Action::Transfer))
        } else {
            t.transitioned_to.as_deref() == Some(me(caller))
        }
    };
    if !may(&find(conn, id, TRANSFER, transition_id)?) {
        return Err(super::deny(conn, kind, caller, id, action));
    }
    within_reach(conn, kind, caller, id, action, |conn, record| {
        let mut t = find(conn, &record.id, TRANSFER, transition_id)?;
        if t.status != PENDING {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("This transfer is already {}.", t.status),
            ));
        }
        if !may(&t) {
            return Err(AppError::forbidden());
        }
        if status == ACCEPTED {
            let to =
                crate::accounts::find_by_id(conn, me(caller))?.ok_or_else(AppError::not_found)?;
            set_owner(conn, caller, &record, &to, "transfer_accepted")?;
        }
        super::record_answer(
            conn,
            caller,
            &mut t,
            status,
            &reason,
            crate::alerts::TRANSFER_ANSWER,
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, action, Outcome::Done, &record)
                .detail(serde_json::json!({ "transition_id": t.id })),
        )?;
        Ok(t)
    })
}
