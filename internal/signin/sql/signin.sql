-- name: InsertKeys :exec
-- The first replica to start makes the keys; the others keep them.
INSERT INTO signin_keys (id, key_id, signing_key, crypto_key, code_key, client_secret)
VALUES (1, @key_id, @signing_key, @crypto_key, @code_key, @client_secret)
ON CONFLICT (id) DO NOTHING;

-- name: GetKeys :one
SELECT * FROM signin_keys WHERE id = 1;

-- name: InsertRequest :exec
INSERT INTO signin_requests (id, client_id, redirect_uri, scopes, state, nonce, response_type, response_mode,
    code_challenge, code_challenge_method, ui_locales, expire_time)
VALUES (@id, @client_id, @redirect_uri, @scopes, @state, @nonce, @response_type, @response_mode,
    @code_challenge, @code_challenge_method, @ui_locales, @expire_time);

-- name: GetRequest :one
SELECT * FROM signin_requests WHERE id = @id AND expire_time > now();

-- name: GetRequestForUpdate :one
SELECT * FROM signin_requests WHERE id = @id AND expire_time > now() FOR UPDATE;

-- name: BindBrowser :execrows
-- The first page view binds the request to its browser; later ones must come from it.
UPDATE signin_requests SET browser_hash = @browser_hash WHERE id = @id AND browser_hash IS NULL;

-- name: SetCode :exec
UPDATE signin_requests SET email = @email, code_hash = @code_hash, code_expire_time = @code_expire_time, code_attempts = 0
WHERE id = @id;

-- name: CountCodeAttempt :exec
UPDATE signin_requests SET code_attempts = code_attempts + 1 WHERE id = @id;

-- name: CompleteRequest :exec
-- A code is single-use: it is forgotten once it signed the request in.
UPDATE signin_requests SET subject = @subject, auth_time = @auth_time, done = true, code_hash = NULL
WHERE id = @id;

-- name: SaveAuthCode :execrows
UPDATE signin_requests SET auth_code_hash = @auth_code_hash WHERE id = @id AND expire_time > now();

-- name: TakeRequestByAuthCode :one
-- Redeeming a code ends its request: neither can be used again, even when the exchange then fails.
DELETE FROM signin_requests WHERE auth_code_hash = @auth_code_hash AND expire_time > now() RETURNING *;

-- name: DeleteRequest :exec
DELETE FROM signin_requests WHERE id = @id;

-- name: UpsertAccount :one
-- An address's subject: made at its first sign-in, the same ever after.
INSERT INTO signin_accounts (subject, email) VALUES (@subject, @email)
ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
RETURNING subject;

-- name: GetAccount :one
SELECT * FROM signin_accounts WHERE subject = @subject;

-- name: InsertToken :exec
INSERT INTO signin_tokens (id, subject, client_id, scopes, expire_time) VALUES (@id, @subject, @client_id, @scopes, @expire_time);

-- name: GetToken :one
SELECT * FROM signin_tokens WHERE id = @id AND expire_time > now();

-- name: DeleteToken :exec
DELETE FROM signin_tokens WHERE id = @id;

-- name: DeleteSubjectTokens :exec
DELETE FROM signin_tokens WHERE subject = @subject AND (@client_id::text = '' OR client_id = @client_id);

-- name: InsertEvent :exec
INSERT INTO signin_events (kind, email, client_addr) VALUES (@kind, @email, @client_addr);

-- name: LockLimits :exec
-- Serialises, until the transaction ends, the sign-in steps counted against one address and one
-- client address, so that steps at the same moment cannot all pass a limit (always the address first,
-- then the client: no two transactions wait for each other in a cycle).
SELECT pg_advisory_xact_lock(hashtext('signin address ' || @email::text)),
       pg_advisory_xact_lock(hashtext('signin client ' || @client_addr::text));

-- name: CountEvents :one
-- Events of some kinds for an address, from a client address, and for that address from that client
-- since a time: what the limits count.
SELECT
    count(*) FILTER (WHERE email = @email)::int AS by_email,
    count(*) FILTER (WHERE client_addr = @client_addr)::int AS by_addr,
    count(*) FILTER (WHERE email = @email AND client_addr = @client_addr)::int AS by_both
FROM signin_events
WHERE kind = ANY(@kinds::text[]) AND event_time > @since AND (email = @email OR client_addr = @client_addr);

-- name: SweepRequests :execrows
DELETE FROM signin_requests WHERE expire_time <= now();

-- name: SweepTokens :execrows
DELETE FROM signin_tokens WHERE expire_time <= now();

-- name: SweepEvents :execrows
DELETE FROM signin_events WHERE event_time < @before;

-- name: ListEvents :many
SELECT * FROM signin_events WHERE email = @email ORDER BY seq DESC LIMIT 200;
