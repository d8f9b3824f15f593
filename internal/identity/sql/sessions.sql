-- name: InsertSession :exec
-- expire_time is when the session ends unless used: the idle timeout from now, never past its
-- absolute lifetime (create_time + ttl).
INSERT INTO sessions (token_hash, user_id, expire_time)
VALUES (@token_hash, @user_id, now() + make_interval(secs => least(@idle_seconds::float8, @ttl_seconds::float8)));

-- name: TrimUserSessions :execrows
-- Ends a user's sessions beyond the newest @keep, and any of theirs that expired.
DELETE FROM sessions d
WHERE d.user_id = @user_id
  AND d.token_hash NOT IN (SELECT s.token_hash FROM sessions s
                           WHERE s.user_id = @user_id AND s.expire_time > now()
                           ORDER BY s.create_time DESC, s.token_hash
                           LIMIT @keep);

-- name: TouchSession :one
-- Returns a live session's user and moves its end to the idle timeout from now (never past its
-- absolute lifetime). The row is written only when that moves the end by more than a tenth of the
-- idle timeout (at most a minute), so a session in steady use costs a write a minute, not one a call.
WITH live AS (
    SELECT l.token_hash, l.user_id,
           least(now() + make_interval(secs => @idle_seconds::float8),
                 l.create_time + make_interval(secs => @ttl_seconds::float8)) AS new_expire,
           l.expire_time
    FROM sessions l
    WHERE l.token_hash = @token_hash AND l.expire_time > now()
), touched AS (
    UPDATE sessions s SET expire_time = live.new_expire
    FROM live
    WHERE s.token_hash = live.token_hash
      AND live.new_expire > live.expire_time + make_interval(secs => least(60.0, 0.1 * @idle_seconds::float8))
)
SELECT user_id FROM live;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = @token_hash;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expire_time <= now();

-- name: DeleteUserSessions :execrows
-- Ends every session of a user at once (their role was revoked).
DELETE FROM sessions WHERE user_id = @user_id;
