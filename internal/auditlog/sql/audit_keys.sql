-- name: InsertAuditKey :exec
INSERT INTO audit_keys (id, signer_key, verifier_key) VALUES (1, @signer_key, @verifier_key)
ON CONFLICT (id) DO NOTHING;

-- name: GetAuditKey :one
SELECT * FROM audit_keys WHERE id = 1;
