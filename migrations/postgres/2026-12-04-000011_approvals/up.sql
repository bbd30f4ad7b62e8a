-- Approvals of a case's assessment, case plan and closure: requested by the case worker,
-- decided by a manager of one of the owner's user groups, with comments on both sides. Kept
-- for good: a case's approvals are part of its record.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    -- assessment, case_plan, closure
    approval_type TEXT NOT NULL,
    -- requested, approved, rejected
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    request_comments TEXT NOT NULL DEFAULT '',
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_comments TEXT NOT NULL DEFAULT ''
);
CREATE INDEX approvals_record ON approvals (record_id, requested_at);
