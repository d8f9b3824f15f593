package edition

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/page"
)

// StageHook lets another domain take part in stage changes, inside the stage-change transaction:
// Check may refuse a move (return a fault, or several joined with errors.Join) before it happens;
// Warn lists what a forward move should not pass without the organiser's acknowledgement; Apply
// makes the move's consequences (freeze the tally rule, compute the tally) after the stage is
// updated. e is the edition as it was before the move. Any may be nil.
type StageHook struct {
	Check func(ctx context.Context, tx pgx.Tx, e Edition, c StageChange) error
	Warn  func(ctx context.Context, tx pgx.Tx, e Edition, c StageChange) ([]Warning, error)
	Apply func(ctx context.Context, tx pgx.Tx, e Edition, c StageChange) error
}

// StageChange is an organiser's request to move an edition.
type StageChange struct {
	Target Stage
	Reason string
	// Override admits a forward move a guard would refuse for unaccepted reports (with a reason).
	Override bool
	// Acknowledge admits a forward move despite its warnings (with a reason).
	Acknowledge bool
}

// Warning is one thing a forward move warns about: a juror who has not cast, a category without a
// winner, a nomination without a translation.
type Warning struct {
	// Type is JUROR_NOT_CAST, CATEGORY_WITHOUT_WINNER or TRANSLATION_MISSING.
	Type string
	// Subject identifies what is named (an assignment, a category, "<practice>/<language>").
	Subject string
	// Name is what people call it: the juror's name, "3. <category>", "<title> (<city>)".
	Name string
}

// The warning types.
const (
	WarnNotCast        = "JUROR_NOT_CAST"
	WarnNoWinner       = "CATEGORY_WITHOUT_WINNER"
	WarnNoTranslation  = "TRANSLATION_MISSING"
	maxNamesInAMessage = 10
)

// Warnings is the detail of the fault that refuses a move with unacknowledged warnings.
type Warnings []Warning

// warningFault refuses a move whose warnings were not acknowledged, naming (the first few of) them.
func warningFault(ws Warnings) error {
	names := make([]string, 0, len(ws))
	for i, w := range ws {
		if i == maxNamesInAMessage {
			names = append(names, "…")
			break
		}
		names = append(names, w.Name)
	}
	var f *fault.Error
	switch ws[0].Type {
	case WarnNotCast:
		f = fault.Preconditionf("acknowledge_warnings", "%d jurors have not cast: %s; their ballots would not count (confirm with a reason to close the round)", len(ws), strings.Join(names, ", "))
	case WarnNoWinner:
		f = fault.Preconditionf("acknowledge_warnings", "%d categories have no winner: %s (confirm with a reason to announce)", len(ws), strings.Join(names, ", "))
	default:
		f = fault.Preconditionf("acknowledge_warnings", "%d nominations lack a translation into the edition's languages: %s (confirm with a reason to open the jury)", len(ws), strings.Join(names, ", "))
	}
	f.Detail = ws
	return f
}

// Service implements the edition operations.
type Service struct {
	pool  *pgxpool.Pool
	q     *editiondb.Queries
	log   *slog.Logger
	hooks []StageHook
	now   func() time.Time
}

// NewService returns the edition service; hooks run, in order, on every stage change.
func NewService(pool *pgxpool.Pool, log *slog.Logger, hooks ...StageHook) *Service {
	return &Service{pool: pool, q: editiondb.New(), log: log, hooks: hooks, now: time.Now}
}

// NewEdition is what an organiser gives to create an edition.
type NewEdition struct {
	Year              int32
	Name              string
	Timeline          Timeline
	BallotPublication Publication
	PreviousEditionID *uuid.UUID
	// Languages defaults to Polish alone: an edition asks for other languages' texts only when told.
	Languages []string
	// Demonstration marks invented data (the demo's edition, a rehearsal).
	Demonstration bool
}

// Create makes a new edition in DRAFT.
func (s *Service) Create(ctx context.Context, actor *auth.Principal, n NewEdition) (Edition, error) {
	if err := checkTimeline(n.Timeline); err != nil {
		return Edition{}, err
	}
	if n.BallotPublication == "" {
		n.BallotPublication = PublishPseudonyms
	}
	if len(n.Languages) == 0 {
		n.Languages = []string{"pl"}
	}
	langs, err := normaliseLanguages(n.Languages)
	if err != nil {
		return Edition{}, err
	}
	n.Languages = langs
	var out Edition
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if n.PreviousEditionID != nil {
			prev, err := s.q.GetEdition(ctx, tx, *n.PreviousEditionID)
			if err != nil {
				return notFound(err, "previous_edition_id", "edition")
			}
			if prev.Year >= n.Year {
				return fault.Invalidf("previous_edition_id", "must be an edition of a year before %d, not %d", n.Year, prev.Year)
			}
		}
		past, err := s.q.PastEditionExists(ctx, tx, n.Year)
		if err != nil {
			return err
		}
		if past {
			return fault.Existsf("year", "the archive holds the past edition of %d: an edition on the platform needs another year", n.Year)
		}
		row, err := s.q.InsertEdition(ctx, tx, editiondb.InsertEditionParams{
			Year:              n.Year,
			Name:              n.Name,
			ReportingDeadline: n.Timeline.ReportingDeadline,
			JuryDeadline:      n.Timeline.JuryDeadline,
			CeremonyTime:      n.Timeline.CeremonyTime,
			BallotPublication: string(n.BallotPublication),
			PreviousEditionID: n.PreviousEditionID,
			Languages:         n.Languages,
			Demonstration:     n.Demonstration,
		})
		if _, dup := db.IsUniqueViolation(err); dup {
			return fault.Existsf("year", "an edition for %d exists already", n.Year)
		}
		if err != nil {
			return err
		}
		out = editionFromRow(row, nil)
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.EditionCreated, EditionID: row.ID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				Year              int32      `json:"year"`
				Name              string     `json:"name"`
				Publication       string     `json:"publication"`
				PreviousEditionID *uuid.UUID `json:"previous_edition_id"`
			}{row.Year, row.Name, out.BallotPublication.Spec(), row.PreviousEditionID},
		})
		return err
	})
	return out, err
}

// visible reports whether viewer may see an edition in stage: DRAFT editions are for organisers.
func visible(viewer *auth.Principal, stage Stage) bool {
	return stage != Draft || (viewer != nil && viewer.Organiser)
}

// Load returns an edition with its cities, reading through q (a pool or a transaction), with no
// visibility check: for other domains that already authorised the caller.
func Load(ctx context.Context, q editiondb.DBTX, id uuid.UUID) (Edition, error) {
	return load(ctx, q, id, lockNone)
}

// IDForYear returns the id of the edition of a year.
func IDForYear(ctx context.Context, q editiondb.DBTX, year int32) (uuid.UUID, error) {
	id, err := editiondb.New().GetEditionByYear(ctx, q, year)
	if err != nil {
		return uuid.Nil, notFound(err, "year", "edition")
	}
	return id, nil
}

// Categories returns all of an edition's categories by number (an edition has at most 50).
func Categories(ctx context.Context, q editiondb.DBTX, editionID uuid.UUID) ([]Category, error) {
	rows, err := editiondb.New().ListCategories(ctx, q, editiondb.ListCategoriesParams{EditionID: editionID, MaxRows: 50})
	out := make([]Category, 0, len(rows))
	for _, r := range rows {
		out = append(out, categoryFromRow(r))
	}
	return out, err
}

// Criteria returns all of an edition's criteria by number (an edition has at most 20).
func Criteria(ctx context.Context, q editiondb.DBTX, editionID uuid.UUID) ([]Criterion, error) {
	rows, err := editiondb.New().ListCriteria(ctx, q, editiondb.ListCriteriaParams{EditionID: editionID, MaxRows: 20})
	out := make([]Criterion, 0, len(rows))
	for _, r := range rows {
		out = append(out, criterionFromRow(r))
	}
	return out, err
}

// LoadForUpdate is Load that also locks the edition row until the transaction ends, for changes to
// the edition itself.
func LoadForUpdate(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Edition, error) {
	return load(ctx, tx, id, lockUpdate)
}

// LoadForShare is Load that share-locks the edition row until the transaction ends: its stage cannot
// change meanwhile, while other sharers (saves in other cities) go on in parallel.
func LoadForShare(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Edition, error) {
	return load(ctx, tx, id, lockShare)
}

type lockMode int

const (
	lockNone lockMode = iota
	lockShare
	lockUpdate
)

func load(ctx context.Context, q editiondb.DBTX, id uuid.UUID, lock lockMode) (Edition, error) {
	queries := editiondb.New()
	get := queries.GetEdition
	// The advisory lock before the row lock, always in this order (db.LockEditionShared says why).
	switch lock {
	case lockShare:
		if err := db.LockEditionShared(ctx, q.(pgx.Tx), id); err != nil {
			return Edition{}, err
		}
		get = queries.GetEditionForShare
	case lockUpdate:
		if err := db.LockEditionExclusive(ctx, q.(pgx.Tx), id); err != nil {
			return Edition{}, err
		}
		get = queries.GetEditionForUpdate
	}
	row, err := get(ctx, q, id)
	if err != nil {
		return Edition{}, notFound(err, "edition_id", "edition")
	}
	cities, err := queries.ListEditionCities(ctx, q, id)
	if err != nil {
		return Edition{}, err
	}
	return editionFromRow(row, cities), nil
}

// Get returns an edition the viewer may see.
func (s *Service) Get(ctx context.Context, viewer *auth.Principal, id uuid.UUID) (Edition, error) {
	e, err := Load(ctx, s.pool, id)
	if err != nil {
		return Edition{}, err
	}
	if !visible(viewer, e.Stage) {
		return Edition{}, fault.NotFoundf("edition_id", "no such edition")
	}
	return e, nil
}

type editionCursor struct {
	BeforeYear int32 `json:"y"`
}

// List returns a page of editions, newest first.
func (s *Service) List(ctx context.Context, viewer *auth.Principal, size int32, token string) ([]Edition, string, error) {
	cur := editionCursor{BeforeYear: 1 << 30}
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 20)
	// Drafts are for organisers: the platform's, and an edition's own organisers and observers, each
	// seeing only their edition's draft.
	rows, err := s.q.ListEditions(ctx, s.pool, editiondb.ListEditionsParams{
		BeforeYear:    cur.BeforeYear,
		IncludeDrafts: viewer != nil && (viewer.Organiser || len(viewer.Assignments) > 0),
		MaxRows:       size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, size, func(r editiondb.Edition) any { return editionCursor{BeforeYear: r.Year} })
	out := make([]Edition, 0, len(rows))
	for _, r := range rows {
		if Stage(r.Stage) == Draft && !viewer.Organiser && !viewer.OrganisesOrObserves(r.ID) {
			continue
		}
		cities, err := s.q.ListEditionCities(ctx, s.pool, r.ID)
		if err != nil {
			return nil, "", err
		}
		out = append(out, editionFromRow(r, cities))
	}
	return out, next, nil
}

func checkTimeline(t Timeline) error {
	if t.ReportingDeadline != nil && t.JuryDeadline != nil && !t.JuryDeadline.After(*t.ReportingDeadline) {
		return fault.Invalidf("timeline.jury_deadline", "must be after the reporting deadline")
	}
	if t.JuryDeadline != nil && t.CeremonyTime != nil && t.CeremonyTime.Before(*t.JuryDeadline) {
		return fault.Invalidf("timeline.ceremony_time", "must not be before the jury deadline")
	}
	return nil
}

// SetTimeline replaces an edition's deadlines.
func (s *Service) SetTimeline(ctx context.Context, actor *auth.Principal, id uuid.UUID, t Timeline) (Edition, error) {
	if err := checkTimeline(t); err != nil {
		return Edition{}, err
	}
	var out Edition
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := LoadForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if e.Stage == Announced {
			return fault.Preconditionf("edition_id", "the edition is announced; its timeline is history")
		}
		if _, err := s.q.UpdateTimeline(ctx, tx, editiondb.UpdateTimelineParams{
			ID: id, ReportingDeadline: t.ReportingDeadline, JuryDeadline: t.JuryDeadline, CeremonyTime: t.CeremonyTime,
		}); err != nil {
			return err
		}
		if out, err = Load(ctx, tx, id); err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.EditionTimelineSet, EditionID: id, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				ReportingDeadline *string `json:"reporting_deadline"`
				JuryDeadline      *string `json:"jury_deadline"`
				CeremonyTime      *string `json:"ceremony_time"`
			}{specTime(out.Timeline.ReportingDeadline), specTime(out.Timeline.JuryDeadline), specTime(out.Timeline.CeremonyTime)},
		})
		return err
	})
	return out, err
}

// ChangeStage moves an edition. Forward moves go one stage at a time and pass every guard; a move
// back goes one stage, needs a reason and is impossible once announced.
func (s *Service) ChangeStage(ctx context.Context, actor *auth.Principal, id uuid.UUID, c StageChange) (Edition, error) {
	if c.Override && c.Reason == "" {
		return Edition{}, fault.Invalidf("reason", "is required to override a stage guard")
	}
	if c.Acknowledge && c.Reason == "" {
		return Edition{}, fault.Invalidf("reason", "is required to go on despite warnings")
	}
	var out Edition
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := LoadForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		from, to := e.Stage.Index(), c.Target.Index()
		switch {
		case to == from:
			return fault.Preconditionf("stage", "the edition is in %s already", e.Stage)
		case to == from+1:
			if err := firstFault(s.checkForward(ctx, tx, e, c)); err != nil {
				return err
			}
			ws, err := s.warnings(ctx, tx, e, c)
			if err != nil {
				return err
			}
			if len(ws) > 0 && !c.Acknowledge {
				return warningFault(ws)
			}
			// An acknowledged warning is an override: the log records it with its reason. With nothing
			// to acknowledge (the last juror cast meanwhile) the move is an ordinary one.
			if len(ws) > 0 {
				c.Override = true
			} else if c.Acknowledge && !c.Override {
				c.Reason = ""
			}
		case to == from-1:
			if e.Stage == Announced {
				return fault.Preconditionf("stage", "an announced edition cannot go back")
			}
			if c.Reason == "" {
				return fault.Invalidf("reason", "is required to move an edition back from %s to %s", e.Stage, c.Target)
			}
		default:
			return fault.Preconditionf("stage", "an edition moves one stage at a time: from %s the next is %s", e.Stage, next(e.Stage))
		}
		if _, err := s.q.UpdateStage(ctx, tx, editiondb.UpdateStageParams{ID: id, Stage: string(c.Target)}); err != nil {
			return err
		}
		// The move first, then its consequences (the rule frozen, the tally computed, the results
		// announced): the audit specification has each consequence's event follow its stage change.
		if _, err := event.Append(ctx, tx, event.Event{
			Kind: event.EditionStageChanged, EditionID: id, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				From     Stage  `json:"from"`
				To       Stage  `json:"to"`
				Reason   string `json:"reason"`
				Override bool   `json:"override"`
			}{e.Stage, c.Target, c.Reason, c.Override},
		}); err != nil {
			return err
		}
		for _, h := range s.hooks {
			if h.Apply == nil {
				continue
			}
			if err := h.Apply(ctx, tx, e, c); err != nil {
				return err
			}
		}
		out, err = Load(ctx, tx, id)
		return err
	})
	return out, err
}

func next(s Stage) Stage {
	if i := s.Index(); i >= 0 && i+1 < len(Stages) {
		return Stages[i+1]
	}
	return s
}

// checkForward applies the built-in checks of a forward move, then every hook's Check, and returns
// every refusal (domain faults, in order), or the first other error alone.
func (s *Service) checkForward(ctx context.Context, tx pgx.Tx, e Edition, c StageChange) []error {
	var out []error
	refuse := func(err error) bool { // false for an error that is not a refusal: stop there
		for _, x := range flatten(err) {
			if _, ok := fault.As(x); !ok {
				out = []error{x}
				return false
			}
			out = append(out, x)
		}
		return true
	}
	if c.Target == Reporting {
		if len(e.Cities) == 0 {
			refuse(fault.Preconditionf("stage", "add at least one reporting city before reporting opens"))
		}
		cats, err := s.q.ListCategories(ctx, tx, editiondb.ListCategoriesParams{EditionID: e.ID, MaxRows: 1})
		if err != nil {
			return []error{err}
		}
		crit, err := s.q.ListCriteria(ctx, tx, editiondb.ListCriteriaParams{EditionID: e.ID, MaxRows: 1})
		if err != nil {
			return []error{err}
		}
		if len(cats) == 0 || len(crit) == 0 {
			refuse(fault.Preconditionf("stage", "add categories and criteria before reporting opens"))
		}
		if d := e.Timeline.ReportingDeadline; d == nil || !d.After(s.now()) {
			refuse(fault.Preconditionf("timeline.reporting_deadline", "set a reporting deadline in the future before reporting opens"))
		}
	}
	if c.Target == Jury {
		cats, err := Categories(ctx, tx, e.ID)
		if err != nil {
			return []error{err}
		}
		crit, err := Criteria(ctx, tx, e.ID)
		if err != nil {
			return []error{err}
		}
		if m := missingTexts(e, cats, crit); len(m) > 0 {
			refuse(MissingFault(m))
		}
	}
	for _, h := range s.hooks {
		if h.Check == nil {
			continue
		}
		if !refuse(h.Check(ctx, tx, e, c)) {
			return out
		}
	}
	return out
}

// flatten lists the errors errors.Join put together (or err alone; nothing for nil).
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, x := range j.Unwrap() {
			out = append(out, flatten(x)...)
		}
		return out
	}
	return []error{err}
}

// firstFault is the error a refused move returns: the first of its refusals.
func firstFault(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// warnings lists what every hook warns about for a forward move.
func (s *Service) warnings(ctx context.Context, tx pgx.Tx, e Edition, c StageChange) (Warnings, error) {
	var out Warnings
	for _, h := range s.hooks {
		if h.Warn == nil {
			continue
		}
		ws, err := h.Warn(ctx, tx, e, c)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// CreateCity adds a city to the platform.
func (s *Service) CreateCity(ctx context.Context, actor *auth.Principal, name string) (City, error) {
	var out City
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		row, err := s.q.InsertCity(ctx, tx, name)
		if _, dup := db.IsUniqueViolation(err); dup {
			return fault.Existsf("name", "a city named %q exists already", name)
		}
		if err != nil {
			return err
		}
		out = City{ID: row.ID, Name: row.Name}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.CityCreated, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				CityID uuid.UUID `json:"city_id"`
				Name   string    `json:"name"`
			}{row.ID, row.Name},
		})
		return err
	})
	return out, err
}

// maxCities bounds the city list, which is sorted in memory by Polish collation.
const maxCities = 5000

// ListCities returns a page of cities in Polish alphabetical order.
func (s *Service) ListCities(ctx context.Context, size int32, token string) ([]City, string, error) {
	rows, err := s.q.ListAllCities(ctx, s.pool, maxCities)
	if err != nil {
		return nil, "", err
	}
	cities := make([]City, 0, len(rows))
	for _, r := range rows {
		cities = append(cities, City{ID: r.ID, Name: r.Name})
	}
	SortCities(cities)
	return page.Slice(cities, size, 100, token)
}

// draftOnly loads and locks an edition for a change that is only allowed while it is in DRAFT.
func draftOnly(ctx context.Context, tx pgx.Tx, id uuid.UUID, what string) (Edition, error) {
	e, err := LoadForUpdate(ctx, tx, id)
	if err != nil {
		return Edition{}, err
	}
	if e.Stage != Draft {
		return Edition{}, fault.Preconditionf("edition_id", "%s only while the edition is in DRAFT; it is in %s", what, e.Stage)
	}
	return e, nil
}

// AddCity makes a city report in an edition in DRAFT.
func (s *Service) AddCity(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID) (Edition, error) {
	return s.changeCities(ctx, actor, editionID, cityID, true)
}

// RemoveCity removes a reporting city from an edition in DRAFT.
func (s *Service) RemoveCity(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID) (Edition, error) {
	return s.changeCities(ctx, actor, editionID, cityID, false)
}

func (s *Service) changeCities(ctx context.Context, actor *auth.Principal, editionID, cityID uuid.UUID, add bool) (Edition, error) {
	var out Edition
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := draftOnly(ctx, tx, editionID, "reporting cities change"); err != nil {
			return err
		}
		city, err := s.q.GetCity(ctx, tx, cityID)
		if err != nil {
			return notFound(err, "city_id", "city")
		}
		kind := event.EditionCityAdded
		if add {
			if n, err := s.q.InsertEditionCity(ctx, tx, editiondb.InsertEditionCityParams{EditionID: editionID, CityID: cityID}); err != nil {
				return err
			} else if n == 0 {
				return fault.Existsf("city_id", "%s reports in this edition already", city.Name)
			}
		} else {
			kind = event.EditionCityRemoved
			if n, err := s.q.DeleteEditionCity(ctx, tx, editiondb.DeleteEditionCityParams{EditionID: editionID, CityID: cityID}); err != nil {
				return err
			} else if n == 0 {
				return fault.NotFoundf("city_id", "%s does not report in this edition", city.Name)
			}
		}
		if out, err = Load(ctx, tx, editionID); err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: kind, EditionID: editionID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				CityID uuid.UUID `json:"city_id"`
				Name   string    `json:"name"`
			}{city.ID, city.Name},
		})
		return err
	})
	return out, err
}

// CreateCategory adds a category to an edition in DRAFT.
func (s *Service) CreateCategory(ctx context.Context, actor *auth.Principal, c Category) (Category, error) {
	var out Category
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := draftOnly(ctx, tx, c.EditionID, "categories change"); err != nil {
			return err
		}
		row, err := s.q.InsertCategory(ctx, tx, editiondb.InsertCategoryParams{
			EditionID: c.EditionID, Number: c.Number, NamePl: c.NamePL, NameEn: c.NameEN, Description: c.Description,
		})
		if _, dup := db.IsUniqueViolation(err); dup {
			return fault.Existsf("number", "the edition has a category number %d already", c.Number)
		}
		if err != nil {
			return err
		}
		out = categoryFromRow(row)
		_, err = event.Append(ctx, tx, event.Event{Kind: event.CategoryCreated, EditionID: c.EditionID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: struct {
			CategoryID  uuid.UUID `json:"category_id"`
			Number      int32     `json:"number"`
			NamePL      string    `json:"name_pl"`
			NameEN      string    `json:"name_en"`
			Description string    `json:"description"`
		}{out.ID, out.Number, out.NamePL, out.NameEN, out.Description}})
		return err
	})
	return out, err
}

// CreateCriterion adds a criterion to an edition in DRAFT.
func (s *Service) CreateCriterion(ctx context.Context, actor *auth.Principal, c Criterion) (Criterion, error) {
	var out Criterion
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := draftOnly(ctx, tx, c.EditionID, "criteria change"); err != nil {
			return err
		}
		row, err := s.q.InsertCriterion(ctx, tx, editiondb.InsertCriterionParams{
			EditionID: c.EditionID, Number: c.Number, NamePl: c.NamePL, NameEn: c.NameEN, Description: c.Description,
		})
		if _, dup := db.IsUniqueViolation(err); dup {
			return fault.Existsf("number", "the edition has a criterion number %d already", c.Number)
		}
		if err != nil {
			return err
		}
		out = criterionFromRow(row)
		_, err = event.Append(ctx, tx, event.Event{Kind: event.CriterionCreated, EditionID: c.EditionID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: struct {
			CriterionID uuid.UUID `json:"criterion_id"`
			Number      int32     `json:"number"`
			NamePL      string    `json:"name_pl"`
			NameEN      string    `json:"name_en"`
			Description string    `json:"description"`
		}{out.ID, out.Number, out.NamePL, out.NameEN, out.Description}})
		return err
	})
	return out, err
}

type numberCursor struct {
	After int32 `json:"n"`
}

// ListCategories returns a page of an edition's categories by number.
func (s *Service) ListCategories(ctx context.Context, viewer *auth.Principal, editionID uuid.UUID, size int32, token string) ([]Category, string, error) {
	var cur numberCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := s.Get(ctx, viewer, editionID); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 50)
	rows, err := s.q.ListCategories(ctx, s.pool, editiondb.ListCategoriesParams{EditionID: editionID, AfterNumber: cur.After, MaxRows: size + 1})
	if err != nil {
		return nil, "", err
	}
	out := make([]Category, 0, len(rows))
	for _, r := range rows {
		out = append(out, categoryFromRow(r))
	}
	out, next := page.Cut(out, size, func(c Category) any { return numberCursor{After: c.Number} })
	return out, next, nil
}

// ListCriteria returns a page of an edition's criteria by number.
func (s *Service) ListCriteria(ctx context.Context, viewer *auth.Principal, editionID uuid.UUID, size int32, token string) ([]Criterion, string, error) {
	var cur numberCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := s.Get(ctx, viewer, editionID); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 20)
	rows, err := s.q.ListCriteria(ctx, s.pool, editiondb.ListCriteriaParams{EditionID: editionID, AfterNumber: cur.After, MaxRows: size + 1})
	if err != nil {
		return nil, "", err
	}
	out := make([]Criterion, 0, len(rows))
	for _, r := range rows {
		out = append(out, criterionFromRow(r))
	}
	out, next := page.Cut(out, size, func(c Criterion) any { return numberCursor{After: c.Number} })
	return out, next, nil
}

// String makes stages print as their names in messages.
func (s Stage) String() string { return string(s) }
