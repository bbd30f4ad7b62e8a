//! `/api/v2/forms` and `/api/v2/lookups`. Definitions are shown in Casekeep's own format with
//! the names Primero clients read added beside it (`unique_id`, `parent_form`, `display_name`,
//! `option_strings_source`, ...). Changes take the same format and pass the checks of
//! [`super::changes`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{changes, store, Field, Lookup, OptionDef, OptionSource, Section};
use crate::api::paging::{query_param, Paging};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::web::{request, AppState};

#[derive(Deserialize)]
pub struct Envelope<T> {
    data: T,
}

fn options_json(options: &[OptionDef]) -> Value {
    options
        .iter()
        .map(|o| json!({"id": o.id, "display_text": o.label, "disabled": o.disabled}))
        .collect()
}

fn field_json(f: &Field) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        map.insert("display_name".into(), json!(f.label));
        map.insert("help_text".into(), json!(f.help));
        map.insert("visible".into(), json!(f.visible));
        map.insert("hide_on_view_page".into(), json!(f.hidden_on_view));
        map.insert(
            "multi_select".into(),
            json!(f.kind == super::FieldType::MultiSelect),
        );
        let source = match (&f.lookup, f.source) {
            (Some(l), _) => Some(format!("lookup {l}")),
            (None, Some(OptionSource::Locations)) => Some("Location".into()),
            (None, Some(OptionSource::Agencies)) => Some("Agency".into()),
            (None, Some(OptionSource::Users)) => Some("User".into()),
            _ => None,
        };
        map.insert("option_strings_source".into(), json!(source));
        if !f.options.is_empty() {
            map.insert("option_strings_text".into(), options_json(&f.options));
        }
        if !f.fields.is_empty() {
            let subs: Vec<Value> = f.fields.iter().map(field_json).collect();
            map.insert("fields".into(), Value::Array(subs));
        }
    }
    v
}

fn section_json(s: &Section) -> Value {
    json!({
        "id": s.id,
        "unique_id": s.id,
        "record_type": s.record_type,
        "parent_form": s.record_type,
        "module_id": ["primeromodule-cp"],
        "form_group_id": s.group,
        "group": s.group,
        "order": s.order,
        "visible": s.visible,
        "label": s.label,
        "name": s.label,
        "help": s.help,
        "help_text": s.help,
        "fields": s.fields.iter().map(field_json).collect::<Vec<_>>(),
    })
}

fn lookup_json(l: &Lookup) -> Value {
    json!({
        "id": l.id,
        "unique_id": l.id,
        "label": l.label,
        "name": l.label,
        "values": l.values,
        "lookup_values": options_json(&l.values),
    })
}

/// `GET /api/v2/forms`: every section with its fields, optionally of one record type.
pub async fn list_forms(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let record_type = query_param(&req, "record_type").unwrap_or_else(|| "case".into());
    let catalog = state
        .db
        .run(move |c| store::catalog(c, &record_type))
        .await?;
    let items = catalog.sections.iter().map(section_json).collect();
    Ok(HttpResponse::Ok().json(Paging::of(&req).envelope(items)))
}

/// `GET /api/v2/forms/{id}` (record type from `record_type`, default `case`).
pub async fn get_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let record_type = query_param(&req, "record_type").unwrap_or_else(|| "case".into());
    let catalog = state
        .db
        .run(move |c| store::catalog(c, &record_type))
        .await?;
    let section = catalog.section(&path).ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({"data": section_json(section)})))
}

/// A definition in a request body, in Casekeep's format; `path_id` is the id in the URL of an
/// update, which the body may leave out but not contradict.
fn parse<T: serde::de::DeserializeOwned>(
    mut data: Value,
    path_id: Option<&str>,
    what: &str,
) -> AppResult<T> {
    if let (Some(id), Some(map)) = (path_id, data.as_object_mut()) {
        let given = map
            .entry("id")
            .or_insert_with(|| Value::String(id.to_owned()));
        if given.as_str() != Some(id) {
            return Err(AppError::invalid(
                "id",
                format!("the {what} id cannot be changed"),
            ));
        }
    }
    serde_json::from_value(data).map_err(|e| {
        AppError::invalid(
            "data",
            format!("the {what} is not in the expected format: {e}"),
        )
    })
}

/// `POST /api/v2/forms`: a new section.
pub async fn create_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope<Value>>,
) -> AppResult<HttpResponse> {
    let actor = request::actor(&req);
    let section: Section = parse(body.into_inner().data, None, "form section")?;
    let saved = state
        .db
        .run(move |c| {
            if store::load_sections(c, &section.record_type)?
                .iter()
                .any(|s| s.id == section.id)
            {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("A form section {} already exists.", section.id),
                ));
            }
            changes::save_section(c, &actor, section)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"data": section_json(&saved)})))
}

/// `PATCH /api/v2/forms/{id}`: replaces a section's definition. Fields left out are kept,
/// hidden; changes stored values would not fit are refused.
pub async fn update_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope<Value>>,
) -> AppResult<HttpResponse> {
    let actor = request::actor(&req);
    let id = path.into_inner();
    let section: Section = parse(body.into_inner().data, Some(&id), "form section")?;
    let saved = state
        .db
        .run(move |c| {
            if !store::load_sections(c, &section.record_type)?
                .iter()
                .any(|s| s.id == section.id)
            {
                return Err(AppError::not_found());
            }
            changes::save_section(c, &actor, section)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"data": section_json(&saved)})))
}

/// `GET /api/v2/lookups`.
pub async fn list_lookups(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let lookups = state.db.run(store::load_lookups).await?;
    let items = lookups.iter().map(lookup_json).collect();
    Ok(HttpResponse::Ok().json(Paging::of(&req).envelope(items)))
}

/// `GET /api/v2/lookups/{id}`.
pub async fn get_lookup(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let lookups = state.db.run(store::load_lookups).await?;
    let lookup = lookups
        .iter()
        .find(|l| l.id == *path)
        .ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(json!({"data": lookup_json(lookup)})))
}

/// `POST /api/v2/lookups`.
pub async fn create_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope<Value>>,
) -> AppResult<HttpResponse> {
    let actor = request::actor(&req);
    let lookup: Lookup = parse(body.into_inner().data, None, "lookup")?;
    let saved = state
        .db
        .run(move |c| {
            if store::load_lookups(c)?.iter().any(|l| l.id == lookup.id) {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("A lookup {} already exists.", lookup.id),
                ));
            }
            changes::save_lookup(c, &actor, lookup)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"data": lookup_json(&saved)})))
}

/// `PATCH /api/v2/lookups/{id}`: replaces the values; removing a value in use is refused.
pub async fn update_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope<Value>>,
) -> AppResult<HttpResponse> {
    let actor = request::actor(&req);
    let id = path.into_inner();
    let lookup: Lookup = parse(body.into_inner().data, Some(&id), "lookup")?;
    let saved = state
        .db
        .run(move |c| {
            if !store::load_lookups(c)?.iter().any(|l| l.id == lookup.id) {
                return Err(AppError::not_found());
            }
            changes::save_lookup(c, &actor, lookup)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"data": lookup_json(&saved)})))
}

/// `DELETE /api/v2/lookups/{id}`: only a lookup no field uses.
pub async fn delete_lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let actor = request::actor(&req);
    let id = path.into_inner();
    let gone = id.clone();
    state
        .db
        .run(move |c| changes::delete_lookup(c, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"data": {"id": gone}})))
}
