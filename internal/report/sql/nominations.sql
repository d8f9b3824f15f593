-- name: InsertNomination :one
INSERT INTO nominations (edition_id, category_id, practice_id, recategorise_reason)
VALUES (@edition_id, @category_id, @practice_id, @recategorise_reason)
RETURNING *;

-- name: GetNomination :one
SELECT * FROM nominations WHERE id = @id;

-- name: DeleteNomination :exec
DELETE FROM nominations WHERE id = @id;

-- name: CountNominations :one
SELECT count(*) FROM nominations WHERE edition_id = @edition_id;

-- name: ListNominations :many
SELECT sqlc.embed(n), sqlc.embed(p), r.city_id, c.name AS city_name, cat.number AS category_number
FROM nominations n
JOIN practices p ON p.id = n.practice_id
JOIN reports r ON r.id = p.report_id
JOIN cities c ON c.id = r.city_id
JOIN categories cat ON cat.id = n.category_id
WHERE n.edition_id = @edition_id
  AND (sqlc.narg('category_id')::uuid IS NULL OR n.category_id = sqlc.narg('category_id'))
  AND (cat.number, n.id) > (@after_number::integer, @after_id::uuid)
ORDER BY cat.number, n.id
LIMIT @max_rows;
