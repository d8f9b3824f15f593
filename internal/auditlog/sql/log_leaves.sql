-- name: TreeSize :one
SELECT coalesce(max(leaf_index) + 1, 0)::bigint FROM log_leaves;

-- name: PendingEvents :many
-- Events not yet in the log whose transactions, and every transaction older than them, have ended:
-- the next leaves, in transaction order. Leaves are appended in that order, so nothing older than
-- the newest leaf's transaction can be pending: the index on txid skips the integrated history.
SELECT e.id, e.edition_id, e.kind, e.actor_user_id, e.payload::text AS payload, e.create_time
FROM events e
WHERE e.txid >= coalesce((
        SELECT le.txid FROM log_leaves l JOIN events le ON le.id = l.event_id
        ORDER BY l.leaf_index DESC LIMIT 1), '0'::xid8)
  AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
  AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.event_id = e.id)
ORDER BY e.txid, e.id
LIMIT @max_rows;

-- name: LeafHashes :many
SELECT leaf_hash FROM log_leaves WHERE leaf_index >= @from_index AND leaf_index < @to_index ORDER BY leaf_index;

-- name: LeafOfEvent :one
SELECT leaf_index FROM log_leaves WHERE event_id = @event_id;

-- name: LeafEvents :many
-- The events of the first @size leaves, in leaf order: what the leaves encode.
SELECT l.leaf_index, e.id, e.edition_id, e.kind, e.actor_user_id, e.payload::text AS payload, e.create_time
FROM log_leaves l JOIN events e ON e.id = l.event_id
WHERE l.leaf_index < @size
ORDER BY l.leaf_index;

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
INSERT INTO log_leaves (leaf_index, event_id, leaf_hash)
SELECT unnest(@leaf_indexes::bigint[]), unnest(@event_ids::bigint[]), unnest(@leaf_hashes::bytea[]);
