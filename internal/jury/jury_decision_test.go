package jury_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestJuryDecisionBreaksATie builds a category whose two nominations every juror scores alike, so the
// rule's tie-breaks cannot separate them; the jury's recorded decision then orders them, and only
// while the edition is TALLIED.
func TestJuryDecisionBreaksATie(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, time.Hour)
	cat := r.Categories[0]
	for i := range r.Cities {
		testenv.AcceptedReport(t, r, i, testenv.Practice(fmt.Sprintf("Praktyka %d", i), cat, r.Criteria...))
	}
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_REVIEW}))
	var noms []string
	for i := range r.Cities {
		rep := testenv.Must(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: r.ID(), CityId: r.Cities[i].GetId()})).GetReport()
		noms = append(noms, testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: r.ID(), PracticeId: rep.GetPractices()[0].GetId()})).GetNomination().GetId())
	}
	rule := testenv.Must(org.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: r.ID()})).GetRule()
	rule.TieBreaks = []v1.TieBreak{v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS, v1.TieBreak_TIE_BREAK_JURY_DECISION}
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: rule, ExpectedVersion: rule.GetVersion()}))
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_JURY}))

	home := testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Sopot " + r.ID()[:8]})).GetCity()
	for j := range 2 {
		email := fmt.Sprintf("juror.tie.%d@miasta.test", j)
		juror := env.Invite(t, org, testenv.Connect, r.ID(), v1.Role_ROLE_JUROR, home, email)
		var scores []*v1.Score
		for _, n := range noms {
			for _, c := range r.Criteria {
				scores = append(scores, &v1.Score{NominationId: n, CriterionId: c.GetId(), Value: 3})
			}
		}
		b := testenv.Must(juror.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: r.ID(), Scores: scores})).GetBallot()
		testenv.Must(juror.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: r.ID(), ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
	}
	decide := func(order ...string) error {
		_, err := org.Results.RecordJuryDecision(ctx, &v1.RecordJuryDecisionRequest{EditionId: r.ID(), CategoryId: cat.GetId(), NominationIds: order, Reason: "Jury voted 2:0 on 14 May."})
		return err
	}
	if err := decide(noms[1], noms[0]); testenv.Code(err) != connect.CodeFailedPrecondition {
		t.Fatalf("RecordJuryDecision before the round closed = %v; want FailedPrecondition", err)
	}
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: r.ID(), Stage: v1.Stage_STAGE_TALLIED}))

	ranking := func() []*v1.NominationResult {
		tl := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: r.ID()})).GetTally()
		for _, c := range tl.GetCategories() {
			if c.GetCategory().GetId() == cat.GetId() {
				return c.GetNominations()
			}
		}
		t.Fatalf("no category %s in the tally", cat.GetId())
		return nil
	}
	tied := ranking()
	if len(tied) != 2 || tied[0].GetRank() != 1 || tied[1].GetRank() != 1 || !tied[0].GetWinner() || !tied[1].GetWinner() {
		t.Fatalf("before the decision: %v; want two winners sharing rank 1", tied)
	}
	if err := decide(noms[1], uuid.NewString()); testenv.Code(err) != connect.CodeInvalidArgument || testenv.Field(err) != "nomination_ids[1]" {
		t.Fatalf("decision naming a stranger = %v (field %q); want InvalidArgument nomination_ids[1]", err, testenv.Field(err))
	}
	if err := decide(noms[1], noms[0]); err != nil {
		t.Fatal(err)
	}
	decided := ranking()
	if decided[0].GetNomination().GetId() != noms[1] || decided[0].GetRank() != 1 || !decided[0].GetWinner() ||
		decided[1].GetRank() != 2 || decided[1].GetWinner() {
		t.Fatalf("after the decision: %v; want %s first and the only winner", decided, noms[1])
	}
	// An accepted report is for this edition's people until the results are announced; then it is
	// public, to the people of other editions too.
	stranger := env.ReportingEdition(t, org, testenv.Connect, time.Hour).Experts[0]
	getReport := &v1.GetReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId()}
	if _, err := stranger.Reports.GetReport(ctx, getReport); testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("another edition's expert reads a report of a TALLIED edition: %v; want PermissionDenied", err)
	}
	testenv.ChangeStageDespite(t, org, r.ID(), v1.Stage_STAGE_ANNOUNCED, "category 2 had no nominations")
	if rep := testenv.Must(stranger.Reports.GetReport(ctx, getReport)).GetReport(); rep.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED {
		t.Fatalf("another edition's expert reads the announced edition's report as %v", rep.GetStatus())
	}
	if err := decide(noms[0], noms[1]); testenv.Code(err) != connect.CodeFailedPrecondition {
		t.Fatalf("RecordJuryDecision after the announcement = %v; want FailedPrecondition", err)
	}
	pub := testenv.Must(env.Clients(testenv.GRPC, "").Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: r.Edition.GetYear()}))
	for _, c := range pub.GetCategories() {
		if c.GetCategory().GetId() == cat.GetId() && (len(c.GetNominations()) != 1 || c.GetNominations()[0].GetNomination().GetId() != noms[1]) {
			t.Fatalf("public winners %v; want only the jury's choice", c.GetNominations())
		}
	}
}
