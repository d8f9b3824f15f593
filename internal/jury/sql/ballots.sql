-- name: GetBallot :one
SELECT * FROM ballots WHERE assignment_id = @assignment_id;

-- name: GetBallotForUpdate :one
SELECT * FROM ballots WHERE assignment_id = @assignment_id FOR UPDATE;

-- name: InsertBallot :one
INSERT INTO ballots (assignment_id, edition_id, version, scores, comments)
VALUES (@assignment_id, @edition_id, 1, @scores, @comments)
ON CONFLICT (assignment_id) DO NOTHING
RETURNING *;

-- name: UpdateBallot :one
UPDATE ballots SET scores = @scores, comments = @comments, version = version + 1, update_time = now()
WHERE assignment_id = @assignment_id
RETURNING *;

-- name: ListEditionBallots :many
SELECT * FROM ballots WHERE edition_id = @edition_id;
