-- The originals: the practices of an edition's accepted reports (rows of the report domain, read only).

-- name: AcceptedPractices :many
-- Every practice of the edition's accepted reports, with its city and whether it is on the shortlist;
-- an edition has at most a few hundred.
SELECT p.id, p.title, p.description, p.category_id, p.narratives, r.edition_id, r.city_id, c.name AS city_name,
    r.version AS report_version, EXISTS (SELECT 1 FROM nominations n WHERE n.practice_id = p.id) AS nominated
FROM practices p JOIN reports r ON r.id = p.report_id JOIN cities c ON c.id = r.city_id
WHERE r.edition_id = @edition_id AND r.status = 'ACCEPTED'
ORDER BY c.name, p.position
LIMIT 5000;

-- name: AcceptedPractice :one
-- One practice, if its report is accepted.
SELECT p.id, p.title, p.description, p.category_id, p.narratives, r.edition_id, r.city_id, c.name AS city_name,
    r.version AS report_version, EXISTS (SELECT 1 FROM nominations n WHERE n.practice_id = p.id) AS nominated
FROM practices p JOIN reports r ON r.id = p.report_id JOIN cities c ON c.id = r.city_id
WHERE p.id = @id AND r.status = 'ACCEPTED';

-- name: PracticeEdition :one
-- The edition of a practice whatever its report's status, to tell "no such practice" from "not
-- accepted" and to check the caller's role first.
SELECT r.edition_id FROM practices p JOIN reports r ON r.id = p.report_id WHERE p.id = @id;

-- name: ReportPractices :many
-- The practices of a city's report in an edition, whatever its status: what the expert's preview
-- shows translations of.
SELECT p.id, p.title, p.description, p.category_id, p.narratives, r.edition_id, r.city_id, c.name AS city_name,
    r.version AS report_version, EXISTS (SELECT 1 FROM nominations n WHERE n.practice_id = p.id) AS nominated
FROM practices p JOIN reports r ON r.id = p.report_id JOIN cities c ON c.id = r.city_id
WHERE r.edition_id = @edition_id AND r.city_id = @city_id
ORDER BY p.position
LIMIT 500;
