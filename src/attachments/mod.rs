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
pub mod metadata;
pub mod names;
pub mod pages;
pub mod service;
pub mod store;
pub mod thumbnail;
pub mod upload;

pub use kinds::Kind;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::forms::{Catalog, FieldType};

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

/// The kind of attachment a form field holds: a field of the record's form, not removed, whose
/// type is photo, document or audio; `None` for anything else.
pub fn attachment_field_kind(catalog: &Catalog, field_name: &str) -> Option<Kind> {
    let field = catalog.field(field_name).filter(|f| f.visible)?;
    match field.kind {
        FieldType::Photo => Some(Kind::Photo),
        FieldType::Document => Some(Kind::Document),
        FieldType::Audio => Some(Kind::Audio),
        _ => None,
    }
}

/// The attachment fields a user can upload to, in form order: name and label.
pub fn upload_fields(catalog: &Catalog, lang: &str) -> Vec<(String, String)> {
    catalog
        .visible_sections()
        .flat_map(|s| &s.fields)
        .filter(|f| f.visible && f.kind.is_attachment())
        .map(|f| (f.name.clone(), f.label.get(lang).to_owned()))
        .collect()
}

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
        let catalog = crate::forms::standard::case_catalog().unwrap();
        assert_eq!(attachment_field_kind(catalog, "photos"), Some(Kind::Photo));
        assert_eq!(
            attachment_field_kind(catalog, "other_documents"),
            Some(Kind::Document)
        );
        assert_eq!(
            attachment_field_kind(catalog, "recorded_audio"),
            Some(Kind::Audio)
        );
        for not in [
            "",
            "name_first",
            "photo",
            "Photos",
            "x_photo/../y",
            "notes_section",
        ] {
            assert_eq!(attachment_field_kind(catalog, not), None, "{not:?}");
        }
        let names: Vec<String> = upload_fields(catalog, "en")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["photos", "recorded_audio", "other_documents"]);
    }
}
