-- An organiser's message to everyone in a role of an edition (MailService.MessageRole).

-- +goose Up
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED', 'BALLOT_RECEIPT',
    'MESSAGE'));

-- +goose Down
DELETE FROM mail_delivery_attempts WHERE mail_id IN (SELECT id FROM mail_outbox WHERE kind = 'MESSAGE');
DELETE FROM mail_outbox WHERE kind = 'MESSAGE';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED', 'BALLOT_RECEIPT'));
