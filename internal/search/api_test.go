package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestSearchThroughTheAPI walks an edition the way organisers run it, through the API: a practice
// is found by anyone (signed out, over Connect and gRPC) only once its report is accepted and the
// edition announced; a draft never is; bad input gets InvalidArgument naming the field.
func TestSearchThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	anon := map[string]testenv.Clients{"connect": env.Clients(testenv.Connect, ""), "grpc": env.Clients(testenv.GRPC, "")}
	r := env.ReportingEdition(t, org, testenv.Connect, time.Hour) // Cities[1] is "Łódź <year>"
	year := r.Edition.GetYear()
	cat := r.Categories[1]
	p := testenv.Practice("Centrum integracji migrantów", cat, r.Criteria...)
	p.TargetGroups = "uchodźcy z Ukrainy"
	accepted := testenv.AcceptedReport(t, r, 1, p)
	// The other city's expert saves a draft and never submits it.
	testenv.Must(r.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(),
		Practices: []*v1.Practice{testenv.Practice("Szkic integracji migrantów", cat, r.Criteria...)}}))

	find := func(t *testing.T, c testenv.Clients, req *v1.SearchPracticesRequest) *v1.SearchPracticesResponse {
		t.Helper()
		return testenv.Must(c.Search.SearchPractices(ctx, req))
	}
	query := &v1.SearchPracticesRequest{Query: "lodz integracja", EditionYear: year}
	if res := find(t, anon["connect"], query); len(res.GetHits()) != 0 || res.GetTotalCount() != 0 {
		t.Fatalf("before the announcement: %v", res)
	}

	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_REVIEW}))
	nom := testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: r.ID(), PracticeId: accepted.GetPractices()[0].GetId()})).GetNomination()
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_JURY,
		OverrideUnacceptedReports: true, Reason: "One city never submitted its report."}))
	home := testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Sopot %d", year)})).GetCity()
	juror := env.Invite(t, org, testenv.Connect, r.ID(), v1.Role_ROLE_JUROR, home, fmt.Sprintf("juror.search.%d@miasta.test", year))
	var scores []*v1.Score
	for _, c := range r.Criteria {
		scores = append(scores, &v1.Score{NominationId: nom.GetId(), CriterionId: c.GetId(), Value: 4})
	}
	b := testenv.Must(juror.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.ID(), Scores: scores})).GetBallot()
	testenv.Must(juror.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.ID(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_TALLIED}))
	if res := find(t, anon["connect"], query); len(res.GetHits()) != 0 {
		t.Fatalf("in TALLIED: %v", res)
	}
	// The juror's marks leave no winner (the tally's business, not this test's): announced knowingly.
	testenv.ChangeStageDespite(t, org, r.ID(), v1.Stage_STAGE_ANNOUNCED, "no winner this year")

	for name, c := range anon {
		t.Run(name, func(t *testing.T) {
			res := find(t, c, query)
			if len(res.GetHits()) != 1 || res.GetTotalCount() != 1 {
				t.Fatalf("after the announcement: %v", res)
			}
			h := res.GetHits()[0]
			if h.GetPracticeId() != accepted.GetPractices()[0].GetId() || h.GetTitle() != "Centrum integracji migrantów" ||
				h.GetCity().GetId() != r.Cities[1].GetId() || h.GetEditionYear() != year || !h.GetDistinguished() ||
				h.GetCategory().GetId() != cat.GetId() || h.GetCategory().GetNames()["en"] != "City service point for foreigners" {
				t.Errorf("hit = %v", h)
			}
			if len(res.GetEditions()) != 1 || len(res.GetCities()) != 1 || len(res.GetCategories()) != 1 {
				t.Errorf("facets: %v %v %v", res.GetEditions(), res.GetCities(), res.GetCategories())
			}
			if res := find(t, c, &v1.SearchPracticesRequest{Query: "szkic", EditionYear: year}); len(res.GetHits()) != 0 {
				t.Errorf("a draft is found: %v", res)
			}
			if res := find(t, c, &v1.SearchPracticesRequest{EditionYear: year, TargetGroup: "Ukraina", DistinguishedOnly: true, CityId: r.Cities[1].GetId(), CategoryId: cat.GetId()}); len(res.GetHits()) != 1 {
				t.Errorf("every filter at once: %v", res)
			}
			for _, tc := range []struct {
				req   *v1.SearchPracticesRequest
				field string
			}{
				{&v1.SearchPracticesRequest{Query: strings.Repeat("ż", 201)}, "query"},
				{&v1.SearchPracticesRequest{EditionYear: 1999}, "edition_year"},
				{&v1.SearchPracticesRequest{EditionYear: -1}, "edition_year"},
				{&v1.SearchPracticesRequest{CategoryId: "kategoria"}, "category_id"},
				{&v1.SearchPracticesRequest{CityId: "Łódź"}, "city_id"},
				{&v1.SearchPracticesRequest{TargetGroup: strings.Repeat("a", 101)}, "target_group"},
				{&v1.SearchPracticesRequest{PageSize: 51}, "page_size"},
				{&v1.SearchPracticesRequest{PageToken: "???"}, "page_token"},
			} {
				_, err := c.Search.SearchPractices(ctx, tc.req)
				if testenv.Code(err) != connect.CodeInvalidArgument || testenv.Field(err) != tc.field {
					t.Errorf("SearchPractices(%v) = %v (field %q); want InvalidArgument %s", tc.req, err, testenv.Field(err), tc.field)
				}
			}
		})
	}
}
