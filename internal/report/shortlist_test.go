package report_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestShortlistReadFailureIsNotAMissingRole: when loading the edition fails (here a statement
// timeout behind a lock another session holds), a juror of the edition is told the service is
// slow, and the error is logged, instead of PermissionDenied "you hold no role in this edition".
func TestShortlistReadFailureIsNotAMissingRole(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	env := testenv.Start(t, testenv.Options{Log: &logs, Configure: func(c *config.Config) { c.StatementTimeout = 300 * time.Millisecond }})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, _ := env.Shortlisted(t, org, testenv.Connect, testenv.SeedEdition(t, org), nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Szkoła", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	juror := env.NewJuror(t, org, testenv.Connect, r.ID(), testenv.CityFor(t, org, r.Edition, "Sopot"), "juror.lista@miasta.test", "Juror")
	list := &v1.ListNominationsRequest{EditionId: r.ID()}
	if n := testenv.Must(juror.Clients.Reports.ListNominations(ctx, list)).GetNominations(); len(n) != 1 {
		t.Fatalf("the juror sees %d nominations; want 1", len(n))
	}

	locker, err := pgx.Connect(ctx, env.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE edition_cities IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, err = juror.Clients.Reports.ListNominations(ctx, list)
	if code := testenv.Code(err); code == connect.CodePermissionDenied || code == 0 || code == connect.CodeInternal {
		t.Fatalf("ListNominations while the edition cannot be read = %v; want DeadlineExceeded or Unavailable, not a missing role", err)
	}
	if !strings.Contains(logs.String(), "ListNominations") || !strings.Contains(logs.String(), "statement timeout") {
		t.Errorf("the database error is not logged:\n%s", logs.String())
	}
}
