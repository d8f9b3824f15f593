-- name: ListEditionTemplates :many
SELECT kind, language, subject, body FROM mail_templates WHERE edition_id = @edition_id ORDER BY kind, language;

-- name: EditionTemplatesOfKind :many
SELECT language, subject, body FROM mail_templates WHERE edition_id = @edition_id AND kind = @kind;

-- name: UpsertEditionTemplate :exec
INSERT INTO mail_templates (edition_id, kind, language, subject, body, updated_by)
VALUES (@edition_id, @kind, @language, @subject, @body, sqlc.narg('updated_by'))
ON CONFLICT (edition_id, kind, language) DO UPDATE
SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, update_time = now();

-- name: DeleteEditionTemplate :exec
DELETE FROM mail_templates WHERE edition_id = @edition_id AND kind = @kind AND language = @language;

-- name: SampleRecipient :one
-- One of the edition's invited people of a role, for a preview on real data.
SELECT i.display_name, i.role, coalesce(c.name, '')::text AS city_name
FROM invitations i LEFT JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND i.role = ANY(@roles::text[])
ORDER BY i.create_time, i.id
LIMIT 1;
