#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Attachments of cases through the API and the pages, and agency logos, on both databases.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use common::{Backend, TestApp, ADMIN_PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const PW: &str = "caseworker-password-1";

struct Api {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

impl Api {
    fn new(app: &TestApp, user: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.url("/api/v2"),
            user: user.to_owned(),
            password: if user == "admin" { ADMIN_PASSWORD } else { PW }.to_owned(),
        }
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.password))
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn new_case(&self) -> String {
        let (status, body) = self
            .json(
                Method::POST,
                "/cases",
                Some(json!({"data": {"name_first": "Amal", "name_last": "Haddad", "sex": "female", "age": 9}})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    /// Uploads as Primero clients do: base64 in JSON.
    async fn upload(&self, case: &str, field: &str, name: &str, bytes: &[u8]) -> (u16, Value) {
        let data = json!({"data": {
            "field_name": field, "file_name": name, "description": "from the visit",
            "attachment": base64::engine::general_purpose::STANDARD.encode(bytes),
        }});
        self.json(
            Method::POST,
            &format!("/cases/{case}/attachments"),
            Some(data),
        )
        .await
    }

    /// Uploads as a browser does: multipart/form-data.
    async fn upload_form(&self, case: &str, parts: &[Part<'_>]) -> (u16, Value) {
        let (content_type, body) = multipart(parts);
        let res = self
            .req(Method::POST, &format!("/cases/{case}/attachments"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn list(&self, case: &str) -> (u16, Value) {
        self.json(Method::GET, &format!("/cases/{case}/attachments"), None)
            .await
    }

    async fn fetch(&self, path: &str) -> reqwest::Response {
        self.req(Method::GET, path).send().await.unwrap()
    }
}

/// One part of a multipart form: name, file name (for a file), content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

const BOUNDARY: &str = "casekeep-test-boundary-7d1f";

fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file {
            Some(f) => format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/jpeg\r\n"),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

fn image_bytes(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

fn jpeg() -> Vec<u8> {
    image_bytes(image::ImageFormat::Jpeg, 640, 480)
}

fn png() -> Vec<u8> {
    image_bytes(image::ImageFormat::Png, 40, 30)
}

/// Every file in the store.
fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.store.data_dir().join("files"), &mut out);
    out
}

fn attachment_rows(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.with_db(|c| {
        casekeep::db::schema::attachments::table
            .count()
            .get_result(c)
            .unwrap()
    })
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

async fn setup(backend: Backend) -> (TestApp, Api, String) {
    let app = TestApp::spawn(backend).await;
    app.create_user("cw.one", "caseworker", PW);
    let api = Api::new(&app, "cw.one");
    let case = api.new_case().await;
    (app, api, case)
}

async fn upload_list_download_thumbnail(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let jpeg = jpeg();
    let (status, body) = api.upload(&case, "photos", "visit.jpg", &jpeg).await;
    assert_eq!(status, 200, "{body}");
    let photo = body["data"].clone();
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(photo["size"], jpeg.len());
    assert_eq!(photo["field_name"], "photos");
    assert_eq!(photo["created_by"], "cw.one");
    assert_eq!(photo["thumbnail"], true);
    let attach = &app.audit_tail(1)[0];
    assert_eq!(
        (attach.action.as_str(), attach.outcome.as_str()),
        ("attach", "done")
    );
    assert_eq!(attach.record_id.as_deref(), Some(case.as_str()));
    let detail: Value = serde_json::from_str(&attach.detail).unwrap();
    assert_eq!(detail["attachment_id"], photo["id"]);
    assert_eq!(detail["size"], jpeg.len());
    assert_eq!(detail["content_type"], "image/jpeg");
    assert_eq!(detail["sha256"].as_str().unwrap().len(), 64);
    assert!(!attach.detail.contains("visit"), "no file name in the log");

    // A PNG through a form, as a browser sends it.
    let png = png();
    let (status, body) = api
        .upload_form(
            &case,
            &[
                ("field_name", None, b"photos"),
                ("attachment", Some("scan.png"), &png),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["content_type"], "image/png");

    let (status, list) = api.list(&case).await;
    assert_eq!(status, 200);
    assert_eq!(list["metadata"]["total"], 2);
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["visit.jpg", "scan.png"]);
    assert_eq!(app.audit_tail(1)[0].action, "list_attachments");

    let id = photo["id"].as_str().unwrap();
    let res = api.fetch(&format!("/cases/{case}/attachments/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/jpeg");
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    assert_eq!(header(&res, "cache-control"), "private, no-store");
    assert_eq!(
        header(&res, "content-disposition"),
        "inline; filename*=UTF-8''visit.jpg"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let view = &app.audit_tail(1)[0];
    assert_eq!(view.action, "view_attachment");
    assert!(view.detail.contains(id));

    let res = api
        .fetch(&format!("/cases/{case}/attachments/{id}/thumbnail"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/jpeg");
    let thumb = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    assert_eq!(app.audit_tail(1)[0].action, "view_thumbnail");
    // The same bytes uploaded again are stored once.
    let before = stored_files(&app).len();
    let (status, _) = api.upload(&case, "photos", "again.jpg", &jpeg).await;
    assert_eq!(status, 200);
    assert_eq!(stored_files(&app).len(), before);
    assert_eq!(attachment_rows(&app), 3);
}

async fn wrong_types_are_refused(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let (status, body) = api
        .upload(
            &case,
            "photos",
            "photo.jpg",
            b"I am only text, named like a photo.",
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("text/plain"), "{message}");
    assert_eq!(body["errors"][0]["detail"], "attachment");
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let (status, body) = api
        .upload(&case, "other_documents", "notes.txt", html)
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("text/html"));
    // A photo that is not a valid image, and a field that takes no files.
    let mut broken = jpeg();
    broken.truncate(200);
    let (status, body) = api.upload(&case, "photos", "broken.jpg", &broken).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = api.upload(&case, "name_first", "a.txt", b"text").await;
    assert_eq!(
        (status, body["errors"][0]["detail"].as_str()),
        (422, Some("field_name"))
    );
    assert_eq!(attachment_rows(&app), 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    // Text is welcome as a document.
    let (status, body) = api
        .upload(&case, "other_documents", "notes.txt", b"Visit went well.\n")
        .await;
    assert_eq!(
        (status, body["data"]["content_type"].as_str()),
        (200, Some("text/plain"))
    );
}

async fn only_those_who_see_the_case(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    app.create_user("cw.two", "caseworker", PW);
    let other = Api::new(&app, "cw.two");
    let (_, body) = api.upload(&case, "photos", "child.png", &png()).await;
    let id = body["data"]["id"].as_str().unwrap().to_owned();

    let (case_status, _) = other
        .json(Method::GET, &format!("/cases/{case}"), None)
        .await;
    assert_eq!(case_status, 403);
    let (status, _) = other.list(&case).await;
    assert_eq!(status, case_status);
    for path in [
        format!("/cases/{case}/attachments/{id}"),
        format!("/cases/{case}/attachments/{id}/thumbnail"),
    ] {
        let res = other.fetch(&path).await;
        assert_eq!(res.status().as_u16(), case_status, "{path}");
        assert!(!res.text().await.unwrap().contains("PNG"));
    }
    let denied = &app.audit_tail(1)[0];
    assert_eq!(
        (
            denied.action.as_str(),
            denied.outcome.as_str(),
            denied.username.as_deref()
        ),
        ("view_thumbnail", "denied", Some("cw.two"))
    );
    let (status, _) = other.upload(&case, "photos", "x.png", &png()).await;
    assert_eq!(status, case_status);
    let (status, _) = other
        .json(
            Method::DELETE,
            &format!("/cases/{case}/attachments/{id}"),
            None,
        )
        .await;
    assert_eq!(status, case_status);
    assert_eq!(attachment_rows(&app), 1);

    // Their own case does not open someone else's attachment either.
    let theirs = other.new_case().await;
    let res = other
        .fetch(&format!("/cases/{theirs}/attachments/{id}"))
        .await;
    assert_eq!(res.status(), 404);
    // Nor does an unknown case.
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(api.list(unknown).await.0, 404);
    assert_eq!(
        api.json(Method::GET, &format!("/cases/{unknown}"), None)
            .await
            .0,
        404
    );
}

async fn file_names_are_sanitised(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    for (given, kept) in [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\x.pdf", "x.pdf"),
        ("a\0b\nc\r\n.pdf", "ab c .pdf"),
        ("report\u{202E}fdp.exe", "reportfdp.exe.pdf"),
    ] {
        let (status, body) = api.upload(&case, "other_documents", given, pdf).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["file_name"], kept, "{given:?}");
        let id = body["data"]["id"].as_str().unwrap();
        let res = api.fetch(&format!("/cases/{case}/attachments/{id}")).await;
        assert_eq!(header(&res, "content-type"), "application/pdf");
        let disposition = header(&res, "content-disposition").to_owned();
        assert!(
            disposition.starts_with("attachment; filename*=UTF-8''"),
            "{disposition}"
        );
        let encoded = disposition.rsplit("''").next().unwrap();
        assert!(
            !encoded.contains(['/', '\\', '"', ' ', ';', '\0', '\n']),
            "{disposition}"
        );
    }
    // Stored once, by hash, and nowhere under a name that was given.
    let files = stored_files(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    let sha = casekeep::attachments::store::sha256_hex(pdf);
    assert_eq!(
        files[0],
        app.store
            .data_dir()
            .join("files")
            .join(&sha[..2])
            .join(&sha)
    );
    assert!(!app.store.dir.path().join("etc/passwd").exists());
}

async fn removal_hides_keeps_and_is_audited(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let (_, body) = api
        .upload(&case, "recorded_audio", "interview.wav", &wav())
        .await;
    assert_eq!(body["data"]["content_type"], "audio/wav", "{body}");
    assert_eq!(body["data"]["thumbnail"], false);
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let res = api.fetch(&format!("/cases/{case}/attachments/{id}")).await;
    assert!(header(&res, "content-disposition").starts_with("attachment;"));
    let path = format!("/cases/{case}/attachments/{id}");
    let (status, body) = api.json(Method::DELETE, &path, None).await;
    assert_eq!(
        (status, body["data"]["id"].as_str()),
        (200, Some(id.as_str()))
    );
    let removal = &app.audit_tail(1)[0];
    assert_eq!(
        (removal.action.as_str(), removal.outcome.as_str()),
        ("remove_attachment", "done")
    );
    assert!(removal.detail.contains(&id));
    let (_, list) = api.list(&case).await;
    assert_eq!(list["metadata"]["total"], 0);
    assert_eq!(api.fetch(&path).await.status(), 404);
    assert_eq!(api.json(Method::DELETE, &path, None).await.0, 404);
    // Kept: the row (marked) and its file.
    assert_eq!(attachment_rows(&app), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

/// The smallest WAV file: a header and a few silent samples.
fn wav() -> Vec<u8> {
    let samples = [0u8; 16];
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&[1, 0, 1, 0]);
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&[1, 0, 8, 0]);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(&samples);
    out
}

on_both_backends!(
    upload_list_download_thumbnail,
    wrong_types_are_refused,
    only_those_who_see_the_case,
    file_names_are_sanitised,
    removal_hides_keeps_and_is_audited,
);

#[path = "attachments/limits.rs"]
mod limits;
#[path = "attachments/metadata.rs"]
mod metadata;
#[path = "attachments/pages.rs"]
mod pages;
