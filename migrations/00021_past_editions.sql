-- The archive's past editions (issue 19): editions that ran before the platform, entered from their
-- published record (internal/past). They have no ballots, tally or log; the document is the
-- miasta.v1.PastEdition message in protobuf's JSON form, validated before it is stored. And the mark of
-- a demonstration edition, which every public page, file and feed shows.

-- +goose Up
CREATE TABLE past_editions (
    year        integer     PRIMARY KEY CHECK (year BETWEEN 2014 AND 2100),
    document    jsonb       NOT NULL,
    import_time timestamptz NOT NULL DEFAULT now(),
    imported_by uuid        REFERENCES users
);

-- The cities a past edition's distinctions name, so that a city's page lists them.
CREATE TABLE past_distinctions (
    year            integer NOT NULL REFERENCES past_editions ON DELETE CASCADE,
    position        integer NOT NULL,
    city_id         uuid    NOT NULL REFERENCES cities,
    category_number integer NOT NULL,
    PRIMARY KEY (year, position)
);
CREATE INDEX past_distinctions_city ON past_distinctions (city_id);

ALTER TABLE editions ADD COLUMN demonstration boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE editions DROP COLUMN demonstration;
DROP TABLE past_distinctions;
DROP TABLE past_editions;
