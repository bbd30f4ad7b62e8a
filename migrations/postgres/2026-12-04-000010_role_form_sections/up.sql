-- What a role may do with each form section: a JSON object of section id to "rw" (read and
-- write, also for any section not listed), "r" (read only) or "hidden" (never sent to its
-- users, in pages or in the API).
ALTER TABLE roles ADD COLUMN form_section_access TEXT NOT NULL DEFAULT '{}';
