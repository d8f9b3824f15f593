-- name: InsertCosignature :exec
INSERT INTO checkpoint_cosignatures (tree_size, witness_key, line, cosign_time)
VALUES (@tree_size, @witness_key, @line, @cosign_time)
ON CONFLICT (tree_size, witness_key) DO NOTHING;

-- name: CosignaturesAt :many
SELECT * FROM checkpoint_cosignatures WHERE tree_size = @tree_size ORDER BY witness_key;

-- name: WitnessedSize :one
-- The largest checkpoint the witness cosigned for us, or -1.
SELECT coalesce(max(tree_size), -1)::bigint FROM checkpoint_cosignatures WHERE witness_key = @witness_key;

-- name: UpsertWitnessStatus :exec
INSERT INTO witness_status (witness_key, url, cosigned_size, last_attempt, last_success, last_error)
VALUES (@witness_key, @url, sqlc.narg('cosigned_size'), now(), CASE WHEN @last_error::text = '' THEN now() END, @last_error::text)
ON CONFLICT (witness_key) DO UPDATE SET
    url = EXCLUDED.url,
    cosigned_size = coalesce(EXCLUDED.cosigned_size, witness_status.cosigned_size),
    last_attempt = EXCLUDED.last_attempt,
    last_success = coalesce(EXCLUDED.last_success, witness_status.last_success),
    last_error = EXCLUDED.last_error;

-- name: ListWitnessStatus :many
SELECT * FROM witness_status ORDER BY witness_key;
