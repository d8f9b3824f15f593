-- name: InsertCastRead :exec
INSERT INTO cast_translation_reads (cast_id, practice_id, language, version)
VALUES (@cast_id, @practice_id, @language, @version);

-- name: ListCastReads :many
-- The translations a cast was read in: for the organisers' view of the jury's progress only.
SELECT * FROM cast_translation_reads WHERE cast_id = @cast_id ORDER BY practice_id, language;

-- name: TranslationVersions :many
-- The current versions of the translations of the given practices (rows of the translation domain).
SELECT practice_id, language, version FROM practice_translations WHERE practice_id = ANY(@practice_ids::uuid[]);
