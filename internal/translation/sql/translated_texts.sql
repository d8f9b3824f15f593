-- name: ListTexts :many
-- The translated texts of an edition's translations into the languages given.
SELECT t.* FROM translated_texts t
JOIN practice_translations pt ON pt.practice_id = t.practice_id AND pt.language = t.language
WHERE pt.edition_id = @edition_id AND t.language = ANY(@languages::text[])
ORDER BY t.practice_id, t.language, t.field
LIMIT 100000;

-- name: ListPracticeTexts :many
SELECT * FROM translated_texts WHERE practice_id = @practice_id AND language = @language ORDER BY field;

-- name: DeleteTexts :exec
DELETE FROM translated_texts WHERE practice_id = @practice_id AND language = @language;

-- name: InsertText :exec
INSERT INTO translated_texts (practice_id, language, field, text, source_sha256)
VALUES (@practice_id, @language, @field, @text, @source_sha256);
