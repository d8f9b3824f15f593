-- name: ListEditionCities :many
SELECT c.* FROM edition_cities ec JOIN cities c ON c.id = ec.city_id
WHERE ec.edition_id = @edition_id;

-- name: InsertEditionCity :execrows
INSERT INTO edition_cities (edition_id, city_id) VALUES (@edition_id, @city_id)
ON CONFLICT DO NOTHING;

-- name: DeleteEditionCity :execrows
DELETE FROM edition_cities WHERE edition_id = @edition_id AND city_id = @city_id;
