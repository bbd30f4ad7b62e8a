//! Files attached to records: photos, documents and recorded audio.
//!
//! A file is accepted only for an attachment field of the record's form, only if its bytes are
//! one of the types that field's kind allows (and the configuration keeps), and only within the
//! size limits. It is stored by hash in the [`store`], photos with a thumbnail. Every access goes
//! through the record first, with the record service's own scope check: an attachment id alone
//! never reaches anything. Uploads, views of a file and removals are audited with the file's
//! hash, size and type, never its content or name (a name can say whose file it is).

pub mod api;
pub mod kinds;
pub mod names;
pub mod pages;
pub mod service;
pub mod store;
pub mod thumbnail;
pub mod upload;

pub use kinds::Kind;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::AttachmentsConfig;
use crate::db::schema::attachments;

/// The largest `attachments.max_file_bytes` allowed: uploads are held in memory while their
/// type is checked and their hash computed, and served whole after their hash is verified.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// Checks the `[attachments]` configuration; the message names the key at fault.
pub fn check_config(a: &AttachmentsConfig) -> Result<(), String> {
    if a.max_file_bytes == 0 || a.max_file_bytes > MAX_FILE_BYTES {
        return Err(format!(
            "attachments.max_file_bytes must be between 1 and {MAX_FILE_BYTES} (100 MiB)"
        ));
    }
    if a.max_record_bytes < a.max_file_bytes {
        return Err("attachments.max_record_bytes must be at least max_file_bytes".into());
    }
    let known = kinds::KNOWN_TYPES;
    if let Some(t) = a
        .allowed_types
        .iter()
        .find(|t| !known.contains(&t.as_str()))
    {
        return Err(format!(
            "attachments.allowed_types: {t:?} is not a type Casekeep can recognise; use some of: {}",
            known.join(", ")
        ));
    }
    Ok(())
}

/// The kind of attachment a form field holds, or `None` if it is not an attachment field.
///
/// This will consult the form catalog (the field's type: photo, document or audio upload box)
/// once the catalog knows those types; until then the standard forms' names are the rule:
/// `photos`, `other_documents`, `recorded_audio`, and any field named `..._photo` or
/// `..._document`.
pub fn attachment_field_kind(field_name: &str) -> Option<Kind> {
    let well_formed = !field_name.is_empty()
        && field_name.len() <= 100
        && field_name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return None;
    }
    match field_name {
        "photos" => Some(Kind::Photo),
        "other_documents" => Some(Kind::Document),
        "recorded_audio" => Some(Kind::Audio),
        f if f.len() > "_photo".len() && f.ends_with("_photo") => Some(Kind::Photo),
        f if f.len() > "_document".len() && f.ends_with("_document") => Some(Kind::Document),
        _ => None,
    }
}

/// The attachment fields offered in the upload form (the standard forms' fields).
pub const UPLOAD_FIELDS: [&str; 3] = ["photos", "other_documents", "recorded_audio"];

/// One attached file, as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct Attachment {
    pub id: String,
    pub record_id: String,
    pub field_name: String,
    pub kind: String,
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    pub description: Option<String>,
    pub thumbnail_sha256: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub removed_at: Option<NaiveDateTime>,
    pub removed_by: Option<String>,
}

impl Attachment {
    /// Whether a browser may show it in place: only images, whose types browsers never run.
    pub fn shown_inline(&self) -> bool {
        self.content_type == kinds::JPEG || self.content_type == kinds::PNG
    }

    /// Facts for the audit log: what file it was, never what it says or what it is called.
    pub fn audit_detail(&self) -> serde_json::Value {
        serde_json::json!({
            "attachment_id": self.id,
            "field_name": self.field_name,
            "sha256": self.sha256,
            "size": self.size,
            "content_type": self.content_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_fields_of_the_standard_forms() {
        assert_eq!(attachment_field_kind("photos"), Some(Kind::Photo));
        assert_eq!(
            attachment_field_kind("other_documents"),
            Some(Kind::Document)
        );
        assert_eq!(attachment_field_kind("recorded_audio"), Some(Kind::Audio));
        assert_eq!(attachment_field_kind("consent_photo"), Some(Kind::Photo));
        assert_eq!(
            attachment_field_kind("birth_certificate_document"),
            Some(Kind::Document)
        );
        for not in [
            "",
            "_photo",
            "name_first",
            "photo",
            "Photos",
            "x_photo/../y",
            "a_document\n",
        ] {
            assert_eq!(attachment_field_kind(not), None, "{not:?}");
        }
    }
}
