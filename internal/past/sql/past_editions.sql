-- name: UpsertPastEdition :exec
INSERT INTO past_editions (year, document, imported_by) VALUES (@year, @document, @imported_by)
ON CONFLICT (year) DO UPDATE SET document = EXCLUDED.document, import_time = now(), imported_by = EXCLUDED.imported_by;

-- name: PastEditionYearTaken :one
-- Whether the year has a past edition, and whether it has an edition on the platform.
SELECT EXISTS (SELECT 1 FROM past_editions p WHERE p.year = @year) AS past,
       EXISTS (SELECT 1 FROM editions e WHERE e.year = @year) AS platform;

-- name: GetPastEdition :one
SELECT * FROM past_editions WHERE year = @year;

-- name: ListPastEditions :many
-- At most a few dozen: one per year the award ran before the platform.
SELECT * FROM past_editions ORDER BY year DESC LIMIT 200;

-- name: DeletePastDistinctions :exec
DELETE FROM past_distinctions WHERE year = @year;

-- name: InsertPastDistinction :exec
INSERT INTO past_distinctions (year, position, city_id, category_number) VALUES (@year, @position, @city_id, @category_number);

-- name: ListPastDistinctionsOfCity :many
SELECT p.year, p.document, d.position FROM past_distinctions d JOIN past_editions p USING (year)
WHERE d.city_id = @city_id ORDER BY p.year DESC, d.position;
