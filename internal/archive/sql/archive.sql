-- The archive reads only what is public: editions in stage ANNOUNCED and the practices of their
-- ACCEPTED reports. Every query below says so in its WHERE clause, so that nothing else can leak
-- through a join.

-- name: AnnouncedEditions :many
-- Every announced edition, newest first, with when it was announced (its last results.announced)
-- and its counts.
SELECT e.id, e.year, e.name, e.name_texts, e.ceremony_time, e.demonstration, e.data_licence,
    coalesce((SELECT max(ev.create_time) FROM events ev WHERE ev.edition_id = e.id AND ev.kind = 'results.announced'), e.update_time)::timestamptz AS announce_time,
    (SELECT count(*) FROM edition_cities ec WHERE ec.edition_id = e.id)::int AS city_count,
    (SELECT count(*) FROM categories c WHERE c.edition_id = e.id)::int AS category_count,
    (SELECT count(*) FROM nominations n WHERE n.edition_id = e.id)::int AS nomination_count,
    (SELECT count(*) FROM nominations n WHERE n.edition_id = e.id AND n.distinguished)::int AS distinction_count
FROM editions e
WHERE e.stage = 'ANNOUNCED' AND (sqlc.narg(year)::int IS NULL OR e.year = sqlc.narg(year)::int)
ORDER BY e.year DESC;

-- name: PublicPractices :many
-- Public practices (accepted reports of announced editions), filtered by any of edition, city,
-- practice, category number and distinction, in edition (newest first), category and report order.
-- A nominated practice is in its nomination's category (an organiser may have moved it).
SELECT p.id, p.title, p.description, p.position, e.id AS edition_id, e.year, e.name_texts AS edition_names,
    e.name AS edition_name, c.id AS city_id, c.name AS city_name,
    cat.id AS category_id, cat.number AS category_number, cat.name_pl AS category_name_pl,
    cat.name_en AS category_name_en, cat.name_texts AS category_names,
    n.id AS nomination_id, coalesce(n.distinguished, false)::boolean AS distinguished
FROM practices p
JOIN reports r ON r.id = p.report_id
JOIN editions e ON e.id = r.edition_id
JOIN cities c ON c.id = r.city_id
LEFT JOIN nominations n ON n.practice_id = p.id
JOIN categories cat ON cat.id = coalesce(n.category_id, p.category_id)
WHERE r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED'
    AND (sqlc.narg(edition_id)::uuid IS NULL OR e.id = sqlc.narg(edition_id)::uuid)
    AND (sqlc.narg(city_id)::uuid IS NULL OR c.id = sqlc.narg(city_id)::uuid)
    AND (sqlc.narg(practice_id)::uuid IS NULL OR p.id = sqlc.narg(practice_id)::uuid)
    AND (sqlc.narg(category_number)::int IS NULL OR cat.number = sqlc.narg(category_number)::int)
    AND (NOT sqlc.arg(distinguished_only)::boolean OR n.distinguished)
ORDER BY e.year DESC, cat.number, c.name, p.position
LIMIT sqlc.arg(max_rows);

-- name: PublicPracticeDetail :one
-- The public fields of one public practice.
SELECT p.id, p.title, p.description, p.category_id, p.since_year, p.partners, p.target_groups,
    p.evidence_links, p.narratives
FROM practices p
JOIN reports r ON r.id = p.report_id
JOIN editions e ON e.id = r.edition_id
WHERE p.id = @practice_id AND r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED';

-- name: PublishedAttachments :many
-- A practice's attachments the public may read (the rule of report.OpenAttachment): published by an
-- organiser, of a distinguished practice of an announced edition.
SELECT a.id, a.practice_id, a.filename, a.media_type, a.kind, a.size, a.sha256, a.create_time
FROM attachments a
JOIN reports r ON r.id = a.report_id
JOIN editions e ON e.id = r.edition_id
JOIN nominations n ON n.practice_id = a.practice_id
WHERE a.practice_id = @practice_id AND a.published AND n.distinguished AND e.stage = 'ANNOUNCED'
    AND r.status = 'ACCEPTED'
ORDER BY a.create_time, a.id;

-- name: PublicTranslation :many
-- A practice's translation into a language, machine-made or reviewed (drafts are not published).
SELECT pt.status, tt.field, tt.text, tt.source_sha256
FROM practice_translations pt
JOIN translated_texts tt ON tt.practice_id = pt.practice_id AND tt.language = pt.language
WHERE pt.practice_id = @practice_id AND pt.language = @language AND pt.status IN ('MACHINE', 'REVIEWED')
ORDER BY tt.field;

-- name: CityFollowUps :many
-- The follow-ups of a city's accepted reports in announced editions, with the practice each follows.
SELECT e.year, f.outcome, f.narrative, n.practice_id AS previous_practice_id, r.id AS report_id
FROM follow_ups f
JOIN reports r ON r.id = f.report_id
JOIN editions e ON e.id = r.edition_id
JOIN nominations n ON n.id = f.previous_nomination_id
WHERE r.city_id = @city_id AND r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED'
ORDER BY e.year DESC, n.id;

-- name: GetCity :one
SELECT id, name FROM cities WHERE id = @city_id;

-- name: PublicTitleTranslations :many
-- The published (machine or reviewed) translations of practices' titles into a language.
SELECT tt.practice_id, tt.text, tt.source_sha256
FROM practice_translations pt
JOIN translated_texts tt ON tt.practice_id = pt.practice_id AND tt.language = pt.language
WHERE pt.practice_id = ANY(@practice_ids::uuid[]) AND pt.language = @language
  AND pt.status IN ('MACHINE', 'REVIEWED') AND tt.field = 'title';
