-- The TOTP second factor (RFC 6238) of an account, and its one-use recovery codes.
-- A row with confirmed_at NULL is an enrolment begun but not yet proved with a code: it does
-- not protect the account until confirmed. last_step is the time step of the last code
-- accepted; a code is accepted only for a later step, so each code works once.
CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    -- Base32 TOTP secret, as authenticator apps take it.
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
-- Only the SHA-256 of each recovery code is stored: codes are random and long, so a hash
-- without a salt cannot be reversed, and a copy of the database cannot be used to sign in.
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
