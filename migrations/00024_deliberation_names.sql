-- How the organisers' deliberation view (ResultsService.GetDeliberation, issue 20) labels jurors: by
-- pseudonym (false, the default) or by display name. It is how the organisers' own working view reads,
-- not part of the award's process nor of what is published (ballot_publication is), so, like the
-- data licence, it is not an event of the audit log.

-- +goose Up
ALTER TABLE editions ADD COLUMN deliberation_names boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE editions DROP COLUMN deliberation_names;
