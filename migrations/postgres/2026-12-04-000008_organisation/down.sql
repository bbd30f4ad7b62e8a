DROP TRIGGER users_agency_generation ON users;
DROP TRIGGER user_groups_generation ON user_groups;
DROP TRIGGER user_group_members_generation ON user_group_members;
DROP TABLE user_group_members;
DROP TABLE user_groups;
DROP INDEX users_agency_id;
ALTER TABLE users DROP COLUMN agency_id;
