-- name: InsertMail :execrows
-- Queues a mail; a second mail with the same dedup key is silently not queued.
INSERT INTO mail_outbox (id, message_id, edition_id, kind, dedup_key, recipient_email, recipient_name, language, subject, body, status, next_attempt_time, release_time)
VALUES (@id, @message_id, sqlc.narg('edition_id'), @kind, sqlc.narg('dedup_key'), @recipient_email, @recipient_name, @language, @subject, @body, @status,
        sqlc.narg('next_attempt_time'), sqlc.narg('release_time'))
ON CONFLICT (dedup_key) DO NOTHING;

-- name: GetMail :one
-- Sign-in codes are never shown, edited, released or discarded by organisers (mail.SignInCode).
SELECT * FROM mail_outbox WHERE id = @id AND kind <> 'SIGN_IN_CODE';

-- name: GetMailForUpdate :one
SELECT * FROM mail_outbox WHERE id = @id AND kind <> 'SIGN_IN_CODE' FOR UPDATE;

-- name: ListMails :many
SELECT * FROM mail_outbox
WHERE kind <> 'SIGN_IN_CODE'
  AND (sqlc.narg('edition_id')::uuid IS NULL OR edition_id = sqlc.narg('edition_id'))
  AND (@status::text = '' OR status = @status)
  AND (@kind::text = '' OR kind = @kind)
  AND seq > @after_seq
ORDER BY seq
LIMIT @max_rows;

-- name: EditMail :one
UPDATE mail_outbox SET subject = @subject, body = @body, edited = true, version = version + 1, update_time = now()
WHERE id = @id
RETURNING *;

-- name: ReleaseMail :one
UPDATE mail_outbox SET status = 'PENDING', next_attempt_time = @now::timestamptz, release_time = @now::timestamptz, version = version + 1, update_time = now()
WHERE id = @id
RETURNING *;

-- name: DiscardMail :one
UPDATE mail_outbox SET status = 'DISCARDED', next_attempt_time = NULL, version = version + 1, update_time = now()
WHERE id = @id
RETURNING *;

-- name: ClaimDueMail :one
-- Locks the next mail due for delivery until the sender's transaction ends; mails another replica is
-- sending are skipped, so each is in one sender's hands at a time.
SELECT * FROM mail_outbox
WHERE status = 'PENDING' AND next_attempt_time <= @now::timestamptz
ORDER BY next_attempt_time, id
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: MarkMailSent :exec
-- A sign-in code's body is blanked once it went: the code lives on only in the recipient's mailbox.
UPDATE mail_outbox SET status = 'SENT', attempts = attempts + 1, sent_time = @now::timestamptz, next_attempt_time = NULL,
    last_error = '', version = version + 1, update_time = now(),
    body = CASE WHEN kind = 'SIGN_IN_CODE' THEN '' ELSE body END,
    body_erase_time = CASE WHEN kind = 'SIGN_IN_CODE' THEN now() ELSE body_erase_time END
WHERE id = @id;

-- name: MarkMailRetry :exec
UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_time = @next_attempt_time::timestamptz, last_error = @last_error, update_time = now()
WHERE id = @id;

-- name: MarkMailFailed :exec
UPDATE mail_outbox SET status = 'FAILED', attempts = attempts + 1, next_attempt_time = NULL, last_error = @last_error,
    version = version + 1, update_time = now(),
    body = CASE WHEN kind = 'SIGN_IN_CODE' THEN '' ELSE body END,
    body_erase_time = CASE WHEN kind = 'SIGN_IN_CODE' THEN now() ELSE body_erase_time END
WHERE id = @id;

-- name: WithdrawMail :exec
-- The sender's discard of a mail that lost its reason to go before it went; last_error says why.
UPDATE mail_outbox SET status = 'DISCARDED', next_attempt_time = NULL, last_error = @reason, version = version + 1, update_time = now()
WHERE id = @id;

-- name: MailsByDedupPrefix :many
-- The mails whose dedup key starts with a prefix (an organiser's reminders to one person), oldest first.
SELECT * FROM mail_outbox WHERE starts_with(dedup_key, @prefix::text) ORDER BY seq LIMIT 1000;
