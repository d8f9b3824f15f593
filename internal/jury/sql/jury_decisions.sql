-- name: UpsertJuryDecision :exec
INSERT INTO jury_decisions (edition_id, category_id, nomination_ids, reason)
VALUES (@edition_id, @category_id, @nomination_ids, @reason)
ON CONFLICT (edition_id, category_id) DO UPDATE
SET nomination_ids = EXCLUDED.nomination_ids, reason = EXCLUDED.reason, create_time = now();

-- name: ListJuryDecisions :many
SELECT * FROM jury_decisions WHERE edition_id = @edition_id ORDER BY category_id;
