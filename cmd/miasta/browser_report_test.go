package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestBrowserReportEditor runs web/e2e/report.mjs in headless Chromium against a fresh `miasta dev`
// whose demo edition has, through the API, Kraków's report submitted (its title a long unbroken
// word, its links long) and Lublin's accepted and translated into Ukrainian (whole, reviewed) and
// Vietnamese (the title only, by a machine, from an older original). In the browser an organiser
// returns Kraków's report with a reason; the expert, on a 390×844 phone, reads the reason under a
// heading in Ukrainian, opens the editor in Ukrainian, Spanish, Vietnamese, Polish and English (no
// horizontal overflow, axe-core finds nothing serious, a screenshot each), edits the introduction
// and resubmits; the organiser reads the new text. Lublin's expert previews the report in the
// original and as Ukrainian and Vietnamese jurors will read it. Screenshots land in
// web/e2e/artifacts/report/ (or $E2E_ARTIFACTS/report/).
func TestBrowserReportEditor(t *testing.T) {
	t.Parallel()
	chromium, node, webDir, artifacts := browserTools(t)
	base, keyFile := startDev(t)
	clients, err := demoClients(base, filepath.Dir(keyFile))
	if err != nil {
		t.Fatal(err)
	}
	seedReports(t, clients)
	out := filepath.Join(artifacts, "report")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "report.mjs"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "E2E_ARTIFACTS="+out, "CHROMIUM="+chromium)
	start := time.Now()
	output, err := cmd.CombinedOutput()
	t.Logf("browser run (%s):\n%s", time.Since(start).Round(time.Second), output)
	if err != nil {
		t.Fatalf("the report editor did not work in the browser: %v; screenshots in %s", err, out)
	}
}

// seedReports submits Kraków's report and has Lublin's accepted and translated, through the API of
// a `miasta dev` whose demo edition is in REPORTING.
func seedReports(t *testing.T, clients map[string]demo.Clients) {
	t.Helper()
	ctx := t.Context()
	org := clients[demo.OrganiserEmail]
	var e *v1.Edition
	for _, ed := range testenv.Must(org.Editions.ListEditions(ctx, &v1.ListEditionsRequest{})).GetEditions() {
		if ed.GetYear() == demo.Year {
			e = ed
		}
	}
	if e == nil || e.GetStage() != v1.Stage_STAGE_REPORTING {
		t.Fatalf("the demo edition = %v; want it in REPORTING", e)
	}
	cats := testenv.Must(org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: e.GetId()})).GetCategories()
	crits := testenv.Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: e.GetId()})).GetCriteria()
	city := map[string]string{}
	for _, c := range e.GetCities() {
		city[c.GetName()] = c.GetId()
	}
	practice := func(title string, cat int) *v1.Practice {
		p := &v1.Practice{
			Title:         title,
			Description:   "Punkt porad prawnych i kursów języka polskiego dla cudzoziemców, prowadzony z organizacjami pozarządowymi.",
			CategoryId:    cats[cat].GetId(),
			SinceYear:     2014,
			Partners:      "Stowarzyszenie Interwencji Prawnej, Fundacja Ocalenie",
			TargetGroups:  "Cudzoziemcy, uchodźcy, pracownicy migrujący",
			EvidenceLinks: []string{"https://www.krakow.pl/aktualnosci/integracja-cudzoziemcow/" + strings.Repeat("sprawozdanie-z-dzialalnosci-", 4) + "2016.pdf"},
		}
		for _, c := range crits {
			p.Narratives = append(p.Narratives, &v1.CriterionNarrative{CriterionId: c.GetId(), Text: "Działania obejmują porady, kursy i spotkania sąsiedzkie."})
		}
		return p
	}
	submit := func(email, cityName string, p *v1.Practice) *v1.Report {
		c := clients[email]
		saved := testenv.Must(c.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: e.GetId(), CityId: city[cityName], Introduction: "Raport miasta " + cityName + ".", Practices: []*v1.Practice{p}})).GetReport()
		if len(saved.GetProblems()) != 0 {
			t.Fatalf("%s's report has problems: %v", cityName, saved.GetProblems())
		}
		return testenv.Must(c.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: e.GetId(), CityId: city[cityName], ExpectedVersion: saved.GetVersion()})).GetReport()
	}
	// A title of one long word, as German-like Polish compounds and pasted identifiers can be.
	submit("ekspert.krakow@miasta.test", "Kraków", practice("Międzykulturowe Centrum Integracyjno-Informacyjno-Doradcze Konstantynopolitańczykowianeczka", 0))
	sub := submit("ekspert.lublin@miasta.test", "Lublin", practice("Lubelskie Centrum Wielokulturowe", 1))
	acc := testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: e.GetId(), CityId: city["Lublin"], ExpectedVersion: sub.GetVersion()})).GetReport()
	tr := clients[demo.TranslatorEmail]
	pid := acc.GetPractices()[0].GetId()
	src := testenv.Must(tr.Translations.GetPracticeTranslation(ctx, &v1.GetPracticeTranslationRequest{PracticeId: pid, Language: "uk"})).GetPractice()
	uk := &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "uk", Status: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED}
	for _, s := range src.GetTexts() {
		text := "Люблінський багатокультурний центр"
		if s.GetField() != "title" {
			text = "Юридичні консультації, курси польської мови та сусідські зустрічі."
		}
		uk.Texts = append(uk.Texts, &v1.NewTranslatedText{Field: s.GetField(), Text: text, SourceSha256: s.GetSha256()})
	}
	testenv.Must(tr.Translations.SavePracticeTranslation(ctx, uk))
	testenv.Must(tr.Translations.SavePracticeTranslation(ctx, &v1.SavePracticeTranslationRequest{PracticeId: pid, Language: "vi", Status: v1.TranslationStatus_TRANSLATION_STATUS_MACHINE,
		Texts: []*v1.NewTranslatedText{{Field: "title", Text: "Trung tâm Đa văn hóa Lublin", SourceSha256: "sha256:" + strings.Repeat("0", 64)}}}))
}
