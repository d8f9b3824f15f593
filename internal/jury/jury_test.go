package jury_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/event"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

func TestTallyRuleIsValidatedVersionedAndFrozen(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	orgToken := env.Token(t, demo.OrganiserEmail)
	for _, protocol := range testenv.Protocols {
		t.Run(string(protocol), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(protocol, orgToken)
			anon := env.Clients(protocol, "")
			e := testenv.SeedEdition(t, org)
			testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 2, NamePl: "Kompleksowość", NameEn: "Comprehensiveness"}))
			r, _ := env.Shortlisted(t, org, protocol, e, []*v1.City{testenv.CityFor(t, org, e, "Gdańsk")}, func(r *testenv.Reporting, i int) []*v1.Practice {
				return []*v1.Practice{testenv.Practice(fmt.Sprintf("Praktyka %d", i+1), r.Categories[0], r.Criteria...)}
			})
			id := r.ID()
			c1, c2 := r.Criteria[0], r.Criteria[1]
			expert := r.Experts[0]
			jr := env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, e, "Wrocław"), fmt.Sprintf("juror.rule.%d@miasta.test", e.GetYear()), "Yusniel Pérez")
			otherCriterion := testenv.Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: testenv.SeedEdition(t, org).GetId()})).GetCriteria()[0]
			set := func(c testenv.Clients, rule *v1.TallyRule, expected int64) func() error {
				return func() error {
					return testenv.ErrOf(c.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: rule, ExpectedVersion: expected}))
				}
			}
			edited := func(edit func(r *v1.TallyRule)) *v1.TallyRule {
				rule := testenv.MeanRule(0, 5, 1, c1, c2)
				edit(rule)
				return rule
			}
			var current *v1.TallyRule

			testenv.Step(t, "the jury does not open without a rule", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY}))
				})
			})

			testenv.Step(t, "only organisers set the rule", func(t *testing.T) {
				for who, c := range map[string]testenv.Clients{"expert": expert, "juror": jr.Clients} {
					t.Run(who, func(t *testing.T) {
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, set(c, testenv.MeanRule(0, 5, 1, c1, c2), 0))
					})
				}
			})

			for _, tc := range []struct {
				name  string
				rule  *v1.TallyRule
				field string
			}{
				{"a criterion without a rule", testenv.MeanRule(0, 5, 1, c1), "rule.criteria"},
				{"another edition's criterion", edited(func(r *v1.TallyRule) { r.Criteria[1].CriterionId = otherCriterion.GetId() }), "rule.criteria[1].criterion_id"},
				{"an unknown criterion", edited(func(r *v1.TallyRule) { r.Criteria[1].CriterionId = uuid.NewString() }), "rule.criteria[1].criterion_id"},
				{"max equal to min", edited(func(r *v1.TallyRule) { r.Criteria[1].MinScore, r.Criteria[1].MaxScore = 3, 3 }), "rule.criteria[1].max_score"},
				{"max below min", edited(func(r *v1.TallyRule) { r.Criteria[0].MinScore, r.Criteria[0].MaxScore = 5, 2 }), "rule.criteria[0].max_score"},
				{"trimmed mean without a trim count", edited(func(r *v1.TallyRule) {
					r.Method, r.TrimCount = v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN, 0
				}), "rule.trim_count"},
			} {
				testenv.Step(t, "refused: "+tc.name, func(t *testing.T) {
					env.Refused(t, connect.CodeInvalidArgument, tc.field, set(org, tc.rule, 0))
				})
			}

			testenv.Step(t, "the organiser sets a rule at version 0", func(t *testing.T) {
				before := env.EventCount(t)
				current = testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, c1, c2)})).GetRule()
				env.Appended(t, before, event.TallyRuleSet)
				// Version 1 also proves that none of the refused rules was stored.
				if current.GetVersion() != 1 || current.GetFrozen() || current.GetMethod() != v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN ||
					len(current.GetCriteria()) != 2 || current.GetQuorum() != 1 || current.GetWinnersPerCategory() != 1 {
					t.Fatalf("SetTallyRule = %v; want the weighted-mean rule at version 1, not frozen", current)
				}
				if got := testenv.Must(org.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: id})).GetRule(); !proto.Equal(got, current) {
					t.Errorf("GetTallyRule = %v; want %v", got, current)
				}
			})

			testenv.Step(t, "before the jury only organisers read the rule", func(t *testing.T) {
				for who, c := range map[string]testenv.Clients{"expert": expert, "juror": jr.Clients, "anonymous": anon} {
					if got, err := c.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: id}); err == nil {
						t.Errorf("%s reads the rule before the jury: %v", who, got)
					}
				}
			})

			testenv.Step(t, "a stale version is ABORTED", func(t *testing.T) {
				env.Refused(t, connect.CodeAborted, testenv.AnyField, set(org, testenv.MeanRule(0, 10, 1, c1, c2), 0))
			})

			testenv.Step(t, "the organiser replaces the rule at its version", func(t *testing.T) {
				trimmed := edited(func(r *v1.TallyRule) { r.Method, r.TrimCount = v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN, 1 })
				current = testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: trimmed, ExpectedVersion: current.GetVersion()})).GetRule()
				got := testenv.Must(org.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: id})).GetRule()
				if current.GetVersion() != 2 || got.GetVersion() != 2 || got.GetMethod() != v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN || got.GetTrimCount() != 1 {
					t.Errorf("after replacing: SetTallyRule v%d, GetTallyRule = %v; want the trimmed mean at version 2", current.GetVersion(), got)
				}
			})

			testenv.Step(t, "the jury opens with a rule", func(t *testing.T) {
				if e := testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY); e.GetStage() != v1.Stage_STAGE_JURY {
					t.Fatalf("stage = %v; want JURY", e.GetStage())
				}
			})

			testenv.Step(t, "a frozen rule cannot change", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, set(org, testenv.MeanRule(0, 5, 1, c1, c2), current.GetVersion()))
			})

			testenv.Step(t, "from the jury on everyone reads the frozen rule with its hash", func(t *testing.T) {
				hashes := map[string]bool{}
				for who, c := range map[string]testenv.Clients{"organiser": org, "expert": expert, "juror": jr.Clients, "anonymous": anon} {
					got, err := c.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: id})
					if err != nil {
						t.Errorf("%s GetTallyRule in JURY: %v", who, err)
						continue
					}
					rule := got.GetRule()
					if !rule.GetFrozen() || !sha256Ref.MatchString(rule.GetRuleHash()) || rule.GetVersion() != 2 ||
						rule.GetMethod() != v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN || rule.GetTrimCount() != 1 {
						t.Errorf("%s reads %v; want the trimmed-mean rule v2, frozen, with a sha256 hash", who, rule)
					}
					hashes[rule.GetRuleHash()] = true
				}
				if len(hashes) != 1 {
					t.Errorf("readers see different rule hashes: %v", hashes)
				}
			})
		})
	}
}

func TestJuryBallotLifecycle(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	orgToken := env.Token(t, demo.OrganiserEmail)
	for _, protocol := range testenv.Protocols {
		t.Run(string(protocol), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(protocol, orgToken)
			e := testenv.SeedEdition(t, org)
			testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 2, NamePl: "Miejski punkt obsługi cudzoziemców", NameEn: "City service point for foreigners"}))
			testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 2, NamePl: "Kompleksowość", NameEn: "Comprehensiveness"}))
			r, noms := env.Shortlisted(t, org, protocol, e, []*v1.City{testenv.CityFor(t, org, e, "Gdańsk")}, func(r *testenv.Reporting, i int) []*v1.Practice {
				if i == 0 {
					return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...), testenv.Practice("Porady prawne", r.Categories[1], r.Criteria...)}
				}
				return []*v1.Practice{testenv.Practice("Rada imigrantów", r.Categories[0], r.Criteria...)}
			})
			id := r.ID()
			cat1, cat2 := r.Categories[0], r.Categories[1]
			c1, c2 := r.Criteria[0], r.Criteria[1]
			nA1, nA2, nB1 := noms[0][0], noms[0][1], noms[1][0]
			// Two scales and weights, so that a mark is checked against its own criterion.
			testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: &v1.TallyRule{
				Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1,
				Criteria: []*v1.CriterionRule{
					{CriterionId: c1.GetId(), MinScore: 0, MaxScore: 5, Weight: 2},
					{CriterionId: c2.GetId(), MinScore: 1, MaxScore: 10, Weight: 1},
				},
			}}))
			jA := env.NewJuror(t, org, protocol, id, r.Cities[0], fmt.Sprintf("juror.a.%d@miasta.test", e.GetYear()), "Amani Wanjiru")
			jX := env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, e, "Wrocław"), fmt.Sprintf("juror.x.%d@miasta.test", e.GetYear()), "Kwame Owusu")
			other := testenv.SeedEdition(t, org)
			otherCriterion := testenv.Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: other.GetId()})).GetCriteria()[0]
			outsider := env.NewJuror(t, org, protocol, other.GetId(), testenv.CityFor(t, org, e, "Lublin"), fmt.Sprintf("juror.obcy.%d@miasta.test", e.GetYear()), "Олена Коваленко")
			testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)

			const reason = "Pracowałam przy tym projekcie — я працювала над цим проєктом."
			const comment = "Komentarz-9c41: bardzo dobra praktyka — дуже добра практика."
			var draft *v1.Ballot
			var first *v1.BallotCast
			var firstReq *v1.CastBallotRequest
			save := func(j testenv.Juror, version int64, scores ...*v1.Score) func() error {
				return func() error {
					return testenv.ErrOf(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: version, Scores: scores}))
				}
			}

			testenv.Step(t, "only the edition's jurors use the ballot", func(t *testing.T) {
				for who, c := range map[string]testenv.Clients{"organiser": org, "expert": r.Experts[0], "juror of another edition": outsider.Clients} {
					t.Run(who, func(t *testing.T) {
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: id}))
						})
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id}))
						})
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: []*v1.Score{testenv.Mark(nB1, c1, 3)}}))
						})
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: 1, RequestId: uuid.NewString()}))
						})
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: id, NominationId: nB1.GetId(), Reason: "?"}))
						})
					})
				}
				for who, c := range map[string]testenv.Clients{"juror": jA.Clients, "expert": r.Experts[0]} {
					t.Run(who+" reads progress", func(t *testing.T) {
						env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
							return testenv.ErrOf(c.Jury.GetJuryProgress(ctx, &v1.GetJuryProgressRequest{EditionId: id}))
						})
					})
				}
			})

			testenv.Step(t, "nominations from the juror's home city are recused", func(t *testing.T) {
				for _, tc := range []struct {
					j      testenv.Juror
					recuse map[string]bool
				}{{jA, map[string]bool{nA1.GetId(): true, nA2.GetId(): true}}, {jX, map[string]bool{}}} {
					got := testenv.Must(tc.j.Clients.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: id})).GetNominations()
					if len(got) != 3 {
						t.Errorf("%s lists %d nominations; want the 3 of the shortlist", tc.j.Name, len(got))
					}
					for _, bn := range got {
						nid := bn.GetNomination().GetId()
						switch {
						case tc.recuse[nid] && (bn.GetRecusal().GetKind() != v1.RecusalKind_RECUSAL_KIND_HOME_CITY || bn.GetRecusal().GetNominationId() != nid):
							t.Errorf("%s sees %s with recusal %v; want HOME_CITY", tc.j.Name, nid, bn.GetRecusal())
						case !tc.recuse[nid] && bn.GetRecusal() != nil:
							t.Errorf("%s sees %s recused (%v); it is not from their home city", tc.j.Name, nid, bn.GetRecusal())
						}
					}
				}
			})

			testenv.Step(t, "an unsaved ballot is empty at version 0", func(t *testing.T) {
				b := testenv.Must(jX.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot()
				if b.GetVersion() != 0 || len(b.GetScores()) != 0 || len(b.GetComments()) != 0 || b.GetLastCast() != nil || b.GetEditionId() != id {
					t.Errorf("GetBallot = %v; want an empty ballot of the edition at version 0", b)
				}
			})

			testenv.Step(t, "a juror declares a conflict", func(t *testing.T) {
				before := env.EventCount(t)
				rec := testenv.Must(jX.Clients.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: id, NominationId: nB1.GetId(), Reason: reason})).GetRecusal()
				env.Appended(t, before, event.ConflictDeclared)
				want := &v1.Recusal{NominationId: nB1.GetId(), Kind: v1.RecusalKind_RECUSAL_KIND_DECLARED, Reason: reason}
				if !proto.Equal(rec, want) {
					t.Errorf("DeclareConflict = %v; want %v", rec, want)
				}
				for _, bn := range testenv.Must(jX.Clients.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: id})).GetNominations() {
					if bn.GetNomination().GetId() == nB1.GetId() && bn.GetRecusal().GetKind() != v1.RecusalKind_RECUSAL_KIND_DECLARED {
						t.Errorf("the declared nomination lists with recusal %v; want DECLARED", bn.GetRecusal())
					}
				}
				b := testenv.Must(jX.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot()
				if len(b.GetRecusals()) != 1 || !proto.Equal(b.GetRecusals()[0], want) {
					t.Errorf("ballot recusals = %v; want only %v", b.GetRecusals(), want)
				}
			})

			testenv.Step(t, "declaring a conflict with a home-city nomination is ALREADY_EXISTS", func(t *testing.T) {
				env.Refused(t, connect.CodeAlreadyExists, testenv.AnyField, func() error {
					return testenv.ErrOf(jA.Clients.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: id, NominationId: nA1.GetId(), Reason: reason}))
				})
			})

			testenv.Step(t, "progress before any mark: not started, or recused from a whole category", func(t *testing.T) {
				p := progress(t, org, id)
				if len(p) != 2 {
					t.Fatalf("progress lists %d jurors; want 2", len(p))
				}
				wantStates(t, p[jA.Assignment.GetId()], map[string]v1.ProgressState{
					cat1.GetId(): v1.ProgressState_PROGRESS_STATE_NOT_STARTED, cat2.GetId(): v1.ProgressState_PROGRESS_STATE_RECUSED,
				})
				px := p[jX.Assignment.GetId()]
				wantStates(t, px, map[string]v1.ProgressState{
					cat1.GetId(): v1.ProgressState_PROGRESS_STATE_NOT_STARTED, cat2.GetId(): v1.ProgressState_PROGRESS_STATE_NOT_STARTED,
				})
				if len(px.GetDeclaredConflicts()) != 1 || px.GetDeclaredConflicts()[0].GetNominationId() != nB1.GetId() || px.GetDeclaredConflicts()[0].GetReason() != reason {
					t.Errorf("declared conflicts of %s = %v; want %s with the reason", jX.Name, px.GetDeclaredConflicts(), nB1.GetId())
				}
			})

			for _, tc := range []struct {
				name   string
				scores []*v1.Score
				field  string
			}{
				{"a mark for a home-city nomination", []*v1.Score{testenv.Mark(nB1, c1, 3), testenv.Mark(nA1, c1, 3)}, "scores[1].nomination_id"},
				{"a mark above the scale", []*v1.Score{testenv.Mark(nB1, c1, 6)}, "scores[0].value"},
				{"a mark below the scale", []*v1.Score{testenv.Mark(nB1, c1, 3), testenv.Mark(nB1, c2, 0)}, "scores[1].value"},
				{"a mark on an unknown criterion", []*v1.Score{testenv.Mark(nB1, c1, 3), {NominationId: nB1.GetId(), CriterionId: uuid.NewString(), Value: 3}}, "scores[1].criterion_id"},
				{"a mark on another edition's criterion", []*v1.Score{testenv.Mark(nB1, otherCriterion, 3)}, "scores[0].criterion_id"},
			} {
				testenv.Step(t, "refused: "+tc.name, func(t *testing.T) {
					env.Refused(t, connect.CodeInvalidArgument, tc.field, save(jA, 0, tc.scores...))
				})
			}
			testenv.Step(t, "a mark for a declared conflict is refused", func(t *testing.T) {
				env.Refused(t, connect.CodeInvalidArgument, "scores[0].nomination_id", save(jX, 0, testenv.Mark(nB1, c1, 3)))
			})
			testenv.Step(t, "the refused saves left the ballot at version 0", func(t *testing.T) {
				if b := testenv.Must(jA.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot(); b.GetVersion() != 0 || len(b.GetScores()) != 0 {
					t.Errorf("ballot = v%d %v; want v0 without marks", b.GetVersion(), b.GetScores())
				}
			})

			testenv.Step(t, "a partial draft is saved with a comment", func(t *testing.T) {
				want := []*v1.Score{testenv.Mark(nB1, c1, 3)}
				draft = testenv.Must(jA.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: want,
					Comments: []*v1.NominationComment{{NominationId: nB1.GetId(), Text: comment}}})).GetBallot()
				if draft.GetVersion() != 1 || !sameMarks(draft.GetScores(), want) || len(draft.GetComments()) != 1 || draft.GetComments()[0].GetText() != comment {
					t.Errorf("SaveBallot = %v; want v1 with the mark and the comment", draft)
				}
				wantStates(t, progress(t, org, id)[jA.Assignment.GetId()], map[string]v1.ProgressState{
					cat1.GetId(): v1.ProgressState_PROGRESS_STATE_DRAFT, cat2.GetId(): v1.ProgressState_PROGRESS_STATE_RECUSED,
				})
			})

			testenv.Step(t, "an incomplete ballot is not cast", func(t *testing.T) {
				rows := castRows(t, env)
				env.Refused(t, connect.CodeFailedPrecondition, "scores", func() error {
					return testenv.ErrOf(jA.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: draft.GetVersion(), RequestId: uuid.NewString()}))
				})
				if after := castRows(t, env); after != rows {
					t.Errorf("ballot_casts grew from %d to %d on a refused cast", rows, after)
				}
			})

			testenv.Step(t, "a stale save is ABORTED with the current ballot", func(t *testing.T) {
				err := env.Refused(t, connect.CodeAborted, testenv.AnyField, save(jA, 0, testenv.Mark(nB1, c1, 5), testenv.Mark(nB1, c2, 5)))
				cur := ballotConflict(t, err)
				if cur.GetVersion() != 1 || !sameMarks(cur.GetScores(), draft.GetScores()) || len(cur.GetComments()) != 1 || cur.GetComments()[0].GetText() != comment {
					t.Errorf("conflict carries %v; want the saved v1", cur)
				}
			})

			testenv.Step(t, "the complete ballot is cast with a receipt", func(t *testing.T) {
				draft = testenv.Must(jA.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: draft.GetVersion(),
					Scores: []*v1.Score{testenv.Mark(nB1, c1, 4), testenv.Mark(nB1, c2, 7)}, Comments: draft.GetComments()})).GetBallot()
				rows, before := castRows(t, env), env.EventCount(t)
				firstReq = &v1.CastBallotRequest{EditionId: id, ExpectedVersion: draft.GetVersion(), RequestId: uuid.NewString()}
				first = testenv.Must(jA.Clients.Jury.CastBallot(ctx, firstReq)).GetCast()
				env.Appended(t, before, event.BallotCast)
				if _, err := uuid.Parse(first.GetId()); err != nil || first.GetVersion() != 2 || first.GetCastTime() == nil || !sha256Ref.MatchString(first.GetReceipt().GetBallotHash()) {
					t.Errorf("CastBallot = %v; want a cast of v2 with an id, a time and a sha256 receipt", first)
				}
				if after := castRows(t, env); after != rows+1 {
					t.Errorf("ballot_casts grew from %d to %d; want one row", rows, after)
				}
			})

			testenv.Step(t, "the cast event holds the hash, not the scores or the comment", func(t *testing.T) {
				rows, err := env.App.Pool.Query(ctx, `SELECT payload::text FROM events WHERE kind = 'ballot.cast'`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				found := 0
				for rows.Next() {
					var payload string
					if err := rows.Scan(&payload); err != nil {
						t.Fatal(err)
					}
					if strings.Contains(payload, "Komentarz-9c41") {
						t.Errorf("a ballot.cast payload holds the comment: %s", payload)
					}
					if strings.Contains(payload, first.GetReceipt().GetBallotHash()) {
						found++
						if strings.Contains(payload, nB1.GetId()) || strings.Contains(payload, c1.GetId()) {
							t.Errorf("the ballot.cast payload names the scored nomination or criterion (holds scores?): %s", payload)
						}
					}
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if found != 1 {
					t.Errorf("%d ballot.cast payloads hold the receipt hash %s; want 1", found, first.GetReceipt().GetBallotHash())
				}
			})

			testenv.Step(t, "a retry with the same request id returns the same cast", func(t *testing.T) {
				rows, before := castRows(t, env), env.EventCount(t)
				again := testenv.Must(jA.Clients.Jury.CastBallot(ctx, firstReq)).GetCast()
				if !sameCast(again, first) {
					t.Errorf("retry = %v; want the identical cast %v", again, first)
				}
				if after := castRows(t, env); after != rows {
					t.Errorf("ballot_casts grew from %d to %d on a retry", rows, after)
				}
				if after := env.EventCount(t); after != before {
					t.Errorf("events grew from %d to %d on a retry", before, after)
				}
			})

			testenv.Step(t, "the ballot shows its last cast, and progress shows it cast", func(t *testing.T) {
				b := testenv.Must(jA.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot()
				if !sameCast(b.GetLastCast(), first) {
					t.Errorf("last_cast = %v; want %v", b.GetLastCast(), first)
				}
				wantStates(t, progress(t, org, id)[jA.Assignment.GetId()], map[string]v1.ProgressState{
					cat1.GetId(): v1.ProgressState_PROGRESS_STATE_CAST, cat2.GetId(): v1.ProgressState_PROGRESS_STATE_RECUSED,
				})
			})

			testenv.Step(t, "the other juror casts what they are not recused from", func(t *testing.T) {
				testenv.CastScores(t, jX, id, testenv.Mark(nA1, c1, 5), testenv.Mark(nA1, c2, 9), testenv.Mark(nA2, c1, 2), testenv.Mark(nA2, c2, 3))
				wantStates(t, progress(t, org, id)[jX.Assignment.GetId()], map[string]v1.ProgressState{
					cat1.GetId(): v1.ProgressState_PROGRESS_STATE_CAST, cat2.GetId(): v1.ProgressState_PROGRESS_STATE_CAST,
				})
			})

			testenv.Step(t, "a juror saves and casts again", func(t *testing.T) {
				last := testenv.CastScores(t, jA, id, testenv.Mark(nB1, c1, 1), testenv.Mark(nB1, c2, 2))
				if last.GetId() == first.GetId() {
					t.Errorf("the new cast reuses id %s", last.GetId())
				}
				if b := testenv.Must(jA.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot(); !sameCast(b.GetLastCast(), last) {
					t.Errorf("last_cast = %v; want the new cast %v", b.GetLastCast(), last)
				}
			})

			testenv.Step(t, "the round closes", func(t *testing.T) {
				before := env.EventCount(t)
				if e := testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED); e.GetStage() != v1.Stage_STAGE_TALLIED {
					t.Fatalf("stage = %v; want TALLIED", e.GetStage())
				}
				env.Appended(t, before, event.TallyComputed)
			})

			testenv.Step(t, "after the close nothing is saved or cast", func(t *testing.T) {
				b := testenv.Must(jA.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot()
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, save(jA, b.GetVersion(), testenv.Mark(nB1, c1, 5), testenv.Mark(nB1, c2, 10)))
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(jA.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
				})
			})

			testenv.Step(t, "the tally counts each juror's last cast and every recusal", func(t *testing.T) {
				tally := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
				// Weighted sums: 2×c1 + 1×c2. jA's last cast gives B1 2×1+2 = 4 (the first would give 15).
				for _, want := range []struct {
					n       *v1.Nomination
					score   int64
					rank    int32
					winner  bool
					recusal v1.RecusalKind
				}{
					{nA1, 19, 1, true, v1.RecusalKind_RECUSAL_KIND_HOME_CITY},
					{nB1, 4, 2, false, v1.RecusalKind_RECUSAL_KIND_DECLARED},
					{nA2, 7, 1, true, v1.RecusalKind_RECUSAL_KIND_HOME_CITY},
				} {
					got := tallied(t, tally, want.n.GetId())
					if !isRat(got.GetScore(), want.score, 1) || got.GetRank() != want.rank || got.GetWinner() != want.winner || len(got.GetJurors()) != 1 ||
						!isRat(got.GetJurors()[0].GetWeightedSum(), want.score, 1) {
						t.Errorf("%q: score %v rank %d winner %v jurors %v; want %d/1, rank %d, winner %v, one juror",
							want.n.GetPractice().GetTitle(), got.GetScore(), got.GetRank(), got.GetWinner(), got.GetJurors(), want.score, want.rank, want.winner)
					}
					if len(got.GetRecusals()) != 1 || got.GetRecusals()[0].GetKind() != want.recusal {
						t.Errorf("%q recusals = %v; want one %v", want.n.GetPractice().GetTitle(), got.GetRecusals(), want.recusal)
					}
				}
				if b := tallied(t, tally, nB1.GetId()).GetJurors(); len(b) == 1 && !sameMarks(b[0].GetScores(), []*v1.Score{testenv.Mark(nB1, c1, 1), testenv.Mark(nB1, c2, 2)}) {
					t.Errorf("B1's breakdown = %v; want the last cast's marks 1 and 2", b[0].GetScores())
				}
			})
		})
	}
}

func TestResultsHandComputedTally(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	orgToken := env.Token(t, demo.OrganiserEmail)
	for _, protocol := range testenv.Protocols {
		t.Run(string(protocol), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(protocol, orgToken)
			anon := env.Clients(protocol, "")
			r, nA, nB := env.TwoCityShortlist(t, org, protocol)
			id, year := r.ID(), r.Edition.GetYear()
			crit := r.Criteria[0]
			testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, crit)}))
			names := []string{"Amani Wanjiru", "Kwame Owusu", "Олена Коваленко"}
			homes := []string{"Wrocław", "Lublin", "Warszawa"}
			jurors := make([]testenv.Juror, len(names))
			for k := range jurors {
				jurors[k] = env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, r.Edition, homes[k]), fmt.Sprintf("juror.%d.%d@miasta.test", year, k+1), names[k])
			}
			testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
			// Final marks (A, B) per juror: A = (5+4+2)/3 = 11/3, B = (2+3+4)/3 = 3. The third juror
			// first casts (5, 0), which would give A 14/3 and B 5/3 if it counted.
			final := [][2]int32{{5, 2}, {4, 3}, {2, 4}}
			receipts := make([]string, len(jurors))
			label := map[string]int{} // a juror's name or pseudonym → index
			for k, j := range jurors {
				label[j.Name], label[j.Assignment.GetPseudonym()] = k, k
			}

			testenv.Step(t, "every juror casts; the third casts twice", func(t *testing.T) {
				testenv.CastScores(t, jurors[2], id, testenv.Mark(nA, crit, 5), testenv.Mark(nB, crit, 0))
				for k, j := range jurors {
					receipts[k] = testenv.CastScores(t, j, id, testenv.Mark(nA, crit, final[k][0]), testenv.Mark(nB, crit, final[k][1])).GetReceipt().GetBallotHash()
				}
			})

			testenv.Step(t, "there is no tally before the round closes", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id}))
				})
			})

			var tallyHash string
			testenv.Step(t, "closing the round computes the exact tally", func(t *testing.T) {
				testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
				tally := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
				tallyHash = tally.GetTallyHash()
				if tally.GetEditionId() != id || !sha256Ref.MatchString(tallyHash) || !tally.GetRule().GetFrozen() || !sha256Ref.MatchString(tally.GetRule().GetRuleHash()) {
					t.Errorf("tally of %s hash %q rule %v; want this edition's, sha256 hashes, the frozen rule", tally.GetEditionId(), tallyHash, tally.GetRule())
				}
				if len(tally.GetCategories()) != 1 || tally.GetCategories()[0].GetCategory().GetId() != r.Categories[0].GetId() {
					t.Fatalf("categories = %v; want the one category", tally.GetCategories())
				}
				ranked := tally.GetCategories()[0].GetNominations()
				if len(ranked) != 2 || ranked[0].GetNomination().GetId() != nA.GetId() || ranked[1].GetNomination().GetId() != nB.GetId() {
					t.Fatalf("ranking = %v; want A then B", ranked)
				}
				a, b := ranked[0], ranked[1]
				if !isRat(a.GetScore(), 11, 3) || !strings.HasPrefix(a.GetScoreText(), "11/3") || a.GetRank() != 1 || !a.GetWinner() || !a.GetQuorumMet() {
					t.Errorf("A = score %v %q rank %d winner %v quorum %v; want 11/3, rank 1, the winner", a.GetScore(), a.GetScoreText(), a.GetRank(), a.GetWinner(), a.GetQuorumMet())
				}
				if !isRat(b.GetScore(), 3, 1) || !strings.HasPrefix(b.GetScoreText(), "3") || b.GetRank() != 2 || b.GetWinner() || !b.GetQuorumMet() {
					t.Errorf("B = score %v %q rank %d winner %v; want 3/1, rank 2, not a winner", b.GetScore(), b.GetScoreText(), b.GetRank(), b.GetWinner())
				}
				if len(a.GetCriteria()) != 1 || a.GetCriteria()[0].GetCriterionId() != crit.GetId() || !isRat(a.GetCriteria()[0].GetScore(), 11, 3) {
					t.Errorf("A's criterion breakdown = %v; want 11/3 on the criterion", a.GetCriteria())
				}
				if !strings.Contains(strings.Join(a.GetExplanation(), " "), "11/3") || len(b.GetExplanation()) == 0 {
					t.Errorf("explanations = %q / %q; want sentences, A's giving 11/3", a.GetExplanation(), b.GetExplanation())
				}
				for side, n := range []*v1.NominationResult{a, b} {
					seen := map[int]bool{}
					for _, jb := range n.GetJurors() {
						k, ok := label[jb.GetJuror()]
						if !ok || seen[k] {
							t.Errorf("breakdown juror %q is not one of the jurors, or twice", jb.GetJuror())
							continue
						}
						seen[k] = true
						v := final[k][side]
						if !isRat(jb.GetWeightedSum(), int64(v), 1) || len(jb.GetScores()) != 1 || jb.GetScores()[0].GetValue() != v {
							t.Errorf("%s's breakdown for %q = %v; want the final mark %d", names[k], n.GetNomination().GetPractice().GetTitle(), jb, v)
						}
					}
					if len(seen) != 3 {
						t.Errorf("%q has %d jurors in its breakdown; want 3", n.GetNomination().GetPractice().GetTitle(), len(seen))
					}
				}
			})

			testenv.Step(t, "the tally reads the same twice", func(t *testing.T) {
				if again := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally().GetTallyHash(); again != tallyHash {
					t.Errorf("tally hash %s, then %s", tallyHash, again)
				}
			})

			testenv.Step(t, "nothing is public before the announcement", func(t *testing.T) {
				for name, call := range map[string]func() error{
					"GetPublicResults": func() error {
						return testenv.ErrOf(anon.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
					},
					"ListPublicBallots": func() error {
						return testenv.ErrOf(anon.Results.ListPublicBallots(ctx, &v1.ListPublicBallotsRequest{Year: year}))
					},
					"ExportResults": func() error {
						return testenv.ErrOf(anon.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_JSON}))
					},
				} {
					if code := testenv.Code(call()); code != connect.CodeFailedPrecondition && code != connect.CodePermissionDenied {
						t.Errorf("%s in TALLIED = %v; want FAILED_PRECONDITION or PERMISSION_DENIED", name, code)
					}
				}
			})

			testenv.Step(t, "the announcement publishes the winner", func(t *testing.T) {
				testenv.ChangeStage(t, org, id, v1.Stage_STAGE_ANNOUNCED)
				res := testenv.Must(anon.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
				if res.GetEdition().GetId() != id || res.GetEdition().GetStage() != v1.Stage_STAGE_ANNOUNCED || len(res.GetCategories()) != 1 {
					t.Fatalf("GetPublicResults = %v; want the announced edition with one category", res)
				}
				winners := res.GetCategories()[0].GetNominations()
				if len(winners) != 1 {
					t.Fatalf("winners = %v; want A only", winners)
				}
				w := winners[0]
				if w.GetNomination().GetId() != nA.GetId() || w.GetNomination().GetCity().GetName() != r.Cities[0].GetName() ||
					w.GetNomination().GetPractice().GetTitle() != nA.GetPractice().GetTitle() || !w.GetWinner() || !isRat(w.GetScore(), 11, 3) {
					t.Errorf("winner = %v; want %q of %s at 11/3", w, nA.GetPractice().GetTitle(), r.Cities[0].GetName())
				}
				// The results carry the edition's criteria in order, in every language: no second call.
				var crits []string
				for _, c := range res.GetCriteria() {
					crits = append(crits, fmt.Sprintf("%d %s/%s", c.GetNumber(), c.GetNames()["pl"], c.GetNames()["en"]))
				}
				if want := "1 Skuteczność/Effectiveness"; strings.Join(crits, ", ") != want {
					t.Errorf("results' criteria = %v; want %s", crits, want)
				}
				// The results cite the log's latest signed checkpoint, the one GetCheckpoint serves.
				deadline := time.Now().Add(10 * time.Second)
				for res.GetCheckpoint() == "" && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
					res = testenv.Must(anon.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
				}
				cp := testenv.Must(anon.Audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})).GetCheckpoint()
				if res.GetCheckpoint() == "" || !strings.HasPrefix(res.GetCheckpoint(), strings.SplitN(cp, "\n", 2)[0]+"\n") {
					t.Errorf("results checkpoint = %q; want a signed checkpoint of the log %q", res.GetCheckpoint(), cp)
				}
			})

			testenv.Step(t, "the ballots are public under pseudonyms with the receipts' hashes", func(t *testing.T) {
				ballots, pages := publicBallots(t, anon, year, 2)
				if len(ballots) != 3 || len(pages) != 2 || pages[0] != 2 || pages[1] != 1 {
					t.Fatalf("ballots %d on pages %v; want 3 on pages of 2 and 1", len(ballots), pages)
				}
				seen := map[int]bool{}
				for _, b := range ballots {
					k, ok := label[b.GetJuror()]
					if !ok || seen[k] || b.GetJuror() != jurors[k].Assignment.GetPseudonym() || b.GetJuror() == names[k] {
						t.Errorf("ballot under %q; want a distinct juror's pseudonym", b.GetJuror())
						continue
					}
					seen[k] = true
					if b.GetBallotHash() != receipts[k] {
						t.Errorf("%s's ballot hash %s; want the receipt %s", names[k], b.GetBallotHash(), receipts[k])
					}
					if want := []*v1.Score{testenv.Mark(nA, crit, final[k][0]), testenv.Mark(nB, crit, final[k][1])}; !sameMarks(b.GetScores(), want) {
						t.Errorf("%s's public marks %v; want the last cast's %v", names[k], b.GetScores(), want)
					}
				}
			})

			testenv.Step(t, "the public results name jurors only by pseudonym", func(t *testing.T) {
				var texts []string
				res := testenv.Must(anon.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
				texts = append(texts, protojson.Format(res))
				ballots, _ := publicBallots(t, anon, year, 100)
				for _, b := range ballots {
					texts = append(texts, protojson.Format(b))
				}
				for _, f := range []v1.ExportFormat{v1.ExportFormat_EXPORT_FORMAT_JSON, v1.ExportFormat_EXPORT_FORMAT_CSV} {
					texts = append(texts, string(testenv.Must(anon.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: f})).GetContent()))
				}
				for _, text := range texts {
					for _, name := range names {
						if strings.Contains(text, name) {
							t.Errorf("public output names juror %q although the edition publishes pseudonyms", name)
						}
					}
				}
			})

			testenv.Step(t, "the results export as valid JSON with the full ranking", func(t *testing.T) {
				out := testenv.Must(anon.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_JSON}))
				if !strings.HasPrefix(out.GetContentType(), "application/json") || !json.Valid(out.GetContent()) {
					t.Fatalf("export = %q, valid JSON %v", out.GetContentType(), json.Valid(out.GetContent()))
				}
				var doc any
				_ = json.Unmarshal(out.GetContent(), &doc)
				strs := map[string]bool{}
				collectStrings(doc, strs)
				for _, n := range []*v1.Nomination{nA, nB} {
					if !strs[n.GetPractice().GetTitle()] {
						t.Errorf("JSON export lacks %q", n.GetPractice().GetTitle())
					}
				}
			})

			testenv.Step(t, "the results export as CSV: a header and a row per nomination", func(t *testing.T) {
				out := testenv.Must(anon.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_CSV}))
				if !strings.HasPrefix(out.GetContentType(), "text/csv") {
					t.Errorf("content type = %q; want text/csv", out.GetContentType())
				}
				rows, err := csv.NewReader(bytes.NewReader(out.GetContent())).ReadAll()
				if err != nil || len(rows) != 3 {
					t.Fatalf("CSV = %d rows (%v):\n%s; want a header and 2 rows", len(rows), err, out.GetContent())
				}
				for i, n := range []*v1.Nomination{nA, nB} {
					if !strings.Contains(strings.Join(rows[i+1], "\x00"), n.GetPractice().GetTitle()) {
						t.Errorf("CSV row %d = %q; want %q, ranked %d", i+1, rows[i+1], n.GetPractice().GetTitle(), i+1)
					}
				}
			})
		})
	}
}

func TestJurySecrecyBeforeTheRoundCloses(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	orgToken := env.Token(t, demo.OrganiserEmail)
	for _, protocol := range testenv.Protocols {
		t.Run(string(protocol), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(protocol, orgToken)
			anon := env.Clients(protocol, "")
			r, nA, nB := env.TwoCityShortlist(t, org, protocol)
			id, year := r.ID(), r.Edition.GetYear()
			crit := r.Criteria[0]
			// A 0–100 scale makes the secret juror's marks, 73 and 37, recognisable wherever they show.
			testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 100, 1, crit)}))
			secret := env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, r.Edition, "Wrocław"), fmt.Sprintf("juror.tajny.%d@miasta.test", year), "Amani Wanjiru")
			other := env.NewJuror(t, org, protocol, id, testenv.CityFor(t, org, r.Edition, "Lublin"), fmt.Sprintf("juror.inny.%d@miasta.test", year), "Kwame Owusu")
			testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
			const marker = "SEKRET7f3a"
			secretMarks := regexp.MustCompile(`"value":(73|37)\b`)
			// leaks names what of the secret juror's ballot text shows, with the text around it.
			leaks := func(text string) []string {
				var found []string
				if i := strings.Index(text, marker); i >= 0 {
					found = append(found, "the comment: …"+text[max(0, i-80):min(len(text), i+80)]+"…")
				}
				// protojson varies its whitespace on purpose; compare without it.
				flat := strings.Join(strings.Fields(text), "")
				if loc := secretMarks.FindStringIndex(flat); loc != nil {
					found = append(found, "the marks 73/37: …"+flat[max(0, loc[0]-160):min(len(flat), loc[1]+20)]+"…")
				}
				return found
			}

			testenv.Step(t, "both jurors save with comments and cast", func(t *testing.T) {
				b := testenv.Must(secret.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: []*v1.Score{testenv.Mark(nA, crit, 73), testenv.Mark(nB, crit, 37)},
					Comments: []*v1.NominationComment{{NominationId: nA.GetId(), Text: marker + ": tylko dla mnie — лише для мене"}}})).GetBallot()
				testenv.Must(secret.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
				b = testenv.Must(other.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: []*v1.Score{testenv.Mark(nA, crit, 50), testenv.Mark(nB, crit, 50)},
					Comments: []*v1.NominationComment{{NominationId: nA.GetId(), Text: "Inny komentarz"}}})).GetBallot()
				testenv.Must(other.Clients.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
			})

			testenv.Step(t, "the juror's own ballot holds the secret (the detector works)", func(t *testing.T) {
				own := exposure(reply(secret.Clients.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})))
				if got := leaks(own); len(got) != 2 {
					t.Fatalf("own ballot shows %q; want both the comment and the marks in:\n%s", got, own)
				}
			})

			type read struct {
				name string
				call func(c testenv.Clients) (proto.Message, error)
				// closed: must fail until the round closes (GetTally) or the results are announced.
				closed bool
			}
			reads := []read{
				{"GetBallot", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id}))
				}, false},
				{"ListBallotNominations", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: id}))
				}, false},
				{"GetJuryProgress", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Jury.GetJuryProgress(ctx, &v1.GetJuryProgressRequest{EditionId: id}))
				}, false},
				{"GetTallyRule", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.GetTallyRule(ctx, &v1.GetTallyRuleRequest{EditionId: id}))
				}, false},
				{"ListNominations", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id}))
				}, false},
				{"GetReport A", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: r.Cities[0].GetId()}))
				}, false},
				{"GetReport B", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: r.Cities[1].GetId()}))
				}, false},
				{"GetEdition", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: id}))
				}, false},
				{"GetTally", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id}))
				}, true},
				{"GetPublicResults", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: year}))
				}, true},
				{"ListPublicBallots", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.ListPublicBallots(ctx, &v1.ListPublicBallotsRequest{Year: year}))
				}, true},
				{"ExportResults JSON", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_JSON}))
				}, true},
				{"ExportResults CSV", func(c testenv.Clients) (proto.Message, error) {
					return reply(c.Results.ExportResults(ctx, &v1.ExportResultsRequest{Year: year, Format: v1.ExportFormat_EXPORT_FORMAT_CSV}))
				}, true},
			}
			readers := []struct {
				who string
				c   testenv.Clients
			}{{"organiser", org}, {"another juror", other.Clients}, {"expert", r.Experts[0]}, {"anonymous", anon}}
			// wantClosed checks a call that must fail; an anonymous caller of an organisers-only
			// procedure is asked to sign in instead.
			wantClosed := func(t *testing.T, who, name string, err error) {
				t.Helper()
				switch code := testenv.Code(err); {
				case code == connect.CodeFailedPrecondition || code == connect.CodePermissionDenied:
				case code == connect.CodeUnauthenticated && who == "anonymous":
				default:
					t.Errorf("%s %s = %v (%v); want FAILED_PRECONDITION or PERMISSION_DENIED", who, name, code, err)
				}
			}

			testenv.Step(t, "in the jury round no read reveals another juror's ballot", func(t *testing.T) {
				for _, rd := range readers {
					for _, call := range reads {
						m, err := call.call(rd.c)
						if found := leaks(exposure(m, err)); len(found) > 0 {
							t.Errorf("%s %s reveals %q", rd.who, call.name, found)
						}
						if call.closed {
							wantClosed(t, rd.who, call.name, err)
						}
					}
				}
			})

			testenv.Step(t, "after the close only the organiser's tally is open until the announcement", func(t *testing.T) {
				testenv.ChangeStage(t, org, id, v1.Stage_STAGE_TALLIED)
				for _, rd := range readers {
					for _, call := range reads {
						if !call.closed || call.name == "GetTally" && rd.who == "organiser" {
							continue
						}
						_, err := call.call(rd.c)
						wantClosed(t, rd.who, call.name, err)
					}
				}
			})
		})
	}
}

func TestJuryConcurrentCastsAndClose(t *testing.T) {
	t.Parallel()
	const n = 50
	env := testenv.Start(t, testenv.Options{})
	// Fifty concurrent HTTP/1.1 calls make the client dial spare connections that never carry a
	// request; the server counts those as busy for 5s, as long as its shutdown timeout. Closing them
	// (this cleanup runs before the server's) keeps shutdown prompt.
	t.Cleanup(func() { http.DefaultTransport.(*http.Transport).CloseIdleConnections() })
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	ctx := t.Context()
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id, year := r.ID(), r.Edition.GetYear()
	crit := r.Criteria[0]
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, crit)}))
	home := testenv.CityFor(t, org, r.Edition, "Białystok")
	jurors := make([]testenv.Juror, n)
	for i := range jurors {
		jurors[i] = env.NewJuror(t, org, testenv.Connect, id, home, fmt.Sprintf("lawnik.%02d.%d@miasta.test", i, year), fmt.Sprintf("Ławnik %02d", i))
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	for i, j := range jurors {
		testenv.Must(j.Clients.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, Scores: []*v1.Score{testenv.Mark(nA, crit, int32(i%6)), testenv.Mark(nB, crit, int32(i*7%6))}}))
	}
	rowsBefore := castRows(t, env)

	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	casts := make([]*v1.BallotCast, n)
	errs := make([]error, n)
	acked := make(chan int, n)
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for i := range jurors {
		wg.Go(func() {
			// Staggered, so that the close lands among the casts rather than before or after all.
			time.Sleep(time.Until(start.Add(time.Duration(i) * 4 * time.Millisecond)))
			resp, err := jurors[i].Clients.Jury.CastBallot(cctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: 1, RequestId: uuid.NewString()})
			casts[i], errs[i] = resp.GetCast(), err
			if err == nil {
				acked <- i
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	// Close once a fifth of the casts are acknowledged.
wait:
	for k := 0; k < n/5; k++ {
		select {
		case <-acked:
		case <-done:
			break wait
		case <-cctx.Done():
			t.Fatal("casts did not finish within a minute")
		}
	}
	// Casts are in flight: some jurors will not have cast when the close runs, as the organiser knows.
	_, closeErr := org.Editions.ChangeStage(cctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true, Reason: "the deadline has passed"})
	select {
	case <-done:
	case <-cctx.Done():
		t.Fatal("casts did not finish within a minute")
	}
	if closeErr != nil {
		t.Fatalf("closing the round during the casts: %v", closeErr)
	}

	receipts := map[string]string{} // receipt hash → juror
	ok, refusedN := 0, 0
	for i := range jurors {
		switch code := testenv.Code(errs[i]); code {
		case 0:
			ok++
			receipts[casts[i].GetReceipt().GetBallotHash()] = jurors[i].Name
		case connect.CodeFailedPrecondition:
			refusedN++
		default:
			t.Errorf("%s's cast = %v; want an acknowledgement or FAILED_PRECONDITION", jurors[i].Name, errs[i])
		}
	}
	t.Logf("%d casts acknowledged, %d refused by the close", ok, refusedN)
	if ok+refusedN != n {
		t.Errorf("acknowledged %d + refused %d != %d casts", ok, refusedN, n)
	}
	if got := castRows(t, env) - rowsBefore; got != ok {
		t.Errorf("%d casts stored; want the %d acknowledged", got, ok)
	}

	tally := testenv.Must(org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: id})).GetTally()
	for _, nom := range []*v1.Nomination{nA, nB} {
		labels := map[string]bool{}
		for _, jb := range tallied(t, tally, nom.GetId()).GetJurors() {
			labels[jb.GetJuror()] = true
		}
		for i, j := range jurors {
			counted := labels[j.Name] || labels[j.Assignment.GetPseudonym()]
			if (errs[i] == nil) != counted {
				t.Errorf("%s: cast acknowledged %v, in %q's breakdown %v", j.Name, errs[i] == nil, nom.GetPractice().GetTitle(), counted)
			}
		}
	}

	// The announcement recomputes the tally; a cast that slipped in after the close makes it differ.
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_ANNOUNCED}); err != nil {
		t.Fatalf("announcing after the concurrent close: %v", err)
	}
	ballots, _ := publicBallots(t, env.Clients(testenv.Connect, ""), year, 100)
	published := map[string]bool{}
	for _, b := range ballots {
		published[b.GetBallotHash()] = true
		if _, ok := receipts[b.GetBallotHash()]; !ok {
			t.Errorf("published ballot of %q has hash %s, no acknowledged receipt", b.GetJuror(), b.GetBallotHash())
		}
	}
	for h, who := range receipts {
		if !published[h] {
			t.Errorf("%s's acknowledged cast (%s) is not among the published ballots", who, h)
		}
	}
}

// TestProgressOfAJurorWhoIsAlsoAnExpert: a juror who reports on another city as an expert is recused
// from that city's nominations too, on their ballot and in the organiser's progress alike.
func TestProgressOfAJurorWhoIsAlsoAnExpert(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	home := testenv.CityFor(t, org, e, "Gdynia")
	r, _ := env.Shortlisted(t, org, testenv.Connect, e, []*v1.City{home}, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice(fmt.Sprintf("Praktyka %d", i), r.Categories[0], r.Criteria...)}
	})
	// The expert of the first city is the juror of the second: every nomination is one of their cities'.
	j := env.NewJuror(t, org, testenv.Connect, r.ID(), home, r.Emails[0], "Amani Otieno")
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: r.ID(), Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	for _, bn := range testenv.Must(j.Clients.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: r.ID()})).GetNominations() {
		if bn.GetRecusal().GetKind() != v1.RecusalKind_RECUSAL_KIND_HOME_CITY {
			t.Errorf("the juror sees %s (city %s) with recusal %v; want HOME_CITY", bn.GetNomination().GetId(), bn.GetNomination().GetCity().GetName(), bn.GetRecusal())
		}
	}
	wantStates(t, progress(t, org, r.ID())[j.Assignment.GetId()], map[string]v1.ProgressState{
		r.Categories[0].GetId(): v1.ProgressState_PROGRESS_STATE_RECUSED,
	})
}
