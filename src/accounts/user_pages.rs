//! Admin pages for users: the list (search, agency, pages), creating an account with a one-time
//! password, editing it, disabling and enabling it, and setting a new one-time password. What a
//! manager may see, grant and change is decided in [`super::management`]; the forms offer only
//! what it would accept, and show its refusals when a request asks for more.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::management::{self, ManagedUser, UserFilter, UserInput};
use crate::access::{roles, Action, Permission, Principal, Resource};
use crate::error::{AppResult, Problem};
use crate::i18n::{self, Lang};
use crate::web::admin::{
    self, form_pairs, form_value, form_values, has_field, optional_value, segment, Choice, Trouble,
};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};
use crate::{agencies, user_groups};

const PER_PAGE: i64 = 50;

fn may(principal: &Principal, action: Action) -> bool {
    principal.can(Permission::new(Resource::Users, action))
}

fn edit_href(id: &str) -> String {
    format!("/admin/users/{}/edit", segment(id))
}

// ---------------------------------------------------------------- list

struct Row {
    id: String,
    username: String,
    full_name: String,
    role: String,
    agency: String,
    groups: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    query: String,
    agencies: Vec<Choice>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_create: bool,
    can_write: bool,
}

fn list_href(query: &str, agency: &str, page: i64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if !query.is_empty() {
        q.append_pair("query", query);
    }
    if !agency.is_empty() {
        q.append_pair("agency", agency);
    }
    q.append_pair("page", &page.to_string());
    format!("/admin/users?{}", q.finish())
}

/// Ids to names, for the list's columns.
fn names_by_id<T>(
    items: &[T],
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|i| (id(i).to_owned(), name(i).to_owned()))
        .collect()
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let principal = request::caller(&req)?.principal;
    let params = request::query_pairs(&req);
    let query = form_value(&params, "query");
    let agency = form_value(&params, "agency");
    let page = form_value(&params, "page")
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let filter = UserFilter {
        agency_id: optional_value(&params, "agency"),
        disabled: None,
        query: optional_value(&params, "query"),
    };
    let manager = principal.clone();
    let (users, total, all_roles, groups, all_agencies) = state
        .db
        .run(move |c| {
            let (users, total) = management::page(c, &manager, &filter, page, PER_PAGE)?;
            Ok((
                users,
                total,
                roles::all(c)?,
                user_groups::all(c)?,
                agencies::all(c)?,
            ))
        })
        .await?;
    let role_names = names_by_id(&all_roles, |r| &r.id, |r| &r.name);
    let group_names = names_by_id(&groups, |g| &g.id, |g| &g.name);
    let agency_codes = names_by_id(&all_agencies, |a| &a.id, |a| &a.code);
    let shown = |map: &BTreeMap<String, String>, id: &str| {
        map.get(id).cloned().unwrap_or_else(|| id.to_owned())
    };
    let rows = users
        .iter()
        .map(|m| Row {
            id: m.user.id.clone(),
            username: m.user.username.clone(),
            full_name: m.user.full_name.clone(),
            role: shown(&role_names, &m.user.role_id),
            agency: m
                .user
                .agency_id
                .as_deref()
                .map(|a| shown(&agency_codes, a))
                .unwrap_or_default(),
            groups: m
                .user_groups
                .iter()
                .map(|g| shown(&group_names, g))
                .collect::<Vec<_>>()
                .join(", "),
            disabled: m.user.disabled,
        })
        .collect();
    // The agencies whose users this manager sees.
    let every = management::manages_every_agency(&principal);
    let agencies = all_agencies
        .iter()
        .filter(|a| every || principal.agency_id.as_deref() == Some(a.id.as_str()))
        .map(|a| Choice {
            selected: a.id == agency,
            value: a.id.clone(),
            label: a.code.clone(),
        })
        .collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    html(&ListPage {
        chrome: Chrome::for_request(&req, &lang),
        rows,
        agencies,
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| list_href(&query, &agency, page - 1)),
        next_href: (page < pages).then(|| list_href(&query, &agency, page + 1)),
        query,
        can_create: may(&principal, Action::Create),
        can_write: may(&principal, Action::Write),
    })
}

// ---------------------------------------------------------------- create and edit

struct GroupBox {
    id: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    /// The account's id when editing; empty for a new one.
    user_id: String,
    user_name: String,
    full_name: String,
    email: String,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    /// Whether "no agency" is a choice (only for a manager of every agency).
    agency_optional: bool,
    groups: Vec<GroupBox>,
    languages: Vec<Choice>,
    /// The manager's own account: role, agency and groups are shown, not offered.
    own_account: bool,
    /// What the own account's role, agency and groups are, shown as text.
    own_role: String,
    own_agency: String,
    own_groups: String,
    disabled: bool,
    can_disable: bool,
    errors: BTreeMap<String, String>,
    refusal: Option<String>,
    refusal_explained: String,
    password_error: Option<String>,
    password_set: bool,
}

/// What the form shows, as entered or as stored.
#[derive(Default)]
struct Shown {
    user_name: String,
    full_name: String,
    email: String,
    role_id: String,
    agency_id: String,
    groups: Vec<String>,
    language: String,
}

impl Shown {
    fn stored(m: &ManagedUser) -> Self {
        Self {
            user_name: m.user.username.clone(),
            full_name: m.user.full_name.clone(),
            email: m.user.email.clone().unwrap_or_default(),
            role_id: m.user.role_id.clone(),
            agency_id: m.user.agency_id.clone().unwrap_or_default(),
            groups: m.user_groups.clone(),
            language: m.user.language.clone().unwrap_or_default(),
        }
    }
}

/// Where the domain's field names differ from the form's, the form's.
fn form_field(field: &str) -> &str {
    match field {
        "username" => "user_name",
        "role" => "role_unique_id",
        other => other,
    }
}

/// The problems' texts by form field. A problem without a kind of its own is explained per
/// field, since the domain's sentence is English.
fn field_errors(lang: &Lang, min_password: u32, problems: &[Problem]) -> BTreeMap<String, String> {
    let problems: Vec<Problem> = problems
        .iter()
        .map(|p| {
            let field = form_field(&p.field).to_owned();
            let kind = match (p.kind, field.as_str()) {
                ("invalid", "user_name") => "invalid_user_name",
                ("invalid", "role_unique_id") => "required",
                (kind, _) => kind,
            };
            Problem {
                field,
                kind,
                message: p.message.clone(),
            }
        })
        .collect();
    let mut errors = admin::errors_by_field(lang, &problems);
    if errors.contains_key("password") {
        errors.insert(
            "password".into(),
            lang.t_args("users-password-hint", &[("min", &min_password.to_string())]),
        );
    }
    errors
}

/// The choices the form offers this manager, with what the account holds already (a change
/// that keeps them is allowed).
struct Offered {
    roles: Vec<roles::Role>,
    agencies: Vec<agencies::Agency>,
    groups: Vec<user_groups::UserGroup>,
}

async fn offered(
    state: &AppState,
    manager: &Principal,
    stored: Option<&ManagedUser>,
) -> AppResult<Offered> {
    let manager = manager.clone();
    let held_role = stored.map(|m| m.user.role_id.clone());
    let held_agency = stored.and_then(|m| m.user.agency_id.clone());
    let held_groups: Vec<String> = stored.map(|m| m.user_groups.clone()).unwrap_or_default();
    state
        .db
        .run(move |c| {
            let mut roles = management::grantable_roles(c, &manager)?;
            if let Some(held) = held_role.filter(|h| !roles.iter().any(|r| &r.id == h)) {
                roles.extend(roles::find(c, &held)?);
            }
            let mut agencies = management::placeable_agencies(c, &manager)?;
            if let Some(held) = held_agency.filter(|h| !agencies.iter().any(|a| &a.id == h)) {
                agencies.extend(agencies::find(c, &held)?);
            }
            let groups = user_groups::all(c)?
                .into_iter()
                .filter(|g| !g.disabled || held_groups.contains(&g.id))
                .collect();
            Ok(Offered {
                roles,
                agencies,
                groups,
            })
        })
        .await
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    stored: Option<&ManagedUser>,
    shown: Shown,
    trouble: Trouble,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let manager = request::caller(req)?.principal;
    let offered = offered(state, &manager, stored).await?;
    let min_password = state.config.accounts.password_min_length;
    let mut errors = field_errors(&lang, min_password, trouble.problems());
    let password_error = if stored.is_some() {
        errors.remove("password")
    } else {
        None
    };
    let own_account = stored.is_some_and(|m| m.user.id == manager.user_id);
    let role_name = |id: &str| {
        offered
            .roles
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let agency_code = |id: &str| {
        offered
            .agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.code.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let group_names: BTreeSet<String> = offered
        .groups
        .iter()
        .filter(|g| shown.groups.contains(&g.id))
        .map(|g| g.name.clone())
        .collect();
    let (title, action) = match stored {
        None => (lang.t("users-new-title"), "/admin/users".to_owned()),
        Some(m) => (
            lang.t_args("users-edit-title", &[("name", &m.user.username)]),
            edit_href(&m.user.id),
        ),
    };
    let agency_optional = management::manages_every_agency(&manager);
    // A limited manager's new users land in their agency: preselect it.
    let agency_id = if shown.agency_id.is_empty() && !agency_optional {
        manager.agency_id.clone().unwrap_or_default()
    } else {
        shown.agency_id.clone()
    };
    let languages = i18n::SUPPORTED
        .iter()
        .map(|code| Choice {
            value: (*code).to_owned(),
            label: i18n::native_name(code).to_owned(),
            selected: shown.language == *code,
        })
        .collect();
    let page = FormPage {
        title,
        action,
        user_id: stored.map(|m| m.user.id.clone()).unwrap_or_default(),
        own_role: role_name(&shown.role_id),
        own_agency: agency_code(&shown.agency_id),
        own_groups: group_names.into_iter().collect::<Vec<_>>().join(", "),
        roles: offered
            .roles
            .iter()
            .map(|r| Choice {
                value: r.id.clone(),
                label: r.name.clone(),
                selected: r.id == shown.role_id,
            })
            .collect(),
        agencies: offered
            .agencies
            .iter()
            .map(|a| Choice {
                value: a.id.clone(),
                label: a.code.clone(),
                selected: a.id == agency_id,
            })
            .collect(),
        agency_optional,
        groups: offered
            .groups
            .iter()
            .map(|g| GroupBox {
                id: g.id.clone(),
                name: g.name.clone(),
                checked: shown.groups.contains(&g.id),
            })
            .collect(),
        languages,
        own_account,
        disabled: stored.is_some_and(|m| m.user.disabled),
        can_disable: may(&manager, Action::Disable) && !own_account,
        user_name: shown.user_name,
        full_name: shown.full_name,
        email: shown.email,
        errors,
        refusal: trouble.refusal(),
        refusal_explained: lang.t("users-refused-explain"),
        password_error,
        password_set: request::query_pairs(req)
            .iter()
            .any(|(k, v)| k == "password" && v == "set"),
        chrome: Chrome::for_request(req, &lang),
    };
    let mut res = html(&page)?;
    *res.status_mut() = trouble.status();
    Ok(res)
}

/// Reads a posted form. Role, agency and groups are absent from the form of one's own account,
/// and then kept as they are; a user name and password come only with a new account.
fn posted(pairs: &[(String, String)]) -> (UserInput, Shown) {
    let groups = form_values(pairs, "user_group_unique_ids");
    let input = UserInput {
        username: has_field(pairs, "user_name").then(|| form_value(pairs, "user_name")),
        full_name: Some(form_value(pairs, "full_name")),
        email: Some(optional_value(pairs, "email")),
        // Passwords are taken as typed: spaces may be part of them.
        password: pairs
            .iter()
            .find(|(k, _)| k == "password")
            .map(|(_, v)| v.clone()),
        role_id: optional_value(pairs, "role_unique_id"),
        agency_id: has_field(pairs, "agency_id").then(|| optional_value(pairs, "agency_id")),
        user_groups: has_field(pairs, "groups_offered").then(|| groups.clone()),
        language: Some(optional_value(pairs, "locale")),
        disabled: None,
    };
    let shown = Shown {
        user_name: form_value(pairs, "user_name"),
        full_name: form_value(pairs, "full_name"),
        email: form_value(pairs, "email"),
        role_id: form_value(pairs, "role_unique_id"),
        agency_id: form_value(pairs, "agency_id"),
        groups,
        language: form_value(pairs, "locale"),
    };
    (input, shown)
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    form_page(&req, &state, None, Shown::default(), Trouble::None).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (input, shown) = posted(&form_pairs(&body));
    let caller = request::caller(&req)?;
    let accounts = state.config.accounts.clone();
    let result = state
        .db
        .run(move |c| management::create(c, &accounts, &caller.principal, &caller.actor, &input))
        .await;
    match result {
        Ok(_) => Ok(redirect("/admin/users")),
        Err(e) => {
            let trouble = Trouble::from_error(e, Some(("user_name", "user_name_taken")))?;
            form_page(&req, &state, None, shown, trouble).await
        }
    }
}

/// The account, if this manager reaches it (404 otherwise).
async fn load(req: &HttpRequest, state: &AppState, id: String) -> AppResult<ManagedUser> {
    let manager = request::caller(req)?.principal;
    state
        .db
        .run(move |c| management::find(c, &manager, &id))
        .await
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let stored = load(&req, &state, path.into_inner()).await?;
    let shown = Shown::stored(&stored);
    form_page(&req, &state, Some(&stored), shown, Trouble::None).await
}

/// Applies a change to an account; re-renders its form with what went wrong.
async fn change(
    req: &HttpRequest,
    state: &AppState,
    stored: ManagedUser,
    input: UserInput,
    shown: Shown,
) -> AppResult<HttpResponse> {
    let caller = request::caller(req)?;
    let target = stored.user.id.clone();
    let result = state
        .db
        .run(move |c| management::update(c, &caller.principal, &caller.actor, &target, &input))
        .await;
    // Role, agency, groups and state decide what the user reaches: no cached answer may outlive
    // the change.
    state.principals.clear();
    match result {
        Ok(_) => Ok(redirect("/admin/users")),
        Err(e) => {
            let trouble = Trouble::from_error(e, None)?;
            form_page(req, state, Some(&stored), shown, trouble).await
        }
    }
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (mut input, mut shown) = posted(&form_pairs(&body));
    // A user name is set once and a password is set with its own form: the edit form sends
    // neither, and a request that does is not obeyed here.
    input.username = None;
    input.password = None;
    let stored = load(&req, &state, path.into_inner()).await?;
    shown.user_name = stored.user.username.clone();
    change(&req, &state, stored, input, shown).await
}

async fn set_state(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    disabled: bool,
) -> AppResult<HttpResponse> {
    let stored = load(req, state, id).await?;
    let input = UserInput {
        disabled: Some(disabled),
        ..UserInput::default()
    };
    let shown = Shown::stored(&stored);
    change(req, state, stored, input, shown).await
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_state(&req, &state, path.into_inner(), true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_state(&req, &state, path.into_inner(), false).await
}

/// `POST /admin/users/{id}/password`: a new one-time password, which the user replaces at their
/// next sign-in; their sessions end.
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let pairs = form_pairs(&body);
    let new_password = pairs
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let stored = load(&req, &state, path.into_inner()).await?;
    let caller = request::caller(&req)?;
    let accounts = state.config.accounts.clone();
    let target = stored.user.id.clone();
    let result = state
        .db
        .run(move |c| {
            management::reset_password(
                c,
                &accounts,
                &caller.principal,
                &caller.actor,
                &target,
                &new_password,
            )
        })
        .await;
    state.principals.clear();
    match result {
        Ok(()) => Ok(redirect(&format!(
            "{}?password=set",
            edit_href(&stored.user.id)
        ))),
        Err(e) => {
            let trouble = Trouble::from_error(e, None)?;
            let shown = Shown::stored(&stored);
            form_page(&req, &state, Some(&stored), shown, trouble).await
        }
    }
}
