-- Alerts: something happened on a user's case that they did not do themselves (a change, a
-- flag, a file, an assignment, a transfer or referral sent to them or answered, an approval
-- decided). Shown on their home page until they open the case.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX alerts_user ON alerts (user_id, created_at);
CREATE INDEX alerts_record ON alerts (record_id);
