-- name: GetCastByRequest :one
SELECT sqlc.embed(c), coalesce(l.leaf_index, -1)::bigint AS leaf_index
FROM ballot_casts c LEFT JOIN log_leaves l ON l.event_id = c.event_id
WHERE c.assignment_id = @assignment_id AND c.request_id = @request_id;

-- name: InsertCast :one
INSERT INTO ballot_casts (id, edition_id, assignment_id, request_id, version, content, ballot_hash, event_id)
VALUES (@id, @edition_id, @assignment_id, @request_id, @version, @content, @ballot_hash, @event_id)
RETURNING *;

-- name: LastCast :one
-- The juror's last cast in log order, with its leaf in the audit log (-1 until integrated).
SELECT sqlc.embed(c), coalesce(l.leaf_index, -1)::bigint AS leaf_index
FROM ballot_casts c JOIN events ev ON ev.id = c.event_id LEFT JOIN log_leaves l ON l.event_id = c.event_id
WHERE c.assignment_id = @assignment_id ORDER BY ev.txid DESC, ev.id DESC LIMIT 1;

-- name: CountedCasts :many
-- The casts that count (§9.1 of the audit specification): each juror's last cast in log order (the
-- order of the writing transactions, then of the events) after the edition's last shortlist change.
-- A juror whose every cast precedes a change of the shortlist has none, and a juror whose role was
-- revoked has none (revocations happen only before the close, and are final).
WITH last_change AS (
    SELECT se.txid, se.id FROM events se
    WHERE se.edition_id = @edition_id AND se.kind IN ('shortlist.nominated', 'shortlist.unnominated')
    ORDER BY se.txid DESC, se.id DESC LIMIT 1
)
SELECT DISTINCT ON (c.assignment_id) c.id, c.assignment_id, c.content, c.event_id
FROM ballot_casts c JOIN events ev ON ev.id = c.event_id
WHERE c.edition_id = @edition_id
  AND NOT EXISTS (SELECT 1 FROM last_change lc WHERE ev.txid < lc.txid OR ev.txid = lc.txid AND ev.id <= lc.id)
  AND NOT EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.id = c.assignment_id AND ra.revoke_time IS NOT NULL)
ORDER BY c.assignment_id, ev.txid DESC, ev.id DESC;

-- name: CastsByEvent :many
-- The canonical content of the casts of the listed events.
SELECT event_id, content FROM ballot_casts WHERE edition_id = @edition_id AND event_id = ANY(@event_ids::bigint[]);

-- name: ListCasts :many
-- Every cast of an edition, in the order they were made.
SELECT * FROM ballot_casts WHERE edition_id = @edition_id ORDER BY cast_time, id;
