//! Actions posted from a case page: flag, remove a flag, add a note, close or reopen. Each
//! calls the service layer and returns to the case.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::super::service;
use super::super::CASE;
use crate::error::AppResult;
use crate::web::errors::redirect;
use crate::web::{request, AppState};

#[derive(serde::Deserialize)]
pub struct FlagForm {
    message: String,
}

pub async fn add_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<FlagForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let back = format!("/cases/{id}");
    let message = form.into_inner().message;
    state
        .db
        .run(move |c| service::flag(c, &CASE, &caller, &id, &message))
        .await?;
    Ok(redirect(&back))
}

#[derive(serde::Deserialize)]
pub struct UnflagForm {
    unflag_message: String,
}

pub async fn remove_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<UnflagForm>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, flag_id) = path.into_inner();
    let back = format!("/cases/{id}");
    let message = form.into_inner().unflag_message;
    state
        .db
        .run(move |c| service::unflag(c, &CASE, &caller, &id, &flag_id, &message))
        .await?;
    Ok(redirect(&back))
}

#[derive(serde::Deserialize)]
pub struct NoteForm {
    note_subject: String,
    note_text: String,
}

/// Adds a note: an entry appended to the notes subform of the current version (appending
/// cannot overwrite anyone's change).
pub async fn add_note(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut patch = Map::new();
    patch.insert(
        "notes_section".into(),
        serde_json::json!([{
            "note_date": chrono::Utc::now().date_naive().to_string(),
            "note_subject": form.note_subject.trim(),
            "note_text": form.note_text.trim(),
        }]),
    );
    update_and_return(&req, &state, path.into_inner(), patch, None).await
}

#[derive(serde::Deserialize)]
pub struct StatusForm {
    record_version: i64,
    status: String,
    /// Why the case is closed (an option of the closure form's reason field).
    #[serde(default)]
    closure_reason: Option<String>,
    /// Why a closed case is opened again.
    #[serde(default)]
    reopen_reason: Option<String>,
}

pub async fn set_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut patch = Map::new();
    patch.insert("status".into(), Value::String(form.status));
    if let Some(reason) = form.closure_reason.filter(|r| !r.trim().is_empty()) {
        patch.insert("closure_reason".into(), Value::String(reason));
    }
    if let Some(reason) = form.reopen_reason {
        patch.insert("reopen_reason".into(), Value::String(reason));
    }
    let version = Some(form.record_version);
    update_and_return(&req, &state, path.into_inner(), patch, version).await
}

/// Applies a change through the service layer and returns to the case page.
async fn update_and_return(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    patch: Map<String, Value>,
    expected_version: Option<i64>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let back = format!("/cases/{id}");
    state
        .db
        .run(move |c| service::update(c, &CASE, &caller, &id, &patch, expected_version))
        .await?;
    Ok(redirect(&back))
}
