package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestBadInputChangesNothing sends malformed and impossible requests: each gets the right code and
// names the field at fault, and the event log (every state change) does not grow.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	unknown := uuid.NewString()
	past := timestamppb.New(time.Now().Add(-time.Hour))

	cases := []struct {
		name      string
		call      func(c testenv.Clients) error
		code      connect.Code
		field     string
		inMessage string
	}{
		{"empty edition name", func(c testenv.Clients) error {
			_, err := c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2099, Name: ""})
			return err
		}, connect.CodeInvalidArgument, "name", ""},
		{"oversized edition name", func(c testenv.Clients) error {
			_, err := c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2099, Name: strings.Repeat("ż", 201)})
			return err
		}, connect.CodeInvalidArgument, "name", ""},
		{"year before the award", func(c testenv.Clients) error {
			_, err := c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 1999, Name: "x"})
			return err
		}, connect.CodeInvalidArgument, "year", ""},
		{"duplicate year", func(c testenv.Clients) error {
			_, err := c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: e.GetYear(), Name: "again"})
			return err
		}, connect.CodeAlreadyExists, "year", ""},
		{"unknown previous edition", func(c testenv.Clients) error {
			_, err := c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2098, Name: "x", PreviousEditionId: unknown})
			return err
		}, connect.CodeNotFound, "previous_edition_id", ""},
		{"malformed edition id", func(c testenv.Clients) error {
			_, err := c.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: "2015"})
			return err
		}, connect.CodeInvalidArgument, "edition_id", ""},
		{"unknown edition id", func(c testenv.Clients) error {
			_, err := c.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: unknown})
			return err
		}, connect.CodeNotFound, "edition_id", ""},
		{"unknown stage value", func(c testenv.Clients) error {
			_, err := c.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage(42)})
			return err
		}, connect.CodeInvalidArgument, "stage", ""},
		{"unspecified stage", func(c testenv.Clients) error {
			_, err := c.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId()})
			return err
		}, connect.CodeInvalidArgument, "stage", ""},
		{"skipping a stage", func(c testenv.Clients) error {
			_, err := c.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_JURY})
			return err
		}, connect.CodeFailedPrecondition, "stage", "one stage at a time"},
		{"opening reporting without a deadline", func(c testenv.Clients) error {
			_, err := c.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_REPORTING})
			return err
		}, connect.CodeFailedPrecondition, "timeline.reporting_deadline", ""},
		{"jury deadline before reporting deadline", func(c testenv.Clients) error {
			_, err := c.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: e.GetId(), Timeline: &v1.Timeline{
				ReportingDeadline: timestamppb.New(time.Now().Add(time.Hour)), JuryDeadline: past,
			}})
			return err
		}, connect.CodeInvalidArgument, "timeline.jury_deadline", ""},
		{"missing timeline", func(c testenv.Clients) error {
			_, err := c.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: e.GetId()})
			return err
		}, connect.CodeInvalidArgument, "timeline", ""},
		{"duplicate category number", func(c testenv.Clients) error {
			_, err := c.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 1, NamePl: "a", NameEn: "a"})
			return err
		}, connect.CodeAlreadyExists, "number", ""},
		{"category number out of range", func(c testenv.Clients) error {
			_, err := c.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 51, NamePl: "a", NameEn: "a"})
			return err
		}, connect.CodeInvalidArgument, "number", ""},
		{"criterion for an unknown edition", func(c testenv.Clients) error {
			_, err := c.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: unknown, Number: 2, NamePl: "a", NameEn: "a"})
			return err
		}, connect.CodeNotFound, "edition_id", ""},
		{"duplicate city name, other case", func(c testenv.Clients) error {
			_, err := c.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: strings.ToUpper(e.GetCities()[0].GetName())})
			return err
		}, connect.CodeAlreadyExists, "name", ""},
		{"unknown city", func(c testenv.Clients) error {
			_, err := c.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: unknown})
			return err
		}, connect.CodeNotFound, "city_id", ""},
		{"bad page token", func(c testenv.Clients) error {
			_, err := c.Editions.ListEditions(ctx, &v1.ListEditionsRequest{PageToken: "!!"})
			return err
		}, connect.CodeInvalidArgument, "page_token", ""},
		{"page size too large", func(c testenv.Clients) error {
			_, err := c.Editions.ListEditions(ctx, &v1.ListEditionsRequest{PageSize: 1000})
			return err
		}, connect.CodeInvalidArgument, "page_size", ""},
		{"invitation with a bad e-mail", func(c testenv.Clients) error {
			_, err := c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "not-an-address", Role: v1.Role_ROLE_EXPERT, CityId: e.GetCities()[0].GetId(), DisplayName: "x"})
			return err
		}, connect.CodeInvalidArgument, "email", ""},
		{"an edition's organiser invited for a city", func(c testenv.Clients) error {
			_, err := c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "a@miasta.test", Role: v1.Role_ROLE_ORGANISER, CityId: e.GetCities()[0].GetId(), DisplayName: "x"})
			return err
		}, connect.CodeInvalidArgument, "city_id", ""},
		{"invitation without a role", func(c testenv.Clients) error {
			_, err := c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "a@miasta.test", DisplayName: "x"})
			return err
		}, connect.CodeInvalidArgument, "role", ""},
		{"invitation in an unknown language", func(c testenv.Clients) error {
			_, err := c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "a@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: e.GetCities()[0].GetId(), DisplayName: "x", Language: "xx"})
			return err
		}, connect.CodeInvalidArgument, "language", ""},
		{"expert for a city that does not report", func(c testenv.Clients) error {
			other := testenv.Must(c.Editions.ListCities(ctx, &v1.ListCitiesRequest{})).GetCities()
			for _, city := range other {
				if city.GetId() != e.GetCities()[0].GetId() {
					_, err := c.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "a@miasta.test", Role: v1.Role_ROLE_EXPERT, CityId: city.GetId(), DisplayName: "x"})
					return err
				}
			}
			t.Fatal("no second city to test with")
			return nil
		}, connect.CodeInvalidArgument, "city_id", "does not report"},
		{"revoke an unknown invitation", func(c testenv.Clients) error {
			_, err := c.Identity.RevokeInvitation(ctx, &v1.RevokeInvitationRequest{InvitationId: unknown})
			return err
		}, connect.CodeNotFound, "invitation_id", ""},
	}
	// A second city exists for the "does not report" case; creating it is a change, so do it first.
	testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Rzeszów"}))

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := env.EventCount(t)
			err := tc.call(org)
			if got := testenv.Code(err); got != tc.code {
				t.Fatalf("code = %v (%v); want %v", got, err, tc.code)
			}
			if got := testenv.Field(err); got != tc.field {
				t.Errorf("field = %q (%v); want %q", got, err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.inMessage) {
				t.Errorf("message %q does not say %q", err.Error(), tc.inMessage)
			}
			if strings.Contains(strings.ToLower(err.Error()), "sql") || strings.Contains(err.Error(), "pgx") {
				t.Errorf("message leaks the database: %q", err.Error())
			}
			if after := env.EventCount(t); after != before {
				t.Errorf("events grew from %d to %d; a refused call must change nothing", before, after)
			}
		})
	}
}
