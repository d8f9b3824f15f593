-- name: ListJurors :many
SELECT ra.*, c.name AS city_name FROM role_assignments ra JOIN cities c ON c.id = ra.city_id
WHERE ra.edition_id = @edition_id AND ra.role = 'JUROR'
ORDER BY ra.display_name, ra.id;

-- name: ListEditionNominations :many
-- The whole shortlist with each practice's city; an edition has at most a few hundred nominations.
SELECT n.id, n.category_id, n.practice_id, r.city_id
FROM nominations n JOIN practices p ON p.id = n.practice_id JOIN reports r ON r.id = p.report_id
WHERE n.edition_id = @edition_id
ORDER BY n.id
LIMIT 5000;
