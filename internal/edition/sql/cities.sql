-- name: InsertCity :one
INSERT INTO cities (name) VALUES (@name) RETURNING *;

-- name: GetCity :one
SELECT * FROM cities WHERE id = @id;

-- name: ListAllCities :many
-- Cities are few (a few hundred at most); they are sorted in Go by Polish collation.
SELECT * FROM cities LIMIT @max_rows;

-- name: CountCities :one
SELECT count(*) FROM cities;
