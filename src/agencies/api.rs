//! `/api/v2/agencies`, as the Primero API shows agencies. Handlers translate JSON; the rules live
//! in [`super`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::{Agency, AgencyInput};
use crate::access::{Action, Permission, Resource};
use crate::api::fields::{Envelope, Fields};
use crate::api::paging::Paging;
use crate::error::{AppError, AppResult};
use crate::i18n::names;
use crate::web::{request, AppState};

/// An agency as the API shows it. `unique_id` and `agency_code` are both the code: Primero
/// clients read one or the other.
pub fn agency_json(a: &Agency) -> Value {
    json!({
        "id": a.id,
        "unique_id": a.code,
        "agency_code": a.code,
        "name": a.names(),
        "services": a.services(),
        "disabled": a.disabled,
        "logo_enabled": a.logo_sha256.is_some(),
    })
}

fn single(a: &Agency) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": agency_json(a) }))
}

/// `GET /api/v2/agencies`, by code.
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let paging = Paging::parse(&request::query_pairs(&req));
    let (rows, total) = state
        .db
        .run(move |c| {
            if paging.unreadable {
                return Ok((Vec::new(), 0));
            }
            super::page(c, paging.page, paging.per)
        })
        .await?;
    let data: Vec<Value> = rows.iter().map(agency_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": paging.metadata(total) })))
}

/// `GET /api/v2/agencies/{id}` (the id, or the agency code).
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let agency = state
        .db
        .run(move |c| super::find(c, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(single(&agency))
}

/// What a request body asks for. The code may come as `agency_code` or `unique_id`.
fn input(data: &serde_json::Map<String, Value>) -> AppResult<AgencyInput> {
    let mut fields = Fields::new(data);
    let code = match fields.text("agency_code") {
        Some(code) => Some(code),
        None => fields.text("unique_id"),
    };
    let names = match fields.raw("name") {
        Some(value) => match names::patch_from_json("name", value) {
            Ok(patch) => Some(patch),
            Err(problems) => {
                fields.problems.extend(problems);
                None
            }
        },
        None => None,
    };
    let input = AgencyInput {
        code: code.map(Option::unwrap_or_default),
        names,
        services: fields.text_list("services"),
        disabled: fields.boolean("disabled"),
    };
    if fields.problems.is_empty() {
        Ok(input)
    } else {
        Err(AppError::validation(fields.problems))
    }
}

/// `POST /api/v2/agencies`: `{"data": {"agency_code", "name": {"en": ...}, "services": [...]}}`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let input = input(&body.into_inner().data)?;
    let actor = request::actor(&req);
    let agency = state
        .db
        .run(move |c| super::create(c, &actor, &input))
        .await?;
    Ok(single(&agency))
}

/// `PATCH /api/v2/agencies/{id}`: fields not sent are kept; names merge by language. Changing
/// `disabled` needs the permission to disable as well.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = input(&body.into_inner().data)?;
    let caller = request::caller(&req)?;
    let may_disable = caller
        .principal
        .can(Permission::new(Resource::Agencies, Action::Disable));
    let actor = caller.actor;
    let agency = state
        .db
        .run(move |c| {
            let current = super::find(c, &id)?.ok_or_else(AppError::not_found)?;
            if input.disabled.is_some_and(|d| d != current.disabled) && !may_disable {
                return Err(AppError::forbidden());
            }
            super::update(c, &actor, &current.id, &input)
        })
        .await?;
    Ok(single(&agency))
}

/// `DELETE /api/v2/agencies/{id}`: disables the agency; it is kept, since users and records
/// refer to it.
pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = request::actor(&req);
    let agency = state
        .db
        .run(move |c| super::set_disabled(c, &actor, &id, true))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": { "id": agency.id } })))
}
