//! The workflow page of a case: its assignments, transfers and referrals with the answers the
//! viewer may give, and the forms to assign, transfer and refer. Works without JavaScript; a
//! refused request shows the page again with the reason beside the forms.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::referral::ReferralInput;
use super::transfer::TransferInput;
use super::{Candidate, Purpose, TransitionView, ACCEPTED, PENDING, REFERRAL, TRANSFER};
use crate::access::{Action, Permission};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{names, Lang};
use crate::records::service::{self, Caller};
use crate::records::{Record, CASE};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

struct Row {
    id: String,
    kind: String,
    kind_label: String,
    status: String,
    status_label: String,
    by: String,
    to: String,
    service: String,
    notes: String,
    rejected_reason: String,
    created: String,
    may_answer: bool,
    may_finish: bool,
    may_revoke: bool,
}

struct Choice {
    value: String,
    label: String,
}

struct ApprovalRow {
    approval_type: String,
    type_label: String,
    status: String,
    status_label: String,
    requested_by: String,
    requested_at: String,
    notes: String,
    decided_by: String,
    decision_comments: String,
}

#[derive(Template)]
#[template(path = "cases/workflow.html")]
struct WorkflowPage {
    chrome: Chrome,
    id: String,
    display_id: String,
    name: String,
    owner: String,
    rows: Vec<Row>,
    assign_to: Vec<Choice>,
    transfer_to: Vec<Choice>,
    refer_to: Vec<Choice>,
    services: Vec<Choice>,
    can_assign: bool,
    can_transfer: bool,
    can_refer: bool,
    can_override: bool,
    /// Where the case stands: new, assessment, case plan, service provision, closed.
    stage_label: String,
    approvals: Vec<ApprovalRow>,
    approval_types: Vec<Choice>,
    can_request_approval: bool,
    can_decide: bool,
    /// Why the last request was refused, in the viewer's language.
    error: Option<String>,
}

fn can(caller: &Caller, action: Action) -> bool {
    caller.principal.can(Permission::new(CASE.resource, action))
}

fn choices(list: Vec<Candidate>, agencies: &[crate::agencies::AgencyOption]) -> Vec<Choice> {
    list.into_iter()
        .map(|c| {
            let agency = c
                .agency_id
                .as_ref()
                .and_then(|a| agencies.iter().find(|x| &x.id == a))
                .map(|a| format!(" ({})", a.code))
                .unwrap_or_default();
            let name = if c.full_name.is_empty() {
                String::new()
            } else {
                format!(" — {}", c.full_name)
            };
            Choice {
                label: format!("{}{name}{agency}", c.username),
                value: c.username,
            }
        })
        .collect()
}

/// What the viewer may do with one transition (the domain checks again when they do it).
fn row(v: &TransitionView, caller: &Caller, lang: &Lang, services: &[Choice]) -> Row {
    let t = &v.transition;
    let me = caller.principal.user_id.as_str();
    let recipient = t.transitioned_to.as_deref() == Some(me);
    let sender_side = t.transitioned_by == me
        || (t.kind == REFERRAL && can(caller, Action::Refer))
        || (t.kind == TRANSFER && can(caller, Action::Transfer));
    let answers = if t.remote { sender_side } else { recipient };
    let to = match (&v.to, &t.transitioned_to_remote) {
        (Some(user), _) => user.clone(),
        (None, Some(remote)) => match &t.transitioned_to_agency {
            Some(agency) => format!("{remote} ({agency})"),
            None => remote.clone(),
        },
        (None, None) => String::new(),
    };
    let service = t
        .service
        .as_deref()
        .map(|s| {
            services
                .iter()
                .find(|c| c.value == s)
                .map(|c| c.label.clone())
                .unwrap_or_else(|| s.to_owned())
        })
        .unwrap_or_default();
    Row {
        id: t.id.clone(),
        kind: t.kind.clone(),
        kind_label: lang.t(&format!("workflow-kind-{}", t.kind)),
        status: t.status.clone(),
        status_label: lang.t(&format!("workflow-status-{}", t.status)),
        by: v.by.clone(),
        to,
        service,
        notes: t.notes.clone(),
        rejected_reason: t.rejected_reason.clone().unwrap_or_default(),
        created: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
        may_answer: answers && t.status == PENDING && t.kind != super::ASSIGN,
        may_finish: answers && t.kind == REFERRAL && t.status == ACCEPTED,
        may_revoke: sender_side && t.is_open(),
    }
}

/// Renders the page; `error` is the refusal of the request just made, if any.
async fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    id: String,
    error: Option<&AppError>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let lang = request::language(req);
    let who = caller.clone();
    let (record, views, candidates, offered, agencies) = state
        .db
        .run(move |c| {
            let record = service::fetch(c, &CASE, &who, &id)?;
            let r = record.get();
            crate::alerts::dismiss(c, &who.principal.user_id, &r.id)?;
            let approvals = super::approvals::of_record(c, &r.id)?;
            let may_decide = super::approvals::may_decide(c, &CASE, &who, r.owned_by.as_deref())?;
            let mut approver_ids: Vec<String> =
                approvals.iter().map(|a| a.requested_by.clone()).collect();
            approver_ids.extend(approvals.iter().filter_map(|a| a.decided_by.clone()));
            let approver_names = service::usernames(c, &approver_ids)?;
            let list = super::of_record(c, &r.id, None)?;
            let views = super::views(c, list)?;
            let owner = r.owned_by.clone();
            let mut lists = Vec::new();
            for (purpose, action) in [
                (Purpose::Assign, Action::Assign),
                (Purpose::Transfer, Action::Transfer),
                (Purpose::Refer, Action::Refer),
            ] {
                lists.push(if can(&who, action) {
                    super::candidates(c, &CASE, &who, purpose, owner.as_deref())?
                } else {
                    Vec::new()
                });
            }
            let offered = crate::agencies::services(c)?.unwrap_or_default();
            let agencies = crate::agencies::option_list(c)?;
            let names = service::usernames(c, &owner.into_iter().collect::<Vec<_>>())?;
            let approvals = (approvals, approver_names, may_decide);
            Ok(record.map(|r| (r, views, (lists, names, approvals), offered, agencies)))
        })
        .await?
        .committed()
        .await?;
    let (mut lists, owner_names, (approvals, approver_names, can_decide)) = candidates;
    let refer_to = choices(lists.pop().unwrap_or_default(), &agencies);
    let transfer_to = choices(lists.pop().unwrap_or_default(), &agencies);
    let assign_to = choices(lists.pop().unwrap_or_default(), &agencies);
    let services: Vec<Choice> = offered
        .into_iter()
        .filter(|s| !s.disabled)
        .map(|s| Choice {
            label: names::pick(&s.label, lang.code()).to_owned(),
            value: s.id,
        })
        .collect();
    let rows = views
        .iter()
        .map(|v| row(v, &caller, &lang, &services))
        .collect();
    let data = record.form_data()?;
    let stage = super::approvals::stage(&record.status, &data, &approvals);
    let name_of = |id: &str| approver_names.get(id).cloned().unwrap_or_default();
    let approval_rows = approvals
        .iter()
        .map(|a| ApprovalRow {
            approval_type: a.approval_type.clone(),
            type_label: lang.t(&format!("approval-type-{}", a.approval_type)),
            status: a.status.clone(),
            status_label: lang.t(&format!("approval-status-{}", a.status)),
            requested_by: name_of(&a.requested_by),
            requested_at: a.requested_at.format("%Y-%m-%d %H:%M").to_string(),
            notes: a.request_comments.clone(),
            decided_by: a.decided_by.as_deref().map(name_of).unwrap_or_default(),
            decision_comments: a.decision_comments.clone(),
        })
        .collect();
    let approval_types = super::approvals::TYPES
        .iter()
        .map(|t| Choice {
            value: (*t).to_owned(),
            label: lang.t(&format!("approval-type-{t}")),
        })
        .collect();
    let page = WorkflowPage {
        stage_label: lang.t(&format!("workflow-stage-{stage}")),
        approvals: approval_rows,
        approval_types,
        can_request_approval: can(&caller, Action::RequestApproval),
        can_decide,
        chrome: Chrome::for_request(req, &lang),
        name: Record::display_name(&data),
        owner: record
            .owned_by
            .as_ref()
            .and_then(|o| owner_names.get(o).cloned())
            .unwrap_or_default(),
        id: record.id,
        display_id: record.display_id,
        rows,
        assign_to,
        transfer_to,
        refer_to,
        services,
        can_assign: can(&caller, Action::Assign),
        can_transfer: can(&caller, Action::Transfer),
        can_refer: can(&caller, Action::Refer),
        can_override: can(&caller, Action::ConsentOverride),
        error: error.map(|e| problem_text(&lang, e)),
    };
    let mut response = html(&page)?;
    if let Some(e) = error {
        *response.status_mut() = actix_web::ResponseError::status_code(e);
    }
    Ok(response)
}

/// A refusal in the viewer's language: specific to the field when the field is known.
fn problem_text(lang: &Lang, e: &AppError) -> String {
    match (&e.code, e.field.as_deref()) {
        (ErrorCode::Invalid, Some(field)) => {
            let text = lang.t(&format!("workflow-problem-{field}"));
            if text.starts_with("workflow-problem-") {
                lang.t(e.code.message_key())
            } else {
                text
            }
        }
        (code, _) => lang.t(code.message_key()),
    }
}

/// `GET /cases/{id}/workflow`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    render(&req, &state, path.into_inner(), None).await
}

/// Back to the page on success; the page again with the reason on a refusal the user can fix.
async fn after(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    id: String,
    result: AppResult<super::Transition>,
) -> AppResult<HttpResponse> {
    match result {
        Ok(_) => Ok(redirect(&format!("/cases/{id}/workflow"))),
        Err(e) if matches!(e.code, ErrorCode::Invalid | ErrorCode::Conflict) => {
            render(req, state, id, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[derive(serde::Deserialize)]
pub struct AssignForm {
    transitioned_to: String,
    #[serde(default)]
    notes: String,
}

/// `POST /cases/{id}/workflow/assign`.
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AssignForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let record = id.clone();
    let result = state
        .db
        .run(move |c| {
            super::assign::assign(
                c,
                &CASE,
                &caller,
                &record,
                form.transitioned_to.trim(),
                Some(&form.notes),
            )
        })
        .await;
    after(&req, &state, id, result).await
}

#[derive(serde::Deserialize)]
pub struct TransferForm {
    transitioned_to: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    consent_individual_transfer: Option<String>,
}

/// `POST /cases/{id}/workflow/transfer`.
pub async fn transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TransferForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let input = TransferInput {
        to: form.transitioned_to.trim().to_owned(),
        notes: Some(form.notes),
        consent_individual_transfer: form.consent_individual_transfer.is_some(),
    };
    let record = id.clone();
    let result = state
        .db
        .run(move |c| super::transfer::transfer(c, &CASE, &caller, &record, &input))
        .await;
    after(&req, &state, id, result).await
}

#[derive(serde::Deserialize)]
pub struct ReferForm {
    #[serde(default)]
    transitioned_to: String,
    #[serde(default)]
    transitioned_to_remote: String,
    #[serde(default)]
    transitioned_to_agency: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    consent_overridden: Option<String>,
}

/// `POST /cases/{id}/workflow/refer`: to a user chosen in the list, or, with the list left
/// empty, to the provider outside the system named in the form.
pub async fn refer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ReferForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let to = trimmed(&form.transitioned_to);
    let input = ReferralInput {
        remote: to.is_none() && trimmed(&form.transitioned_to_remote).is_some(),
        to,
        to_remote: trimmed(&form.transitioned_to_remote),
        to_agency: trimmed(&form.transitioned_to_agency),
        service: trimmed(&form.service),
        service_record_id: None,
        consent_overridden: form.consent_overridden.is_some(),
        notes: Some(form.notes),
    };
    let record = id.clone();
    let result = state
        .db
        .run(move |c| super::referral::refer(c, &CASE, &caller, &record, &input))
        .await;
    after(&req, &state, id, result).await
}

#[derive(serde::Deserialize)]
pub struct AnswerForm {
    kind: String,
    status: String,
    #[serde(default)]
    rejected_reason: String,
}

/// `POST /cases/{id}/workflow/{transition_id}`: accept, reject, finish or revoke.
pub async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<AnswerForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, tid) = path.into_inner();
    let form = form.into_inner();
    let record = id.clone();
    let scope = caller.principal.record_scope();
    let result = state
        .db
        .run(move |c| {
            let reason = trimmed(&form.rejected_reason);
            let t = match form.kind.as_str() {
                TRANSFER => super::transfer::respond(
                    c,
                    &CASE,
                    &caller,
                    &record,
                    &tid,
                    &form.status,
                    reason.as_deref(),
                ),
                REFERRAL => super::referral::respond(
                    c,
                    &CASE,
                    &caller,
                    &record,
                    &tid,
                    &form.status,
                    reason.as_deref(),
                ),
                _ => Err(AppError::invalid(
                    "kind",
                    "kind must be transfer or referral",
                )),
            }?;
            let still = crate::records::reach::reaches(c, &scope, &t.record_id)?;
            Ok((t, still))
        })
        .await;
    // A recipient who rejected or finished no longer reaches the case: back to their list.
    match result {
        Ok((_, false)) => Ok(redirect("/cases")),
        other => after(&req, &state, id, other.map(|(t, _)| t)).await,
    }
}

#[derive(serde::Deserialize)]
pub struct ApprovalForm {
    approval_type: String,
    status: String,
    #[serde(default)]
    notes: String,
}

/// `POST /cases/{id}/workflow/approvals`: request an approval, or decide the waiting one.
pub async fn approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ApprovalForm>,
) -> AppResult<HttpResponse> {
    use super::approvals::{self as a, APPROVED, REJECTED, REQUESTED};
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let record = id.clone();
    let result = state
        .db
        .run(move |c| {
            let (t, n) = (form.approval_type.as_str(), Some(form.notes.as_str()));
            match form.status.as_str() {
                REQUESTED => a::request(c, &CASE, &caller, &record, t, n),
                APPROVED => a::decide(c, &CASE, &caller, &record, t, true, n),
                REJECTED => a::decide(c, &CASE, &caller, &record, t, false, n),
                _ => Err(AppError::invalid("approval_status", "unknown decision")),
            }
        })
        .await;
    match result {
        Ok(_) => Ok(redirect(&format!("/cases/{id}/workflow"))),
        Err(e) if matches!(e.code, ErrorCode::Invalid | ErrorCode::Conflict) => {
            render(&req, &state, id, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

struct TaskRow {
    record_id: String,
    display_id: String,
    name: String,
    label: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cases/tasks.html")]
struct TasksPage {
    chrome: Chrome,
    rows: Vec<TaskRow>,
}

/// `GET /tasks`: the signed-in worker's task list.
pub async fn tasks(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let timeframes = state.config.records.clone();
    let list = state
        .db
        .run(move |c| super::tasks::for_caller(c, &CASE, &caller, &timeframes))
        .await?;
    let rows = list
        .into_iter()
        .map(|t| TaskRow {
            label: lang.t(&format!("task-{}", t.kind)),
            record_id: t.record_id,
            display_id: t.display_id,
            name: t.name,
            due: t.due.to_string(),
            overdue: t.overdue,
        })
        .collect();
    html(&TasksPage {
        chrome: Chrome::for_request(&req, &lang),
        rows,
    })
}

/// Where the case list goes after a bulk action: how many moved, or why none did.
fn after_bulk(result: AppResult<usize>) -> AppResult<HttpResponse> {
    match result {
        Ok(n) => Ok(redirect(&format!("/cases?bulk={n}"))),
        Err(e) => {
            let why = match (&e.code, e.field.as_deref()) {
                (ErrorCode::Invalid, Some(field)) => field.to_owned(),
                (ErrorCode::Internal, _) => return Err(e),
                (code, _) => code.as_str().to_owned(),
            };
            Ok(redirect(&format!("/cases?bulk_error={why}")))
        }
    }
}

/// The selected cases and the fields of the bulk form on the case list.
struct BulkForm {
    ids: Vec<String>,
    to: String,
    service: Option<String>,
    notes: Option<String>,
}

fn bulk_form(body: &[u8]) -> BulkForm {
    let pairs = crate::web::admin::form_pairs(body);
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    BulkForm {
        ids: pairs
            .iter()
            .filter(|(k, _)| k == "ids")
            .map(|(_, v)| v.clone())
            .collect(),
        to: value("transitioned_to").unwrap_or_default(),
        service: value("service"),
        notes: value("notes"),
    }
}

/// Runs one step on every ticked case, all or none, and returns to the list.
async fn run_bulk<T: Send + 'static>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    body: &[u8],
    action: &'static str,
    step: impl Fn(&mut crate::db::DbConnection, &Caller, &str, &BulkForm) -> AppResult<T>
        + Send
        + 'static,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let form = bulk_form(body);
    let limit = state.config.records.bulk_action_limit;
    let result = state
        .db
        .run(move |c| {
            super::bulk(c, &CASE, &caller, action, &form.ids, limit, |c, id| {
                step(c, &caller, id, &form)
            })
            .map(|done| done.len())
        })
        .await;
    after_bulk(result)
}

/// `POST /cases/bulk/assign`: the ticked cases get one new owner.
pub async fn bulk_assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    run_bulk(&req, &state, &body, "assign", |c, caller, id, form| {
        super::assign::assign(c, &CASE, caller, id, &form.to, form.notes.as_deref())
    })
    .await
}

/// `POST /cases/bulk/transfer`.
pub async fn bulk_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    run_bulk(&req, &state, &body, "transfer", |c, caller, id, form| {
        let input = TransferInput {
            to: form.to.clone(),
            notes: form.notes.clone(),
            consent_individual_transfer: false,
        };
        super::transfer::transfer(c, &CASE, caller, id, &input)
    })
    .await
}

/// `POST /cases/bulk/refer`: referrals of the ticked cases to one provider for one service.
pub async fn bulk_refer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    run_bulk(&req, &state, &body, "refer", |c, caller, id, form| {
        let input = ReferralInput {
            to: Some(form.to.clone()),
            service: form.service.clone(),
            notes: form.notes.clone(),
            ..ReferralInput::default()
        };
        super::referral::refer(c, &CASE, caller, id, &input)
    })
    .await
}
