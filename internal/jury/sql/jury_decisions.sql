-- name: InsertJuryDecision :exec
INSERT INTO jury_decisions (edition_id, category_id, nomination_ids, reason, event_id)
VALUES (@edition_id, @category_id, @nomination_ids, @reason, @event_id);

-- name: ListJuryDecisions :many
-- The decisions in force, in the order they were recorded.
SELECT * FROM jury_decisions WHERE edition_id = @edition_id AND NOT superseded ORDER BY id;

-- name: SupersedeJuryDecisions :exec
UPDATE jury_decisions SET superseded = true WHERE edition_id = @edition_id AND NOT superseded;
