-- A juror's ballot receipt by mail: a second channel to compare with the ballot page.

-- +goose Up
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED', 'BALLOT_RECEIPT'));

-- +goose Down
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check CHECK (kind IN ('INVITATION', 'REPORTING_OPENED',
    'REPORTING_REMINDER', 'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED'));
