-- Translations of the practices of accepted reports into the jurors' languages, the translators who
-- make them (a third invited role, with languages instead of a city), and which translation each
-- juror's cast was read in. None of it is in the audit log (spec/audit.md says why).

-- +goose Up
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR'));
ALTER TABLE invitations ALTER COLUMN city_id DROP NOT NULL;
-- A translator translates into languages, not for a city; everyone else has a city and no languages.
ALTER TABLE invitations ADD COLUMN languages text[] NOT NULL DEFAULT '{}';
ALTER TABLE invitations ADD CONSTRAINT invitations_translator_shape CHECK (
    (role = 'TRANSLATOR') = (city_id IS NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);

ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR'));
ALTER TABLE role_assignments ALTER COLUMN city_id DROP NOT NULL;
ALTER TABLE role_assignments ADD COLUMN languages text[] NOT NULL DEFAULT '{}';
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_translator_shape CHECK (
    (role = 'TRANSLATOR') = (city_id IS NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);

-- A practice's translation into one language. practice_id has no foreign key on purpose: a report's
-- save rewrites its practice rows under the same ids, and a translation belongs to the practice's id,
-- not to one row of it.
CREATE TABLE practice_translations (
    practice_id           uuid        NOT NULL,
    language              text        NOT NULL CHECK (language IN ('en', 'uk', 'es', 'vi')),
    edition_id            uuid        NOT NULL REFERENCES editions,
    status                text        NOT NULL CHECK (status IN ('MACHINE', 'DRAFT', 'REVIEWED')),
    -- Increases with every change; a save must name the version it read, a cast names the one read.
    version               bigint      NOT NULL CHECK (version > 0),
    -- The report's version when the translation last changed.
    source_report_version bigint      NOT NULL,
    -- Who made the last change: a translator's assignment, or the organiser who imported a file.
    translator_id         uuid        REFERENCES role_assignments,
    imported_by           uuid        REFERENCES users,
    update_time           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, language),
    CHECK ((translator_id IS NULL) <> (imported_by IS NULL))
);
CREATE INDEX practice_translations_edition ON practice_translations (edition_id, language);

-- One translated text of a practice translation, with the version (SHA-256) of the original it
-- translates: when the original's hash differs, the text reads as outdated.
CREATE TABLE translated_texts (
    practice_id   uuid  NOT NULL,
    language      text  NOT NULL,
    -- 'title', 'description' or 'narrative.<criterion id>'
    field         text  NOT NULL CHECK (field ~ '^(title|description|narrative\.[0-9a-f-]{36})$'),
    text          text  NOT NULL CHECK (char_length(text) BETWEEN 1 AND 40000),
    source_sha256 text  NOT NULL CHECK (source_sha256 ~ '^sha256:[0-9a-f]{64}$'),
    PRIMARY KEY (practice_id, language, field),
    FOREIGN KEY (practice_id, language) REFERENCES practice_translations ON DELETE CASCADE
);

-- The translations a juror read for a cast: for the organisers only, never in the log or in public
-- ballots (the language a juror reads can name them).
CREATE TABLE cast_translation_reads (
    cast_id     uuid   NOT NULL REFERENCES ballot_casts,
    practice_id uuid   NOT NULL,
    language    text   NOT NULL CHECK (language IN ('en', 'uk', 'es', 'vi')),
    version     bigint NOT NULL CHECK (version > 0),
    PRIMARY KEY (cast_id, practice_id, language)
);

CREATE TRIGGER cast_translation_reads_append_only BEFORE UPDATE OR DELETE ON cast_translation_reads
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE cast_translation_reads;
DROP TABLE translated_texts;
DROP TABLE practice_translations;
DELETE FROM role_assignments WHERE role = 'TRANSLATOR';
DELETE FROM invitations WHERE role = 'TRANSLATOR';
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_translator_shape;
ALTER TABLE role_assignments DROP COLUMN languages;
ALTER TABLE role_assignments ALTER COLUMN city_id SET NOT NULL;
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('EXPERT', 'JUROR'));
ALTER TABLE invitations DROP CONSTRAINT invitations_translator_shape;
ALTER TABLE invitations DROP COLUMN languages;
ALTER TABLE invitations ALTER COLUMN city_id SET NOT NULL;
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check CHECK (role IN ('EXPERT', 'JUROR'));
