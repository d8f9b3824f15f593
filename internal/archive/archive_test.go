package archive_test

import (
	"crypto/sha256"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// announcedDemo starts the platform, seeds the demo edition (2016) and plays it to the announcement
// through the API as `miasta demo` does; it returns the environment and an anonymous archive client.
func announcedDemo(t *testing.T) (*testenv.Env, miastav1connect.ArchiveServiceClient, map[string]demo.Clients) {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	o := demo.People[0]
	principal, err := env.App.Identity.SignIn(ctx, auth.Claims{Issuer: env.Issuer, Subject: demo.Subject(o.Email), Email: o.Email, EmailVerified: true, Name: o.Name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, env.App.Editions, env.App.Identity, principal, time.Now()); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	clients := map[string]demo.Clients{}
	for _, p := range demo.People {
		clients[p.Email] = demo.NewClients(hc, env.URL, env.Token(t, p.Email))
	}
	if _, err := demo.Walk(ctx, clients, io.Discard); err != nil {
		t.Fatal(err)
	}
	return env, miastav1connect.NewArchiveServiceClient(hc, env.URL), clients
}

func jsonOf(t *testing.T, m proto.Message) string {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestArchive reads the announced demo edition as an anonymous reader: the list of editions, the
// full ranking with scales and the score distribution, a city and a practice with its translation,
// and checks that what is not public (drafts, an edition not announced, review comments, conflict
// reasons, unpublished files) is nowhere in the answers, while bad ids get InvalidArgument.
func TestArchive(t *testing.T) {
	t.Parallel()
	env, arch, clients := announcedDemo(t)
	ctx := t.Context()
	pool := env.App.Pool

	// Secrets planted where only organisers read: a review comment on an accepted report, a juror's
	// conflict reason, and an unpublished file of a distinguished practice (beside a published one).
	const secret = "TAJNE-uwagi-organizatora"
	if _, err := pool.Exec(ctx, `UPDATE reports SET return_comment = $1`, secret+" komentarz"); err != nil {
		t.Fatal(err)
	}
	var winnerPractice, winnerReport uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT p.id, p.report_id FROM nominations n JOIN practices p ON p.id = n.practice_id WHERE n.distinguished ORDER BY p.title LIMIT 1`).Scan(&winnerPractice, &winnerReport); err != nil {
		t.Fatal(err)
	}
	var assignment uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT id FROM role_assignments WHERE role = 'JUROR' LIMIT 1`).Scan(&assignment); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO conflicts (assignment_id, nomination_id, reason) SELECT $1, id, $2 FROM nominations WHERE practice_id = $3
		ON CONFLICT (assignment_id, nomination_id) DO UPDATE SET reason = EXCLUDED.reason`, assignment, secret+" konflikt", winnerPractice); err != nil {
		t.Fatal(err)
	}
	for i, published := range []bool{false, true} {
		sum := sha256.Sum256([]byte{byte(i)})
		name := []string{secret + "-plik.pdf", "publiczny.pdf"}[i]
		if _, err := pool.Exec(ctx, `INSERT INTO attachments (report_id, practice_id, sha256, size, media_type, kind, filename, published) VALUES ($1, $2, $3, 10, 'application/pdf', 'pdf', $4, $5)`,
			winnerReport, winnerPractice, sum[:], name, published); err != nil {
			t.Fatal(err)
		}
	}
	var answers []string
	keep := func(m proto.Message) { answers = append(answers, jsonOf(t, m)) }

	testenv.Step(t, "ListPublicEditions", func(t *testing.T) {
		list := testenv.Must(arch.ListPublicEditions(ctx, &v1.ListPublicEditionsRequest{}))
		keep(list)
		if len(list.GetEditions()) != 1 {
			t.Fatalf("editions = %d; want the announced demo edition only", len(list.GetEditions()))
		}
		e := list.GetEditions()[0]
		if e.GetYear() != 2016 || e.GetNames()["pl"] == "" {
			t.Errorf("edition = %d %v", e.GetYear(), e.GetNames())
		}
		if at := e.GetAnnounceTime().AsTime(); time.Since(at) > 10*time.Minute || time.Since(at) < 0 {
			t.Errorf("announce_time = %v; want the announcement a moment ago, not the planned ceremony (%v)", at, e.GetCeremonyTime().AsTime())
		}
		if e.GetCategoryCount() != 11 || e.GetNominationCount() == 0 || e.GetDistinctionCount() == 0 || e.GetCityCount() == 0 {
			t.Errorf("counts: %d cities, %d categories, %d nominations, %d distinctions", e.GetCityCount(), e.GetCategoryCount(), e.GetNominationCount(), e.GetDistinctionCount())
		}
		n := 0
		for _, d := range e.GetDistinctions() {
			for _, p := range d.GetPractices() {
				n++
				if !p.GetDistinguished() || p.GetRank() != 1 || p.GetCity().GetName() == "" || p.GetTitle() == "" {
					t.Errorf("distinction %+v is not a ranked winner with a city", p)
				}
			}
		}
		if n != int(e.GetDistinctionCount()) {
			t.Errorf("%d distinctions listed; the count says %d", n, e.GetDistinctionCount())
		}
	})

	testenv.Step(t, "GetPublicEditionResults in the reader's language", func(t *testing.T) {
		uk := testenv.Must(arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 2016, Language: "uk"}))
		titles := map[string]string{}
		for _, c := range uk.GetCategories() {
			for _, n := range c.GetNominations() {
				titles[n.GetNomination().GetPractice().GetId()] = n.GetNomination().GetPractice().GetTitle()
			}
		}
		if len(uk.GetTranslatedTitles()) == 0 {
			t.Fatal("no Ukrainian titles; the demo's translator translated the shortlist into Ukrainian")
		}
		for id, tr := range uk.GetTranslatedTitles() {
			if original, ok := titles[id]; !ok || tr == "" || tr == original {
				t.Errorf("translated title of %s = %q (original %q); want a translation of a ranked practice", id, tr, original)
			}
		}
		if pl := testenv.Must(arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 2016, Language: "pl"})); len(pl.GetTranslatedTitles()) != 0 {
			t.Errorf("Polish readers get translated titles: %v", pl.GetTranslatedTitles())
		}
		if _, err := arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 2016, Language: "de"}); testenv.Code(err) != connect.CodeInvalidArgument || testenv.Field(err) != "language" {
			t.Errorf("language de = %v; want InvalidArgument on language", err)
		}
	})

	var results *v1.GetPublicEditionResultsResponse
	testenv.Step(t, "GetPublicEditionResults", func(t *testing.T) {
		results = testenv.Must(arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 2016}))
		keep(results)
		if len(results.GetCategories()) != 11 {
			t.Fatalf("categories = %d; want every category of the edition, empty ones too", len(results.GetCategories()))
		}
		var noms, losers int
		for i, c := range results.GetCategories() {
			if c.GetCategory().GetNumber() != int32(i+1) {
				t.Errorf("category %d has number %d; want them in order", i, c.GetCategory().GetNumber())
			}
			prev := int32(0)
			for _, n := range c.GetNominations() {
				noms++
				if !n.GetWinner() {
					losers++
				}
				if n.GetRank() < prev && n.GetRank() != 0 {
					t.Errorf("%s: rank %d after %d", c.GetCategory().GetNamePl(), n.GetRank(), prev)
				}
				prev = n.GetRank()
				p := n.GetNomination().GetPractice()
				if p.GetTitle() == "" || len([]rune(p.GetDescription())) > 300 || len(p.GetNarratives()) != 0 || len(p.GetAttachments()) != 0 {
					t.Errorf("ranked practice %q: want title and summary only, got %d-character description, %d narratives, %d files", p.GetTitle(), len([]rune(p.GetDescription())), len(p.GetNarratives()), len(p.GetAttachments()))
				}
				if len(n.GetCriteria()) == 0 || len(n.GetExplanationItems()) == 0 {
					t.Errorf("ranked practice %q has no criteria breakdown or explanation", p.GetTitle())
				}
			}
		}
		if noms != int(results.GetEdition().GetNominationCount()) || losers == 0 {
			t.Errorf("%d ranked (%d not distinguished); the edition has %d nominations: want every one, not only winners", noms, losers, results.GetEdition().GetNominationCount())
		}
		// The demo's rule: four criteria, each 0–5 with weight 1 → the aggregate is 0–20... whatever
		// the rule says, the scale is the weighted sums of its minima and maxima.
		var lo, hi int64
		for _, c := range results.GetCriterionScales() {
			if !c.GetNonRanking() {
				lo += int64(c.GetWeight()) * int64(c.GetMin())
				hi += int64(c.GetWeight()) * int64(c.GetMax())
			}
		}
		if len(results.GetCriterionScales()) != len(results.GetCriteria()) || hi == 0 || results.GetScale().GetMin() != lo || results.GetScale().GetMax() != hi {
			t.Errorf("scale %v over %d criterion scales; want %d–%d", results.GetScale(), len(results.GetCriterionScales()), lo, hi)
		}
		for _, c := range results.GetCategories() {
			for _, n := range c.GetNominations() {
				s := n.GetScore()
				if s != nil && (s.GetNumerator() < lo*s.GetDenominator() || s.GetNumerator() > hi*s.GetDenominator()) {
					t.Errorf("score %v outside its scale %d–%d", s, lo, hi)
				}
			}
		}
		// The distribution counts each counted juror's weighted sum for each nomination they scored.
		var marks int
		for _, c := range results.GetCategories() {
			for _, n := range c.GetNominations() {
				marks += len(n.GetJurors())
			}
		}
		d := results.GetDistribution()
		var binned int32
		for i, b := range d.GetBins() {
			binned += b.GetCount()
			if b.GetLower() > b.GetUpper() || (i > 0 && b.GetLower() != d.GetBins()[i-1].GetUpper()+1) {
				t.Errorf("bin %d is %d–%d after %v", i, b.GetLower(), b.GetUpper(), d.GetBins()[max(i-1, 0)])
			}
		}
		if marks == 0 || int(d.GetCount()) != marks || binned != d.GetCount() || d.GetBins()[0].GetLower() != lo || d.GetBins()[len(d.GetBins())-1].GetUpper() != hi {
			t.Errorf("distribution %v; want %d weighted sums over %d–%d", d, marks, lo, hi)
		}
		if results.GetCheckpoint() == "" && len(results.GetHistory()) != 0 {
			t.Logf("no checkpoint yet (the log integrates within a second)")
		}
	})

	var winner *v1.NominationResult
	for _, c := range results.GetCategories() {
		for _, n := range c.GetNominations() {
			if n.GetNomination().GetPractice().GetId() == winnerPractice.String() {
				winner = n
			}
		}
	}
	if winner == nil {
		t.Fatalf("the distinguished practice %s is not in the results", winnerPractice)
	}

	testenv.Step(t, "GetPublicCity", func(t *testing.T) {
		city := testenv.Must(arch.GetPublicCity(ctx, (&v1.GetPublicCityRequest{CityId: winner.GetNomination().GetCity().GetId()})))
		keep(city)
		if city.GetCity().GetName() != winner.GetNomination().GetCity().GetName() || len(city.GetEditions()) != 1 || city.GetEditions()[0].GetYear() != 2016 {
			t.Fatalf("city = %v with %d editions", city.GetCity(), len(city.GetEditions()))
		}
		found := false
		for _, p := range city.GetEditions()[0].GetPractices() {
			if p.GetPracticeId() == winnerPractice.String() {
				found = p.GetDistinguished() && p.GetRank() == winner.GetRank() && p.GetScoreText() == winner.GetScoreText() && p.GetScale().GetMax() == results.GetScale().GetMax()
			}
		}
		if !found || city.GetDistinctionCount() == 0 || city.GetNominationCount() < city.GetDistinctionCount() {
			t.Errorf("the city's page lacks its distinguished practice with rank, score and scale: %v", city)
		}
	})

	testenv.Step(t, "GetPublicPractice", func(t *testing.T) {
		got := testenv.Must(arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: winnerPractice.String(), Language: "en"})))
		keep(got)
		p := got.GetPractice()
		if p.GetTitle() != winner.GetNomination().GetPractice().GetTitle() || p.GetDescription() == "" || got.GetOriginalLanguage() != "pl" {
			t.Errorf("practice %q (%s)", p.GetTitle(), got.GetOriginalLanguage())
		}
		if len(p.GetAttachments()) != 1 || p.GetAttachments()[0].GetFilename() != "publiczny.pdf" || p.GetAttachments()[0].GetUrl() == "" {
			t.Errorf("attachments = %v; want the published one only", p.GetAttachments())
		}
		if r := got.GetResult(); r.GetRank() != winner.GetRank() || !r.GetWinner() || len(r.GetCriteria()) == 0 || got.GetCategorySize() == 0 {
			t.Errorf("result = %v", r)
		}
		if len(got.GetCriterionScales()) == 0 || len(got.GetCriteria()) == 0 || got.GetEdition().GetYear() != 2016 {
			t.Errorf("scales %v, criteria %d, edition %v", got.GetCriterionScales(), len(got.GetCriteria()), got.GetEdition())
		}
		// The demo's translator made an English machine translation of the shortlist.
		if tr := got.GetTranslation(); tr == nil || tr.GetLanguage() != "en" || tr.GetTitle() == "" || (tr.GetStatus() != "MACHINE" && tr.GetStatus() != "REVIEWED") {
			t.Errorf("translation = %v; want the English one", tr)
		}
		if len(got.GetTranslation().GetOutdatedFields()) != 0 {
			t.Errorf("a fresh translation reads as outdated: %v", got.GetTranslation().GetOutdatedFields())
		}
		// A translation of an older version of the title reads as outdated there; a draft is not published.
		if _, err := pool.Exec(ctx, `UPDATE translated_texts SET source_sha256 = 'sha256:' || repeat('0', 64) WHERE practice_id = $1 AND language = 'en' AND field = 'title'`, winnerPractice); err != nil {
			t.Fatal(err)
		}
		old := testenv.Must(arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: winnerPractice.String(), Language: "en"})))
		if f := old.GetTranslation().GetOutdatedFields(); len(f) != 1 || f[0] != "title" {
			t.Errorf("outdated fields = %v; want the title", f)
		}
		if _, err := pool.Exec(ctx, `UPDATE practice_translations SET status = 'DRAFT' WHERE practice_id = $1 AND language = 'en'`, winnerPractice); err != nil {
			t.Fatal(err)
		}
		if draft := testenv.Must(arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: winnerPractice.String(), Language: "en"}))); draft.GetTranslation() != nil {
			t.Errorf("a draft translation is published: %v", draft.GetTranslation())
		}
		pl := testenv.Must(arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: winnerPractice.String()})))
		if pl.GetTranslation() != nil {
			t.Errorf("a Polish reader got a translation %v", pl.GetTranslation())
		}
		for _, s := range got.GetSimilar() {
			if s.GetPracticeId() == winnerPractice.String() || (s.GetCity().GetId() == got.GetSummary().GetCity().GetId() && s.GetYear() == 2016) {
				t.Errorf("similar practice %v is the practice itself or its own city's in the same year", s)
			}
			if s.GetCategory().GetNumber() != got.GetSummary().GetCategory().GetNumber() {
				t.Errorf("similar practice %v is of another category", s)
			}
		}
	})

	// Another edition, not announced: a draft report and an accepted one stay out of the archive.
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, time.Hour)
	testenv.AcceptedReport(t, r, 0, testenv.Practice("Praktyka jeszcze nieogłoszona", r.Categories[0], r.Criteria...))
	accepted := testenv.Must(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId()})).GetReport().GetPractices()[0]
	draft := testenv.Must(r.Experts[1].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: r.Cities[1].GetId(),
		Practices: []*v1.Practice{testenv.Practice("Praktyka w szkicu", r.Categories[0])}})).GetReport().GetPractices()[0]
	_ = clients
	refused := func(t *testing.T, code connect.Code, field string, err error) {
		t.Helper()
		if testenv.Code(err) != code || testenv.Field(err) != field {
			t.Errorf("err = %v (field %q); want %v on %s", err, testenv.Field(err), code, field)
		}
	}
	testenv.Step(t, "not public is NotFound", func(t *testing.T) {
		_, err := arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: accepted.GetId()}))
		refused(t, connect.CodeNotFound, "practice_id", err)
		_, err = arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: draft.GetId()}))
		refused(t, connect.CodeNotFound, "practice_id", err)
		_, err = arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: uuid.NewString()}))
		refused(t, connect.CodeNotFound, "practice_id", err)
		_, err = arch.GetPublicEditionResults(ctx, (&v1.GetPublicEditionResultsRequest{Year: r.Edition.GetYear()}))
		refused(t, connect.CodeNotFound, "year", err)
		_, err = arch.GetPublicCity(ctx, (&v1.GetPublicCityRequest{CityId: r.Cities[0].GetId()}))
		refused(t, connect.CodeNotFound, "city_id", err)
		_, err = arch.GetPublicCity(ctx, (&v1.GetPublicCityRequest{CityId: uuid.NewString()}))
		refused(t, connect.CodeNotFound, "city_id", err)
		list := testenv.Must(arch.ListPublicEditions(ctx, &v1.ListPublicEditionsRequest{}))
		if len(list.GetEditions()) != 1 {
			t.Errorf("an edition not announced is listed: %v", list.GetEditions())
		}
	})
	testenv.Step(t, "malformed is InvalidArgument", func(t *testing.T) {
		_, err := arch.GetPublicPractice(ctx, &v1.GetPublicPracticeRequest{PracticeId: "nie-uuid"})
		refused(t, connect.CodeInvalidArgument, "practice_id", err)
		_, err = arch.GetPublicPractice(ctx, (&v1.GetPublicPracticeRequest{PracticeId: winnerPractice.String(), Language: "de"}))
		refused(t, connect.CodeInvalidArgument, "language", err)
		_, err = arch.GetPublicCity(ctx, &v1.GetPublicCityRequest{CityId: "1"})
		refused(t, connect.CodeInvalidArgument, "city_id", err)
		_, err = arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 1999})
		refused(t, connect.CodeInvalidArgument, "year", err)
	})
	// ResultsService's public answers follow the same rule for files.
	pub := miastav1connect.NewResultsServiceClient(&http.Client{Timeout: 30 * time.Second}, env.URL)
	keep(testenv.Must(pub.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: 2016})))
	keep(testenv.Must(pub.ExportResults(ctx, &v1.ExportResultsRequest{Year: 2016, Format: v1.ExportFormat_EXPORT_FORMAT_JSON})))
	testenv.Step(t, "nothing private leaks", func(t *testing.T) {
		for _, a := range answers {
			if strings.Contains(a, secret) {
				i := strings.Index(a, secret)
				t.Errorf("a public answer carries organisers' text: …%s…", a[max(i-80, 0):min(i+80, len(a))])
			}
			if strings.Contains(a, "Praktyka jeszcze nieogłoszona") || strings.Contains(a, "Praktyka w szkicu") {
				t.Errorf("a public answer carries a practice of an edition not announced")
			}
		}
	})
}

// TestArchiveAcrossEditions announces a second edition after the demo's, in which Łódź reports a new
// practice in the same category and follows up its 2016 distinction: the list is newest first, the
// city's page holds both years and the follow-up, and each practice finds the other as similar.
func TestArchiveAcrossEditions(t *testing.T) {
	t.Parallel()
	env, arch, _ := announcedDemo(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	first := testenv.Must(arch.GetPublicEditionResults(ctx, &v1.GetPublicEditionResultsRequest{Year: 2016}))
	var prev *v1.NominationResult
	for _, n := range first.GetCategories()[0].GetNominations() {
		if n.GetWinner() {
			prev = n
		}
	}
	if prev == nil {
		t.Fatal("no winner in the demo's first category")
	}
	city := prev.GetNomination().GetCity()
	ed := testenv.Must(org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2017, Name: "Miasta Otwarte 2017", PreviousEditionId: first.GetEdition().GetId()})).GetEdition()
	cat1 := first.GetCategories()[0].GetCategory()
	testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: ed.GetId(), Number: 1, NamePl: cat1.GetNamePl(), NameEn: cat1.GetNameEn()}))
	testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: ed.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
	ed = testenv.Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: ed.GetId(), CityId: city.GetId()})).GetEdition()
	r := env.OpenReporting(t, org, testenv.Connect, ed, []*v1.City{city}, time.Hour)
	saved := testenv.Must(r.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{
		EditionId: r.ID(), CityId: city.GetId(), Introduction: "Raport 2017",
		Practices: []*v1.Practice{testenv.Practice("Nowa strategia 2017", r.Categories[0], r.Criteria...)},
	})).GetReport()
	// The report lists a follow-up per 2016 distinction of the city: this one expanded, any other continued.
	fus := saved.GetFollowUps()
	for _, f := range fus {
		f.Outcome = v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_CONTINUED
		if f.GetPreviousNominationId() == prev.GetNomination().GetId() {
			f.Outcome, f.Narrative = v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED, "Strategię rozszerzono na dzielnice."
		}
	}
	saved = testenv.Must(r.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{
		EditionId: r.ID(), CityId: city.GetId(), ExpectedVersion: saved.GetVersion(), Introduction: "Raport 2017",
		Practices: saved.GetPractices(), FollowUps: fus,
	})).GetReport()
	sub := testenv.Must(r.Experts[0].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: r.ID(), CityId: city.GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
	acc := testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: r.ID(), CityId: city.GetId(), ExpectedVersion: sub.GetVersion()})).GetReport()
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_REVIEW)
	nom := testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: r.ID(), PracticeId: acc.GetPractices()[0].GetId()})).GetNomination()

	// Before the announcement, the new practice and the follow-up are nowhere.
	if c := testenv.Must(arch.GetPublicCity(ctx, &v1.GetPublicCityRequest{CityId: city.GetId()})); len(c.GetEditions()) != 1 {
		t.Fatalf("before the announcement the city shows %d editions", len(c.GetEditions()))
	}
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_JURY)
	home := testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Sopot 2017"})).GetCity()
	j := env.NewJuror(t, org, testenv.Connect, r.ID(), home, "juror.2017@miasta.test", "Amani Otieno")
	testenv.CastScores(t, j, r.ID(), testenv.Mark(nom, r.Criteria[0], 4))
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_TALLIED)
	testenv.ChangeStage(t, org, r.ID(), v1.Stage_STAGE_ANNOUNCED)

	list := testenv.Must(arch.ListPublicEditions(ctx, &v1.ListPublicEditionsRequest{})).GetEditions()
	if len(list) != 2 || list[0].GetYear() != 2017 || list[1].GetYear() != 2016 {
		t.Fatalf("editions = %v; want 2017 then 2016", list)
	}
	c := testenv.Must(arch.GetPublicCity(ctx, &v1.GetPublicCityRequest{CityId: city.GetId()}))
	if len(c.GetEditions()) != 2 || c.GetEditions()[0].GetYear() != 2017 {
		t.Fatalf("city editions = %v", c.GetEditions())
	}
	var fu []*v1.PublicFollowUp
	for _, f := range c.GetEditions()[0].GetFollowUps() {
		if f.GetOutcome() == v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED {
			fu = append(fu, f)
		}
	}
	if len(c.GetEditions()[0].GetFollowUps()) == 0 || len(fu) != 1 || fu[0].GetOutcome() != v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED || fu[0].GetPrevious().GetPracticeId() != prev.GetNomination().GetPractice().GetId() || fu[0].GetPrevious().GetYear() != 2016 || !fu[0].GetPrevious().GetDistinguished() {
		t.Errorf("follow-ups = %v; want the 2016 distinction, expanded", fu)
	}
	if p := c.GetEditions()[0].GetPractices(); len(p) != 1 || p[0].GetRank() != 1 || !p[0].GetDistinguished() || p[0].GetScale().GetMax() != 5 {
		t.Errorf("2017 practices = %v", p)
	}
	newer := testenv.Must(arch.GetPublicPractice(ctx, &v1.GetPublicPracticeRequest{PracticeId: acc.GetPractices()[0].GetId()}))
	if s := newer.GetSimilar(); len(s) == 0 || s[0].GetPracticeId() != prev.GetNomination().GetPractice().GetId() {
		t.Errorf("the 2017 practice's similar practices = %v; want Łódź's 2016 distinction of the same category first", s)
	}
	if newer.GetPractice().GetPartners() == "" || newer.GetPractice().GetTargetGroups() == "" || len(newer.GetPractice().GetEvidenceLinks()) != 2 || newer.GetPractice().GetSinceYear() != 2012 || len(newer.GetPractice().GetNarratives()) != 1 {
		t.Errorf("the practice's public fields are not all there: %v", newer.GetPractice())
	}
	older := testenv.Must(arch.GetPublicPractice(ctx, &v1.GetPublicPracticeRequest{PracticeId: prev.GetNomination().GetPractice().GetId()}))
	found := false
	for _, s := range older.GetSimilar() {
		found = found || s.GetPracticeId() == acc.GetPractices()[0].GetId()
	}
	if !found {
		t.Errorf("the 2016 practice's similar practices %v lack the 2017 one of the same city and category", older.GetSimilar())
	}
}
