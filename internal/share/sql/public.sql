-- What the sharing endpoints publish (internal/share): only announced editions, only the practices
-- of accepted reports. Every query states that rule itself, so that nothing here can return what the
-- public may not read.

-- name: AnnouncedEditions :many
-- The announced editions, newest first, with the time of their (last) announcement.
SELECT e.id, e.year,
       coalesce((SELECT max(ev.create_time) FROM events ev
                 WHERE ev.edition_id = e.id AND ev.kind = 'results.announced'), e.update_time)::timestamptz AS announce_time
FROM editions e
WHERE e.stage = 'ANNOUNCED'
ORDER BY e.year DESC;

-- name: EditionPractices :many
-- The practices of an announced edition's accepted reports, by city and the report's order.
SELECT p.id, p.title, p.description, p.category_id, p.since_year, p.partners, p.target_groups, p.evidence_links,
       r.city_id, ci.name AS city_name, n.id AS nomination_id
FROM practices p
JOIN reports r ON r.id = p.report_id
JOIN editions e ON e.id = r.edition_id
JOIN cities ci ON ci.id = r.city_id
LEFT JOIN nominations n ON n.practice_id = p.id
WHERE r.edition_id = @edition_id AND r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED'
ORDER BY ci.name, p.position;

-- name: PublicPractice :one
-- One practice, when it is public: its report accepted and its edition announced.
SELECT p.id, p.title, p.description, p.category_id, p.since_year, p.partners, p.target_groups, p.evidence_links,
       r.city_id, ci.name AS city_name, n.id AS nomination_id, e.year
FROM practices p
JOIN reports r ON r.id = p.report_id
JOIN editions e ON e.id = r.edition_id
JOIN cities ci ON ci.id = r.city_id
LEFT JOIN nominations n ON n.practice_id = p.id
WHERE p.id = @id AND r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED';

-- name: PublicCity :one
-- A city that reported in an announced edition.
SELECT ci.id, ci.name FROM cities ci
WHERE ci.id = @id AND EXISTS (
    SELECT 1 FROM edition_cities ec JOIN editions e ON e.id = ec.edition_id
    WHERE ec.city_id = ci.id AND e.stage = 'ANNOUNCED');

-- name: CityPractices :many
-- A city's public practices across announced editions, newest edition first.
SELECT p.id, p.title, p.category_id, n.id AS nomination_id, e.year
FROM practices p
JOIN reports r ON r.id = p.report_id
JOIN editions e ON e.id = r.edition_id
LEFT JOIN nominations n ON n.practice_id = p.id
WHERE r.city_id = @city_id AND r.status = 'ACCEPTED' AND e.stage = 'ANNOUNCED'
ORDER BY e.year DESC, p.position;

-- name: NominationYear :one
-- The year of a nomination's edition, when that edition is announced.
SELECT e.year FROM nominations n JOIN editions e ON e.id = n.edition_id
WHERE n.id = @id AND e.stage = 'ANNOUNCED';

-- name: ReviewedTranslation :many
-- A practice's reviewed translation into a language: its title and description, each with the hash
-- of the original it translates (a text whose original changed since is outdated).
SELECT tt.field, tt.text, tt.source_sha256
FROM translated_texts tt
JOIN practice_translations pt ON pt.practice_id = tt.practice_id AND pt.language = tt.language
WHERE tt.practice_id = @practice_id AND tt.language = @language AND pt.status = 'REVIEWED'
  AND tt.field IN ('title', 'description');
