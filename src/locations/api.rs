//! `/api/v2/locations`: the location tree as the Primero API lists it, its import from an HXL
//! file, and changes to single places. Handlers translate JSON; the rules live in [`super`].

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::hxl::{self, HxlProblem};
use super::{ImportCounts, Location, NewPlace, PlacePatch};
use crate::api::fields::{Envelope, Fields};
use crate::api::paging::Paging;
use crate::audit::Actor;
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::i18n::names::{self, NamesPatch};
use crate::i18n::Lang;
use crate::web::{request, AppState};

/// A place as the API shows it; `hierarchy` (ancestor codes, root first) when asked for.
pub fn location_json(l: &Location, hierarchy: Option<&[String]>) -> Value {
    let mut item = json!({
        "id": l.code,
        "code": l.code,
        "admin_level": l.admin_level,
        "type": l.location_type,
        "name": l.names(),
        "parent_code": l.parent_code,
        "disabled": l.disabled,
    });
    if let Some(chain) = hierarchy {
        item["hierarchy"] = json!(chain);
    }
    item
}

/// `GET /api/v2/locations`: by admin level then code; `hierarchy=true` adds each place's
/// ancestors.
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let params = request::query_pairs(&req);
    let paging = Paging::parse(&params);
    let with_hierarchy = params
        .iter()
        .any(|(k, v)| k == "hierarchy" && v.trim() == "true");
    let (rows, total, chains) = state
        .db
        .run(move |c| {
            if paging.unreadable {
                return Ok((Vec::new(), 0, Default::default()));
            }
            let (rows, total) = super::page(c, paging.page, paging.per)?;
            let chains = if with_hierarchy {
                super::ancestors(c, &rows)?
            } else {
                Default::default()
            };
            Ok((rows, total, chains))
        })
        .await?;
    let data: Vec<Value> = rows
        .iter()
        .map(|l| {
            let chain = with_hierarchy.then(|| chains.get(&l.code).map_or(&[][..], Vec::as_slice));
            location_json(l, chain)
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data, "metadata": paging.metadata(total) })))
}

/// Reads and stores an HXL file: parsing (CPU work) on the blocking pool without a database
/// connection, then one transaction. Shared by the API and the admin page.
pub(super) async fn run_import(
    state: &AppState,
    actor: Actor,
    bytes: web::Bytes,
) -> AppResult<Result<ImportCounts, Vec<HxlProblem>>> {
    let parsed = web::block(move || hxl::parse(&bytes))
        .await
        .map_err(AppError::internal)?;
    match parsed {
        Err(problems) => Ok(Err(problems)),
        Ok(places) => {
            state
                .db
                .run(move |c| super::import(c, &actor, &places))
                .await
        }
    }
}

/// The report as API problems: `detail` says where (`row 7, #adm2+code`), `message` what.
fn report(problems: &[HxlProblem]) -> AppError {
    let en = Lang::new("en");
    AppError::validation(
        problems
            .iter()
            .map(|p| Problem {
                field: p.place(&en),
                kind: p.kind(),
                message: p.message(&en),
            })
            .collect(),
    )
}

/// Body types a CSV file may be sent as.
const CSV_TYPES: &[&str] = &[
    "text/csv",
    "application/csv",
    "text/plain",
    "application/octet-stream",
];

/// `POST /api/v2/locations/import`: the body is the CSV file.
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.is_some_and(|t| !CSV_TYPES.contains(&t.as_str())) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "Send the CSV file itself as the request body, with Content-Type: text/csv.",
        ));
    }
    let bytes = body
        .to_bytes_limited(hxl::MAX_FILE_BYTES)
        .await
        .map_err(|_| AppError::too_large(hxl::MAX_FILE_BYTES / (1024 * 1024)))?
        .map_err(|e| {
            AppError::new(ErrorCode::BadRequest, "The file could not be read.").with_cause(e)
        })?;
    match run_import(&state, request::actor(&req), bytes).await? {
        Ok(counts) => Ok(HttpResponse::Ok().json(json!({ "data": {
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        }}))),
        Err(problems) => Err(report(&problems)),
    }
}

/// The names of a request (`name`), if sent.
fn names_patch(fields: &mut Fields<'_>) -> Option<NamesPatch> {
    let value = fields.raw("name")?;
    match names::patch_from_json("name", value) {
        Ok(patch) => Some(patch),
        Err(problems) => {
            fields.problems.extend(problems);
            None
        }
    }
}

fn fail_if(problems: Vec<Problem>) -> AppResult<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

/// `POST /api/v2/locations`: `{"data": {"code", "parent_code", "type", "name": {...}}}`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let data = body.into_inner().data;
    let mut fields = Fields::new(&data);
    let new = NewPlace {
        code: fields.text("code").flatten().unwrap_or_default(),
        parent_code: fields.text("parent_code").flatten(),
        admin_level: fields
            .integer("admin_level")
            .map(|l| i32::try_from(l).unwrap_or(i32::MAX)),
        location_type: fields.text("type").flatten(),
        names: names_patch(&mut fields).unwrap_or_default(),
        disabled: fields.boolean("disabled").unwrap_or(false),
    };
    fail_if(fields.problems)?;
    let actor = request::actor(&req);
    let place = state
        .db
        .run(move |c| super::create(c, &actor, &new))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": location_json(&place, None) })))
}

/// `PATCH /api/v2/locations/{code}`: names (merged by language), `type`, `disabled`, and
/// `parent_code` (only another place one level up).
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Envelope>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let data = body.into_inner().data;
    let mut fields = Fields::new(&data);
    let patch = PlacePatch {
        names: names_patch(&mut fields),
        location_type: fields.text("type"),
        disabled: fields.boolean("disabled"),
        parent_code: fields.text("parent_code"),
    };
    fail_if(fields.problems)?;
    let actor = request::actor(&req);
    let place = state
        .db
        .run(move |c| super::update(c, &actor, &code, &patch))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "data": location_json(&place, None) })))
}
