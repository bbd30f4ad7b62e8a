//! `GET /api/v2/alerts` (the caller's alerts, counted by record type, as Primero answers) and
//! `GET /api/v2/cases/{id}/alerts` (the caller's alerts on one case they reach).

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::error::AppResult;
use crate::records::service::load_reachable;
use crate::records::CASE;
use crate::web::{request, AppState};

/// The most alerts a listing returns.
const MAX: i64 = 500;

pub async fn mine(req: HttpRequest, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let list = state
        .db
        .run(move |c| super::for_user(c, &caller.principal.user_id, MAX))
        .await?;
    let mut counts = serde_json::Map::new();
    for a in &list {
        let n = counts
            .get(&a.record_type)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        counts.insert(a.record_type.clone(), json!(n + 1));
    }
    let items: Vec<serde_json::Value> = list
        .iter()
        .map(|a| {
            json!({
                "id": a.alert.id,
                "record_id": a.alert.record_id,
                "record_type": a.record_type,
                "display_id": a.display_id,
                "alert_for": a.alert.kind,
                "date": a.alert.created_at.and_utc().to_rfc3339(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": counts, "alerts": items })))
}

pub async fn of_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let caller = request::caller(&req)?;
    let id = path.into_inner();
    let list = state
        .db
        .run(move |c| {
            let record = load_reachable(c, &CASE, &caller, &id, "view_alerts")?;
            super::on_record(c, &caller.principal.user_id, &record.id)
        })
        .await?;
    let data: Vec<serde_json::Value> = list
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "alert_for": a.kind,
                "date": a.created_at.and_utc().to_rfc3339(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}
