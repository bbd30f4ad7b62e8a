//! The form builder and the lookup editor: administrators adapt sections, fields, choices and
//! their translations in the browser. Every change goes through [`super::changes`], so the
//! browser can no more lose record data than the API can.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::builder::{self, FieldEdit, FieldPath};
use super::{changes, store, Catalog, Field, FieldType, Labels, OptionDef, Section};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{self, Lang};
use crate::records::form_view::{self, SectionView};
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

/// The record type the builder edits (cases until the other record types arrive).
const RECORD_TYPE: &str = "case";

/// A label and help text in one language, for side-by-side translation.
pub struct LangText {
    pub code: &'static str,
    pub name: &'static str,
    pub dir: &'static str,
    pub label: String,
    pub help: String,
}

pub(super) fn lang_texts(label: &Labels, help: &Labels) -> Vec<LangText> {
    i18n::SUPPORTED
        .iter()
        .map(|code| LangText {
            code,
            name: i18n::native_name(code),
            dir: Lang::new(code).dir(),
            label: label.exact(code).to_owned(),
            help: help.exact(code).to_owned(),
        })
        .collect()
}

pub struct SectionRow {
    pub id: String,
    pub label: String,
    pub group: String,
    pub visible: bool,
    pub fields: usize,
}

pub struct FieldRow {
    pub path: String,
    pub name: String,
    pub kind: &'static str,
    pub label: String,
    pub required: bool,
    pub visible: bool,
}

pub struct OptionRow {
    pub index: usize,
    pub id: String,
    pub labels: Vec<(&'static str, &'static str, String)>,
    pub disabled: bool,
}

pub(super) fn option_rows(options: &[OptionDef]) -> Vec<OptionRow> {
    options
        .iter()
        .enumerate()
        .map(|(index, o)| OptionRow {
            index,
            id: o.id.clone(),
            labels: i18n::SUPPORTED
                .iter()
                .map(|c| (*c, Lang::new(c).dir(), o.label.exact(c).to_owned()))
                .collect(),
            disabled: o.disabled,
        })
        .collect()
}

fn field_rows(fields: &[Field], parent: Option<&str>, lang: &Lang) -> Vec<FieldRow> {
    fields
        .iter()
        .map(|f| FieldRow {
            path: match parent {
                Some(p) => format!("{p}.{}", f.name),
                None => f.name.clone(),
            },
            name: f.name.clone(),
            kind: f.kind.name(),
            label: f.label.get(lang.code()).to_owned(),
            required: f.required,
            visible: f.visible,
        })
        .collect()
}

fn problem_texts(e: &AppError) -> Vec<String> {
    if e.problems.is_empty() {
        vec![e.message.clone()]
    } else {
        e.problems.iter().map(|p| p.message.clone()).collect()
    }
}

/// Runs a change; a refusal the administrator can act on comes back as messages to show.
pub(super) async fn attempt<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut crate::db::DbConnection) -> AppResult<T> + Send + 'static,
) -> AppResult<Result<T, Vec<String>>> {
    match state.db.run(work).await {
        Ok(v) => Ok(Ok(v)),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::Invalid | ErrorCode::Conflict | ErrorCode::NotFound
            ) =>
        {
            Ok(Err(problem_texts(&e)))
        }
        Err(e) => Err(e),
    }
}

pub(super) fn pairs(body: &web::Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn catalog(state: &AppState) -> AppResult<std::sync::Arc<Catalog>> {
    state.db.run(|c| store::catalog(c, RECORD_TYPE)).await
}

// ---------------------------------------------------------------- index and section list

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    chrome: Chrome,
}

pub async fn index(req: HttpRequest) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    html(&IndexPage {
        chrome: Chrome::for_request(&req, &lang),
    })
}

#[derive(Template)]
#[template(path = "admin/forms.html")]
struct FormsPage {
    chrome: Chrome,
    sections: Vec<SectionRow>,
    groups: Vec<(String, String)>,
    problems: Vec<String>,
}

fn groups(catalog: &Catalog, lang: &Lang) -> Vec<(String, String)> {
    catalog
        .lookup("lookup-form-group-cp-case")
        .map(|l| {
            l.values
                .iter()
                .map(|v| (v.id.clone(), v.label.get(lang.code()).to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn forms_page(
    req: &HttpRequest,
    catalog: &Catalog,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let groups = groups(catalog, &lang);
    let group_label = |g: &str| {
        groups
            .iter()
            .find(|(id, _)| id == g)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| g.to_owned())
    };
    html(&FormsPage {
        chrome: Chrome::for_request(req, &lang),
        sections: catalog
            .sections
            .iter()
            .map(|s| SectionRow {
                id: s.id.clone(),
                label: s.label.get(lang.code()).to_owned(),
                group: group_label(&s.group),
                visible: s.visible,
                fields: s.fields.iter().filter(|f| f.visible).count(),
            })
            .collect(),
        groups,
        problems,
    })
}

pub async fn forms(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let catalog = catalog(&state).await?;
    forms_page(&req, &catalog, Vec::new())
}

/// `POST /admin/forms`: a new, empty section.
pub async fn create_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let actor = request::actor(&req);
    let get = |k: &str| builder::value(&form, k);
    let id = get("id").trim().to_owned();
    let mut label = Labels::default();
    label.set("en", &get("label_en"));
    let group = get("group");
    let outcome = attempt(&state, move |c| {
        let sections = store::load_sections(c, RECORD_TYPE)?;
        if sections.iter().any(|s| s.id == id) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("A section {id} already exists."),
            ));
        }
        let order = sections.iter().map(|s| s.order).max().unwrap_or(0) + 10;
        let section = Section {
            id,
            record_type: RECORD_TYPE.into(),
            group,
            order,
            visible: true,
            label,
            help: Labels::default(),
            fields: Vec::new(),
        };
        changes::save_section(c, &actor, section)
    })
    .await?;
    match outcome {
        Ok(s) => Ok(redirect(&format!("/admin/forms/{}", s.id))),
        Err(problems) => forms_page(&req, &*catalog(&state).await?, problems),
    }
}

/// `POST /admin/forms/{id}/move`: one place up or down.
pub async fn move_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let up = builder::value(&pairs(&body), "direction") == "up";
    let actor = request::actor(&req);
    let id = path.into_inner();
    state
        .db
        .run(move |c| changes::move_section(c, &actor, RECORD_TYPE, &id, up))
        .await?;
    Ok(redirect("/admin/forms"))
}

// ---------------------------------------------------------------- one section

#[derive(Template)]
#[template(path = "admin/section.html")]
struct SectionPage {
    chrome: Chrome,
    id: String,
    title: String,
    texts: Vec<LangText>,
    group: String,
    groups: Vec<(String, String)>,
    visible: bool,
    fields: Vec<FieldRow>,
    types: Vec<&'static str>,
    problems: Vec<String>,
}

fn section_page(
    req: &HttpRequest,
    catalog: &Catalog,
    id: &str,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let section = catalog.section(id).ok_or_else(AppError::not_found)?;
    html(&SectionPage {
        chrome: Chrome::for_request(req, &lang),
        id: section.id.clone(),
        title: section.label.get(lang.code()).to_owned(),
        texts: lang_texts(&section.label, &section.help),
        group: section.group.clone(),
        groups: groups(catalog, &lang),
        visible: section.visible,
        fields: field_rows(&section.fields, None, &lang),
        types: FieldType::ALL.iter().map(|t| t.name()).collect(),
        problems,
    })
}

pub async fn section(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let catalog = catalog(&state).await?;
    section_page(&req, &catalog, &path, Vec::new())
}

/// Applies an edit to one stored section and saves it through the checks; shows the outcome.
async fn edit_section(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    back: String,
    edit: impl FnOnce(&mut Section) -> AppResult<()> + Send + 'static,
) -> AppResult<HttpResponse> {
    let actor = request::actor(req);
    let sid = id.clone();
    let outcome = attempt(state, move |c| {
        let mut section = store::load_sections(c, RECORD_TYPE)?
            .into_iter()
            .find(|s| s.id == sid)
            .ok_or_else(AppError::not_found)?;
        edit(&mut section)?;
        changes::save_section(c, &actor, section)
    })
    .await?;
    match outcome {
        Ok(_) => Ok(redirect(&back)),
        Err(problems) => section_page(req, &*catalog(state).await?, &id, problems),
    }
}

/// `POST /admin/forms/{id}`: names, help, group, visibility.
pub async fn save_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let id = path.into_inner();
    let back = format!("/admin/forms/{id}");
    edit_section(&req, &state, id, back, move |s| {
        for code in i18n::SUPPORTED {
            s.label
                .set(code, &builder::value(&form, &format!("label:{code}")));
            s.help
                .set(code, &builder::value(&form, &format!("help:{code}")));
        }
        s.group = builder::value(&form, "group");
        s.visible = builder::value(&form, "visible") == "true";
        Ok(())
    })
    .await
}

/// `POST /admin/forms/{id}/fields`: a new field (in the section, or in a subform of it).
pub async fn add_field(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let id = path.into_inner();
    let parent = builder::value(&form, "parent");
    let name = builder::value(&form, "name").trim().to_owned();
    let back = if parent.is_empty() {
        format!("/admin/forms/{id}/fields/{name}")
    } else {
        format!("/admin/forms/{id}/fields/{parent}.{name}")
    };
    edit_section(&req, &state, id, back, move |s| {
        builder::add_field(
            s,
            &parent,
            &name,
            &builder::value(&form, "type"),
            &builder::value(&form, "label_en"),
        )
    })
    .await
}

/// The page listing a field: its subform's editor, or the section.
fn list_page_of(section_id: &str, target: &FieldPath) -> String {
    match &target.parent {
        Some(p) => format!("/admin/forms/{section_id}/fields/{p}"),
        None => format!("/admin/forms/{section_id}"),
    }
}

/// `POST /admin/forms/{id}/fields/{path}/move`.
pub async fn move_field(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let up = builder::value(&pairs(&body), "direction") == "up";
    let (id, field) = path.into_inner();
    let target = FieldPath::parse(&field);
    let back = list_page_of(&id, &target);
    edit_section(&req, &state, id, back, move |s| {
        builder::move_field(s, &target, up)
    })
    .await
}

/// `POST /admin/forms/{id}/fields/{path}/visibility`: removes a field from the form (its values
/// stay in the records) or brings it back.
pub async fn set_field_visibility(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let visible = builder::value(&pairs(&body), "visible") == "true";
    let (id, field) = path.into_inner();
    let target = FieldPath::parse(&field);
    let back = list_page_of(&id, &target);
    edit_section(&req, &state, id, back, move |s| {
        builder::field_mut(s, &target)?.visible = visible;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- one field

#[derive(Template)]
#[template(path = "admin/field.html")]
struct FieldPage {
    chrome: Chrome,
    section_id: String,
    section_label: String,
    path: String,
    parent: String,
    name: String,
    kind: &'static str,
    types: Vec<&'static str>,
    texts: Vec<LangText>,
    field: Field,
    choices: &'static str,
    lookups: Vec<(String, String)>,
    options: Vec<OptionRow>,
    new_option: OptionRow,
    siblings: Vec<(String, String)>,
    show_if_field: String,
    show_if_value: String,
    calc_kind: &'static str,
    calc_fields: String,
    subfields: Vec<FieldRow>,
    problems: Vec<String>,
}

fn field_page(
    req: &HttpRequest,
    catalog: &Catalog,
    section_id: &str,
    path: &str,
    problems: Vec<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(req);
    let section = catalog
        .section(section_id)
        .ok_or_else(AppError::not_found)?;
    let target = FieldPath::parse(path);
    let (field, siblings) = builder::find(section, &target).ok_or_else(AppError::not_found)?;
    let (calc_kind, calc_fields) = builder::calculation_parts(field);
    let mut lookups: Vec<(String, String)> = store_lookups(catalog, &lang);
    lookups.sort_by(|a, b| a.1.cmp(&b.1));
    html(&FieldPage {
        chrome: Chrome::for_request(req, &lang),
        section_id: section.id.clone(),
        section_label: section.label.get(lang.code()).to_owned(),
        path: path.to_owned(),
        parent: target.parent.clone().unwrap_or_default(),
        name: field.name.clone(),
        kind: field.kind.name(),
        types: FieldType::ALL.iter().map(|t| t.name()).collect(),
        texts: lang_texts(&field.label, &field.help),
        choices: builder::choice_kind(field),
        lookups,
        options: option_rows(&field.options),
        new_option: option_rows(&[OptionDef {
            id: String::new(),
            label: Labels::default(),
            disabled: false,
        }])
        .into_iter()
        .map(|mut r| {
            r.index = field.options.len();
            r
        })
        .next()
        .ok_or_else(|| AppError::internal("option row"))?,
        siblings: siblings
            .iter()
            .filter(|f| f.name != field.name)
            .map(|f| (f.name.clone(), f.label.get(lang.code()).to_owned()))
            .collect(),
        show_if_field: field
            .show_if
            .as_ref()
            .map(|c| c.field.clone())
            .unwrap_or_default(),
        show_if_value: field
            .show_if
            .as_ref()
            .map(|c| form_view::value_text(Some(&c.equals)))
            .unwrap_or_default(),
        calc_kind,
        calc_fields,
        subfields: field_rows(&field.fields, Some(&field.name), &lang),
        field: field.clone(),
        problems,
    })
}

fn store_lookups(catalog: &Catalog, lang: &Lang) -> Vec<(String, String)> {
    catalog
        .lookup_ids()
        .map(|id| {
            let label = catalog
                .lookup(id)
                .map(|l| l.label.get(lang.code()).to_owned())
                .unwrap_or_default();
            (id.to_owned(), format!("{label} ({id})"))
        })
        .collect()
}

pub async fn field(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, field) = path.into_inner();
    let catalog = catalog(&state).await?;
    field_page(&req, &catalog, &id, &field, Vec::new())
}

/// `POST /admin/forms/{id}/fields/{path}`: everything the field editor shows.
pub async fn save_field(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = pairs(&body);
    let (id, field_path) = path.into_inner();
    let target = FieldPath::parse(&field_path);
    let edit = FieldEdit::from_form(&form);
    let actor = request::actor(&req);
    let sid = id.clone();
    let outcome = attempt(&state, move |c| {
        let mut section = store::load_sections(c, RECORD_TYPE)?
            .into_iter()
            .find(|s| s.id == sid)
            .ok_or_else(AppError::not_found)?;
        edit.apply(builder::field_mut(&mut section, &target)?)?;
        changes::save_section(c, &actor, section)
    })
    .await?;
    match outcome {
        Ok(_) => Ok(redirect(&format!("/admin/forms/{id}/fields/{field_path}"))),
        Err(problems) => field_page(&req, &*catalog(&state).await?, &id, &field_path, problems),
    }
}

// ---------------------------------------------------------------- preview

#[derive(Template)]
#[template(path = "admin/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    section_id: String,
    sections: Vec<SectionView>,
    languages: Vec<(&'static str, &'static str)>,
    preview_lang: &'static str,
    preview_dir: &'static str,
}

/// `GET /admin/forms/{id}/preview?lang=fr`: the section as a caseworker sees it, in any
/// language, without leaving the builder's language.
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let shown = Lang::new(
        &crate::api::paging::query_param(&req, "lang").unwrap_or_else(|| lang.code().to_owned()),
    );
    let catalog = catalog(&state).await?;
    let section = catalog.section(&path).ok_or_else(AppError::not_found)?;
    let single = Catalog::new(
        RECORD_TYPE,
        vec![Section {
            visible: true,
            ..section.clone()
        }],
        catalog
            .lookup_ids()
            .filter_map(|id| catalog.lookup(id).cloned())
            .collect(),
        catalog.references(),
    );
    html(&PreviewPage {
        chrome: Chrome::for_request(&req, &lang),
        section_id: section.id.clone(),
        sections: form_view::sections(&single, &Default::default(), &Default::default(), &shown),
        languages: i18n::SUPPORTED
            .iter()
            .map(|c| (*c, i18n::native_name(c)))
            .collect(),
        preview_lang: shown.code(),
        preview_dir: shown.dir(),
    })
}
