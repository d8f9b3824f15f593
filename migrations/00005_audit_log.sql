-- The tamper-evident log: every event becomes a leaf of an RFC 6962 Merkle tree, integrated in
-- transaction order by one integrator at a time, with signed checkpoints.

-- +goose Up
-- The writing transaction's id: events are integrated in this order, and only once every
-- transaction that started before them has ended, so no event is ever skipped or reordered later.
ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_txid ON events (txid, id);

CREATE TABLE log_leaves (
    leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
    event_id   bigint NOT NULL UNIQUE REFERENCES events,
    -- RFC 6962 leaf hash of the event's canonical encoding (internal/auditlog).
    leaf_hash  bytea  NOT NULL CHECK (length(leaf_hash) = 32)
);

CREATE TABLE checkpoints (
    tree_size   bigint      PRIMARY KEY CHECK (tree_size >= 0),
    root_hash   bytea       NOT NULL CHECK (length(root_hash) = 32),
    -- The signed note (golang.org/x/mod/sumdb/note) as published.
    note        text        NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

-- The checkpoint signing key, generated on first start and shared by every replica.
CREATE TABLE audit_keys (
    id          integer     PRIMARY KEY CHECK (id = 1),
    signer_key  text        NOT NULL,
    verifier_key text       NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER log_leaves_append_only BEFORE UPDATE OR DELETE ON log_leaves
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER log_leaves_no_truncate BEFORE TRUNCATE ON log_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE audit_keys;
DROP TABLE checkpoints;
DROP TABLE log_leaves;
ALTER TABLE events DROP COLUMN txid;
