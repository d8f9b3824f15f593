-- name: GetCastByRequest :one
SELECT * FROM ballot_casts WHERE assignment_id = @assignment_id AND request_id = @request_id;

-- name: InsertCast :one
INSERT INTO ballot_casts (id, edition_id, assignment_id, request_id, version, content, ballot_hash, event_id)
VALUES (@id, @edition_id, @assignment_id, @request_id, @version, @content, @ballot_hash, @event_id)
RETURNING *;

-- name: LastCast :one
SELECT * FROM ballot_casts WHERE assignment_id = @assignment_id ORDER BY cast_time DESC, id DESC LIMIT 1;

-- name: LastCasts :many
-- Each juror's last cast in an edition: the ballots that count.
SELECT DISTINCT ON (assignment_id) * FROM ballot_casts
WHERE edition_id = @edition_id
ORDER BY assignment_id, cast_time DESC, id DESC;
