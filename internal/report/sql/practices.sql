-- name: ListPractices :many
SELECT * FROM practices WHERE report_id = @report_id ORDER BY position;

-- name: DeletePractices :exec
DELETE FROM practices WHERE report_id = @report_id;

-- name: InsertPractice :exec
INSERT INTO practices (id, report_id, position, title, description, category_id, since_year, partners,
                       target_groups, evidence_links, narratives)
VALUES (@id, @report_id, @position, @title, @description, @category_id, sqlc.narg('since_year'), @partners,
        @target_groups, @evidence_links, @narratives);

-- name: PracticeOwners :many
-- Which report each of the given practice ids belongs to.
SELECT id, report_id FROM practices WHERE id = ANY(@ids::uuid[]);

-- name: GetPracticeWithReport :one
SELECT sqlc.embed(p), r.edition_id, r.city_id, r.status AS report_status
FROM practices p JOIN reports r ON r.id = p.report_id
WHERE p.id = @id;
