//! `/api/v2/cases` and its sub-resources, as the Primero v2 API defines them. Handlers translate
//! JSON to service calls and back; the rules live in the service layer.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::query::ListQuery;
use super::service::{self, Flag, HistoryEntry};
use super::{Record, RecordKind, CASE};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::web::request;
use crate::web::AppState;

/// A record as the API shows it: metadata, then the form fields.
pub fn record_json(
    kind: &RecordKind,
    r: &Record,
    owner: Option<&str>,
    short: bool,
) -> AppResult<Value> {
    let data = r.form_data()?;
    let mut out = Map::new();
    out.insert("id".into(), json!(r.id));
    out.insert(kind.display_id_field.into(), json!(r.display_id));
    out.insert("short_id".into(), json!(r.short_id));
    out.insert("record_version".into(), json!(r.version));
    out.insert("status".into(), json!(r.status));
    out.insert("record_state".into(), json!(r.enabled));
    out.insert("flagged".into(), json!(r.flagged));
    out.insert("owned_by".into(), json!(owner));
    out.insert("created_at".into(), json!(timestamp(&r.created_at)));
    out.insert("created_by".into(), json!(r.created_by));
    out.insert("last_updated_at".into(), json!(timestamp(&r.updated_at)));
    out.insert("last_updated_by".into(), json!(r.updated_by));
    if short {
        out.insert("name".into(), json!(Record::display_name(&data)));
        for f in [
            "sex",
            "age",
            "registration_date",
            "risk_level",
            "location_current",
        ] {
            out.insert(f.into(), data.get(f).cloned().unwrap_or(Value::Null));
        }
    } else {
        for (k, v) in data {
            out.entry(k).or_insert(v);
        }
    }
    Ok(Value::Object(out))
}

pub fn timestamp(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn etag(r: &Record) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{}\"", r.version))
}

#[derive(Deserialize)]
pub struct Envelope {
    data: Map<String, Value>,
}

/// The version a client says its change is based on: `If-Match` or `data.record_version`.
fn expected_version(req: &HttpRequest, data: &Map<String, Value>) -> AppResult<Option<i64>> {
    if let Some(v) = req.headers().get(header::IF_MATCH) {
        let text = v
            .to_str()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"');
        return text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid("If-Match", "If-Match must be the record's version"));
    }
    match data.get("record_version") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| AppError::invalid("record_version", "record_version must be a number")),
    }
}

/// `{"data": record}` with the record's version as ETag.
fn single_record_response(r: &Record, owner: Option<&str>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header(etag(r))
        .json(json!({ "data": record_json(&CASE, r, owner, false)? })))
}

/// The user name of a record's owner, read in the same database work as the record.
fn owner_name(c: &mut DbConnection, r: &Record) -> AppResult<Option<String>> {
    let ids: Vec<String> = r.owned_by.iter().cloned().collect();
    let names = service::usernames(c, &ids)?;
    Ok(r.owned_by.as_ref().and_then(|id| names.get(id).cloned()))
}

/// A record just changed, with its owner's name.
fn with_owner(c: &mut DbConnection, r: Record) -> AppResult<(Record, Option<String>)> {
    let owner = owner_name(c, &r)?;
    Ok((r, owner))
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let q = ListQuery::parse(&request::query_pairs(&req));
    let query = q.clone();
    let lists = state.lists.clone();
    let page = state
        .db
        .run(move |c| service::list(c, &CASE, &caller, &query, &lists))
        .await?
        .committed()
        .await?;
    // An id search outside one's own records answers the summary only.
    let short = q.short || q.id_search;
    let data = page
        .rows
        .iter()
        .map(|r| record_json(&CASE, r, page.owner_of(r), short))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({
        "data": data,
        "metadata": { "total": page.total, "per": q.per, "page": q.page },
    })))
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let r = state
        .db
        .run(move |c| {
            let r = service::fetch(c, &CASE, &caller, &id)?;
            let owner = owner_name(c, r.get())?;
            Ok(r.map(|r| (r, owner)))
        })
        .await?
        .committed()
        .await?;
    single_record_response(&r.0, r.1.as_deref())
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let data = body.into_inner().data;
    let client_id = match data.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AppError::invalid("id", "id must be a UUID")),
    };
    let format = state.config.records.case_id_format.clone();
    let cid = client_id.clone();
    let r = state
        .db
        .run(move |c| {
            let r = service::create(c, &CASE, &caller, &data, cid.as_deref(), &format)?;
            with_owner(c, r)
        })
        .await?;
    if client_id.is_some() {
        return Ok(HttpResponse::NoContent().insert_header(etag(&r.0)).finish());
    }
    single_record_response(&r.0, r.1.as_deref())
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let data = body.into_inner().data;
    let expected = expected_version(&req, &data)?;
    let r = state
        .db
        .run(move |c| {
            let r = service::update(c, &CASE, &caller, &id, &data, expected)?;
            with_owner(c, r)
        })
        .await?;
    single_record_response(&r.0, r.1.as_deref())
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let shown = id.clone();
    state
        .db
        .run(move |c| service::disable(c, &CASE, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": { "id": shown } })))
}

fn flag_json(f: &Flag) -> Value {
    json!({
        "id": f.id, "record_id": f.record_id, "record_type": CASE.plural,
        "message": f.message, "flagged_by": f.flagged_by, "date": timestamp(&f.flagged_at),
        "removed": f.removed, "unflag_message": f.unflag_message,
        "unflagged_by": f.unflagged_by, "unflagged_date": f.unflagged_at.as_ref().map(timestamp),
    })
}

pub async fn list_flags(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let flags = state
        .db
        .run(move |c| service::flags(c, &CASE, &caller, &id))
        .await?
        .committed()
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": flags.iter().map(flag_json).collect::<Vec<_>>() })))
}

fn text_field(data: &Map<String, Value>, name: &str) -> AppResult<String> {
    data.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| AppError::invalid(name, format!("{name} is required")))
}

pub async fn add_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let message = text_field(&body.data, "message")?;
    let f = state
        .db
        .run(move |c| service::flag(c, &CASE, &caller, &id, &message))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": flag_json(&f) })))
}

pub async fn remove_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let (id, flag_id) = path.into_inner();
    let message = text_field(&body.data, "unflag_message")?;
    let f = state
        .db
        .run(move |c| service::unflag(c, &CASE, &caller, &id, &flag_id, &message))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": flag_json(&f) })))
}

fn history_json(h: &HistoryEntry) -> Value {
    let changes: Vec<Value> = h
        .changes()
        .into_iter()
        .map(|c| json!({ c.field: { "from": c.from, "to": c.to } }))
        .collect();
    json!({
        "record_id": h.record_id, "record_type": CASE.plural, "datetime": timestamp(&h.changed_at),
        "user_name": h.changed_by, "action": h.action.split(':').next().unwrap_or_default(),
        "record_version": h.version, "record_changes": changes,
    })
}

pub async fn record_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let (_, entries) = state
        .db
        .run(move |c| service::history(c, &CASE, &caller, &id))
        .await?
        .committed()
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "data": entries.iter().map(history_json).collect::<Vec<_>>() })))
}
