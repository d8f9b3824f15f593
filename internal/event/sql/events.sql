-- name: InsertEvent :one
INSERT INTO events (edition_id, kind, actor_user_id, payload)
VALUES (sqlc.narg('edition_id'), @kind, sqlc.narg('actor_user_id'), @payload)
RETURNING id;

-- name: ListEditionEvents :many
SELECT * FROM events
WHERE edition_id = @edition_id AND id > @after_id
ORDER BY id
LIMIT @max_rows;
