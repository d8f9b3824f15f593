package edition_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestEditionSetUpOverEveryProtocol walks every EditionService and IdentityService RPC as an
// organiser, once per protocol.
func TestEditionSetUpOverEveryProtocol(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	organiser := env.Token(t, demo.OrganiserEmail)
	for i, proto := range testenv.Protocols {
		t.Run(string(proto), func(t *testing.T) {
			c := env.Clients(proto, organiser)
			year := int32(2030 + i)

			me := testenv.Must(c.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
			if !me.GetOrganiser() || me.GetUser().GetEmail() != demo.OrganiserEmail {
				t.Fatalf("GetMe = %v; want the organiser", me)
			}

			cities := map[string]*v1.City{}
			for _, name := range []string{"Lublin", "Łódź", "Lębork", "Zakopane", "Ełk", "Ęta"} {
				name := fmt.Sprintf("%s %s", name, proto)
				cities[name] = testenv.Must(c.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: name})).GetCity()
			}
			all := testenv.Must(c.Editions.ListCities(ctx, &v1.ListCitiesRequest{PageSize: 500})).GetCities()
			var got []string
			for _, city := range all {
				if strings.HasSuffix(city.GetName(), " "+string(proto)) {
					got = append(got, strings.TrimSuffix(city.GetName(), " "+string(proto)))
				}
			}
			// Polish order: E < Ę, L < Ł, and Ł sorts after every L word.
			want := []string{"Ełk", "Ęta", "Lębork", "Lublin", "Łódź", "Zakopane"}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("cities in order %v; want Polish collation %v", got, want)
			}

			deadline := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			e := testenv.Must(c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{
				Year: year, Name: "Miasta Otwarte " + string(proto),
				Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(deadline)},
			})).GetEdition()
			if e.GetStage() != v1.Stage_STAGE_DRAFT || e.GetYear() != year || !e.GetTimeline().GetReportingDeadline().AsTime().Equal(deadline) {
				t.Fatalf("CreateEdition = %v", e)
			}
			if got := testenv.Must(c.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: e.GetId()})).GetEdition(); got.GetName() != e.GetName() {
				t.Fatalf("GetEdition = %v", got)
			}
			list := testenv.Must(c.Editions.ListEditions(ctx, &v1.ListEditionsRequest{PageSize: 100})).GetEditions()
			if len(list) == 0 || list[0].GetYear() < year {
				t.Fatalf("ListEditions newest first: %v", list)
			}

			for _, name := range []string{"Łódź", "Lublin", "Zakopane"} {
				e = testenv.Must(c.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: cities[name+" "+string(proto)].GetId()})).GetEdition()
			}
			e = testenv.Must(c.Editions.RemoveEditionCity(ctx, &v1.RemoveEditionCityRequest{EditionId: e.GetId(), CityId: cities["Zakopane "+string(proto)].GetId()})).GetEdition()
			if len(e.GetCities()) != 2 || !strings.HasPrefix(e.GetCities()[0].GetName(), "Lublin") || !strings.HasPrefix(e.GetCities()[1].GetName(), "Łódź") {
				t.Fatalf("edition cities = %v; want Lublin then Łódź", e.GetCities())
			}

			for n := int32(1); n <= 3; n++ {
				testenv.Must(c.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: n, NamePl: fmt.Sprintf("Kategoria %d", n), NameEn: fmt.Sprintf("Category %d", n)}))
			}
			first := testenv.Must(c.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: e.GetId(), PageSize: 2}))
			second := testenv.Must(c.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: e.GetId(), PageSize: 2, PageToken: first.GetNextPageToken()}))
			if len(first.GetCategories()) != 2 || len(second.GetCategories()) != 1 || second.GetCategories()[0].GetNumber() != 3 || second.GetNextPageToken() != "" {
				t.Fatalf("category pages = %v / %v", first, second)
			}
			testenv.Must(c.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
			crit := testenv.Must(c.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: e.GetId()})).GetCriteria()
			if len(crit) != 1 || crit[0].GetNamePl() != "Skuteczność" {
				t.Fatalf("ListCriteria = %v", crit)
			}

			later := deadline.Add(24 * time.Hour)
			e = testenv.Must(c.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: e.GetId(), Timeline: &v1.Timeline{
				ReportingDeadline: timestamppb.New(deadline), JuryDeadline: timestamppb.New(later),
			}})).GetEdition()
			if !e.GetTimeline().GetJuryDeadline().AsTime().Equal(later) {
				t.Fatalf("SetTimeline = %v", e.GetTimeline())
			}

			e = testenv.Must(c.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_REPORTING})).GetEdition()
			if e.GetStage() != v1.Stage_STAGE_REPORTING {
				t.Fatalf("ChangeStage = %v", e.GetStage())
			}

			expertEmail := fmt.Sprintf("ekspertka.%s@miasta.test", proto)
			inv := testenv.Must(c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
				EditionId: e.GetId(), Email: strings.ToUpper(expertEmail), Role: v1.Role_ROLE_EXPERT,
				CityId: cities["Łódź "+string(proto)].GetId(), DisplayName: "Ekspertka z Łodzi", Language: "pl",
			})).GetInvitation()
			if inv.GetEmail() != expertEmail || inv.GetState() != v1.InvitationState_INVITATION_STATE_PENDING {
				t.Fatalf("CreateInvitation = %v; want a pending invitation for the lower-cased address", inv)
			}
			juror := testenv.Must(c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
				EditionId: e.GetId(), Email: "withdrawn." + string(proto) + "@miasta.test", Role: v1.Role_ROLE_JUROR,
				CityId: cities["Zakopane "+string(proto)].GetId(), DisplayName: "Nguyễn Văn An",
			})).GetInvitation()
			if juror.GetPseudonym() != "Juror 1" {
				t.Fatalf("juror pseudonym = %q; want the default Juror 1", juror.GetPseudonym())
			}
			revoked := testenv.Must(c.Identity.RevokeInvitation(ctx, &v1.RevokeInvitationRequest{InvitationId: juror.GetId()})).GetInvitation()
			if revoked.GetState() != v1.InvitationState_INVITATION_STATE_REVOKED {
				t.Fatalf("RevokeInvitation = %v", revoked)
			}

			// The invitee signs in with that verified address: the invitation binds.
			env.IdP.AddUser(testenv.User(expertEmail, true))
			expert := env.Clients(proto, env.Token(t, expertEmail))
			expertMe := testenv.Must(expert.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
			if len(expertMe.GetAssignments()) != 1 || expertMe.GetAssignments()[0].GetRole() != v1.Role_ROLE_EXPERT ||
				expertMe.GetAssignments()[0].GetEditionId() != e.GetId() || expertMe.GetOrganiser() {
				t.Fatalf("expert GetMe = %v; want one expert assignment in the edition", expertMe)
			}
			// An expert is not an organiser.
			if _, err := expert.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Sopot"}); testenv.Code(err) != connect.CodePermissionDenied {
				t.Fatalf("expert CreateCity = %v; want PermissionDenied", err)
			}
			if _, err := expert.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId()}); testenv.Code(err) != connect.CodePermissionDenied {
				t.Fatalf("expert ListInvitations = %v; want PermissionDenied", err)
			}

			invs := testenv.Must(c.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId()})).GetInvitations()
			if len(invs) != 2 || invs[0].GetState() != v1.InvitationState_INVITATION_STATE_ACCEPTED {
				t.Fatalf("ListInvitations = %v; want the accepted and the revoked one", invs)
			}
			ras := testenv.Must(c.Identity.ListRoleAssignments(ctx, &v1.ListRoleAssignmentsRequest{EditionId: e.GetId()})).GetAssignments()
			if len(ras) != 1 || ras[0].GetUser().GetEmail() != expertEmail || !strings.HasPrefix(ras[0].GetCity().GetName(), "Łódź") {
				t.Fatalf("ListRoleAssignments = %v", ras)
			}
		})
	}
}
