-- Stage 1: each reporting city's expert report, its practices and follow-ups, and the shortlist of
-- nominations organisers choose from accepted reports.

-- +goose Up
CREATE TABLE reports (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id     uuid        NOT NULL,
    city_id        uuid        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED', 'RETURNED', 'ACCEPTED')),
    -- Increases with every change; a save must name the version it read.
    version        bigint      NOT NULL CHECK (version > 0),
    introduction   text        NOT NULL DEFAULT '' CHECK (char_length(introduction) <= 20000),
    return_comment text        NOT NULL DEFAULT '',
    create_time    timestamptz NOT NULL DEFAULT now(),
    update_time    timestamptz NOT NULL DEFAULT now(),
    submit_time    timestamptz,
    return_time    timestamptz,
    accept_time    timestamptz,
    UNIQUE (edition_id, city_id),
    -- Only a reporting city of the edition has a report.
    FOREIGN KEY (edition_id, city_id) REFERENCES edition_cities (edition_id, city_id)
);

CREATE TABLE practices (
    id             uuid    PRIMARY KEY,
    report_id      uuid    NOT NULL REFERENCES reports ON DELETE CASCADE,
    position       integer NOT NULL,
    title          text    NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    description    text    NOT NULL DEFAULT '',
    category_id    uuid    NOT NULL REFERENCES categories,
    since_year     integer,
    partners       text    NOT NULL DEFAULT '',
    target_groups  text    NOT NULL DEFAULT '',
    evidence_links text[]  NOT NULL DEFAULT '{}',
    -- [{"criterion_id": "...", "text": "..."}], in the order the expert wrote them.
    narratives     jsonb   NOT NULL DEFAULT '[]',
    UNIQUE (report_id, position)
);

CREATE TABLE nominations (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id          uuid        NOT NULL REFERENCES editions,
    category_id         uuid        NOT NULL REFERENCES categories,
    practice_id         uuid        NOT NULL UNIQUE REFERENCES practices,
    recategorise_reason text        NOT NULL DEFAULT '',
    -- Set when the edition's results distinguish the nomination (stage 2); the next edition's reports
    -- follow up on distinguished practices.
    distinguished       boolean     NOT NULL DEFAULT false,
    create_time         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nominations_edition ON nominations (edition_id, category_id);

CREATE TABLE follow_ups (
    report_id              uuid NOT NULL REFERENCES reports ON DELETE CASCADE,
    previous_nomination_id uuid NOT NULL REFERENCES nominations,
    outcome                text NOT NULL DEFAULT 'UNSPECIFIED'
        CHECK (outcome IN ('UNSPECIFIED', 'CONTINUED', 'EXPANDED', 'SHRANK', 'ENDED')),
    narrative              text NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, previous_nomination_id)
);

-- +goose Down
DROP TABLE follow_ups;
DROP TABLE nominations;
DROP TABLE practices;
DROP TABLE reports;
