package report_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/event"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// conflictReport returns the current report an ABORTED save carries.
func conflictReport(t *testing.T, err error) *v1.Report {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%v is not a Connect error", err)
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if derr != nil {
			continue
		}
		if c, ok := v.(*v1.ReportConflict); ok {
			return c.GetCurrent()
		}
	}
	t.Fatalf("ABORTED without a ReportConflict detail: %v", err)
	return nil
}

// samePractices checks that got holds want in order, byte for byte, each with a UUID id that is the
// one sent, if one was.
func samePractices(t *testing.T, got []*v1.Practice, want ...*v1.Practice) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d practices; want %d: %v", len(got), len(want), got)
	}
	ids := map[string]bool{}
	for i := range want {
		if _, err := uuid.Parse(got[i].GetId()); err != nil {
			t.Errorf("practice %d id %q is not a UUID", i, got[i].GetId())
		}
		if want[i].GetId() != "" && got[i].GetId() != want[i].GetId() {
			t.Errorf("practice %d id = %q; sent with %q, it keeps it", i, got[i].GetId(), want[i].GetId())
		}
		ids[got[i].GetId()] = true
		g, w := proto.CloneOf(got[i]), proto.CloneOf(want[i])
		g.Id, w.Id = "", ""
		if !proto.Equal(g, w) {
			t.Errorf("practice %d = %v; want %v", i, g, w)
		}
	}
	if len(ids) != len(want) {
		t.Errorf("practice ids are not distinct: %v", got)
	}
}

// statuses returns the organiser's list of report statuses by city id.
func statuses(t *testing.T, r *testenv.Reporting) map[string]*v1.ReportStatusSummary {
	t.Helper()
	list := testenv.Must(r.Org.Reports.ListReportStatuses(t.Context(), &v1.ListReportStatusesRequest{EditionId: r.ID()})).GetReports()
	out := map[string]*v1.ReportStatusSummary{}
	for _, s := range list {
		if out[s.GetCity().GetId()] != nil {
			t.Errorf("city %s listed twice", s.GetCity().GetName())
		}
		out[s.GetCity().GetId()] = s
	}
	if len(out) != len(r.Cities) {
		t.Fatalf("ListReportStatuses lists %d cities; want one per reporting city (%d): %v", len(out), len(r.Cities), list)
	}
	return out
}

// nominationIDs lists an edition's nominations (all pages of size 1, to walk the paging) by id.
func nominationIDs(t *testing.T, c testenv.Clients, editionID, categoryID string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	token := ""
	for range 10 {
		resp := testenv.Must(c.Reports.ListNominations(t.Context(), &v1.ListNominationsRequest{EditionId: editionID, CategoryId: categoryID, PageSize: 1, PageToken: token}))
		if len(resp.GetNominations()) > 1 {
			t.Fatalf("page of size 1 holds %d nominations", len(resp.GetNominations()))
		}
		for _, n := range resp.GetNominations() {
			if out[n.GetId()] {
				t.Errorf("nomination %s on two pages", n.GetId())
			}
			out[n.GetId()] = true
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out
		}
	}
	t.Fatalf("ListNominations did not end after 10 pages")
	return nil
}

// sameIDs reports whether got holds exactly the ids of want.
func sameIDs(got map[string]bool, want ...*v1.Nomination) bool {
	if len(got) != len(want) {
		return false
	}
	for _, n := range want {
		if !got[n.GetId()] {
			return false
		}
	}
	return true
}

func TestReportFullFlow(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	orgToken := env.Token(t, demo.OrganiserEmail)
	for _, protocol := range testenv.Protocols {
		t.Run(string(protocol), func(t *testing.T) {
			ctx := t.Context()
			org := env.Clients(protocol, orgToken)
			r := env.ReportingEdition(t, org, protocol, 48*time.Hour)
			id := r.ID()
			A, B := r.Cities[0], r.Cities[1]
			expertA, expertB := r.Experts[0], r.Experts[1]
			cat1, cat2 := r.Categories[0], r.Categories[1]
			crit1, crit2 := r.Criteria[0], r.Criteria[1]
			getA := &v1.GetReportRequest{EditionId: id, CityId: A.GetId()}
			var rep, repB *v1.Report

			testenv.Step(t, "the expert holds the role the invitation made", func(t *testing.T) {
				me := testenv.Must(expertA.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
				if me.GetOrganiser() || len(me.GetAssignments()) != 1 {
					t.Fatalf("GetMe = %v; want one assignment and no organiser", me)
				}
				a := me.GetAssignments()[0]
				if a.GetRole() != v1.Role_ROLE_EXPERT || a.GetEditionId() != id || a.GetCity().GetName() != A.GetName() || a.GetEditionYear() != r.Edition.GetYear() {
					t.Errorf("assignment = %v; want expert for %s in %d", a, A.GetName(), r.Edition.GetYear())
				}
			})

			testenv.Step(t, "an unsaved report is empty at version 0", func(t *testing.T) {
				for who, c := range map[string]testenv.Clients{"expert": expertA, "organiser": org} {
					got := testenv.Must(c.Reports.GetReport(ctx, getA)).GetReport()
					if got.GetStatus() != v1.ReportStatus_REPORT_STATUS_NOT_STARTED || got.GetVersion() != 0 ||
						got.GetIntroduction() != "" || len(got.GetPractices()) != 0 || len(got.GetFollowUps()) != 0 ||
						got.GetCity().GetId() != A.GetId() || got.GetEditionId() != id {
						t.Errorf("%s GetReport = %v; want an empty NOT_STARTED report of %s at version 0", who, got, A.GetName())
					}
				}
			})

			testenv.Step(t, "statuses list every city as not started, page by page", func(t *testing.T) {
				first := testenv.Must(org.Reports.ListReportStatuses(ctx, &v1.ListReportStatusesRequest{EditionId: id, PageSize: 1}))
				second := testenv.Must(org.Reports.ListReportStatuses(ctx, &v1.ListReportStatusesRequest{EditionId: id, PageSize: 1, PageToken: first.GetNextPageToken()}))
				if len(first.GetReports()) != 1 || first.GetNextPageToken() == "" || len(second.GetReports()) != 1 || second.GetNextPageToken() != "" ||
					first.GetReports()[0].GetCity().GetId() == second.GetReports()[0].GetCity().GetId() {
					t.Errorf("pages = %v / %v; want one city each, then no token", first, second)
				}
				for _, s := range statuses(t, r) {
					if s.GetStatus() != v1.ReportStatus_REPORT_STATUS_NOT_STARTED || s.GetVersion() != 0 || s.GetPracticeCount() != 0 || s.GetSubmitTime() != nil {
						t.Errorf("status of %s = %v; want NOT_STARTED at version 0", s.GetCity().GetName(), s)
					}
				}
			})

			intro := "Łódź — zażółć gęślą jaźń. Київ: інтеграція. Nguyễn Thị Lan."
			p1 := testenv.Practice("Київ: інтеграція — punkt konsultacyjny", cat1, crit1, crit2)
			p2 := testenv.Practice("Nguyễn Thị Lan — tư vấn pháp lý", cat2, crit2)
			testenv.Step(t, "the expert saves a draft with two practices in Polish, Ukrainian and Vietnamese", func(t *testing.T) {
				before := env.EventCount(t)
				rep = testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{
					EditionId: id, CityId: A.GetId(), ExpectedVersion: 0, Introduction: intro, Practices: []*v1.Practice{p1, p2},
				})).GetReport()
				env.Appended(t, before, event.ReportSaved)
				if rep.GetVersion() != 1 || rep.GetStatus() != v1.ReportStatus_REPORT_STATUS_DRAFT || rep.GetIntroduction() != intro {
					t.Errorf("SaveReport = v%d %v %q; want v1 DRAFT %q", rep.GetVersion(), rep.GetStatus(), rep.GetIntroduction(), intro)
				}
				samePractices(t, rep.GetPractices(), p1, p2)
				got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport()
				if got.GetVersion() != 1 || got.GetIntroduction() != intro || got.GetUpdateTime() == nil {
					t.Errorf("GetReport after save = v%d %q; want v1 %q with an update time", got.GetVersion(), got.GetIntroduction(), intro)
				}
				samePractices(t, got.GetPractices(), rep.GetPractices()...)
			})

			testenv.Step(t, "of two editors the one who saves second gets the winner's report", func(t *testing.T) {
				tab1, tab2 := expertA, env.Clients(protocol, env.Token(t, r.Emails[0]))
				read1 := testenv.Must(tab1.Reports.GetReport(ctx, getA)).GetReport()
				read2 := testenv.Must(tab2.Reports.GetReport(ctx, getA)).GetReport()
				if read1.GetVersion() != 1 || read2.GetVersion() != 1 {
					t.Fatalf("both editors read versions %d and %d; want 1", read1.GetVersion(), read2.GetVersion())
				}
				winner := "Wersja z pierwszej karty — перша вкладка"
				before := env.EventCount(t)
				won := testenv.Must(tab1.Reports.SaveReport(ctx, &v1.SaveReportRequest{
					EditionId: id, CityId: A.GetId(), ExpectedVersion: read1.GetVersion(), Introduction: winner, Practices: read1.GetPractices(),
				})).GetReport()
				env.Appended(t, before, event.ReportSaved)
				if won.GetVersion() != 2 || won.GetIntroduction() != winner {
					t.Fatalf("first save = v%d %q; want v2 %q", won.GetVersion(), won.GetIntroduction(), winner)
				}
				samePractices(t, won.GetPractices(), read1.GetPractices()...)

				err := env.Refused(t, connect.CodeAborted, testenv.AnyField, func() error {
					return testenv.ErrOf(tab2.Reports.SaveReport(ctx, &v1.SaveReportRequest{
						EditionId: id, CityId: A.GetId(), ExpectedVersion: read2.GetVersion(), Introduction: "Wersja z drugiej karty", Practices: read2.GetPractices()[:1],
					}))
				})
				current := conflictReport(t, err)
				if current.GetVersion() != 2 || current.GetIntroduction() != winner || len(current.GetPractices()) != 2 {
					t.Errorf("conflict carries v%d %q with %d practices; want the winner's v2", current.GetVersion(), current.GetIntroduction(), len(current.GetPractices()))
				}
				rep = testenv.Must(tab2.Reports.GetReport(ctx, getA)).GetReport()
				if rep.GetVersion() != 2 || rep.GetIntroduction() != winner || len(rep.GetPractices()) != 2 {
					t.Errorf("after the conflict the report is v%d %q with %d practices; want the winner's", rep.GetVersion(), rep.GetIntroduction(), len(rep.GetPractices()))
				}
			})

			testenv.Step(t, "of simultaneous saves of one version exactly one wins", func(t *testing.T) {
				// A few rounds of four writers, so that a missing lock shows up reliably.
				for round := range 3 {
					texts := make([]string, 4)
					errs := make([]error, len(texts))
					start := make(chan struct{})
					var wg sync.WaitGroup
					for i := range texts {
						texts[i] = fmt.Sprintf("Runda %d, karta %d — вкладка %d", round, i, i)
						wg.Go(func() {
							<-start
							_, errs[i] = expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{
								EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion(), Introduction: texts[i], Practices: rep.GetPractices(),
							})
						})
					}
					close(start)
					wg.Wait()
					winner := ""
					for i, err := range errs {
						switch testenv.Code(err) {
						case 0:
							if winner != "" {
								t.Fatalf("round %d: two saves of version %d succeeded", round, rep.GetVersion())
							}
							winner = texts[i]
						case connect.CodeAborted:
						default:
							t.Fatalf("round %d: save %d = %v; want success or ABORTED", round, i, err)
						}
					}
					if winner == "" {
						t.Fatalf("round %d: no save succeeded: %v", round, errs)
					}
					got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport()
					if got.GetVersion() != rep.GetVersion()+1 || got.GetIntroduction() != winner {
						t.Fatalf("round %d: report = v%d %q; want v%d %q", round, got.GetVersion(), got.GetIntroduction(), rep.GetVersion()+1, winner)
					}
					rep = got
				}
			})

			testenv.Step(t, "a stale version cannot be submitted", func(t *testing.T) {
				env.Refused(t, connect.CodeAborted, testenv.AnyField, func() error {
					return testenv.ErrOf(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion() - 1}))
				})
			})

			testenv.Step(t, "the expert submits", func(t *testing.T) {
				before := env.EventCount(t)
				sub := testenv.Must(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion()})).GetReport()
				env.Appended(t, before, event.ReportSubmitted)
				if sub.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED || sub.GetVersion() != rep.GetVersion()+1 || sub.GetSubmitTime() == nil {
					t.Errorf("SubmitReport = %v v%d submitted %v; want SUBMITTED v%d with a submit time", sub.GetStatus(), sub.GetVersion(), sub.GetSubmitTime(), rep.GetVersion()+1)
				}
				rep = sub
			})

			testenv.Step(t, "a submitted report is read-only", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion(), Introduction: "Poprawka po wysłaniu", Practices: rep.GetPractices()}))
				})
				if got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport(); got.GetIntroduction() != rep.GetIntroduction() || got.GetVersion() != rep.GetVersion() {
					t.Errorf("report after a refused save = v%d %q; want v%d %q", got.GetVersion(), got.GetIntroduction(), rep.GetVersion(), rep.GetIntroduction())
				}
			})

			testenv.Step(t, "statuses show the submission", func(t *testing.T) {
				s := statuses(t, r)
				a, b := s[A.GetId()], s[B.GetId()]
				if a.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED || a.GetVersion() != rep.GetVersion() || a.GetPracticeCount() != 2 ||
					a.GetSubmitTime() == nil || a.GetUpdateTime() == nil || a.GetReturnTime() != nil || a.GetAcceptTime() != nil {
					t.Errorf("status of %s = %v; want SUBMITTED v%d, 2 practices, a submit time only", A.GetName(), a, rep.GetVersion())
				}
				if b.GetStatus() != v1.ReportStatus_REPORT_STATUS_NOT_STARTED {
					t.Errorf("status of %s = %v; want NOT_STARTED", B.GetName(), b)
				}
			})

			testenv.Step(t, "another city's expert cannot read a submitted report", func(t *testing.T) {
				env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(expertB.Reports.GetReport(ctx, getA)) })
			})

			comment := "Proszę dopisać rezultaty — будь ласка, додайте результати."
			testenv.Step(t, "the organiser returns it with a comment", func(t *testing.T) {
				before := env.EventCount(t)
				ret := testenv.Must(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion(), Comment: comment})).GetReport()
				env.Appended(t, before, event.ReportReturned)
				if ret.GetStatus() != v1.ReportStatus_REPORT_STATUS_RETURNED || ret.GetReturnComment() != comment || ret.GetVersion() <= rep.GetVersion() || ret.GetReturnTime() == nil {
					t.Errorf("ReturnReport = %v v%d %q; want RETURNED after v%d with the comment and a return time", ret.GetStatus(), ret.GetVersion(), ret.GetReturnComment(), rep.GetVersion())
				}
				rep = ret
			})

			testenv.Step(t, "the expert sees it returned, corrects and resubmits", func(t *testing.T) {
				got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport()
				if got.GetStatus() != v1.ReportStatus_REPORT_STATUS_RETURNED || got.GetReturnComment() != comment || got.GetVersion() != rep.GetVersion() {
					t.Fatalf("expert reads %v v%d %q; want RETURNED v%d with the comment", got.GetStatus(), got.GetVersion(), got.GetReturnComment(), rep.GetVersion())
				}
				corrected := got.GetIntroduction() + " Rezultaty: 120 osób — 120 осіб."
				before := env.EventCount(t)
				saved := testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: got.GetVersion(), Introduction: corrected, Practices: got.GetPractices()})).GetReport()
				env.Appended(t, before, event.ReportSaved)
				if saved.GetStatus() != v1.ReportStatus_REPORT_STATUS_RETURNED || saved.GetVersion() != got.GetVersion()+1 || saved.GetIntroduction() != corrected {
					t.Errorf("save of a returned report = %v v%d %q; want it still RETURNED at v%d", saved.GetStatus(), saved.GetVersion(), saved.GetIntroduction(), got.GetVersion()+1)
				}
				before = env.EventCount(t)
				sub := testenv.Must(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
				env.Appended(t, before, event.ReportSubmitted)
				if sub.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED || sub.GetVersion() != saved.GetVersion()+1 {
					t.Errorf("resubmission = %v v%d; want SUBMITTED v%d", sub.GetStatus(), sub.GetVersion(), saved.GetVersion()+1)
				}
				rep = sub
			})

			testenv.Step(t, "statuses show the return", func(t *testing.T) {
				a := statuses(t, r)[A.GetId()]
				if a.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED || a.GetReturnTime() == nil || a.GetSubmitTime() == nil || a.GetVersion() != rep.GetVersion() {
					t.Errorf("status of %s = %v; want SUBMITTED v%d with return and submit times", A.GetName(), a, rep.GetVersion())
				}
			})

			pB := testenv.Practice("Gdańska rada imigrantów i imigrantek", cat2, crit1)
			testenv.Step(t, "the other city reports too", func(t *testing.T) {
				saved := testenv.Must(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), Introduction: "Raport drugiego miasta", Practices: []*v1.Practice{pB}})).GetReport()
				repB = testenv.Must(expertB.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
			})

			testenv.Step(t, "nominating waits for the review stage", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: rep.GetPractices()[0].GetId()}))
				})
			})

			testenv.Step(t, "the organiser accepts both reports", func(t *testing.T) {
				accept := func(sub *v1.Report) *v1.Report {
					before := env.EventCount(t)
					acc := testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: sub.GetCity().GetId(), ExpectedVersion: sub.GetVersion()})).GetReport()
					env.Appended(t, before, event.ReportAccepted)
					if acc.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED || acc.GetAcceptTime() == nil || acc.GetVersion() <= sub.GetVersion() {
						t.Errorf("AcceptReport %s = %v v%d; want ACCEPTED after v%d with an accept time", sub.GetCity().GetName(), acc.GetStatus(), acc.GetVersion(), sub.GetVersion())
					}
					return acc
				}
				rep, repB = accept(rep), accept(repB)
				for _, s := range statuses(t, r) {
					if s.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED || s.GetAcceptTime() == nil || s.GetSubmitTime() == nil {
						t.Errorf("status of %s = %v; want ACCEPTED with submit and accept times", s.GetCity().GetName(), s)
					}
				}
			})

			testenv.Step(t, "another city's expert reads an accepted report", func(t *testing.T) {
				got := testenv.Must(expertB.Reports.GetReport(ctx, getA)).GetReport()
				if got.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED || got.GetIntroduction() != rep.GetIntroduction() {
					t.Errorf("expert B reads %v %q; want the accepted report", got.GetStatus(), got.GetIntroduction())
				}
				samePractices(t, got.GetPractices(), rep.GetPractices()...)
			})

			testenv.Step(t, "an accepted report is read-only", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: rep.GetVersion(), Introduction: "Po akceptacji"}))
				})
			})

			testenv.Step(t, "reporting moves to review", func(t *testing.T) {
				before := env.EventCount(t)
				e := testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW})).GetEdition()
				env.Appended(t, before, event.EditionStageChanged)
				if e.GetStage() != v1.Stage_STAGE_REVIEW {
					t.Fatalf("stage = %v; want REVIEW", e.GetStage())
				}
			})

			practiceA1, practiceA2 := rep.GetPractices()[0], rep.GetPractices()[1] // categories 1 and 2
			var own, moved *v1.Nomination
			testenv.Step(t, "a practice is nominated in its own category", func(t *testing.T) {
				before := env.EventCount(t)
				own = testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: practiceA1.GetId()})).GetNomination()
				env.Appended(t, before, event.Nominated)
				if own.GetCategoryId() != cat1.GetId() || own.GetRecategoriseReason() != "" || own.GetPractice().GetId() != practiceA1.GetId() ||
					own.GetPractice().GetTitle() != practiceA1.GetTitle() || own.GetCity().GetId() != A.GetId() || own.GetEditionId() != id {
					t.Errorf("Nominate = %v; want %s's practice in category 1 without a reason", own, A.GetName())
				}
			})

			testenv.Step(t, "another category needs a reason", func(t *testing.T) {
				env.Refused(t, connect.CodeInvalidArgument, "reason", func() error {
					return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: practiceA2.GetId(), CategoryId: cat1.GetId()}))
				})
			})

			reason := "Porady prawne są częścią punktu — це частина пункту."
			testenv.Step(t, "with a reason a practice competes in another category", func(t *testing.T) {
				before := env.EventCount(t)
				moved = testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: practiceA2.GetId(), CategoryId: cat1.GetId(), Reason: reason})).GetNomination()
				env.Appended(t, before, event.Nominated)
				if moved.GetCategoryId() != cat1.GetId() || moved.GetRecategoriseReason() != reason || moved.GetPractice().GetCategoryId() != cat2.GetId() {
					t.Errorf("Nominate = %v; want category 1 with the reason, the practice still of category 2", moved)
				}
			})

			testenv.Step(t, "a practice is nominated once", func(t *testing.T) {
				env.Refused(t, connect.CodeAlreadyExists, "practice_id", func() error {
					return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: practiceA1.GetId()}))
				})
			})

			testenv.Step(t, "a nomination is withdrawn", func(t *testing.T) {
				before := env.EventCount(t)
				extra := testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repB.GetPractices()[0].GetId()})).GetNomination()
				env.Appended(t, before, event.Nominated)
				if got := nominationIDs(t, org, id, cat2.GetId()); !sameIDs(got, extra) {
					t.Errorf("category 2 lists %v; want only %s", got, extra.GetId())
				}
				before = env.EventCount(t)
				testenv.Must(org.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: extra.GetId(), Reason: "Dublet — duplicate"}))
				env.Appended(t, before, event.Unnominated)
			})

			testenv.Step(t, "the shortlist lists the nominations by category", func(t *testing.T) {
				if got := nominationIDs(t, org, id, ""); !sameIDs(got, own, moved) {
					t.Errorf("ListNominations = %v; want %s and %s", got, own.GetId(), moved.GetId())
				}
				if got := nominationIDs(t, org, id, cat1.GetId()); !sameIDs(got, own, moved) {
					t.Errorf("category 1 lists %v; want both nominations", got)
				}
				if got := nominationIDs(t, org, id, cat2.GetId()); len(got) != 0 {
					t.Errorf("category 2 lists %v; want none after the withdrawal", got)
				}
			})

			testenv.Step(t, "experts see no shortlist before the jury", func(t *testing.T) {
				env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
					return testenv.ErrOf(expertA.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id}))
				})
			})

			testenv.Step(t, "review moves to jury with every report accepted", func(t *testing.T) {
				before := env.EventCount(t)
				e := testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY})).GetEdition()
				env.Appended(t, before, event.EditionStageChanged)
				if e.GetStage() != v1.Stage_STAGE_JURY {
					t.Fatalf("stage = %v; want JURY", e.GetStage())
				}
			})

			testenv.Step(t, "the shortlist is frozen in the jury stage", func(t *testing.T) {
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repB.GetPractices()[0].GetId()}))
				})
				env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
					return testenv.ErrOf(org.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: own.GetId(), Reason: "za późno"}))
				})
			})

			testenv.Step(t, "experts see the shortlist in the jury stage", func(t *testing.T) {
				if got := nominationIDs(t, expertB, id, ""); !sameIDs(got, own, moved) {
					t.Errorf("expert's ListNominations = %v; want both nominations", got)
				}
			})
		})
	}
}

func TestReportDeadline(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 2*time.Second)
	id := r.ID()
	A, B := r.Cities[0], r.Cities[1]
	expertA, expertB := r.Experts[0], r.Experts[1]
	var repA, repB *v1.Report

	testenv.Step(t, "before the deadline one city submits and the other saves a draft", func(t *testing.T) {
		saved := testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), Practices: []*v1.Practice{testenv.Practice("Na czas", r.Categories[0], r.Criteria[0])}})).GetReport()
		repA = testenv.Must(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
		repB = testenv.Must(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), Practices: []*v1.Practice{testenv.Practice("Za późno", r.Categories[0], r.Criteria[0])}})).GetReport()
		if time.Now().After(r.Deadline) {
			t.Fatalf("set-up took past the %v deadline; the rest would test nothing", r.Deadline)
		}
	})

	testenv.Step(t, "after the deadline a first submission is refused", func(t *testing.T) {
		// The server enforces the deadline with its own clock, which is this machine's.
		for limit := time.Now().Add(3 * time.Second); !time.Now().After(r.Deadline.Add(100 * time.Millisecond)); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(limit) {
				t.Fatalf("the deadline %v did not pass within 3s", r.Deadline)
			}
		}
		err := env.Refused(t, connect.CodeFailedPrecondition, "timeline.reporting_deadline", func() error {
			return testenv.ErrOf(expertB.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion()}))
		})
		if !strings.Contains(strings.ToLower(err.Error()), "deadline") {
			t.Errorf("message %q does not mention the deadline", err.Error())
		}
		if got := testenv.Must(expertB.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: B.GetId()})).GetReport(); got.GetStatus() != v1.ReportStatus_REPORT_STATUS_DRAFT || got.GetVersion() != repB.GetVersion() {
			t.Errorf("report after the refusal = %v v%d; want DRAFT v%d", got.GetStatus(), got.GetVersion(), repB.GetVersion())
		}
	})

	// resubmit has the organiser return A's report and its expert save and submit it again.
	resubmit := func(t *testing.T) {
		ret := testenv.Must(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Comment: "Popraw, proszę"})).GetReport()
		saved := testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: ret.GetVersion(), Introduction: "Poprawione", Practices: ret.GetPractices()})).GetReport()
		if saved.GetStatus() != v1.ReportStatus_REPORT_STATUS_RETURNED {
			t.Errorf("saved returned report = %v; want RETURNED", saved.GetStatus())
		}
		before := env.EventCount(t)
		repA = testenv.Must(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
		env.Appended(t, before, event.ReportSubmitted)
		if repA.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED {
			t.Errorf("resubmission = %v; want SUBMITTED", repA.GetStatus())
		}
	}
	testenv.Step(t, "a returned report is resubmitted after the deadline", resubmit)

	testenv.Step(t, "in review a returned report is saved and resubmitted", func(t *testing.T) {
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW}))
		resubmit(t)
	})

	testenv.Step(t, "in review a draft is read-only and cannot be submitted", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
			return testenv.ErrOf(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion(), Introduction: "W przeglądzie"}))
		})
		env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
			return testenv.ErrOf(expertB.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion()}))
		})
	})
}

func TestReportAccessAcrossCitiesAndEditions(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	id := r.ID()
	A, B := r.Cities[0], r.Cities[1]
	expertA, expertB := r.Experts[0], r.Experts[1]
	juror := env.Invite(t, org, testenv.Connect, id, v1.Role_ROLE_JUROR, B, fmt.Sprintf("juror.%d@miasta.test", r.Edition.GetYear()))
	// A also reports in a second edition, where another person is its expert.
	other := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour, A)
	otherExpertA := other.Experts[1]
	var repA, repB *v1.Report

	testenv.Step(t, "both cities save drafts", func(t *testing.T) {
		repA = testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), Introduction: "Tajny szkic A", Practices: []*v1.Practice{testenv.Practice("Praktyka A", r.Categories[0], r.Criteria[0])}})).GetReport()
		repB = testenv.Must(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), Introduction: "Tajny szkic B", Practices: []*v1.Practice{testenv.Practice("Praktyka B", r.Categories[1], r.Criteria[1])}})).GetReport()
	})

	getA := &v1.GetReportRequest{EditionId: id, CityId: A.GetId()}
	denied := []struct {
		name string
		call func() error
	}{
		{"expert reads another city's report", func() error {
			return testenv.ErrOf(expertA.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: B.GetId()}))
		}},
		{"expert saves another city's report", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion(), Introduction: "przejęte"}))
		}},
		{"expert submits another city's report", func() error {
			return testenv.ErrOf(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion()}))
		}},
		{"expert reads their city's report in an edition where they have no role", func() error {
			return testenv.ErrOf(expertA.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: other.ID(), CityId: A.GetId()}))
		}},
		{"expert saves their city's report in an edition where they have no role", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: other.ID(), CityId: A.GetId(), Introduction: "obca edycja"}))
		}},
		{"expert submits their city's report in an edition where they have no role", func() error {
			return testenv.ErrOf(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: other.ID(), CityId: A.GetId(), ExpectedVersion: 1}))
		}},
		{"the city's expert in another edition reads this edition's draft", func() error {
			return testenv.ErrOf(otherExpertA.Reports.GetReport(ctx, getA))
		}},
		{"the city's expert in another edition saves this edition's draft", func() error {
			return testenv.ErrOf(otherExpertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}},
		{"juror reads a draft", func() error { return testenv.ErrOf(juror.Reports.GetReport(ctx, getA)) }},
		{"juror saves a report", func() error {
			return testenv.ErrOf(juror.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}},
		{"organiser saves a report", func() error {
			return testenv.ErrOf(org.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Introduction: "redakcja"}))
		}},
		{"organiser submits a report", func() error {
			return testenv.ErrOf(org.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}},
		{"expert lists report statuses", func() error {
			return testenv.ErrOf(expertA.Reports.ListReportStatuses(ctx, &v1.ListReportStatusesRequest{EditionId: id}))
		}},
		{"expert returns a report", func() error {
			return testenv.ErrOf(expertA.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Comment: "sam sobie"}))
		}},
		{"expert accepts a report", func() error {
			return testenv.ErrOf(expertA.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}},
		{"expert nominates", func() error {
			return testenv.ErrOf(expertA.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repA.GetPractices()[0].GetId()}))
		}},
		{"juror unnominates", func() error {
			return testenv.ErrOf(juror.Reports.Unnominate(ctx, &v1.UnnominateRequest{NominationId: uuid.NewString()}))
		}},
		{"expert lists nominations before the jury", func() error {
			return testenv.ErrOf(expertA.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id}))
		}},
		{"juror lists nominations before the jury", func() error {
			return testenv.ErrOf(juror.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id}))
		}},
	}
	for _, tc := range denied {
		testenv.Step(t, tc.name, func(t *testing.T) { env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, tc.call) })
	}

	testenv.Step(t, "each expert reads their own report and the organiser reads both", func(t *testing.T) {
		if got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport(); got.GetIntroduction() != repA.GetIntroduction() {
			t.Errorf("expert A reads %q; want %q", got.GetIntroduction(), repA.GetIntroduction())
		}
		for _, want := range []*v1.Report{repA, repB} {
			got := testenv.Must(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: want.GetCity().GetId()})).GetReport()
			if got.GetIntroduction() != want.GetIntroduction() || got.GetStatus() != v1.ReportStatus_REPORT_STATUS_DRAFT {
				t.Errorf("organiser reads %s as %v %q; want the DRAFT %q", want.GetCity().GetName(), got.GetStatus(), got.GetIntroduction(), want.GetIntroduction())
			}
		}
	})

	testenv.Step(t, "a submitted report stays private until accepted", func(t *testing.T) {
		repA = testenv.Must(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()})).GetReport()
		for who, c := range map[string]testenv.Clients{"other city's expert": expertB, "juror": juror, "other edition's expert": otherExpertA} {
			t.Run(who, func(t *testing.T) {
				env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(c.Reports.GetReport(ctx, getA)) })
			})
		}
		if got := testenv.Must(expertA.Reports.GetReport(ctx, getA)).GetReport(); got.GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED {
			t.Errorf("own submitted report reads as %v", got.GetStatus())
		}
	})

	testenv.Step(t, "once accepted other experts and jurors of the edition read it", func(t *testing.T) {
		repA = testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()})).GetReport()
		for who, c := range map[string]testenv.Clients{"other city's expert": expertB, "juror": juror} {
			got := testenv.Must(c.Reports.GetReport(ctx, getA)).GetReport()
			if got.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED || got.GetIntroduction() != repA.GetIntroduction() {
				t.Errorf("%s reads %v %q; want the accepted report", who, got.GetStatus(), got.GetIntroduction())
			}
		}
	})

	testenv.Step(t, "an accepted report stays this edition's until its results are announced", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(otherExpertA.Reports.GetReport(ctx, getA)) })
		otherJuror := env.Invite(t, org, testenv.Connect, other.ID(), v1.Role_ROLE_JUROR, B, fmt.Sprintf("juror.inna.%d@miasta.test", other.Edition.GetYear()))
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(otherJuror.Reports.GetReport(ctx, getA)) })
	})

	testenv.Step(t, "reading an accepted report gives no right to write it", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Introduction: "przejęte"}))
		})
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(juror.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: B.GetId()}))
		})
	})

	testenv.Step(t, "an edition stepped back to DRAFT is the organisers' again", func(t *testing.T) {
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_DRAFT, Reason: "Zmiana kategorii."}))
		for who, c := range map[string]testenv.Clients{"other city's expert": expertB, "juror": juror, "other edition's expert": otherExpertA} {
			t.Run(who, func(t *testing.T) {
				env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error { return testenv.ErrOf(c.Reports.GetReport(ctx, getA)) })
			})
		}
		for who, c := range map[string]testenv.Clients{"organiser": org, "the city's expert": expertA} {
			if got := testenv.Must(c.Reports.GetReport(ctx, getA)).GetReport(); got.GetStatus() != v1.ReportStatus_REPORT_STATUS_ACCEPTED {
				t.Errorf("%s reads the report as %v", who, got.GetStatus())
			}
		}
	})
}

// distinguish marks a nomination distinguished. Choosing winners is the jury's (stage 2), which is
// not built yet, so the test sets the flag in the database where that work will.
func distinguish(t *testing.T, env *testenv.Env, nominationID string) {
	t.Helper()
	tag, err := env.App.Pool.Exec(t.Context(), `UPDATE nominations SET distinguished = true WHERE id = $1`, nominationID)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("distinguishing nomination %s: %v (%d rows)", nominationID, err, tag.RowsAffected())
	}
}

func TestReportFollowUpsFromPreviousEditionWinners(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	prev := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	A, B := prev.Cities[0], prev.Cities[1]
	var winner, notDistinguished, otherCity *v1.Nomination
	var winnerPractice *v1.Practice

	testenv.Step(t, "the previous edition runs to the jury with nominations", func(t *testing.T) {
		repA := testenv.AcceptedReport(t, prev, 0,
			testenv.Practice("Punkt informacyjny — Інформаційний пункт", prev.Categories[0], prev.Criteria[0]),
			testenv.Practice("Lớp tiếng Ba Lan cho người mới đến", prev.Categories[1], prev.Criteria[1]))
		repB := testenv.AcceptedReport(t, prev, 1, testenv.Practice("Rada imigrantów", prev.Categories[1], prev.Criteria[0]))
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: prev.ID(), Stage: v1.Stage_STAGE_REVIEW}))
		winnerPractice = repA.GetPractices()[0]
		nominate := func(p *v1.Practice) *v1.Nomination {
			return testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: prev.ID(), PracticeId: p.GetId()})).GetNomination()
		}
		winner, notDistinguished, otherCity = nominate(winnerPractice), nominate(repA.GetPractices()[1]), nominate(repB.GetPractices()[0])
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: prev.ID(), Stage: v1.Stage_STAGE_JURY}))
		distinguish(t, env, winner.GetId())
		distinguish(t, env, otherCity.GetId())
	})

	var next *testenv.Reporting
	testenv.Step(t, "a new edition follows the previous one with the same cities", func(t *testing.T) {
		year := testenv.NextYear() // SeedEdition's counter: later than prev, and unique
		e := testenv.Must(org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: year, Name: fmt.Sprintf("Edycja %d", year), PreviousEditionId: prev.ID()})).GetEdition()
		if e.GetPreviousEditionId() != prev.ID() {
			t.Fatalf("previous_edition_id = %q; want %q", e.GetPreviousEditionId(), prev.ID())
		}
		testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 1, NamePl: "Przestrzeń przyjazna imigrantom", NameEn: "Immigrant-friendly space"}))
		testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
		for _, c := range []*v1.City{A, B} {
			testenv.Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: c.GetId()}))
		}
		next = env.OpenReporting(t, org, testenv.Connect, e, []*v1.City{A, B}, 48*time.Hour)
	})

	getA := &v1.GetReportRequest{EditionId: next.ID(), CityId: A.GetId()}
	testenv.Step(t, "the city's distinguished practice is pre-filled as a follow-up", func(t *testing.T) {
		for who, c := range map[string]testenv.Clients{"expert": next.Experts[0], "organiser": org} {
			got := testenv.Must(c.Reports.GetReport(ctx, getA)).GetReport()
			if got.GetStatus() != v1.ReportStatus_REPORT_STATUS_NOT_STARTED || got.GetVersion() != 0 || len(got.GetFollowUps()) != 1 {
				t.Fatalf("%s GetReport = %v; want NOT_STARTED v0 with one follow-up", who, got)
			}
			fu := got.GetFollowUps()[0]
			if fu.GetPreviousNominationId() != winner.GetId() || fu.GetPreviousTitle() != winnerPractice.GetTitle() ||
				fu.GetPreviousCategoryName() != prev.Categories[0].GetNamePl() ||
				fu.GetOutcome() != v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_UNSPECIFIED || fu.GetNarrative() != "" {
				t.Errorf("%s sees follow-up %v; want nomination %s, %q in %q, no outcome yet", who, fu, winner.GetId(), winnerPractice.GetTitle(), prev.Categories[0].GetNamePl())
			}
		}
	})

	testenv.Step(t, "each city follows up only its own distinguished practices", func(t *testing.T) {
		got := testenv.Must(next.Experts[1].Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: next.ID(), CityId: B.GetId()})).GetReport()
		if len(got.GetFollowUps()) != 1 || got.GetFollowUps()[0].GetPreviousNominationId() != otherCity.GetId() {
			t.Errorf("%s follow-ups = %v; want only nomination %s", B.GetName(), got.GetFollowUps(), otherCity.GetId())
		}
	})

	for _, tc := range []struct {
		name string
		nom  *v1.Nomination
	}{{"a follow-up of another city's practice is refused", otherCity}, {"a follow-up of a practice not distinguished is refused", notDistinguished}} {
		testenv.Step(t, tc.name, func(t *testing.T) {
			env.Refused(t, connect.CodeInvalidArgument, "follow_ups[0].previous_nomination_id", func() error {
				return testenv.ErrOf(next.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: next.ID(), CityId: A.GetId(), FollowUps: []*v1.FollowUp{{
					PreviousNominationId: tc.nom.GetId(), Outcome: v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_CONTINUED, Narrative: "nie nasza",
				}}}))
			})
		})
	}

	testenv.Step(t, "the expert reports what became of it", func(t *testing.T) {
		narrative := "Punkt działa teraz w trzech dzielnicach — тепер у трьох районах — nay ở ba quận."
		before := env.EventCount(t)
		saved := testenv.Must(next.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: next.ID(), CityId: A.GetId(), FollowUps: []*v1.FollowUp{{
			PreviousNominationId: winner.GetId(), Outcome: v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED, Narrative: narrative,
		}}})).GetReport()
		env.Appended(t, before, event.ReportSaved)
		want := &v1.FollowUp{
			PreviousNominationId: winner.GetId(), PreviousTitle: winnerPractice.GetTitle(), PreviousCategoryName: prev.Categories[0].GetNamePl(),
			Outcome: v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED, Narrative: narrative,
		}
		if saved.GetVersion() != 1 || len(saved.GetFollowUps()) != 1 || !proto.Equal(saved.GetFollowUps()[0], want) {
			t.Errorf("SaveReport = v%d follow-ups %v; want v1 with %v", saved.GetVersion(), saved.GetFollowUps(), want)
		}
		got := testenv.Must(org.Reports.GetReport(ctx, getA)).GetReport()
		if len(got.GetFollowUps()) != 1 || !proto.Equal(got.GetFollowUps()[0], want) {
			t.Errorf("GetReport follow-ups = %v; want %v", got.GetFollowUps(), want)
		}
	})
}

func TestOpeningJuryNeedsAcceptedReportsOrOverride(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	id := r.ID()
	A, B := r.Cities[0], r.Cities[1]
	juror := env.Invite(t, org, testenv.Connect, id, v1.Role_ROLE_JUROR, A, fmt.Sprintf("juror.%d@miasta.test", r.Edition.GetYear()))
	var repA, repB *v1.Report
	toJury := func(override bool, reason string) func() error {
		return func() error {
			return testenv.ErrOf(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY, OverrideUnacceptedReports: override, Reason: reason}))
		}
	}
	const overrideReason = "Łódź spóźniła się; zarząd zdecydował — рішення правління."

	testenv.Step(t, "one report is accepted, the other only submitted, and review opens", func(t *testing.T) {
		repA = testenv.AcceptedReport(t, r, 0, testenv.Practice("Zaakceptowana", r.Categories[0], r.Criteria[0]))
		saved := testenv.Must(r.Experts[1].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), Practices: []*v1.Practice{testenv.Practice("Niezaakceptowana", r.Categories[0], r.Criteria[0])}})).GetReport()
		repB = testenv.Must(r.Experts[1].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW}))
	})

	testenv.Step(t, "even an override does not open the jury without a nomination", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, toJury(true, overrideReason))
	})

	testenv.Step(t, "a practice of an unaccepted report cannot be nominated", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "practice_id", func() error {
			return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repB.GetPractices()[0].GetId()}))
		})
	})

	testenv.Step(t, "a practice of the accepted report is nominated", func(t *testing.T) {
		testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repA.GetPractices()[0].GetId()}))
	})

	testenv.Step(t, "the jury does not open over an unaccepted report", func(t *testing.T) {
		err := env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, toJury(false, ""))
		if !strings.Contains(err.Error(), B.GetName()) {
			t.Errorf("message %q does not name %s, whose report is not accepted", err.Error(), B.GetName())
		}
		if strings.Contains(err.Error(), A.GetName()) {
			t.Errorf("message %q names %s, whose report is accepted", err.Error(), A.GetName())
		}
	})

	testenv.Step(t, "an override needs a reason", func(t *testing.T) {
		env.Refused(t, connect.CodeInvalidArgument, "reason", toJury(true, ""))
	})

	testenv.Step(t, "jurors see no shortlist before the jury", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(juror.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id}))
		})
	})

	testenv.Step(t, "with an override and a reason the jury opens", func(t *testing.T) {
		before := env.EventCount(t)
		e := testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY, OverrideUnacceptedReports: true, Reason: overrideReason})).GetEdition()
		env.Appended(t, before, event.EditionStageChanged)
		if e.GetStage() != v1.Stage_STAGE_JURY {
			t.Fatalf("stage = %v; want JURY", e.GetStage())
		}
	})

	testenv.Step(t, "jurors see the shortlist once the jury opens", func(t *testing.T) {
		got := testenv.Must(juror.Reports.ListNominations(ctx, &v1.ListNominationsRequest{EditionId: id})).GetNominations()
		if len(got) != 1 || got[0].GetPractice().GetId() != repA.GetPractices()[0].GetId() {
			t.Errorf("juror's ListNominations = %v; want the one nomination", got)
		}
	})
}

func TestReportBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	// Another edition's category, criterion and city: real ids that are not this edition's.
	other := testenv.SeedEdition(t, org)
	otherCategory := testenv.Must(org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: other.GetId()})).GetCategories()[0]
	otherCriterion := testenv.Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: other.GetId()})).GetCriteria()[0]
	otherCity := other.GetCities()[0]
	id := r.ID()
	A, B := r.Cities[0], r.Cities[1]
	expertA, expertB := r.Experts[0], r.Experts[1]
	unknown := uuid.NewString()
	var repA, repB *v1.Report

	testenv.Step(t, "a first save may not choose its practices' ids", func(t *testing.T) {
		chosen := testenv.Practice("Własny identyfikator", r.Categories[0], r.Criteria[0])
		chosen.Id = unknown
		env.Refused(t, connect.CodeInvalidArgument, "practices[0].id", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), Practices: []*v1.Practice{chosen}}))
		})
		if got := testenv.Must(expertA.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: A.GetId()})).GetReport(); got.GetStatus() != v1.ReportStatus_REPORT_STATUS_NOT_STARTED {
			t.Fatalf("after the refused first save the report is %v; want NOT_STARTED", got.GetStatus())
		}
	})

	testenv.Step(t, "one city has a draft at version 2, the other a draft without practices", func(t *testing.T) {
		first := testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), Practices: []*v1.Practice{testenv.Practice("Pierwsza", r.Categories[0], r.Criteria[0])}})).GetReport()
		repA = testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: first.GetVersion(), Introduction: "Wstęp", Practices: first.GetPractices()})).GetReport()
		repB = testenv.Must(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), Introduction: "Bez praktyk"})).GetReport()
		if repA.GetVersion() != 2 || repB.GetVersion() != 1 {
			t.Fatalf("versions %d and %d; want 2 and 1", repA.GetVersion(), repB.GetVersion())
		}
	})

	// saveA saves A's current draft with its practice changed by edit.
	saveA := func(edit func(p *v1.Practice)) error {
		p := proto.CloneOf(repA.GetPractices()[0])
		edit(p)
		return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Practices: []*v1.Practice{p}}))
	}
	cases := []struct {
		name      string
		call      func() error
		code      connect.Code
		field     string
		inMessage string
	}{
		{"practice in another edition's category", func() error {
			return saveA(func(p *v1.Practice) { p.CategoryId = otherCategory.GetId() })
		}, connect.CodeInvalidArgument, "practices[0].category_id", ""},
		{"practice in an unknown category", func() error {
			return saveA(func(p *v1.Practice) { p.CategoryId = unknown })
		}, connect.CodeInvalidArgument, "practices[0].category_id", ""},
		{"narrative on another edition's criterion", func() error {
			return saveA(func(p *v1.Practice) { p.Narratives[0].CriterionId = otherCriterion.GetId() })
		}, connect.CodeInvalidArgument, "practices[0].narratives[0].criterion_id", ""},
		// A draft holds what cannot be submitted yet (TestDraftAlwaysSaves); these are beyond what it holds.
		{"title beyond what a draft holds", func() error {
			return saveA(func(p *v1.Practice) { p.Title = strings.Repeat("ż", 10001) })
		}, connect.CodeInvalidArgument, "practices[0].title", ""},
		{"title on two lines", func() error {
			return saveA(func(p *v1.Practice) { p.Title = "Dwie\nlinie" })
		}, connect.CodeInvalidArgument, "practices[0].title", ""},
		{"javascript evidence link", func() error {
			return saveA(func(p *v1.Practice) { p.EvidenceLinks = []string{"javascript:alert(1)"} })
		}, connect.CodeInvalidArgument, "practices[0].evidence_links[0]", ""},
		{"data evidence link after an empty line", func() error {
			return saveA(func(p *v1.Practice) { p.EvidenceLinks = []string{"", " DATA:text/html,<script>alert(1)</script>"} })
		}, connect.CodeInvalidArgument, "practices[0].evidence_links[1]", "data:"},
		{"malformed practice id", func() error {
			return saveA(func(p *v1.Practice) { p.Id = "praktyka-1" })
		}, connect.CodeInvalidArgument, "practices[0].id", ""},
		{"practice id the server never assigned", func() error {
			return saveA(func(p *v1.Practice) { p.Id = unknown })
		}, connect.CodeInvalidArgument, "practices[0].id", "the server assigns practice ids"},
		{"practice id chosen in a report without practices", func() error {
			p := testenv.Practice("Nowa", r.Categories[0], r.Criteria[0])
			p.Id = unknown
			return testenv.ErrOf(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion(), Practices: []*v1.Practice{p}}))
		}, connect.CodeInvalidArgument, "practices[0].id", "the server assigns practice ids"},
		{"another report's practice id", func() error {
			p := proto.CloneOf(repA.GetPractices()[0])
			return testenv.ErrOf(expertB.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion(), Practices: []*v1.Practice{p}}))
		}, connect.CodeInvalidArgument, "practices[0].id", "another report"},
		{"start year of five digits", func() error {
			return saveA(func(p *v1.Practice) { p.SinceYear = 20155 })
		}, connect.CodeInvalidArgument, "practices[0].since_year", ""},
		{"follow-up the server did not pre-fill", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Practices: repA.GetPractices(),
				FollowUps: []*v1.FollowUp{{PreviousNominationId: unknown, Outcome: v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_CONTINUED}}}))
		}, connect.CodeInvalidArgument, "follow_ups[0].previous_nomination_id", ""},
		{"stale version on save", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion() - 1, Introduction: "stara karta"}))
		}, connect.CodeAborted, testenv.AnyField, ""},
		{"negative version", func() error {
			return testenv.ErrOf(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: -1}))
		}, connect.CodeInvalidArgument, "expected_version", ""},
		{"stale version on submit", func() error {
			return testenv.ErrOf(expertA.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion() - 1}))
		}, connect.CodeAborted, testenv.AnyField, ""},
		{"submit without practices", func() error {
			return testenv.ErrOf(expertB.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: B.GetId(), ExpectedVersion: repB.GetVersion()}))
		}, connect.CodeFailedPrecondition, "practices", ""},
		{"return a draft", func() error {
			return testenv.ErrOf(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Comment: "?"}))
		}, connect.CodeFailedPrecondition, testenv.AnyField, ""},
		{"accept a draft", func() error {
			return testenv.ErrOf(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}, connect.CodeFailedPrecondition, testenv.AnyField, ""},
		{"return without a comment", func() error {
			return testenv.ErrOf(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion()}))
		}, connect.CodeInvalidArgument, "comment", ""},
		{"report of a city that does not report in the edition", func() error {
			return testenv.ErrOf(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: otherCity.GetId()}))
		}, connect.CodeNotFound, "city_id", ""},
		{"report in an unknown edition", func() error {
			return testenv.ErrOf(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: unknown, CityId: A.GetId()}))
		}, connect.CodeNotFound, "edition_id", ""},
		{"malformed city id", func() error {
			return testenv.ErrOf(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: "Łódź"}))
		}, connect.CodeInvalidArgument, "city_id", ""},
		{"nominate while reporting", func() error {
			return testenv.ErrOf(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: repA.GetPractices()[0].GetId()}))
		}, connect.CodeFailedPrecondition, testenv.AnyField, ""},
		{"statuses page size too large", func() error {
			return testenv.ErrOf(org.Reports.ListReportStatuses(ctx, &v1.ListReportStatusesRequest{EditionId: id, PageSize: 101}))
		}, connect.CodeInvalidArgument, "page_size", ""},
		{"statuses with a bad page token", func() error {
			return testenv.ErrOf(org.Reports.ListReportStatuses(ctx, &v1.ListReportStatusesRequest{EditionId: id, PageToken: "!!"}))
		}, connect.CodeInvalidArgument, "page_token", ""},
	}
	for _, tc := range cases {
		testenv.Step(t, tc.name, func(t *testing.T) {
			err := env.Refused(t, tc.code, tc.field, tc.call)
			if !strings.Contains(err.Error(), tc.inMessage) {
				t.Errorf("message %q does not say %q", err.Error(), tc.inMessage)
			}
			if strings.Contains(strings.ToLower(err.Error()), "sql") || strings.Contains(err.Error(), "pgx") {
				t.Errorf("message leaks the database: %q", err.Error())
			}
		})
	}

	testenv.Step(t, "the refused calls left both drafts as they were", func(t *testing.T) {
		for _, want := range []*v1.Report{repA, repB} {
			got := testenv.Must(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: want.GetCity().GetId()})).GetReport()
			if got.GetVersion() != want.GetVersion() || got.GetStatus() != v1.ReportStatus_REPORT_STATUS_DRAFT || got.GetIntroduction() != want.GetIntroduction() || len(got.GetFollowUps()) != 0 {
				t.Errorf("%s = %v v%d %q; want the DRAFT v%d %q", want.GetCity().GetName(), got.GetStatus(), got.GetVersion(), got.GetIntroduction(), want.GetVersion(), want.GetIntroduction())
			}
			samePractices(t, got.GetPractices(), want.GetPractices()...)
		}
	})

	testenv.Step(t, "a title of exactly 300 characters is fine", func(t *testing.T) {
		title := strings.Repeat("ż", 300)
		saved := testenv.Must(expertA.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: A.GetId(), ExpectedVersion: repA.GetVersion(), Practices: []*v1.Practice{testenv.Practice(title, r.Categories[0], r.Criteria[0])}})).GetReport()
		if len(saved.GetPractices()) != 1 || saved.GetPractices()[0].GetTitle() != title {
			t.Errorf("saved practices = %v; want the 300-character title", saved.GetPractices())
		}
	})
}
