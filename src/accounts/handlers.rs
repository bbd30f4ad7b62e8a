//! Web handlers for signing in and out and for the user's own account.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::sessions::{self, Issued};
use super::{password, second_factor, second_factor_pages, User};
use crate::access::gate::{session_cookie_name, PRE_SIGN_IN_CSRF_COOKIE};
use crate::access::Principal;
use crate::audit::{self, Event, Outcome};
use crate::db::schema::users;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n;
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::request::{self, LANGUAGE_COOKIE};
use crate::web::AppState;

/// How a sign-in with a right password went on.
pub enum Started {
    /// Signed in: a session of the kind asked for.
    Session(Box<User>, Issued),
    /// The account has a second factor and no code came with the password: a short wait for
    /// the code (browser sign-in only; API callers send the code with the password).
    AwaitingCode(Issued),
}

/// Signs a user in with a password (and the second-factor code, when the account has one and
/// the caller sent it) and starts a session of the given kind. Shared by the sign-in form and
/// `POST /api/v2/tokens`.
pub async fn start_session(
    state: &AppState,
    req: &HttpRequest,
    username: &str,
    password: &str,
    code: Option<&str>,
    kind: &'static str,
) -> AppResult<Started> {
    let actor = request::actor(req);
    state.limits.attempt(actor.ip.as_deref())?;
    let user = super::authenticate(
        &state.db,
        &state.config.accounts,
        username,
        password,
        &actor,
    )
    .await?;
    let accounts = state.config.accounts.clone();
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    state
        .db
        .run(move |conn| {
            let ip = actor.ip.as_deref();
            let agent = actor.user_agent.as_deref();
            if second_factor::is_enrolled(conn, &user.id)? {
                match code {
                    Some(code) => {
                        super::check_second_factor(conn, &accounts, &user.id, &code, &actor)?;
                    }
                    None if kind == sessions::KIND_BROWSER => {
                        let wait = sessions::create_second_factor_wait(
                            conn, &accounts, &user.id, ip, agent,
                        )?;
                        return Ok(Started::AwaitingCode(wait));
                    }
                    None => {
                        return Err(AppError::new(
                            ErrorCode::SecondFactorRequired,
                            "This account uses two-step sign-in: send the current code from the \
                             authenticator app (or a recovery code) as `code` with the password.",
                        ))
                    }
                }
            }
            let issued = sessions::create(conn, &accounts, &user.id, kind, ip, agent)?;
            Ok(Started::Session(Box::new(user), issued))
        })
        .await
}

pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    let secure = state.config.served_over_https();
    Cookie::build(session_cookie_name(secure), token.to_owned())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

fn expired_cookie(name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build(name, "").path("/").finish();
    c.make_removal();
    c
}

/// Only local paths: an open redirect after sign-in would be a phishing aid.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    lang: Option<String>,
}

pub async fn sign_in_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SignInQuery>,
) -> AppResult<HttpResponse> {
    if req.extensions().get::<Principal>().is_some() {
        return Ok(redirect(&safe_next(query.next.as_deref())));
    }
    let chosen = query.lang.as_deref().filter(|l| i18n::is_supported(l));
    let lang = match chosen {
        Some(code) => i18n::Lang::new(code),
        None => request::language(&req),
    };
    let (csrf, fresh) = match req.cookie(PRE_SIGN_IN_CSRF_COOKIE) {
        Some(c) if c.value().len() >= 32 => (c.value().to_owned(), false),
        _ => (sessions::random_token()?, true),
    };
    let mut chrome = Chrome::for_request(&req, &lang);
    chrome.csrf_token = csrf.clone();
    let page = SignInPage {
        chrome,
        next: safe_next(query.next.as_deref()),
        username: String::new(),
        error: None,
    };
    let mut res = html(&page)?;
    let secure = state.config.served_over_https();
    if fresh {
        res.add_cookie(&pre_sign_in_cookie(&csrf, secure))
            .map_err(AppError::internal)?;
    }
    if let Some(code) = chosen {
        let c = Cookie::build(LANGUAGE_COOKIE, code.to_owned())
            .path("/")
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        res.add_cookie(&c).map_err(AppError::internal)?;
    }
    Ok(res)
}

fn pre_sign_in_cookie(value: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(PRE_SIGN_IN_CSRF_COOKIE, value.to_owned())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    match start_session(
        &state,
        &req,
        form.username.trim(),
        &form.password,
        None,
        sessions::KIND_BROWSER,
    )
    .await
    {
        Ok(Started::Session(user, issued)) => {
            signed_in(&state, &user, &issued, form.next.as_deref())
        }
        Ok(Started::AwaitingCode(wait)) => {
            let mut res = second_factor_pages::code_page(&req, form.next.as_deref(), None)?;
            res.add_cookie(&second_factor_pages::wait_cookie(&state, &wait.token))
                .map_err(AppError::internal)?;
            Ok(res)
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidCredentials | ErrorCode::AccountLocked | ErrorCode::RateLimited
            ) =>
        {
            // Show the form again with the reason, keeping what the user typed (not the password).
            let lang = request::language(&req);
            let mut chrome = Chrome::for_request(&req, &lang);
            chrome.csrf_token = req
                .cookie(PRE_SIGN_IN_CSRF_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_default();
            let page = SignInPage {
                error: Some(lang.t(e.code.message_key())),
                chrome,
                next: safe_next(form.next.as_deref()),
                username: form.username,
            };
            let mut res = html(&page)?;
            *res.status_mut() = e.code.status();
            if let Some(s) = e.retry_after {
                res.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(s),
                );
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// The answer to a completed browser sign-in: the session cookie, and on to where the user was
/// going (or to the password change a one-time password demands).
pub(super) fn signed_in(
    state: &AppState,
    user: &User,
    issued: &Issued,
    next: Option<&str>,
) -> AppResult<HttpResponse> {
    let target = if user.must_change_password {
        "/account/password".to_owned()
    } else {
        safe_next(next)
    };
    let mut res = redirect(&target);
    res.add_cookie(&session_cookie(state, &issued.token))
        .map_err(AppError::internal)?;
    Ok(res)
}

/// Ends the caller's session (browser sign-out and `DELETE /api/v2/tokens`), audited.
pub async fn end_session(state: &AppState, req: &HttpRequest) -> AppResult<()> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(AppError::unauthenticated)?;
    let actor = request::actor(req);
    let hash = principal.session_hash().map(str::to_owned);
    state
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if let Some(h) = &hash {
                    sessions::delete(conn, h)?;
                }
                audit::write(
                    conn,
                    &actor,
                    Event::new("sign_out", Outcome::Done).record("user", &principal.user_id, None),
                )
                .map(|_| ())
            })
        })
        .await?;
    state.principals.clear();
    Ok(())
}

pub async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    end_session(&state, &req).await?;
    let mut res = redirect("/sign-in");
    let name = session_cookie_name(state.config.served_over_https());
    res.add_removal_cookie(&expired_cookie(name))
        .map_err(AppError::internal)?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    required: bool,
    min_length: u32,
    error: Option<String>,
}

fn password_page_for(
    req: &HttpRequest,
    state: &AppState,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let chrome = Chrome::for_request(req, &lang);
    let required = chrome.user.as_ref().is_some_and(|u| u.must_change_password);
    html(&PasswordPage {
        chrome,
        required,
        min_length: state.config.accounts.password_min_length,
        error,
    })
}

pub async fn password_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    password_page_for(&req, &state, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(AppError::unauthenticated)?;
    let lang = request::language(&req);
    let form = form.into_inner();
    if form.new_password != form.confirm_password {
        let mut res = password_page_for(&req, &state, Some(lang.t("password-mismatch")))?;
        *res.status_mut() = ErrorCode::Invalid.status();
        return Ok(res);
    }
    let user_id = principal.user_id.clone();
    let user = state
        .db
        .run(move |conn| super::find_by_id(conn, &user_id))
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    let stored = user.password_hash.clone();
    let current = form.current_password.clone();
    let current_ok = web::block(move || password::verify(&current, &stored))
        .await
        .map_err(AppError::internal)?;
    let result = if current_ok {
        let accounts = state.config.accounts.clone();
        let actor = request::actor(&req);
        let keep = principal.session_hash().map(str::to_owned);
        let new_password = form.new_password;
        state
            .db
            .run(move |conn| {
                super::set_password(
                    conn,
                    &accounts,
                    &user,
                    &new_password,
                    false,
                    keep.as_deref(),
                    &actor,
                )
            })
            .await
            // Other sessions of this user ended: stop serving them from the cache too.
            .inspect(|()| state.principals.clear())
    } else {
        Err(AppError::invalid(
            "current_password",
            "The current password is wrong.",
        ))
    };
    match result {
        Ok(()) => Ok(redirect("/")),
        Err(e) if e.code == ErrorCode::Invalid => {
            let message = match e.field.as_deref() {
                Some("current_password") => lang.t("password-current-wrong"),
                Some("new_password") => lang.t("password-same-as-old"),
                _ => lang.t_args(
                    "password-too-weak",
                    &[(
                        "min",
                        &state.config.accounts.password_min_length.to_string(),
                    )],
                ),
            };
            let mut res = password_page_for(&req, &state, Some(message))?;
            *res.status_mut() = ErrorCode::Invalid.status();
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    username: String,
    full_name: String,
    role_name: String,
    language: String,
}

pub async fn profile_page(req: HttpRequest) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let chrome = Chrome::for_request(&req, &lang);
    let p = chrome.user.clone().ok_or_else(AppError::unauthenticated)?;
    html(&ProfilePage {
        chrome,
        username: p.username,
        full_name: p.full_name,
        role_name: lang
            .try_t(&format!("role-{}", p.role_id))
            .unwrap_or(p.role_name),
        language: p.language.unwrap_or_default(),
    })
}

#[derive(Deserialize)]
pub struct LanguageForm {
    /// A supported code, or empty for "as my browser says".
    language: String,
}

pub async fn set_language(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LanguageForm>,
) -> AppResult<HttpResponse> {
    use diesel::prelude::*;
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(AppError::unauthenticated)?;
    let language = match form.language.as_str() {
        "" => None,
        code if i18n::is_supported(code) => Some(code.to_owned()),
        _ => {
            return Err(AppError::invalid(
                "language",
                "This language is not available.",
            ))
        }
    };
    let actor = request::actor(&req);
    state
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                diesel::update(users::table.find(&principal.user_id))
                    .set((
                        users::language.eq(&language),
                        users::updated_at.eq(crate::db::now()),
                    ))
                    .execute(conn)?;
                audit::write(
                    conn,
                    &actor,
                    Event::new("user.update", Outcome::Done)
                        .record("user", &principal.user_id, None)
                        .detail(serde_json::json!({ "fields": ["language"] })),
                )
                .map(|_| ())
            })
        })
        .await?;
    state.principals.clear();
    Ok(redirect("/account"))
}
