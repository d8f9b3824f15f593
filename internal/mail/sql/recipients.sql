-- Who mail goes to: the people invited to an edition (pending or accepted invitations), with the
-- language and name they were invited with. Every query reads the rows of other domains only.

-- name: EditionRecipients :many
-- A translator has no city: the name is empty.
SELECT i.id, i.email, i.display_name, i.language, i.role, coalesce(c.name, '')::text AS city_name
FROM invitations i LEFT JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND i.state IN ('PENDING', 'ACCEPTED') AND i.role = ANY(@roles::text[])
ORDER BY i.create_time, i.id;

-- name: CityExperts :many
SELECT i.id, i.email, i.display_name, i.language, i.role, c.name AS city_name
FROM invitations i JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND i.city_id = @city_id::uuid AND i.role = 'EXPERT' AND i.state IN ('PENDING', 'ACCEPTED')
ORDER BY i.create_time, i.id;

-- name: LateExperts :many
-- Experts whose city has no submitted or accepted report (a returned one counts as not submitted).
SELECT i.id, i.email, i.display_name, i.language, i.role, c.name AS city_name
FROM invitations i JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND i.role = 'EXPERT' AND i.state IN ('PENDING', 'ACCEPTED')
  AND NOT EXISTS (
    SELECT 1 FROM reports r
    WHERE r.edition_id = i.edition_id AND r.city_id = i.city_id AND r.status IN ('SUBMITTED', 'ACCEPTED'))
ORDER BY i.create_time, i.id;

-- name: JurorsWithoutCast :many
-- Jurors who have not cast a ballot: those who never signed in, and those who did but have not cast.
SELECT i.id, i.email, i.display_name, i.language, i.role, c.name AS city_name
FROM invitations i JOIN cities c ON c.id = i.city_id
WHERE i.edition_id = @edition_id AND i.role = 'JUROR' AND i.state IN ('PENDING', 'ACCEPTED')
  AND NOT EXISTS (
    SELECT 1 FROM role_assignments ra JOIN ballot_casts bc ON bc.assignment_id = ra.id
    WHERE ra.invitation_id = i.id)
ORDER BY i.create_time, i.id;

-- name: EditionsWithDeadlines :many
-- Editions whose current stage has a deadline reminders count down to.
SELECT id, name, year, stage, reporting_deadline, jury_deadline
FROM editions
WHERE (stage = 'REPORTING' AND reporting_deadline IS NOT NULL) OR (stage = 'JURY' AND jury_deadline IS NOT NULL)
ORDER BY year;

-- name: JurorOfAssignment :one
-- The juror of an assignment, as they were invited (the address their invitation bound).
SELECT i.id, i.email, a.display_name, a.language, a.role, c.name AS city_name
FROM role_assignments a JOIN invitations i ON i.id = a.invitation_id JOIN cities c ON c.id = a.city_id
WHERE a.id = @assignment_id;
