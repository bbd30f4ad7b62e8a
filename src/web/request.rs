//! Per-request facts: the log span (with a request id and no personal data) and the client
//! details that audit entries and sessions record.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage, HttpRequest};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

use crate::access::Principal;
use crate::audit::Actor;
use crate::i18n::{self, Lang};
use crate::web::AppState;

/// Cookie that remembers a language chosen before signing in.
pub const LANGUAGE_COOKIE: &str = "casekeep_lang";

/// Log span per request. It records the route *pattern* (`/api/v2/cases/{id}`), never the query
/// string or body, which can carry names of children.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_owned());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        span.in_scope(|| {
            if status >= 500 {
                tracing::error!(status, "request failed");
            } else {
                tracing::info!(status, "request handled");
            }
        });
    }
}

/// The caller's address. Proxy headers are not trusted: a client could forge them.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(400).collect())
}

pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.to_string())
}

/// The audit actor for this request: the signed-in user (if any) and where they called from.
pub fn actor(req: &HttpRequest) -> Actor {
    let principal = req.extensions().get::<Principal>().cloned();
    Actor {
        user_id: principal.as_ref().map(|p| p.user_id.clone()),
        username: principal.as_ref().map(|p| p.username.clone()),
        role_id: principal.as_ref().map(|p| p.role_id.clone()),
        ip: client_ip(req),
        user_agent: user_agent(req),
        request_id: request_id(req),
    }
}

/// The signed-in caller of a request the gate let through, for the service layer.
pub fn caller(req: &HttpRequest) -> crate::error::AppResult<crate::records::service::Caller> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(crate::error::AppError::unauthenticated)?;
    let journal = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.journal.clone());
    Ok(crate::records::service::Caller {
        actor: actor(req),
        principal,
        journal,
    })
}

/// The query string as pairs, tolerating Primero clients' leading `&`.
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The language for this response.
pub fn language(req: &HttpRequest) -> Lang {
    let default = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.config.ui.default_language.clone())
        .unwrap_or_else(|| "en".into());
    let profile = req
        .extensions()
        .get::<Principal>()
        .and_then(|p| p.language.clone());
    let chosen = req.cookie(LANGUAGE_COOKIE).map(|c| c.value().to_owned());
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::negotiate(profile.as_deref(), chosen.as_deref(), accept, &default)
}

/// Whether this request is for the JSON API (errors as JSON, no redirects).
pub fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}
