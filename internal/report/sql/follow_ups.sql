-- name: DistinguishedForCity :many
-- The practices of a city distinguished in an edition: what the next edition's report follows up on.
SELECT n.id AS nomination_id, p.title, c.name_pl AS category_name
FROM nominations n
JOIN practices p ON p.id = n.practice_id
JOIN reports r ON r.id = p.report_id
JOIN categories c ON c.id = n.category_id
WHERE n.edition_id = @edition_id AND r.city_id = @city_id AND n.distinguished
ORDER BY c.number, p.title;

-- name: ListFollowUps :many
SELECT * FROM follow_ups WHERE report_id = @report_id;

-- name: DeleteFollowUps :exec
DELETE FROM follow_ups WHERE report_id = @report_id;

-- name: InsertFollowUp :exec
INSERT INTO follow_ups (report_id, previous_nomination_id, outcome, narrative)
VALUES (@report_id, @previous_nomination_id, @outcome, @narrative);
