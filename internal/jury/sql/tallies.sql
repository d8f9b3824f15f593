-- name: UpsertTally :exec
INSERT INTO tallies (edition_id, result, tally_hash) VALUES (@edition_id, @result, @tally_hash)
ON CONFLICT (edition_id) DO UPDATE SET result = EXCLUDED.result, tally_hash = EXCLUDED.tally_hash, compute_time = now();

-- name: GetTally :one
SELECT * FROM tallies WHERE edition_id = @edition_id;

-- name: MarkDistinguished :exec
UPDATE nominations SET distinguished = (id = ANY(@winner_ids::uuid[])) WHERE edition_id = @edition_id;

-- name: InsertTallyHistory :exec
INSERT INTO tally_history (edition_id, event_id, kind, result, tally_hash) VALUES (@edition_id, @event_id, @kind, @result, @tally_hash);

-- name: TallyOfEvent :one
SELECT result FROM tally_history WHERE edition_id = @edition_id AND event_id = @event_id;

-- name: ListTallyHistory :many
SELECT * FROM tally_history WHERE edition_id = @edition_id ORDER BY event_id;

-- name: StageSteps :many
-- The edition's stage changes that carry a reason (every move back, every override), oldest first,
-- with the organiser's name and, for a move back from TALLIED, the tally it set aside.
SELECT e.id, e.payload, e.create_time, coalesce(u.name, '')::text AS organiser,
    coalesce(t.tally_hash, '')::text AS set_aside_hash, t.result AS set_aside_result
FROM events e
LEFT JOIN users u ON u.id = e.actor_user_id
LEFT JOIN LATERAL (
    SELECT th.tally_hash, th.result FROM tally_history th JOIN events te ON te.id = th.event_id
    WHERE th.edition_id = e.edition_id AND e.payload->>'from' = 'TALLIED'
      AND (te.txid < e.txid OR te.txid = e.txid AND te.id < e.id)
    ORDER BY te.txid DESC, te.id DESC LIMIT 1
) t ON true
WHERE e.edition_id = @edition_id AND e.kind = 'edition.stage_changed' AND e.payload->>'reason' <> ''
ORDER BY e.txid, e.id;
