package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestBrowserControlRoom runs web/e2e/control.mjs in headless Chromium against a fresh `miasta dev`:
// the organiser's control room from the dashboard alone, with a remind now, a semicolon CSV and an
// Excel workbook imported, a juror's role revoked (their session ends), an observer who reads and is
// refused a change, and the audit timeline checked against the signed log.
func TestBrowserControlRoom(t *testing.T) {
	t.Parallel()
	chromium, node, webDir, artifacts := browserTools(t)
	// The files an organiser brings: a CSV as Polish Excel saves it (semicolons, a byte order mark)
	// and a workbook.
	files := t.TempDir()
	csvFile := filepath.Join(files, "jurorzy.csv")
	csv := "\ufeffname;email;role;city;home_city;language\r\nChidi Okafor;chidi.okafor@miasta.test;juror;;Poznań;en\r\n"
	if err := os.WriteFile(csvFile, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	xlsxFile := filepath.Join(files, "jurorzy.xlsx")
	book := excelize.NewFile()
	for i, row := range [][]any{{"name", "email", "role", "city", "home_city", "language"}, {"Ngozi Adeyemi", "ngozi.adeyemi@miasta.test", "juror", "", "Kraków", "en"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := book.SaveAs(xlsxFile); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"pl", "en"} {
		t.Run(lang, func(t *testing.T) {
			base, keyFile := startDev(t) // each language its own edition: the run changes it
			clients, err := demoClients(base, filepath.Dir(keyFile))
			if err != nil {
				t.Fatal(err)
			}
			kripp := krippendorffEdition(t, clients)
			out := filepath.Join(artifacts, "control", lang)
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "control.mjs"))
			cmd.Dir = webDir
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "E2E_LANG="+lang, "E2E_ARTIFACTS="+out, "CHROMIUM="+chromium,
				"CSV_FILE="+csvFile, "XLSX_FILE="+xlsxFile, "KRIPPENDORFF_EDITION="+kripp)
			start := time.Now()
			output, err := cmd.CombinedOutput()
			t.Logf("browser run (%s):\n%s", time.Since(start).Round(time.Second), output)
			if err != nil {
				t.Fatalf("the control room did not work in the browser (%s): %v; screenshots in %s", lang, err, out)
			}
		})
	}
}

// krippendorffEdition plays, through the API of a `miasta dev`, an edition whose jury reproduces
// Krippendorff's worked example ("Computing Krippendorff's Alpha-Reliability", 2011: 4 observers, 12
// units, values 1–5, missing data): twelve nominations in one category on one 1–5 criterion, four demo
// jurors who mark them as the observers did and abstain where the example has no value, closed. Its
// deliberation must show the published ordinal alpha, 0.815. It returns the edition's name.
func krippendorffEdition(t *testing.T, clients map[string]demo.Clients) string {
	t.Helper()
	ctx := t.Context()
	org := clients[demo.OrganiserEmail]
	const name = "Krippendorff 2011"
	e := testenv.Must(org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2018, Name: name})).GetEdition()
	id := e.GetId()
	cat := testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: id, Number: 1, NamePl: "Przykład Krippendorffa", NameEn: "Krippendorff's example"})).GetCategory()
	crit := testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: id, Number: 1, NamePl: "Ocena", NameEn: "Value"})).GetCriterion()
	cities := map[string]*v1.City{}
	for _, c := range testenv.Must(org.Editions.ListCities(ctx, &v1.ListCitiesRequest{PageSize: 500})).GetCities() {
		cities[c.GetName()] = c
	}
	testenv.Must(org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: id, CityId: cities["Kraków"].GetId()}))
	invite := func(email string, role v1.Role, city string) {
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: id, Email: email, Role: role, CityId: cities[city].GetId(), DisplayName: email}))
	}
	invite("ekspert.krakow@miasta.test", v1.Role_ROLE_EXPERT, "Kraków")
	jurors := []string{"juror.gdansk@miasta.test", "juror.wroclaw@miasta.test", "juror.lublin@miasta.test", "juror.warszawa@miasta.test"}
	for _, j := range jurors {
		var home string
		for _, p := range demo.People {
			if p.Email == j {
				home = p.City
			}
		}
		invite(j, v1.Role_ROLE_JUROR, home)
	}
	now := time.Now()
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{
		ReportingDeadline: timestamppb.New(now.Add(48 * time.Hour)), JuryDeadline: timestamppb.New(now.Add(96 * time.Hour))}}))
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REPORTING}))
	expert := clients["ekspert.krakow@miasta.test"]
	var practices []*v1.Practice
	for u := range 12 {
		practices = append(practices, testenv.Practice(fmt.Sprintf("Jednostka %02d", u+1), cat, crit))
	}
	krakow := cities["Kraków"].GetId()
	saved := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: krakow, Introduction: "Dane Krippendorffa", Practices: practices})).GetReport()
	sub := testenv.Must(expert.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: krakow, ExpectedVersion: saved.GetVersion()})).GetReport()
	acc := testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: krakow, ExpectedVersion: sub.GetVersion()})).GetReport()
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW}))
	var units []*v1.Nomination
	for _, p := range acc.GetPractices() {
		units = append(units, testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: p.GetId()})).GetNomination())
	}
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(1, 5, 1, crit)}))
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY}))
	// 0: no value in the example.
	data := [][12]int32{
		{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
		{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
		{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
		{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
	}
	for j, row := range data {
		c := clients[jurors[j]]
		var scores []*v1.Score
		for u, v := range row {
			if v == 0 {
				testenv.Must(c.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: units[u].GetId(), Reason: "Brak wartości w przykładzie."}))
				continue
			}
			scores = append(scores, testenv.Mark(units[u], crit, v))
		}
		cur := testenv.Must(c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: id})).GetBallot()
		b := testenv.Must(c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: id, ExpectedVersion: cur.GetVersion(), Scores: scores})).GetBallot()
		testenv.Must(c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: id, ExpectedVersion: b.GetVersion(), RequestId: uuid.NewString()}))
	}
	testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_TALLIED}))
	return name
}
