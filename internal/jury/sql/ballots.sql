-- name: GetBallot :one
SELECT * FROM ballots WHERE assignment_id = @assignment_id;

-- name: InsertBallot :one
INSERT INTO ballots (assignment_id, edition_id, version, scores, comments)
VALUES (@assignment_id, @edition_id, 1, @scores, @comments)
ON CONFLICT (assignment_id) DO NOTHING
RETURNING *;

-- name: UpdateBallot :one
UPDATE ballots SET scores = @scores, comments = @comments, version = version + 1, update_time = now()
WHERE assignment_id = @assignment_id
RETURNING *;

-- name: ListEditionBallots :many
SELECT * FROM ballots WHERE edition_id = @edition_id;

-- name: GetBallotContext :one
-- Everything SaveBallot and CastBallot read, in one round trip: the edition's stage and jury
-- deadline with its row version (every stage move writes the row, so the version keys the cached
-- shortlist), the tally rule's version and state (keying the cached rule), the juror's declared
-- conflicts, their ballot, their last cast and the cast of request_id, if any, each with its leaf
-- (-1 until integrated). The edition's advisory lock is taken shared, then its row share-locked, so
-- the round cannot close underneath, and a close waiting for the lock is not overtaken by later casts
-- (db.LockEditionShared says why; lock_class is db.EditionLockClass).
SELECT
    e.stage,
    e.jury_deadline,
    e.update_time AS edition_update_time,
    e.xmin::text::bigint AS edition_xmin,
    coalesce(r.version, 0)::bigint AS rule_version,
    coalesce(r.frozen, false)::boolean AS rule_frozen,
    coalesce(r.rule_hash, '')::text AS rule_hash,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object('nomination_id', c.nomination_id, 'kind', c.kind, 'reason', c.reason))
        FROM conflicts c WHERE c.assignment_id = @assignment_id
    ), '[]')::jsonb AS conflicts,
    coalesce(b.version, 0)::bigint AS ballot_version,
    b.scores AS ballot_scores,
    b.comments AS ballot_comments,
    b.update_time AS ballot_update_time,
    (lc.id IS NOT NULL)::boolean AS has_last_cast,
    coalesce(lc.id, '00000000-0000-0000-0000-000000000000')::uuid AS last_cast_id,
    coalesce(lc.version, 0)::bigint AS last_cast_version,
    coalesce(lc.cast_time, 'epoch')::timestamptz AS last_cast_time,
    coalesce(lc.ballot_hash, '')::text AS last_cast_hash,
    coalesce(lc.event_id, 0)::bigint AS last_cast_event_id,
    coalesce(lc.leaf_index, -1)::bigint AS last_cast_leaf_index,
    (rc.id IS NOT NULL)::boolean AS has_request_cast,
    coalesce(rc.id, '00000000-0000-0000-0000-000000000000')::uuid AS request_cast_id,
    coalesce(rc.version, 0)::bigint AS request_cast_version,
    coalesce(rc.cast_time, 'epoch')::timestamptz AS request_cast_time,
    coalesce(rc.ballot_hash, '')::text AS request_cast_hash,
    coalesce(rc.event_id, 0)::bigint AS request_cast_event_id,
    coalesce(rc.leaf_index, -1)::bigint AS request_cast_leaf_index
FROM (SELECT pg_advisory_xact_lock_shared(@lock_class::int4, hashtext((@edition_id::uuid)::text)) OFFSET 0) lk
CROSS JOIN editions e
LEFT JOIN tally_rules r ON r.edition_id = e.id
LEFT JOIN ballots b ON b.assignment_id = @assignment_id AND b.edition_id = e.id
LEFT JOIN LATERAL (
    SELECT c.id, c.version, c.cast_time, c.ballot_hash, c.event_id, coalesce(l.leaf_index, -1)::bigint AS leaf_index
    FROM ballot_casts c JOIN events ev ON ev.id = c.event_id LEFT JOIN log_leaves l ON l.event_id = c.event_id
    WHERE c.assignment_id = @assignment_id ORDER BY ev.txid DESC, ev.id DESC LIMIT 1
) lc ON true
LEFT JOIN LATERAL (
    SELECT c.id, c.version, c.cast_time, c.ballot_hash, c.event_id, coalesce(l.leaf_index, -1)::bigint AS leaf_index
    FROM ballot_casts c LEFT JOIN log_leaves l ON l.event_id = c.event_id
    WHERE c.assignment_id = @assignment_id AND c.request_id = @request_id
) rc ON true
WHERE e.id = @edition_id
FOR SHARE OF e;

-- name: UpdateBallotAt :one
-- Replaces the draft if it is still at version expected; no row means someone saved in between.
UPDATE ballots SET scores = @scores, comments = @comments, version = version + 1, update_time = now()
WHERE assignment_id = @assignment_id AND version = @expected
RETURNING *;
