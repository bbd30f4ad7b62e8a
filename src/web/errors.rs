//! Turning errors into responses: Primero-shaped JSON for the API, a translated page (or a
//! redirect to sign-in) for the UI. Internal causes are logged here and never sent.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::error::{AppError, ErrorCode};
use crate::web::pages::{Chrome, ErrorPage};
use crate::web::request;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    /// A plain JSON body; [`render_errors`] replaces it with the final shape for the request.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "errors": [{ "status": self.status_code().as_u16(), "code": self.code.as_str(), "message": self.message }]
        }))
    }
}

/// Outermost error handling: every error response, whoever produced it, leaves through here.
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // No clone of the request may be held across `next`: routing needs it unshared. Inner
    // services turn handler errors into responses that carry the error, handled below.
    let res = next.call(req).await?;
    let Some(err) = res.response().error() else {
        return Ok(res.map_into_boxed_body());
    };
    let app = to_app_error(err);
    let (req, _) = res.into_parts();
    let response = render(&req, &app);
    Ok(ServiceResponse::new(req, response))
}

/// Our own errors pass through; framework errors (bad JSON, oversized body...) get a code.
fn to_app_error(err: &actix_web::Error) -> AppError {
    if let Some(app) = err.as_error::<AppError>() {
        return AppError {
            code: app.code,
            message: app.message.clone(),
            field: app.field.clone(),
            cause: app.cause.clone(),
            retry_after: app.retry_after,
            problems: app.problems.clone(),
        };
    }
    let status = err.as_response_error().status_code();
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::TooLarge,
        422 => ErrorCode::Invalid,
        s if (400..500).contains(&s) => ErrorCode::BadRequest,
        503 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    };
    // Framework messages for client errors describe the input ("missing field `user`") and are
    // safe to show; server-side ones are not.
    let message = if code == ErrorCode::Internal {
        "An internal error occurred.".to_owned()
    } else {
        err.to_string()
    };
    AppError::new(code, message).with_cause(err)
}

fn render(req: &HttpRequest, err: &AppError) -> HttpResponse {
    let status = err.code.status();
    if status.is_server_error() {
        tracing::error!(
            code = err.code.as_str(),
            cause = err.cause.as_deref().unwrap_or(""),
            "request failed"
        );
    } else if let Some(cause) = &err.cause {
        tracing::debug!(code = err.code.as_str(), cause = %cause, "request refused");
    }

    let mut builder = HttpResponse::build(status);
    if let Some(seconds) = err.retry_after {
        builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    if request::is_api(req) {
        if status == StatusCode::UNAUTHORIZED {
            // Bearer, not Basic: a Basic challenge would make browsers prompt and then send the
            // cached password on every request, including forged cross-site ones.
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"casekeep\""));
        }
        let entry = |message: &str, field: Option<&str>| {
            let mut e = serde_json::json!({
                "status": status.as_u16(),
                "code": err.code.as_str(),
                "resource": req.path(),
                "message": message,
            });
            if let Some(field) = field {
                e["detail"] = serde_json::Value::String(field.to_owned());
            }
            e
        };
        // One entry per problem, each naming its field in `detail`.
        let entries: Vec<serde_json::Value> = if err.problems.is_empty() {
            vec![entry(&err.message, err.field.as_deref())]
        } else {
            err.problems
                .iter()
                .map(|p| entry(&p.message, Some(&p.field)))
                .collect()
        };
        return builder.json(serde_json::json!({ "errors": entries }));
    }

    // Browser pages: send people where they can fix it.
    let is_get = req.method() == actix_web::http::Method::GET;
    match err.code {
        ErrorCode::Unauthenticated if is_get => {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!(
                "/sign-in?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return redirect(&target);
        }
        ErrorCode::Unauthenticated => return redirect("/sign-in"),
        ErrorCode::PasswordChangeRequired => return redirect("/account/password"),
        ErrorCode::SecondFactorEnrolmentRequired => return redirect("/account/second-factor"),
        _ => {}
    }
    let lang = request::language(req);
    let chrome = Chrome::for_request(req, &lang);
    let page = ErrorPage {
        title: lang.t("error-title"),
        message: lang.t(err.code.message_key()),
        chrome,
    };
    match page.render() {
        Ok(html) => builder.content_type("text/html; charset=utf-8").body(html),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            builder
                .content_type("text/plain; charset=utf-8")
                .body(err.message.clone())
        }
    }
}

pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
