-- name: InsertCriterion :one
INSERT INTO criteria (edition_id, number, name_pl, name_en, description)
VALUES (@edition_id, @number, @name_pl, @name_en, @description)
RETURNING *;

-- name: ListCriteria :many
SELECT * FROM criteria
WHERE edition_id = @edition_id AND number > @after_number
ORDER BY number
LIMIT @max_rows;
