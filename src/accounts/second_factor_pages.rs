//! Web handlers of two-step sign-in: the code step of signing in, and the account page where a
//! user sets up or turns off their second factor.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::handlers::{safe_next, signed_in};
use super::second_factor::{self, Enrolment};
use super::sessions;
use crate::access::gate::PRE_SIGN_IN_CSRF_COOKIE;
use crate::access::Principal;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::request;
use crate::web::AppState;

/// The cookie naming a sign-in that waits for its code. Scoped to the code step's path.
fn wait_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Secure-casekeep_sign_in"
    } else {
        "casekeep_sign_in"
    }
}

pub fn wait_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    let secure = state.config.served_over_https();
    Cookie::build(wait_cookie_name(secure), token.to_owned())
        .path("/sign-in")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

fn spent_wait_cookie(state: &AppState) -> Cookie<'static> {
    let mut c = wait_cookie(state, "");
    c.make_removal();
    c
}

#[derive(Template)]
#[template(path = "second_factor/sign_in_code.html")]
struct CodePage {
    chrome: Chrome,
    next: String,
    error: Option<String>,
}

/// The code step of signing in (its form carries the pre-sign-in CSRF token).
pub fn code_page(
    req: &HttpRequest,
    next: Option<&str>,
    error: Option<(ErrorCode, &str)>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let mut chrome = Chrome::for_request(req, &lang);
    chrome.csrf_token = req
        .cookie(PRE_SIGN_IN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let page = CodePage {
        error: error.map(|(_, key)| lang.t(key)),
        chrome,
        next: safe_next(next),
    };
    let mut res = html(&page)?;
    if let Some((code, _)) = error {
        *res.status_mut() = code.status();
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
}

/// `POST /sign-in/code`: the second step of a browser sign-in.
pub async fn sign_in_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let actor = request::actor(&req);
    state.limits.attempt(actor.ip.as_deref())?;
    let secure = state.config.served_over_https();
    let Some(token) = req
        .cookie(wait_cookie_name(secure))
        .map(|c| c.value().to_owned())
    else {
        return Ok(redirect("/sign-in"));
    };
    let accounts = state.config.accounts.clone();
    let code = form.code.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let Some(wait) = sessions::find_second_factor_wait(conn, &token)? else {
                return Ok(None);
            };
            let result = super::check_second_factor(conn, &accounts, &wait.user_id, &code, &actor);
            let ip = actor.ip.as_deref();
            let agent = actor.user_agent.as_deref();
            Ok(Some(match result {
                Ok(user) => {
                    sessions::delete(conn, &wait.id_hash)?;
                    let issued = sessions::create(
                        conn,
                        &accounts,
                        &user.id,
                        sessions::KIND_BROWSER,
                        ip,
                        agent,
                    )?;
                    Ok((user, issued))
                }
                Err(e) => {
                    // A locked or disabled account has nothing more to wait for.
                    if e.code != ErrorCode::InvalidCredentials {
                        sessions::delete(conn, &wait.id_hash)?;
                    }
                    Err(e)
                }
            }))
        })
        .await?;
    let next = form.next.as_deref();
    match outcome {
        None => code_page(
            &req,
            next,
            Some((ErrorCode::Unauthenticated, "sign-in-code-expired")),
        ),
        Some(Ok((user, issued))) => {
            let mut res = signed_in(&state, &user, &issued, next)?;
            res.add_cookie(&spent_wait_cookie(&state))
                .map_err(AppError::internal)?;
            Ok(res)
        }
        Some(Err(e)) if e.code == ErrorCode::InvalidCredentials => {
            code_page(&req, next, Some((e.code, "sign-in-code-wrong")))
        }
        Some(Err(e)) if e.code == ErrorCode::AccountLocked => {
            let mut res = code_page(&req, next, Some((e.code, e.code.message_key())))?;
            res.add_cookie(&spent_wait_cookie(&state))
                .map_err(AppError::internal)?;
            Ok(res)
        }
        Some(Err(e)) => Err(e),
    }
}

/// What the account page shows of an enrolment in progress.
struct PendingView {
    secret: String,
    qr_svg: String,
}

impl PendingView {
    fn of(enrolment: &Enrolment) -> AppResult<Self> {
        Ok(Self {
            secret: enrolment.secret_grouped(),
            qr_svg: enrolment.qr_svg()?,
        })
    }
}

#[derive(Template)]
#[template(path = "second_factor/account.html")]
struct AccountPage {
    chrome: Chrome,
    enrolled: bool,
    pending: Option<PendingView>,
    /// The role requires it and it is not set up: nothing else opens until it is.
    required: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "second_factor/recovery_codes.html")]
struct RecoveryCodesPage {
    chrome: Chrome,
    codes: Vec<String>,
}

fn principal(req: &HttpRequest) -> AppResult<Principal> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(AppError::unauthenticated)
}

async fn account_page_for(
    req: &HttpRequest,
    state: &AppState,
    error: Option<(ErrorCode, &str)>,
) -> AppResult<HttpResponse> {
    let p = principal(req)?;
    let (enrolled, pending) = state
        .db
        .run(move |conn| {
            Ok((
                second_factor::is_enrolled(conn, &p.user_id)?,
                second_factor::pending(conn, &p.user_id, &p.username)?,
            ))
        })
        .await?;
    let lang = request::language(req);
    let chrome = Chrome::for_request(req, &lang);
    let required = chrome
        .user
        .as_ref()
        .is_some_and(|u| u.second_factor_missing);
    let mut res = html(&AccountPage {
        required,
        enrolled,
        pending: pending.as_ref().map(PendingView::of).transpose()?,
        error: error.map(|(_, key)| lang.t(key)),
        chrome,
    })?;
    if let Some((code, _)) = error {
        *res.status_mut() = code.status();
    }
    Ok(res)
}

/// `GET /account/second-factor`
pub async fn account_page(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    account_page_for(&req, &state, None).await
}

/// `POST /account/second-factor/begin`: a new secret to put in the app.
pub async fn begin(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let p = principal(&req)?;
    state
        .db
        .run(move |conn| second_factor::begin(conn, &p.user_id, &p.username))
        .await?;
    Ok(redirect("/account/second-factor"))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    code: String,
}

/// `POST /account/second-factor/confirm`: the app's code proves it holds the secret; the
/// recovery codes are shown, this once.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let p = principal(&req)?;
    let actor = request::actor(&req);
    let code = form.into_inner().code;
    let result = state
        .db
        .run(move |conn| {
            second_factor::confirm(
                conn,
                &p.user_id,
                &p.username,
                &code,
                crate::db::now(),
                &actor,
            )
        })
        .await;
    match result {
        Ok(codes) => {
            // A role that requires a second factor lets the user on from the next request.
            state.principals.clear();
            let lang = request::language(&req);
            let chrome = Chrome::for_request(&req, &lang);
            html(&RecoveryCodesPage { chrome, codes })
        }
        Err(e) if e.code == ErrorCode::Invalid => {
            account_page_for(&req, &state, Some((e.code, "second-factor-wrong-code"))).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /account/second-factor/remove`: turning it off takes a current code, so that a
/// session left open is not enough to weaken the account.
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let p = principal(&req)?;
    let actor = request::actor(&req);
    let accounts = state.config.accounts.clone();
    let code = form.into_inner().code;
    let result = state
        .db
        .run(move |conn| {
            super::check_second_factor(conn, &accounts, &p.user_id, &code, &actor)?;
            second_factor::remove(conn, &p.user_id, &actor)
        })
        .await;
    match result {
        Ok(()) => {
            state.principals.clear();
            Ok(redirect("/account/second-factor"))
        }
        Err(e) if e.code == ErrorCode::InvalidCredentials => {
            account_page_for(&req, &state, Some((e.code, "sign-in-code-wrong"))).await
        }
        Err(e) => Err(e),
    }
}
