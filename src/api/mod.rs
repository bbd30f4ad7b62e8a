//! The Primero-compatible REST API (`/api/v2`). Handlers only translate between JSON and the
//! domain modules.

pub mod fields;
pub mod paging;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::access::Principal;
use crate::accounts::handlers::{end_session, session_cookie, start_session, Started};
use crate::accounts::sessions;
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::web::AppState;

fn principal(req: &HttpRequest) -> AppResult<Principal> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(AppError::unauthenticated)
}

#[derive(Deserialize)]
pub struct TokenRequest {
    user: TokenCredentials,
}

#[derive(Deserialize)]
pub struct TokenCredentials {
    user_name: String,
    password: String,
    /// The current TOTP code (or a recovery code) of an account with two-step sign-in.
    #[serde(default)]
    code: Option<String>,
}

/// `POST /api/v2/tokens`: signs in and answers a bearer token (also set as the session cookie).
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> AppResult<HttpResponse> {
    let creds = &body.user;
    let (user, issued) = match start_session(
        &state,
        &req,
        creds.user_name.trim(),
        &creds.password,
        creds.code.as_deref(),
        sessions::KIND_API,
    )
    .await?
    {
        Started::Session(user, issued) => (*user, issued),
        // Only browser sign-ins wait for a code; an API sign-in without one is refused.
        Started::AwaitingCode(_) => return Err(AppError::internal("API sign-in awaiting a code")),
    };
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, &issued.token))
        .json(serde_json::json!({
            "id": user.id,
            "user_name": user.username,
            "token": issued.token,
            "must_change_password": user.must_change_password,
        })))
}

/// `DELETE /api/v2/tokens`: ends the session behind the token or cookie.
pub async fn delete_token(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let p = principal(&req)?;
    end_session(&state, &req).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "data": { "id": p.user_id } })))
}

/// `GET /api/v2/primero`: unauthenticated bootstrap data for clients.
pub async fn primero(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "data": {
            "sandbox_ui": state.config.instance == "demo",
            "locales": i18n::SUPPORTED,
            "default_locale": state.config.ui.default_language,
            "agencies": [],
        }
    }))
}

/// `GET /api/v2/contact_information`.
pub async fn contact_information(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "data": {
            "name": state.config.instance,
            "system_version": env!("CARGO_PKG_VERSION"),
        }
    }))
}

/// `GET /api/v2/users/me`: the caller's own account and permissions.
pub async fn me(req: HttpRequest) -> AppResult<HttpResponse> {
    let p = principal(&req)?;
    let permissions: Vec<String> = p.permissions.iter().map(|x| x.to_string()).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "data": {
            "id": p.user_id,
            "user_name": p.username,
            "full_name": p.full_name,
            "role_unique_id": p.role_id,
            "agency_id": p.agency_id,
            "user_group_unique_ids": p.user_groups,
            "record_scope": p.record_scope,
            "locale": p.language,
            "must_change_password": p.must_change_password,
            "permissions": permissions,
        }
    })))
}
