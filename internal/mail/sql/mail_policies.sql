-- name: ListPolicies :many
-- The platform-wide rows and, when edition_id is set, that edition's.
SELECT * FROM mail_policies
WHERE edition_id IS NULL OR edition_id = sqlc.narg('edition_id');

-- name: UpsertPolicy :exec
INSERT INTO mail_policies (edition_id, kind, auto_send)
VALUES (sqlc.narg('edition_id'), @kind, @auto_send)
ON CONFLICT (edition_id, kind) DO UPDATE SET auto_send = EXCLUDED.auto_send, update_time = now();

-- name: DeletePolicy :execrows
DELETE FROM mail_policies
WHERE edition_id IS NOT DISTINCT FROM sqlc.narg('edition_id') AND kind = @kind;
