-- name: UpsertJustification :one
INSERT INTO distinction_justifications AS j (edition_id, nomination_id, text, updated_by)
VALUES (@edition_id, @nomination_id, @text, @updated_by)
ON CONFLICT (edition_id, nomination_id) DO UPDATE
SET text = EXCLUDED.text, updated_by = EXCLUDED.updated_by, version = j.version + 1, update_time = now()
RETURNING *;

-- name: DeleteJustification :exec
DELETE FROM distinction_justifications WHERE edition_id = @edition_id AND nomination_id = @nomination_id;

-- name: ListJustifications :many
SELECT * FROM distinction_justifications WHERE edition_id = @edition_id ORDER BY nomination_id;

-- name: UpsertRecommendations :one
INSERT INTO jury_recommendations AS r (edition_id, text, updated_by)
VALUES (@edition_id, @text, @updated_by)
ON CONFLICT (edition_id) DO UPDATE
SET text = EXCLUDED.text, updated_by = EXCLUDED.updated_by, version = r.version + 1, update_time = now()
RETURNING *;

-- name: DeleteRecommendations :exec
DELETE FROM jury_recommendations WHERE edition_id = @edition_id;

-- name: GetRecommendations :one
SELECT * FROM jury_recommendations WHERE edition_id = @edition_id;
