//! Reading an upload from a request: Primero's JSON (`{"data": {"attachment": "<base64>", ...}}`)
//! or a browser's multipart/form-data. Bodies are read as streams with a ceiling, so a file over
//! the limit is refused as soon as it shows (at once, when the request announces its length),
//! never buffered whole first.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use futures_util::StreamExt;
use serde::Deserialize;

use super::service::{too_large, Upload};
use crate::error::{AppError, AppResult, ErrorCode, Problem};

/// Room in a body for everything but the file: the JSON envelope, the form's other fields and
/// the multipart boundaries.
const ENVELOPE: u64 = 64 * 1024;
/// Longest text field read from a form (field name, description, file name).
const MAX_TEXT: usize = 8 * 1024;
/// Most parts read from one form.
const MAX_PARTS: usize = 16;

/// Reads an upload whose file may have at most `max_file` bytes.
pub async fn read(req: &HttpRequest, payload: web::Payload, max_file: u64) -> AppResult<Upload> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => read_json(req, payload, max_file).await,
        "multipart/form-data" => {
            let upload = read_form(req, payload, max_file, "attachment").await?;
            if upload.field_name.is_empty() {
                return Err(required("field_name"));
            }
            Ok(upload)
        }
        _ => Err(AppError::new(
            ErrorCode::BadRequest,
            "Send the file as JSON ({\"data\": {\"attachment\": \"<base64>\", ...}}) or as multipart/form-data.",
        )),
    }
}

/// Refuses at once a body that announces more than `limit` bytes.
fn check_announced(req: &HttpRequest, limit: u64, max_file: u64) -> AppResult<()> {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match announced {
        Some(n) if n > limit => Err(too_large(max_file)),
        _ => Ok(()),
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::BadRequest, "The upload could not be read.").with_cause(e)
}

fn required(field: &str) -> AppError {
    AppError::validation(vec![Problem {
        field: field.into(),
        kind: "required",
        message: format!("{field} is required"),
    }])
}

#[derive(Deserialize)]
struct JsonUpload {
    data: JsonData,
}

#[derive(Deserialize)]
struct JsonData {
    field_name: Option<String>,
    file_name: Option<String>,
    attachment: Option<String>,
    description: Option<String>,
}

async fn read_json(
    req: &HttpRequest,
    mut payload: web::Payload,
    max_file: u64,
) -> AppResult<Upload> {
    // Base64 takes four characters for every three bytes.
    let limit = max_file.saturating_mul(4) / 3 + ENVELOPE;
    check_announced(req, limit, max_file)?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(max_file));
        }
        body.extend_from_slice(&chunk);
    }
    let parsed: JsonUpload = serde_json::from_slice(&body).map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("The request body is not the expected JSON: {e}"),
        )
    })?;
    drop(body);
    let d = parsed.data;
    let encoded = d.attachment.ok_or_else(|| required("attachment"))?;
    Ok(Upload {
        field_name: d.field_name.ok_or_else(|| required("field_name"))?,
        file_name: d.file_name.unwrap_or_default(),
        description: d.description,
        bytes: decode_base64(&encoded)?,
    })
}

/// Standard base64, with or without padding and line breaks, optionally as a `data:` URL
/// (what a browser's FileReader gives); the type a data URL names is ignored like any other
/// claim about the file.
fn decode_base64(encoded: &str) -> AppResult<Vec<u8>> {
    let encoded = match encoded.strip_prefix("data:") {
        Some(url) => url.split_once(";base64,").map(|(_, b)| b).unwrap_or(url),
        None => encoded,
    };
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    engine.decode(compact).map_err(|_| {
        AppError::validation(vec![Problem {
            field: "attachment".into(),
            kind: "not_base64",
            message: "attachment must be the file's content in base64".into(),
        }])
    })
}

/// A multipart form as read: its one file (empty when none was chosen) and its text fields.
pub struct Form {
    pub file_name: String,
    pub file: Vec<u8>,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The text of the field `name`, if the form has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a multipart form whose file, in the part named `file_part`, may have at most
/// `max_file` bytes. Used by every form that sends a file, so that each has the same limits:
/// the file's size, [`MAX_TEXT`] per text field and [`MAX_PARTS`] parts.
pub async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    max_file: u64,
    file_part: &str,
) -> AppResult<Form> {
    check_announced(req, max_file.saturating_add(ENVELOPE), max_file)?;
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut form = Form {
        file_name: String::new(),
        file: Vec::new(),
        fields: Vec::new(),
    };
    let (mut file_seen, mut parts) = (false, 0);
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(unreadable)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::new(
                ErrorCode::BadRequest,
                "The form has too many parts.",
            ));
        }
        let name = part.name().unwrap_or_default().to_owned();
        if name == file_part {
            if file_seen {
                return Err(AppError::new(
                    ErrorCode::BadRequest,
                    "Send one file per upload.",
                ));
            }
            file_seen = true;
            if let Some(cd) = part.content_disposition() {
                let given = cd.get_filename().map(str::to_owned).or_else(|| {
                    cd.get_filename_ext()
                        .map(|ext| String::from_utf8_lossy(&ext.value).into_owned())
                });
                form.file_name = given.unwrap_or_default();
            }
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(unreadable)?;
                if (form.file.len() + chunk.len()) as u64 > max_file {
                    return Err(too_large(max_file));
                }
                form.file.extend_from_slice(&chunk);
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if text.len() + chunk.len() > MAX_TEXT {
                return Err(AppError::invalid(&name, format!("{name} is too long")));
            }
            text.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(text)
            .map_err(|_| AppError::invalid(&name, format!("{name} is not valid text")))?;
        form.fields.push((name, text));
    }
    Ok(form)
}

/// Reads an upload form (an attachment or a logo): the file in `file_part` is required.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    max_file: u64,
    file_part: &str,
) -> AppResult<Upload> {
    let form = read_multipart(req, payload, max_file, file_part).await?;
    // A browser sends an empty file part when no file was chosen.
    if form.file.is_empty() && form.file_name.is_empty() {
        return Err(required(file_part));
    }
    let text = |name: &str| form.field(name).map(str::to_owned);
    Ok(Upload {
        field_name: text("field_name").unwrap_or_default(),
        description: text("description"),
        // Lets a client name the file apart from its part's own file name.
        file_name: text("file_name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| form.file_name.clone()),
        bytes: form.file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_clients_send_it() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("aGVs\r\nbG8=").unwrap(), b"hello");
        assert_eq!(
            decode_base64("data:image/gif;base64,aGVsbG8=").unwrap(),
            b"hello"
        );
        let e = decode_base64("not base64!").unwrap_err();
        assert_eq!(e.problems[0].kind, "not_base64");
    }
}
