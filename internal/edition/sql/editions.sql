-- name: InsertEdition :one
INSERT INTO editions (year, name, reporting_deadline, jury_deadline, ceremony_time, ballot_publication, previous_edition_id, languages, demonstration)
VALUES (@year, @name, sqlc.narg('reporting_deadline'), sqlc.narg('jury_deadline'), sqlc.narg('ceremony_time'),
        @ballot_publication, sqlc.narg('previous_edition_id'), @languages::text[], @demonstration)
RETURNING *;

-- name: GetEdition :one
SELECT * FROM editions WHERE id = @id;

-- name: GetEditionForUpdate :one
SELECT * FROM editions WHERE id = @id FOR UPDATE;

-- name: ListEditions :many
SELECT * FROM editions
WHERE year < @before_year AND (@include_drafts::boolean OR stage <> 'DRAFT')
ORDER BY year DESC
LIMIT @max_rows;

-- name: UpdateTimeline :one
UPDATE editions
SET reporting_deadline = sqlc.narg('reporting_deadline'),
    jury_deadline = sqlc.narg('jury_deadline'),
    ceremony_time = sqlc.narg('ceremony_time'),
    update_time = now()
WHERE id = @id
RETURNING *;

-- name: UpdateStage :one
UPDATE editions SET stage = @stage, update_time = now() WHERE id = @id RETURNING *;

-- name: GetEditionForShare :one
-- Readers that must not race a stage change (saves, submissions) share-lock the edition row.
SELECT * FROM editions WHERE id = @id FOR SHARE;

-- name: GetEditionByYear :one
SELECT id FROM editions WHERE year = @year;

-- name: SetEditionNameTexts :exec
UPDATE editions SET name_texts = @name_texts, update_time = now() WHERE id = @id;

-- name: SetLanguages :one
UPDATE editions SET languages = @languages, update_time = now() WHERE id = @id RETURNING *;

-- name: PastEditionExists :one
-- A year the archive holds a past edition for (internal/past) cannot have an edition on the platform.
SELECT EXISTS (SELECT 1 FROM past_editions WHERE year = @year);

-- name: SetDataLicence :one
UPDATE editions SET data_licence = @data_licence, update_time = now() WHERE id = @id RETURNING *;

-- name: SetDeliberationNames :one
UPDATE editions SET deliberation_names = @deliberation_names, update_time = now() WHERE id = @id RETURNING *;
