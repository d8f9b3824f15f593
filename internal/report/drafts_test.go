package report_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// edit replaces the whole of old (as a client holding old would say it).
func edit(old, text string) *v1.TextEdit {
	n := int32(utf8.RuneCountInString(old))
	return &v1.TextEdit{Start: 0, End: n, Text: text, OldLength: n}
}

// splice inserts text at code point at of old.
func splice(old string, at int32, text string) *v1.TextEdit {
	return &v1.TextEdit{Start: at, End: at, Text: text, OldLength: int32(utf8.RuneCountInString(old))}
}

func problemFields(r interface{ GetProblems() []*v1.FieldProblem }) map[string]*v1.FieldProblem {
	out := map[string]*v1.FieldProblem{}
	for _, p := range r.GetProblems() {
		k := p.GetField()
		if p.GetLink() > 0 {
			k += "#" + string(rune('0'+p.GetLink()))
		}
		out[k] = p
	}
	return out
}

// contentOf is a report's text without what the server adds around it (status, times, problems).
func contentOf(r *v1.Report) *v1.Report {
	return &v1.Report{Introduction: r.GetIntroduction(), Practices: r.GetPractices(), FollowUps: r.GetFollowUps()}
}

func TestDraftAlwaysSaves(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	id, city, expert := r.ID(), r.Cities[0].GetId(), r.Experts[0]
	cat, crit := r.Categories[0], r.Criteria[0]
	long := strings.Repeat("Integracja cudzoziemców w Łodzi — ", 3500)[:0] + strings.Repeat("ż", 100_001)
	var rep *v1.Report

	testenv.Step(t, "a draft with an empty title, an over-long narrative and bad links saves, each flagged", func(t *testing.T) {
		p := testenv.Practice("", cat, crit)
		p.Narratives[0].Text = long
		p.SinceYear = 1988
		p.EvidenceLinks = []string{"kraków.pl/aktualności", "HTTPS://XN--KRAKW-3TA.PL/aktualności", "https://www.gov.pl/web/udsc"}
		rep = testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, Practices: []*v1.Practice{p}})).GetReport()
		got := rep.GetPractices()[0]
		if got.GetNarratives()[0].GetText() != long {
			t.Fatalf("the narrative of %d characters was not saved whole", utf8.RuneCountInString(long))
		}
		if want := []string{"kraków.pl/aktualności", "https://kraków.pl/aktualności", "https://www.gov.pl/web/udsc"}; strings.Join(got.GetEvidenceLinks(), " ") != strings.Join(want, " ") {
			t.Errorf("links saved as %q; want %q (an IDN host in its Unicode form, the rest as typed)", got.GetEvidenceLinks(), want)
		}
		pf := problemFields(rep)
		for _, f := range []string{"title", "narratives", "since_year", "evidence_links#1"} {
			p, ok := pf[f]
			if !ok {
				t.Errorf("no problem for %s; problems: %v", f, rep.GetProblems())
				continue
			}
			if p.GetPracticeId() != got.GetId() || p.GetReasonId() == "" || p.GetReason() == "" {
				t.Errorf("problem %s = %v; want the practice's id, a reason and its catalogue key", f, p)
			}
		}
		if p := pf["narratives"]; p.GetCriterionId() != crit.GetId() || p.GetReasonArgs()["a0"] != "100001" || p.GetReasonArgs()["a1"] != "100000" {
			t.Errorf("narrative problem = %v; want the criterion and the counts 100001 of 100000", p)
		}
		if _, ok := pf["evidence_links#2"]; ok {
			t.Errorf("the normalised IDN link is flagged: %v", pf["evidence_links#2"])
		}
		if len(rep.GetProblems()) != 4 {
			t.Errorf("%d problems; want 4: %v", len(rep.GetProblems()), rep.GetProblems())
		}
	})

	testenv.Step(t, "submitting is refused while there are problems, and changes nothing", func(t *testing.T) {
		err := env.Refused(t, connect.CodeFailedPrecondition, "practices[0].title", func() error {
			return testenv.ErrOf(expert.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion()}))
		})
		if !strings.Contains(err.Error(), "4 things must be fixed") {
			t.Errorf("refusal %q does not say how many things to fix", err)
		}
	})

	var added string
	testenv.Step(t, "a save of changes sends only the edits and answers without the report", func(t *testing.T) {
		p := rep.GetPractices()[0]
		nar := p.GetNarratives()[0].GetText()
		req := &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Changes: &v1.ReportChanges{Changes: []*v1.ReportChange{
			{Change: &v1.ReportChange_Introduction{Introduction: splice("", 0, "Wstęp — Łódź.")}},
			{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{
				Id:            p.GetId(),
				Title:         edit("", "Punkt konsultacyjny"),
				SinceYear:     proto.Int32(2015),
				EvidenceLinks: &v1.EvidenceLinks{Links: []string{"https://kraków.pl/aktualności", "https://www.gov.pl/web/udsc"}},
				Narratives:    []*v1.NarrativeChange{{CriterionId: crit.GetId(), Text: &v1.TextEdit{Start: 100_000, End: 100_001, Text: "", OldLength: int32(utf8.RuneCountInString(nar))}}},
			}}},
			{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{Key: "nowa", CategoryId: proto.String(cat.GetId()), Title: edit("", "Druga praktyka"), Description: splice("", 0, "Opis drugiej.")}}},
			{Change: &v1.ReportChange_Order{Order: &v1.PracticeOrder{Practices: []*v1.PracticeRef{{Ref: &v1.PracticeRef_Key{Key: "nowa"}}, {Ref: &v1.PracticeRef_Id{Id: p.GetId()}}}}}},
		}}}
		if n := proto.Size(req); n > 2000 {
			t.Errorf("the request is %d bytes; a save of changes should be small", n)
		}
		resp := testenv.Must(expert.Reports.SaveReport(ctx, req))
		if resp.GetReport() != nil || resp.GetVersion() != rep.GetVersion()+1 || len(resp.GetAdded()) != 1 || resp.GetAdded()[0].GetKey() != "nowa" {
			t.Fatalf("response = %v; want no report, the next version and the new practice's id", resp)
		}
		added = resp.GetAdded()[0].GetId()
		if len(resp.GetProblems()) != 0 {
			t.Errorf("problems after fixing them: %v", resp.GetProblems())
		}
		rep = testenv.Must(expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
		ps := rep.GetPractices()
		if rep.GetIntroduction() != "Wstęp — Łódź." || len(ps) != 2 || ps[0].GetId() != added || ps[0].GetTitle() != "Druga praktyka" || ps[1].GetTitle() != "Punkt konsultacyjny" ||
			ps[1].GetSinceYear() != 2015 || ps[1].GetNarratives()[0].GetText() != long[:len(long)-2] || ps[0].GetCategoryId() != cat.GetId() {
			t.Errorf("after the changes: intro %q, practices %v", rep.GetIntroduction(), ps)
		}
	})

	testenv.Step(t, "an edit made on another text than the saved one is a conflict, with the current report", func(t *testing.T) {
		err := env.Refused(t, connect.CodeAborted, testenv.AnyField, func() error {
			return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Changes: &v1.ReportChanges{Changes: []*v1.ReportChange{
				{Change: &v1.ReportChange_Introduction{Introduction: splice("Wstęp", 5, "!")}},
			}}}))
		})
		if got := conflictReport(t, err); got.GetIntroduction() != rep.GetIntroduction() {
			t.Errorf("conflict carries %q; want the saved introduction", got.GetIntroduction())
		}
	})

	bad := []struct {
		name   string
		change *v1.ReportChange
		field  string
	}{
		{"edit beyond the text", &v1.ReportChange{Change: &v1.ReportChange_Introduction{Introduction: &v1.TextEdit{Start: 3, End: 99, OldLength: 13}}}, "changes.changes[0].introduction"},
		{"unknown practice", &v1.ReportChange{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{Id: "0b9d5a4e-6f1c-4c1e-9d59-3b2d2a3f0e11", Title: edit("", "x")}}}, "changes.changes[0].practice.id"},
		{"new practice without a category", &v1.ReportChange{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{Key: "k"}}}, "changes.changes[0].practice.category_id"},
		{"order missing a practice", &v1.ReportChange{Change: &v1.ReportChange_Order{Order: &v1.PracticeOrder{Practices: []*v1.PracticeRef{{Ref: &v1.PracticeRef_Id{Id: added}}}}}}, "changes.changes[0].order"},
		{"remove an unknown practice", &v1.ReportChange{Change: &v1.ReportChange_RemovePractice{RemovePractice: "0b9d5a4e-6f1c-4c1e-9d59-3b2d2a3f0e11"}}, "changes.changes[0].remove_practice"},
		{"a javascript link", &v1.ReportChange{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{Id: added, EvidenceLinks: &v1.EvidenceLinks{Links: []string{"javascript:alert(1)"}}}}}, "changes.changes[0].practice.evidence_links[0]"},
		{"a title over two lines", &v1.ReportChange{Change: &v1.ReportChange_Practice{Practice: &v1.PracticeChange{Id: added, Title: edit("Druga praktyka", "a\nb")}}}, "changes.changes[0].practice.title"},
		{"a narrative beyond what a draft holds", &v1.ReportChange{Change: &v1.ReportChange_Introduction{Introduction: splice("Wstęp — Łódź.", 0, strings.Repeat("a", 999_990))}}, "introduction"},
	}
	for _, b := range bad {
		testenv.Step(t, "refused: "+b.name, func(t *testing.T) {
			env.Refused(t, connect.CodeInvalidArgument, b.field, func() error {
				return testenv.ErrOf(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Changes: &v1.ReportChanges{Changes: []*v1.ReportChange{b.change}}}))
			})
		})
	}

	// Enough saves of changes to pass a stored whole copy, each remembered to compare with the history.
	seen := map[int64]*v1.Report{rep.GetVersion(): rep}
	testenv.Step(t, "sixty saves of changes, a removal and a restore", func(t *testing.T) {
		for i := range 60 {
			resp := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Changes: &v1.ReportChanges{Changes: []*v1.ReportChange{
				{Change: &v1.ReportChange_Introduction{Introduction: splice(rep.GetIntroduction(), int32(utf8.RuneCountInString(rep.GetIntroduction())), " ż"+string(rune('a'+i%26)))}},
			}}}))
			rep = testenv.Must(expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
			if rep.GetVersion() != resp.GetVersion() {
				t.Fatalf("version %d after a save answering %d", rep.GetVersion(), resp.GetVersion())
			}
			seen[rep.GetVersion()] = rep
		}
		resp := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Changes: &v1.ReportChanges{Changes: []*v1.ReportChange{
			{Change: &v1.ReportChange_RemovePractice{RemovePractice: added}},
		}}}))
		rep = testenv.Must(expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
		seen[resp.GetVersion()] = rep
		if len(rep.GetPractices()) != 1 {
			t.Fatalf("after the removal %d practices; want 1", len(rep.GetPractices()))
		}
	})

	testenv.Step(t, "every version lists and rebuilds exactly as it was saved", func(t *testing.T) {
		var versions []*v1.ReportVersion
		token := ""
		for {
			page := testenv.Must(org.Reports.ListReportVersions(ctx, &v1.ListReportVersionsRequest{EditionId: id, CityId: city, PageSize: 25, PageToken: token}))
			versions = append(versions, page.GetVersions()...)
			if token = page.GetNextPageToken(); token == "" {
				break
			}
		}
		if int64(len(versions)) != rep.GetVersion() || versions[0].GetVersion() != rep.GetVersion() || versions[len(versions)-1].GetVersion() != 1 {
			t.Fatalf("%d versions listed, newest %d; want all %d, newest first", len(versions), versions[0].GetVersion(), rep.GetVersion())
		}
		for v, want := range seen {
			got := testenv.Must(expert.Reports.GetReportVersion(ctx, &v1.GetReportVersionRequest{EditionId: id, CityId: city, Version: v})).GetReport()
			if !proto.Equal(contentOf(got), contentOf(want)) || got.GetVersion() != v {
				t.Fatalf("version %d rebuilds as %v; it was saved as %v", v, contentOf(got), contentOf(want))
			}
		}
	})

	testenv.Step(t, "restoring a version brings back the removed practice as a new version", func(t *testing.T) {
		var before int64
		for v, s := range seen {
			if len(s.GetPractices()) == 2 && (before == 0 || v < before) {
				before = v
			}
		}
		restored := testenv.Must(expert.Reports.RestoreReportVersion(ctx, &v1.RestoreReportVersionRequest{EditionId: id, CityId: city, Version: before, ExpectedVersion: rep.GetVersion()})).GetReport()
		if restored.GetVersion() != rep.GetVersion()+1 || !proto.Equal(contentOf(restored), contentOf(seen[before])) {
			t.Fatalf("restored v%d = %v; want v%d's content as v%d", before, contentOf(restored), before, rep.GetVersion()+1)
		}
		vs := testenv.Must(expert.Reports.ListReportVersions(ctx, &v1.ListReportVersionsRequest{EditionId: id, CityId: city, PageSize: 1})).GetVersions()
		if vs[0].GetKind() != v1.ReportVersionKind_REPORT_VERSION_KIND_RESTORE || vs[0].GetRestoredFrom() != before || vs[0].GetBy() != "expert" {
			t.Errorf("newest version = %v; want the restore of v%d by the expert", vs[0], before)
		}
		rep = restored
	})

	testenv.Step(t, "the history is the expert's and the organisers': another expert is refused", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(r.Experts[1].Reports.ListReportVersions(ctx, &v1.ListReportVersionsRequest{EditionId: id, CityId: city}))
		})
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(r.Experts[1].Reports.RestoreReportVersion(ctx, &v1.RestoreReportVersionRequest{EditionId: id, CityId: city, Version: 1, ExpectedVersion: rep.GetVersion()}))
		})
		env.Refused(t, connect.CodeNotFound, "version", func() error {
			return testenv.ErrOf(org.Reports.GetReportVersion(ctx, &v1.GetReportVersionRequest{EditionId: id, CityId: city, Version: rep.GetVersion() + 5}))
		})
	})

	testenv.Step(t, "once fixed it submits, and the submission is a version too", func(t *testing.T) {
		sub := testenv.Must(expert.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion()})).GetReport()
		vs := testenv.Must(org.Reports.ListReportVersions(ctx, &v1.ListReportVersionsRequest{EditionId: id, CityId: city, PageSize: 1})).GetVersions()
		if vs[0].GetVersion() != sub.GetVersion() || vs[0].GetKind() != v1.ReportVersionKind_REPORT_VERSION_KIND_STATUS || vs[0].GetStatus() != v1.ReportStatus_REPORT_STATUS_SUBMITTED {
			t.Errorf("newest version = %v; want the submission", vs[0])
		}
		got := testenv.Must(org.Reports.GetReportVersion(ctx, &v1.GetReportVersionRequest{EditionId: id, CityId: city, Version: sub.GetVersion()})).GetReport()
		if !proto.Equal(contentOf(got), contentOf(sub)) {
			t.Errorf("the submitted version rebuilds as %v; want %v", contentOf(got), contentOf(sub))
		}
	})
}

func TestReportPDF(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	id, city, expert := r.ID(), r.Cities[0].GetId(), r.Experts[0]
	p := testenv.Practice("Punkt konsultacyjny dla cudzoziemców — Łódź", r.Categories[0], r.Criteria[0])
	end := "i na tym kończy się opis: zażółć gęślą jaźń."
	p.Narratives[0].Text = strings.Repeat("Opis działania punktu, krok po kroku. ", 2000) + end
	rep := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, Introduction: "Wstęp raportu.", Practices: []*v1.Practice{p}})).GetReport()

	for _, tc := range []struct{ lang, heading string }{{"pl", "Praktyki"}, {"en", "Practices"}, {"uk", "Практики"}, {"es", "Prácticas"}, {"vi", "Các hoạt động"}} {
		testenv.Step(t, "the expert downloads the report as a PDF in "+tc.lang, func(t *testing.T) {
			res := testenv.Must(expert.Reports.ExportReportPdf(ctx, &v1.ExportReportPdfRequest{EditionId: id, CityId: city, Language: tc.lang}))
			if res.GetContentType() != "application/pdf" || !strings.HasSuffix(res.GetFilename(), "-v1.pdf") || !bytesHasPrefix(res.GetContent(), "%PDF-") {
				t.Fatalf("export = %s %q (%d bytes); want a PDF named for the version", res.GetContentType(), res.GetFilename(), len(res.GetContent()))
			}
			text := pdfText(t, res.GetContent())
			for _, want := range []string{r.Cities[0].GetName(), "Wstęp raportu.", p.GetTitle(), tc.heading, end} {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF's text lacks %q", want)
				}
			}
		})
	}
	testenv.Step(t, "an older version exports too; another city's expert is refused", func(t *testing.T) {
		testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, ExpectedVersion: rep.GetVersion(), Introduction: "Nowy wstęp.", Practices: rep.GetPractices()}))
		res := testenv.Must(org.Reports.ExportReportPdf(ctx, &v1.ExportReportPdfRequest{EditionId: id, CityId: city, Version: 1}))
		if text := pdfText(t, res.GetContent()); !strings.Contains(text, "Wstęp raportu.") || strings.Contains(text, "Nowy wstęp.") {
			t.Errorf("version 1's PDF does not hold version 1's introduction")
		}
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(r.Experts[1].Reports.ExportReportPdf(ctx, &v1.ExportReportPdfRequest{EditionId: id, CityId: city}))
		})
		env.Refused(t, connect.CodeInvalidArgument, "language", func() error {
			return testenv.ErrOf(expert.Reports.ExportReportPdf(ctx, &v1.ExportReportPdfRequest{EditionId: id, CityId: city, Language: "de"}))
		})
	})
}

func bytesHasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// pdfText is the text of a PDF as poppler's pdftotext reads it (an independent reader), with
// whitespace collapsed so that wrapped lines compare as running text.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian's poppler-utils; make test installs it): %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
