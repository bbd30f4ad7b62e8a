ALTER TABLE roles DROP COLUMN form_section_access;
