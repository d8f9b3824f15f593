-- name: TreeSize :one
SELECT coalesce(max(leaf_index) + 1, 0)::bigint FROM log_leaves;

-- name: PendingEvents :many
-- Events not yet in the log whose transactions, and every transaction of this database older than
-- them, have ended: the next leaves, in transaction order. Leaves are appended in that order, so
-- nothing older than the newest leaf's transaction can be pending: the index on txid skips the
-- integrated history.
SELECT e.id, e.edition_id, e.kind, e.actor_role, e.actor_id, e.payload::text AS payload, e.create_time
FROM events e
WHERE e.txid >= coalesce((
        SELECT le.txid FROM log_leaves l JOIN events le ON le.id = l.event_id
        ORDER BY l.leaf_index DESC LIMIT 1), '0'::xid8)
  AND e.txid < CAST(sqlc.arg('horizon') AS text)::xid8
  AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.event_id = e.id)
ORDER BY e.txid, e.id
LIMIT @max_rows;

-- name: PendingCount :one
-- How many committed events are not in the log yet, and since when the oldest has waited.
SELECT count(*)::bigint AS pending, coalesce(min(e.create_time), now())::timestamptz AS oldest
FROM events e
WHERE e.txid >= coalesce((
        SELECT le.txid FROM log_leaves l JOIN events le ON le.id = l.event_id
        ORDER BY l.leaf_index DESC LIMIT 1), '0'::xid8)
  AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.event_id = e.id);

-- name: LeafHashes :many
SELECT leaf_hash FROM log_leaves WHERE leaf_index >= @from_index AND leaf_index < @to_index ORDER BY leaf_index;

-- name: LeafOfEvent :one
SELECT leaf_index FROM log_leaves WHERE event_id = @event_id;

-- name: CurrentHorizon :one
-- Every transaction with an id below this one has started: events committed by now are below it.
SELECT pg_snapshot_xmax(pg_current_snapshot())::text;

-- name: PendingBelow :one
-- Whether an event of a transaction below the horizon is still outside the log.
SELECT EXISTS (
    SELECT 1 FROM events e
    WHERE e.txid >= coalesce((
            SELECT le.txid FROM log_leaves l JOIN events le ON le.id = l.event_id
            ORDER BY l.leaf_index DESC LIMIT 1), '0'::xid8)
      AND e.txid < CAST(sqlc.arg('horizon') AS text)::xid8
      AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.event_id = e.id)
);

-- name: InsertLeaves :exec
-- One integration round's leaves in one statement (the arrays are zipped: equal lengths).
-- A platform event's edition is the empty string.
INSERT INTO log_leaves (leaf_index, event_id, leaf_hash, edition_id, body_sha256)
SELECT unnest(@leaf_indexes::bigint[]), unnest(@event_ids::bigint[]), unnest(@leaf_hashes::bytea[]),
       NULLIF(unnest(@edition_ids::text[]), '')::uuid, unnest(@body_hashes::bytea[]);

-- name: EditionEventsInLog :many
-- The edition's events among the first @size leaves, in leaf order (kind and payload only).
SELECT e.id, e.kind, e.payload::text AS payload
FROM log_leaves l JOIN events e ON e.id = l.event_id
WHERE l.edition_id = sqlc.narg('edition_id') AND l.leaf_index < @size
ORDER BY l.leaf_index;
