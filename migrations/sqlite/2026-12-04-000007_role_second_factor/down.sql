ALTER TABLE roles DROP COLUMN requires_second_factor;
