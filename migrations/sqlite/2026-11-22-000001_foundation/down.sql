DROP TRIGGER IF EXISTS audit_log_no_delete;
DROP TRIGGER IF EXISTS audit_log_no_update;
DROP TABLE audit_chain_head;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE roles;
