-- name: InsertCategory :one
INSERT INTO categories (edition_id, number, name_pl, name_en, description, name_texts)
VALUES (@edition_id, @number, @name_pl, @name_en, @description, jsonb_build_object('en', @name_en::text))
RETURNING *;

-- name: ListCategories :many
SELECT * FROM categories
WHERE edition_id = @edition_id AND number > @after_number
ORDER BY number
LIMIT @max_rows;

-- name: GetCategory :one
SELECT * FROM categories WHERE id = @id;

-- name: GetCategoryForUpdate :one
SELECT * FROM categories WHERE id = @id AND edition_id = @edition_id FOR UPDATE;

-- name: SetCategoryTexts :exec
UPDATE categories SET name_texts = @name_texts, description_texts = @description_texts WHERE id = @id;
