-- name: InsertReportVersion :exec
INSERT INTO report_versions (report_id, version, kind, status, snapshot, changes, restored_from, by_organiser,
                             practice_count, characters)
VALUES (@report_id, @version, @kind, @status, sqlc.narg('snapshot'), sqlc.narg('changes'), sqlc.narg('restored_from'),
        @by_organiser, @practice_count, @characters);

-- name: CountReportVersions :one
SELECT count(*) FROM report_versions WHERE report_id = @report_id;

-- name: LastSnapshotVersion :one
-- The newest version at or before @version that holds the whole content (0 when none does).
SELECT coalesce(max(version), 0)::bigint FROM report_versions
WHERE report_id = @report_id AND version <= @version AND snapshot IS NOT NULL;

-- name: ReportVersionsFrom :many
-- The versions from a snapshot up to @to_version, oldest first: what rebuilds version @to_version.
SELECT * FROM report_versions
WHERE report_id = @report_id AND version BETWEEN @from_version AND @to_version
ORDER BY version;

-- name: ListReportVersions :many
-- One page of a report's versions, newest first, below @before (a page token).
SELECT report_id, version, kind, status, restored_from, by_organiser, practice_count, characters, create_time
FROM report_versions
WHERE report_id = @report_id AND version < @before
ORDER BY version DESC
LIMIT @page_size;

-- name: GetReportVersionRow :one
SELECT report_id, version, kind, status, restored_from, by_organiser, practice_count, characters, create_time
FROM report_versions WHERE report_id = @report_id AND version = @version;
