UPDATE roles SET permissions = replace(permissions, ',"cases:consent_override"', '');
DROP TRIGGER transitions_generation_update;
DROP TRIGGER transitions_generation_insert;
DROP TABLE transitions;
