-- name: InsertConflict :one
INSERT INTO conflicts (assignment_id, nomination_id, reason, kind) VALUES (@assignment_id, @nomination_id, @reason, @kind)
ON CONFLICT (assignment_id, nomination_id) DO NOTHING
RETURNING *;

-- name: ListConflicts :many
SELECT * FROM conflicts WHERE assignment_id = @assignment_id;

-- name: ListEditionConflicts :many
SELECT c.* FROM conflicts c JOIN nominations n ON n.id = c.nomination_id WHERE n.edition_id = @edition_id;
