//! What a file is, told from its bytes alone. The name a client gives a file and the type it
//! claims are never believed: a script renamed `photo.jpg` is still a script. Each kind of
//! attachment field accepts a fixed set of types; the configuration can narrow that set.

use infer::MatcherType;

use crate::error::{AppError, AppResult, Problem};

/// The kinds of attachment field a form can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Photo,
    Document,
    Audio,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Document => "document",
            Self::Audio => "audio",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "photo" => Some(Self::Photo),
            "document" => Some(Self::Document),
            "audio" => Some(Self::Audio),
            _ => None,
        }
    }

    /// The types a field of this kind can hold, before the configuration narrows them.
    pub fn types(self) -> &'static [&'static str] {
        match self {
            Self::Photo => PHOTO_TYPES,
            Self::Document => DOCUMENT_TYPES,
            Self::Audio => AUDIO_TYPES,
        }
    }
}

pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const PDF: &str = "application/pdf";
pub const TEXT: &str = "text/plain";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const ODT: &str = "application/vnd.oasis.opendocument.text";
const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODP: &str = "application/vnd.oasis.opendocument.presentation";
const DOC: &str = "application/msword";
const XLS: &str = "application/vnd.ms-excel";
const MP3: &str = "audio/mpeg";
const OGG: &str = "audio/ogg";
const WAV: &str = "audio/wav";
const M4A: &str = "audio/mp4";

/// What a file is when nothing recognises it.
pub const UNKNOWN_BINARY: &str = "application/octet-stream";
/// Text that starts like markup: a browser could take it for a page.
const MARKUP: &str = "text/html";

const PHOTO_TYPES: &[&str] = &[JPEG, PNG];
const DOCUMENT_TYPES: &[&str] = &[PDF, TEXT, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS];
const AUDIO_TYPES: &[&str] = &[MP3, OGG, WAV, M4A];

/// Every type Casekeep can recognise and accept: the default of `attachments.allowed_types`.
pub const KNOWN_TYPES: &[&str] = &[
    JPEG, PNG, PDF, TEXT, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, MP3, OGG, WAV, M4A,
];

/// The file name extensions that go with a type (the first is added to a download name that
/// has none of them, so that the file opens as what it is on the user's computer).
pub fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        JPEG => &["jpg", "jpeg"],
        PNG => &["png"],
        PDF => &["pdf"],
        TEXT => &["txt", "text", "csv", "log"],
        DOCX => &["docx"],
        XLSX => &["xlsx"],
        PPTX => &["pptx"],
        ODT => &["odt"],
        ODS => &["ods"],
        ODP => &["odp"],
        DOC => &["doc"],
        XLS => &["xls"],
        MP3 => &["mp3"],
        OGG => &["ogg", "oga", "opus"],
        WAV => &["wav"],
        M4A => &["m4a"],
        _ => &[],
    }
}

/// The type of a file, from its bytes. Never fails: something unrecognised is
/// `application/octet-stream`, or `text/plain` if it is clean text.
pub fn detect(bytes: &[u8]) -> &'static str {
    let text = is_clean_text(bytes);
    match infer::get(bytes) {
        // Markup and scripts: infer's text matchers. Never plain text.
        Some(t) if t.matcher_type() == MatcherType::Text => t.mime_type(),
        Some(t) => {
            let found = canonical(t.mime_type());
            // Some signatures are two or three letters ("BM" is a bitmap, "MZ" a Windows
            // program): real files of those types are binary, so clean text that merely starts
            // with them is text. A type we accept keeps its signature's word.
            if text && !KNOWN_TYPES.contains(&found) {
                text_type(bytes)
            } else {
                found
            }
        }
        None if text => text_type(bytes),
        None => UNKNOWN_BINARY,
    }
}

/// infer's names where they differ from the registered ones administrators configure.
fn canonical(mime: &'static str) -> &'static str {
    match mime {
        "audio/x-wav" => WAV,
        "audio/m4a" => M4A,
        // Opus in an Ogg container is an Ogg file.
        "audio/opus" => OGG,
        other => other,
    }
}

/// Valid UTF-8 without NUL bytes: what `text/plain` means here.
fn is_clean_text(bytes: &[u8]) -> bool {
    !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Plain text, unless it opens with `<` (after white space and a byte order mark): markup that
/// infer's list of tags does not name (`<svg`, `<img`...) is still markup.
fn text_type(bytes: &[u8]) -> &'static str {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => MARKUP,
        _ => TEXT,
    }
}

/// The type of an upload for a field of this kind, if both the kind and the configuration
/// accept it; otherwise a refusal that names the type found and the types accepted.
pub fn check(kind: Kind, bytes: &[u8], allowed: &[String]) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(problem("file_empty", "The file is empty.".into()));
    }
    let found = detect(bytes);
    let accepted: Vec<&str> = kind
        .types()
        .iter()
        .copied()
        .filter(|t| allowed.iter().any(|a| a == t))
        .collect();
    if accepted.contains(&found) {
        return Ok(found);
    }
    let list = if accepted.is_empty() {
        "no file types (the administrator has turned them all off)".to_owned()
    } else {
        accepted.join(", ")
    };
    Err(problem(
        "file_type_not_allowed",
        format!(
            "The file is {found}; {} attachments accept {list}.",
            kind.as_str()
        ),
    ))
}

fn problem(kind: &'static str, message: String) -> AppError {
    AppError::validation(vec![Problem {
        field: "attachment".into(),
        kind,
        message,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first bytes of real files of each kind; infer needs no more.
    const PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG_HEAD: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";

    fn all() -> Vec<String> {
        KNOWN_TYPES.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn images_are_told_by_their_bytes() {
        assert_eq!(detect(PNG_HEAD), PNG);
        assert_eq!(detect(JPEG_HEAD), JPEG);
        assert_eq!(check(Kind::Photo, PNG_HEAD, &all()).unwrap(), PNG);
    }

    #[test]
    fn text_is_text_whatever_it_is_called() {
        assert_eq!(detect(b"Visit notes\nAll well."), TEXT);
        let e = check(Kind::Photo, b"just text, named x.jpg", &all()).unwrap_err();
        assert_eq!(e.problems[0].kind, "file_type_not_allowed");
        assert!(e.problems[0].message.contains("text/plain"), "{e:?}");
        // Text that starts with a short binary signature ("BM" is a bitmap) is still text.
        assert_eq!(detect(b"BMI measured at the clinic"), TEXT);
    }

    #[test]
    fn markup_and_scripts_are_not_documents() {
        for html in [
            &b"<!DOCTYPE html><html><body>x</body></html>"[..],
            b"  <html><script>alert(1)</script></html>",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            b"\xEF\xBB\xBF<img src=x onerror=alert(1)>",
            b"<?xml version='1.0'?><a/>",
            b"#!/bin/sh\nrm -rf /\n",
        ] {
            let e = check(Kind::Document, html, &all()).unwrap_err();
            assert_eq!(e.problems[0].kind, "file_type_not_allowed");
            assert!(
                !e.problems[0].message.starts_with("The file is text/plain"),
                "{:?}",
                e.problems[0].message
            );
        }
    }

    #[test]
    fn binary_without_a_signature_and_broken_text_are_refused() {
        let e = check(Kind::Document, b"\0\x01\x02\x03", &all()).unwrap_err();
        assert!(e.problems[0].message.contains(UNKNOWN_BINARY));
        // Not UTF-8 (Latin-1 "é"), or with NUL bytes (UTF-16): not text/plain.
        assert_eq!(detect(b"caf\xE9"), UNKNOWN_BINARY);
        assert_eq!(detect(b"a\0b\0"), UNKNOWN_BINARY);
        let e = check(Kind::Document, b"", &all()).unwrap_err();
        assert_eq!(e.problems[0].kind, "file_empty");
    }

    #[test]
    fn documents_and_audio_signatures() {
        assert_eq!(detect(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), PDF);
        assert_eq!(detect(b"ID3\x04\0\0\0\0\0\0"), MP3);
        assert_eq!(detect(b"RIFF\x24\0\0\0WAVEfmt "), WAV);
        assert_eq!(detect(b"OggS\0\x02\0\0\0\0\0\0\0\0"), OGG);
        assert_eq!(detect(b"\0\0\0\x20ftypM4A \0\0\0\0"), M4A);
        // A zip that is not an office document is a zip.
        assert_eq!(detect(b"PK\x03\x04\x14\0\0\0\0\0"), "application/zip");
        let e = check(Kind::Audio, b"%PDF-1.7\n", &all()).unwrap_err();
        assert!(e.problems[0].message.contains(PDF));
    }

    /// A zip's first local file header (30 bytes) followed by the entry's name and content, as
    /// office files begin.
    fn zip_entry(name: &str, content: &str) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[0; 26]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content.as_bytes());
        out
    }

    #[test]
    fn office_documents_are_told_from_plain_zips() {
        assert_eq!(detect(&zip_entry("word/document.xml", "")), DOCX);
        assert_eq!(detect(&zip_entry("xl/workbook.xml", "")), XLSX);
        assert_eq!(detect(&zip_entry("ppt/slides/", "")), PPTX);
        let odt = zip_entry("mimetype", "application/vnd.oasis.opendocument.text");
        assert_eq!(detect(&odt), ODT);
        assert!(check(Kind::Document, &odt, &all()).is_ok());
        let e = check(Kind::Photo, &odt, &all()).unwrap_err();
        assert!(e.problems[0].message.contains(ODT), "{e:?}");
    }

    #[test]
    fn configuration_narrows_what_a_kind_accepts() {
        let only_png = vec![PNG.to_owned()];
        assert!(check(Kind::Photo, PNG_HEAD, &only_png).is_ok());
        let e = check(Kind::Photo, JPEG_HEAD, &only_png).unwrap_err();
        assert!(e.problems[0].message.contains("accept image/png."), "{e:?}");
        let e = check(Kind::Audio, b"ID3\x04\0\0", &only_png).unwrap_err();
        assert!(e.problems[0].message.contains("no file types"), "{e:?}");
    }

    #[test]
    fn every_known_type_has_a_kind_and_an_extension() {
        for t in KNOWN_TYPES {
            let kinds = [Kind::Photo, Kind::Document, Kind::Audio];
            assert!(kinds.iter().any(|k| k.types().contains(t)), "{t}");
            assert!(!extensions(t).is_empty(), "{t}");
        }
    }
}
