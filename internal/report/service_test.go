package report_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/internal/report"
)

// TestReportVersionsAndStatuses: on the domain service over a real database, an expert's saves are
// versioned (a stale one is refused with the current report, nothing overwritten), a submitted report
// is read-only until the organiser returns it, and submit and return check the version too.
func TestReportVersionsAndStatuses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	log := slog.New(slog.DiscardHandler)
	users := identity.NewStore(pool, []string{"org@miasta.test"}, log)
	org, err := users.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "org", Email: "org@miasta.test", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	editions := edition.NewService(pool, log, report.StageHook)
	deadline := time.Now().Add(72 * time.Hour)
	e, err := editions.Create(ctx, org, edition.NewEdition{Year: 2033, Name: "Edycja 2033", Timeline: edition.Timeline{ReportingDeadline: &deadline}})
	if err != nil {
		t.Fatal(err)
	}
	city, err := editions.CreateCity(ctx, org, "Gdańsk")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = editions.AddCity(ctx, org, e.ID, city.ID)
	must(err)
	cat, err := editions.CreateCategory(ctx, org, edition.Category{EditionID: e.ID, Number: 1, NamePL: "Przestrzeń przyjazna imigrantom", NameEN: "Immigrant-friendly space"})
	must(err)
	_, err = editions.CreateCriterion(ctx, org, edition.Criterion{EditionID: e.ID, Number: 1, NamePL: "Skuteczność", NameEN: "Effectiveness"})
	must(err)
	_, err = users.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: "ekspert@miasta.test", Role: auth.RoleExpert, CityID: city.ID, DisplayName: "Ekspertka", Language: "pl"})
	must(err)
	expert, err := users.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "ekspert", Email: "ekspert@miasta.test", EmailVerified: true})
	must(err)
	_, err = editions.ChangeStage(ctx, org, e.ID, edition.StageChange{Target: edition.Reporting})
	must(err)

	svc := report.NewService(pool, log)
	kind := func(err error) fault.Kind {
		f, _ := fault.As(err)
		if f == nil {
			return 0
		}
		return f.Kind
	}
	practice := []report.Practice{{Title: "Centrum Wielokulturowe", CategoryID: cat.ID, Description: "Porady i kursy."}}
	r1, err := svc.Save(ctx, expert, e.ID, city.ID, report.Edit{ExpectedVersion: 0, Introduction: "Wstęp.", Practices: practice})
	must(err)
	if r1.Version != 1 || r1.Status != report.Draft {
		t.Fatalf("the first save = version %d, %s; want version 1, DRAFT", r1.Version, r1.Status)
	}
	// A second tab's save against version 0: refused, carrying the report as it is now.
	_, err = svc.Save(ctx, expert, e.ID, city.ID, report.Edit{ExpectedVersion: 0, Introduction: "Inny wstęp."})
	f, _ := fault.As(err)
	if f == nil || f.Kind != fault.Aborted {
		t.Fatalf("a stale save = %v; want Aborted", err)
	}
	if cur, ok := f.Detail.(report.Report); !ok || cur.Version != 1 || cur.Introduction != "Wstęp." {
		t.Fatalf("the stale save's detail = %#v; want the current report (version 1)", f.Detail)
	}
	if _, err := svc.Submit(ctx, expert, e.ID, city.ID, 0); kind(err) != fault.Aborted {
		t.Fatalf("submit against a stale version = %v; want Aborted", err)
	}
	sub, err := svc.Submit(ctx, expert, e.ID, city.ID, 1)
	must(err)
	if sub.Status != report.Submitted {
		t.Fatalf("after submit the status is %s", sub.Status)
	}
	if _, err := svc.Save(ctx, expert, e.ID, city.ID, report.Edit{ExpectedVersion: sub.Version, Introduction: "Po wysłaniu."}); kind(err) != fault.FailedPrecondition {
		t.Fatalf("saving a submitted report = %v; want FailedPrecondition", err)
	}
	ret, err := svc.Return(ctx, org, e.ID, city.ID, sub.Version, "Proszę dodać partnerów.")
	must(err)
	if ret.Status != report.Returned {
		t.Fatalf("after return the status is %s", ret.Status)
	}
	again, err := svc.Save(ctx, expert, e.ID, city.ID, report.Edit{ExpectedVersion: ret.Version, Introduction: "Wstęp z partnerami.", Practices: practice})
	must(err)
	if again.Introduction != "Wstęp z partnerami." || again.Version != ret.Version+1 {
		t.Fatalf("a save after the return = %q version %d", again.Introduction, again.Version)
	}

	// A report older than its history (saved before versions were kept): the next change, a status
	// change included, stores its whole content, and the history starts there.
	if _, err := pool.Exec(ctx, `DELETE FROM report_versions WHERE report_id = $1`, again.ID); err != nil {
		t.Fatal(err)
	}
	resub, err := svc.Submit(ctx, expert, e.ID, city.ID, again.Version)
	must(err)
	vs, _, err := svc.Versions(ctx, org, e.ID, city.ID, 10, "")
	must(err)
	if len(vs) != 1 || vs[0].Version != resub.Version || vs[0].Status != report.Submitted {
		t.Fatalf("the history after the resubmission = %+v; want the one version %d", vs, resub.Version)
	}
	old, err := svc.VersionContent(ctx, org, e.ID, city.ID, resub.Version)
	must(err)
	if old.Introduction != "Wstęp z partnerami." || len(old.Practices) != 1 {
		t.Fatalf("version %d rebuilds as %q with %d practices", resub.Version, old.Introduction, len(old.Practices))
	}
	if _, err := svc.VersionContent(ctx, org, e.ID, city.ID, again.Version); kind(err) != fault.NotFound {
		t.Fatalf("a version from before the history = %v; want NotFound", err)
	}
}
