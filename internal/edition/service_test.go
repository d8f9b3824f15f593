package edition_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// TestStagesMoveOneStepAtATime: the stage machine's rules, on the domain service over a real database
// (the API's tests check the same through the wire).
func TestStagesMoveOneStepAtATime(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	var userID uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO users (issuer, subject, email, email_verified, name) VALUES ('test', 'org', 'org@miasta.test', true, 'Org') RETURNING id`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	org := &auth.Principal{UserID: userID, Email: "org@miasta.test", EmailVerified: true, Organiser: true}
	svc := edition.NewService(pool, slog.New(slog.DiscardHandler))
	e, err := svc.Create(ctx, org, edition.NewEdition{Year: 2031, Name: "Edycja 2031"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Stage != edition.Draft || e.BallotPublication != edition.PublishPseudonyms {
		t.Fatalf("a new edition is %s publishing %s; want DRAFT and pseudonyms by default", e.Stage, e.BallotPublication)
	}
	refused := func(what string, kind fault.Kind, field string, err error) {
		t.Helper()
		f, ok := fault.As(err)
		if !ok || f.Kind != kind || f.Field != field {
			t.Errorf("%s = %v; want a fault of kind %d naming %q", what, err, kind, field)
		}
	}
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Review})
	refused("DRAFT → REVIEW, skipping REPORTING", fault.FailedPrecondition, "stage", err)
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Draft})
	refused("DRAFT → DRAFT", fault.FailedPrecondition, "stage", err)
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting, Override: true})
	refused("an override without a reason", fault.Invalid, "reason", err)
	// Reporting opens with a city, categories and criteria, and a deadline in the future.
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting})
	refused("opening reporting without a city", fault.FailedPrecondition, "stage", err)
	city, err := svc.CreateCity(ctx, org, "Lublin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddCity(ctx, org, e.ID, city.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting})
	refused("opening reporting without categories", fault.FailedPrecondition, "stage", err)
	if _, err := svc.CreateCategory(ctx, org, edition.Category{EditionID: e.ID, Number: 1, NamePL: "Przestrzeń przyjazna imigrantom", NameEN: "Immigrant-friendly space"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCriterion(ctx, org, edition.Criterion{EditionID: e.ID, Number: 1, NamePL: "Skuteczność", NameEN: "Effectiveness"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting})
	refused("opening reporting without a deadline", fault.FailedPrecondition, "timeline.reporting_deadline", err)

	deadline := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	if _, err := svc.SetTimeline(ctx, org, e.ID, edition.Timeline{ReportingDeadline: &deadline}); err != nil {
		t.Fatal(err)
	}
	if e, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting}); err != nil || e.Stage != edition.Reporting {
		t.Fatalf("DRAFT → REPORTING with a deadline = %v, %v", e.Stage, err)
	}
	_, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Draft})
	refused("a move back without a reason", fault.Invalid, "reason", err)
	if e, err = svc.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Draft, Reason: "Brakuje kategorii."}); err != nil || e.Stage != edition.Draft {
		t.Fatalf("REPORTING → DRAFT with a reason = %v, %v", e.Stage, err)
	}

	// Every change is one event of the log, in order, the refused ones none.
	var kinds []string
	rows, err := pool.Query(ctx, `SELECT kind FROM events WHERE edition_id = $1 ORDER BY id`, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	rows.Close()
	want := []string{"edition.created", "edition.city_added", "category.created", "criterion.created", "edition.timeline_set", "edition.stage_changed", "edition.stage_changed"}
	if len(kinds) != len(want) {
		t.Fatalf("the edition's events are %v; want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("the edition's events are %v; want %v", kinds, want)
		}
	}
}
