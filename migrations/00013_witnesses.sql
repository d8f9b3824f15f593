-- Independent witnesses' cosignatures of the log's checkpoints (C2SP tlog-cosignature), published
-- with each checkpoint, and where each configured witness stands: what it last cosigned, and why the
-- last attempt failed, so that an offline or refusing witness is reported, never silently skipped.

-- +goose Up
CREATE TABLE checkpoint_cosignatures (
    tree_size   bigint      NOT NULL REFERENCES checkpoints (tree_size),
    -- The witness's verifier key (name+hash+key), which names it.
    witness_key text        NOT NULL,
    -- The note signature line as the witness returned it: "— <name> <base64>" and a line feed.
    line        text        NOT NULL,
    -- The time the witness put in its cosignature.
    cosign_time timestamptz NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tree_size, witness_key)
);

CREATE TRIGGER checkpoint_cosignatures_append_only BEFORE UPDATE OR DELETE ON checkpoint_cosignatures
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER checkpoint_cosignatures_no_truncate BEFORE TRUNCATE ON checkpoint_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

CREATE TABLE witness_status (
    witness_key   text        PRIMARY KEY,
    url           text        NOT NULL,
    -- The size of the last checkpoint it cosigned (or told us it had), if any.
    cosigned_size bigint,
    last_attempt  timestamptz NOT NULL,
    last_success  timestamptz,
    -- Why the last attempt failed, in English; empty when it succeeded.
    last_error    text        NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE witness_status;
DROP TABLE checkpoint_cosignatures;
