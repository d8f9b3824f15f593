-- Revoking a role someone accepted (issue 20): the assignment stays, since the log names it as the
-- actor of what the person did, but it no longer grants anything; its invitation is marked revoked
-- too, so that reminders and imports leave the person alone.

-- +goose Up
ALTER TABLE role_assignments
    ADD COLUMN revoke_time   timestamptz,
    ADD COLUMN revoked_by    uuid REFERENCES users,
    ADD COLUMN revoke_reason text NOT NULL DEFAULT '' CHECK (char_length(revoke_reason) <= 2000);

-- +goose Down
ALTER TABLE role_assignments DROP COLUMN revoke_reason, DROP COLUMN revoked_by, DROP COLUMN revoke_time;
