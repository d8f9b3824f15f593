-- The audit data of the published specification, version 2 (spec/audit.md): events name their actor by
-- role (organisers by user, experts and jurors by their assignment), leaves are two-level (edition and
-- body hash), private texts are committed to rather than logged, editions may publish aggregates only,
-- a category may hold several jury decisions, and every computed tally is kept.
--
-- Version 1 leaves cannot be continued in version 2 (their encoding and their payloads differ), and no
-- installation holds real data yet, so a database with version 1 events is refused: recreate it
-- (`miasta dev -reset` for the demo database).

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM events) THEN
        RAISE EXCEPTION 'this database holds an audit log of the unpublished format 1, which this version cannot continue; recreate the database (for the demo: miasta dev -reset)';
    END IF;
END
$$;
-- +goose StatementEnd

ALTER TABLE events
    ADD COLUMN actor_role text CHECK (actor_role IN ('organiser', 'expert', 'juror')),
    ADD COLUMN actor_id   uuid,
    ADD CONSTRAINT events_actor CHECK ((actor_role IS NULL) = (actor_id IS NULL));

ALTER TABLE log_leaves
    ADD COLUMN edition_id  uuid,
    ADD COLUMN body_sha256 bytea NOT NULL CHECK (length(body_sha256) = 32);

-- Private texts the log commits to (§3.2 of the specification): the organisers can open a commitment
-- by publishing its salt and text.
CREATE TABLE commitments (
    commitment  text        PRIMARY KEY,
    salt        bytea       NOT NULL CHECK (length(salt) = 32),
    text        text        NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

-- Salts of the per-edition person identifiers (invitation.accepted's "person").
ALTER TABLE editions ADD COLUMN person_salt bytea NOT NULL DEFAULT gen_random_uuid()::text::bytea;

ALTER TABLE editions DROP CONSTRAINT editions_ballot_publication_check;
ALTER TABLE editions ADD CONSTRAINT editions_ballot_publication_check
    CHECK (ballot_publication IN ('NAMES', 'PSEUDONYMS', 'AGGREGATES'));

-- Several separate ties of one category can each be decided.
ALTER TABLE jury_decisions DROP CONSTRAINT jury_decisions_pkey;
ALTER TABLE jury_decisions
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ADD COLUMN event_id bigint NOT NULL REFERENCES events,
    -- Set when the round is reopened: a decision applies to the tally it settled a tie of, never again.
    ADD COLUMN superseded boolean NOT NULL DEFAULT false;

-- A nomination taken off the shortlist (in a step back to REVIEW) takes its jurors' declared conflicts
-- and abstentions with it; the log keeps them.
ALTER TABLE conflicts DROP CONSTRAINT conflicts_nomination_id_fkey;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_nomination_id_fkey FOREIGN KEY (nomination_id) REFERENCES nominations ON DELETE CASCADE;

-- Every tally computed at a close or after a jury decision, in order: a reopened round leaves the
-- earlier tallies visible.
CREATE TABLE tally_history (
    edition_id   uuid        NOT NULL REFERENCES editions,
    event_id     bigint      NOT NULL UNIQUE REFERENCES events,
    kind         text        NOT NULL CHECK (kind IN ('COMPUTED', 'DECISION')),
    result       bytea       NOT NULL,
    tally_hash   text        NOT NULL,
    compute_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (edition_id, event_id)
);
CREATE TRIGGER tally_history_append_only BEFORE UPDATE OR DELETE ON tally_history
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE tally_history;
ALTER TABLE conflicts DROP CONSTRAINT conflicts_nomination_id_fkey;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_nomination_id_fkey FOREIGN KEY (nomination_id) REFERENCES nominations;
ALTER TABLE jury_decisions DROP COLUMN superseded, DROP COLUMN event_id, DROP COLUMN id;
ALTER TABLE jury_decisions ADD PRIMARY KEY (edition_id, category_id);
ALTER TABLE editions DROP CONSTRAINT editions_ballot_publication_check;
ALTER TABLE editions ADD CONSTRAINT editions_ballot_publication_check CHECK (ballot_publication IN ('NAMES', 'PSEUDONYMS'));
ALTER TABLE editions DROP COLUMN person_salt;
DROP TABLE commitments;
ALTER TABLE log_leaves DROP COLUMN body_sha256, DROP COLUMN edition_id;
ALTER TABLE events DROP CONSTRAINT events_actor, DROP COLUMN actor_id, DROP COLUMN actor_role;
