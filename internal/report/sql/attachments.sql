-- name: InsertAttachment :one
-- The same file twice on one practice is one attachment: the second upload returns the first.
INSERT INTO attachments (report_id, practice_id, sha256, size, media_type, kind, filename)
VALUES (@report_id, @practice_id, @sha256, @size, @media_type, @kind, @filename)
ON CONFLICT (practice_id, sha256) DO UPDATE SET filename = attachments.filename
RETURNING *;

-- name: ListReportAttachments :many
SELECT * FROM attachments WHERE report_id = @report_id ORDER BY create_time, id;

-- name: GetAttachment :one
SELECT sqlc.embed(a), r.edition_id, r.city_id, r.status AS report_status
FROM attachments a JOIN reports r ON r.id = a.report_id
WHERE a.id = @id;

-- name: DeleteAttachment :execrows
DELETE FROM attachments WHERE id = @id AND report_id = @report_id;

-- name: SetAttachmentPublished :one
UPDATE attachments SET published = @published WHERE id = @id RETURNING *;

-- name: PracticeDistinguished :one
-- Whether a practice was distinguished (one of its nominations is).
SELECT EXISTS (SELECT 1 FROM nominations WHERE practice_id = @practice_id AND distinguished)::boolean;

-- name: ListPracticesAttachments :many
-- The attachments of the given practices (a page of the shortlist).
SELECT * FROM attachments WHERE practice_id = ANY(@practice_ids::uuid[]) ORDER BY create_time, id;
