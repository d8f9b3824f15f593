-- name: UpsertTally :exec
INSERT INTO tallies (edition_id, result, tally_hash) VALUES (@edition_id, @result, @tally_hash)
ON CONFLICT (edition_id) DO UPDATE SET result = EXCLUDED.result, tally_hash = EXCLUDED.tally_hash, compute_time = now();

-- name: GetTally :one
SELECT * FROM tallies WHERE edition_id = @edition_id;

-- name: MarkDistinguished :exec
UPDATE nominations SET distinguished = (id = ANY(@winner_ids::uuid[])) WHERE edition_id = @edition_id;
