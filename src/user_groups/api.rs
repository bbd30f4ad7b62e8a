//! `/api/v2/user_groups`, as the Primero API shows user groups. Handlers translate JSON; the
//! rules live in [`super`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::{UserGroup, UserGroupInput};
use crate::access::{Action, Permission, Resource};
use crate::api::fields::{Envelope, Fields};
use crate::api::paging::Paging;
use crate::error::{AppError, AppResult};
use crate::web::{request, AppState};

/// A group as the API shows it; `unique_id` is the id, as Primero clients expect.
pub fn user_group_json(g: &UserGroup) -> Value {
    json!({
        "id": g.id,
        "unique_id": g.id,
        "name": g.name,
        "description": g.description,
        "disabled": g.disabled,
    })
}

fn single(g: &UserGroup) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": user_group_json(g) }))
}

/// `GET /api/v2/user_groups`, by name.
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let paging = Paging::of(&req);
    let (rows, total) = state
        .db
        .run(move |c| {
            if paging.unreadable {
                return Ok((Vec::new(), 0));
            }
            super::page(c, paging.page, paging.per)
        })
        .await?;
    let data: Vec<Value> = rows.iter().map(user_group_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": paging.metadata(total) })))
}

/// `GET /api/v2/user_groups/{id}`.
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let group = state
        .db
        .run(move |c| super::find(c, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(single(&group))
}

fn input(data: &serde_json::Map<String, Value>) -> AppResult<UserGroupInput> {
    let mut fields = Fields::new(data);
    let input = UserGroupInput {
        name: fields.text("name").map(Option::unwrap_or_default),
        description: fields.text("description").map(Option::unwrap_or_default),
        disabled: fields.boolean("disabled"),
    };
    if fields.problems.is_empty() {
        Ok(input)
    } else {
        Err(AppError::validation(fields.problems))
    }
}

/// `POST /api/v2/user_groups`: `{"data": {"name": ..., "description": ...}}`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let input = input(&body.into_inner().data)?;
    let actor = request::actor(&req);
    let group = state
        .db
        .run(move |c| super::create(c, &actor, &input))
        .await?;
    Ok(single(&group))
}

/// `PATCH /api/v2/user_groups/{id}`: fields not sent are kept. Changing `disabled` needs the
/// permission to disable as well.
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
        .can(Permission::new(Resource::UserGroups, Action::Disable));
    let actor = caller.actor;
    let group = state
        .db
        .run(move |c| {
            let current = super::find(c, &id)?.ok_or_else(AppError::not_found)?;
            if input.disabled.is_some_and(|d| d != current.disabled) && !may_disable {
                return Err(AppError::forbidden());
            }
            super::update(c, &actor, &current.id, &input)
        })
        .await?;
    // Whether a group is enabled decides its members' reach.
    state.principals.clear();
    Ok(single(&group))
}
