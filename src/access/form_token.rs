//! The CSRF token of a multipart form (file uploads), for the gate.
//!
//! A URL-encoded form is small and the gate reads it whole; an upload is not, and must reach the
//! handler as a stream so that its size limit holds. So upload forms put the token in their
//! first field, and the gate reads only the start of the body, up to [`MAX_HEAD`] bytes, to find
//! it, then hands the body on complete. The token's secrecy is what protects: a form whose first
//! field is not the token is refused like a form without one.

use actix_multipart::{Multipart, MultipartError};
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header::HeaderMap;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::{FutureExt, Stream, StreamExt};

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

/// Looks for the field `name` as the first part of `head`, the start of a multipart body sent
/// with these request headers. The parsing is actix-multipart's, the same as the handler's: a
/// body that stops short of the field's end asks for more.
///
/// `head` is all in memory, so the parser never has to wait for input: when it is not ready, it
/// is waiting for bytes that have not arrived, which is [`Scan::NeedMore`]. (Awaiting it instead
/// would wait for ever: nothing wakes a parser whose input has ended mid-part.)
pub fn first_field(headers: &HeaderMap, head: Bytes, name: &str) -> Scan {
    let stream = futures_util::stream::iter([Ok::<_, PayloadError>(head)]);
    let mut form = Multipart::new(headers, stream);
    let mut field = match form.next().now_or_never() {
        None | Some(Some(Err(MultipartError::Incomplete))) => return Scan::NeedMore,
        Some(Some(Ok(field))) => field,
        Some(Some(Err(_)) | None) => return Scan::Absent,
    };
    let is_file = field
        .content_disposition()
        .is_some_and(|cd| cd.get_filename().is_some() || cd.get_filename_ext().is_some());
    if field.name() != Some(name) || is_file {
        return Scan::Absent;
    }
    let mut value = Vec::new();
    loop {
        let Some(chunk) = field.next().now_or_never() else {
            return Scan::NeedMore;
        };
        match chunk {
            None => break,
            Some(Ok(chunk)) if value.len() + chunk.len() <= MAX_HEAD => {
                value.extend_from_slice(&chunk)
            }
            Some(Ok(_)) => return Scan::Absent,
            Some(Err(MultipartError::Incomplete)) => return Scan::NeedMore,
            Some(Err(_)) => return Scan::Absent,
        }
    }
    String::from_utf8(value).map_or(Scan::Absent, Scan::Found)
}

/// The value of the field `name` if it is the first field of the request's multipart body. The
/// body is put back whole for the handler either way.
pub async fn from_multipart(req: &mut ServiceRequest, name: &str) -> AppResult<Option<String>> {
    match req.mime_type() {
        Ok(Some(m)) if m.essence_str() == "multipart/form-data" => {}
        _ => return Ok(None),
    }
    let mut payload = req.take_payload();
    let mut head = BytesMut::new();
    let found = loop {
        // Nothing read yet is nothing to parse.
        let scan = if head.is_empty() {
            Scan::NeedMore
        } else {
            first_field(req.headers(), head.clone().freeze(), name)
        };
        match scan {
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
    use actix_web::http::header::{HeaderValue, CONTENT_TYPE};

    const B: &str = "----x1y2";

    fn headers(boundary: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let value = format!("multipart/form-data; boundary={boundary}");
        h.insert(CONTENT_TYPE, HeaderValue::from_str(&value).unwrap());
        h
    }

    fn form(first: &str, value: &str) -> Vec<u8> {
        format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"{first}\"\r\n\r\n{value}\r\n--{B}\r\n\
             Content-Disposition: form-data; name=\"attachment\"; filename=\"a.jpg\"\r\n\r\nDATA\r\n--{B}--\r\n"
        )
        .into_bytes()
    }

    fn scan(body: &[u8], boundary: &str) -> Scan {
        first_field(
            &headers(boundary),
            Bytes::copy_from_slice(body),
            "csrf_token",
        )
    }

    #[test]
    fn finds_the_token_as_the_first_field() {
        let body = form("csrf_token", "tok123");
        assert_eq!(scan(&body, B), Scan::Found("tok123".into()));
        // Arriving a byte at a time, it needs more until the value's end is seen.
        for n in 0..body.len() {
            let seen = scan(&body[..n], B);
            assert!(
                matches!(seen, Scan::NeedMore | Scan::Found(_)),
                "{n}: {seen:?}"
            );
        }
    }

    #[test]
    fn anything_else_first_is_no_token() {
        assert_eq!(scan(&form("field_name", "photos"), B), Scan::Absent);
        assert_eq!(scan(&form("csrf_token_x", "t"), B), Scan::Absent);
        let file_first = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"csrf_token\"; filename=\"t\"\r\n\r\nt\r\n--{B}--"
        );
        assert_eq!(scan(file_first.as_bytes(), B), Scan::Absent);
        // Another boundary never opens a part: more is asked for until the head limit or the
        // body's end, and the token is never found.
        assert_eq!(scan(&form("csrf_token", "t"), "other"), Scan::NeedMore);
    }
}
