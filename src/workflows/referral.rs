//! Referring a record to a service provider for one service on the case: a user of this system
//! whose role receives referrals, or a provider outside it (`remote`, named by the sender; its
//! answers come back through the API, as the proGres exchange does). A referral needs the
//! consent recorded on the case, unless a user permitted to override it gives a reason.
//!
//! The recipient reaches the record while the referral is in progress or accepted, and only
//! that record; rejecting, finishing (`done`) or revoking it ends that.

use diesel::prelude::*;
use serde_json::Value;

use super::{find, me, recipient, refuse_duplicate, text, Transition};
use super::{ACCEPTED, DONE, PENDING, REFERRAL, REJECTED, REVOKED};
use crate::access::{Action, Permission};
use crate::agencies;
use crate::audit::{self, Outcome};
use crate::db::schema::transitions;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::records::service::{event, within_reach, Caller};
use crate::records::{Record, RecordKind};

/// Case fields that record consent to share with a service provider.
const CONSENT_FIELDS: [&str; 2] = ["consent_for_services", "disclosure_other_orgs"];

/// What a referral request says.
#[derive(Debug, Clone, Default)]
pub struct ReferralInput {
    /// User name or id of a recipient in this system.
    pub to: Option<String>,
    /// A provider outside the system: its name, and its agency as the sender knows it.
    pub remote: bool,
    pub to_remote: Option<String>,
    pub to_agency: Option<String>,
    /// The service referred for: a value of the service type lookup.
    pub service: Option<String>,
    /// The `unique_id` of the case's service entry this referral is for.
    pub service_record_id: Option<String>,
    pub consent_overridden: bool,
    pub notes: Option<String>,
}

fn consent_recorded(record: &Record) -> bool {
    let data: serde_json::Map<String, Value> =
        serde_json::from_str(&record.data).unwrap_or_default();
    CONSENT_FIELDS.iter().any(|f| {
        matches!(data.get(*f), Some(Value::Bool(true)))
            || matches!(data.get(*f), Some(Value::String(s)) if s == "true" || s == "yes")
    })
}

fn service_entry_exists(record: &Record, unique_id: &str) -> bool {
    let data: serde_json::Map<String, Value> =
        serde_json::from_str(&record.data).unwrap_or_default();
    data.get("services_section")
        .and_then(Value::as_array)
        .is_some_and(|entries| {
            entries
                .iter()
                .any(|e| e.get("unique_id").and_then(Value::as_str) == Some(unique_id))
        })
}

/// Checks the service against the lookup (and the recipient agency's services, if it lists any).
fn check_service(
    conn: &mut DbConnection,
    service: Option<&str>,
    agency_id: Option<&str>,
) -> AppResult<String> {
    let Some(service) = service.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(AppError::invalid("service", "service is required"));
    };
    let offered = agencies::services(conn)?.unwrap_or_default();
    if !offered.iter().any(|s| s.id == service && !s.disabled) {
        return Err(AppError::invalid(
            "service",
            format!(
                "{service:?} is not a service of the lookup {}",
                agencies::SERVICE_LOOKUP
            ),
        ));
    }
    if let Some(agency) = agency_id
        .map(|a| agencies::find(conn, a))
        .transpose()?
        .flatten()
    {
        let provides = agency.services();
        if !provides.is_empty() && !provides.iter().any(|s| s == service) {
            return Err(AppError::invalid(
                "service",
                format!("The agency {} does not provide {service:?}.", agency.code),
            ));
        }
    }
    Ok(service.to_owned())
}

pub fn refer(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    input: &ReferralInput,
) -> AppResult<Transition> {
    let notes = text(input.notes.as_deref(), "notes", false)?;
    if input.consent_overridden
        && !caller
            .principal
            .can(Permission::new(kind.resource, Action::ConsentOverride))
    {
        return Err(super::deny(conn, kind, caller, id, "refer_without_consent"));
    }
    within_reach(conn, kind, caller, id, "refer", |conn, record| {
        let mut t = Transition::new(REFERRAL, &record, me(caller));
        if input.remote {
            let name = text(input.to_remote.as_deref(), "transitioned_to_remote", true)?;
            t.remote = true;
            t.transitioned_to_remote = Some(name);
            t.transitioned_to_agency = input
                .to_agency
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned);
            t.service = Some(check_service(conn, input.service.as_deref(), None)?);
        } else {
            let Some(to) = input.to.as_deref().filter(|s| !s.trim().is_empty()) else {
                return Err(AppError::invalid(
                    "transitioned_to",
                    "transitioned_to is required (or remote with transitioned_to_remote)",
                ));
            };
            let to = recipient(
                conn,
                kind,
                to.trim(),
                Action::ReceiveReferral,
                "transitioned_to",
            )?;
            if to.id == me(caller) {
                return Err(AppError::invalid(
                    "transitioned_to",
                    "A referral goes to someone else.",
                ));
            }
            refuse_duplicate(conn, &record.id, REFERRAL, &to.id)?;
            t.service = Some(check_service(
                conn,
                input.service.as_deref(),
                to.agency_id.as_deref(),
            )?);
            t.transitioned_to = Some(to.id.clone());
            t.transitioned_to_agency = to.agency_id.clone();
        }
        if let Some(entry) = input.service_record_id.as_deref().filter(|s| !s.is_empty()) {
            if !service_entry_exists(&record, entry) {
                return Err(AppError::invalid(
                    "service_record_id",
                    "service_record_id names no service entry of this case",
                ));
            }
            t.service_record_id = Some(entry.to_owned());
        }
        if !consent_recorded(&record) {
            if !input.consent_overridden {
                return Err(AppError::invalid(
                    "consent_overridden",
                    "The case records no consent to share with service providers. Record it on \
                     the case, or override with a reason in the notes if your role allows.",
                ));
            }
            if notes.is_empty() {
                return Err(AppError::invalid(
                    "notes",
                    "Give the reason for referring without consent in the notes.",
                ));
            }
            t.consent_overridden = true;
        }
        t.notes = notes.clone();
        diesel::insert_into(transitions::table)
            .values(&t)
            .execute(conn)?;
        crate::alerts::notify(
            conn,
            &record.id,
            t.transitioned_to.as_deref(),
            crate::alerts::REFERRAL,
            me(caller),
        )?;
        audit::write(
            conn,
            &caller.actor,
            event(kind, "refer", Outcome::Done, &record).detail(serde_json::json!({
                "transition_id": t.id,
                "to": t.transitioned_to,
                "remote": t.remote,
                "service": t.service,
                "consent_overridden": t.consent_overridden,
            })),
        )?;
        Ok(t)
    })
}

/// A status change: the recipient accepts, rejects (with a reason) or finishes; for a remote
/// referral the sender, or anyone who may refer the record, records the provider's answer.
/// `revoked` is the sender withdrawing it (see [`revoke`]).
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
        ACCEPTED => "referral_accept",
        REJECTED => "referral_reject",
        DONE => "referral_done",
        REVOKED => "referral_revoke",
        _ => {
            return Err(AppError::invalid(
                "status",
                "status must be accepted, rejected, done or revoked",
            ))
        }
    };
    let reason = text(reason, "rejected_reason", status == REJECTED)?;
    let may_refer = caller
        .principal
        .can(Permission::new(kind.resource, Action::Refer));
    let may = |t: &Transition| {
        let sender_side = t.transitioned_by == me(caller) || may_refer;
        // Revoking, and answers from a provider outside the system, come from the sender's
        // side; a recipient in the system answers for themselves.
        if status == REVOKED || t.remote {
            sender_side
        } else {
            t.transitioned_to.as_deref() == Some(me(caller))
        }
    };
    if !may(&find(conn, id, REFERRAL, transition_id)?) {
        return Err(super::deny(conn, kind, caller, id, action));
    }
    within_reach(conn, kind, caller, id, action, |conn, record| {
        let mut t = find(conn, &record.id, REFERRAL, transition_id)?;
        let allowed_from: &[&str] = match status {
            DONE | REVOKED => &[PENDING, ACCEPTED],
            _ => &[PENDING],
        };
        if !allowed_from.contains(&t.status.as_str()) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("This referral is {}; it cannot become {status}.", t.status),
            ));
        }
        if !may(&t) {
            return Err(AppError::forbidden());
        }
        super::record_answer(
            conn,
            caller,
            &mut t,
            status,
            &reason,
            crate::alerts::REFERRAL_ANSWER,
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

/// The sender withdraws a referral: the recipient loses access at once.
pub fn revoke(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    id: &str,
    transition_id: &str,
) -> AppResult<Transition> {
    respond(conn, kind, caller, id, transition_id, REVOKED, None)
}
