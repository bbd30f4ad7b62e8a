//! `/api/v2/cases/{id}/attachments`, as Primero v2 clients use it, and the file responses the
//! pages share. Handlers translate requests to service calls; the rules live in the service.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::service::{self, Part};
use super::store::FileStore;
use super::{names, upload, Attachment};
use crate::error::AppResult;
use crate::records::api::timestamp;
use crate::records::{RecordKind, CASE};
use crate::web::request;
use crate::web::AppState;

/// The policy of a file response: nothing from it may run or load, even if a browser were to
/// render it.
const FILE_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

/// An attachment as the API shows it.
pub fn attachment_json(kind: &RecordKind, a: &Attachment) -> Value {
    let base = format!(
        "/api/v2/{}/{}/attachments/{}",
        kind.plural, a.record_id, a.id
    );
    json!({
        "id": a.id,
        "record_id": a.record_id,
        "record_type": kind.plural,
        "field_name": a.field_name,
        "file_name": a.file_name,
        "content_type": a.content_type,
        "size": a.size,
        "description": a.description,
        "created_at": timestamp(&a.created_at),
        "created_by": a.created_by,
        "thumbnail": a.thumbnail_sha256.is_some(),
        "attachment_url": base,
        "thumbnail_url": a.thumbnail_sha256.as_ref().map(|_| format!("{base}/thumbnail")),
    })
}

fn store(state: &AppState) -> FileStore {
    FileStore::new(&state.config.storage.data_dir)
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let (_, rows) = state
        .db
        .run(move |c| service::list(c, &CASE, &caller, &id))
        .await?
        .committed()
        .await?;
    let data: Vec<Value> = rows.iter().map(|a| attachment_json(&CASE, a)).collect();
    let total = data.len();
    Ok(HttpResponse::Ok().json(json!({
        "data": data,
        "metadata": { "total": total, "per": total.max(1), "page": 1 },
    })))
}

/// Uploads one file. The caller's access to the case is checked before the body is read.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let a = receive(&req, &state, path.into_inner(), payload).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": attachment_json(&CASE, &a) })))
}

/// Checks access, reads the upload and attaches it: what the API and the upload page share.
pub async fn receive(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    payload: web::Payload,
) -> AppResult<Attachment> {
    let caller = request::caller(req)?;
    let (who, rid) = (caller.clone(), id.clone());
    state
        .db
        .run(move |c| service::reach(c, &CASE, &who, &rid, "attach").map(|_| ()))
        .await?;
    let limits = &state.config.attachments;
    let received = upload::read(req, payload, limits.max_file_bytes).await?;
    service::attach(&state.db, store(state), limits, &CASE, caller, id, received).await
}

/// The bytes of an attachment or its thumbnail, with headers that keep a browser from taking
/// it for anything else: the sniffed type, no sniffing, a download for anything but an image,
/// and no caching.
pub async fn file_response(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    attachment_id: String,
    part: Part,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let files = store(state);
    let (row, bytes) = state
        .db
        .run(move |c| service::read(c, &CASE, &caller, &id, &attachment_id, part, &files))
        .await?
        .committed()
        .await?;
    let name = match part {
        Part::File => row.file_name.clone(),
        Part::Thumbnail => format!("thumbnail-{}", row.file_name),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, row.content_type.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            names::content_disposition(&name, row.shown_inline()),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, FILE_CSP))
        .body(bytes))
}

pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    file_response(&req, &state, id, attachment_id, Part::File).await
}

pub async fn thumbnail(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, attachment_id) = path.into_inner();
    file_response(&req, &state, id, attachment_id, Part::Thumbnail).await
}

pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, attachment_id) = path.into_inner();
    let a = state
        .db
        .run(move |c| service::remove(c, &CASE, &caller, &id, &attachment_id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": { "id": a.id, "record_id": a.record_id } })))
}
