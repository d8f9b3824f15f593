-- The licence under which an edition's open data (GET /open-data/{year}.json and its CSVs, issue 19)
-- is published: an SPDX identifier the organisers choose (internal/edition's DataLicences lists the
-- accepted ones). It is the edition's publishing metadata, not part of the award's process, so it is
-- not an event of the audit log, like the edition's translated texts.

-- +goose Up
ALTER TABLE editions ADD COLUMN data_licence text NOT NULL DEFAULT 'CC-BY-4.0';

-- +goose Down
ALTER TABLE editions DROP COLUMN data_licence;
