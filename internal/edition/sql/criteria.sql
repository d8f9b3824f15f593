-- name: InsertCriterion :one
INSERT INTO criteria (edition_id, number, name_pl, name_en, description, name_texts)
VALUES (@edition_id, @number, @name_pl, @name_en, @description, jsonb_build_object('en', @name_en::text))
RETURNING *;

-- name: ListCriteria :many
SELECT * FROM criteria
WHERE edition_id = @edition_id AND number > @after_number
ORDER BY number
LIMIT @max_rows;

-- name: GetCriterionForUpdate :one
SELECT * FROM criteria WHERE id = @id AND edition_id = @edition_id FOR UPDATE;

-- name: SetCriterionTexts :exec
UPDATE criteria SET name_texts = @name_texts, description_texts = @description_texts WHERE id = @id;
