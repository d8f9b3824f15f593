-- Full-text search over the public practices (issue 19): a practice is public when its report is
-- ACCEPTED and its edition ANNOUNCED. Drafts autosave constantly and narratives run to a million
-- characters, so nothing is indexed on a save: search_practices holds only the public practices and is
-- refilled by triggers when a report's status, an edition's stage, a nomination, a city's or a
-- category's name changes (rare, organiser-driven writes), and emptied of what stops being public.
--
-- Matching is diacritic-insensitive and Polish-aware:
--   * every text is indexed through miasta_simple (unaccent, then simple): "lodz" finds "Łódź",
--     "migrantow" finds "migrantów";
--   * with Debian's hunspell-pl installed where PostgreSQL reads dictionaries (pg_updatedicts puts
--     pl_pl.dict and pl_pl.affix into tsearch_data), each word's Polish lemmas are indexed too, so
--     "integracja" finds "integracji". The lemmas of every indexed word form are kept in search_words,
--     so that a query is lemmatised by a table lookup: PostgreSQL loads an ispell dictionary into each
--     backend on first use (over a second for Polish), which no query must wait for.
--   * without the dictionary (a server without hunspell-pl) the migration still applies: miasta_pl is
--     then plain simple, no lemmas are indexed, and a query word no text contains matches by its stem's
--     prefix. search_dictionary() says which, the server logs it at start, and
--     search_use_dictionary() switches to the dictionary once it is installed (miasta migrate calls it).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION miasta_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION miasta_simple
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;

-- The Polish lemmatiser: the ispell dictionary where hunspell-pl is installed, else simple.
-- +goose StatementBegin
CREATE FUNCTION search_use_dictionary() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    have_ispell boolean;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('miasta search_use_dictionary'));
    have_ispell := EXISTS (SELECT FROM pg_ts_dict WHERE dictname = 'miasta_pl_ispell');
    IF NOT have_ispell THEN
        BEGIN
            CREATE TEXT SEARCH DICTIONARY miasta_pl_ispell (TEMPLATE = ispell, DictFile = pl_pl, AffFile = pl_pl);
            have_ispell := true;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'search: no Polish dictionary (install hunspell-pl): %', SQLERRM;
        END;
        IF have_ispell THEN
            DROP TEXT SEARCH CONFIGURATION IF EXISTS miasta_pl;
            CREATE TEXT SEARCH CONFIGURATION miasta_pl (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION miasta_pl
                ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH miasta_pl_ispell, simple;
            -- Words indexed before had no lemmas: index everything again.
            DELETE FROM search_words;
            PERFORM search_refresh(NULL, NULL, NULL);
        ELSIF NOT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = 'miasta_pl') THEN
            CREATE TEXT SEARCH CONFIGURATION miasta_pl (COPY = simple);
        END IF;
    END IF;
    RETURN search_dictionary();
END;
$$;
-- +goose StatementEnd

-- 'ispell' (Polish lemmas) or 'simple' (the fallback).
-- +goose StatementBegin
CREATE FUNCTION search_dictionary() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_ts_dict WHERE dictname = 'miasta_pl_ispell') THEN 'ispell' ELSE 'simple' END;
$$;
-- +goose StatementEnd

-- Every word form the public texts contain (unaccented, lower case) with its Polish lemmas
-- (unaccented, the form itself left out).
CREATE TABLE search_words (
    word   text   PRIMARY KEY,
    lemmas text[] NOT NULL
);
-- Which forms share a lemma: what a snippet highlights.
CREATE INDEX search_words_lemmas ON search_words USING gin (lemmas);

CREATE TABLE search_practices (
    practice_id    uuid     PRIMARY KEY REFERENCES practices ON DELETE CASCADE,
    report_id      uuid     NOT NULL,
    edition_id     uuid     NOT NULL,
    year           integer  NOT NULL,
    category_id    uuid     NOT NULL,
    city_id        uuid     NOT NULL,
    distinguished  boolean  NOT NULL,
    title          text     NOT NULL,
    city_name      text     NOT NULL,
    -- What snippets are cut from: the description and narratives, at most 20,000 characters.
    body           text     NOT NULL,
    document       tsvector NOT NULL,
    -- The target groups alone, for the target-group filter.
    target_document tsvector NOT NULL
);
CREATE INDEX search_practices_document ON search_practices USING gin (document);
CREATE INDEX search_practices_target ON search_practices USING gin (target_document);
CREATE INDEX search_practices_order ON search_practices (year DESC, practice_id);
CREATE INDEX search_practices_report ON search_practices (report_id);

-- How many public practices each edition, category, city and distinction has: the facets of a search
-- without words (the search page's first view), which would otherwise count the whole index.
CREATE TABLE search_counts (
    edition_id    uuid    NOT NULL,
    year          integer NOT NULL,
    category_id   uuid    NOT NULL,
    city_id       uuid    NOT NULL,
    city_name     text    NOT NULL,
    distinguished boolean NOT NULL,
    count         integer NOT NULL,
    PRIMARY KEY (edition_id, category_id, city_id, distinguished)
);

-- Adds the word forms of texts to search_words, each with its Polish lemmas: only the forms not
-- there yet go through the dictionary.
-- +goose StatementBegin
CREATE FUNCTION search_add_words(texts text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word, lemmas)
    SELECT unaccent(f),
           coalesce(array_agg(DISTINCT unaccent(l)) FILTER (WHERE unaccent(l) <> unaccent(f)), '{}')
    FROM (
        SELECT DISTINCT f
        FROM unnest(texts) t, unnest(tsvector_to_array(to_tsvector('simple', t))) f
    ) forms
    -- The configuration by name at run time: search_use_dictionary() may replace it.
    LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('miasta_pl'::text::regconfig, f))) l ON true
    WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = unaccent(f))
    GROUP BY unaccent(f)
    ON CONFLICT (word) DO UPDATE SET lemmas = ARRAY(SELECT DISTINCT unnest(search_words.lemmas || excluded.lemmas))
        WHERE NOT search_words.lemmas @> excluded.lemmas;
END;
$$;
-- +goose StatementEnd

-- The public practices of an edition, a report or one practice (NULL: any), with the texts each
-- weight of their vector holds: A the title; B the city, year and category; C the partners and target
-- groups; D the description and narratives (their first 250,000 characters: a tsvector holds at most
-- 1 MB, and a million characters of text could come near it).
-- +goose StatementBegin
CREATE FUNCTION search_sources(p_edition uuid, p_report uuid, p_practice uuid)
RETURNS TABLE (practice_id uuid, report_id uuid, edition_id uuid, year integer, category_id uuid, city_id uuid,
               distinguished boolean, title text, city_name text, body text, a text, b text, c text, d text, target text)
LANGUAGE sql STABLE AS $$
    SELECT p.id, r.id, e.id, e.year, k.id, ci.id, coalesce(n.distinguished, false), p.title, ci.name,
           left(x.body, 20000),
           p.title,
           concat_ws(' ', ci.name, e.year::text, k.name_pl, (SELECT string_agg(v, ' ') FROM jsonb_each_text(k.name_texts) t(l, v))),
           concat_ws(' ', p.partners, p.target_groups),
           left(x.body, 250000),
           p.target_groups
    FROM practices p
    JOIN reports r ON r.id = p.report_id
    JOIN editions e ON e.id = r.edition_id
    JOIN cities ci ON ci.id = r.city_id
    LEFT JOIN nominations n ON n.practice_id = p.id
    JOIN categories k ON k.id = coalesce(n.category_id, p.category_id)
    CROSS JOIN LATERAL (
        SELECT concat_ws(E'\n', nullif(p.description, ''), (SELECT string_agg(j->>'text', E'\n') FROM jsonb_array_elements(p.narratives) j)) AS body
    ) x
    WHERE r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED'
      AND (p_edition IS NULL OR e.id = p_edition)
      AND (p_report IS NULL OR r.id = p_report)
      AND (p_practice IS NULL OR p.id = p_practice);
$$;
-- +goose StatementEnd

-- Indexes again the public practices of an edition, a report or one practice (NULL: any), and
-- removes those that are no longer public.
-- +goose StatementBegin
-- Without JIT: the generic plans over thousands of practices cost enough to be compiled, and the
-- compiling took nine tenths of an announcement's time (90 s instead of 10 for 10,000 practices).
CREATE FUNCTION search_refresh(p_edition uuid, p_report uuid, p_practice uuid) RETURNS void LANGUAGE plpgsql
SET jit = off AS $$
BEGIN
    DELETE FROM search_practices s
    WHERE (p_edition IS NULL OR s.edition_id = p_edition)
      AND (p_report IS NULL OR s.report_id = p_report)
      AND (p_practice IS NULL OR s.practice_id = p_practice);
    -- Every new word form once, through the dictionary; then the vectors, by lookups.
    PERFORM search_add_words(ARRAY(SELECT concat_ws(' ', a, b, c, d) FROM search_sources(p_edition, p_report, p_practice)));
    INSERT INTO search_practices (practice_id, report_id, edition_id, year, category_id, city_id, distinguished,
                                  title, city_name, body, document, target_document)
    WITH src AS MATERIALIZED (
        SELECT * FROM search_sources(p_edition, p_report, p_practice)
    ), lemmas AS (
        -- All the practices' forms joined with search_words at once (a hash join, not a lookup per form).
        SELECT f.practice_id, f.is_target, array_to_tsvector(array_agg(DISTINCT l)) AS v
        FROM (
            SELECT practice_id, false AS is_target, unnest(tsvector_to_array(to_tsvector('miasta_simple', concat_ws(' ', a, b, c, d)))) AS form FROM src
            UNION ALL
            SELECT practice_id, true, unnest(tsvector_to_array(to_tsvector('miasta_simple', target))) FROM src
        ) f
        JOIN search_words w ON w.word = f.form
        CROSS JOIN LATERAL unnest(w.lemmas) l
        GROUP BY f.practice_id, f.is_target
    )
    SELECT src.practice_id, report_id, edition_id, year, category_id, city_id, distinguished, title, city_name, body,
           setweight(to_tsvector('miasta_simple', a), 'A') || setweight(to_tsvector('miasta_simple', b), 'B')
               || setweight(to_tsvector('miasta_simple', c), 'C') || strip(to_tsvector('miasta_simple', d))
               || coalesce(ld.v, ''::tsvector),
           to_tsvector('miasta_simple', src.target) || coalesce(lt.v, ''::tsvector)
    FROM src
    LEFT JOIN lemmas ld ON ld.practice_id = src.practice_id AND NOT ld.is_target
    LEFT JOIN lemmas lt ON lt.practice_id = src.practice_id AND lt.is_target;
    -- The counts of the editions refreshed.
    DELETE FROM search_counts c
    WHERE p_edition IS NULL AND p_report IS NULL AND p_practice IS NULL
       OR c.edition_id = p_edition
       OR c.edition_id = (SELECT r.edition_id FROM reports r WHERE r.id = p_report)
       OR c.edition_id = (SELECT r.edition_id FROM practices p JOIN reports r ON r.id = p.report_id WHERE p.id = p_practice);
    INSERT INTO search_counts (edition_id, year, category_id, city_id, city_name, distinguished, count)
    SELECT s.edition_id, s.year, s.category_id, s.city_id, min(s.city_name), s.distinguished, count(*)
    FROM search_practices s
    WHERE p_edition IS NULL AND p_report IS NULL AND p_practice IS NULL
       OR s.edition_id = p_edition
       OR s.edition_id = (SELECT r.edition_id FROM reports r WHERE r.id = p_report)
       OR s.edition_id = (SELECT r.edition_id FROM practices p JOIN reports r ON r.id = p.report_id WHERE p.id = p_practice)
    GROUP BY s.edition_id, s.year, s.category_id, s.city_id, s.distinguished;
END;
$$;
-- +goose StatementEnd

-- A query's words as a tsquery (NULL when it has none): every word must match, as itself, as one
-- of its lemmas, or as a prefix (words of 4 letters or more). A word without known lemmas (no public
-- text has the form, or the dictionary does not know it, or there is no dictionary) also matches by
-- its stem: the word less its last letter (5–7 letters) or its last three (8 or more). With
-- for_headline, each word also matches every indexed form sharing one of its lemmas, so that a
-- snippet marks "integracji" for "integracja". Without prefixes, it is the cheaper query the ranking
-- uses (ts_rank costs per matching practice; the prefixes only widen what matches).
-- +goose StatementBegin
CREATE FUNCTION search_query(q text, for_headline boolean, prefixes boolean DEFAULT true) RETURNS tsquery LANGUAGE plpgsql STABLE AS $$
DECLARE
    w     text;
    n     integer;
    lem   text[];
    alts  text[];
    parts text[] := '{}';
BEGIN
    FOR w IN SELECT unnest(tsvector_to_array(to_tsvector('miasta_simple', q))) LOOP
        w := replace(w, '\', '');
        CONTINUE WHEN w = '';
        n := char_length(w);
        lem := (SELECT s.lemmas FROM search_words s WHERE s.word = w);
        alts := ARRAY[w] || coalesce(lem, '{}');
        IF for_headline THEN
            alts := alts || ARRAY(SELECT s.word FROM search_words s WHERE s.lemmas && alts LIMIT 100);
        END IF;
        alts := ARRAY(SELECT '''' || replace(a, '''', '''''') || '''' FROM unnest(alts) a);
        IF n >= 4 AND prefixes THEN
            alts := alts || ('''' || replace(w, '''', '''''') || ''':*');
        END IF;
        IF coalesce(cardinality(lem), 0) = 0 AND n >= 5 AND prefixes THEN
            alts := alts || ('''' || replace(left(w, CASE WHEN n >= 8 THEN n - 3 ELSE n - 1 END), '''', '''''') || ''':*');
        END IF;
        parts := parts || ('(' || array_to_string(alts, ' | ') || ')');
    END LOOP;
    IF cardinality(parts) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(parts, ' & ')::tsquery;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A report or nomination changes the index only in an announced edition (reports are accepted in
-- REVIEW, long before: nothing to do then), or when its practices are in the index.
CREATE FUNCTION search_on_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM editions WHERE id = NEW.edition_id AND stage = 'ANNOUNCED')
       OR EXISTS (SELECT FROM search_practices WHERE report_id = NEW.id) THEN
        PERFORM search_refresh(NEW.edition_id, NEW.id, NULL);
    END IF;
    RETURN NULL;
END;
$$;
CREATE FUNCTION search_on_edition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(NEW.id, NULL, NULL);
    RETURN NULL;
END;
$$;
CREATE FUNCTION search_on_nomination() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT FROM search_practices WHERE practice_id = OLD.practice_id) THEN
            PERFORM search_refresh(OLD.edition_id, NULL, OLD.practice_id);
        END IF;
    ELSIF EXISTS (SELECT FROM editions WHERE id = NEW.edition_id AND stage = 'ANNOUNCED')
          OR EXISTS (SELECT FROM search_practices WHERE practice_id = NEW.practice_id) THEN
        PERFORM search_refresh(NEW.edition_id, NULL, NEW.practice_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE FUNCTION search_on_category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM search_practices WHERE category_id = NEW.id) THEN
        PERFORM search_refresh(NEW.edition_id, NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$;
CREATE FUNCTION search_on_city() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rep uuid;
BEGIN
    FOR rep IN SELECT DISTINCT report_id FROM search_practices WHERE city_id = NEW.id LOOP
        PERFORM search_refresh(NULL, rep, NULL);
    END LOOP;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Only status changes of reports and stage changes into or out of ANNOUNCED: a draft save (which
-- updates the report's version) fires nothing.
CREATE TRIGGER search_report AFTER UPDATE OF status ON reports
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND (OLD.status = 'ACCEPTED' OR NEW.status = 'ACCEPTED'))
    EXECUTE FUNCTION search_on_report();
CREATE TRIGGER search_edition AFTER UPDATE OF stage ON editions
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage AND (OLD.stage = 'ANNOUNCED' OR NEW.stage = 'ANNOUNCED'))
    EXECUTE FUNCTION search_on_edition();
CREATE TRIGGER search_nomination AFTER INSERT OR DELETE OR UPDATE OF distinguished, category_id ON nominations
    FOR EACH ROW EXECUTE FUNCTION search_on_nomination();
CREATE TRIGGER search_category AFTER UPDATE OF name_pl, name_texts ON categories
    FOR EACH ROW EXECUTE FUNCTION search_on_category();
CREATE TRIGGER search_city AFTER UPDATE OF name ON cities
    FOR EACH ROW EXECUTE FUNCTION search_on_city();

SELECT search_use_dictionary();
SELECT search_refresh(NULL, NULL, NULL);

-- +goose Down
DROP TRIGGER search_city ON cities;
DROP TRIGGER search_category ON categories;
DROP TRIGGER search_nomination ON nominations;
DROP TRIGGER search_edition ON editions;
DROP TRIGGER search_report ON reports;
DROP FUNCTION search_on_city();
DROP FUNCTION search_on_category();
DROP FUNCTION search_on_nomination();
DROP FUNCTION search_on_edition();
DROP FUNCTION search_on_report();
DROP FUNCTION search_query(text, boolean, boolean);
DROP FUNCTION search_refresh(uuid, uuid, uuid);
DROP FUNCTION search_sources(uuid, uuid, uuid);
DROP FUNCTION search_add_words(text[]);
DROP TABLE search_counts;
DROP TABLE search_practices;
DROP TABLE search_words;
DROP FUNCTION search_dictionary();
DROP FUNCTION search_use_dictionary();
DROP TEXT SEARCH CONFIGURATION IF EXISTS miasta_pl;
DROP TEXT SEARCH DICTIONARY IF EXISTS miasta_pl_ispell;
DROP TEXT SEARCH CONFIGURATION miasta_simple;
