-- Stage 2: the tally rule (frozen when the jury opens), jurors' ballots (a versioned draft and every
-- cast), declared conflicts, the computed tally.

-- +goose Up
CREATE TABLE tally_rules (
    edition_id  uuid        PRIMARY KEY REFERENCES editions,
    -- The rule as canonical JSON (spec/audit.md §7, written by jury.Service.SetRule); what the tally and the verifier read.
    rule        jsonb       NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    frozen      boolean     NOT NULL DEFAULT false,
    rule_hash   text        NOT NULL DEFAULT '',
    update_time timestamptz NOT NULL DEFAULT now()
);

-- A juror's draft: only the juror reads it until the round closes.
CREATE TABLE ballots (
    assignment_id uuid        PRIMARY KEY REFERENCES role_assignments,
    edition_id    uuid        NOT NULL REFERENCES editions,
    version       bigint      NOT NULL CHECK (version > 0),
    -- [{"nomination_id", "criterion_id", "value"}] and [{"nomination_id", "text"}]
    scores        jsonb       NOT NULL DEFAULT '[]',
    comments      jsonb       NOT NULL DEFAULT '[]',
    update_time   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conflicts (
    assignment_id uuid        NOT NULL REFERENCES role_assignments,
    nomination_id uuid        NOT NULL REFERENCES nominations,
    reason        text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    create_time   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assignment_id, nomination_id)
);

-- Every cast is kept; the last one before the round closes counts.
CREATE TABLE ballot_casts (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id    uuid        NOT NULL REFERENCES editions,
    assignment_id uuid        NOT NULL REFERENCES role_assignments,
    -- The client's id for the request: a retried cast finds its first result.
    request_id    uuid        NOT NULL,
    version       bigint      NOT NULL,
    -- The canonical encoding of exactly what was cast; ballot_hash is its SHA-256.
    content       bytea       NOT NULL,
    ballot_hash   text        NOT NULL,
    event_id      bigint      NOT NULL,
    cast_time     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (assignment_id, request_id)
);
CREATE INDEX ballot_casts_last ON ballot_casts (assignment_id, cast_time DESC, id);

CREATE TABLE tallies (
    edition_id   uuid        PRIMARY KEY REFERENCES editions,
    -- The tally package's canonical encoding of the result, and its SHA-256.
    result       bytea       NOT NULL,
    tally_hash   text        NOT NULL,
    compute_time timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER ballot_casts_append_only BEFORE UPDATE OR DELETE ON ballot_casts
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE tallies;
DROP TABLE ballot_casts;
DROP TABLE conflicts;
DROP TABLE ballots;
DROP TABLE tally_rules;
