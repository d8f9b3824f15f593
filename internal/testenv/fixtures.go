package testenv

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/devidp"
	"github.com/miasta-otwarte/miasta/internal/event"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
)

// The fixtures below are shared by the API suites of several packages (the server's edge suite and
// the domain packages that test their contract through the API): editions set up as an organiser
// does it, their experts and jurors signed in, and the checks that a refused call changed nothing.

// Must returns v, or panics on an error nobody expected; the panic fails the test with its stack
// (inside Step, it fails only that step's test).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// ErrOf keeps only the error of a call.
func ErrOf[T any](_ T, err error) error { return err }

// AnyField is for refusals where the contract does not say which field is at fault.
const AnyField = "*"

// Step runs a subtest of a sequential flow and stops the flow when it fails, since later steps build
// on its state. It turns a panic from Must into this test's failure, so that one broken RPC does not
// end the whole test binary.
func Step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	ok := t.Run(name, func(t *testing.T) {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("%v\n%s", p, debug.Stack())
			}
		}()
		f(t)
	})
	if !ok {
		t.FailNow()
	}
}

// User is a provider account whose subject Token knows.
func User(email string, verified bool) devidp.User {
	return devidp.User{Subject: Subject(email), Email: email, EmailVerified: verified, Name: email}
}

// EventCount is how many state changes the database has recorded.
func (e *Env) EventCount(t testing.TB) int {
	t.Helper()
	var n int
	if err := e.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Refused runs call, which must fail with code, name field and leave the event log as it was.
func (e *Env) Refused(t *testing.T, code connect.Code, field string, call func() error) error {
	t.Helper()
	before := e.EventCount(t)
	err := call()
	if got := Code(err); got != code {
		t.Fatalf("code = %v (%v); want %v", got, err, code)
	}
	if got := Field(err); field != AnyField && got != field {
		t.Errorf("field = %q (%v); want %q", got, err, field)
	}
	if after := e.EventCount(t); after != before {
		t.Errorf("events grew from %d to %d; a refused call must change nothing", before, after)
	}
	return err
}

// Appended fails the test unless the event log grew since before, with kind among the new events.
func (e *Env) Appended(t *testing.T, before int, kind event.Kind) {
	t.Helper()
	after := e.EventCount(t)
	if after <= before {
		t.Errorf("events stayed at %d; a %s must be recorded", after, kind)
		return
	}
	var n int
	err := e.App.Pool.QueryRow(t.Context(),
		`SELECT count(*) FROM (SELECT kind FROM events ORDER BY id DESC LIMIT $1) AS recent WHERE kind = $2`,
		after-before, string(kind)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("the %d new events include no %s", after-before, kind)
	}
}

var seeded int32

// NextYear is a year no edition of this test binary's SeedEdition has had yet, and later than all of
// theirs, for tests that create an edition themselves.
func NextYear() int32 { return 2040 + atomic.AddInt32(&seeded, 1) }

// SeedEdition creates, as the organiser behind c, a DRAFT edition of a fresh year with one reporting
// city, one category and one criterion.
func SeedEdition(t *testing.T, c Clients) *v1.Edition {
	t.Helper()
	return SeedEditionYear(t, c, NextYear())
}

// SeedEditionYear is SeedEdition of a given year.
func SeedEditionYear(t *testing.T, c Clients, year int32) *v1.Edition {
	t.Helper()
	ctx := context.Background()
	city := Must(c.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Miasto %d", year)})).GetCity()
	e := Must(c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: year, Name: fmt.Sprintf("Edycja %d", year)})).GetEdition()
	Must(c.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 1, NamePl: "Przestrzeń przyjazna imigrantom", NameEn: "Immigrant-friendly space"}))
	Must(c.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
	return Must(c.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: city.GetId()})).GetEdition()
}

// setSimpleRule gives an edition a weighted-mean rule over its criteria (0–5, weight 1, quorum 1, one
// winner per category), as the organiser behind c.
func setSimpleRule(t *testing.T, c Clients, editionID string, criteria []*v1.Criterion) *v1.TallyRule {
	t.Helper()
	rule := &v1.TallyRule{Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1}
	for _, cr := range criteria {
		rule.Criteria = append(rule.Criteria, &v1.CriterionRule{CriterionId: cr.GetId(), MinScore: 0, MaxScore: 5, Weight: 1})
	}
	return Must(c.Results.SetTallyRule(context.Background(), &v1.SetTallyRuleRequest{EditionId: editionID, Rule: rule})).GetRule()
}

// Reporting is an edition open for reports, with the people who write them.
type Reporting struct {
	Edition    *v1.Edition
	Org        Clients
	Cities     []*v1.City      // reporting cities, in the order they were added
	Experts    []Clients       // Experts[i] writes Cities[i]'s report
	Emails     []string        // Emails[i] is Experts[i]'s address
	Categories []*v1.Category  // by number
	Criteria   []*v1.Criterion // by number
	Deadline   time.Time
}

// ID is the edition's id.
func (r *Reporting) ID() string { return r.Edition.GetId() }

// ReportingEdition builds on SeedEdition: two reporting cities (the seeded one, then extra or a new
// one), two categories, two criteria, an expert per city, and reporting open until open from now.
func (e *Env) ReportingEdition(t *testing.T, org Clients, protocol Protocol, open time.Duration, extra ...*v1.City) *Reporting {
	t.Helper()
	ctx := t.Context()
	ed := SeedEdition(t, org)
	if len(extra) == 0 {
		extra = []*v1.City{Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Łódź %d", ed.GetYear())})).GetCity()}
	}
	cities := []*v1.City{ed.GetCities()[0]}
	for _, c := range extra {
		Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: ed.GetId(), CityId: c.GetId()}))
		cities = append(cities, c)
	}
	Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: ed.GetId(), Number: 2, NamePl: "Miejski punkt obsługi cudzoziemców", NameEn: "City service point for foreigners"}))
	Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: ed.GetId(), Number: 2, NamePl: "Kompleksowość", NameEn: "Comprehensiveness"}))
	return e.OpenReporting(t, org, protocol, ed, cities, open)
}

// OpenReporting invites and signs in an expert per city of a DRAFT edition, then opens reporting.
// The deadline is set last so that a short one is not spent on the set-up.
func (e *Env) OpenReporting(t *testing.T, org Clients, protocol Protocol, ed *v1.Edition, cities []*v1.City, open time.Duration) *Reporting {
	t.Helper()
	ctx := t.Context()
	r := &Reporting{Org: org, Cities: cities}
	for i, city := range cities {
		email := fmt.Sprintf("ekspert.%d.%d@miasta.test", ed.GetYear(), i+1)
		r.Experts = append(r.Experts, e.Invite(t, org, protocol, ed.GetId(), v1.Role_ROLE_EXPERT, city, email))
		r.Emails = append(r.Emails, email)
	}
	r.Categories = Must(org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: ed.GetId()})).GetCategories()
	r.Criteria = Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: ed.GetId()})).GetCriteria()
	r.Deadline = time.Now().Add(open)
	r.Edition = StartReporting(t, org, ed, r.Criteria, r.Deadline)
	return r
}

// StartReporting gives ed a simple tally rule over criteria and the reporting deadline, and opens its
// reporting stage, as the organiser behind org.
func StartReporting(t *testing.T, org Clients, ed *v1.Edition, criteria []*v1.Criterion, deadline time.Time) *v1.Edition {
	t.Helper()
	ctx := t.Context()
	// Stage 2 will not open without a tally rule; any valid one will do for stage-1 tests.
	setSimpleRule(t, org, ed.GetId(), criteria)
	Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: ed.GetId(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(deadline)}}))
	return Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: ed.GetId(), Stage: v1.Stage_STAGE_REPORTING})).GetEdition()
}

// Invite invites email to an edition and signs them in: that first call binds the invitation, and it
// happens here so that no later event count includes the binding.
func (e *Env) Invite(t *testing.T, org Clients, protocol Protocol, editionID string, role v1.Role, city *v1.City, email string) Clients {
	t.Helper()
	ctx := t.Context()
	Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: editionID, Email: email, Role: role, CityId: city.GetId(), DisplayName: "Nguyễn Thị Lan",
	}))
	e.IdP.AddUser(User(email, true))
	c := e.Clients(protocol, e.Token(t, email))
	me := Must(c.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	for _, a := range me.GetAssignments() {
		if a.GetEditionId() == editionID && a.GetRole() == role && a.GetCity().GetId() == city.GetId() {
			return c
		}
	}
	t.Fatalf("%s's first call did not bind the %v invitation: assignments %v", email, role, me.GetAssignments())
	return c
}

// Practice is a complete practice in category with a narrative per criterion.
func Practice(title string, category *v1.Category, criteria ...*v1.Criterion) *v1.Practice {
	p := &v1.Practice{
		Title:         title,
		Description:   "Opis: " + title + " — zażółć gęślą jaźń; Київ: інтеграція; Nguyễn Thị Lan.",
		CategoryId:    category.GetId(),
		SinceYear:     2012,
		Partners:      "Fundacja „Ocalenie”, Українська громада",
		TargetGroups:  "Cudzoziemcy — іноземці — người nước ngoài",
		EvidenceLinks: []string{"https://example.org/praktyka", "http://example.org/raport.pdf"},
	}
	for _, c := range criteria {
		p.Narratives = append(p.Narratives, &v1.CriterionNarrative{CriterionId: c.GetId(), Text: c.GetNamePl() + ": đánh giá — оцінка — ocena"})
	}
	return p
}

// AcceptedReport has city i's expert save practices and submit, and the organiser accept the report.
func AcceptedReport(t *testing.T, r *Reporting, i int, practices ...*v1.Practice) *v1.Report {
	t.Helper()
	ctx := t.Context()
	city := r.Cities[i].GetId()
	saved := Must(r.Experts[i].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: city, Introduction: "Raport: " + r.Cities[i].GetName(), Practices: practices})).GetReport()
	sub := Must(r.Experts[i].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: r.ID(), CityId: city, ExpectedVersion: saved.GetVersion()})).GetReport()
	acc := Must(r.Org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: r.ID(), CityId: city, ExpectedVersion: sub.GetVersion()})).GetReport()
	if acc.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED {
		t.Fatalf("AcceptReport = %v; want ACCEPTED", acc.GetStatus())
	}
	return acc
}

// CityFor creates a city whose name carries the edition's year, so that names stay unique per server.
func CityFor(t *testing.T, org Clients, ed *v1.Edition, name string) *v1.City {
	t.Helper()
	return Must(org.Editions.CreateCity(t.Context(), &v1.CreateCityRequest{Name: fmt.Sprintf("%s %d", name, ed.GetYear())})).GetCity()
}

// Shortlisted takes a DRAFT edition from SeedEdition, with extra reporting cities added, to REVIEW:
// an expert per city reports the practices of practices(r, i), the organiser accepts every report and
// nominates every practice. noms[i] are city i's nominations in practice order. It sets no tally rule.
func (e *Env) Shortlisted(t *testing.T, org Clients, protocol Protocol, ed *v1.Edition, extra []*v1.City, practices func(r *Reporting, i int) []*v1.Practice) (*Reporting, [][]*v1.Nomination) {
	t.Helper()
	ctx := t.Context()
	id := ed.GetId()
	cities := append([]*v1.City{ed.GetCities()[0]}, extra...)
	for _, c := range extra {
		Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: id, CityId: c.GetId()}))
	}
	r := &Reporting{Org: org, Cities: cities}
	for i, city := range cities {
		email := fmt.Sprintf("ekspert.jury.%d.%d@miasta.test", ed.GetYear(), i+1)
		r.Experts = append(r.Experts, e.Invite(t, org, protocol, id, v1.Role_ROLE_EXPERT, city, email))
		r.Emails = append(r.Emails, email)
	}
	r.Categories = Must(org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: id})).GetCategories()
	r.Criteria = Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: id})).GetCriteria()
	r.Deadline = time.Now().Add(48 * time.Hour)
	Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(r.Deadline)}}))
	r.Edition = Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REPORTING})).GetEdition()
	reports := make([]*v1.Report, len(cities))
	for i := range cities {
		reports[i] = AcceptedReport(t, r, i, practices(r, i)...)
	}
	r.Edition = Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW})).GetEdition()
	noms := make([][]*v1.Nomination, len(cities))
	for i, rep := range reports {
		for _, p := range rep.GetPractices() {
			noms[i] = append(noms[i], Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: p.GetId()})).GetNomination())
		}
	}
	return r, noms
}

// TwoCityShortlist is the tally tests' edition: SeedEdition with a second reporting city (Gdańsk)
// taken to REVIEW by Shortlisted, each city reporting one practice in the one category, on the first
// criterion; nA is the seeded city's nomination, nB Gdańsk's. It sets no tally rule.
func (e *Env) TwoCityShortlist(t *testing.T, org Clients, protocol Protocol) (r *Reporting, nA, nB *v1.Nomination) {
	t.Helper()
	ed := SeedEdition(t, org)
	r, noms := e.Shortlisted(t, org, protocol, ed, []*v1.City{CityFor(t, org, ed, "Gdańsk")}, func(r *Reporting, i int) []*v1.Practice {
		return []*v1.Practice{Practice("Praktyka z miasta "+r.Cities[i].GetName(), r.Categories[0], r.Criteria[0])}
	})
	return r, noms[0][0], noms[1][0]
}

// Juror is a signed-in juror of one edition.
type Juror struct {
	Clients    Clients
	Assignment *v1.RoleAssignment
	Name       string
}

// NewJuror invites email as a juror with a home city and a display name of its own (Invite gives
// everyone the same name, and results must tell jurors apart), and signs them in to bind it.
func (e *Env) NewJuror(t *testing.T, org Clients, protocol Protocol, editionID string, home *v1.City, email, name string) Juror {
	t.Helper()
	ctx := t.Context()
	Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: editionID, Email: email, Role: v1.Role_ROLE_JUROR, CityId: home.GetId(), DisplayName: name,
	}))
	e.IdP.AddUser(User(email, true))
	c := e.Clients(protocol, e.Token(t, email))
	for _, a := range Must(c.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe().GetAssignments() {
		if a.GetEditionId() == editionID && a.GetRole() == v1.Role_ROLE_JUROR {
			return Juror{Clients: c, Assignment: a, Name: name}
		}
	}
	t.Fatalf("%s's first call did not bind the juror invitation", email)
	return Juror{}
}

// MeanRule is a weighted-mean rule, quorum 1, one winner, with one scale and weight for every criterion.
func MeanRule(lo, hi, weight int32, criteria ...*v1.Criterion) *v1.TallyRule {
	rule := &v1.TallyRule{Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1,
		TieBreaks: []v1.TieBreak{v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS, v1.TieBreak_TIE_BREAK_HIGHER_MEDIAN}}
	for _, c := range criteria {
		rule.Criteria = append(rule.Criteria, &v1.CriterionRule{CriterionId: c.GetId(), MinScore: lo, MaxScore: hi, Weight: weight})
	}
	return rule
}

// Mark is a juror's mark for a nomination on a criterion.
func Mark(n *v1.Nomination, c *v1.Criterion, value int32) *v1.Score {
	return &v1.Score{NominationId: n.GetId(), CriterionId: c.GetId(), Value: value}
}

// ChangeStage moves an edition to stage, as the organiser behind org.
func ChangeStage(t *testing.T, org Clients, editionID string, stage v1.Stage) *v1.Edition {
	t.Helper()
	return Must(org.Editions.ChangeStage(t.Context(), &v1.ChangeStageRequest{EditionId: editionID, Stage: stage})).GetEdition()
}

// ChangeStageDespite moves an edition to stage, acknowledging the move's warnings (jurors who have
// not cast, categories without a winner, nominations without translations) with reason.
func ChangeStageDespite(t *testing.T, org Clients, editionID string, stage v1.Stage, reason string) *v1.Edition {
	t.Helper()
	return Must(org.Editions.ChangeStage(t.Context(), &v1.ChangeStageRequest{EditionId: editionID, Stage: stage, AcknowledgeWarnings: true, Reason: reason})).GetEdition()
}

// CastScores replaces the juror's draft with scores and casts it.
func CastScores(t *testing.T, j Juror, editionID string, scores ...*v1.Score) *v1.BallotCast {
	t.Helper()
	ctx := t.Context()
	cur := Must(j.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: editionID})).GetBallot()
	saved := Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: editionID, ExpectedVersion: cur.GetVersion(), Scores: scores})).GetBallot()
	return Must(j.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: editionID, ExpectedVersion: saved.GetVersion(), RequestId: uuid.NewString()})).GetCast()
}

// LogBuffer is a log destination (Options.Log) safe for the server's goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything logged so far.
func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
