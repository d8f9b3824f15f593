-- The organisers' dashboard: counts over other domains' rows (reports, invitations, ballots, mail),
-- read only, so that one call says where an edition stands.

-- name: DashboardReportCounts :many
-- The edition's reports by status; a reporting city without a report row has not started.
SELECT coalesce(r.status, 'NOT_STARTED')::text AS status, count(*)::int AS n
FROM edition_cities ec LEFT JOIN reports r ON r.edition_id = ec.edition_id AND r.city_id = ec.city_id
WHERE ec.edition_id = @edition_id
GROUP BY 1
ORDER BY 1;

-- name: DashboardCitiesWithoutExpert :one
SELECT count(*)::int FROM edition_cities ec
WHERE ec.edition_id = @edition_id AND NOT EXISTS (
    SELECT 1 FROM invitations i WHERE i.edition_id = ec.edition_id AND i.city_id = ec.city_id
      AND i.role = 'EXPERT' AND i.state IN ('PENDING', 'ACCEPTED'));

-- name: DashboardPeople :many
-- Every invited expert and juror (pending or accepted), with their city's report status (experts) or
-- their ballot's state (jurors), by role then name.
SELECT i.id, i.role, i.display_name, c.name AS city_name, i.state = 'ACCEPTED' AS signed_in,
    coalesce(ra.id::text, '')::text AS assignment_id,
    coalesce((SELECT r.status FROM reports r WHERE r.edition_id = i.edition_id AND r.city_id = i.city_id), 'NOT_STARTED')::text AS report_status,
    EXISTS (SELECT 1 FROM ballot_casts bc WHERE bc.assignment_id = ra.id) AS cast,
    EXISTS (SELECT 1 FROM ballots b WHERE b.assignment_id = ra.id AND b.scores <> '[]'::jsonb) AS drafted
FROM invitations i JOIN cities c ON c.id = i.city_id
LEFT JOIN role_assignments ra ON ra.invitation_id = i.id
WHERE i.edition_id = @edition_id AND i.role IN ('EXPERT', 'JUROR') AND i.state IN ('PENDING', 'ACCEPTED')
ORDER BY i.role, i.display_name, i.id
LIMIT 2000;

-- name: DashboardMailCounts :many
SELECT status, count(*)::int AS n FROM mail_outbox WHERE edition_id = @edition_id GROUP BY status ORDER BY status;

-- name: DashboardNominations :one
SELECT count(*)::int FROM nominations WHERE edition_id = @edition_id;

-- name: DashboardRule :one
-- Whether the tally rule is set (a row exists) and frozen.
SELECT count(*) > 0 AS set, coalesce(bool_or(frozen), false)::bool AS frozen FROM tally_rules WHERE edition_id = @edition_id;
