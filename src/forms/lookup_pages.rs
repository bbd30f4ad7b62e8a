//! The lookup editor: code lists with their values and translations side by side. Removing a
//! value that records hold is refused by [`super::changes`]; disabling it is the way.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::builder;
use super::pages::{attempt, lang_texts, option_rows, pairs, LangText, OptionRow};
use super::{changes, store, Labels, Lookup, OptionDef};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n;
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

#[derive(Template)]
#[template(path = "admin/lookups.html")]
struct LookupsPage {
    chrome: Chrome,
    lookups: Vec<(String, String, usize)>,
    problems: Vec<String>,
}

async fn lookups_page(
    req: &HttpRequest,
    state: &AppState,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let mut lookups = state.db.run(store::load_lookups).await?;
    lookups.sort_by(|a, b| a.label.get(lang.code()).cmp(b.label.get(lang.code())));
    html(&LookupsPage {
        chrome: Chrome::for_request(req, &lang),
        lookups: lookups
            .iter()
            .map(|l| {
                (
                    l.id.clone(),
                    l.label.get(lang.code()).to_owned(),
                    l.values.len(),
                )
            })
            .collect(),
        problems,
    })
}

pub async fn lookups(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    lookups_page(&req, &state, Vec::new()).await
}

/// `POST /admin/lookups`: a new, empty lookup.
pub async fn create_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let actor = request::actor(&req);
    let id = format!(
        "lookup-{}",
        builder::value(&form, "id")
            .trim()
            .trim_start_matches("lookup-")
    );
    let mut label = Labels::default();
    label.set("en", &builder::value(&form, "label_en"));
    let outcome = attempt(&state, move |c| {
        if store::load_lookups(c)?.iter().any(|l| l.id == id) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A lookup {id} already exists."),
            ));
        }
        changes::save_lookup(
            c,
            &actor,
            Lookup {
                id,
                label,
                values: Vec::new(),
            },
        )
    })
    .await?;
    match outcome {
        Ok(l) => Ok(redirect(&format!("/admin/lookups/{}", l.id))),
        Err(problems) => lookups_page(&req, &state, problems).await,
    }
}

#[derive(Template)]
#[template(path = "admin/lookup.html")]
struct LookupPage {
    chrome: Chrome,
    id: String,
    title: String,
    names: Vec<LangText>,
    values: Vec<OptionRow>,
    new_value: OptionRow,
    problems: Vec<String>,
}

async fn lookup_page(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let lookups = state.db.run(store::load_lookups).await?;
    let lookup = lookups
        .iter()
        .find(|l| l.id == id)
        .ok_or_else(AppError::not_found)?;
    let mut new_value = option_rows(&[OptionDef {
        id: String::new(),
        label: Labels::default(),
        disabled: false,
    }]);
    let mut new_value = new_value
        .pop()
        .ok_or_else(|| AppError::internal("value row"))?;
    new_value.index = lookup.values.len();
    html(&LookupPage {
        chrome: Chrome::for_request(req, &lang),
        id: lookup.id.clone(),
        title: lookup.label.get(lang.code()).to_owned(),
        names: lang_texts(&lookup.label, &Labels::default()),
        values: option_rows(&lookup.values),
        new_value,
        problems,
    })
}

pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    lookup_page(&req, &state, &path, Vec::new()).await
}

/// `POST /admin/lookups/{id}`: names and values, with translations; values ticked for removal
/// go only if no record holds them.
pub async fn save_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let id = path.into_inner();
    let actor = request::actor(&req);
    let lid = id.clone();
    let outcome = attempt(&state, move |c| {
        let mut lookup = store::load_lookups(c)?
            .into_iter()
            .find(|l| l.id == lid)
            .ok_or_else(AppError::not_found)?;
        for code in i18n::SUPPORTED {
            lookup
                .label
                .set(code, &builder::value(&form, &format!("label:{code}")));
        }
        lookup.values = builder::options_from_form(&form, "opt");
        changes::save_lookup(c, &actor, lookup)
    })
    .await?;
    match outcome {
        Ok(_) => Ok(redirect(&format!("/admin/lookups/{id}"))),
        Err(problems) => lookup_page(&req, &state, &id, problems).await,
    }
}
