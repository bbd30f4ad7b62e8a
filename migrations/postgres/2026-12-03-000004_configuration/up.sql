-- Forms and lookups as configuration. A section is stored as one JSON document holding its fields
-- (checked by the application on every load and save), so a change to a section is one row.
CREATE TABLE form_sections (
    record_type TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    definition TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (record_type, id)
);

CREATE TABLE lookups (
    id TEXT PRIMARY KEY NOT NULL,
    definition TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT
);

-- One number that every configuration change (forms, lookups, locations, agencies) raises in the
-- same transaction; the in-memory form catalog reloads when it differs. Version 0 means the
-- standard forms were never installed.
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    -- Random, new at every change: what the in-memory catalogs are keyed by, so that two
    -- databases (or a restored copy) never share a cached form.
    stamp TEXT NOT NULL
);
INSERT INTO config_version (id, version, stamp) VALUES (1, 0, '');

-- The location tree: admin levels 0 (country) to 5, each place below its parent.
CREATE TABLE locations (
    code TEXT PRIMARY KEY NOT NULL,
    admin_level INTEGER NOT NULL CHECK (admin_level BETWEEN 0 AND 5),
    parent_code TEXT REFERENCES locations (code),
    location_type TEXT,
    names TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX locations_parent ON locations (parent_code);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    names TEXT NOT NULL,
    services TEXT NOT NULL DEFAULT '[]',
    logo_sha256 TEXT,
    logo_content_type TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
