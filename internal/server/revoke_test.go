package server_test

import (
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/event"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestRevokedJurorIsSignedOutAndNotCounted: an organiser withdraws a juror whose account was taken
// over, after the juror cast. At once the juror's browser session ends and their token no longer
// grants the role; the log records the revocation; the close counts only the other juror; the bundle
// verifies; and the role is not granted again, nor revoked after the close.
func TestRevokedJurorIsSignedOutAndNotCounted(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}
	})
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	krakow := testenv.CityFor(t, org, e, "Kraków")
	kept := env.NewJuror(t, org, testenv.Connect, r.ID(), krakow, "juror.kept@miasta.test", "Ana Pérez")
	taken := env.NewJuror(t, org, testenv.Connect, r.ID(), krakow, "juror.taken@miasta.test", "Olena Kovalenko")
	browser, _, _ := browserLogin(t, env, "/", "juror.taken@miasta.test")
	session := miastav1connect.NewIdentityServiceClient(browser, env.URL)
	if _, err := session.GetMe(ctx, &v1.GetMeRequest{}); err != nil {
		t.Fatalf("the juror's browser session before the revocation: %v", err)
	}
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	nom := noms[0][0]
	var all []*v1.Score
	for _, c := range r.Criteria {
		all = append(all, testenv.Mark(nom, c, 1))
	}
	testenv.CastScores(t, kept, r.ID(), all...)
	for _, s := range all {
		s.Value = 5
	}
	testenv.CastScores(t, taken, r.ID(), all...)
	id := taken.Assignment.GetId()

	env.Refused(t, connect.CodeInvalidArgument, "reason", func() error {
		return testenv.ErrOf(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: id, Reason: "  "}))
	})
	env.Refused(t, connect.CodeNotFound, "assignment_id", func() error {
		return testenv.ErrOf(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: "00000000-0000-4000-8000-000000000001", Reason: "x"}))
	})
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(kept.Clients.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: id, Reason: "a juror may not"}))
	})
	before := env.EventCount(t)
	got := testenv.Must(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: id, Reason: "Konto jurorki zostało przejęte."})).GetAssignment()
	env.Appended(t, before, event.AssignmentRevoked)
	if got.GetRevokeTime() == nil || got.GetRevokeReason() != "Konto jurorki zostało przejęte." {
		t.Errorf("the revoked assignment = %v; want its revoke time and reason", got)
	}

	// The browser session is gone; the token signs the person in, without the role.
	if _, err := session.GetMe(ctx, &v1.GetMeRequest{}); testenv.Code(err) != connect.CodeUnauthenticated {
		t.Errorf("the revoked juror's browser session: GetMe = %v; want Unauthenticated (the session ended)", err)
	}
	me := testenv.Must(taken.Clients.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	for _, a := range me.GetAssignments() {
		if a.GetEditionId() == r.ID() && a.GetRole() == v1.Role_ROLE_JUROR {
			t.Errorf("the revoked juror still holds %v", a)
		}
	}
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(taken.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: r.ID()}))
	})
	env.Refused(t, connect.CodeFailedPrecondition, "assignment_id", func() error {
		return testenv.ErrOf(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: id, Reason: "again"}))
	})
	env.Refused(t, connect.CodeFailedPrecondition, "email", func() error {
		return testenv.ErrOf(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
			EditionId: r.ID(), Email: "juror.taken@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: krakow.GetId(), DisplayName: "Olena Kovalenko",
		}))
	})
	var listed *v1.RoleAssignment
	for _, a := range testenv.Must(org.Identity.ListRoleAssignments(ctx, &v1.ListRoleAssignmentsRequest{EditionId: r.ID()})).GetAssignments() {
		if a.GetId() == id {
			listed = a
		}
	}
	if listed.GetRevokeTime() == nil {
		t.Errorf("ListRoleAssignments shows the revoked role as %v; want its revoke time", listed)
	}
	revokedInProgress := false
	for _, p := range testenv.Must(org.Jury.GetJuryProgress(ctx, &v1.GetJuryProgressRequest{EditionId: r.ID()})).GetJurors() {
		if p.GetAssignmentId() == id {
			revokedInProgress = p.GetRevokeTime() != nil
		}
	}
	if !revokedInProgress {
		t.Error("the jury progress does not show the juror as revoked")
	}

	// The close counts only the juror who kept the role.
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_TALLIED)
	tally := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: r.ID()})).GetTally()
	found := false
	for _, cat := range tally.GetCategories() {
		for _, n := range cat.GetNominations() {
			if n.GetNomination().GetId() != nom.GetId() {
				continue
			}
			found = true
			if len(n.GetJurors()) != 1 || n.GetJurors()[0].GetJuror() != kept.Name {
				t.Errorf("the tally counts the jurors %v; want only %s", n.GetJurors(), kept.Name)
			}
		}
	}
	if !found {
		t.Errorf("the tally has no result for %s", nom.GetId())
	}
	if s := env.Verify(t, e.GetYear()); s.Counted != 1 {
		t.Errorf("the bundle's summary counts %d casts; want 1 (the revoked juror's cast stays in the log, uncounted)", s.Counted)
	}
	env.Refused(t, connect.CodeFailedPrecondition, "assignment_id", func() error {
		return testenv.ErrOf(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: kept.Assignment.GetId(), Reason: "after the close"}))
	})
}
