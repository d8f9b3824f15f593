-- The checkpoint signing key leaves the database: the server reads it from a file or its environment
-- (miasta audit keygen makes one). What the database keeps is public: the log's key (the verifier key
-- of its first checkpoint, which verifiers are given), so that a replica started with another key
-- refuses to sign. Key rotations are log.key_rotated events (spec/audit.md §4.4).

-- +goose Up
CREATE TABLE log_key (
    id           integer     PRIMARY KEY CHECK (id = 1),
    -- A note verifier key (public): the key of the log's first checkpoint.
    verifier_key text        NOT NULL,
    create_time  timestamptz NOT NULL DEFAULT now()
);
-- The public half of a key a database kept before (its private half is dropped with the table: a
-- server must now be given that key, or the log started again).
INSERT INTO log_key (id, verifier_key) SELECT 1, verifier_key FROM audit_keys;
DROP TABLE audit_keys;

CREATE TRIGGER log_key_append_only BEFORE UPDATE OR DELETE ON log_key
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER log_key_no_truncate BEFORE TRUNCATE ON log_key
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- Key rotations are found by kind.
CREATE INDEX events_key_rotations ON events (id) WHERE kind = 'log.key_rotated';

-- +goose Down
DROP INDEX events_key_rotations;
DROP TABLE log_key;
CREATE TABLE audit_keys (
    id          integer     PRIMARY KEY CHECK (id = 1),
    signer_key  text        NOT NULL,
    verifier_key text       NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now()
);
