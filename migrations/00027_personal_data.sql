-- Personal data (issue 21, part 4): erasing a person leaves rows whose texts are empty (the log names
-- those rows by id, so they stay), and every erasure is recorded here, outside the append-only log,
-- which carries only ids and commitments and so needs no change.

-- +goose Up
CREATE TABLE erasures (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The erased account, or NULL for someone who never signed in (erased by invitation).
    user_id       uuid        REFERENCES users,
    invitation_id uuid        REFERENCES invitations,
    erased_by     uuid        REFERENCES users,
    -- What was blanked, by table, for the organisers' record (counts, never the texts).
    counts        jsonb       NOT NULL DEFAULT '{}',
    erase_time    timestamptz NOT NULL DEFAULT now(),
    CHECK (user_id IS NOT NULL OR invitation_id IS NOT NULL)
);

ALTER TABLE users ADD COLUMN erase_time timestamptz;

-- An erased text is empty: these held at least one character before.
ALTER TABLE conflicts DROP CONSTRAINT conflicts_reason_check;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_reason_check CHECK (char_length(reason) <= 2000);
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_body_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_body_check CHECK (char_length(body) <= 20000);
-- Set when the retention job blanked the body (MIASTA_MAIL_BODY_RETENTION) or the recipient was erased.
ALTER TABLE mail_outbox ADD COLUMN body_erase_time timestamptz;

-- What the retention job looks for.
CREATE INDEX mail_outbox_final ON mail_outbox (update_time) WHERE status IN ('SENT', 'FAILED', 'DISCARDED') AND body_erase_time IS NULL;
CREATE INDEX mail_delivery_attempts_end ON mail_delivery_attempts (end_time);

-- The privacy notice, one text per language, edited by the organisers.
CREATE TABLE privacy_notices (
    language    text        PRIMARY KEY CHECK (language IN ('pl', 'en', 'uk', 'es', 'vi')),
    text        text        NOT NULL CHECK (char_length(text) BETWEEN 1 AND 50000),
    updated_by  uuid        REFERENCES users,
    update_time timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE privacy_notices;
DROP INDEX mail_delivery_attempts_end;
DROP INDEX mail_outbox_final;
ALTER TABLE mail_outbox DROP COLUMN body_erase_time;
UPDATE mail_outbox SET body = '(erased)' WHERE body = '';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_body_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_body_check CHECK (char_length(body) BETWEEN 1 AND 20000);
UPDATE conflicts SET reason = '(erased)' WHERE reason = '';
ALTER TABLE conflicts DROP CONSTRAINT conflicts_reason_check;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_reason_check CHECK (char_length(reason) BETWEEN 1 AND 2000);
ALTER TABLE users DROP COLUMN erase_time;
DROP TABLE erasures;
