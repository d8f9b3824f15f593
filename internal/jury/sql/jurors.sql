-- name: ListJurors :many
-- The edition's jurors, each with the cities they are recused from as home cities: their own and those
-- they report on as an expert of the same edition.
SELECT ra.*, c.name AS city_name,
    array_append(coalesce((SELECT array_agg(x.city_id) FROM role_assignments x
        WHERE x.edition_id = ra.edition_id AND x.user_id = ra.user_id AND x.role = 'EXPERT'), '{}'), ra.city_id)::uuid[] AS home_city_ids
FROM role_assignments ra JOIN cities c ON c.id = ra.city_id
WHERE ra.edition_id = @edition_id AND ra.role = 'JUROR'
ORDER BY ra.display_name, ra.id;

-- name: ListEditionNominations :many
-- The whole shortlist with each practice's city; an edition has at most a few hundred nominations.
SELECT n.id, n.category_id, n.practice_id, r.city_id
FROM nominations n JOIN practices p ON p.id = n.practice_id JOIN reports r ON r.id = p.report_id
WHERE n.edition_id = @edition_id
ORDER BY n.id
LIMIT 5000;

-- name: JurorsNotCast :many
-- The edition's jurors (pending or accepted invitations) without a cast: those who never signed in,
-- and those who did but have not cast.
SELECT i.id, i.display_name
FROM invitations i
WHERE i.edition_id = @edition_id AND i.role = 'JUROR' AND i.state IN ('PENDING', 'ACCEPTED')
  AND NOT EXISTS (
    SELECT 1 FROM role_assignments ra JOIN ballot_casts bc ON bc.assignment_id = ra.id
    WHERE ra.invitation_id = i.id)
ORDER BY i.display_name, i.id;
