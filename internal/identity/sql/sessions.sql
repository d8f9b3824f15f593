-- name: InsertSession :exec
INSERT INTO sessions (token_hash, user_id, expire_time) VALUES (@token_hash, @user_id, @expire_time);

-- name: GetSessionUserID :one
SELECT user_id FROM sessions WHERE token_hash = @token_hash AND expire_time > now();

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = @token_hash;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expire_time <= now();
