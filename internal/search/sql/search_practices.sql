-- name: SearchPractices :many
-- A page of the public practices matching the query and filters, best first, each with a snippet
-- whose matching words are wrapped in U+0002 … U+0003 (the text's own are removed first).
-- The query has words (BrowsePractices lists without); a query of no words (only punctuation)
-- matches nothing. The tsqueries are computed once (scalar subqueries: init plans), so that the
-- GIN index answers document @@ them.
WITH hits AS (
    SELECT s.practice_id, s.year, s.category_id, s.city_id, s.distinguished, s.title, s.city_name, s.body,
           ts_rank(s.document, (SELECT search_query(@query::text, false, false)))::real AS rank
    FROM search_practices s
    WHERE s.document @@ (SELECT search_query(@query::text, false))
      AND (@target_group::text = '' OR s.target_document @@ (SELECT search_query(@target_group::text, false)))
      AND (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
      AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    ORDER BY rank DESC, s.year DESC, s.practice_id
    LIMIT @limit_count::integer OFFSET @offset_count::integer
)
SELECT h.practice_id, h.year, h.category_id, h.city_id, h.distinguished, h.title, h.city_name, h.rank,
       k.number AS category_number, k.name_pl AS category_name_pl, k.name_texts AS category_name_texts,
       ts_headline('miasta_simple', translate(h.body, E'\x02\x03', ''),
                   coalesce(search_query(@query::text, true), ''::tsquery),
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1')::text AS snippet,
       char_length(h.body)::integer AS body_length
FROM hits h
JOIN categories k ON k.id = h.category_id
ORDER BY h.rank DESC, h.year DESC, h.practice_id;

-- name: CountMatches :one
-- How many public practices match the query (with words) and every filter, counting no further than
-- @up_to: whether a search is few enough to rank (SearchPractices) or is listed newest first
-- (NewestMatches). The GIN index gives the matches; the count reads at most @up_to rows.
SELECT count(*)::integer FROM (
    SELECT 1
    FROM search_practices s
    WHERE s.document @@ (SELECT search_query(@query::text, false))
      AND (@target_group::text = '' OR s.target_document @@ (SELECT search_query(@target_group::text, false)))
      AND (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
      AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    LIMIT @up_to::integer
) m;

-- name: CountTargetMatches :one
-- CountMatches for a search by target group alone (no words).
SELECT count(*)::integer FROM (
    SELECT 1
    FROM search_practices s
    WHERE s.target_document @@ (SELECT search_query(@target_group::text, false))
      AND (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
      AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    LIMIT @up_to::integer
) m;

-- name: NewestMatches :many
-- The page of a search matching too many practices to rank: newest edition first. It reads the
-- first @budget practices under the filters in the order of search_practices_order and keeps those
-- that match, so that a broad query finds its page within the first rows, where ranking would read
-- every match. It runs with bitmap and sequential scans off (SET LOCAL), so that the index is read in
-- order. A page it leaves short (matches sparse among the newest practices, or the last page) is
-- asked of SortedMatches. The tsqueries come in made (search_query, before the settings change: its
-- own lookups must not be planned without them).
WITH hits AS (
    SELECT s.practice_id, s.year, s.category_id, s.city_id, s.distinguished, s.title, s.city_name, s.body
    FROM (
        SELECT *
        FROM search_practices s
        WHERE (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
          AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
          AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
          AND (NOT @distinguished_only::boolean OR s.distinguished)
        ORDER BY s.year DESC, s.practice_id
        LIMIT @budget::integer
    ) s
    WHERE (sqlc.narg(match)::text IS NULL OR s.document @@ CAST(sqlc.narg(match)::text AS tsquery))
      AND (sqlc.narg(target)::text IS NULL OR s.target_document @@ CAST(sqlc.narg(target)::text AS tsquery))
    ORDER BY s.year DESC, s.practice_id
    LIMIT @limit_count::integer OFFSET @offset_count::integer
)
SELECT h.practice_id, h.year, h.category_id, h.city_id, h.distinguished, h.title, h.city_name, 0::real AS rank,
       k.number AS category_number, k.name_pl AS category_name_pl, k.name_texts AS category_name_texts,
       ts_headline('miasta_simple', translate(h.body, E'\x02\x03', ''), CAST(@headline::text AS tsquery),
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1')::text AS snippet,
       char_length(h.body)::integer AS body_length
FROM hits h
JOIN categories k ON k.id = h.category_id
ORDER BY h.year DESC, h.practice_id;

-- name: SortedMatches :many
-- NewestMatches without its budget, planned as usual (the matches from the GIN index, sorted): for
-- the pages NewestMatches leaves short.
WITH hits AS (
    SELECT s.practice_id, s.year, s.category_id, s.city_id, s.distinguished, s.title, s.city_name, s.body
    FROM search_practices s
    WHERE s.document @@ (SELECT search_query(@query::text, false))
      AND (@target_group::text = '' OR s.target_document @@ (SELECT search_query(@target_group::text, false)))
      AND (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
      AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    ORDER BY s.year DESC, s.practice_id
    LIMIT @limit_count::integer OFFSET @offset_count::integer
)
SELECT h.practice_id, h.year, h.category_id, h.city_id, h.distinguished, h.title, h.city_name, 0::real AS rank,
       k.number AS category_number, k.name_pl AS category_name_pl, k.name_texts AS category_name_texts,
       ts_headline('miasta_simple', translate(h.body, E'\x02\x03', ''),
                   coalesce(search_query(@query::text, true), ''::tsquery),
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1')::text AS snippet,
       char_length(h.body)::integer AS body_length
FROM hits h
JOIN categories k ON k.id = h.category_id
ORDER BY h.year DESC, h.practice_id;

-- name: SearchQueries :one
-- The tsqueries NewestMatches takes: the query's and the target group's for matching ('' for no
-- words) and the query's for the snippet's marks ('' for none).
SELECT coalesce(search_query(@query::text, false)::text, '')::text AS match,
       coalesce(search_query(@target_group::text, false)::text, '')::text AS target,
       coalesce(search_query(@query::text, true), ''::tsquery)::text AS headline;

-- name: BrowsePractices :many
-- SearchPractices without words: newest edition first, in the order of search_practices_order, so
-- that a page reads only as many index entries as it needs rather than sorting every practice.
WITH hits AS (
    SELECT s.practice_id, s.year, s.category_id, s.city_id, s.distinguished, s.title, s.city_name, s.body
    FROM search_practices s
    WHERE (@target_group::text = '' OR s.target_document @@ (SELECT search_query(@target_group::text, false)))
      AND (sqlc.narg(year)::integer IS NULL OR s.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(category_id)::uuid IS NULL OR s.category_id = sqlc.narg(category_id)::uuid)
      AND (sqlc.narg(city_id)::uuid IS NULL OR s.city_id = sqlc.narg(city_id)::uuid)
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    ORDER BY s.year DESC, s.practice_id
    LIMIT @limit_count::integer OFFSET @offset_count::integer
)
SELECT h.practice_id, h.year, h.category_id, h.city_id, h.distinguished, h.title, h.city_name, 0::real AS rank,
       k.number AS category_number, k.name_pl AS category_name_pl, k.name_texts AS category_name_texts,
       ts_headline('miasta_simple', translate(h.body, E'\x02\x03', ''), ''::tsquery,
                   'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1')::text AS snippet,
       char_length(h.body)::integer AS body_length
FROM hits h
JOIN categories k ON k.id = h.category_id
ORDER BY h.year DESC, h.practice_id;

-- name: SearchFacets :many
-- How many of the practices matching the query, the target group and the distinction filter each
-- edition, category and city has, each counted under the other two filters, when at most
-- @up_to - 1 practices match the query, the target group and the distinction filter: the 'base' row
-- counts them up to @up_to, and when it reaches @up_to the other rows count only some of them.
-- The query has words, as for SearchPractices; TargetFacets counts without.
WITH base AS MATERIALIZED (
    SELECT s.year, s.category_id, s.city_id, s.city_name
    FROM search_practices s
    WHERE s.document @@ (SELECT search_query(@query::text, false))
      AND (@target_group::text = '' OR s.target_document @@ (SELECT search_query(@target_group::text, false)))
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    LIMIT @up_to::integer
)
SELECT 'base'::text AS kind, NULL::uuid AS id, 0 AS year, count(*)::integer AS count,
       0::integer AS number, ''::text AS name, '{}'::jsonb AS name_texts
FROM base
UNION ALL
SELECT 'edition', NULL, b.year, count(*)::integer, 0, '', '{}'
FROM base b
WHERE (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
  AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
GROUP BY b.year
UNION ALL
SELECT 'category', c.category_id, c.year, c.count, k.number, k.name_pl, k.name_texts
FROM (
    SELECT b.category_id, b.year, count(*)::integer AS count
    FROM base b
    WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
    GROUP BY b.category_id, b.year
) c JOIN categories k ON k.id = c.category_id
UNION ALL
SELECT 'city', b.city_id, 0, count(*)::integer, 0, min(b.city_name), '{}'::jsonb
FROM base b
WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
  AND (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
GROUP BY b.city_id;

-- name: TargetFacets :many
-- SearchFacets for a search by target group alone (no words), with its 'base' row likewise.
WITH base AS MATERIALIZED (
    SELECT s.year, s.category_id, s.city_id, s.city_name
    FROM search_practices s
    WHERE s.target_document @@ (SELECT search_query(@target_group::text, false))
      AND (NOT @distinguished_only::boolean OR s.distinguished)
    LIMIT @up_to::integer
)
SELECT 'base'::text AS kind, NULL::uuid AS id, 0 AS year, count(*)::integer AS count,
       0::integer AS number, ''::text AS name, '{}'::jsonb AS name_texts
FROM base
UNION ALL
SELECT 'edition', NULL, b.year, count(*)::integer, 0, '', '{}'
FROM base b
WHERE (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
  AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
GROUP BY b.year
UNION ALL
SELECT 'category', c.category_id, c.year, c.count, k.number, k.name_pl, k.name_texts
FROM (
    SELECT b.category_id, b.year, count(*)::integer AS count
    FROM base b
    WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
    GROUP BY b.category_id, b.year
) c JOIN categories k ON k.id = c.category_id
UNION ALL
SELECT 'city', b.city_id, 0, count(*)::integer, 0, min(b.city_name), '{}'::jsonb
FROM base b
WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
  AND (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
GROUP BY b.city_id;

-- name: BrowseFacets :many
-- SearchFacets for a search without words or target group, from the counts the index keeps.
WITH base AS (
    SELECT c.year, c.category_id, c.city_id, c.city_name, c.count
    FROM search_counts c
    WHERE (NOT @distinguished_only::boolean OR c.distinguished)
)
SELECT 'edition'::text AS kind, NULL::uuid AS id, b.year, sum(b.count)::integer AS count,
       0::integer AS number, ''::text AS name, '{}'::jsonb AS name_texts
FROM base b
WHERE (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
  AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
GROUP BY b.year
HAVING sum(b.count) > 0
UNION ALL
SELECT 'category', c.category_id, c.year, c.count, k.number, k.name_pl, k.name_texts
FROM (
    SELECT b.category_id, b.year, sum(b.count)::integer AS count
    FROM base b
    WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
      AND (sqlc.narg(city_id)::uuid IS NULL OR b.city_id = sqlc.narg(city_id)::uuid)
    GROUP BY b.category_id, b.year
) c JOIN categories k ON k.id = c.category_id
UNION ALL
SELECT 'city', b.city_id, 0, sum(b.count)::integer, 0, min(b.city_name), '{}'::jsonb
FROM base b
WHERE (sqlc.narg(year)::integer IS NULL OR b.year = sqlc.narg(year)::integer)
  AND (sqlc.narg(category_id)::uuid IS NULL OR b.category_id = sqlc.narg(category_id)::uuid)
GROUP BY b.city_id;

-- name: SearchDictionary :one
-- 'ispell' when the Polish dictionary is in use, 'simple' for the fallback.
SELECT search_dictionary()::text;
