//! The gate: the one place every request passes before any handler runs.
//!
//! It finds the route's rule in the route table (no entry: refused), works out who is calling
//! (session cookie, bearer token or HTTP Basic), decides, audits refusals, and enforces CSRF
//! protection on state-changing browser requests. Handlers read the [`Principal`] it leaves in
//! the request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::principals::CredentialKey;
use super::{decide, roles, AuthMethod, Decision, Principal, ScopeKind};
use crate::accounts::{self, sessions, User};
use crate::audit::{self, Event, Outcome};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::web::routes::{Lookup, RouteTable};
use crate::web::{request, AppState};

/// Session cookie name; the `__Host-` prefix (which browsers only accept over HTTPS) pins the
/// cookie to this host and path.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-casekeep_session"
    } else {
        "casekeep_session"
    }
}

/// Cookie carrying the CSRF token of forms shown before sign-in (double-submit).
pub const PRE_SIGN_IN_CSRF_COOKIE: &str = "casekeep_csrf";
/// Form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub async fn gate(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let (Some(table), Some(state)) = (
        req.app_data::<web::Data<RouteTable>>().cloned(),
        req.app_data::<web::Data<AppState>>().cloned(),
    ) else {
        let e = AppError::internal("gate: application state missing");
        return Ok(req.error_response(e).map_into_right_body());
    };
    let rule = match table.lookup(req.method(), req.path()) {
        Lookup::Found(spec) => spec.rule,
        Lookup::WrongMethod => {
            let e = AppError::new(
                ErrorCode::MethodNotAllowed,
                "This method is not allowed here.",
            );
            return Ok(req.error_response(e).map_into_right_body());
        }
        Lookup::NotFound => {
            return Ok(req
                .error_response(AppError::not_found())
                .map_into_right_body())
        }
    };

    let principal = match identify(&req, &state).await {
        Ok(p) => p,
        Err(e) => return Ok(req.error_response(e).map_into_right_body()),
    };
    let refusal = match decide(rule, principal.as_ref()) {
        Decision::Allow => None,
        Decision::NeedsSignIn => Some(AppError::unauthenticated()),
        Decision::NeedsPasswordChange => Some(AppError::new(
            ErrorCode::PasswordChangeRequired,
            "Change your one-time password first.",
        )),
        Decision::NeedsSecondFactor => Some(AppError::new(
            ErrorCode::SecondFactorEnrolmentRequired,
            "Your role requires two-step sign-in: set it up from your account page first.",
        )),
        Decision::Deny => {
            let mut actor = request::actor(req.request());
            if let Some(p) = &principal {
                actor.user_id = Some(p.user_id.clone());
                actor.username = Some(p.username.clone());
                actor.role_id = Some(p.role_id.clone());
            }
            let event = Event::new("access", Outcome::Denied).detail(serde_json::json!({
                "method": req.method().as_str(),
                "route": req.match_pattern().unwrap_or_default(),
            }));
            if let Err(e) = state
                .db
                .run(move |c| audit::write_alone(c, &actor, event))
                .await
            {
                return Ok(req.error_response(e).map_into_right_body());
            }
            Some(AppError::forbidden())
        }
    };
    if let Some(e) = refusal {
        return Ok(req.error_response(e).map_into_right_body());
    }
    if is_state_changing(req.method()) {
        if let Err(e) = check_csrf(&mut req, principal.as_ref()).await {
            return Ok(req.error_response(e).map_into_right_body());
        }
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Works out who is calling. Presented-but-wrong credentials in `Authorization` are an error;
/// an unknown or expired session cookie just means "not signed in".
async fn identify(req: &ServiceRequest, state: &AppState) -> AppResult<Option<Principal>> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| {
            AppError::new(
                ErrorCode::Unauthenticated,
                "Malformed Authorization header.",
            )
        })?;
        let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
        return match scheme.to_ascii_lowercase().as_str() {
            "bearer" => bearer(state, credentials.trim()).await.map(Some),
            "basic" => basic(req, state, credentials.trim()).await.map(Some),
            _ => Err(AppError::new(
                ErrorCode::Unauthenticated,
                "Unsupported Authorization scheme: use Basic or Bearer.",
            )),
        };
    }
    let secure = state.config.served_over_https();
    let Some(cookie) = req.cookie(session_cookie_name(secure)) else {
        return Ok(None);
    };
    session_principal(state, "cookie", cookie.value(), |session| {
        AuthMethod::SessionCookie {
            session_hash: session.id_hash.clone(),
        }
    })
    .await
}

async fn bearer(state: &AppState, token: &str) -> AppResult<Principal> {
    let invalid = || {
        AppError::new(
            ErrorCode::Unauthenticated,
            "The token is invalid or has expired.",
        )
    };
    if token.is_empty() {
        return Err(invalid());
    }
    session_principal(state, "bearer", token, |session| AuthMethod::Bearer {
        session_hash: session.id_hash.clone(),
    })
    .await?
    .ok_or_else(invalid)
}

/// The principal of a session token (bearer or cookie), from the cache when it is fresh there.
async fn session_principal(
    state: &AppState,
    kind: &'static str,
    token: &str,
    auth: fn(&sessions::Session) -> AuthMethod,
) -> AppResult<Option<Principal>> {
    let key = CredentialKey::new(kind, token);
    let ticket = match state.principals.get(&key) {
        Ok(p) => return Ok(Some(p)),
        Err(ticket) => ticket,
    };
    let token = token.to_owned();
    let accounts = state.config.accounts.clone();
    let found = state
        .db
        .run(move |conn| {
            let Some(session) = sessions::resolve(conn, &accounts, &token)? else {
                return Ok(None);
            };
            let csrf = if kind == "cookie" {
                session.csrf_token.clone()
            } else {
                String::new()
            };
            let principal = load_principal(conn, &session.user_id, auth(&session), csrf)?;
            Ok(principal.map(|p| (p, session.expires_at)))
        })
        .await?;
    Ok(found.map(|(principal, expires_at)| {
        state
            .principals
            .store(ticket, key, &principal, Some(expires_at));
        principal
    }))
}

async fn basic(req: &ServiceRequest, state: &AppState, encoded: &str) -> AppResult<Principal> {
    let malformed = || AppError::new(ErrorCode::Unauthenticated, "Malformed Basic credentials.");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (username, password) = decoded.split_once(':').ok_or_else(malformed)?;
    let key = CredentialKey::new("basic", &decoded);
    let ticket = match state.principals.get(&key) {
        Ok(p) => return Ok(p),
        Err(ticket) => ticket,
    };

    // Integrations send Basic on every request; a recent successful check of the very same
    // credentials (against the current password hash) is remembered briefly so that argon2 does
    // not run on every call. Anything else is a sign-in attempt, rate limited and locked out.
    let name = username.to_owned();
    let cached_user = state
        .db
        .run(move |conn| accounts::find_by_username(conn, &name))
        .await?
        .filter(|u| state.basic_cache.contains(&u.password_hash, password));
    let user = match cached_user {
        Some(user) => user,
        None => {
            let actor = request::actor(req.request());
            state.limits.attempt(actor.ip.as_deref())?;
            let user = accounts::authenticate(
                &state.db,
                &state.config.accounts,
                username,
                password,
                &actor,
            )
            .await?;
            state.basic_cache.insert(&user.password_hash, password);
            user
        }
    };
    let user_id = user.id.clone();
    let principal = state
        .db
        .run(move |conn| {
            // A password alone on every request would bypass the second factor: accounts with
            // one sign in for a token (`POST /api/v2/tokens` with the code) instead.
            if accounts::second_factor::is_enrolled(conn, &user_id)? {
                return Err(AppError::new(
                    ErrorCode::SecondFactorRequired,
                    "This account uses two-step sign-in, which HTTP Basic cannot carry: get a \
                     token from POST /api/v2/tokens with the code instead.",
                ));
            }
            load_principal(conn, &user_id, AuthMethod::Basic, String::new())
        })
        .await?
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidCredentials,
                "Wrong user name or password.",
            )
        })?;
    state.principals.store(ticket, key, &principal, None);
    Ok(principal)
}

/// The principal for a user, or `None` if the account is gone or disabled (which ends every
/// session at once, without waiting for them to expire).
pub fn load_principal(
    conn: &mut DbConnection,
    user_id: &str,
    auth: AuthMethod,
    csrf_token: String,
) -> AppResult<Option<Principal>> {
    let Some(user) = accounts::find_by_id(conn, user_id)? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let role = roles::find(conn, &user.role_id)?;
    let second_factor_missing = role.as_ref().is_some_and(|r| r.requires_second_factor)
        && !accounts::second_factor::is_enrolled(conn, &user.id)?;
    let user_groups = crate::user_groups::enabled_groups_of(conn, &user.id)?;
    let mut principal = principal_for(user, role, auth, csrf_token);
    principal.second_factor_missing = second_factor_missing;
    principal.user_groups = user_groups;
    Ok(Some(principal))
}

fn principal_for(
    user: User,
    role: Option<roles::Role>,
    auth: AuthMethod,
    csrf_token: String,
) -> Principal {
    // A user whose role row is missing gets no permissions at all.
    let (role_name, permissions, record_scope, section_access) = role
        .map(|r| {
            (
                r.name.clone(),
                r.permission_set(),
                r.scope(),
                r.section_access(),
            )
        })
        .unwrap_or_else(|| {
            (
                String::new(),
                Default::default(),
                ScopeKind::Own,
                Default::default(),
            )
        });
    Principal {
        user_id: user.id,
        username: user.username,
        full_name: user.full_name,
        role_id: user.role_id,
        role_name,
        language: user.language,
        must_change_password: user.must_change_password,
        second_factor_missing: false,
        permissions,
        record_scope,
        agency_id: user.agency_id,
        user_groups: Vec::new(),
        section_access,
        auth,
        csrf_token,
    }
}

/// CSRF protection for requests carried by ambient browser credentials: a signed-in session
/// cookie (token bound to the session) or a form shown before sign-in (double-submit cookie).
/// Bearer and Basic callers send credentials explicitly and need no token.
async fn check_csrf(req: &mut ServiceRequest, principal: Option<&Principal>) -> AppResult<()> {
    let expected = match principal {
        Some(p) if matches!(p.auth, AuthMethod::SessionCookie { .. }) => p.csrf_token.clone(),
        Some(_) => return Ok(()),
        // Anonymous API calls (POST /api/v2/tokens) take JSON only, which a cross-site form
        // cannot send without a CORS preflight that we never grant.
        None if request::is_api(req.request()) => return Ok(()),
        None => req
            .cookie(PRE_SIGN_IN_CSRF_COOKIE)
            .map(|c| c.value().to_owned())
            .unwrap_or_default(),
    };
    let rejected = || {
        AppError::new(
            ErrorCode::CsrfRejected,
            "This form has expired or did not come from Casekeep. Reload the page and try again.",
        )
    };
    if req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(rejected());
    }
    let given = match req.headers().get(CSRF_HEADER) {
        Some(v) => v.to_str().unwrap_or_default().to_owned(),
        None => match form_field(req, CSRF_FIELD).await? {
            Some(token) => token,
            // Upload forms: the token is their first field.
            None => super::form_token::from_multipart(req, CSRF_FIELD)
                .await?
                .unwrap_or_default(),
        },
    };
    if expected.is_empty()
        || given.is_empty()
        || !bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
    {
        return Err(rejected());
    }
    Ok(())
}

/// Reads a field from a URL-encoded form body and puts the body back for the handler. (Upload
/// forms are multipart: their token is read by [`super::form_token`] without buffering the file.)
async fn form_field(req: &mut ServiceRequest, name: &str) -> AppResult<Option<String>> {
    let unreadable = |e: actix_web::Error| {
        AppError::new(ErrorCode::BadRequest, "The form could not be read.").with_cause(e)
    };
    if req.content_type() != mime_form() {
        return Ok(None);
    }
    let body = req.extract::<web::Bytes>().await.map_err(unreadable)?;
    let value = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned());
    req.set_payload(Payload::from(body));
    Ok(value)
}

fn mime_form() -> &'static str {
    "application/x-www-form-urlencoded"
}

/// Recently verified Basic credentials, keyed by a hash of (stored password hash, password):
/// a password change invalidates the entry by itself, and entries expire after a minute.
#[derive(Default)]
pub struct BasicAuthCache {
    entries: Mutex<HashMap<[u8; 32], Instant>>,
}

const BASIC_CACHE_TTL: Duration = Duration::from_secs(60);
const BASIC_CACHE_MAX: usize = 10_000;

impl BasicAuthCache {
    fn key(stored_hash: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(stored_hash.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    pub fn contains(&self, stored_hash: &str, password: &str) -> bool {
        let key = Self::key(stored_hash, password);
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        match entries.get(&key) {
            Some(at) if at.elapsed() < BASIC_CACHE_TTL => true,
            Some(_) => {
                entries.remove(&key);
                false
            }
            None => false,
        }
    }

    pub fn insert(&self, stored_hash: &str, password: &str) {
        let key = Self::key(stored_hash, password);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= BASIC_CACHE_MAX {
                entries.retain(|_, at| at.elapsed() < BASIC_CACHE_TTL);
                if entries.len() >= BASIC_CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(key, Instant::now());
        }
    }
}
