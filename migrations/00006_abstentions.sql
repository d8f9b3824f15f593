-- A juror may abstain on a nomination, with a reason, as well as declare a conflict: both take the
-- juror out of that nomination's tally, and the tally says which.

-- +goose Up
ALTER TABLE conflicts ADD COLUMN kind text NOT NULL DEFAULT 'DECLARED' CHECK (kind IN ('DECLARED', 'ABSTAINED'));

-- +goose Down
ALTER TABLE conflicts DROP COLUMN kind;
