//! Admin pages for user groups: the list with member counts, creating and editing a group (its
//! members are shown; they are chosen on each user's page), disabling and enabling.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{UserGroup, UserGroupInput};
use crate::access::{Action, Permission, Resource};
use crate::accounts;
use crate::error::{AppError, AppResult};
use crate::web::admin::{self, form_pairs, form_value, segment, Trouble};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

fn may(chrome: &Chrome, resource: Resource, action: Action) -> bool {
    chrome
        .user
        .as_ref()
        .is_some_and(|p| p.can(Permission::new(resource, action)))
}

struct Row {
    id: String,
    name: String,
    description: String,
    members: i64,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "user_groups/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    can_create: bool,
    can_write: bool,
    can_disable: bool,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let (groups, counts) = state
        .db
        .run(|c| Ok((super::all(c)?, super::member_counts(c)?)))
        .await?;
    let rows = groups
        .into_iter()
        .map(|g| Row {
            members: counts.get(&g.id).copied().unwrap_or(0),
            id: g.id,
            name: g.name,
            description: g.description,
            disabled: g.disabled,
        })
        .collect();
    let chrome = Chrome::for_request(&req, &lang);
    html(&ListPage {
        can_create: may(&chrome, Resource::UserGroups, Action::Create),
        can_write: may(&chrome, Resource::UserGroups, Action::Write),
        can_disable: may(&chrome, Resource::UserGroups, Action::Disable),
        chrome,
        rows,
    })
}

// ---------------------------------------------------------------- create and edit

struct Member {
    id: String,
    username: String,
    full_name: String,
}

#[derive(Template)]
#[template(path = "user_groups/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    name: String,
    description: String,
    /// The group's id when editing; empty for a new one.
    group_id: String,
    disabled: bool,
    members: Vec<Member>,
    /// Members link to their account pages for those who may edit accounts.
    link_members: bool,
    can_disable: bool,
    errors: BTreeMap<String, String>,
    refusal: Option<String>,
    refusal_explained: String,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    stored: Option<&UserGroup>,
    input: &UserGroupInput,
    trouble: Trouble,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let members = match stored {
        None => Vec::new(),
        Some(g) => {
            let id = g.id.clone();
            state
                .db
                .run(move |c| {
                    let mut members = Vec::new();
                    for user_id in super::member_ids(c, &id)? {
                        members.extend(accounts::find_by_id(c, &user_id)?);
                    }
                    Ok(members)
                })
                .await?
        }
    };
    let mut members: Vec<Member> = members
        .into_iter()
        .map(|u| Member {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
        })
        .collect();
    members.sort_by_key(|m| m.username.to_lowercase());
    let (title, action) = match stored {
        None => (
            lang.t("user-groups-new-title"),
            "/admin/user-groups".to_owned(),
        ),
        Some(g) => (
            lang.t_args("user-groups-edit-title", &[("name", &g.name)]),
            format!("/admin/user-groups/{}/edit", segment(&g.id)),
        ),
    };
    let chrome = Chrome::for_request(req, &lang);
    let page = FormPage {
        title,
        action,
        name: input.name.clone().unwrap_or_default(),
        description: input.description.clone().unwrap_or_default(),
        group_id: stored.map(|g| g.id.clone()).unwrap_or_default(),
        disabled: stored.is_some_and(|g| g.disabled),
        members,
        link_members: may(&chrome, Resource::Users, Action::Write),
        can_disable: may(&chrome, Resource::UserGroups, Action::Disable),
        errors: admin::errors_by_field(&lang, trouble.problems()),
        refusal: trouble.refusal(),
        refusal_explained: lang.t("admin-refused-explain"),
        chrome,
    };
    let mut res = html(&page)?;
    *res.status_mut() = trouble.status();
    Ok(res)
}

fn posted(body: &[u8]) -> UserGroupInput {
    let pairs = form_pairs(body);
    UserGroupInput {
        name: Some(form_value(&pairs, "name")),
        description: Some(form_value(&pairs, "description")),
        disabled: None,
    }
}

const NAME_TAKEN: Option<(&str, &str)> = Some(("name", "name_taken"));

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    form_page(
        &req,
        &state,
        None,
        &UserGroupInput::default(),
        Trouble::None,
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let input = posted(&body);
    let actor = request::actor(&req);
    let sent = input.clone();
    match state.db.run(move |c| super::create(c, &actor, &sent)).await {
        Ok(_) => Ok(redirect("/admin/user-groups")),
        Err(e) => {
            let trouble = Trouble::from_error(e, NAME_TAKEN)?;
            form_page(&req, &state, None, &input, trouble).await
        }
    }
}

async fn load(state: &AppState, id: String) -> AppResult<UserGroup> {
    state
        .db
        .run(move |c| super::find(c, &id))
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let group = load(&state, path.into_inner()).await?;
    let shown = UserGroupInput {
        name: Some(group.name.clone()),
        description: Some(group.description.clone()),
        disabled: None,
    };
    form_page(&req, &state, Some(&group), &shown, Trouble::None).await
}

/// Applies a change to a group; re-renders its form with what went wrong.
async fn change(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    input: UserGroupInput,
) -> AppResult<HttpResponse> {
    let group = load(state, id).await?;
    let actor = request::actor(req);
    let target = group.id.clone();
    let sent = input.clone();
    let result = state
        .db
        .run(move |c| super::update(c, &actor, &target, &sent))
        .await;
    // A group's state decides what its members reach.
    state.principals.clear();
    match result {
        Ok(_) => Ok(redirect("/admin/user-groups")),
        Err(e) => {
            let trouble = Trouble::from_error(e, NAME_TAKEN)?;
            let shown = UserGroupInput {
                name: input.name.or_else(|| Some(group.name.clone())),
                description: input
                    .description
                    .or_else(|| Some(group.description.clone())),
                disabled: None,
            };
            form_page(req, state, Some(&group), &shown, trouble).await
        }
    }
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    change(&req, &state, path.into_inner(), posted(&body)).await
}

fn state_change(disabled: bool) -> UserGroupInput {
    UserGroupInput {
        disabled: Some(disabled),
        ..UserGroupInput::default()
    }
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    change(&req, &state, path.into_inner(), state_change(true)).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    change(&req, &state, path.into_inner(), state_change(false)).await
}
