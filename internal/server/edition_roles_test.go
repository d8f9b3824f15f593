package server_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// editionWide invites email to an edition-wide role (organiser or observer) and signs them in.
func editionWide(t *testing.T, env *testenv.Env, org testenv.Clients, editionID string, role v1.Role, email string) (testenv.Clients, *v1.RoleAssignment) {
	t.Helper()
	ctx := t.Context()
	testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: editionID, Email: email, Role: role, DisplayName: "Partner " + email}))
	env.IdP.AddUser(testenv.User(email, true))
	c := env.Clients(testenv.Connect, env.Token(t, email))
	for _, a := range testenv.Must(c.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe().GetAssignments() {
		if a.GetEditionId() == editionID && a.GetRole() == role {
			return c, a
		}
	}
	t.Fatalf("%s's first call did not bind the %v invitation", email, role)
	return c, nil
}

// TestEditionOrganiserActsOnlyOnTheirEdition: an organiser invited to one edition runs it as a platform
// organiser would, and can do nothing with another edition or platform-wide; revoking the role ends it.
func TestEditionOrganiserActsOnlyOnTheirEdition(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	mine, other := testenv.SeedEdition(t, org), testenv.SeedEdition(t, org)
	co, assignment := editionWide(t, env, org, mine.GetId(), v1.Role_ROLE_ORGANISER, "wspolorganizatorka@miasta.test")
	if me := testenv.Must(co.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe(); me.GetOrganiser() {
		t.Error("an edition's organiser is reported as a platform organiser")
	}
	// Both editions are drafts: the edition's organiser sees theirs in the list, not the other.
	listed := map[string]bool{}
	for _, ed := range testenv.Must(co.Editions.ListEditions(ctx, &v1.ListEditionsRequest{PageSize: 100})).GetEditions() {
		listed[ed.GetId()] = true
	}
	if !listed[mine.GetId()] || listed[other.GetId()] {
		t.Errorf("ListEditions as the edition's organiser lists theirs: %v, the other draft: %v; want true, false", listed[mine.GetId()], listed[other.GetId()])
	}
	timeline := &v1.Timeline{ReportingDeadline: timestamppb.New(time.Now().AddDate(0, 1, 0))}
	testenv.Must(co.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: mine.GetId(), Timeline: timeline}))
	testenv.Must(co.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: mine.GetId()}))
	testenv.Must(co.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: mine.GetId(), Number: 2, NamePl: "Edukacja", NameEn: "Education"}))
	for name, call := range map[string]func() error{
		"SetTimeline of another edition": func() error {
			return testenv.ErrOf(co.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: other.GetId(), Timeline: timeline}))
		},
		"ListInvitations of another edition": func() error {
			return testenv.ErrOf(co.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: other.GetId()}))
		},
		"CreateEdition": func() error {
			return testenv.ErrOf(co.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: testenv.NextYear(), Name: "Cudza edycja"}))
		},
		"CreateCity": func() error {
			return testenv.ErrOf(co.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto współorganizatorki"}))
		},
		"the whole outbox": func() error { return testenv.ErrOf(co.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{})) },
		// Ids of two editions in one request: the request is about neither alone.
		"a category of another edition": func() error {
			return testenv.ErrOf(co.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: mine.GetId(), CategoryId: firstCategory(t, org, other).GetId()}))
		},
	} {
		t.Run(name, func(t *testing.T) {
			env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, call)
		})
	}
	testenv.Must(org.Identity.RevokeRole(ctx, &v1.RevokeRoleRequest{AssignmentId: assignment.GetId(), Reason: "Koniec współpracy."}))
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(co.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: mine.GetId(), Timeline: timeline}))
	})
}

func firstCategory(t *testing.T, org testenv.Clients, e *v1.Edition) *v1.Category {
	t.Helper()
	return testenv.Must(org.Editions.ListCategories(t.Context(), &v1.ListCategoriesRequest{EditionId: e.GetId()})).GetCategories()[0]
}

// TestObserverReadsByOtherIds: a read named by the id of a row of the observed edition (a mail) is
// admitted; the same read of another edition's mail is not.
func TestObserverReadsByOtherIds(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	mine, other := testenv.SeedEdition(t, org), testenv.SeedEdition(t, org)
	obs, _ := editionWide(t, env, org, mine.GetId(), v1.Role_ROLE_OBSERVER, "obserwator@miasta.test")
	editionWide(t, env, org, other.GetId(), v1.Role_ROLE_OBSERVER, "ktos.inny@miasta.test")
	mailOf := func(e *v1.Edition) string {
		mails := testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{EditionId: e.GetId()})).GetMails()
		if len(mails) == 0 {
			t.Fatalf("edition %d has no mail", e.GetYear())
		}
		return mails[0].GetId()
	}
	testenv.Must(obs.Mail.GetOutboxMail(ctx, &v1.GetOutboxMailRequest{MailId: mailOf(mine)}))
	testenv.Must(obs.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{EditionId: mine.GetId()}))
	env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
		return testenv.ErrOf(obs.Mail.GetOutboxMail(ctx, &v1.GetOutboxMailRequest{MailId: mailOf(other)}))
	})
}

// TestObserverReadsAndChangesNothing walks every procedure as an edition's observer, with a request that
// names the edition: every organiser's read-only procedure admits them, every other procedure that
// is not public refuses them before its handler runs, and nothing is recorded.
func TestObserverReadsAndChangesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	editionWide(t, env, org, e.GetId(), v1.Role_ROLE_OBSERVER, "obserwatorka@miasta.test")
	token := env.Token(t, "obserwatorka@miasta.test")
	reads := 0
	before := env.EventCount(t)
	for proc, m := range procedures(t) {
		rule := auth.Rules[proc]
		if rule&auth.Public != 0 || rule&auth.SignedIn != 0 || m.IsStreamingServer() {
			continue
		}
		got := callFor(t, env, m, proc, token, e.GetId())
		readOnly := m.Options().(*descriptorpb.MethodOptions).GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS
		switch {
		case rule&auth.Organiser != 0 && readOnly && m.Input().Fields().ByName("edition_id") != nil:
			reads++
			if got == connect.CodePermissionDenied || got == connect.CodeUnauthenticated {
				t.Errorf("%s (read-only, organisers') as the edition's observer = %v; want admitted", proc, got)
			}
		case rule&auth.Organiser != 0 && readOnly:
			// Named by another id (a mail's, a practice's): the empty request names no edition, so it
			// is refused; TestObserverReadsByOtherIds reads one with a real id.
			if got != connect.CodePermissionDenied {
				t.Errorf("%s naming no edition as the edition's observer = %v; want permission_denied", proc, got)
			}
		case got != connect.CodePermissionDenied:
			t.Errorf("%s as the edition's observer = %v; want permission_denied", proc, got)
		}
	}
	if reads < 10 {
		t.Errorf("only %d organisers' read-only procedures walked; the walk is broken", reads)
	}
	if after := env.EventCount(t); after != before {
		t.Errorf("the observer's walk recorded %d events; an observer changes nothing", after-before)
	}
}

// callFor calls a procedure with a request that names editionID in its edition_id field, if it has one.
func callFor(t *testing.T, env *testenv.Env, m protoreflect.MethodDescriptor, procedure, token, editionID string) connect.Code {
	t.Helper()
	req := dynamicpb.NewMessage(m.Input())
	if f := m.Input().Fields().ByName("edition_id"); f != nil {
		req.Set(f, protoreflect.ValueOfString(editionID))
	}
	httpClient, opts := env.HTTPClient(testenv.Connect, token)
	client := connect.NewClient[dynamicpb.Message, emptypb.Empty](httpClient, env.URL+procedure, opts...)
	_, err := client.CallUnary(t.Context(), connect.NewRequest(req))
	return testenv.Code(err)
}
