//! Admin pages for agencies: the list, creating and editing one (code, names in every interface
//! language side by side, services as tick boxes from the lookup), disabling and enabling.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{Agency, AgencyInput};
use crate::access::{Action, Permission, Resource};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::i18n::names::{self, Names};
use crate::i18n::Lang;
use crate::web::admin::{self, form_pairs, form_value, segment, NameInput};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

fn may(chrome: &Chrome, action: Action) -> bool {
    chrome
        .user
        .as_ref()
        .is_some_and(|p| p.can(Permission::new(Resource::Agencies, action)))
}

struct Row {
    id: String,
    code: String,
    name: String,
    services: String,
    disabled: bool,
    logo: bool,
}

#[derive(Template)]
#[template(path = "agencies/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    can_create: bool,
    can_write: bool,
    can_disable: bool,
}

/// Service ids to labels in `lang` (an id the lookup lacks shows as itself).
fn service_labels<'a>(offered: &'a [super::Service], lang: &str) -> impl Fn(&str) -> String + 'a {
    let lang = lang.to_owned();
    move |id: &str| {
        offered
            .iter()
            .find(|s| s.id == id)
            .map(|s| names::pick(&s.label, &lang).to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| id.to_owned())
    }
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let (agencies, offered) = state
        .db
        .run(|c| Ok((super::all(c)?, super::services(c)?.unwrap_or_default())))
        .await?;
    let label = service_labels(&offered, lang.code());
    let rows = agencies
        .iter()
        .map(|a| Row {
            id: a.id.clone(),
            code: a.code.clone(),
            name: names::pick(&a.names(), lang.code()).to_owned(),
            services: a
                .services()
                .iter()
                .map(|s| label(s))
                .collect::<Vec<_>>()
                .join(", "),
            disabled: a.disabled,
            logo: a.logo_sha256.is_some(),
        })
        .collect();
    let chrome = Chrome::for_request(&req, &lang);
    html(&ListPage {
        can_create: may(&chrome, Action::Create),
        can_write: may(&chrome, Action::Write),
        can_disable: may(&chrome, Action::Disable),
        chrome,
        rows,
    })
}

// ---------------------------------------------------------------- create and edit

struct ServiceBox {
    id: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "agencies/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    code: String,
    names_legend: String,
    names: Vec<NameInput>,
    services: Vec<ServiceBox>,
    /// The lookup of services is not configured.
    no_services: bool,
    errors: BTreeMap<String, String>,
    /// The agency's id when editing (the logo form is offered then).
    agency_id: String,
}

/// What the form shows, as entered or as stored.
struct Shown {
    code: String,
    names: Names,
    services: Vec<String>,
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    lang: &Lang,
    editing: Option<&str>,
    shown: Shown,
    problems: &[Problem],
) -> AppResult<HttpResponse> {
    let offered = state.db.run(super::services).await?;
    let no_services = offered.is_none();
    let offered = offered.unwrap_or_default();
    let label = service_labels(&offered, lang.code());
    // Offered services, and those chosen before that the lookup no longer has or has disabled.
    let services = offered
        .iter()
        .filter(|s| !s.disabled || shown.services.contains(&s.id))
        .map(|s| s.id.clone())
        .chain(
            shown
                .services
                .iter()
                .filter(|id| !offered.iter().any(|s| s.id == **id))
                .cloned(),
        )
        .map(|id| ServiceBox {
            label: label(&id),
            checked: shown.services.contains(&id),
            id,
        })
        .collect();
    let errors = admin::errors_by_field(lang, problems);
    let (title, action) = match editing {
        None => (lang.t("agencies-new-title"), "/admin/agencies".to_owned()),
        Some(id) => (
            lang.t_args("agencies-edit-title", &[("id", &shown.code)]),
            format!("/admin/agencies/{}/edit", segment(id)),
        ),
    };
    let mut res = html(&FormPage {
        chrome: Chrome::for_request(req, lang),
        title,
        action,
        code: shown.code,
        names_legend: lang.t("agencies-field-names"),
        names: admin::name_inputs(&shown.names, &errors),
        services,
        no_services,
        errors,
        agency_id: editing.map(str::to_owned).unwrap_or_default(),
    })?;
    if !problems.is_empty() {
        *res.status_mut() = ErrorCode::Invalid.status();
    }
    Ok(res)
}

fn posted(pairs: &[(String, String)]) -> (AgencyInput, Shown) {
    let input = AgencyInput {
        code: Some(form_value(pairs, "agency_code")),
        names: Some(names::patch_from_form(pairs)),
        services: Some(
            pairs
                .iter()
                .filter(|(k, _)| k == "services")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        disabled: None,
    };
    let shown = Shown {
        code: input.code.clone().unwrap_or_default(),
        names: names::patch_from_form(pairs)
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect(),
        services: input.services.clone().unwrap_or_default(),
    };
    (input, shown)
}

/// Problems to show on the form; a taken code is one of them.
fn form_problems(e: &AppError) -> Option<Vec<Problem>> {
    match e.code {
        ErrorCode::Invalid => Some(e.problems.clone()),
        ErrorCode::Conflict => Some(vec![Problem {
            field: "agency_code".into(),
            kind: "taken",
            message: e.message.clone(),
        }]),
        _ => None,
    }
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let shown = Shown {
        code: String::new(),
        names: Names::new(),
        services: Vec::new(),
    };
    form_page(&req, &state, &lang, None, shown, &[]).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let (input, shown) = posted(&form_pairs(&body));
    let actor = request::actor(&req);
    match state
        .db
        .run(move |c| super::create(c, &actor, &input))
        .await
    {
        Ok(_) => Ok(redirect("/admin/agencies")),
        Err(e) => match form_problems(&e) {
            Some(problems) => form_page(&req, &state, &lang, None, shown, &problems).await,
            None => Err(e),
        },
    }
}

async fn load(state: &AppState, id: String) -> AppResult<Agency> {
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
    let lang = request::language(&req);
    let agency = load(&state, path.into_inner()).await?;
    let shown = Shown {
        names: agency.names(),
        services: agency.services(),
        code: agency.code.clone(),
    };
    form_page(&req, &state, &lang, Some(&agency.id), shown, &[]).await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let id = path.into_inner();
    let (input, shown) = posted(&form_pairs(&body));
    let actor = request::actor(&req);
    let target = id.clone();
    match state
        .db
        .run(move |c| super::update(c, &actor, &target, &input))
        .await
    {
        Ok(_) => Ok(redirect("/admin/agencies")),
        Err(e) => match form_problems(&e) {
            Some(problems) => form_page(&req, &state, &lang, Some(&id), shown, &problems).await,
            None => Err(e),
        },
    }
}

async fn set_state(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    disabled: bool,
) -> AppResult<HttpResponse> {
    let actor = request::actor(req);
    state
        .db
        .run(move |c| super::set_disabled(c, &actor, &id, disabled))
        .await?;
    Ok(redirect("/admin/agencies"))
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
