-- Every version of a report is kept (issue 18): a draft always saves, and an expert or an organiser
-- can see what changed between two versions and restore one. A version stores either the whole
-- content (a whole save, a restore, and every 50th version) or the changes that made it from the one
-- before, so that a long report autosaved every few seconds does not store itself thousands of times.
-- Drafts also hold what cannot be submitted yet (an empty title, an over-long field): the limits that
-- matter for submitting are checked by the server, not by the table.

-- +goose Up
ALTER TABLE reports DROP CONSTRAINT reports_introduction_check;
ALTER TABLE reports ADD CONSTRAINT reports_introduction_check CHECK (char_length(introduction) <= 1000000);
ALTER TABLE practices DROP CONSTRAINT practices_title_check;
ALTER TABLE practices ADD CONSTRAINT practices_title_check CHECK (char_length(title) <= 10000);

CREATE TABLE report_versions (
    report_id      uuid        NOT NULL REFERENCES reports ON DELETE CASCADE,
    version        bigint      NOT NULL CHECK (version > 0),
    kind           text        NOT NULL CHECK (kind IN ('SAVE', 'RESTORE', 'STATUS')),
    -- The report's status from this version on.
    status         text        NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'ACCEPTED')),
    -- The whole content as JSON ({"Introduction", "Practices", "FollowUps"}, the form whose SHA-256 the
    -- log's report events carry), or the changes applied to the version before (a JSON list), or
    -- neither (a status change: the content is the version before's).
    snapshot       jsonb,
    changes        jsonb,
    restored_from  bigint,
    by_organiser   boolean     NOT NULL DEFAULT false,
    practice_count integer     NOT NULL DEFAULT 0,
    characters     bigint      NOT NULL DEFAULT 0,
    create_time    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, version),
    -- A status change stores no content, except as the first version kept of a report older than this
    -- table (its whole content then).
    CHECK (snapshot IS NULL OR changes IS NULL),
    CHECK (kind <> 'STATUS' OR changes IS NULL)
);

-- +goose Down
DROP TABLE report_versions;
ALTER TABLE practices DROP CONSTRAINT practices_title_check;
ALTER TABLE practices ADD CONSTRAINT practices_title_check CHECK (char_length(title) BETWEEN 1 AND 300);
ALTER TABLE reports DROP CONSTRAINT reports_introduction_check;
ALTER TABLE reports ADD CONSTRAINT reports_introduction_check CHECK (char_length(introduction) <= 20000);
