package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/attach"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report/reportdb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Service implements stage 1.
type Service struct {
	pool     *pgxpool.Pool
	q        *reportdb.Queries
	log      *slog.Logger
	now      func() time.Time
	onReturn []ReturnHook
	files    *attach.Store // nil: attachments are refused
}

// ReturnHook lets another domain act on a returned report inside the transaction that returns it (the
// mail package tells the expert), so that either both happen or neither does.
type ReturnHook func(ctx context.Context, tx pgx.Tx, e edition.Edition, r Report, comment string) error

// NewService returns the report service; onReturn run, in order, whenever a report is returned.
func NewService(pool *pgxpool.Pool, log *slog.Logger, onReturn ...ReturnHook) *Service {
	return &Service{pool: pool, q: reportdb.New(), log: log, now: time.Now, onReturn: onReturn}
}

// isExpertOf reports whether p writes the city's report in the edition.
func isExpertOf(p *auth.Principal, editionID, cityID uuid.UUID) bool {
	a, ok := p.Holds(editionID, auth.RoleExpert)
	return ok && a.CityID == cityID
}

func errNotExpert() error {
	return fault.Deniedf("only the expert of this city in this edition may do this")
}

// cityOf checks that the city reports in the edition.
func cityOf(e edition.Edition, cityID uuid.UUID) (edition.City, error) {
	for _, c := range e.Cities {
		if c.ID == cityID {
			return c, nil
		}
	}
	return edition.City{}, fault.NotFoundf("city_id", "the city does not report in this edition")
}

// Get returns a city's report to a viewer allowed to read it (see mayRead).
func (s *Service) Get(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID) (Report, error) {
	r, _, err := s.getWithEdition(ctx, viewer, editionID, cityID)
	return r, err
}

// getWithEdition is Get, with the edition it read.
func (s *Service) getWithEdition(ctx context.Context, viewer *auth.Principal, editionID, cityID uuid.UUID) (Report, edition.Edition, error) {
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		if fault.Is(err, fault.NotFound) && !viewer.Organiser {
			return Report{}, edition.Edition{}, fault.Deniedf("you hold no role in this edition")
		}
		return Report{}, edition.Edition{}, err
	}
	city, err := cityOf(e, cityID)
	if err != nil {
		return Report{}, edition.Edition{}, err
	}
	r, err := s.load(ctx, s.pool, e, city)
	if err != nil {
		return Report{}, edition.Edition{}, err
	}
	if err := mayRead(viewer, e, cityID, r.Status); err != nil {
		return Report{}, edition.Edition{}, err
	}
	return r, e, nil
}

// mayRead says who reads a report: organisers every report; the city's expert in the edition their
// own; the edition's other experts and its jurors an accepted report while the edition is past
// DRAFT (a DRAFT edition, one stepped back included, is the organisers'); and the people of other
// editions an accepted report only once the edition is ANNOUNCED and its results are public.
func mayRead(viewer *auth.Principal, e edition.Edition, cityID uuid.UUID, status Status) error {
	if viewer.Organiser || isExpertOf(viewer, e.ID, cityID) {
		return nil
	}
	if status != Accepted {
		return fault.Deniedf("this report can be read by others only once it is accepted")
	}
	_, expert := viewer.Holds(e.ID, auth.RoleExpert)
	_, juror := viewer.Holds(e.ID, auth.RoleJuror)
	switch {
	case e.Stage == edition.Announced:
		return nil
	case !expert && !juror:
		return fault.Deniedf("this edition's reports are for its experts and jurors until its results are announced")
	case e.Stage == edition.Draft:
		return fault.Deniedf("the edition is in DRAFT: its reports are the organisers' until it opens again")
	}
	return nil
}

// load reads a report with its practices and follow-ups; a report never saved is NOT_STARTED with
// its follow-ups pre-filled.
func (s *Service) load(ctx context.Context, q reportdb.DBTX, e edition.Edition, city edition.City) (Report, error) {
	r := Report{EditionID: e.ID, City: city, Status: NotStarted}
	row, err := s.q.GetReport(ctx, q, reportdb.GetReportParams{EditionID: e.ID, CityID: city.ID})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Report{}, err
	default:
		r.ID, r.Status, r.Version, r.Introduction, r.ReturnComment = row.ID, Status(row.Status), row.Version, row.Introduction, row.ReturnComment
		r.CreateTime, r.UpdateTime = &row.CreateTime, &row.UpdateTime
		r.SubmitTime, r.ReturnTime, r.AcceptTime = row.SubmitTime, row.ReturnTime, row.AcceptTime
		practices, err := s.q.ListPractices(ctx, q, row.ID)
		if err != nil {
			return Report{}, err
		}
		for _, p := range practices {
			pr, err := practiceFromRow(p)
			if err != nil {
				return Report{}, err
			}
			r.Practices = append(r.Practices, pr)
		}
		if r.Attachments, err = s.attachmentsOf(ctx, q, row.ID, r.Practices); err != nil {
			return Report{}, err
		}
	}
	r.FollowUps, err = s.followUps(ctx, q, e, city.ID, r.ID)
	return r, err
}

// followUps lists one follow-up per practice of the city distinguished in the previous edition, with
// what the expert saved about it.
func (s *Service) followUps(ctx context.Context, q reportdb.DBTX, e edition.Edition, cityID, reportID uuid.UUID) ([]FollowUp, error) {
	if e.PreviousEditionID == nil {
		return nil, nil
	}
	prev, err := s.q.DistinguishedForCity(ctx, q, reportdb.DistinguishedForCityParams{EditionID: *e.PreviousEditionID, CityID: cityID})
	if err != nil || len(prev) == 0 {
		return nil, err
	}
	saved := map[uuid.UUID]reportdb.FollowUp{}
	if reportID != uuid.Nil {
		rows, err := s.q.ListFollowUps(ctx, q, reportID)
		if err != nil {
			return nil, err
		}
		for _, f := range rows {
			saved[f.PreviousNominationID] = f
		}
	}
	out := make([]FollowUp, 0, len(prev))
	for _, p := range prev {
		f := FollowUp{PreviousNominationID: p.NominationID, PreviousTitle: p.Title, PreviousCategoryName: p.CategoryName, Outcome: Unspecified}
		if sv, ok := saved[p.NominationID]; ok {
			f.Outcome, f.Narrative = Outcome(sv.Outcome), sv.Narrative
		}
		out = append(out, f)
	}
	return out, nil
}

func practiceFromRow(p reportdb.Practice) (Practice, error) {
	out := Practice{
		ID: p.ID, Title: p.Title, Description: p.Description, CategoryID: p.CategoryID,
		Partners: p.Partners, TargetGroups: p.TargetGroups, EvidenceLinks: p.EvidenceLinks,
	}
	if p.SinceYear != nil {
		out.SinceYear = *p.SinceYear
	}
	if err := json.Unmarshal(p.Narratives, &out.Narratives); err != nil {
		return Practice{}, fmt.Errorf("practice %s narratives: %w", p.ID, err)
	}
	return out, nil
}

// editable says whether an expert may change a report in its status while the edition is in stage.
func editable(stage edition.Stage, status Status) error {
	switch {
	case status == Submitted:
		return fault.Preconditionf("", "the report is submitted and read-only until the organisers return it")
	case status == Accepted:
		return fault.Preconditionf("", "the report is accepted and read-only")
	case stage == edition.Reporting:
		return nil
	case stage == edition.Review && status == Returned:
		return nil
	}
	return fault.Preconditionf("edition_id", "reports can be written while the edition is in REPORTING (or returned ones in REVIEW); it is in %s", stage)
}

// conflict is the Aborted error for a stale expected_version, carrying the current report.
func (s *Service) conflict(r Report, expected int64) error {
	return fault.Abortedf(r, "the report changed: you edited version %d, it is now at version %d; both versions are in the error detail", expected, r.Version)
}

// lockReport opens every change of a city's report: the edition share-locked (a stage change waits
// for the change to commit), the city one of the edition's reporting cities, and the report's row
// locked; exists is false, with the zero row, when the city has no report yet.
func (s *Service) lockReport(ctx context.Context, tx pgx.Tx, editionID, cityID uuid.UUID) (e edition.Edition, city edition.City, row reportdb.Report, exists bool, err error) {
	if e, err = edition.LoadForShare(ctx, tx, editionID); err != nil {
		return e, city, row, false, err
	}
	if city, err = cityOf(e, cityID); err != nil {
		return e, city, row, false, err
	}
	row, err = s.q.GetReportForUpdate(ctx, tx, reportdb.GetReportForUpdateParams{EditionID: editionID, CityID: cityID})
	if errors.Is(err, pgx.ErrNoRows) {
		return e, city, reportdb.Report{}, false, nil
	}
	return e, city, row, err == nil, err
}

// Save stores an expert's draft: the whole report, or (when d.Changes is set) the changes it makes to
// d.ExpectedVersion. Whatever the content says it is saved; Problems lists what stops it from being
// submitted.
func (s *Service) Save(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, d Edit) (Report, error) {
	r, _, err := s.SaveAdding(ctx, actor, editionID, cityID, d)
	return r, err
}

// SaveAdding is Save that also returns, for a save of changes, the id each new practice got by its key.
func (s *Service) SaveAdding(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, d Edit) (out Report, added map[string]uuid.UUID, err error) {
	if !isExpertOf(actor, editionID, cityID) {
		return Report{}, nil, errNotExpert()
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, city, row, exists, err := s.lockReport(ctx, tx, editionID, cityID)
		if err != nil {
			return err
		}
		status, version := NotStarted, int64(0)
		if exists {
			status, version = Status(row.Status), row.Version
		}
		if err := editable(e.Stage, status); err != nil {
			return err
		}
		conflict := func() error {
			current, err := s.load(ctx, tx, e, city)
			if err != nil {
				return err
			}
			return s.conflict(current, d.ExpectedVersion)
		}
		if d.ExpectedVersion != version {
			return conflict()
		}
		var changes []Change
		adopt := map[uuid.UUID]bool{}
		if d.Changes != nil {
			if changes, added, err = resolve(d.Changes); err != nil {
				return err
			}
			for _, id := range added {
				adopt[id] = true
			}
			current, err := s.load(ctx, tx, e, city)
			if err != nil {
				return err
			}
			c, err := applyChanges(contentOf(current), changes)
			if errors.Is(err, errDrifted) {
				return s.conflict(current, d.ExpectedVersion)
			}
			if err != nil {
				return err
			}
			if err := checkHard(c); err != nil {
				return err
			}
			d.Introduction, d.Practices, d.FollowUps = c.Introduction, c.Practices, c.FollowUps
		} else {
			for i := range d.Practices {
				if d.Practices[i].EvidenceLinks, err = normaliseLinks(fmt.Sprintf("practices[%d].evidence_links", i), d.Practices[i].EvidenceLinks); err != nil {
					return err
				}
			}
		}
		out, exists, err = s.commitDraft(ctx, tx, actor, e, city, row, exists, d, adopt, versionSave, changes, nil)
		if err == nil && !exists {
			return conflict() // another first save won the race
		}
		return err
	})
	return out, added, err
}

// commitDraft is how a draft's new content is stored, by a save or a restore: checked, written over
// the report (created by a first save: written is false when another first save created it first),
// recorded in the log and kept as a version.
func (s *Service) commitDraft(ctx context.Context, tx pgx.Tx, actor *auth.Principal, e edition.Edition, city edition.City, row reportdb.Report, exists bool,
	d Edit, adopt map[uuid.UUID]bool, kind VersionKind, changes []Change, restoredFrom *int64,
) (out Report, written bool, err error) {
	if err := s.checkDraft(ctx, tx, e, city.ID, row.ID, d, adopt); err != nil {
		return out, false, err
	}
	if written, err = s.writeDraft(ctx, tx, e, city, row, exists, d); err != nil || !written {
		return out, written, err
	}
	if out, err = s.load(ctx, tx, e, city); err != nil {
		return out, true, err
	}
	if err := s.appendEvent(ctx, tx, event.ReportSaved, actor, out, ""); err != nil {
		return out, true, err
	}
	return out, true, s.recordVersion(ctx, tx, out, kind, changes, restoredFrom, false)
}

// writeDraft stores a draft's content over the report's row (creating it on a first save); written is
// false when another first save created the row first.
func (s *Service) writeDraft(ctx context.Context, tx pgx.Tx, e edition.Edition, city edition.City, row reportdb.Report, exists bool, d Edit) (written bool, err error) {
	if exists {
		row, err = s.q.UpdateReportDraft(ctx, tx, reportdb.UpdateReportDraftParams{ID: row.ID, Introduction: d.Introduction})
	} else {
		row, err = s.q.InsertReport(ctx, tx, reportdb.InsertReportParams{EditionID: e.ID, CityID: city.ID, Introduction: d.Introduction})
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
	}
	if err != nil {
		return true, err
	}
	return true, s.writeContent(ctx, tx, row.ID, d)
}

// checkDraft validates what the request validation cannot: references to the edition's categories and
// criteria, practice ids and follow-ups. adopt lists the ids of practices the save adds under an id
// the server chose (a save of changes, a restore) rather than one it assigns as it writes.
func (s *Service) checkDraft(ctx context.Context, tx pgx.Tx, e edition.Edition, cityID, reportID uuid.UUID, d Edit, adopt map[uuid.UUID]bool) error {
	cats, err := edition.Categories(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	crits, err := edition.Criteria(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	catOK, critOK := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	for _, c := range cats {
		catOK[c.ID] = true
	}
	for _, c := range crits {
		critOK[c.ID] = true
	}
	var ids []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for i, p := range d.Practices {
		field := fmt.Sprintf("practices[%d]", i)
		if p.ID != uuid.Nil {
			if seen[p.ID] {
				return fault.Invalidf(field+".id", "appears twice in the report")
			}
			seen[p.ID] = true
			ids = append(ids, p.ID)
		}
		if !catOK[p.CategoryID] {
			return fault.Invalidf(field+".category_id", "is not a category of this edition")
		}
		crit := map[uuid.UUID]bool{}
		for j, n := range p.Narratives {
			nf := fmt.Sprintf("%s.narratives[%d].criterion_id", field, j)
			if !critOK[n.CriterionID] {
				return fault.Invalidf(nf, "is not a criterion of this edition")
			}
			if crit[n.CriterionID] {
				return fault.Invalidf(nf, "has a narrative already in this practice")
			}
			crit[n.CriterionID] = true
		}
	}
	if len(ids) > 0 {
		// Practice ids are the server's: an id sent back must be one of this report's practices. One
		// the server never assigned (a first save choosing its own) is refused, not adopted.
		owners, err := s.q.PracticeOwners(ctx, tx, ids)
		if err != nil {
			return err
		}
		owner := map[uuid.UUID]uuid.UUID{}
		for _, o := range owners {
			owner[o.ID] = o.ReportID
		}
		for i, p := range d.Practices {
			switch report, known := owner[p.ID]; {
			case p.ID == uuid.Nil:
			case !known && adopt[p.ID]:
			case !known:
				return fault.Invalidf(fmt.Sprintf("practices[%d].id", i), "is not a practice of this report: the server assigns practice ids, so leave it empty for a new practice")
			case report != reportID:
				return fault.Invalidf(fmt.Sprintf("practices[%d].id", i), "belongs to another report")
			}
		}
	}
	allowed, err := s.followUps(ctx, tx, e, cityID, uuid.Nil)
	if err != nil {
		return err
	}
	ok := map[uuid.UUID]bool{}
	for _, f := range allowed {
		ok[f.PreviousNominationID] = true
	}
	dup := map[uuid.UUID]bool{}
	for i, f := range d.FollowUps {
		field := fmt.Sprintf("follow_ups[%d].previous_nomination_id", i)
		if !ok[f.PreviousNominationID] {
			return fault.Invalidf(field, "is not a practice distinguished for this city in the previous edition")
		}
		if dup[f.PreviousNominationID] {
			return fault.Invalidf(field, "appears twice in the report")
		}
		dup[f.PreviousNominationID] = true
	}
	return nil
}

// writeContent replaces a report's practices and follow-ups with the draft's. Practices keep their ids;
// new ones get fresh ids. (Nothing references practices of an editable report: nominations are made
// only from accepted ones.)
func (s *Service) writeContent(ctx context.Context, tx pgx.Tx, reportID uuid.UUID, d Edit) error {
	if err := s.q.DeletePractices(ctx, tx, reportID); err != nil {
		return err
	}
	for i, p := range d.Practices {
		if p.ID == uuid.Nil {
			p.ID = uuid.New()
		}
		narratives, err := json.Marshal(orEmpty(p.Narratives))
		if err != nil {
			return err
		}
		var since *int32
		if p.SinceYear != 0 {
			since = &p.SinceYear
		}
		if err := s.q.InsertPractice(ctx, tx, reportdb.InsertPracticeParams{
			ID: p.ID, ReportID: reportID, Position: int32(i), Title: p.Title, Description: p.Description,
			CategoryID: p.CategoryID, SinceYear: since, Partners: p.Partners, TargetGroups: p.TargetGroups,
			EvidenceLinks: orEmpty(p.EvidenceLinks), Narratives: narratives,
		}); err != nil {
			return err
		}
	}
	if err := s.q.DeleteFollowUps(ctx, tx, reportID); err != nil {
		return err
	}
	for _, f := range d.FollowUps {
		if f.Outcome == "" {
			f.Outcome = Unspecified
		}
		if err := s.q.InsertFollowUp(ctx, tx, reportdb.InsertFollowUpParams{
			ReportID: reportID, PreviousNominationID: f.PreviousNominationID, Outcome: string(f.Outcome), Narrative: f.Narrative,
		}); err != nil {
			return err
		}
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// appendEvent records a report change. Drafts are private until accepted, so the event carries the
// content's hash, never its text; a return comment is for the expert and the organisers, so the event
// carries a commitment to it.
func (s *Service) appendEvent(ctx context.Context, tx pgx.Tx, kind event.Kind, actor *auth.Principal, r Report, comment string) error {
	content, err := json.Marshal(contentOf(r))
	if err != nil {
		return err
	}
	payload := map[string]any{
		"report_id": r.ID, "city_id": r.City.ID, "version": r.Version, "status": r.Status, "content_sha256": verify.Hash(content),
	}
	if kind == event.ReportReturned {
		if payload["comment_commitment"], err = event.Commit(ctx, tx, comment); err != nil {
			return err
		}
	}
	if kind == event.ReportSubmitted {
		// What the organisers and then the jurors read: a reader checks a file's SHA-256 against these.
		payload["attachments"] = attachmentHashes(r.Attachments)
	}
	by := event.Organiser(actor.User())
	if kind == event.ReportSaved || kind == event.ReportSubmitted {
		a, ok := actor.Holds(r.EditionID, auth.RoleExpert)
		if !ok {
			return fault.Deniedf("you are not an expert of this edition")
		}
		by = event.Expert(a.ID)
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: kind, EditionID: r.EditionID, Actor: by, UserID: actor.User(), Payload: payload})
	return err
}

// transition is the shared shape of submit, return and accept: lock the report, check who and when,
// check the version, move the status, record the event.
func (s *Service) transition(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, expected int64,
	check func(e edition.Edition, r reportdb.Report, current Report) error, to Status, comment string, kind event.Kind,
) (Report, error) {
	var out Report
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, city, row, exists, err := s.lockReport(ctx, tx, editionID, cityID)
		if err != nil {
			return err
		}
		if !exists {
			return fault.Preconditionf("city_id", "the city's report is not started")
		}
		current, err := s.load(ctx, tx, e, city)
		if err != nil {
			return err
		}
		if err := check(e, row, current); err != nil {
			return err
		}
		if row.Version != expected {
			return s.conflict(current, expected)
		}
		if _, err := s.q.SetReportStatus(ctx, tx, reportdb.SetReportStatusParams{ID: row.ID, Status: string(to), ReturnComment: comment}); err != nil {
			return err
		}
		if out, err = s.load(ctx, tx, e, city); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, tx, kind, actor, out, comment); err != nil {
			return err
		}
		if err := s.recordVersion(ctx, tx, out, versionStatus, nil, nil, kind != event.ReportSubmitted); err != nil {
			return err
		}
		if to == Returned {
			for _, h := range s.onReturn {
				if err := h(ctx, tx, e, out, comment); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// Submit hands the report to the organisers. A first submission must come before the reporting
// deadline; a returned report can be resubmitted while the edition is in REPORTING or REVIEW.
func (s *Service) Submit(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, expected int64) (Report, error) {
	if !isExpertOf(actor, editionID, cityID) {
		return Report{}, errNotExpert()
	}
	return s.transition(ctx, actor, editionID, cityID, expected, func(e edition.Edition, r reportdb.Report, current Report) error {
		status := Status(r.Status)
		if err := editable(e.Stage, status); err != nil {
			return err
		}
		if status == Draft {
			if d := e.Timeline.ReportingDeadline; d != nil && !s.now().Before(*d) {
				return fault.Preconditionf("timeline.reporting_deadline", "the reporting deadline passed at %s", edition.InWarsaw(*d))
			}
		}
		return submittable(contentOf(current))
	}, Submitted, "", event.ReportSubmitted)
}

// reviewable checks that organisers may return or accept a report now.
func reviewable(e edition.Edition, r reportdb.Report) error {
	if e.Stage != edition.Reporting && e.Stage != edition.Review {
		return fault.Preconditionf("edition_id", "reports are reviewed in REPORTING or REVIEW; the edition is in %s", e.Stage)
	}
	if Status(r.Status) != Submitted {
		return fault.Preconditionf("city_id", "only a submitted report can be reviewed; this one is %s", strings.ToLower(r.Status))
	}
	return nil
}

// Return sends a submitted report back to its expert with a comment.
func (s *Service) Return(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, expected int64, comment string) (Report, error) {
	return s.transition(ctx, actor, editionID, cityID, expected, func(e edition.Edition, r reportdb.Report, _ Report) error {
		return reviewable(e, r)
	}, Returned, comment, event.ReportReturned)
}

// Accept accepts a submitted report.
func (s *Service) Accept(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, expected int64) (Report, error) {
	return s.transition(ctx, actor, editionID, cityID, expected, func(e edition.Edition, r reportdb.Report, _ Report) error {
		return reviewable(e, r)
	}, Accepted, "", event.ReportAccepted)
}

// Statuses lists the status of every reporting city's report, in Polish order of the cities.
func (s *Service) Statuses(ctx context.Context, editionID uuid.UUID, size int32, token string) ([]StatusSummary, string, error) {
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.q.ListEditionReports(ctx, s.pool, editionID)
	if err != nil {
		return nil, "", err
	}
	byCity := map[uuid.UUID]reportdb.ListEditionReportsRow{}
	for _, r := range rows {
		byCity[r.Report.CityID] = r
	}
	all := make([]StatusSummary, 0, len(e.Cities))
	for _, c := range e.Cities {
		sum := StatusSummary{City: c, Status: NotStarted}
		if r, ok := byCity[c.ID]; ok {
			sum.Status, sum.Version, sum.PracticeCount = Status(r.Report.Status), r.Report.Version, int32(r.PracticeCount)
			sum.UpdateTime, sum.SubmitTime, sum.ReturnTime, sum.AcceptTime = &r.Report.UpdateTime, r.Report.SubmitTime, r.Report.ReturnTime, r.Report.AcceptTime
		}
		all = append(all, sum)
	}
	return page.Slice(all, size, 100, token)
}

// StageHook refuses to open the jury round unless every reporting city's report is accepted (or the
// organiser overrides with a reason) and the shortlist has at least one nomination.
var StageHook = edition.StageHook{Check: checkOpenJury}

func checkOpenJury(ctx context.Context, tx pgx.Tx, e edition.Edition, c edition.StageChange) error {
	if c.Target != edition.Jury {
		return nil
	}
	q := reportdb.New()
	missing, err := q.UnacceptedCities(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	// Both refusals at once (joined), so that the organisers' dashboard lists each; a refused move
	// names the first.
	var refusals []error
	if len(missing) > 0 && !c.Override {
		cities := make([]edition.City, 0, len(missing))
		for _, m := range missing {
			cities = append(cities, edition.City{Name: m})
		}
		edition.SortCities(cities)
		names := make([]string, 0, len(cities))
		for _, c := range cities {
			names = append(names, c.Name)
		}
		refusals = append(refusals, fault.Preconditionf("stage", "reports not accepted yet: %s (or override with a reason)", strings.Join(names, ", ")))
	}
	n, err := q.CountNominations(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		refusals = append(refusals, fault.Preconditionf("stage", "the shortlist is empty: nominate practices before the jury opens"))
	}
	return errors.Join(refusals...)
}
