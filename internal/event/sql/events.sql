-- name: InsertEvent :one
INSERT INTO events (edition_id, kind, actor_user_id, actor_role, actor_id, payload)
VALUES (sqlc.narg('edition_id'), @kind, sqlc.narg('actor_user_id'), sqlc.narg('actor_role'), sqlc.narg('actor_id'), @payload)
RETURNING id;

-- name: InsertCommitment :exec
INSERT INTO commitments (commitment, salt, text) VALUES (@commitment, @salt, @text);
