-- Roles whose users must set up two-step sign-in before they can do anything else. On by default
-- for the roles that can reach the most: superuser, system administrator, data-protection officer.
-- (A fresh instance seeds its roles after the migrations, with the same defaults.)
ALTER TABLE roles ADD COLUMN requires_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE roles SET requires_second_factor = TRUE WHERE id IN ('superuser', 'system-admin', 'dpo');
