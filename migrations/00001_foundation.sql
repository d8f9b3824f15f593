-- The foundation: accounts and sessions, cities, editions with their categories and criteria,
-- invitations and role assignments, and the append-only event log every state change is written to.

-- +goose Up
CREATE TABLE users (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    issuer         text        NOT NULL,
    subject        text        NOT NULL,
    email          text        NOT NULL DEFAULT '',
    email_verified boolean     NOT NULL DEFAULT false,
    name           text        NOT NULL DEFAULT '',
    create_time    timestamptz NOT NULL DEFAULT now(),
    update_time    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, subject)
);

-- A browser session; only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash  bytea       PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    create_time timestamptz NOT NULL DEFAULT now(),
    expire_time timestamptz NOT NULL
);
CREATE INDEX sessions_expire_time ON sessions (expire_time);

CREATE TABLE cities (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    create_time timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX cities_name ON cities (lower(name));

CREATE TABLE editions (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    year                integer     NOT NULL UNIQUE CHECK (year BETWEEN 2014 AND 2100),
    name                text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    stage               text        NOT NULL DEFAULT 'DRAFT'
        CHECK (stage IN ('DRAFT', 'REPORTING', 'REVIEW', 'JURY', 'TALLIED', 'ANNOUNCED')),
    reporting_deadline  timestamptz,
    jury_deadline       timestamptz,
    ceremony_time       timestamptz,
    ballot_publication  text        NOT NULL DEFAULT 'PSEUDONYMS'
        CHECK (ballot_publication IN ('NAMES', 'PSEUDONYMS')),
    previous_edition_id uuid        REFERENCES editions,
    create_time         timestamptz NOT NULL DEFAULT now(),
    update_time         timestamptz NOT NULL DEFAULT now()
);

-- The cities that report in an edition.
CREATE TABLE edition_cities (
    edition_id uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    city_id    uuid NOT NULL REFERENCES cities,
    PRIMARY KEY (edition_id, city_id)
);

CREATE TABLE categories (
    id          uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id  uuid    NOT NULL REFERENCES editions ON DELETE CASCADE,
    number      integer NOT NULL CHECK (number BETWEEN 1 AND 50),
    name_pl     text    NOT NULL CHECK (char_length(name_pl) BETWEEN 1 AND 300),
    name_en     text    NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 300),
    description text    NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    UNIQUE (edition_id, number)
);

CREATE TABLE criteria (
    id          uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id  uuid    NOT NULL REFERENCES editions ON DELETE CASCADE,
    number      integer NOT NULL CHECK (number BETWEEN 1 AND 20),
    name_pl     text    NOT NULL CHECK (char_length(name_pl) BETWEEN 1 AND 200),
    name_en     text    NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 200),
    description text    NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    UNIQUE (edition_id, number)
);

CREATE TABLE invitations (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id   uuid        NOT NULL REFERENCES editions ON DELETE CASCADE,
    email        text        NOT NULL CHECK (email = lower(email)),
    role         text        NOT NULL CHECK (role IN ('EXPERT', 'JUROR')),
    -- The expert's city or the juror's home city.
    city_id      uuid        NOT NULL REFERENCES cities,
    display_name text        NOT NULL,
    pseudonym    text        NOT NULL DEFAULT '',
    language     text        NOT NULL DEFAULT 'pl',
    state        text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'ACCEPTED', 'REVOKED')),
    created_by   uuid        REFERENCES users,
    create_time  timestamptz NOT NULL DEFAULT now(),
    accept_time  timestamptz,
    revoke_time  timestamptz
);
-- One open invitation per person and role in an edition.
CREATE UNIQUE INDEX invitations_pending ON invitations (edition_id, email, role) WHERE state = 'PENDING';
-- Every authenticated request asks whether its verified address has invitations to bind.
CREATE INDEX invitations_pending_email ON invitations (email) WHERE state = 'PENDING';

CREATE TABLE role_assignments (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id    uuid        NOT NULL REFERENCES editions ON DELETE CASCADE,
    user_id       uuid        NOT NULL REFERENCES users,
    role          text        NOT NULL CHECK (role IN ('EXPERT', 'JUROR')),
    city_id       uuid        NOT NULL REFERENCES cities,
    display_name  text        NOT NULL,
    pseudonym     text        NOT NULL DEFAULT '',
    language      text        NOT NULL DEFAULT 'pl',
    invitation_id uuid        NOT NULL UNIQUE REFERENCES invitations,
    create_time   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (edition_id, user_id, role)
);

-- Every state change, in commit order of its transaction's id. Rows are never changed or removed:
-- the audit log hashes them into a Merkle tree.
CREATE TABLE events (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edition_id    uuid        REFERENCES editions,
    kind          text        NOT NULL,
    actor_user_id uuid        REFERENCES users,
    payload       jsonb       NOT NULL,
    create_time   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_edition ON events (edition_id, id);

-- +goose StatementBegin
CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE events;
DROP FUNCTION reject_change();
DROP TABLE role_assignments;
DROP TABLE invitations;
DROP TABLE criteria;
DROP TABLE categories;
DROP TABLE edition_cities;
DROP TABLE editions;
DROP TABLE cities;
DROP TABLE sessions;
DROP TABLE users;
