-- E-mail: an outbox of messages queued in the transaction of the change that causes them, held for an
-- organiser's review or sent automatically by kind, and every attempt to deliver them.

-- +goose Up
CREATE TABLE mail_outbox (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Queue order: mails queued in one transaction share create_time, not their order.
    seq               bigint      NOT NULL GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- NULL for mail about no edition (none so far).
    edition_id        uuid        REFERENCES editions,
    kind              text        NOT NULL CHECK (kind IN ('INVITATION', 'REPORTING_OPENED', 'REPORTING_REMINDER',
        'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED')),
    -- Set when the same mail must be queued at most once, e.g. a reminder's edition/kind/offset/recipient.
    dedup_key         text        UNIQUE,
    -- Fixed when queued, so every attempt by any replica carries the same one.
    message_id        text        NOT NULL UNIQUE,
    recipient_email   text        NOT NULL CHECK (recipient_email = lower(recipient_email)),
    recipient_name    text        NOT NULL DEFAULT '',
    -- The language the mail is written in (the recipient's, or the fallback that had a template).
    language          text        NOT NULL,
    subject           text        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
    body              text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 20000),
    -- HELD waits for an organiser; PENDING is released and due at next_attempt_time; SENT, FAILED
    -- (gave up) and DISCARDED are final.
    status            text        NOT NULL CHECK (status IN ('HELD', 'PENDING', 'SENT', 'FAILED', 'DISCARDED')),
    -- Increases with every change an organiser or the sender makes; edits name the version they read.
    version           bigint      NOT NULL DEFAULT 1 CHECK (version > 0),
    edited            boolean     NOT NULL DEFAULT false,
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt_time timestamptz,
    last_error        text        NOT NULL DEFAULT '',
    create_time       timestamptz NOT NULL DEFAULT now(),
    update_time       timestamptz NOT NULL DEFAULT now(),
    release_time      timestamptz,
    sent_time         timestamptz,
    CHECK (status <> 'PENDING' OR next_attempt_time IS NOT NULL)
);
-- What the sender claims next.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_time, id) WHERE status = 'PENDING';
CREATE INDEX mail_outbox_edition ON mail_outbox (edition_id, seq);

-- Every attempt to hand a mail to the SMTP server, written in the transaction that changes the mail's
-- status, so an attempt is recorded exactly when its outcome is.
CREATE TABLE mail_delivery_attempts (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mail_id    uuid        NOT NULL REFERENCES mail_outbox,
    attempt    integer     NOT NULL CHECK (attempt > 0),
    start_time timestamptz NOT NULL,
    end_time   timestamptz NOT NULL,
    outcome    text        NOT NULL CHECK (outcome IN ('SENT', 'TEMPORARY_FAILURE', 'PERMANENT_FAILURE')),
    -- The SMTP reply code of a refusal (e.g. 451), 0 when there was none (a network error).
    smtp_code  integer     NOT NULL DEFAULT 0,
    error      text        NOT NULL DEFAULT '',
    UNIQUE (mail_id, attempt)
);

-- Which kinds of mail go out without review: platform-wide (edition_id NULL) or for one edition,
-- which overrides the platform-wide choice. A kind with no row is held for review.
CREATE TABLE mail_policies (
    edition_id  uuid        REFERENCES editions,
    kind        text        NOT NULL,
    auto_send   boolean     NOT NULL,
    update_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (edition_id, kind)
);

-- +goose Down
DROP TABLE mail_policies;
DROP TABLE mail_delivery_attempts;
DROP TABLE mail_outbox;
