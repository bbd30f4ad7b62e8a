//! The attachments page of a case: the files with thumbnails, download links and remove
//! buttons, and an upload form. It calls the same service as the API.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::service::{self, human_size};
use super::{kinds, upload_fields, Attachment};
use crate::access::{Action, Permission, Resource};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::forms::Catalog;
use crate::i18n::Lang;
use crate::records::CASE;
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

struct Item {
    id: String,
    file_name: String,
    field: String,
    content_type: String,
    size: String,
    description: String,
    added: String,
    has_thumbnail: bool,
}

#[derive(Template)]
#[template(path = "attachments/list.html")]
struct AttachmentsPage {
    chrome: Chrome,
    id: String,
    display_id: String,
    items: Vec<Item>,
    can_write: bool,
    fields: Vec<(String, String)>,
    accept: String,
    limits: String,
    error: Option<(String, String)>,
}

fn item(lang: &Lang, catalog: &Catalog, a: &Attachment) -> Item {
    Item {
        id: a.id.clone(),
        file_name: a.file_name.clone(),
        field: catalog
            .field(&a.field_name)
            .map(|f| f.label.get(lang.code()).to_owned())
            .unwrap_or_else(|| a.field_name.clone()),
        content_type: a.content_type.clone(),
        size: human_size(a.size.unsigned_abs()),
        description: a.description.clone().unwrap_or_default(),
        added: lang.t_args(
            "attachments-added",
            &[
                ("by", &a.created_by),
                ("at", &a.created_at.format("%Y-%m-%d %H:%M").to_string()),
            ],
        ),
        has_thumbnail: a.thumbnail_sha256.is_some(),
    }
}

/// The page, with an upload's refusal shown above the form when there was one.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    error: Option<&AppError>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let lang = request::language(req);
    let can_write = caller
        .principal
        .can(Permission::new(Resource::Cases, Action::Write));
    let (record, rows) = state
        .db
        .run(move |c| service::list(c, &CASE, &caller, &id))
        .await?
        .committed()
        .await?;
    let catalog = crate::records::pages::catalog_for(state, req, false).await?;
    let config = &state.config.attachments;
    let mut accept: Vec<String> = Vec::new();
    let mut types: Vec<String> = Vec::new();
    for t in &config.allowed_types {
        accept.extend(kinds::extensions(t).iter().map(|e| format!(".{e}")));
        types.extend(kinds::extensions(t).first().map(|e| e.to_uppercase()));
    }
    let status = error.map(|e| e.code.status());
    let error = error.map(|e| explain(&lang, e, config.max_file_bytes));
    let mut res = html(&AttachmentsPage {
        chrome: Chrome::for_request(req, &lang),
        items: rows.iter().map(|a| item(&lang, &catalog, a)).collect(),
        can_write,
        fields: upload_fields(&catalog, lang.code()),
        accept: accept.join(","),
        limits: lang.t_args(
            "attachments-limits",
            &[
                ("types", &types.join(", ")),
                ("file", &human_size(config.max_file_bytes)),
                ("record", &human_size(config.max_record_bytes)),
            ],
        ),
        error,
        id: record.id,
        display_id: record.display_id,
    })?;
    if let Some(status) = status {
        *res.status_mut() = status;
    }
    Ok(res)
}

/// An upload's refusal for the page: a translated sentence and the details as the service gave
/// them (the type found, the sizes).
fn explain(lang: &Lang, e: &AppError, max_file: u64) -> (String, String) {
    if e.code == ErrorCode::TooLarge {
        let text = lang.t_args(
            "attachments-error-too-large",
            &[("size", &human_size(max_file))],
        );
        return (text, String::new());
    }
    match e.problems.first() {
        Some(p) => {
            let text = lang
                .try_t(&format!("attachments-error-{}", p.kind))
                .or_else(|| lang.try_t(&format!("validation-{}", p.kind)))
                .unwrap_or_else(|| lang.t("error-invalid"));
            (text, p.message.clone())
        }
        None => (lang.t(e.code.message_key()), e.message.clone()),
    }
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    page(&req, &state, path.into_inner(), None).await
}

/// The upload form's target (multipart, with the CSRF token as its first field).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    match super::api::receive(&req, &state, id.clone(), payload).await {
        Ok(_) => Ok(redirect(&format!("/cases/{id}/attachments"))),
        // A refused file: the page again, saying why. Anything else (no access, no such case)
        // is an error page like any other.
        Err(e) if matches!(e.code, ErrorCode::Invalid | ErrorCode::TooLarge) => {
            page(&req, &state, id, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, attachment_id) = path.into_inner();
    let back = format!("/cases/{id}/attachments");
    state
        .db
        .run(move |c| service::remove(c, &CASE, &caller, &id, &attachment_id))
        .await?;
    Ok(redirect(&back))
}
