//! Case pages: list (filters, search, sorting, pages), view, create, edit with conflict merge,
//! history, flags, notes, close and reopen. Every action calls the same service layer as the API.

mod actions;
mod history;

pub use actions::{
    add_flag, add_note, remove_flag, set_status, FlagForm, NoteForm, StatusForm, UnflagForm,
};
pub use history::history;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::{Map, Value};

use super::form_view::{self, errors_by_path, value_text, SectionView};
use super::merge::{self, Change};
use super::query::ListQuery;
use super::service::{self, Caller, Flag, HistoryEntry};
use super::{Record, CASE};
use crate::access::{Action, Permission, Resource};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::forms::{Catalog, FieldType};
use crate::i18n::Lang;
use crate::web::errors::redirect;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

fn can(caller: &Caller, action: Action) -> bool {
    caller
        .principal
        .can(Permission::new(Resource::Cases, action))
}

/// The case form as it is now.
pub(crate) async fn case_catalog(state: &AppState) -> AppResult<std::sync::Arc<Catalog>> {
    state.db.run(|c| CASE.catalog(c)).await
}

/// The case form as the signed-in user's role sees it: for reading, without its hidden
/// sections; for editing, with only the sections it may write.
pub(crate) async fn catalog_for(
    state: &AppState,
    req: &HttpRequest,
    editing: bool,
) -> AppResult<std::sync::Arc<Catalog>> {
    use crate::access::sections::SectionRight;
    use actix_web::HttpMessage;
    let catalog = case_catalog(state).await?;
    let access = req
        .extensions()
        .get::<crate::access::Principal>()
        .map(|p| p.section_access.clone())
        .unwrap_or_default();
    if access.is_unrestricted() {
        return Ok(catalog);
    }
    let least = if editing {
        SectionRight::ReadWrite
    } else {
        SectionRight::Read
    };
    Ok(std::sync::Arc::new(catalog.restricted(&access, least)))
}

/// A value as a reader sees it: option labels translated, yes/no for tick boxes.
fn display_value(
    catalog: &Catalog,
    field: &crate::forms::Field,
    v: Option<&Value>,
    lang: &Lang,
) -> String {
    let has_choices = field.kind.has_choices();
    let label = |s: &str| {
        if has_choices {
            catalog.choice_label(field, s, lang.code())
        } else {
            s.to_owned()
        }
    };
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(b)) if field.kind == FieldType::TickBox || has_choices => {
            if has_choices {
                label(&b.to_string())
            } else {
                lang.t(if *b { "value-yes" } else { "value-no" })
            }
        }
        Some(Value::Object(range)) if field.kind == FieldType::DateRange => {
            let end = |k: &str| value_text(range.get(k));
            format!("{} – {}", end("from"), end("to"))
        }
        Some(Value::String(_)) if field.kind == FieldType::Signature => lang.t("value-signed"),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| label(&value_text(Some(i))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => label(&value_text(Some(other))),
    }
}

// ---------------------------------------------------------------- list

struct Row {
    id: String,
    display_id: String,
    name: String,
    sex: String,
    age: String,
    registration_date: String,
    updated: String,
    risk: String,
    status: String,
    flagged: bool,
    owner: String,
}

struct SortLink {
    label: String,
    href: String,
    active: bool,
    descending: bool,
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    sort_links: Vec<SortLink>,
    query: String,
    status: String,
    sex: String,
    risk: String,
    age_from: String,
    age_to: String,
    flagged: bool,
    sex_options: Vec<(String, String)>,
    risk_options: Vec<(String, String)>,
    can_create: bool,
    /// Bulk actions the user may take on selected cases: the path and its label.
    bulk_actions: Vec<(String, String)>,
    /// Services a bulk referral can be for: id and label.
    services: Vec<(String, String)>,
    /// What the last bulk action did, or why it was refused.
    bulk_notice: Option<String>,
    bulk_error: Option<String>,
}

fn href(q: &ListQuery, page: i64) -> String {
    let qs: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.to_params(page))
        .finish();
    format!("/cases?{qs}")
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    // Empty form fields arrive as empty parameters: drop them so they filter nothing.
    let mut params: Vec<(String, String)> = request::query_pairs(&req)
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let (age_from, age_to) = (take(&mut params, "age_from"), take(&mut params, "age_to"));
    let (bulk_done, bulk_failed) = (take(&mut params, "bulk"), take(&mut params, "bulk_error"));
    if !age_from.is_empty() || !age_to.is_empty() {
        params.push(("age".into(), format!("{age_from}..{age_to}")));
    }
    let who_for_bulk = caller.clone();
    let mut q = ListQuery::parse(&params);
    q.per = q.per.min(100);
    // Finding records outside one's own by id is for integrations through the API; the page
    // lists only what the user may open.
    q.id_search = false;
    q.short = true;
    let query = q.clone();
    let can_create = can(&caller, Action::Create);
    let lists = state.lists.clone();
    let page = state
        .db
        .run(move |c| service::list(c, &CASE, &caller, &query, &lists))
        .await?
        .committed()
        .await?;
    let catalog = catalog_for(&state, &req, false).await?;
    let catalog = catalog.as_ref();
    let lbl = |lookup: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| catalog.option_label(lookup, v, lang.code()).to_owned())
            .unwrap_or_default()
    };
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let data = r.form_data()?;
            Ok(Row {
                id: r.id.clone(),
                display_id: r.display_id.clone(),
                name: Record::display_name(&data),
                sex: lbl("lookup-gender", &r.sex),
                age: r.age.map(|a| a.to_string()).unwrap_or_default(),
                registration_date: r
                    .registration_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                updated: r.updated_at.format("%Y-%m-%d").to_string(),
                risk: lbl("lookup-risk-level", &r.risk_level),
                status: lbl("lookup-case-status", &Some(r.status.clone())),
                flagged: r.flagged,
                owner: page.owner_of(r).unwrap_or_default().to_owned(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let total = page.total;
    let pages = ((total + q.per - 1) / q.per).max(1);
    let sort_links = [
        ("cases-col-id", super::query::SortField::DisplayId),
        ("cases-col-name", super::query::SortField::Name),
        ("cases-col-age", super::query::SortField::Age),
        (
            "cases-col-registered",
            super::query::SortField::RegistrationDate,
        ),
        ("cases-col-updated", super::query::SortField::UpdatedAt),
    ]
    .into_iter()
    .map(|(key, field)| {
        let mut s = q.clone();
        let active = q.order_by == field;
        s.order_by = field;
        s.descending = if active { !q.descending } else { false };
        SortLink {
            label: lang.t(key),
            href: href(&s, 1),
            active,
            descending: q.descending,
        }
    })
    .collect();
    let options = |lookup: &str| {
        catalog
            .lookup(lookup)
            .map(|l| {
                l.values
                    .iter()
                    .map(|v| (v.id.clone(), v.label.get(lang.code()).to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let first = |v: &Option<Vec<String>>| {
        v.as_ref()
            .and_then(|v| v.first().cloned())
            .unwrap_or_default()
    };
    let bulk_actions: Vec<(String, String)> = [
        (Action::Assign, "assign"),
        (Action::Transfer, "transfer"),
        (Action::Refer, "refer"),
    ]
    .into_iter()
    .filter(|(a, _)| can(&who_for_bulk, *a))
    .map(|(_, path)| (path.to_owned(), lang.t(&format!("bulk-{path}-button"))))
    .collect();
    let services = if can(&who_for_bulk, Action::Refer) {
        state
            .db
            .run(crate::agencies::services)
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.disabled)
            .map(|s| {
                let label = crate::i18n::names::pick(&s.label, lang.code()).to_owned();
                (s.id, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    html(&ListPage {
        chrome: Chrome::for_request(&req, &lang),
        rows,
        total,
        page: q.page,
        pages,
        prev_href: (q.page > 1).then(|| href(&q, q.page - 1)),
        next_href: (q.page < pages).then(|| href(&q, q.page + 1)),
        sort_links,
        query: q.query.clone().unwrap_or_default(),
        status: first(&q.status),
        sex: first(&q.sex),
        risk: first(&q.risk_level),
        age_from,
        age_to,
        flagged: q.flagged == Some(true),
        sex_options: options("lookup-gender"),
        risk_options: options("lookup-risk-level"),
        can_create,
        bulk_actions,
        services,
        bulk_notice: (!bulk_done.is_empty())
            .then(|| lang.t_args("bulk-done", &[("count", bulk_done.as_str())])),
        bulk_error: (!bulk_failed.is_empty()).then(|| {
            let text = lang.t(&format!("workflow-problem-{bulk_failed}"));
            if text.starts_with("workflow-problem-") {
                lang.t(&format!("error-{bulk_failed}"))
            } else {
                text
            }
        }),
    })
}

fn take(params: &mut Vec<(String, String)>, key: &str) -> String {
    let value = params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    params.retain(|(k, _)| k != key);
    value
}

// ---------------------------------------------------------------- create and edit

/// A field someone else changed while the user was editing.
struct Meanwhile {
    label: String,
    by: String,
    now: String,
    yours: String,
}

#[derive(Template)]
#[template(path = "cases/form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    action: String,
    version: i64,
    sections: Vec<SectionView>,
    has_errors: bool,
    meanwhile: Vec<Meanwhile>,
    cancel_href: String,
}

/// What a create or edit form shows.
struct FormSpec<'a> {
    title: String,
    action: String,
    cancel_href: String,
    version: i64,
    data: &'a Map<String, Value>,
    problems: &'a [crate::error::Problem],
    /// Changes others saved meanwhile (conflict page), and the fields they touched.
    meanwhile: Vec<Meanwhile>,
    changed_fields: &'a [String],
}

impl<'a> FormSpec<'a> {
    fn new(title: String, action: String, version: i64, data: &'a Map<String, Value>) -> Self {
        Self {
            cancel_href: action.clone(),
            title,
            action,
            version,
            data,
            problems: &[],
            meanwhile: Vec::new(),
            changed_fields: &[],
        }
    }
}

fn form_page(
    req: &HttpRequest,
    lang: &Lang,
    catalog: &Catalog,
    spec: FormSpec<'_>,
) -> AppResult<HttpResponse> {
    let mut sections = form_view::sections(
        catalog,
        spec.data,
        &errors_by_path(spec.problems, lang),
        lang,
    );
    for item in sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
        if let form_view::ItemView::Field(f) = item {
            let name = f.input.trim_start_matches("f:");
            f.changed_meanwhile = spec.changed_fields.iter().any(|c| c == name);
        }
    }
    let mut res = html(&FormPage {
        chrome: Chrome::for_request(req, lang),
        title: spec.title,
        action: spec.action,
        version: spec.version,
        has_errors: !spec.problems.is_empty(),
        sections,
        meanwhile: spec.meanwhile,
        cancel_href: spec.cancel_href,
    })?;
    if !spec.problems.is_empty() {
        *res.status_mut() = ErrorCode::Invalid.status();
    }
    Ok(res)
}

pub async fn new_form(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lang = request::language(&req);
    let catalog = catalog_for(&state, &req, true).await?;
    let catalog = catalog.as_ref();
    let mut data = Map::new();
    data.insert(
        "registration_date".into(),
        Value::String(chrono::Utc::now().date_naive().to_string()),
    );
    form_page(
        &req,
        &lang,
        catalog,
        FormSpec::new(lang.t("cases-new-title"), "/cases".into(), 0, &data),
    )
}

fn body_pairs(body: &web::Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let catalog = catalog_for(&state, &req, true).await?;
    let catalog = catalog.as_ref();
    let data = form_view::parse_submission(catalog, &body_pairs(&body));
    let format = state.config.records.case_id_format.clone();
    let input = data.clone();
    match state
        .db
        .run(move |c| service::create(c, &CASE, &caller, &input, None, &format))
        .await
    {
        Ok(r) => Ok(redirect(&format!("/cases/{}", r.id))),
        Err(e) if e.code == ErrorCode::Invalid => form_page(
            &req,
            &lang,
            catalog,
            FormSpec {
                problems: &form_view::remap_problems(&e.problems, &data),
                ..FormSpec::new(lang.t("cases-new-title"), "/cases".into(), 0, &data)
            },
        ),
        Err(e) => Err(e),
    }
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let id = path.into_inner();
    let record = state
        .db
        .run(move |c| service::fetch(c, &CASE, &caller, &id))
        .await?
        .committed()
        .await?;
    let data = record.form_data()?;
    let catalog = catalog_for(&state, &req, true).await?;
    let catalog = catalog.as_ref();
    form_page(
        &req,
        &lang,
        catalog,
        FormSpec::new(
            lang.t_args("cases-edit-title", &[("id", &record.display_id)]),
            format!("/cases/{}", record.id),
            record.version,
            &data,
        ),
    )
}

fn version_of(pairs: &[(String, String)]) -> AppResult<i64> {
    pairs
        .iter()
        .find(|(k, _)| k == "record_version")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| AppError::new(ErrorCode::BadRequest, "The form has no record version."))
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let id = path.into_inner();
    let pairs = body_pairs(&body);
    let base_version = version_of(&pairs)?;
    let catalog = catalog_for(&state, &req, true).await?;
    let catalog = catalog.as_ref();
    let submitted = form_view::parse_submission(catalog, &pairs);
    let (rid, patch, who) = (id.clone(), submitted.clone(), caller.clone());
    let result = state
        .db
        .run(move |c| service::update(c, &CASE, &who, &rid, &patch, Some(base_version)))
        .await;
    let e = match result {
        Ok(r) => return Ok(redirect(&format!("/cases/{}", r.id))),
        Err(e) => e,
    };
    let title = lang.t("cases-edit-plain");
    let action = format!("/cases/{id}");
    match e.code {
        ErrorCode::Invalid => form_page(
            &req,
            &lang,
            catalog,
            FormSpec {
                problems: &form_view::remap_problems(&e.problems, &submitted),
                ..FormSpec::new(title, action, base_version, &submitted)
            },
        ),
        ErrorCode::Conflict => {
            // Someone saved meanwhile. Rebuild what this user started from, keep only the changes
            // they made, and put them on top of the current record; show what the others changed
            // and let the user review and save again. Nothing is overwritten silently.
            let rid = id.clone();
            let (current, since) = state
                .db
                .run(move |c| {
                    let current = service::fetch(c, &CASE, &caller, &rid)?;
                    let since = service::history_since(c, &rid, base_version)?;
                    Ok(current.map(|current| (current, since)))
                })
                .await?
                .committed()
                .await?;
            let now = current.form_data()?;
            let theirs: Vec<Change> = since
                .iter()
                .filter(|h| h.action == "update")
                .flat_map(HistoryEntry::changes)
                .collect();
            let base = merge::revert(&now, &theirs);
            let cleaned = merge::merge(catalog, &base, &submitted);
            let mine = merge::diff(catalog, &base, &cleaned);
            let proposal = merge::apply(&now, &mine);
            let changed: Vec<String> = theirs
                .iter()
                .map(|c| c.field.split('[').next().unwrap_or_default().to_owned())
                .collect();
            let meanwhile = since
                .iter()
                .filter(|h| h.action == "update")
                .flat_map(|h| {
                    h.changes()
                        .into_iter()
                        .map(move |c| (h.changed_by.clone().unwrap_or_default(), c))
                })
                .map(|(by, c)| {
                    let top = c.field.split('[').next().unwrap_or_default().to_owned();
                    let field = catalog.field(&top);
                    let label = field
                        .map(|f| f.label.get(lang.code()).to_owned())
                        .unwrap_or(top.clone());
                    let show = |v: Option<&Value>| match field {
                        Some(f) if !c.field.contains('[') => display_value(catalog, f, v, &lang),
                        _ => value_text(v),
                    };
                    Meanwhile {
                        label,
                        by,
                        now: show(now.get(&top)),
                        yours: show(submitted.get(&top)),
                    }
                })
                .collect();
            let title = lang.t_args("cases-edit-title", &[("id", &current.display_id)]);
            let mut res = form_page(
                &req,
                &lang,
                catalog,
                FormSpec {
                    meanwhile,
                    changed_fields: &changed,
                    ..FormSpec::new(title, action, current.version, &proposal)
                },
            )?;
            *res.status_mut() = ErrorCode::Conflict.status();
            Ok(res)
        }
        _ => Err(e),
    }
}

// ---------------------------------------------------------------- view

struct ShownField {
    label: String,
    value: String,
    /// Nothing entered: no value, or a tick box left unticked.
    blank: bool,
}

struct ShownEntry {
    fields: Vec<ShownField>,
}

struct ShownSection {
    id: String,
    label: String,
    fields: Vec<ShownField>,
    subforms: Vec<(String, Vec<ShownEntry>)>,
}

struct ShownFlag {
    id: String,
    message: String,
    by: String,
    at: String,
    removed: bool,
    unflag_message: String,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct ShowPage {
    chrome: Chrome,
    id: String,
    display_id: String,
    name: String,
    status: String,
    closed: bool,
    version: i64,
    owner: String,
    updated: String,
    sections: Vec<ShownSection>,
    /// Sections with nothing filled in yet: id and name.
    empty_sections: Vec<(String, String)>,
    flags: Vec<ShownFlag>,
    can_write: bool,
    can_flag: bool,
    can_close: bool,
    can_reopen: bool,
    can_history: bool,
    /// The reasons a case can be closed for: value and label.
    closure_reasons: Vec<(String, String)>,
}

fn shown_sections(catalog: &Catalog, data: &Map<String, Value>, lang: &Lang) -> Vec<ShownSection> {
    catalog
        .visible_sections()
        .map(|s| {
            let mut fields = Vec::new();
            let mut subforms = Vec::new();
            // Removed fields and metadata stay off the page; fields hidden on view too.
            let shown = |f: &&crate::forms::Field| {
                f.visible && !f.hidden_on_view && !f.system && f.kind.holds_form_data()
            };
            for f in s.fields.iter().filter(shown) {
                if f.kind == FieldType::Subform {
                    let entries = data
                        .get(&f.name)
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_object).collect::<Vec<_>>())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|e| ShownEntry {
                            fields: f
                                .fields
                                .iter()
                                .filter(shown)
                                .map(|sub| shown_field(catalog, sub, e.get(&sub.name), lang))
                                .filter(|sf| !sf.value.is_empty())
                                .collect(),
                        })
                        .collect();
                    subforms.push((f.label.get(lang.code()).to_owned(), entries));
                } else {
                    fields.push(shown_field(catalog, f, data.get(&f.name), lang));
                }
            }
            ShownSection {
                id: s.id.clone(),
                label: s.label.get(lang.code()).to_owned(),
                fields,
                subforms,
            }
        })
        .collect()
}

fn shown_field(
    catalog: &Catalog,
    field: &crate::forms::Field,
    value: Option<&Value>,
    lang: &Lang,
) -> ShownField {
    ShownField {
        label: field.label.get(lang.code()).to_owned(),
        value: display_value(catalog, field, value, lang),
        blank: match value {
            None | Some(Value::Null) => true,
            Some(Value::Bool(false)) => field.kind == FieldType::TickBox,
            _ => false,
        },
    }
}

/// The case page: the first section in full; of the others only what holds information (a long
/// standard form would otherwise bury it), and the names of those with nothing yet.
fn compact_sections(all: Vec<ShownSection>) -> (Vec<ShownSection>, Vec<(String, String)>) {
    let mut shown = Vec::new();
    let mut empty = Vec::new();
    for (i, mut section) in all.into_iter().enumerate() {
        if i > 0 {
            section.fields.retain(|f| !f.blank && !f.value.is_empty());
            let has_entries = section.subforms.iter().any(|(_, e)| !e.is_empty());
            if section.fields.is_empty() && !has_entries {
                empty.push((section.id, section.label));
                continue;
            }
        }
        shown.push(section);
    }
    (shown, empty)
}

fn shown_flag(f: &Flag) -> ShownFlag {
    ShownFlag {
        id: f.id.clone(),
        message: f.message.clone(),
        by: f.flagged_by.clone(),
        at: f.flagged_at.format("%Y-%m-%d %H:%M").to_string(),
        removed: f.removed,
        unflag_message: f.unflag_message.clone().unwrap_or_default(),
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let id = path.into_inner();
    let who = caller.clone();
    let (record, flags, names) = state
        .db
        .run(move |c| {
            let record = service::fetch(c, &CASE, &who, &id)?;
            let flags = service::flags_of(c, &record.get().id)?;
            // Opening the case is seeing what the alerts were about.
            crate::alerts::dismiss(c, &who.principal.user_id, &record.get().id)?;
            let ids: Vec<String> = record.get().owned_by.iter().cloned().collect();
            let names = service::usernames(c, &ids)?;
            Ok(record.map(|record| (record, flags, names)))
        })
        .await?
        .committed()
        .await?;
    let catalog = catalog_for(&state, &req, false).await?;
    let catalog = catalog.as_ref();
    let data = record.form_data()?;
    let (sections, empty_sections) = compact_sections(shown_sections(catalog, &data, &lang));
    let closed = record.status == "closed";
    html(&ShowPage {
        chrome: Chrome::for_request(&req, &lang),
        name: Record::display_name(&data),
        status: catalog
            .option_label("lookup-case-status", &record.status, lang.code())
            .to_owned(),
        owner: record
            .owned_by
            .as_ref()
            .and_then(|o| names.get(o).cloned())
            .unwrap_or_default(),
        updated: record.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        sections,
        empty_sections,
        flags: flags.iter().map(shown_flag).collect(),
        can_write: can(&caller, Action::Write),
        can_flag: can(&caller, Action::Flag),
        can_close: !closed && can(&caller, Action::Close),
        can_reopen: closed && can(&caller, Action::Reopen),
        can_history: can(&caller, Action::ViewHistory),
        closure_reasons: catalog
            .field("closure_reason")
            .map(|f| {
                catalog
                    .choices(f)
                    .into_iter()
                    .filter(|c| !c.disabled)
                    .map(|c| (c.id.to_owned(), c.label.get(lang.code()).to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        id: record.id,
        display_id: record.display_id,
        version: record.version,
        closed,
    })
}
