-- The jury's texts (issue 19): a short justification per distinction and general recommendations to
-- city governments, recorded by an organiser while the edition is TALLIED and published with the
-- results. text maps a language tag (pl, en, uk, es, vi) to the text; "pl" is always there. Last write
-- wins: a save replaces the whole map and increases version. The announcement's results.announced
-- event carries them in the audit log (spec/audit.md §6).

-- +goose Up
CREATE TABLE distinction_justifications (
    edition_id    uuid        NOT NULL REFERENCES editions,
    nomination_id uuid        NOT NULL REFERENCES nominations ON DELETE CASCADE,
    text          jsonb       NOT NULL CHECK (jsonb_typeof(text) = 'object' AND text ? 'pl'),
    version       bigint      NOT NULL DEFAULT 1,
    update_time   timestamptz NOT NULL DEFAULT now(),
    updated_by    uuid        NOT NULL REFERENCES users,
    PRIMARY KEY (edition_id, nomination_id)
);

CREATE TABLE jury_recommendations (
    edition_id  uuid        PRIMARY KEY REFERENCES editions,
    text        jsonb       NOT NULL CHECK (jsonb_typeof(text) = 'object' AND text ? 'pl'),
    version     bigint      NOT NULL DEFAULT 1,
    update_time timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid        NOT NULL REFERENCES users
);

-- +goose Down
DROP TABLE jury_recommendations;
DROP TABLE distinction_justifications;
