-- name: ListTranslations :many
-- An edition's translations into the languages given, with who made the last change.
SELECT sqlc.embed(pt), coalesce(ra.display_name, nullif(u.name, ''), u.email, '')::text AS made_by_name
FROM practice_translations pt
LEFT JOIN role_assignments ra ON ra.id = pt.translator_id
LEFT JOIN users u ON u.id = pt.imported_by
WHERE pt.edition_id = @edition_id AND pt.language = ANY(@languages::text[])
ORDER BY pt.practice_id, pt.language
LIMIT 20000;

-- name: GetTranslation :one
SELECT sqlc.embed(pt), coalesce(ra.display_name, nullif(u.name, ''), u.email, '')::text AS made_by_name
FROM practice_translations pt
LEFT JOIN role_assignments ra ON ra.id = pt.translator_id
LEFT JOIN users u ON u.id = pt.imported_by
WHERE pt.practice_id = @practice_id AND pt.language = @language;

-- name: LockTranslation :one
SELECT version FROM practice_translations WHERE practice_id = @practice_id AND language = @language FOR UPDATE;

-- name: InsertTranslation :one
INSERT INTO practice_translations (practice_id, language, edition_id, status, version, source_report_version, translator_id, imported_by)
VALUES (@practice_id, @language, @edition_id, @status, 1, @source_report_version, sqlc.narg('translator_id'), sqlc.narg('imported_by'))
ON CONFLICT (practice_id, language) DO NOTHING
RETURNING version;

-- name: UpdateTranslation :one
UPDATE practice_translations
SET status = @status, version = version + 1, source_report_version = @source_report_version,
    translator_id = sqlc.narg('translator_id'), imported_by = sqlc.narg('imported_by'), update_time = now()
WHERE practice_id = @practice_id AND language = @language
RETURNING version;
