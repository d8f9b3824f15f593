-- The jury's recorded order for nominations the tally rule's other tie-breaks left tied.

-- +goose Up
CREATE TABLE jury_decisions (
    edition_id     uuid        NOT NULL REFERENCES editions,
    category_id    uuid        NOT NULL REFERENCES categories,
    -- Nomination ids, best first.
    nomination_ids uuid[]      NOT NULL,
    reason         text        NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    create_time    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (edition_id, category_id)
);

-- +goose Down
DROP TABLE jury_decisions;
