-- name: InsertCheckpoint :exec
INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (@tree_size, @root_hash, @note)
ON CONFLICT (tree_size) DO NOTHING;

-- name: LatestCheckpoint :one
SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1;

-- name: GetCheckpoint :one
SELECT * FROM checkpoints WHERE tree_size = @tree_size;

-- name: ListCheckpoints :many
SELECT * FROM checkpoints WHERE tree_size <= @max_size ORDER BY tree_size;

-- name: AnnouncementCheckpoint :one
-- The first checkpoint whose tree holds the edition's last results.announced.
SELECT c.* FROM checkpoints c
WHERE c.tree_size > (
    SELECT l.leaf_index FROM events e JOIN log_leaves l ON l.event_id = e.id
    WHERE e.edition_id = sqlc.narg('edition_id') AND e.kind = 'results.announced'
    ORDER BY e.id DESC LIMIT 1)
ORDER BY c.tree_size LIMIT 1;
