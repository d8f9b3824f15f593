-- Search precision (issue 19): a query word the Polish dictionary knows matches its forms (through
-- its lemmas), never other words that start like it. search_words left a form out of its own lemmas, so a word that is
-- its own lemma ("integracja", "punkt", "szkoła") looked like a word the dictionary did not know, and
-- search_query added the fallback's stem prefix: "integracja" also found "integracyjny",
-- "integrować" and the English "integration", 80,900 of the benchmark's 100,080 practices instead of
-- the 58,309 that hold a form of "integracja". search_words.known now records that the dictionary
-- recognised the form (ts_lexize of the ispell dictionary, on the form as written), and prefixes (the
-- word's own and its stem's) are only for words it did not: a known word's forms come through its
-- lemmas, and a prefix would only add other words ("kursy" finding "kursywa") and triple the index
-- scan of a query of common words (15 ms against 53 for "kursy języka polskiego").

-- +goose Up
ALTER TABLE search_words ADD COLUMN known boolean NOT NULL DEFAULT false;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_add_words(texts text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Two statements, not one with "have the dictionary AND ts_lexize(…)": once plpgsql plans a
    -- statement generically (from its sixth call in a session), such a condition no longer spares
    -- ts_lexize, and naming a dictionary that does not exist is an error.
    IF EXISTS (SELECT FROM pg_ts_dict WHERE dictname = 'miasta_pl_ispell') THEN
        INSERT INTO search_words (word, lemmas, known)
        SELECT unaccent(f),
               coalesce(array_agg(DISTINCT unaccent(l)) FILTER (WHERE unaccent(l) <> unaccent(f)), '{}'),
               bool_or(ts_lexize('miasta_pl_ispell'::text::regdictionary, f) IS NOT NULL)
        FROM (
            SELECT DISTINCT f
            FROM unnest(texts) t, unnest(tsvector_to_array(to_tsvector('simple', t))) f
        ) forms
        -- The configuration by name at run time: search_use_dictionary() may replace it.
        LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('miasta_pl'::text::regconfig, f))) l ON true
        WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = unaccent(f))
        GROUP BY unaccent(f)
        ON CONFLICT (word) DO UPDATE SET lemmas = ARRAY(SELECT DISTINCT unnest(search_words.lemmas || excluded.lemmas)),
                                         known = search_words.known OR excluded.known
            WHERE NOT search_words.lemmas @> excluded.lemmas OR (excluded.known AND NOT search_words.known);
    ELSE
        -- Without the dictionary no word is known, and miasta_pl is plain simple (no lemmas).
        INSERT INTO search_words (word, lemmas, known)
        SELECT DISTINCT unaccent(f), '{}'::text[], false
        FROM unnest(texts) t, unnest(tsvector_to_array(to_tsvector('simple', t))) f
        WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = unaccent(f))
        ON CONFLICT (word) DO NOTHING;
    END IF;
END;
$$;
-- +goose StatementEnd

-- A query's tsquery: each word (unaccented) matches itself and its lemmas; a word the dictionary does
-- not know (or that no public text contains) also matches, from four letters, itself as a prefix
-- ("migr"), and from five letters its stem (the word less its last letter, or its last three from
-- eight letters) as a prefix. for_headline adds the forms that share a lemma, for ts_headline.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_query(q text, for_headline boolean, prefixes boolean DEFAULT true) RETURNS tsquery LANGUAGE plpgsql STABLE AS $$
DECLARE
    w     text;
    n     integer;
    lem   text[];
    known boolean;
    alts  text[];
    parts text[] := '{}';
BEGIN
    FOR w IN SELECT unnest(tsvector_to_array(to_tsvector('miasta_simple', q))) LOOP
        w := replace(w, '\', '');
        CONTINUE WHEN w = '';
        n := char_length(w);
        lem := NULL;
        known := false;
        SELECT s.lemmas, s.known INTO lem, known FROM search_words s WHERE s.word = w;
        alts := ARRAY[w] || coalesce(lem, '{}');
        IF for_headline THEN
            alts := alts || ARRAY(SELECT s.word FROM search_words s WHERE s.lemmas && alts LIMIT 100);
        END IF;
        alts := ARRAY(SELECT '''' || replace(a, '''', '''''') || '''' FROM unnest(alts) a);
        IF n >= 4 AND prefixes AND NOT coalesce(known, false) THEN
            alts := alts || ('''' || replace(w, '''', '''''') || ''':*');
        END IF;
        IF NOT coalesce(known, false) AND coalesce(cardinality(lem), 0) = 0 AND n >= 5 AND prefixes THEN
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

-- The words indexed so far lack known: with the dictionary, index everything again (as
-- search_use_dictionary does when the dictionary arrives).
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_ts_dict WHERE dictname = 'miasta_pl_ispell') AND EXISTS (SELECT FROM search_words) THEN
        DELETE FROM search_words;
        PERFORM search_refresh(NULL, NULL, NULL);
    END IF;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_query(q text, for_headline boolean, prefixes boolean DEFAULT true) RETURNS tsquery LANGUAGE plpgsql STABLE AS $$
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
CREATE OR REPLACE FUNCTION search_add_words(texts text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word, lemmas)
    SELECT unaccent(f),
           coalesce(array_agg(DISTINCT unaccent(l)) FILTER (WHERE unaccent(l) <> unaccent(f)), '{}')
    FROM (
        SELECT DISTINCT f
        FROM unnest(texts) t, unnest(tsvector_to_array(to_tsvector('simple', t))) f
    ) forms
    LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('miasta_pl'::text::regconfig, f))) l ON true
    WHERE NOT EXISTS (SELECT FROM search_words s WHERE s.word = unaccent(f))
    GROUP BY unaccent(f)
    ON CONFLICT (word) DO UPDATE SET lemmas = ARRAY(SELECT DISTINCT unnest(search_words.lemmas || excluded.lemmas))
        WHERE NOT search_words.lemmas @> excluded.lemmas;
END;
$$;
-- +goose StatementEnd

ALTER TABLE search_words DROP COLUMN known;
