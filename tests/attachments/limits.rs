//! Size limits: per file (before the body is buffered where the request says its length) and
//! per record.

use base64::Engine;
use reqwest::Method;

use super::{attachment_rows, multipart, stored_files, Api, PW};
use crate::common::{Backend, TestApp};

async fn size_limits(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.attachments.max_file_bytes = 64 * 1024;
        c.attachments.max_record_bytes = 100 * 1024;
    })
    .await;
    app.create_user("cw.one", "caseworker", PW);
    let api = Api::new(&app, "cw.one");
    let case = api.new_case().await;
    let text = |n: usize| "a".repeat(n).into_bytes();
    // Over the limit once decoded, over the body limit, and announced too large in a form.
    for size in [70 * 1024, 200 * 1024] {
        let (status, body) = api
            .upload(&case, "other_documents", "big.txt", &text(size))
            .await;
        assert_eq!(status, 413, "{body}");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("64 KiB"));
    }
    let big = text(300 * 1024);
    let (status, _) = api
        .upload_form(
            &case,
            &[
                ("field_name", None, b"other_documents"),
                ("attachment", Some("big.txt"), &big),
            ],
        )
        .await;
    assert_eq!(status, 413);
    // Streamed past the limit without announcing its length: refused all the same.
    let (content_type, body) = multipart(&[
        ("field_name", None, b"other_documents"),
        ("attachment", Some("big.txt"), &big),
    ]);
    let status = chunked_post(
        &app,
        &format!("/api/v2/cases/{case}/attachments"),
        &content_type,
        body,
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(attachment_rows(&app), 0, "nothing stored");
    assert!(stored_files(&app).is_empty());

    // The record's room: 40 + 40 KiB fit in 100 KiB, a third does not until one is removed.
    let (status, first) = api
        .upload(&case, "other_documents", "1.txt", &text(40 * 1024))
        .await;
    assert_eq!(status, 200, "{first}");
    let (status, _) = api
        .upload(&case, "other_documents", "2.txt", &text(40 * 1024 + 1))
        .await;
    assert_eq!(status, 200);
    let (status, body) = api
        .upload(&case, "other_documents", "3.txt", &text(40 * 1024 + 2))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("100 KiB"));
    let id = first["data"]["id"].as_str().unwrap();
    let (status, _) = api
        .json(
            Method::DELETE,
            &format!("/cases/{case}/attachments/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .upload(&case, "other_documents", "3.txt", &text(40 * 1024 + 2))
        .await;
    assert_eq!(status, 200);
}

/// Posts a body in chunks, without a length, on a connection of its own (as cw.one); returns
/// the status. The server may answer before the whole body is sent.
async fn chunked_post(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("cw.one:{PW}"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.write_all(head.as_bytes()).unwrap();
        for chunk in body.chunks(16 * 1024) {
            let sent = conn
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .and_then(|()| conn.write_all(chunk))
                .and_then(|()| conn.write_all(b"\r\n"));
            if sent.is_err() {
                break; // The server has answered and closed.
            }
        }
        let _ = conn.write_all(b"0\r\n\r\n");
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    })
    .await
    .unwrap()
}

crate::on_both_backends!(size_limits);
