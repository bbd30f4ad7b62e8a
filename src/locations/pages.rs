//! Admin pages for the location tree: the tree itself, adding and editing a place (names in every
//! interface language side by side), disabling it, and importing an HXL file with its report.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::hxl::{self, HxlProblem};
use super::tree::{self, Line};
use super::{ImportCounts, NewPlace, PlacePatch};
use crate::attachments::upload;
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::i18n::names::{self, Names};
use crate::i18n::Lang;
use crate::web::admin::{self, form_pairs, form_value, segment, NameInput};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

#[derive(Template)]
#[template(path = "locations/tree.html")]
struct TreePage {
    chrome: Chrome,
    lines: Vec<Line>,
    total: usize,
    /// The place whose subtree is shown, and the way back to the whole tree.
    under: Option<String>,
}

pub async fn tree(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let params = request::query_pairs(&req);
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (under, open) = (param("under"), param("open"));
    let all = state.db.run(super::all).await?;
    if under
        .as_deref()
        .is_some_and(|u| !all.iter().any(|l| l.code == u))
    {
        return Err(AppError::not_found());
    }
    html(&TreePage {
        lines: tree::lines(&all, under.as_deref(), open.as_deref(), lang.code()),
        total: all.len(),
        under,
        chrome: Chrome::for_request(&req, &lang),
    })
}

// ---------------------------------------------------------------- add and edit

#[derive(Template)]
#[template(path = "locations/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    /// Adding: the code is entered; editing: it is shown.
    is_new: bool,
    code: String,
    parent_code: String,
    kind: String,
    disabled: bool,
    names_legend: String,
    names: Vec<NameInput>,
    errors: BTreeMap<String, String>,
    cancel_href: String,
    state_action: String,
}

/// What the form shows, as entered or as stored.
struct Shown {
    code: String,
    parent_code: String,
    kind: String,
    disabled: bool,
    names: Names,
}

fn form_page(
    req: &HttpRequest,
    lang: &Lang,
    is_new: bool,
    shown: Shown,
    problems: &[Problem],
) -> AppResult<HttpResponse> {
    let errors = admin::errors_by_field(lang, problems);
    let (title, action) = if is_new {
        (lang.t("locations-new-title"), "/admin/locations".to_owned())
    } else {
        (
            lang.t_args("locations-edit-title", &[("id", &shown.code)]),
            format!("/admin/locations/{}/edit", segment(&shown.code)),
        )
    };
    let back = if shown.code.is_empty() || is_new {
        shown.parent_code.clone()
    } else {
        shown.code.clone()
    };
    let mut res = html(&FormPage {
        chrome: Chrome::for_request(req, lang),
        title,
        action,
        is_new,
        names_legend: lang.t("locations-field-names"),
        names: admin::name_inputs(&shown.names, &errors),
        errors,
        cancel_href: tree_href(&back),
        state_action: format!("/admin/locations/{}/state", segment(&shown.code)),
        code: shown.code,
        parent_code: shown.parent_code,
        kind: shown.kind,
        disabled: shown.disabled,
    })?;
    if !problems.is_empty() {
        *res.status_mut() = ErrorCode::Invalid.status();
    }
    Ok(res)
}

/// The tree, unfolded down to a place.
fn tree_href(code: &str) -> String {
    if code.is_empty() {
        "/admin/locations".to_owned()
    } else {
        format!("/admin/locations?open={}", segment(code))
    }
}

pub async fn new_form(req: HttpRequest) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let parent = request::query_pairs(&req)
        .into_iter()
        .find(|(k, _)| k == "parent")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let shown = Shown {
        code: String::new(),
        parent_code: parent,
        kind: String::new(),
        disabled: false,
        names: Names::new(),
    };
    form_page(&req, &lang, true, shown, &[])
}

/// What was posted, to show again with its problems.
fn posted(pairs: &[(String, String)], code: String) -> Shown {
    Shown {
        code,
        parent_code: form_value(pairs, "parent_code"),
        kind: form_value(pairs, "type"),
        disabled: form_value(pairs, "disabled") == "true",
        names: names::patch_from_form(pairs)
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect(),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let pairs = form_pairs(&body);
    let new = NewPlace {
        code: form_value(&pairs, "code"),
        parent_code: Some(form_value(&pairs, "parent_code")),
        admin_level: None,
        location_type: Some(form_value(&pairs, "type")),
        names: names::patch_from_form(&pairs),
        disabled: false,
    };
    let actor = request::actor(&req);
    match state.db.run(move |c| super::create(c, &actor, &new)).await {
        Ok(place) => Ok(redirect(&tree_href(&place.code))),
        Err(e) if matches!(e.code, ErrorCode::Invalid | ErrorCode::Conflict) => {
            let problems = conflict_as_problem(e);
            let code = form_value(&pairs, "code");
            form_page(&req, &lang, true, posted(&pairs, code), &problems)
        }
        Err(e) => Err(e),
    }
}

/// A taken code is shown on the form like any other problem with the code.
fn conflict_as_problem(e: AppError) -> Vec<Problem> {
    if e.code == ErrorCode::Conflict {
        return vec![Problem {
            field: "code".into(),
            kind: "taken",
            message: e.message,
        }];
    }
    e.problems
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let code = path.into_inner();
    let place = state
        .db
        .run(move |c| super::find(c, &code))
        .await?
        .ok_or_else(AppError::not_found)?;
    let shown = Shown {
        names: place.names(),
        parent_code: place.parent_code.unwrap_or_default(),
        kind: place.location_type.unwrap_or_default(),
        disabled: place.disabled,
        code: place.code,
    };
    form_page(&req, &lang, false, shown, &[])
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let code = path.into_inner();
    let pairs = form_pairs(&body);
    let parent = form_value(&pairs, "parent_code");
    let patch = PlacePatch {
        names: Some(names::patch_from_form(&pairs)),
        location_type: Some(Some(form_value(&pairs, "type"))),
        disabled: None,
        parent_code: Some((!parent.is_empty()).then_some(parent)),
    };
    let actor = request::actor(&req);
    let target = code.clone();
    let result = state
        .db
        .run(move |c| super::update(c, &actor, &target, &patch))
        .await;
    match result {
        Ok(place) => Ok(redirect(&tree_href(&place.code))),
        Err(e) if e.code == ErrorCode::Invalid => {
            form_page(&req, &lang, false, posted(&pairs, code), &e.problems)
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize)]
pub struct StateForm {
    disabled: bool,
}

/// Disables a place (or enables it again).
pub async fn set_state(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StateForm>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let patch = PlacePatch {
        disabled: Some(form.disabled),
        ..PlacePatch::default()
    };
    let actor = request::actor(&req);
    let place = state
        .db
        .run(move |c| super::update(c, &actor, &code, &patch))
        .await?;
    Ok(redirect(&tree_href(&place.code)))
}

// ---------------------------------------------------------------- import

struct ReportLine {
    place: String,
    message: String,
}

#[derive(Template)]
#[template(path = "locations/import.html")]
struct ImportPage {
    chrome: Chrome,
    counts: Option<ImportCounts>,
    report: Vec<ReportLine>,
    /// A problem with the upload itself (no file chosen).
    upload_error: Option<String>,
}

fn import_page(
    req: &HttpRequest,
    lang: &Lang,
    outcome: Result<ImportCounts, Vec<HxlProblem>>,
    upload_error: Option<String>,
) -> AppResult<HttpResponse> {
    let failed = outcome.is_err() || upload_error.is_some();
    let (counts, report) = match outcome {
        Ok(counts) if upload_error.is_none() => (Some(counts), Vec::new()),
        Ok(_) => (None, Vec::new()),
        Err(problems) => (
            None,
            problems
                .iter()
                .map(|p| ReportLine {
                    place: p.place(lang),
                    message: p.message(lang),
                })
                .collect(),
        ),
    };
    let mut res = html(&ImportPage {
        chrome: Chrome::for_request(req, lang),
        counts,
        report,
        upload_error,
    })?;
    if failed {
        *res.status_mut() = ErrorCode::Invalid.status();
    }
    Ok(res)
}

/// Takes the file from the upload form (multipart) and imports it.
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let max = hxl::MAX_FILE_BYTES as u64;
    let form = upload::read_multipart(&req, body, max, "file").await?;
    if form.file.is_empty() {
        let none = Ok(ImportCounts::default());
        return import_page(&req, &lang, none, Some(lang.t("locations-import-no-file")));
    }
    let file = web::Bytes::from(form.file);
    let outcome = super::api::run_import(&state, request::actor(&req), file).await?;
    import_page(&req, &lang, outcome, None)
}
