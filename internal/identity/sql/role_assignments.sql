-- name: InsertRoleAssignment :one
INSERT INTO role_assignments (edition_id, user_id, role, city_id, display_name, pseudonym, language, languages, invitation_id)
VALUES (@edition_id, @user_id, @role, sqlc.narg('city_id'), @display_name, @pseudonym, @language, @languages, @invitation_id)
ON CONFLICT (edition_id, user_id, role) DO NOTHING
RETURNING *;

-- name: ListUserAssignments :many
-- A user's roles, newest edition first; a person holds at most three per edition.
SELECT sqlc.embed(ra), coalesce(c.name, '')::text AS city_name, e.year AS edition_year
FROM role_assignments ra
LEFT JOIN cities c ON c.id = ra.city_id
JOIN editions e ON e.id = ra.edition_id
WHERE ra.user_id = @user_id AND ra.revoke_time IS NULL
ORDER BY e.year DESC, ra.role
LIMIT 1000;

-- name: ListEditionAssignments :many
SELECT sqlc.embed(ra), coalesce(c.name, '')::text AS city_name, e.year AS edition_year, u.email AS user_email, u.name AS user_name
FROM role_assignments ra
LEFT JOIN cities c ON c.id = ra.city_id
JOIN editions e ON e.id = ra.edition_id
JOIN users u ON u.id = ra.user_id
WHERE ra.edition_id = @edition_id AND (ra.create_time, ra.id) > (@after_time::timestamptz, @after_id::uuid)
ORDER BY ra.create_time, ra.id
LIMIT @max_rows;

-- name: GetUserAssignment :one
SELECT id, revoke_time FROM role_assignments WHERE edition_id = @edition_id AND user_id = @user_id AND role = @role;

-- name: GetAssignmentForUpdate :one
SELECT * FROM role_assignments WHERE id = @id FOR UPDATE;

-- name: RevokeAssignment :one
UPDATE role_assignments SET revoke_time = now(), revoked_by = sqlc.narg('revoked_by'), revoke_reason = @reason
WHERE id = @id AND revoke_time IS NULL
RETURNING *;

-- name: MarkInvitationRevoked :exec
-- The accepted invitation of a revoked assignment: reminders and imports leave the person alone.
UPDATE invitations SET state = 'REVOKED', revoke_time = now() WHERE id = @id;

-- name: GetAssignmentView :one
SELECT sqlc.embed(ra), coalesce(c.name, '')::text AS city_name, e.year AS edition_year, u.email AS user_email, u.name AS user_name
FROM role_assignments ra
LEFT JOIN cities c ON c.id = ra.city_id
JOIN editions e ON e.id = ra.edition_id
JOIN users u ON u.id = ra.user_id
WHERE ra.id = @id;

-- name: EditionsOfRefs :many
-- The edition each referenced row belongs to, for scoping an edition organiser's or observer's call
-- (auth.Interceptor): one row per id found.
SELECT id AS ref, id AS edition_id FROM editions WHERE id = ANY(@editions::uuid[])
UNION ALL SELECT id, edition_id FROM reports WHERE id = ANY(@reports::uuid[])
UNION ALL SELECT p.id, r.edition_id FROM practices p JOIN reports r ON r.id = p.report_id WHERE p.id = ANY(@practices::uuid[])
UNION ALL SELECT a.id, r.edition_id FROM attachments a JOIN reports r ON r.id = a.report_id WHERE a.id = ANY(@attachments::uuid[])
UNION ALL SELECT id, edition_id FROM nominations WHERE id = ANY(@nominations::uuid[])
UNION ALL SELECT id, edition_id FROM categories WHERE id = ANY(@categories::uuid[])
UNION ALL SELECT id, edition_id FROM criteria WHERE id = ANY(@criteria::uuid[])
UNION ALL SELECT id, edition_id FROM invitations WHERE id = ANY(@invitations::uuid[])
UNION ALL SELECT id, edition_id FROM role_assignments WHERE id = ANY(@assignments::uuid[])
UNION ALL SELECT id, edition_id FROM mail_outbox WHERE id = ANY(@mails::uuid[]) AND edition_id IS NOT NULL;
