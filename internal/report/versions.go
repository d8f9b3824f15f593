package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/report/reportdb"
)

// VersionKind is what made a version of a report.
type VersionKind string

// The kinds of version.
const (
	versionSave    VersionKind = "SAVE"
	versionRestore VersionKind = "RESTORE"
	versionStatus  VersionKind = "STATUS"
)

// snapshotEvery bounds how many changes rebuilding a version replays: every so many versions the
// whole content is stored again.
const snapshotEvery = 50

// Version describes one stored version of a report.
type Version struct {
	Version       int64
	Kind          VersionKind
	Status        Status
	CreateTime    time.Time
	ByOrganiser   bool
	RestoredFrom  int64
	PracticeCount int32
	Characters    int64
}

func contentOf(r Report) Content {
	return Content{Introduction: r.Introduction, Practices: r.Practices, FollowUps: r.FollowUps}
}

// canonical gives content the shape a report loaded from its tables has (no practices and no
// follow-ups are nil; a practice's links and narratives are never nil), so that a rebuilt version
// hashes as the log's event for it did.
func canonical(c Content) Content {
	if len(c.Practices) == 0 {
		c.Practices = nil
	}
	if len(c.FollowUps) == 0 {
		c.FollowUps = nil
	}
	for i := range c.Practices {
		c.Practices[i].EvidenceLinks = orEmpty(c.Practices[i].EvidenceLinks)
		c.Practices[i].Narratives = orEmpty(c.Practices[i].Narratives)
	}
	return c
}

// submittable refuses a report with problems, naming the first one's field.
func submittable(c Content) error {
	problems := Problems(c)
	switch len(problems) {
	case 0:
		return nil
	case 1:
		f := *problems[0].Error // its own message, catalogue key and arguments, as refusing to submit
		f.Kind, f.Field = fault.FailedPrecondition, problemPath(c, problems[0])
		return &f
	}
	return fault.Preconditionf(problemPath(c, problems[0]), "%d things must be fixed before the report can be submitted; each is marked beside its field", len(problems))
}

// problemPath names a problem's field as a request path (practices[2].title).
func problemPath(c Content, p Problem) string {
	switch {
	case p.PracticeID != uuid.Nil:
		for i, x := range c.Practices {
			if x.ID == p.PracticeID {
				path := fmt.Sprintf("practices[%d].%s", i, p.Field)
				if p.Link > 0 {
					path += fmt.Sprintf("[%d]", p.Link-1)
				}
				return path
			}
		}
	case p.PreviousNominationID != uuid.Nil:
		for i, f := range c.FollowUps {
			if f.PreviousNominationID == p.PreviousNominationID {
				return fmt.Sprintf("follow_ups[%d].%s", i, p.Field)
			}
		}
	}
	return p.Field
}

// recordVersion stores the version a change made: the whole content, or the changes that made it from
// the version before, or (a status change) nothing but the status.
func (s *Service) recordVersion(ctx context.Context, tx pgx.Tx, r Report, kind VersionKind, changes []Change, restoredFrom *int64, byOrganiser bool) error {
	c := contentOf(r)
	var snapshot, changed []byte
	last, err := s.q.LastSnapshotVersion(ctx, tx, reportdb.LastSnapshotVersionParams{ReportID: r.ID, Version: r.Version - 1})
	if err != nil {
		return err
	}
	switch {
	case last == 0 || r.Version-last >= snapshotEvery || (kind != versionStatus && changes == nil):
		snapshot, err = json.Marshal(c)
	case kind == versionSave:
		changed, err = json.Marshal(changes)
	}
	if err != nil {
		return err
	}
	return s.q.InsertReportVersion(ctx, tx, reportdb.InsertReportVersionParams{
		ReportID: r.ID, Version: r.Version, Kind: string(kind), Status: string(r.Status), Snapshot: snapshot, Changes: changed,
		RestoredFrom: restoredFrom, ByOrganiser: byOrganiser, PracticeCount: int32(len(r.Practices)), Characters: characters(c),
	})
}

// rebuild returns a report's content at a version: the newest whole copy at or before it, with the
// changes after it replayed.
func (s *Service) rebuild(ctx context.Context, q reportdb.DBTX, reportID uuid.UUID, version int64) (Content, reportdb.ReportVersion, error) {
	from, err := s.q.LastSnapshotVersion(ctx, q, reportdb.LastSnapshotVersionParams{ReportID: reportID, Version: version})
	if err != nil {
		return Content{}, reportdb.ReportVersion{}, err
	}
	if from == 0 {
		return Content{}, reportdb.ReportVersion{}, fault.NotFoundf("version", "version %d is not kept: it is older than the report's history, or the report never had it", version)
	}
	rows, err := s.q.ReportVersionsFrom(ctx, q, reportdb.ReportVersionsFromParams{ReportID: reportID, FromVersion: from, ToVersion: version})
	if err != nil {
		return Content{}, reportdb.ReportVersion{}, err
	}
	var c Content
	for _, row := range rows {
		switch {
		case row.Snapshot != nil:
			c = Content{}
			if err := json.Unmarshal(row.Snapshot, &c); err != nil {
				return Content{}, row, fmt.Errorf("report %s version %d: %w", reportID, row.Version, err)
			}
		case row.Changes != nil:
			var changes []Change
			if err := json.Unmarshal(row.Changes, &changes); err != nil {
				return Content{}, row, fmt.Errorf("report %s version %d: %w", reportID, row.Version, err)
			}
			if c, err = applyChanges(c, changes); err != nil {
				return Content{}, row, fmt.Errorf("report %s version %d does not replay: %w", reportID, row.Version, err)
			}
		}
	}
	last := rows[len(rows)-1]
	if last.Version != version {
		return Content{}, reportdb.ReportVersion{}, fault.NotFoundf("version", "the report has no version %d", version)
	}
	return canonical(c), last, nil
}

// historyReader checks who may read a report's history: its drafts are the expert's and the organisers'.
func (s *Service) historyReader(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID) (edition.Edition, edition.City, reportdb.Report, error) {
	if !viewer.Organiser && !isExpertOf(viewer, editionID, cityID) {
		return edition.Edition{}, edition.City{}, reportdb.Report{}, fault.Deniedf("a report's history is for its city's expert and the organisers")
	}
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return e, edition.City{}, reportdb.Report{}, err
	}
	city, err := cityOf(e, cityID)
	if err != nil {
		return e, city, reportdb.Report{}, err
	}
	row, err := s.q.GetReport(ctx, s.pool, reportdb.GetReportParams{EditionID: editionID, CityID: cityID})
	if errors.Is(err, pgx.ErrNoRows) {
		return e, city, row, fault.NotFoundf("city_id", "the city's report is not started: it has no versions yet")
	}
	return e, city, row, err
}

// Versions lists a report's versions, newest first.
func (s *Service) Versions(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID, size int32, token string) ([]Version, string, error) {
	_, _, row, err := s.historyReader(ctx, viewer, editionID, cityID)
	if err != nil {
		return nil, "", err
	}
	if size <= 0 {
		size = 50
	}
	before := row.Version + 1
	if token != "" {
		if before, err = strconv.ParseInt(token, 10, 64); err != nil || before < 1 {
			return nil, "", fault.Invalidf("page_token", "is not a page token of this list")
		}
	}
	rows, err := s.q.ListReportVersions(ctx, s.pool, reportdb.ListReportVersionsParams{ReportID: row.ID, Before: before, PageSize: size + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > int(size) {
		rows = rows[:size]
		next = strconv.FormatInt(rows[len(rows)-1].Version, 10)
	}
	out := make([]Version, 0, len(rows))
	for _, r := range rows {
		v := Version{Version: r.Version, Kind: VersionKind(r.Kind), Status: Status(r.Status), CreateTime: r.CreateTime,
			ByOrganiser: r.ByOrganiser, PracticeCount: r.PracticeCount, Characters: r.Characters}
		if r.RestoredFrom != nil {
			v.RestoredFrom = *r.RestoredFrom
		}
		out = append(out, v)
	}
	return out, next, nil
}

// VersionContent returns the report as it was at a version.
func (s *Service) VersionContent(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID, version int64) (Report, error) {
	r, _, err := s.versionWithEdition(ctx, viewer, editionID, cityID, version)
	return r, err
}

// versionWithEdition is VersionContent, with the edition it read.
func (s *Service) versionWithEdition(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID, version int64) (Report, edition.Edition, error) {
	e, city, row, err := s.historyReader(ctx, viewer, editionID, cityID)
	if err != nil {
		return Report{}, edition.Edition{}, err
	}
	c, v, err := s.rebuild(ctx, s.pool, row.ID, version)
	if err != nil {
		return Report{}, edition.Edition{}, err
	}
	t := v.CreateTime
	return Report{ID: row.ID, EditionID: e.ID, City: city, Status: Status(v.Status), Version: v.Version,
		Introduction: c.Introduction, Practices: c.Practices, FollowUps: c.FollowUps, UpdateTime: &t}, e, nil
}

// Restore makes an earlier version's content the report's content again, as a new version.
func (s *Service) Restore(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, version, expected int64) (Report, error) {
	if !isExpertOf(actor, editionID, cityID) {
		return Report{}, errNotExpert()
	}
	var out Report
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, city, row, exists, err := s.lockReport(ctx, tx, editionID, cityID)
		if err != nil {
			return err
		}
		if !exists {
			return fault.NotFoundf("city_id", "the city's report is not started: it has no versions yet")
		}
		if err := editable(e.Stage, Status(row.Status)); err != nil {
			return err
		}
		if row.Version != expected {
			current, err := s.load(ctx, tx, e, city)
			if err != nil {
				return err
			}
			return s.conflict(current, expected)
		}
		c, _, err := s.rebuild(ctx, tx, row.ID, version)
		if err != nil {
			return err
		}
		d := Edit{ExpectedVersion: expected, Introduction: c.Introduction, Practices: c.Practices}
		adopt := map[uuid.UUID]bool{}
		for _, p := range c.Practices {
			adopt[p.ID] = true
		}
		// Follow-ups are the ones the city has now (the previous edition's results do not change).
		current, err := s.load(ctx, tx, e, city)
		if err != nil {
			return err
		}
		for _, f := range current.FollowUps {
			for _, old := range c.FollowUps {
				if old.PreviousNominationID == f.PreviousNominationID {
					f.Outcome, f.Narrative = old.Outcome, old.Narrative
				}
			}
			d.FollowUps = append(d.FollowUps, f)
		}
		out, _, err = s.commitDraft(ctx, tx, actor, e, city, row, true, d, adopt, versionRestore, nil, &version)
		return err
	})
	return out, err
}
