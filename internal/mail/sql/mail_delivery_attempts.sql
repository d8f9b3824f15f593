-- name: InsertAttempt :exec
INSERT INTO mail_delivery_attempts (mail_id, attempt, start_time, end_time, outcome, smtp_code, error)
VALUES (@mail_id, @attempt, @start_time, @end_time, @outcome, @smtp_code, @error);

-- name: ListAttempts :many
SELECT * FROM mail_delivery_attempts
WHERE mail_id = @mail_id AND attempt > @after_attempt
ORDER BY attempt
LIMIT @max_rows;

-- name: CountAttemptsSince :one
-- Attempts since the mail was (last) released: each release gets the full number of tries.
SELECT count(*) FROM mail_delivery_attempts WHERE mail_id = @mail_id AND start_time >= @since::timestamptz;
