-- name: ListEditionEvents :many
-- An edition's events, newest first, with their leaves, who made them by name, and the text behind a
-- reason or comment commitment (the organisers' timeline).
SELECT e.id, e.kind, e.create_time, e.actor_role, e.actor_id, e.payload::text AS payload,
    coalesce(l.leaf_index, -1)::bigint AS leaf_index,
    (CASE WHEN e.actor_role = 'organiser' THEN coalesce(nullif(u.name, ''), u.email, '')
          WHEN e.actor_role IN ('expert', 'juror') THEN coalesce(ra.display_name, '')
          ELSE '' END)::text AS actor_name,
    coalesce(c.text, e.payload->>'reason', '')::text AS reason
FROM events e
LEFT JOIN log_leaves l ON l.event_id = e.id
LEFT JOIN users u ON e.actor_role = 'organiser' AND u.id = e.actor_id
LEFT JOIN role_assignments ra ON e.actor_role IN ('expert', 'juror') AND ra.id = e.actor_id
LEFT JOIN commitments c ON c.commitment = coalesce(e.payload->>'reason_commitment', e.payload->>'comment_commitment')
WHERE e.edition_id = @edition_id
  AND starts_with(e.kind, @kind_prefix::text)
  AND (@before_id::bigint = 0 OR e.id < @before_id::bigint)
ORDER BY e.id DESC
LIMIT @max_rows;
