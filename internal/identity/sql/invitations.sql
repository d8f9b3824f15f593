-- name: InsertInvitation :one
INSERT INTO invitations (edition_id, email, role, city_id, display_name, pseudonym, language, languages, created_by)
VALUES (@edition_id, @email, @role, sqlc.narg('city_id'), @display_name, @pseudonym, @language, @languages, sqlc.narg('created_by'))
RETURNING *;

-- name: GetInvitationForUpdate :one
SELECT * FROM invitations WHERE id = @id FOR UPDATE;

-- name: ListInvitations :many
SELECT sqlc.embed(i), coalesce(c.name, '')::text AS city_name
FROM invitations i LEFT JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND (i.create_time, i.id) > (@after_time::timestamptz, @after_id::uuid)
ORDER BY i.create_time, i.id
LIMIT @max_rows;

-- name: GetInvitationView :one
SELECT sqlc.embed(i), coalesce(c.name, '')::text AS city_name
FROM invitations i LEFT JOIN cities c ON c.id = i.city_id
WHERE i.id = @id;

-- name: RevokeInvitation :one
UPDATE invitations SET state = 'REVOKED', revoke_time = now()
WHERE id = @id AND state = 'PENDING'
RETURNING *;

-- name: PendingInvitationsForEmail :many
-- Locks the invitations a verified address may accept, oldest first.
SELECT * FROM invitations
WHERE email = @email AND state = 'PENDING'
ORDER BY create_time, id
FOR UPDATE;

-- name: MarkInvitationAccepted :exec
UPDATE invitations SET state = 'ACCEPTED', accept_time = now() WHERE id = @id;

-- name: CountJurorInvitations :one
SELECT count(*) FROM invitations WHERE edition_id = @edition_id AND role = 'JUROR';

-- name: InvitedKeys :many
-- Who is invited to which role in an edition (pending or accepted, or accepted and then revoked), for
-- idempotent imports.
SELECT email, role FROM invitations i
WHERE i.edition_id = @edition_id
  AND (i.state IN ('PENDING', 'ACCEPTED') OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.invitation_id = i.id));

-- name: RevokedRoleOfEmail :one
-- Whether the address was invited to the role in the edition and the role it took was revoked.
SELECT EXISTS (
    SELECT 1 FROM invitations i JOIN role_assignments ra ON ra.invitation_id = i.id
    WHERE i.edition_id = @edition_id AND i.email = @email AND i.role = @role AND ra.revoke_time IS NOT NULL
)::boolean;
