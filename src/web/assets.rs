//! CSS, icons and scripts embedded in the binary. URLs carry a content hash, so responses can be
//! cached for a year and a new release is fetched at once.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::{AppError, AppResult};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The versioned URL of an asset, for templates: `/static/app.css?v=<hash>`.
pub fn url(name: &str) -> String {
    match Assets::get(name) {
        Some(file) => format!(
            "/static/{name}?v={}",
            &hex::encode(file.metadata.sha256_hash())[..16]
        ),
        None => {
            tracing::error!(asset = name, "template refers to a missing asset");
            format!("/static/{name}")
        }
    }
}

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> AppResult<HttpResponse> {
    respond(&req, &path.into_inner())
}

pub async fn favicon(req: HttpRequest) -> AppResult<HttpResponse> {
    respond(&req, "favicon.svg")
}

fn respond(req: &HttpRequest, name: &str) -> AppResult<HttpResponse> {
    let file = Assets::get(name).ok_or_else(AppError::not_found)?;
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    if fresh {
        return Ok(res.finish());
    }
    Ok(res
        .content_type(file.metadata.mimetype())
        .body(file.data.into_owned()))
}
