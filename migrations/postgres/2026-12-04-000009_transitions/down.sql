UPDATE roles SET permissions = replace(permissions, ',"cases:consent_override"', '');
DROP TRIGGER transitions_generation ON transitions;
DROP TABLE transitions;
