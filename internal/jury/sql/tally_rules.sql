-- name: GetTallyRule :one
SELECT * FROM tally_rules WHERE edition_id = @edition_id;

-- name: GetTallyRuleForUpdate :one
SELECT * FROM tally_rules WHERE edition_id = @edition_id FOR UPDATE;

-- name: UpsertTallyRule :one
INSERT INTO tally_rules (edition_id, rule, version) VALUES (@edition_id, @rule, 1)
ON CONFLICT (edition_id) DO UPDATE SET rule = EXCLUDED.rule, version = tally_rules.version + 1, update_time = now()
RETURNING *;

-- name: FreezeTallyRule :one
UPDATE tally_rules SET frozen = true, rule_hash = @rule_hash, update_time = now()
WHERE edition_id = @edition_id
RETURNING *;
