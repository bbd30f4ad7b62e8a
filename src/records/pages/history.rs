//! The history page of a case: every saved change, who made it and when, field by field.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::Value;

use super::super::form_view::value_text;
use super::super::merge::Change;
use super::super::service;
use super::super::CASE;
use super::display_value;
use crate::error::AppResult;
use crate::forms::Catalog;
use crate::i18n::Lang;
use crate::web::pages::{html, Chrome};
use crate::web::{request, AppState};

struct HistoryRow {
    at: String,
    by: String,
    action: String,
    changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "cases/history.html")]
struct HistoryPage {
    chrome: Chrome,
    id: String,
    display_id: String,
    rows: Vec<HistoryRow>,
}

pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let lang = request::language(&req);
    let id = path.into_inner();
    let rid = id.clone();
    let (record, entries) = state
        .db
        .run(move |c| service::history(c, &CASE, &caller, &rid))
        .await?
        .committed()
        .await?;
    let catalog = super::catalog_for(&state, &req, false).await?;
    let catalog = catalog.as_ref();
    let rows = entries
        .iter()
        .map(|h| HistoryRow {
            at: h.changed_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            by: h.changed_by.clone().unwrap_or_default(),
            action: lang.t(&format!(
                "history-{}",
                h.action.split(':').next().unwrap_or_default()
            )),
            changes: h
                .changes()
                .iter()
                .map(|c| history_change(catalog, c, &lang))
                .collect(),
        })
        .collect();
    html(&HistoryPage {
        chrome: Chrome::for_request(&req, &lang),
        id,
        display_id: record.display_id,
        rows,
    })
}

/// One change as a reader sees it: the field's label (a subform's and its field's), and the
/// values before and after with option labels instead of codes.
fn history_change(catalog: &Catalog, c: &Change, lang: &Lang) -> (String, String, String) {
    let top = c.field.split('[').next().unwrap_or_default();
    let field = catalog.field(top);
    // Fields outside the form: the record's own status, state and flags.
    let mut label = match (field, top) {
        (Some(f), _) => f.label.get(lang.code()).to_owned(),
        (None, "status") => lang.t("cases-col-status"),
        (None, "flag") => lang.t("flags-title"),
        (None, "record_state") => lang.t("history-record-state"),
        (None, other) => other.to_owned(),
    };
    let sub_field = c
        .field
        .split("].")
        .nth(1)
        .and_then(|sub| field.and_then(|f| f.fields.iter().find(|s| s.name == sub)));
    if let Some(sub) = sub_field {
        label = format!("{label} › {}", sub.label.get(lang.code()));
    }
    let show = |v: &Value| -> String {
        match (field, sub_field, v) {
            (_, Some(sub), _) => display_value(catalog, sub, Some(v), lang),
            (Some(f), None, Value::Object(entry)) => f
                .fields
                .iter()
                .map(|sub| display_value(catalog, sub, entry.get(&sub.name), lang))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            (Some(f), None, _) => display_value(catalog, f, Some(v), lang),
            (None, None, _) if top == "status" => catalog
                .option_label("lookup-case-status", &value_text(Some(v)), lang.code())
                .to_owned(),
            (None, None, Value::Bool(b)) => lang.t(if *b { "value-yes" } else { "value-no" }),
            (None, None, _) => value_text(Some(v)),
        }
    };
    (label, show(&c.from), show(&c.to))
}

// ---------------------------------------------------------------- flags, notes, status
