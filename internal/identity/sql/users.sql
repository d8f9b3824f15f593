-- name: UpsertUser :one
-- Records the identity provider's current view of the user on every sign-in.
INSERT INTO users (issuer, subject, email, email_verified, name)
VALUES (@issuer, @subject, @email, @email_verified, @name)
ON CONFLICT (issuer, subject) DO UPDATE
SET email = EXCLUDED.email,
    email_verified = EXCLUDED.email_verified,
    name = EXCLUDED.name,
    update_time = now()
WHERE (users.email, users.email_verified, users.name)
      IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.email_verified, EXCLUDED.name)
RETURNING *;

-- name: GetUserBySubject :one
SELECT sqlc.embed(u), EXISTS (
    SELECT 1 FROM invitations i WHERE i.email = lower(u.email) AND i.state = 'PENDING'
) AS has_pending_invitations
FROM users u WHERE u.issuer = @issuer AND u.subject = @subject;

-- name: GetUser :one
SELECT sqlc.embed(u), EXISTS (
    SELECT 1 FROM invitations i WHERE i.email = lower(u.email) AND i.state = 'PENDING'
) AS has_pending_invitations
FROM users u WHERE u.id = @id;

-- name: IsKnownAddress :one
-- Whether the built-in e-mail sign-in may send a code to an address: someone invited to it (and not
-- revoked), or an account whose provider verified it and that was not erased.
SELECT (EXISTS (SELECT 1 FROM invitations i WHERE i.email = @email::text AND i.state IN ('PENDING', 'ACCEPTED'))
    OR EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = @email::text AND u.email_verified AND u.erase_time IS NULL))::boolean
    AS known;
