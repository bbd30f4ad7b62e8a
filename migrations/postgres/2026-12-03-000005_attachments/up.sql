-- Files attached to records (photos, documents, recorded audio). The file itself lives in the
-- content-addressed store under the data directory, named by its SHA-256; a row refers to it by
-- that hash. Removal is a soft delete (removed_at/removed_by): the row and the file are kept for
-- backups and investigations, and a file is never deleted while any row names it.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    -- The form field it belongs to (photos, other_documents, recorded_audio, ...).
    field_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document', 'audio')),
    sha256 TEXT NOT NULL,
    -- Told from the bytes at upload, never from the name or the client.
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    -- The uploaded name, sanitised: for display and as the download name only, never a path.
    file_name TEXT NOT NULL,
    description TEXT,
    -- A reduced copy of a photo, in the same store (none for documents and audio).
    thumbnail_sha256 TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TIMESTAMP,
    removed_by TEXT
);
CREATE INDEX attachments_record ON attachments (record_id);
