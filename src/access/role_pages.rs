//! Admin pages for roles: the list, and creating and editing a role as a permission matrix
//! (resources by actions, a tick box each), a record scope and whether its users need two-step
//! sign-in. Which changes are allowed is decided in [`super::roles`].

use std::collections::BTreeMap;

use super::sections::{SectionAccess, SectionRight};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::roles::{self, Role, RoleInput};
use super::{Action, Permission, PermissionSet, Resource, ScopeKind};
use crate::error::{AppError, AppResult, Problem};
use crate::i18n::Lang;
use crate::web::admin::{
    self, form_pairs, form_value, form_values, has_field, segment, Choice, Trouble,
};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

fn may(chrome: &Chrome, action: Action) -> bool {
    chrome
        .user
        .as_ref()
        .is_some_and(|p| p.can(Permission::new(Resource::Roles, action)))
}

fn scope_label(lang: &Lang, scope: ScopeKind) -> String {
    lang.t(&format!("scope-{}", scope.as_str()))
}

struct Row {
    id: String,
    name: String,
    scope: String,
    users: i64,
    second_factor: bool,
}

#[derive(Template)]
#[template(path = "roles/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    can_create: bool,
    can_write: bool,
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let (all, users) = state
        .db
        .run(|c| Ok((roles::all(c)?, roles::users_per_role(c)?)))
        .await?;
    let rows = all
        .into_iter()
        .map(|r| Row {
            scope: scope_label(&lang, r.scope()),
            users: users.get(&r.id).copied().unwrap_or(0),
            second_factor: r.requires_second_factor,
            id: r.id,
            name: r.name,
        })
        .collect();
    let chrome = Chrome::for_request(&req, &lang);
    html(&ListPage {
        can_create: may(&chrome, Action::Create),
        can_write: may(&chrome, Action::Write),
        chrome,
        rows,
    })
}

// ---------------------------------------------------------------- create and edit

struct Cell {
    /// `resource:action`, the tick box's value.
    value: String,
    /// What a screen reader announces for the box: "Cases: Read".
    label: String,
    checked: bool,
}

struct MatrixRow {
    resource: String,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "roles/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    /// Whether the id is asked for (only when creating).
    new: bool,
    id: String,
    name: String,
    description: String,
    scopes: Vec<Choice>,
    requires_second_factor: bool,
    actions: Vec<String>,
    matrix: Vec<MatrixRow>,
    /// The case form's sections with the role's right on each.
    sections: Vec<SectionRow>,
    /// The superuser role, which keeps every permission.
    superuser: bool,
    errors: BTreeMap<String, String>,
    refusal: Option<String>,
    refusal_explained: String,
}

/// What the form shows, as entered or as stored.
struct Shown {
    id: String,
    name: String,
    description: String,
    scope: ScopeKind,
    requires_second_factor: bool,
    permissions: PermissionSet,
    sections: SectionAccess,
}

impl Shown {
    fn stored(r: &Role) -> Self {
        Self {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            scope: r.scope(),
            requires_second_factor: r.requires_second_factor,
            permissions: r.permission_set(),
            sections: r.section_access(),
        }
    }
}

/// One section of the case form and the role's right on it.
struct SectionRow {
    id: String,
    label: String,
    right: &'static str,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    editing: Option<&str>,
    shown: Shown,
    trouble: Trouble,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let catalog = state.db.run(|c| crate::records::CASE.catalog(c)).await?;
    let sections = catalog
        .sections
        .iter()
        .map(|s| SectionRow {
            id: s.id.clone(),
            label: s.label.get(lang.code()).to_owned(),
            right: shown.sections.right(&s.id).as_str(),
        })
        .collect();
    let resource_label =
        |r: Resource| lang.t(&format!("resource-{}", r.as_str().replace('_', "-")));
    let action_label = |a: Action| lang.t(&format!("action-{}", a.as_str().replace('_', "-")));
    let matrix = Resource::ALL
        .iter()
        .map(|r| MatrixRow {
            resource: resource_label(*r),
            cells: Action::ALL
                .iter()
                .map(|a| {
                    let p = Permission::new(*r, *a);
                    Cell {
                        value: p.to_string(),
                        label: format!("{}: {}", resource_label(*r), action_label(*a)),
                        checked: shown.permissions.allows(p),
                    }
                })
                .collect(),
        })
        .collect();
    let scopes = ScopeKind::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: scope_label(&lang, *s),
            selected: *s == shown.scope,
        })
        .collect();
    let (title, action) = match editing {
        None => (lang.t("roles-new-title"), "/admin/roles".to_owned()),
        Some(id) => (
            lang.t_args("roles-edit-title", &[("name", &shown.name)]),
            format!("/admin/roles/{}/edit", segment(id)),
        ),
    };
    let page = FormPage {
        title,
        action,
        new: editing.is_none(),
        superuser: editing == Some("superuser"),
        id: shown.id,
        name: shown.name,
        description: shown.description,
        scopes,
        requires_second_factor: shown.requires_second_factor,
        actions: Action::ALL.iter().map(|a| action_label(*a)).collect(),
        matrix,
        sections,
        errors: admin::errors_by_field(&lang, trouble.problems()),
        refusal: trouble.refusal(),
        refusal_explained: lang.t("roles-refused-explain"),
        chrome: Chrome::for_request(req, &lang),
    };
    let mut res = html(&page)?;
    *res.status_mut() = trouble.status();
    Ok(res)
}

/// Reads a posted form. Every tick box of the matrix is on the form, so the permissions sent
/// are the whole set; one the build does not know is a problem, never dropped silently.
fn posted(body: &[u8]) -> (RoleInput, Shown, Vec<Problem>) {
    let pairs = form_pairs(body);
    let mut problems = Vec::new();
    let mut permissions = Vec::new();
    for value in form_values(&pairs, "perm") {
        match value.parse::<Permission>() {
            Ok(p) => permissions.push(p),
            Err(message) => problems.push(Problem {
                field: "permissions".into(),
                kind: "unknown_permission",
                message,
            }),
        }
    }
    let permissions: PermissionSet = permissions.into_iter().collect();
    let mut sections = SectionAccess::default();
    for (key, value) in &pairs {
        if let Some(section) = key.strip_prefix("section:") {
            match SectionRight::parse(value) {
                Some(right) => sections.set(section, right),
                None => problems.push(Problem {
                    field: "form_section_read_write".into(),
                    kind: "unknown_right",
                    message: format!("the right of {section} must be rw, r or hidden"),
                }),
            }
        }
    }
    let scope = form_value(&pairs, "record_scope").parse::<ScopeKind>().ok();
    if scope.is_none() && has_field(&pairs, "record_scope") {
        problems.push(Problem {
            field: "record_scope".into(),
            kind: "unknown_scope",
            message: "record_scope is not one of own, group, agency, all".into(),
        });
    }
    let input = RoleInput {
        id: Some(form_value(&pairs, "unique_id")),
        name: Some(form_value(&pairs, "name")),
        description: Some(form_value(&pairs, "description")),
        permissions: Some(permissions.clone()),
        scope,
        requires_second_factor: Some(has_field(&pairs, "requires_second_factor")),
        // A post without the section choices (not from this form) leaves them as they are.
        section_access: pairs
            .iter()
            .any(|(k, _)| k.starts_with("section:"))
            .then(|| sections.clone()),
    };
    let shown = Shown {
        id: form_value(&pairs, "unique_id"),
        name: form_value(&pairs, "name"),
        description: form_value(&pairs, "description"),
        scope: scope.unwrap_or(ScopeKind::Own),
        requires_second_factor: has_field(&pairs, "requires_second_factor"),
        permissions,
        sections,
    };
    (input, shown, problems)
}

/// Role ids taken: the form shows it beside the id.
const ID_TAKEN: Option<(&str, &str)> = Some(("unique_id", "taken"));

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let shown = Shown {
        id: String::new(),
        name: String::new(),
        description: String::new(),
        scope: ScopeKind::Own,
        requires_second_factor: false,
        permissions: PermissionSet::default(),
        sections: SectionAccess::default(),
    };
    form_page(&req, &state, None, shown, Trouble::None).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (input, shown, problems) = posted(&body);
    if !problems.is_empty() {
        return form_page(&req, &state, None, shown, Trouble::Problems(problems)).await;
    }
    let caller = request::caller(&req)?;
    let result = state
        .db
        .run(move |c| roles::create(c, &caller.principal, &caller.actor, &input))
        .await;
    match result {
        Ok(_) => Ok(redirect("/admin/roles")),
        Err(e) => form_page(&req, &state, None, shown, Trouble::from_error(e, ID_TAKEN)?).await,
    }
}

async fn load(state: &AppState, id: String) -> AppResult<Role> {
    state
        .db
        .run(move |c| roles::find(c, &id))
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let role = load(&state, path.into_inner()).await?;
    form_page(
        &req,
        &state,
        Some(&role.id),
        Shown::stored(&role),
        Trouble::None,
    )
    .await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let role = load(&state, path.into_inner()).await?;
    let (mut input, mut shown, problems) = posted(&body);
    // A role's id is set once: users and the API refer to it.
    input.id = None;
    shown.id = role.id.clone();
    if !problems.is_empty() {
        return form_page(
            &req,
            &state,
            Some(&role.id),
            shown,
            Trouble::Problems(problems),
        )
        .await;
    }
    let caller = request::caller(&req)?;
    let target = role.id.clone();
    let result = state
        .db
        .run(move |c| roles::update(c, &caller.principal, &caller.actor, &target, &input))
        .await;
    // Every holder of the role reaches differently now: no cached answer may outlive it.
    state.principals.clear();
    match result {
        Ok(_) => Ok(redirect("/admin/roles")),
        Err(e) => {
            form_page(
                &req,
                &state,
                Some(&role.id),
                shown,
                Trouble::from_error(e, None)?,
            )
            .await
        }
    }
}
