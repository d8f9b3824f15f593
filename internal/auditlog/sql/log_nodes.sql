-- name: InsertNodes :exec
-- The perfect subtrees an integration round's leaves complete, in one statement (the arrays are
-- zipped: equal lengths). Before the round's leaves: log_leaves checks that they are there.
INSERT INTO log_nodes (level, index, hash)
SELECT unnest(@levels::smallint[]), unnest(@indexes::bigint[]), unnest(@hashes::bytea[]);
