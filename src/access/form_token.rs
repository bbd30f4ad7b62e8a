//! The CSRF token of a multipart form (file uploads), for the gate.
//!
//! A URL-encoded form is small and the gate reads it whole; an upload is not, and must reach the
//! handler as a stream so that its size limit holds. So upload forms put the token in their
//! first field, and the gate reads only the start of the body, up to [`MAX_HEAD`] bytes, to find
//! it, then hands the body on complete. The token's secrecy is what protects: a form whose first
//! field is not the token is refused like a form without one.

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};

use crate::error::{AppError, AppResult, ErrorCode};

/// Most bytes read from the start of a body to find the token.
pub const MAX_HEAD: usize = 8 * 1024;

/// What the start of a body says so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan {
    /// Not enough bytes yet to tell.
    NeedMore,
    /// The first field is the one asked for, with this value.
    Found(String),
    /// The first field is another one, or the body is not a multipart form.
    Absent,
}

/// Looks for the field `name` as the first part of a multipart body with this boundary.
pub fn first_field(body: &[u8], boundary: &str, name: &str) -> Scan {
    let opening = format!("--{boundary}\r\n");
    if body.len() < opening.len() {
        return if opening.as_bytes().starts_with(body) {
            Scan::NeedMore
        } else {
            Scan::Absent
        };
    }
    let Some(rest) = body.strip_prefix(opening.as_bytes()) else {
        return Scan::Absent;
    };
    let Some(end_of_headers) = find(rest, b"\r\n\r\n") else {
        return Scan::NeedMore;
    };
    let Ok(headers) = std::str::from_utf8(&rest[..end_of_headers]) else {
        return Scan::Absent;
    };
    if !headers.split("\r\n").any(|h| names_field(h, name)) {
        return Scan::Absent;
    }
    let value = &rest[end_of_headers + 4..];
    let closing = format!("\r\n--{boundary}");
    match find(value, closing.as_bytes()) {
        Some(end) => match std::str::from_utf8(&value[..end]) {
            Ok(v) => Scan::Found(v.to_owned()),
            Err(_) => Scan::Absent,
        },
        None => Scan::NeedMore,
    }
}

/// Whether a part header is `Content-Disposition: form-data; name="<name>"` (no file).
fn names_field(header: &str, name: &str) -> bool {
    let Some((key, value)) = header.split_once(':') else {
        return false;
    };
    if !key.trim().eq_ignore_ascii_case("content-disposition") {
        return false;
    }
    let mut params = value.split(';').map(str::trim);
    if !params
        .next()
        .is_some_and(|d| d.eq_ignore_ascii_case("form-data"))
    {
        return false;
    }
    let mut named = false;
    for p in params {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => named = v.trim().trim_matches('"') == name,
            "filename" | "filename*" => return false,
            _ => {}
        }
    }
    named
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of the field `name` if it is the first field of the request's multipart body. The
/// body is put back whole for the handler either way.
pub async fn from_multipart(req: &mut ServiceRequest, name: &str) -> AppResult<Option<String>> {
    let boundary = match req.mime_type() {
        Ok(Some(m)) if m.essence_str() == "multipart/form-data" => {
            match m.get_param(actix_web::mime::BOUNDARY) {
                Some(b) => b.as_str().to_owned(),
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    let mut payload = req.take_payload();
    let mut head = BytesMut::new();
    let found = loop {
        match first_field(&head, &boundary, name) {
            Scan::Found(v) => break Some(v),
            Scan::Absent => break None,
            Scan::NeedMore if head.len() >= MAX_HEAD => break None,
            Scan::NeedMore => match payload.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    return Err(
                        AppError::new(ErrorCode::BadRequest, "The form could not be read.")
                            .with_cause(e),
                    )
                }
                None => break None,
            },
        }
    };
    let start: Bytes = head.freeze();
    let whole =
        futures_util::stream::once(async move { Ok::<_, PayloadError>(start) }).chain(payload);
    let boxed: std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(whole);
    req.set_payload(Payload::from(boxed));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "----x1y2";

    fn form(first: &str, value: &str) -> Vec<u8> {
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"{first}\"\r\n\r\n{value}\r\n--{B}\r\n\
             Content-Disposition: form-data; name=\"attachment\"; filename=\"a.jpg\"\r\n\r\nDATA\r\n--{B}--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn finds_the_token_as_the_first_field() {
        let body = form("csrf_token", "tok123");
        assert_eq!(
            first_field(&body, B, "csrf_token"),
            Scan::Found("tok123".into())
        );
        // Arriving a byte at a time, it needs more until the value's end is seen.
        for n in 0..body.len() {
            let scan = first_field(&body[..n], B, "csrf_token");
            assert!(
                matches!(scan, Scan::NeedMore | Scan::Found(_)),
                "{n}: {scan:?}"
            );
        }
    }

    #[test]
    fn anything_else_first_is_no_token() {
        assert_eq!(
            first_field(&form("field_name", "photos"), B, "csrf_token"),
            Scan::Absent
        );
        assert_eq!(
            first_field(&form("csrf_token_x", "t"), B, "csrf_token"),
            Scan::Absent
        );
        let file_first = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"csrf_token\"; filename=\"t\"\r\n\r\nt\r\n--{B}--"
        );
        assert_eq!(
            first_field(file_first.as_bytes(), B, "csrf_token"),
            Scan::Absent
        );
        assert_eq!(first_field(b"garbage", B, "csrf_token"), Scan::Absent);
        assert_eq!(
            first_field(&form("csrf_token", "t"), "other", "csrf_token"),
            Scan::Absent
        );
    }
}
