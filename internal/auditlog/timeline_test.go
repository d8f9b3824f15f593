package auditlog_test

import (
	"bytes"
	"testing"

	"connectrpc.com/connect"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// TestEditionTimeline: the organisers' timeline lists an edition's events newest first, names who made
// each, shows the reason behind a commitment, filters by kind, pages, and gives each event's body and
// leaf, whose inclusion proof verifies against the signed checkpoint.
func TestEditionTimeline(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	other := testenv.SeedEdition(t, org)
	juror := env.NewJuror(t, org, testenv.Connect, e.GetId(), testenv.CityFor(t, org, e, "Kraków"), "juror.timeline@miasta.test", "Amani Otieno")
	testenv.Must(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: juror.Assignment.GetId(), Reason: "Konto przejęte przez kogoś innego."}))

	all := testenv.Must(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId(), PageSize: 500})).GetEvents()
	if len(all) < 5 || all[0].GetKind() != "assignment.revoked" || all[len(all)-1].GetKind() != "edition.created" {
		t.Fatalf("the timeline is %d events from %s to %s; want newest first, from the revocation to edition.created", len(all), all[0].GetKind(), all[len(all)-1].GetKind())
	}
	revoked := all[0]
	if revoked.GetActorRole() != "organiser" || revoked.GetActorName() == "" || revoked.GetReason() != "Konto przejęte przez kogoś innego." {
		t.Errorf("the revocation reads %v; want the organiser by name and the reason behind its commitment", revoked)
	}
	var accepted *v1.EditionEvent
	for _, ev := range all {
		if ev.GetKind() == "invitation.accepted" {
			accepted = ev
		}
		if ev.GetId() > 0 && bytes.Contains([]byte(ev.GetBody()), []byte(other.GetId())) {
			t.Errorf("event %d of another edition in the timeline: %s", ev.GetId(), ev.GetBody())
		}
	}
	if accepted == nil || accepted.GetActorRole() != "juror" || accepted.GetActorName() != "Amani Otieno" {
		t.Errorf("the juror's acceptance reads %v; want the juror by display name", accepted)
	}

	// Filters and pages.
	stages := testenv.Must(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId(), KindPrefix: "invitation."})).GetEvents()
	for _, ev := range stages {
		if ev.GetKind() != "invitation.created" && ev.GetKind() != "invitation.accepted" {
			t.Errorf("the invitation. filter let %s through", ev.GetKind())
		}
	}
	if len(stages) != 2 {
		t.Errorf("the invitation. filter gives %d events; want the juror's invitation and acceptance", len(stages))
	}
	var paged []*v1.EditionEvent
	token := ""
	for {
		r := testenv.Must(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId(), PageSize: 2, PageToken: token}))
		paged = append(paged, r.GetEvents()...)
		if token = r.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(paged) != len(all) {
		t.Errorf("pages of 2 give %d events; one page gives %d", len(paged), len(all))
	}

	// Each entry's leaf proves it is in the signed log.
	anon := env.Clients(testenv.Connect, "")
	cp := integrated(t, env, anon)
	all = testenv.Must(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId(), PageSize: 500})).GetEvents()
	for _, ev := range all {
		if ev.GetLeafIndex() < 0 {
			t.Fatalf("event %d has no leaf after the log integrated every event", ev.GetId())
		}
		p := testenv.Must(anon.Audit.GetInclusionProof(ctx, &v1.GetInclusionProofRequest{LeafIndex: ev.GetLeafIndex(), TreeSize: int64(cp.Size)}))
		if !bytes.Equal(p.GetLeafHash(), verify.EventLeafHash(e.GetId(), []byte(ev.GetBody()))) {
			t.Fatalf("event %d: its body is not what leaf %d commits to", ev.GetId(), ev.GetLeafIndex())
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(ev.GetLeafIndex()), cp.Size, p.GetLeafHash(), p.GetHashes(), cp.Root); err != nil {
			t.Fatalf("event %d, leaf %d: %v", ev.GetId(), ev.GetLeafIndex(), err)
		}
	}

	env.Refused(t, connect.CodeInvalidArgument, "kind_prefix", func() error {
		return testenv.ErrOf(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId(), KindPrefix: "report%"}))
	})
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(juror.Clients.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: e.GetId()}))
	})
	env.Refused(t, connect.CodeNotFound, "edition_id", func() error {
		return testenv.ErrOf(org.Audit.ListEditionEvents(ctx, &v1.ListEditionEventsRequest{EditionId: "00000000-0000-4000-8000-000000000001"}))
	})
}
