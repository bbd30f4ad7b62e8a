//! Agency logos: a small PNG or JPEG per agency, kept in the same content-addressed file store
//! as attachments. A logo is configuration: setting one is a configuration change (audited, and
//! it moves the configuration stamp), and every signed-in user may see it.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use crate::attachments::store::FileStore;
use crate::attachments::{kinds, metadata, names, service::too_large, thumbnail, upload};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::schema::agencies;
use crate::db::{now, write_transaction, DbConnection};
use crate::error::{AppError, AppResult, Problem};
use crate::web::errors::redirect;
use crate::web::{request, AppState};

/// Largest logo accepted.
pub const MAX_LOGO_BYTES: u64 = 512 * 1024;

/// Whether the agency exists (a logo is never uploaded for nothing).
fn exists(conn: &mut DbConnection, agency_id: &str) -> AppResult<()> {
    agencies::table
        .find(agency_id)
        .select(agencies::id)
        .first::<String>(conn)
        .optional()?
        .map(|_| ())
        .ok_or_else(AppError::not_found)
}

/// Checks a logo's bytes: a PNG or JPEG that decodes. Returns its type.
fn check(bytes: &[u8]) -> AppResult<&'static str> {
    let found = kinds::detect(bytes);
    if found != kinds::PNG && found != kinds::JPEG {
        return Err(AppError::validation(vec![Problem {
            field: "logo".into(),
            kind: "file_type_not_allowed",
            message: format!("The file is {found}; a logo must be image/png or image/jpeg."),
        }]));
    }
    thumbnail::decode(bytes, found)?;
    Ok(found)
}

/// Sets an agency's logo, with the configuration change and the audit entry in one transaction.
pub fn set_logo(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: &str,
    sha256: &str,
    content_type: &str,
    size: usize,
) -> AppResult<()> {
    write_transaction(conn, |c| {
        let changed = diesel::update(agencies::table.find(agency_id))
            .set((
                agencies::logo_sha256.eq(Some(sha256)),
                agencies::logo_content_type.eq(Some(content_type)),
                agencies::updated_at.eq(now()),
            ))
            .execute(c)?;
        if changed == 0 {
            return Err(AppError::not_found());
        }
        crate::forms::store::config_changed(c)?;
        let e = Event::new("agency_logo", Outcome::Done).detail(serde_json::json!({
            "agency_id": agency_id, "sha256": sha256, "size": size, "content_type": content_type,
        }));
        audit::write(c, actor, e)?;
        Ok(())
    })
}

/// An agency's logo: its hash and type, if it has one.
pub fn logo_of(conn: &mut DbConnection, agency_id: &str) -> AppResult<(String, String)> {
    let (sha, ct): (Option<String>, Option<String>) = agencies::table
        .find(agency_id)
        .select((agencies::logo_sha256, agencies::logo_content_type))
        .first(conn)
        .optional()?
        .ok_or_else(AppError::not_found)?;
    sha.zip(ct).ok_or_else(AppError::not_found)
}

/// `POST /agencies/{id}/logo`: a multipart form with the image in the part `logo`.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let agency_id = path.into_inner();
    let id = agency_id.clone();
    state.db.run(move |c| exists(c, &id)).await?;
    let form = upload::read_form(&req, payload, MAX_LOGO_BYTES, "logo").await?;
    if form.bytes.len() as u64 > MAX_LOGO_BYTES {
        return Err(too_large(MAX_LOGO_BYTES));
    }
    let store = FileStore::new(&state.config.storage.data_dir);
    let turn = thumbnail::decode_turn().await?;
    let bytes = form.bytes;
    let (sha256, content_type, size) = web::block(move || {
        let content_type = check(&bytes)?;
        let bytes = metadata::strip(bytes, content_type)?;
        Ok::<_, AppError>((store.put(&bytes)?, content_type, bytes.len()))
    })
    .await
    .map_err(AppError::internal)??;
    drop(turn);
    let actor = request::actor(&req);
    let id = agency_id.clone();
    state
        .db
        .run(move |c| set_logo(c, &actor, &id, &sha256, content_type, size))
        .await?;
    Ok(redirect(&format!("/admin/agencies/{agency_id}/edit")))
}

/// `GET /agencies/{id}/logo`: the image, checked against its hash.
pub async fn show(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let agency_id = path.into_inner();
    let store = FileStore::new(&state.config.storage.data_dir);
    let (content_type, bytes) = state
        .db
        .run(move |c| {
            let (sha, content_type) = logo_of(c, &agency_id)?;
            Ok((content_type, store.get(&sha)?))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            names::content_disposition("logo", true),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
