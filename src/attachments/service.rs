//! Attachment operations, shared by the API and the pages. Each starts with the record service's
//! scope check on the record (a refusal is audited there), so a caller who cannot see a case
//! gets exactly the answer the case itself would give, whatever attachment id they hold.

use diesel::prelude::*;

use super::store::FileStore;
use super::{attachment_field_kind, kinds, metadata, names, thumbnail, Attachment, Kind};
use crate::access::sections::SectionRight;
use crate::audit::{self, Audited, Outcome};
use crate::config::AttachmentsConfig;
use crate::db::schema::attachments;
use crate::db::{now, Db, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode, Problem};
use crate::records::service::{
    event, field_right, load_reachable, record_read, within_reach, Caller,
};
use crate::records::{Record, RecordKind};

/// Longest description kept, in characters.
pub const MAX_DESCRIPTION: usize = 1000;

/// A file as received, before anything is checked.
#[derive(Debug)]
pub struct Upload {
    pub field_name: String,
    pub file_name: String,
    pub description: Option<String>,
    pub bytes: Vec<u8>,
}

/// The refusal of a file over the size limit (413), with the limit in words.
pub fn too_large(limit: u64) -> AppError {
    AppError::new(
        ErrorCode::TooLarge,
        format!(
            "The file is too large: at most {} per file.",
            human_size(limit)
        ),
    )
}

/// A size for people: `10 MiB`, `512 KiB`, `300 bytes`.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} bytes")
    }
}

fn invalid(field: &str, kind: &'static str, message: String) -> AppError {
    AppError::validation(vec![Problem {
        field: field.into(),
        kind,
        message,
    }])
}

/// The record, if the caller may see it; otherwise the refusal the record itself gives (audited
/// under `action`). Called before an upload's body is read.
pub fn reach(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    record_id: &str,
    action: &'static str,
) -> AppResult<Record> {
    load_reachable(conn, kind, caller, record_id, action)
}

/// Bytes held by a record's attachments that are not removed.
fn used_bytes(conn: &mut DbConnection, record_id: &str) -> AppResult<i64> {
    let sizes: Vec<i64> = attachments::table
        .filter(attachments::record_id.eq(record_id))
        .filter(attachments::removed_at.is_null())
        .select(attachments::size)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

fn check_room(conn: &mut DbConnection, record_id: &str, size: i64, limit: u64) -> AppResult<()> {
    let used = used_bytes(conn, record_id)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    if used.saturating_add(size) > limit {
        return Err(invalid(
            "attachment",
            "record_attachments_full",
            format!(
                "This record's attachments would exceed {} in all ({} used). Remove some first.",
                human_size(limit.unsigned_abs()),
                human_size(used.unsigned_abs())
            ),
        ));
    }
    Ok(())
}

/// What is known about an upload once its bytes have been checked and stored.
struct Stored {
    kind: Kind,
    content_type: &'static str,
    sha256: String,
    /// Bytes stored: a photo's are fewer than were sent, without its metadata.
    size: i64,
    thumbnail_sha256: Option<String>,
}

/// Checks an upload's bytes and stores them (a photo without its metadata, and its thumbnail).
/// Blocking: file I/O and image decoding.
fn check_and_store(
    kind: Kind,
    bytes: Vec<u8>,
    allowed: &[String],
    store: &FileStore,
) -> AppResult<Stored> {
    let content_type = kinds::check(kind, &bytes, allowed)?;
    // Decoded before anything is stored: a photo that is not a valid image leaves nothing.
    let (bytes, thumb) = match kind {
        Kind::Photo => {
            let bytes = metadata::strip(bytes, content_type)?;
            let thumb = thumbnail::thumbnail(&bytes, content_type)?;
            (bytes, Some(thumb))
        }
        Kind::Document | Kind::Audio => (bytes, None),
    };
    let sha256 = store.put(&bytes)?;
    let thumbnail_sha256 = thumb.map(|t| store.put(&t)).transpose()?;
    Ok(Stored {
        kind,
        content_type,
        sha256,
        size: i64::try_from(bytes.len()).map_err(AppError::internal)?,
        thumbnail_sha256,
    })
}

/// Attaches a file to a record. Nothing is stored unless the field, the size, the record's room
/// and the file's type all pass; then the file is stored, and the row and its audit entry
/// commit together after the scope check and the room are checked again under the record's
/// lock.
pub async fn attach(
    db: &Db,
    store: FileStore,
    limits: &AttachmentsConfig,
    record: &'static RecordKind,
    caller: Caller,
    record_id: String,
    upload: Upload,
) -> AppResult<Attachment> {
    let catalog = db.run(move |c| record.catalog(c)).await?;
    let kind = attachment_field_kind(&catalog, &upload.field_name).ok_or_else(|| {
        invalid(
            "field_name",
            "not_an_attachment_field",
            format!("{:?} is not an attachment field.", upload.field_name),
        )
    })?;
    if field_right(&catalog, &caller.principal, &upload.field_name) < SectionRight::ReadWrite {
        return Err(AppError::forbidden());
    }
    let size = upload.bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(too_large(limits.max_file_bytes));
    }
    let description = upload
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(invalid(
            "description",
            "too_long",
            format!("The description is longer than {MAX_DESCRIPTION} characters."),
        ));
    }
    let size = i64::try_from(size).map_err(|_| too_large(limits.max_file_bytes))?;
    let room = limits.max_record_bytes;
    let (who, rid) = (caller.clone(), record_id.clone());
    db.run(move |c| {
        reach(c, record, &who, &rid, "attach")?;
        check_room(c, &rid, size, room)
    })
    .await?;

    let turn = match kind {
        Kind::Photo => Some(thumbnail::decode_turn().await?),
        Kind::Document | Kind::Audio => None,
    };
    let allowed = limits.allowed_types.clone();
    let Upload {
        field_name,
        file_name,
        bytes,
        ..
    } = upload;
    let stored = actix_web::web::block(move || check_and_store(kind, bytes, &allowed, &store))
        .await
        .map_err(AppError::internal)??;
    drop(turn);

    let row = Attachment {
        id: uuid::Uuid::new_v4().to_string(),
        record_id: record_id.clone(),
        field_name,
        kind: stored.kind.as_str().into(),
        sha256: stored.sha256,
        content_type: stored.content_type.into(),
        size: stored.size,
        file_name: names::sanitize(&file_name, stored.content_type),
        description,
        thumbnail_sha256: stored.thumbnail_sha256,
        created_at: now(),
        created_by: caller.principal.username.clone(),
        removed_at: None,
        removed_by: None,
    };
    db.run(move |c| {
        within_reach(c, record, &caller, &record_id, "attach", |c, r| {
            check_room(c, &r.id, row.size, room)?;
            diesel::insert_into(attachments::table)
                .values(&row)
                .execute(c)?;
            let e = event(record, "attach", Outcome::Done, &r).detail(row.audit_detail());
            audit::write(c, &caller.actor, e)?;
            crate::alerts::notify(
                c,
                &r.id,
                r.owned_by.as_deref(),
                crate::alerts::ATTACHMENT,
                &caller.principal.user_id,
            )?;
            Ok(row)
        })
    })
    .await
}

/// The attachments of a record that are not removed, oldest first, audited as one list.
pub fn list(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    record_id: &str,
) -> AppResult<Audited<(Record, Vec<Attachment>)>> {
    let record = load_reachable(conn, kind, caller, record_id, "list_attachments")?;
    let catalog = kind.catalog(conn)?;
    let mut rows: Vec<Attachment> = attachments::table
        .filter(attachments::record_id.eq(&record.id))
        .filter(attachments::removed_at.is_null())
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select(Attachment::as_select())
        .load(conn)?;
    // Files of a section hidden from the caller's role are not theirs to know of.
    rows.retain(|a| field_right(&catalog, &caller.principal, &a.field_name) >= SectionRight::Read);
    let e = event(kind, "list_attachments", Outcome::Done, &record)
        .detail(serde_json::json!({ "count": rows.len() }));
    let receipt = record_read(conn, caller, e)?;
    Ok(Audited::new((record, rows), receipt))
}

/// An attachment of this record that is not removed; any other id is unknown here (404).
fn find(conn: &mut DbConnection, record_id: &str, attachment_id: &str) -> AppResult<Attachment> {
    attachments::table
        .find(attachment_id)
        .filter(attachments::record_id.eq(record_id))
        .filter(attachments::removed_at.is_null())
        .select(Attachment::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(AppError::not_found)
}

/// Which bytes of an attachment to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    File,
    Thumbnail,
}

/// The bytes of an attachment (checked against their hash), audited as a view. Nothing is
/// returned before the audit entry has committed.
pub fn read(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    record_id: &str,
    attachment_id: &str,
    part: Part,
    store: &FileStore,
) -> AppResult<Audited<(Attachment, Vec<u8>)>> {
    let action = match part {
        Part::File => "view_attachment",
        Part::Thumbnail => "view_thumbnail",
    };
    let record = load_reachable(conn, kind, caller, record_id, action)?;
    let row = find(conn, &record.id, attachment_id)?;
    if field_right(&*kind.catalog(conn)?, &caller.principal, &row.field_name) < SectionRight::Read {
        return Err(AppError::not_found());
    }
    let sha256 = match part {
        Part::File => row.sha256.clone(),
        Part::Thumbnail => row
            .thumbnail_sha256
            .clone()
            .ok_or_else(AppError::not_found)?,
    };
    let bytes = store.get(&sha256)?;
    let e = event(kind, action, Outcome::Done, &record).detail(row.audit_detail());
    let receipt = record_read(conn, caller, e)?;
    Ok(Audited::new((row, bytes), receipt))
}

/// Removes an attachment from a record: hidden from then on, kept with its file, audited.
pub fn remove(
    conn: &mut DbConnection,
    kind: &RecordKind,
    caller: &Caller,
    record_id: &str,
    attachment_id: &str,
) -> AppResult<Attachment> {
    within_reach(
        conn,
        kind,
        caller,
        record_id,
        "remove_attachment",
        |c, r| {
            let mut row = find(c, &r.id, attachment_id)?;
            if field_right(&*kind.catalog(c)?, &caller.principal, &row.field_name)
                < SectionRight::ReadWrite
            {
                return Err(AppError::forbidden());
            }
            let at = now();
            diesel::update(attachments::table.find(&row.id))
                .set((
                    attachments::removed_at.eq(Some(at)),
                    attachments::removed_by.eq(Some(&caller.principal.username)),
                ))
                .execute(c)?;
            row.removed_at = Some(at);
            row.removed_by = Some(caller.principal.username.clone());
            let e = event(kind, "remove_attachment", Outcome::Done, &r).detail(row.audit_detail());
            audit::write(c, &caller.actor, e)?;
            Ok(row)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_size(512 * 1024), "512 KiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(300), "300 bytes");
    }
}
