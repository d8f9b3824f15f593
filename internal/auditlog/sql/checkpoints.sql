-- name: InsertCheckpoint :exec
INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (@tree_size, @root_hash, @note)
ON CONFLICT (tree_size) DO NOTHING;

-- name: LatestCheckpoint :one
SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1;

-- name: GetCheckpoint :one
SELECT * FROM checkpoints WHERE tree_size = @tree_size;

-- name: ListCheckpoints :many
SELECT * FROM checkpoints WHERE tree_size <= @max_size ORDER BY tree_size;
