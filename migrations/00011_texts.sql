-- An edition's texts in the languages its jurors and readers use. The Polish texts stay where they
-- were (the award's language; with the English names they are what the audit log records when a
-- category or criterion is created); every other language's text is a translation the organisers keep
-- up to date, displayed but outside the log, as the reports' own texts are.

-- +goose Up
ALTER TABLE editions
    -- The languages the edition is run in: each needs every text before the jury opens. Polish always;
    -- the organisers add the others (the web app proposes all five for a new edition).
    ADD COLUMN languages text[] NOT NULL DEFAULT '{pl}'
        CHECK (languages @> '{pl}' AND languages <@ '{pl,en,uk,es,vi}'),
    -- The name in languages other than Polish: {"en": "Open Cities 2015", "uk": "…"}.
    ADD COLUMN name_texts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(name_texts) = 'object');

ALTER TABLE categories
    ADD COLUMN name_texts        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(name_texts) = 'object'),
    ADD COLUMN description_texts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description_texts) = 'object');
ALTER TABLE criteria
    ADD COLUMN name_texts        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(name_texts) = 'object'),
    ADD COLUMN description_texts jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description_texts) = 'object');

-- The English names given at creation are the first English texts.
UPDATE categories SET name_texts = jsonb_build_object('en', name_en);
UPDATE criteria SET name_texts = jsonb_build_object('en', name_en);

-- +goose Down
ALTER TABLE criteria DROP COLUMN description_texts, DROP COLUMN name_texts;
ALTER TABLE categories DROP COLUMN description_texts, DROP COLUMN name_texts;
ALTER TABLE editions DROP COLUMN name_texts, DROP COLUMN languages;
