-- An edition's own wording of its mail (issue 20): one subject and body per kind and language, used
-- instead of the platform's built-in template when the edition has one. The ballot receipt is never
-- reworded. Not in the audit log: mail bodies are not, and queued mail keeps the text it was written in.

-- +goose Up
CREATE TABLE mail_templates (
    edition_id  uuid        NOT NULL REFERENCES editions ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('INVITATION', 'REPORTING_OPENED', 'REPORTING_REMINDER',
        'REPORT_RETURNED', 'JURY_OPENED', 'BALLOT_REMINDER', 'RESULTS_ANNOUNCED')),
    language    text        NOT NULL CHECK (language IN ('pl', 'en', 'uk', 'es', 'vi')),
    subject     text        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
    body        text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 20000),
    updated_by  uuid        REFERENCES users,
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (edition_id, kind, language)
);

-- +goose Down
DROP TABLE mail_templates;
