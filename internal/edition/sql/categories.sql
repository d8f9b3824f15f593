-- name: InsertCategory :one
INSERT INTO categories (edition_id, number, name_pl, name_en, description)
VALUES (@edition_id, @number, @name_pl, @name_en, @description)
RETURNING *;

-- name: ListCategories :many
SELECT * FROM categories
WHERE edition_id = @edition_id AND number > @after_number
ORDER BY number
LIMIT @max_rows;

-- name: GetCategory :one
SELECT * FROM categories WHERE id = @id;
