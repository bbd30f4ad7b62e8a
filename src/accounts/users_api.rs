//! `/api/v2/users`: managing accounts in the shape of the Primero API. Handlers translate JSON;
//! who may see, create and change which account is decided in [`super::management`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::management::{self, ManagedUser, UserFilter, UserInput};
use crate::api::fields::{Envelope, Fields};
use crate::api::paging::Paging;
use crate::error::{AppError, AppResult};
use crate::web::{request, AppState};

/// An account as the API shows it: never its password hash or second-factor secret.
pub fn user_json(m: &ManagedUser) -> Value {
    let u = &m.user;
    json!({
        "id": u.id,
        "user_name": u.username,
        "full_name": u.full_name,
        "email": u.email,
        "role_unique_id": u.role_id,
        "agency_id": u.agency_id,
        "user_group_unique_ids": m.user_groups,
        "locale": u.language,
        "disabled": u.disabled,
        "must_change_password": u.must_change_password,
        "last_sign_in_at": u.last_sign_in_at.map(|t| t.and_utc().to_rfc3339()),
        "created_at": u.created_at.and_utc().to_rfc3339(),
        "updated_at": u.updated_at.and_utc().to_rfc3339(),
    })
}

fn single(m: &ManagedUser) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": user_json(m) }))
}

/// `GET /api/v2/users`: the accounts the caller manages, by user name. Filters: `agency_id`,
/// `disabled=true|false`, `query=` (part of a user name or full name).
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let params = request::query_pairs(&req);
    let paging = Paging::parse(&params);
    let value = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let filter = UserFilter {
        agency_id: value("agency_id"),
        disabled: value("disabled").and_then(|v| v.parse().ok()),
        query: value("query"),
    };
    let principal = caller.principal;
    let (rows, total) = state
        .db
        .run(move |c| {
            if paging.unreadable {
                return Ok((Vec::new(), 0));
            }
            management::page(c, &principal, &filter, paging.page, paging.per)
        })
        .await?;
    let data: Vec<Value> = rows.iter().map(user_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": paging.metadata(total) })))
}

/// `GET /api/v2/users/{id}` (the id or the user name).
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let principal = request::caller(&req)?.principal;
    let id = path.into_inner();
    let user = state
        .db
        .run(move |c| management::find(c, &principal, &id))
        .await?;
    Ok(single(&user))
}

/// Reads a request body; `creating` also reads the user name and password.
fn input(data: &serde_json::Map<String, Value>, creating: bool) -> AppResult<UserInput> {
    let mut fields = Fields::new(data);
    let mut input = UserInput {
        username: fields.text("user_name").map(Option::unwrap_or_default),
        full_name: fields.text("full_name").map(Option::unwrap_or_default),
        email: fields.text("email"),
        role_id: fields.text("role_unique_id").map(Option::unwrap_or_default),
        agency_id: fields.text("agency_id"),
        user_groups: fields.text_list("user_group_unique_ids"),
        language: fields.text("locale"),
        disabled: fields.boolean("disabled"),
        password: None,
    };
    if creating {
        let password = fields.text("password").flatten();
        let confirmation = fields.text("password_confirmation").flatten();
        if confirmation.is_some() && confirmation != password {
            fields.problems.push(crate::error::Problem {
                field: "password_confirmation".into(),
                kind: "mismatch",
                message: "password_confirmation must equal password".into(),
            });
        }
        input.password = password;
    } else if fields.has("password") {
        fields.problems.push(crate::error::Problem {
            field: "password".into(),
            kind: "not_here",
            message: "passwords are reset from the user's page, not changed with PATCH".into(),
        });
    }
    if fields.problems.is_empty() {
        Ok(input)
    } else {
        Err(AppError::validation(fields.problems))
    }
}

/// `POST /api/v2/users`: `{"data": {"user_name", "full_name", "password", "role_unique_id",
/// "agency_id", "user_group_unique_ids", "locale", "email"}}`. The password is one-time: the
/// user chooses their own at first sign-in.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let input = input(&body.into_inner().data, true)?;
    let caller = request::caller(&req)?;
    let accounts = state.config.accounts.clone();
    let user = state
        .db
        .run(move |c| management::create(c, &accounts, &caller.principal, &caller.actor, &input))
        .await?;
    Ok(single(&user))
}

/// `PATCH /api/v2/users/{id}`: fields not sent are kept. `"disabled": true` ends the user's
/// sessions at once.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = input(&body.into_inner().data, false)?;
    let caller = request::caller(&req)?;
    let result = state
        .db
        .run(move |c| management::update(c, &caller.principal, &caller.actor, &id, &input))
        .await;
    // Role, agency, groups and state decide what the user reaches: no cached answer may outlive
    // the change.
    state.principals.clear();
    Ok(single(&result?))
}
