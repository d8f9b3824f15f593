-- name: InsertNodes :exec
-- The perfect subtrees an integration round's leaves complete, in one statement (the arrays are
-- zipped: equal lengths). Before the round's leaves: log_leaves checks that they are there.
INSERT INTO log_nodes (level, index, hash)
SELECT unnest(@levels::smallint[]), unnest(@indexes::bigint[]), unnest(@hashes::bytea[]);

-- name: NodeHashes :many
-- The hashes of the given nodes (level 0: the leaves), in the order given (the arrays are zipped);
-- NULL for a node the log does not hold.
SELECT coalesce(l.leaf_hash, n.hash)::bytea AS hash
FROM (SELECT unnest(@levels::smallint[]) AS level, unnest(@indexes::bigint[]) AS index,
             generate_series(1, cardinality(@levels::smallint[])) AS ord) q
LEFT JOIN log_leaves l ON q.level = 0 AND l.leaf_index = q.index
LEFT JOIN log_nodes n ON n.level = q.level AND n.index = q.index
ORDER BY q.ord;
