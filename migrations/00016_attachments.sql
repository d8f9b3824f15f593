-- Files experts attach to practices (issue 18): the bytes live in a blob store (internal/attach: the
-- file system by default, S3-compatible storage in production) under their SHA-256; this table says
-- which practice each belongs to. practice_id has no foreign key on purpose: a save rewrites a report's
-- practice rows under the same ids (as for translations); an attachment of a removed practice stays
-- here, unseen, and comes back if a restored version brings the practice back.

-- +goose Up
CREATE TABLE attachments (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    report_id   uuid        NOT NULL REFERENCES reports ON DELETE CASCADE,
    practice_id uuid        NOT NULL,
    sha256      bytea       NOT NULL CHECK (length(sha256) = 32),
    size        bigint      NOT NULL CHECK (size > 0),
    media_type  text        NOT NULL,
    kind        text        NOT NULL,
    filename    text        NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    -- The organisers let the public read it (a distinguished practice's, once announced).
    published   boolean     NOT NULL DEFAULT false,
    create_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE (practice_id, sha256)
);
CREATE INDEX attachments_report ON attachments (report_id);

-- +goose Down
DROP TABLE attachments;
