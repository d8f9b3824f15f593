-- name: InsertLogKey :exec
INSERT INTO log_key (id, verifier_key) VALUES (1, @verifier_key)
ON CONFLICT (id) DO NOTHING;

-- name: GetLogKey :one
SELECT verifier_key FROM log_key WHERE id = 1;

-- name: LastIntegratedRotation :one
-- The new key of the last key rotation in the log (the key in force at its size).
SELECT (e.payload->>'verifier_key')::text AS verifier_key
FROM events e JOIN log_leaves l ON l.event_id = e.id
WHERE e.kind = 'log.key_rotated'
ORDER BY l.leaf_index DESC LIMIT 1;

-- name: LastRotation :one
-- The new key of the last key rotation written, integrated or not.
SELECT (payload->>'verifier_key')::text AS verifier_key FROM events
WHERE kind = 'log.key_rotated'
ORDER BY id DESC LIMIT 1;
