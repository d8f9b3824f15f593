-- An edition's own organisers and read-only observers (issue 20), invited like everyone else: they
-- act for the whole edition, so they have no city and no languages. Not in the audit log (the log
-- names every organiser by their platform user id, whichever way they became one).

-- +goose Up
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check
    CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR', 'ORGANISER', 'OBSERVER'));
ALTER TABLE invitations DROP CONSTRAINT invitations_translator_shape;
ALTER TABLE invitations ADD CONSTRAINT invitations_translator_shape CHECK (
    (role IN ('EXPERT', 'JUROR')) = (city_id IS NOT NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);

ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR', 'ORGANISER', 'OBSERVER'));
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_translator_shape;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_translator_shape CHECK (
    (role IN ('EXPERT', 'JUROR')) = (city_id IS NOT NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);

-- +goose Down
DELETE FROM role_assignments WHERE role IN ('ORGANISER', 'OBSERVER');
DELETE FROM invitations WHERE role IN ('ORGANISER', 'OBSERVER');
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_translator_shape;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_translator_shape CHECK (
    (role = 'TRANSLATOR') = (city_id IS NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR'));
ALTER TABLE invitations DROP CONSTRAINT invitations_translator_shape;
ALTER TABLE invitations ADD CONSTRAINT invitations_translator_shape CHECK (
    (role = 'TRANSLATOR') = (city_id IS NULL)
    AND (role = 'TRANSLATOR') = (cardinality(languages) > 0)
    AND languages <@ ARRAY['en', 'uk', 'es', 'vi']);
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check CHECK (role IN ('EXPERT', 'JUROR', 'TRANSLATOR'));
