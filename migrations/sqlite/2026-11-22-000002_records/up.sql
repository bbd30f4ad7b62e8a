-- Records of every type (cases now; incidents, tracing requests and families later) share one
-- table: form data as JSON, plus the fields lists filter and sort on, kept in step with the JSON
-- by one code path (records::projection).
CREATE TABLE records (
    id TEXT PRIMARY KEY NOT NULL,
    record_type TEXT NOT NULL,
    short_id TEXT NOT NULL,
    display_id TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    owned_by TEXT REFERENCES users (id),
    owned_by_agency TEXT,
    owned_by_groups TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    name_sort TEXT NOT NULL DEFAULT '',
    sex TEXT,
    age INTEGER,
    date_of_birth DATE,
    registration_date DATE,
    risk_level TEXT,
    location_current TEXT,
    flagged BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX records_display_id ON records (record_type, display_id);
CREATE INDEX records_short_id ON records (record_type, short_id);
-- Lists page through these in order (the id breaks ties, in the same direction), so the
-- database reads a page from the index instead of sorting every record.
CREATE INDEX records_list_registration ON records (record_type, enabled, registration_date, id);
CREATE INDEX records_list_status_registration ON records (record_type, enabled, status, registration_date, id);
CREATE INDEX records_list_updated ON records (record_type, enabled, updated_at, id);
CREATE INDEX records_owned_by ON records (owned_by);
CREATE INDEX records_sex ON records (record_type, sex);
CREATE INDEX records_age ON records (record_type, age);
CREATE INDEX records_risk ON records (record_type, risk_level);
CREATE INDEX records_location ON records (record_type, location_current);
CREATE INDEX records_name_sort ON records (record_type, enabled, name_sort, id);
CREATE INDEX records_created ON records (record_type, enabled, created_at, id);

CREATE TABLE record_assignments (
    record_id TEXT NOT NULL REFERENCES records (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX record_assignments_user ON record_assignments (user_id);

-- Name search: normalised and phonetic terms per record (records::search).
CREATE TABLE record_search_terms (
    term TEXT NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    PRIMARY KEY (term, record_id)
);
CREATE INDEX record_search_terms_record ON record_search_terms (record_id);

-- Who changed which field from what to what, one row per saved version.
CREATE TABLE record_history (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    version BIGINT NOT NULL,
    action TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT,
    changes TEXT NOT NULL
);
CREATE UNIQUE INDEX record_history_version ON record_history (record_id, version, action);

CREATE TABLE record_flags (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    message TEXT NOT NULL,
    flagged_by TEXT NOT NULL,
    flagged_at TIMESTAMP NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT 0,
    unflag_message TEXT,
    unflagged_by TEXT,
    unflagged_at TIMESTAMP
);
CREATE INDEX record_flags_record ON record_flags (record_id);

-- Next number for human ids, per record type.
CREATE TABLE record_counters (
    record_type TEXT PRIMARY KEY NOT NULL,
    next_value BIGINT NOT NULL
);
INSERT INTO record_counters (record_type, next_value) VALUES ('case', 0);
