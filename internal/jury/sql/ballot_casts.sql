-- name: GetCastByRequest :one
SELECT sqlc.embed(c), coalesce(l.leaf_index, -1)::bigint AS leaf_index
FROM ballot_casts c LEFT JOIN log_leaves l ON l.event_id = c.event_id
WHERE c.assignment_id = @assignment_id AND c.request_id = @request_id;

-- name: InsertCast :one
INSERT INTO ballot_casts (id, edition_id, assignment_id, request_id, version, content, ballot_hash, event_id)
VALUES (@id, @edition_id, @assignment_id, @request_id, @version, @content, @ballot_hash, @event_id)
RETURNING *;

-- name: LastCast :one
-- The juror's last cast, with its leaf in the audit log (-1 until integrated).
SELECT sqlc.embed(c), coalesce(l.leaf_index, -1)::bigint AS leaf_index
FROM ballot_casts c LEFT JOIN log_leaves l ON l.event_id = c.event_id
WHERE c.assignment_id = @assignment_id ORDER BY c.cast_time DESC, c.id DESC LIMIT 1;

-- name: LastCasts :many
-- Each juror's last cast in an edition: the ballots that count.
SELECT DISTINCT ON (assignment_id) * FROM ballot_casts
WHERE edition_id = @edition_id
ORDER BY assignment_id, cast_time DESC, id DESC;

-- name: ListCasts :many
-- Every cast of an edition, in the order they were made.
SELECT * FROM ballot_casts WHERE edition_id = @edition_id ORDER BY cast_time, id;
