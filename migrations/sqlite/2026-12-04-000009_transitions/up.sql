-- Transitions: a record moving between people and organisations. One row per assignment,
-- transfer or referral, kept for good (the case's history of who held it and who was asked to
-- help). A pending transfer and an active referral give their recipient access to that one
-- record (see records::reach); the row's status decides, so revoking takes effect at once.
CREATE TABLE transitions (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    record_type TEXT NOT NULL,
    -- assign, transfer, referral
    kind TEXT NOT NULL,
    -- assign: done; transfer: in_progress, accepted, rejected, revoked;
    -- referral: in_progress, accepted, rejected, done, revoked
    status TEXT NOT NULL,
    transitioned_by TEXT NOT NULL REFERENCES users (id),
    -- The recipient in this system; NULL for a referral to someone outside it.
    transitioned_to TEXT REFERENCES users (id),
    transitioned_to_agency TEXT,
    -- A referral outside the system: the provider's name as the sender wrote it.
    transitioned_to_remote TEXT,
    remote BOOLEAN NOT NULL DEFAULT 0,
    -- The service referred for (a value of lookup-service-type) and the case's service entry.
    service TEXT,
    service_record_id TEXT,
    consent_overridden BOOLEAN NOT NULL DEFAULT 0,
    consent_individual_transfer BOOLEAN NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    rejected_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP,
    responded_by TEXT REFERENCES users (id)
);
CREATE INDEX transitions_record ON transitions (record_id, created_at);
CREATE INDEX transitions_recipient ON transitions (transitioned_to, status);

-- Who a transition lets in decides what lists show: move the list caches on.
CREATE TRIGGER transitions_generation_insert AFTER INSERT ON transitions BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER transitions_generation_update AFTER UPDATE ON transitions BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;

-- A new action, referring without recorded consent, for the seeded roles that supervise
-- (roles are seeded only when missing, so existing instances get it here). Placed beside
-- "approve", which both roles hold unless an administrator removed it.
UPDATE roles SET permissions = replace(
    permissions, '"cases:approve"', '"cases:approve","cases:consent_override"'
) WHERE id IN ('superuser', 'case-manager') AND permissions NOT LIKE '%cases:consent_override%';
