//! The workflow endpoints of the Primero API for cases: `transitions`, `assigns`, `transfers`
//! and `referrals` of one case, and their bulk forms on `/api/v2/cases/...`. Handlers translate
//! JSON; the rules live in the sibling modules.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::referral::{self, ReferralInput};
use super::transfer::{self, TransferInput};
use super::{assign, TransitionView, ASSIGN, REFERRAL, TRANSFER};
use crate::api::fields::{Envelope, Fields};
use crate::error::{AppError, AppResult};
use crate::records::CASE;
use crate::web::{request, AppState};

fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc().to_rfc3339()
}

/// A transition as the Primero API shows it: users by user name, `type` capitalised.
pub fn transition_json(v: &TransitionView) -> Value {
    let t = &v.transition;
    let kind = match t.kind.as_str() {
        ASSIGN => "Assign",
        TRANSFER => "Transfer",
        REFERRAL => "Referral",
        other => other,
    };
    json!({
        "id": t.id,
        "record_id": t.record_id,
        "record_type": t.record_type,
        "type": kind,
        "status": t.status,
        "transitioned_by": v.by,
        "transitioned_to": v.to,
        "transitioned_to_agency": t.transitioned_to_agency,
        "transitioned_to_remote": t.transitioned_to_remote,
        "remote": t.remote,
        "service": t.service,
        "service_record_id": t.service_record_id,
        "consent_overridden": t.consent_overridden,
        "consent_individual_transfer": t.consent_individual_transfer,
        "notes": t.notes,
        "rejected_reason": t.rejected_reason,
        "responded_by": v.responded_by,
        "created_at": rfc3339(t.created_at),
        "responded_at": t.responded_at.map(rfc3339),
    })
}

async fn list_of(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    kind: Option<&'static str>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let list = state
        .db
        .run(move |c| super::read(c, &CASE, &caller, &id, kind))
        .await?
        .committed()
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "data": list.iter().map(transition_json).collect::<Vec<_>>() })))
}

/// `GET /api/v2/cases/{id}/transitions`: every assignment, transfer and referral, oldest first.
pub async fn transitions(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    list_of(req, state, path.into_inner(), None).await
}

pub async fn assigns(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    list_of(req, state, path.into_inner(), Some(ASSIGN)).await
}

pub async fn transfers(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    list_of(req, state, path.into_inner(), Some(TRANSFER)).await
}

pub async fn referrals(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    list_of(req, state, path.into_inner(), Some(REFERRAL)).await
}

/// Reads a request body's fields, failing with every problem found.
fn read<T>(data: &Map<String, Value>, f: impl FnOnce(&mut Fields) -> T) -> AppResult<T> {
    let mut fields = Fields::new(data);
    let value = f(&mut fields);
    if fields.problems.is_empty() {
        Ok(value)
    } else {
        Err(AppError::validation(fields.problems))
    }
}

fn required(value: Option<Option<String>>, field: &str) -> AppResult<String> {
    value
        .flatten()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AppError::invalid(field, format!("{field} is required")))
}

fn transfer_input(data: &Map<String, Value>) -> AppResult<TransferInput> {
    let (to, notes, consent) = read(data, |f| {
        (
            f.text("transitioned_to"),
            f.text("notes").flatten(),
            f.boolean("consent_individual_transfer"),
        )
    })?;
    Ok(TransferInput {
        to: required(to, "transitioned_to")?,
        notes,
        consent_individual_transfer: consent.unwrap_or(false),
    })
}

fn referral_input(data: &Map<String, Value>) -> AppResult<ReferralInput> {
    read(data, |f| ReferralInput {
        to: f.text("transitioned_to").flatten(),
        remote: f.boolean("remote").unwrap_or(false),
        to_remote: f.text("transitioned_to_remote").flatten(),
        to_agency: f.text("transitioned_to_agency").flatten(),
        service: f.text("service").flatten(),
        service_record_id: f.text("service_record_id").flatten(),
        consent_overridden: f.boolean("consent_overridden").unwrap_or(false),
        notes: f.text("notes").flatten(),
    })
}

/// Runs one workflow step and answers the transition it produced, as `{"data": {...}}`.
async fn answer(
    state: web::Data<AppState>,
    step: impl FnOnce(&mut crate::db::DbConnection) -> AppResult<super::Transition> + Send + 'static,
) -> AppResult<HttpResponse> {
    let body = state
        .db
        .run(move |c| {
            let t = step(c)?;
            one(c, t)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The `status` and `rejected_reason` of an answer to a transfer or referral.
fn status_and_reason(data: &Map<String, Value>) -> AppResult<(String, Option<String>)> {
    let (status, reason) = read(data, |f| {
        (f.text("status"), f.text("rejected_reason").flatten())
    })?;
    Ok((required(status, "status")?, reason))
}

fn one(conn: &mut crate::db::DbConnection, t: super::Transition) -> AppResult<Value> {
    let view = super::views(conn, vec![t])?;
    Ok(json!({ "data": view.first().map(transition_json) }))
}

/// `POST /api/v2/cases/{id}/assigns`: `{"data": {"transitioned_to": "<user name>", "notes"}}`.
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let data = body.into_inner().data;
    let (to, notes) = read(&data, |f| {
        (f.text("transitioned_to"), f.text("notes").flatten())
    })?;
    let to = required(to, "transitioned_to")?;
    answer(state, move |c| {
        assign::assign(c, &CASE, &caller, &id, &to, notes.as_deref())
    })
    .await
}

/// `POST /api/v2/cases/{id}/transfers`: `{"data": {"transitioned_to", "notes",
/// "consent_individual_transfer"}}`.
pub async fn transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let input = transfer_input(&body.into_inner().data)?;
    answer(state, move |c| {
        transfer::transfer(c, &CASE, &caller, &id, &input)
    })
    .await
}

/// `PATCH /api/v2/cases/{id}/transfers/{transition_id}`: `{"data": {"status": "accepted" |
/// "rejected" | "revoked", "rejected_reason"}}`.
pub async fn respond_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, tid) = path.into_inner();
    let (status, reason) = status_and_reason(&body.into_inner().data)?;
    answer(state, move |c| {
        transfer::respond(c, &CASE, &caller, &id, &tid, &status, reason.as_deref())
    })
    .await
}

/// `POST /api/v2/cases/{id}/referrals`: `{"data": {"transitioned_to", "service", "notes",
/// "consent_overridden", "service_record_id"}}`, or `"remote": true` with
/// `transitioned_to_remote` and `transitioned_to_agency` for a provider outside the system.
pub async fn refer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let input = referral_input(&body.into_inner().data)?;
    answer(state, move |c| {
        referral::refer(c, &CASE, &caller, &id, &input)
    })
    .await
}

/// `PATCH /api/v2/cases/{id}/referrals/{transition_id}`: `{"data": {"status": "accepted" |
/// "rejected" | "done", "rejected_reason"}}`.
pub async fn respond_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, tid) = path.into_inner();
    let (status, reason) = status_and_reason(&body.into_inner().data)?;
    answer(state, move |c| {
        referral::respond(c, &CASE, &caller, &id, &tid, &status, reason.as_deref())
    })
    .await
}

/// `DELETE /api/v2/cases/{id}/referrals/{transition_id}`: the sender revokes the referral.
pub async fn revoke_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, tid) = path.into_inner();
    answer(state, move |c| {
        referral::revoke(c, &CASE, &caller, &id, &tid)
    })
    .await
}

/// The record ids of a bulk request.
fn ids(data: &Map<String, Value>) -> AppResult<Vec<String>> {
    let ids = read(data, |f| f.text_list("ids"))?;
    ids.ok_or_else(|| AppError::invalid("ids", "ids is required"))
}

async fn bulk_answer(
    state: web::Data<AppState>,
    work: impl FnOnce(&mut crate::db::DbConnection, u32) -> AppResult<Vec<super::Transition>>
        + Send
        + 'static,
) -> AppResult<HttpResponse> {
    let limit = state.config.records.bulk_action_limit;
    let list = state
        .db
        .run(move |c| {
            let done = work(c, limit)?;
            super::views(c, done)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "data": list.iter().map(transition_json).collect::<Vec<_>>() })))
}

/// `POST /api/v2/cases/assigns`: `{"data": {"ids": [...], "transitioned_to", "notes"}}`; all
/// or nothing.
pub async fn bulk_assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let data = body.into_inner().data;
    let ids = ids(&data)?;
    let (to, notes) = read(&data, |f| {
        (f.text("transitioned_to"), f.text("notes").flatten())
    })?;
    let to = required(to, "transitioned_to")?;
    bulk_answer(state, move |c, limit| {
        super::bulk(c, &CASE, &caller, "assign", &ids, limit, |c, id| {
            assign::assign(c, &CASE, &caller, id, &to, notes.as_deref())
        })
    })
    .await
}

/// `POST /api/v2/cases/transfers`: `{"data": {"ids": [...], "transitioned_to", ...}}`.
pub async fn bulk_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let data = body.into_inner().data;
    let ids = ids(&data)?;
    let input = transfer_input(&data)?;
    bulk_answer(state, move |c, limit| {
        super::bulk(c, &CASE, &caller, "transfer", &ids, limit, |c, id| {
            transfer::transfer(c, &CASE, &caller, id, &input)
        })
    })
    .await
}

/// `POST /api/v2/cases/referrals`: `{"data": {"ids": [...], "transitioned_to", "service", ...}}`.
pub async fn bulk_refer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let data = body.into_inner().data;
    let ids = ids(&data)?;
    let input = referral_input(&data)?;
    bulk_answer(state, move |c, limit| {
        super::bulk(c, &CASE, &caller, "refer", &ids, limit, |c, id| {
            referral::refer(c, &CASE, &caller, id, &input)
        })
    })
    .await
}

/// An approval as the API shows it: users by user name.
fn approval_json(
    a: &super::approvals::Approval,
    names: &std::collections::HashMap<String, String>,
) -> Value {
    let name = |id: &str| names.get(id).cloned();
    json!({
        "id": a.id,
        "record_id": a.record_id,
        "approval_id": a.approval_type,
        "approval_status": a.status,
        "requested_by": name(&a.requested_by),
        "requested_at": rfc3339(a.requested_at),
        "notes": a.request_comments,
        "approved_by": a.decided_by.as_deref().and_then(name),
        "approval_date": a.decided_at.map(rfc3339),
        "approval_comments": a.decision_comments,
    })
}

fn approvals_json(
    conn: &mut crate::db::DbConnection,
    list: &[super::approvals::Approval],
) -> AppResult<Vec<Value>> {
    let mut ids: Vec<String> = list.iter().map(|a| a.requested_by.clone()).collect();
    ids.extend(list.iter().filter_map(|a| a.decided_by.clone()));
    let names = crate::records::service::usernames(conn, &ids)?;
    Ok(list.iter().map(|a| approval_json(a, &names)).collect())
}

/// `GET /api/v2/cases/{id}/approvals`, oldest first.
pub async fn approvals(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let data = state
        .db
        .run(move |c| {
            let list = super::approvals::read(c, &CASE, &caller, &id)?;
            let json = approvals_json(c, list.get())?;
            Ok(list.map(|_| json))
        })
        .await?
        .committed()
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}

/// `PATCH /api/v2/cases/{id}/approvals/{approval_id}` (`assessment`, `case_plan`, `closure`):
/// `{"data": {"approval_status": "requested" | "approved" | "rejected", "notes"}}`.
pub async fn approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    use super::approvals::{self as a, APPROVED, REJECTED, REQUESTED};
    let caller = request::caller(&req)?;
    let (id, approval_type) = path.into_inner();
    let data = body.into_inner().data;
    let (status, notes) = read(&data, |f| {
        (f.text("approval_status"), f.text("notes").flatten())
    })?;
    let status = required(status, "approval_status")?;
    let answer = state
        .db
        .run(move |c| {
            let n = notes.as_deref();
            let done = match status.as_str() {
                REQUESTED => a::request(c, &CASE, &caller, &id, &approval_type, n)?,
                APPROVED => a::decide(c, &CASE, &caller, &id, &approval_type, true, n)?,
                REJECTED => a::decide(c, &CASE, &caller, &id, &approval_type, false, n)?,
                _ => {
                    return Err(AppError::invalid(
                        "approval_status",
                        "approval_status must be requested, approved or rejected",
                    ))
                }
            };
            let json = approvals_json(c, std::slice::from_ref(&done))?;
            Ok(json!({ "data": json.first() }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// `GET /api/v2/tasks`: what the caller owes on the open cases they own, soonest first.
pub async fn tasks(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let timeframes = state.config.records.clone();
    let list = state
        .db
        .run(move |c| super::tasks::for_caller(c, &CASE, &caller, &timeframes))
        .await?;
    let data: Vec<Value> = list
        .iter()
        .map(|t| {
            json!({
                "id": t.record_id,
                "record_type": CASE.name,
                "case_id_display": t.display_id,
                "name": t.name,
                "type": t.kind,
                "due_date": t.due.to_string(),
                "overdue": t.overdue,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": { "total": data.len() } })))
}
