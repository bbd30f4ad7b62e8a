-- The organisation: which agency a user works for, and the user groups (teams) they belong to.
-- A role's record scope reads them: "agency" reaches the records of users of the same agency,
-- "group" those of users who share a user group. Membership is read when a request is made, so
-- moving a user to another team moves what their supervisors see.
ALTER TABLE users ADD COLUMN agency_id TEXT REFERENCES agencies (id);
CREATE INDEX users_agency_id ON users (agency_id);

CREATE TABLE user_groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_lower ON user_groups (lower(name));

CREATE TABLE user_group_members (
    user_group_id TEXT NOT NULL REFERENCES user_groups (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (user_group_id, user_id)
);
CREATE INDEX user_group_members_user ON user_group_members (user_id);

-- Lists cached per scope must move on when who belongs where changes (see record_generations).
CREATE TRIGGER user_group_members_generation_insert AFTER INSERT ON user_group_members BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER user_group_members_generation_delete AFTER DELETE ON user_group_members BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER user_groups_generation_update AFTER UPDATE OF disabled ON user_groups BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
CREATE TRIGGER users_agency_generation_update AFTER UPDATE OF agency_id ON users BEGIN
    UPDATE record_generations SET generation = generation + 1;
END;
