-- The hashes of the tree's perfect subtrees, so that a proof reads O(log n) hashes instead of every
-- leaf hash of the log. The integrator writes the nodes each round's leaves complete, in the round's
-- transaction; the leaves themselves (level 0) stay in log_leaves.

-- +goose Up
CREATE TABLE log_nodes (
    -- The subtree of the 2^level leaves from index * 2^level (compact.NodeID).
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 63),
    index bigint   NOT NULL CHECK (index >= 0),
    -- Its RFC 6962 hash: SHA-256(0x01 || left child || right child).
    hash  bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, index)
);

CREATE TRIGGER log_nodes_append_only BEFORE UPDATE OR DELETE ON log_nodes
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER log_nodes_no_truncate BEFORE TRUNCATE ON log_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- The nodes of the log as it stands, level by level (the leaves are contiguous from 0).
-- +goose StatementBegin
DO $$
DECLARE
    lvl smallint := 1;
    n   bigint;
BEGIN
    INSERT INTO log_nodes (level, index, hash)
    SELECT 1, l.leaf_index / 2, sha256('\x01'::bytea || l.leaf_hash || r.leaf_hash)
    FROM log_leaves l JOIN log_leaves r ON r.leaf_index = l.leaf_index + 1
    WHERE l.leaf_index % 2 = 0;
    GET DIAGNOSTICS n = ROW_COUNT;
    WHILE n > 1 LOOP
        INSERT INTO log_nodes (level, index, hash)
        SELECT lvl + 1, a.index / 2, sha256('\x01'::bytea || a.hash || b.hash)
        FROM log_nodes a JOIN log_nodes b ON b.level = lvl AND b.index = a.index + 1
        WHERE a.level = lvl AND a.index % 2 = 0;
        GET DIAGNOSTICS n = ROW_COUNT;
        lvl := lvl + 1;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Leaves are only appended with the nodes they complete (written first, in the same transaction):
-- a server of an earlier version, which does not write them, cannot extend the log past this
-- migration and leave proofs that cannot be served. Each level's new nodes are counted by a range of
-- the primary key.
-- +goose StatementBegin
CREATE FUNCTION log_nodes_cover_leaves() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lvl integer;
BEGIN
    SELECT h INTO lvl
    FROM (SELECT min(leaf_index) AS b, max(leaf_index) + 1 AS e FROM new_leaves) r,
         generate_series(1, 63) AS h
    WHERE r.e >> h > r.b >> h
      AND (SELECT count(*) FROM log_nodes n
           WHERE n.level = h AND n.index >= r.b >> h AND n.index < r.e >> h) <> (r.e >> h) - (r.b >> h)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'log_leaves: the leaves appended complete nodes of level % that log_nodes lacks', lvl;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER log_leaves_with_nodes AFTER INSERT ON log_leaves
    REFERENCING NEW TABLE AS new_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION log_nodes_cover_leaves();

-- +goose Down
DROP TRIGGER log_leaves_with_nodes ON log_leaves;
DROP FUNCTION log_nodes_cover_leaves();
DROP TABLE log_nodes;
