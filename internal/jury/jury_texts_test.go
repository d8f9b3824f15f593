package jury_test

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestJuryTexts records a justification per distinction and the jury's recommendations while the
// edition is TALLIED, refuses them in any other stage, for a nomination that is not a winner, without
// Polish and from anyone but an organiser, and publishes them with the results and the exports.
// After a reopened round changes the winner, the announcement waits until the stale justification
// is removed.
func TestJuryTexts(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id, year, crit := r.ID(), r.Edition.GetYear(), r.Criteria[0]
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, crit)}))
	juror := env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, r.Edition, "Wrocław"), "juror.texts@miasta.test", "Amani Wanjiru")
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	testenv.CastScores(t, juror, id, testenv.Mark(nA, crit, 5), testenv.Mark(nB, crit, 1))

	justify := func(c testenv.Clients, nomination string, text map[string]string) (*v1.SetDistinctionJustificationResponse, error) {
		return c.Results.SetDistinctionJustification(ctx, &v1.SetDistinctionJustificationRequest{EditionId: id, NominationId: nomination, Text: text})
	}
	recommend := func(text map[string]string) (*v1.SetJuryRecommendationsResponse, error) {
		return org.Results.SetJuryRecommendations(ctx, &v1.SetJuryRecommendationsRequest{EditionId: id, Text: text})
	}
	pl := map[string]string{"pl": "Za punkt obsługi otwarty dla wszystkich."}

	testenv.Step(t, "nothing is recorded before the round closes", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(justify(org, nA.GetId(), pl)) })
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(recommend(pl)) })
	})
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)

	testenv.Step(t, "bad input is refused, naming the field, and changes nothing", func(t *testing.T) {
		env.Refused(t, connect.CodeInvalidArgument, `text["pl"]`, func() error {
			return testenv.ErrOf(justify(org, nA.GetId(), map[string]string{"en": "For the service point."}))
		})
		env.Refused(t, connect.CodeInvalidArgument, `text["de"]`, func() error {
			return testenv.ErrOf(justify(org, nA.GetId(), map[string]string{"pl": "Tak.", "de": "Ja."}))
		})
		env.Refused(t, connect.CodeInvalidArgument, `text["pl"]`, func() error {
			return testenv.ErrOf(justify(org, nA.GetId(), map[string]string{"pl": strings.Repeat("ą", 2001)}))
		})
		env.Refused(t, connect.CodeInvalidArgument, `text["pl"]`, func() error {
			return testenv.ErrOf(justify(org, nA.GetId(), map[string]string{"pl": "   "}))
		})
		env.Refused(t, connect.CodeInvalidArgument, `text["en"]`, func() error {
			return testenv.ErrOf(recommend(map[string]string{"pl": "Tak.", "en": strings.Repeat("a", 20001)}))
		})
		env.Refused(t, connect.CodeInvalidArgument, `text["pl"]`, func() error {
			return testenv.ErrOf(recommend(map[string]string{"pl": "Akapit\x1b[31m"}))
		})
		env.Refused(t, connect.CodeInvalidArgument, "nomination_id", func() error { return testenv.ErrOf(justify(org, "nie-uuid", pl)) })
		env.Refused(t, connect.CodeNotFound, "nomination_id", func() error { return testenv.ErrOf(justify(org, uuid.NewString(), pl)) })
		env.Refused(t, connect.CodeFailedPrecondition, "nomination_id", func() error { return testenv.ErrOf(justify(org, nB.GetId(), pl)) })
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(justify(juror.Clients, nA.GetId(), pl)) })
		env.Refused(t, connect.CodeUnauthenticated, testenv.AnyField, func() error { return testenv.ErrOf(justify(env.Clients(testenv.Connect, ""), nA.GetId(), pl)) })
		if tl := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally(); len(tl.GetRecommendations()) != 0 || len(tl.GetCategories()[0].GetNominations()[0].GetJustification()) != 0 {
			t.Errorf("a refused call left texts behind: %v", tl)
		}
	})

	justification := map[string]string{"pl": "Za punkt obsługi otwarty dla wszystkich.", "uk": "За пункт обслуговування, відкритий для всіх."}
	recommendations := map[string]string{"pl": "Zatrudniajcie cudzoziemców w urzędach.\n\nOtwierajcie punkty obsługi.", "en": "Employ foreigners in city offices.", "vi": "Hãy tuyển dụng người nước ngoài."}
	testenv.Step(t, "the last save wins and replaces every language", func(t *testing.T) {
		first := testenv.Must(justify(org, nA.GetId(), map[string]string{"pl": "Szkic.", "en": "Draft."}))
		if first.GetVersion() != 1 || first.GetUpdateTime() == nil {
			t.Errorf("first save = %v; want version 1 with a time", first)
		}
		second := testenv.Must(justify(org, nA.GetId(), justification))
		if second.GetVersion() != 2 || !maps.Equal(second.GetText(), justification) {
			t.Errorf("second save = %v; want version 2 with exactly the new languages", second)
		}
		testenv.Must(recommend(recommendations))
		tl := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
		a := tl.GetCategories()[0].GetNominations()[0]
		if a.GetNomination().GetId() != nA.GetId() || !maps.Equal(a.GetJustification(), justification) || !maps.Equal(tl.GetRecommendations(), recommendations) {
			t.Errorf("GetTally shows %v and %v; want the last saves", a.GetJustification(), tl.GetRecommendations())
		}
	})

	testenv.Step(t, "a reopened round that changes the winner holds the announcement until the stale text goes", func(t *testing.T) {
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY, Reason: "Juror corrected a mark."}))
		testenv.CastScores(t, juror, id, testenv.Mark(nA, crit, 1), testenv.Mark(nB, crit, 5))
		testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
		env.Refused(t, connect.CodeFailedPrecondition, "stage", func() error {
			return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_ANNOUNCED}))
		})
		// The organisers see the stale text where they can remove it.
		for _, n := range testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally().GetCategories()[0].GetNominations() {
			if n.GetNomination().GetId() == nA.GetId() && (n.GetWinner() || !maps.Equal(n.GetJustification(), justification)) {
				t.Errorf("GetTally shows A as winner %v with %v; want no longer a winner, with its stale justification", n.GetWinner(), n.GetJustification())
			}
		}
		if removed := testenv.Must(justify(org, nA.GetId(), nil)); removed.GetVersion() != 0 || len(removed.GetText()) != 0 {
			t.Errorf("removal = %v", removed)
		}
		testenv.Must(justify(org, nB.GetId(), justification))
	})

	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_ANNOUNCED)
	testenv.Step(t, "the results publish the texts; nothing changes after the announcement", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(justify(org, nB.GetId(), pl)) })
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(recommend(pl)) })
		anon := env.Clients(testenv.GRPC, "")
		pub := testenv.Must(anon.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
		winners := pub.GetCategories()[0].GetNominations()
		if len(winners) != 1 || winners[0].GetNomination().GetId() != nB.GetId() || !maps.Equal(winners[0].GetJustification(), justification) {
			t.Errorf("public winners %v; want B with its justification", winners)
		}
		if !maps.Equal(pub.GetRecommendations(), recommendations) {
			t.Errorf("public recommendations %v; want %v", pub.GetRecommendations(), recommendations)
		}
		for _, f := range []v1.ExportFormat{v1.ExportFormat_EXPORT_FORMAT_JSON, v1.ExportFormat_EXPORT_FORMAT_CSV} {
			body := testenv.Must(anon.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: f})).GetContent()
			for _, want := range []string{justification["uk"], recommendations["vi"]} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("%v export lacks %q", f, want)
				}
			}
		}
	})
}
