-- name: GetReport :one
SELECT * FROM reports WHERE edition_id = @edition_id AND city_id = @city_id;

-- name: GetReportForUpdate :one
SELECT * FROM reports WHERE edition_id = @edition_id AND city_id = @city_id FOR UPDATE;

-- name: InsertReport :one
INSERT INTO reports (edition_id, city_id, status, version, introduction)
VALUES (@edition_id, @city_id, 'DRAFT', 1, @introduction)
ON CONFLICT (edition_id, city_id) DO NOTHING
RETURNING *;

-- name: UpdateReportDraft :one
UPDATE reports SET introduction = @introduction, version = version + 1, update_time = now()
WHERE id = @id
RETURNING *;

-- name: SetReportStatus :one
-- Moves a report to status; the timestamps of submit, return and accept record when each happened.
UPDATE reports
SET status = @status,
    version = version + 1,
    update_time = now(),
    submit_time = CASE WHEN @status = 'SUBMITTED' THEN now() ELSE submit_time END,
    return_time = CASE WHEN @status = 'RETURNED' THEN now() ELSE return_time END,
    accept_time = CASE WHEN @status = 'ACCEPTED' THEN now() ELSE accept_time END,
    return_comment = CASE WHEN @status = 'RETURNED' THEN @return_comment ELSE return_comment END
WHERE id = @id
RETURNING *;

-- name: ListEditionReports :many
-- Every report of an edition with its practice count; editions have at most a few dozen cities.
SELECT sqlc.embed(r), (SELECT count(*) FROM practices p WHERE p.report_id = r.id) AS practice_count
FROM reports r WHERE r.edition_id = @edition_id;

-- name: UnacceptedCities :many
-- The edition's reporting cities whose report is not accepted.
SELECT c.name FROM edition_cities ec
JOIN cities c ON c.id = ec.city_id
LEFT JOIN reports r ON r.edition_id = ec.edition_id AND r.city_id = ec.city_id
WHERE ec.edition_id = @edition_id AND (r.status IS NULL OR r.status <> 'ACCEPTED');
