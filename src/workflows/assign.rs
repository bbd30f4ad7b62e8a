//! Assigning a record: its owner changes at once to another worker, within what the assigner's
//! role reaches (their group, their agency, or anyone), and the assignment is kept as a
//! transition with status `done`.

use diesel::prelude::*;

use super::{me, recipient, text, Transition, ASSIGN, DONE};
use crate::access::{Action, Principal, ScopeKind};
use crate::accounts::User;
use crate::audit::{self, Outcome};
use crate::db::schema::transitions;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::records::service::{event, set_owner, within_reach, Caller};
use crate::records::RecordKind;
use crate::user_groups;

/// Whether the assigner's role reaches the new owner.
pub(crate) fn may_assign_to(
    conn: &mut DbConnection,
    assigner: &Principal,
    to: &User,
) -> AppResult<bool> {
    Ok(match assigner.record_scope {
        ScopeKind::All => true,
        ScopeKind::Agency => assigner.agency_id.is_some() && assigner.agency_id == to.agency_id,
        ScopeKind::Group => user_groups::share_a_group(conn, &assigner.user_id, &to.id)?,
        ScopeKind::Own => false,
    })
}

/// Assigns one record to `to` (a user name or id).
pub fn assign(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    to: &str,
    notes: Option<&str>,
) -> AppResult<Transition> {
    let notes = text(notes, "notes", false)?;
    within_reach(conn, kind, caller, id, "assign", |conn, record| {
        let owner = recipient(conn, kind, to, Action::Read, "transitioned_to")?;
        if record.owned_by.as_deref() == Some(owner.id.as_str()) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("{} already owns this record.", owner.username),
            ));
        }
        if !may_assign_to(conn, &caller.principal, &owner)? {
            return Err(AppError::invalid(
                "transitioned_to",
                format!(
                    "{} is outside the users your role may assign to.",
                    owner.username
                ),
            ));
        }
        set_owner(conn, caller, &record, &owner, "assign")?;
        crate::alerts::notify(
            conn,
            &record.id,
            Some(&owner.id),
            crate::alerts::ASSIGN,
            me(caller),
        )?;
        let mut t = Transition::new(ASSIGN, &record, me(caller));
        t.status = DONE.into();
        t.transitioned_to = Some(owner.id.clone());
        t.transitioned_to_agency = owner.agency_id.clone();
        t.notes = notes.clone();
        diesel::insert_into(transitions::table)
            .values(&t)
            .execute(conn)?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "assign", Outcome::Done, &record).detail(serde_json::json!({
                "transition_id": t.id,
                "from": record.owned_by,
                "to": owner.id,
            })),
        )?;
        Ok(t)
    })
}
