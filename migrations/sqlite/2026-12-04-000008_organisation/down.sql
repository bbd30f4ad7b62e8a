DROP TRIGGER users_agency_generation_update;
DROP TRIGGER user_groups_generation_update;
DROP TRIGGER user_group_members_generation_delete;
DROP TRIGGER user_group_members_generation_insert;
DROP TABLE user_group_members;
DROP TABLE user_groups;
DROP INDEX users_agency_id;
ALTER TABLE users DROP COLUMN agency_id;
