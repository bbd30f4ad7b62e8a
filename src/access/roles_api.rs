//! `/api/v2/roles`: roles as permission matrices, in the shape of the Primero API
//! (`permissions` maps a resource to its actions; `group_permission` is the record scope, with
//! Primero's `self` for own records). Handlers translate JSON; the rules live in [`super::roles`].

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::roles::{self, Role, RoleInput};
use super::sections::{SectionAccess, SectionRight};
use super::{Action, Permission, PermissionSet, Resource, ScopeKind};
use crate::api::fields::{Envelope, Fields};
use crate::api::paging::Paging;
use crate::error::{AppError, AppResult, Problem};
use crate::web::{request, AppState};

fn group_permission(scope: ScopeKind) -> &'static str {
    match scope {
        ScopeKind::Own => "self",
        other => other.as_str(),
    }
}

/// The permissions as `{"cases": ["read", "write"], ...}`.
pub fn permissions_json(set: &PermissionSet) -> Value {
    let mut by_resource: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in set.iter() {
        by_resource
            .entry(p.resource.as_str())
            .or_default()
            .push(p.action.as_str());
    }
    json!(by_resource)
}

pub fn role_json(r: &Role) -> Value {
    json!({
        "id": r.id,
        "unique_id": r.id,
        "name": r.name,
        "description": r.description,
        "group_permission": group_permission(r.scope()),
        "record_scope": r.scope().as_str(),
        "permissions": permissions_json(&r.permission_set()),
        "requires_second_factor": r.requires_second_factor,
        "form_section_read_write": r.section_access().entries()
            .map(|(s, right)| (s.to_owned(), json!(right.as_str())))
            .collect::<serde_json::Map<String, Value>>(),
    })
}

fn single(r: &Role) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "data": role_json(r) }))
}

/// `GET /api/v2/roles`, by name.
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let paging = Paging::of(&req);
    let all = state.db.run(roles::all).await?;
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let data: Vec<Value> = if paging.unreadable {
        Vec::new()
    } else {
        let skip =
            usize::try_from((paging.page - 1).saturating_mul(paging.per)).unwrap_or(usize::MAX);
        let per = usize::try_from(paging.per).unwrap_or(0);
        all.iter().skip(skip).take(per).map(role_json).collect()
    };
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": paging.metadata(total) })))
}

/// `GET /api/v2/roles/{id}`.
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let role = state
        .db
        .run(move |c| roles::find(c, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(single(&role))
}

fn problem(field: &str, kind: &'static str, message: String) -> Problem {
    Problem {
        field: field.to_owned(),
        kind,
        message,
    }
}

/// Reads `permissions`: an object of resource to actions, or a list of `resource:action`.
fn read_permissions(value: &Value, problems: &mut Vec<Problem>) -> Option<PermissionSet> {
    let mut set = Vec::new();
    match value {
        Value::Object(map) => {
            for (resource, actions) in map {
                let Ok(r) = resource.parse::<Resource>() else {
                    problems.push(problem(
                        "permissions",
                        "unknown_resource",
                        format!("{resource:?} is not a resource"),
                    ));
                    continue;
                };
                let Some(actions) = actions.as_array() else {
                    problems.push(problem(
                        "permissions",
                        "not_list",
                        format!("the actions of {resource} must be a list"),
                    ));
                    continue;
                };
                for a in actions {
                    match a.as_str().and_then(|a| a.parse::<Action>().ok()) {
                        Some(a) => set.push(Permission::new(r, a)),
                        None => problems.push(problem(
                            "permissions",
                            "unknown_action",
                            format!("{a} is not an action"),
                        )),
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item.as_str().map(str::parse::<Permission>) {
                    Some(Ok(p)) => set.push(p),
                    Some(Err(e)) => problems.push(problem("permissions", "unknown_permission", e)),
                    None => problems.push(problem(
                        "permissions",
                        "not_text",
                        "permissions must be resource:action texts".into(),
                    )),
                }
            }
        }
        _ => problems.push(problem(
            "permissions",
            "not_object",
            "permissions must map resources to lists of actions".into(),
        )),
    }
    Some(set.into_iter().collect())
}

/// Reads `form_section_read_write`: section id to `rw`, `r` or `hidden`.
fn read_section_access(value: &Value, problems: &mut Vec<Problem>) -> SectionAccess {
    let mut access = SectionAccess::default();
    let Some(map) = value.as_object() else {
        problems.push(problem(
            "form_section_read_write",
            "not_object",
            "form_section_read_write must map section ids to rw, r or hidden".into(),
        ));
        return access;
    };
    for (section, right) in map {
        match right.as_str().and_then(SectionRight::parse) {
            Some(r) => access.set(section, r),
            None => problems.push(problem(
                "form_section_read_write",
                "unknown_right",
                format!("the right of {section} must be rw, r or hidden"),
            )),
        }
    }
    access
}

fn input(data: &serde_json::Map<String, Value>) -> AppResult<RoleInput> {
    let mut fields = Fields::new(data);
    let mut problems = Vec::new();
    let scope = match fields
        .text("group_permission")
        .flatten()
        .or_else(|| fields.text("record_scope").flatten())
    {
        None => None,
        Some(s) if s == "self" => Some(ScopeKind::Own),
        Some(s) => match s.parse::<ScopeKind>() {
            Ok(k) => Some(k),
            Err(()) => {
                problems.push(problem(
                    "group_permission",
                    "unknown_scope",
                    format!("{s:?} is not one of self, group, agency, all"),
                ));
                None
            }
        },
    };
    let permissions = fields
        .raw("permissions")
        .and_then(|v| read_permissions(v, &mut problems));
    let section_access = fields
        .raw("form_section_read_write")
        .map(|v| read_section_access(v, &mut problems));
    let input = RoleInput {
        id: fields.text("unique_id").flatten(),
        name: fields.text("name").map(Option::unwrap_or_default),
        description: fields.text("description").map(Option::unwrap_or_default),
        permissions,
        scope,
        requires_second_factor: fields.boolean("requires_second_factor"),
        section_access,
    };
    problems.extend(fields.problems);
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(AppError::validation(problems))
    }
}

/// `POST /api/v2/roles`: `{"data": {"unique_id", "name", "description", "group_permission",
/// "permissions": {"cases": ["read", ...]}, "requires_second_factor"}}`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let input = input(&body.into_inner().data)?;
    let caller = request::caller(&req)?;
    let role = state
        .db
        .run(move |c| roles::create(c, &caller.principal, &caller.actor, &input))
        .await?;
    Ok(single(&role))
}

/// `PATCH /api/v2/roles/{id}`: what is sent replaces what is there (`permissions` as a whole).
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = input(&body.into_inner().data)?;
    let caller = request::caller(&req)?;
    let result = state
        .db
        .run(move |c| roles::update(c, &caller.principal, &caller.actor, &id, &input))
        .await;
    // Every holder of the role gains or loses with the change at their next request.
    state.principals.clear();
    Ok(single(&result?))
}
