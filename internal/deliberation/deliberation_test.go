package deliberation_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/xuri/excelize/v2"

	"github.com/miasta-otwarte/miasta/internal/agreement"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/results"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestDeliberation drives an edition through a jury round to its close and checks what the
// organisers deliberate with. Two nominations (A from the seeded city, B from Gdańsk) on one 0–5
// criterion, weighted mean:
//
//	          A   B
//	Ana       4   3
//	Bo        4   3
//	Chi       0   5    (the outlier)
//	Dana      4   —    (home city Gdańsk: recused from B)
//	Eve       —   —    (never casts)
//	Fay       —   3    (declared a conflict with A)
//	Gus       —   3    (abstained on A)
//
// A's mean is 12/4 = 3, B's 17/5, so B wins; without Chi, A has 4 and B 3, so Chi alone changes the
// winner.
func TestDeliberation(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id := r.ID()
	crit := r.Criteria[0]
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	krakow := testenv.CityFor(t, org, r.Edition, "Kraków")
	names := []string{"Ana", "Bo", "Chi", "Dana", "Eve", "Fay", "Gus"}
	var jurors []testenv.Juror
	for i, name := range names {
		home := krakow
		if name == "Dana" {
			home = r.Cities[1]
		}
		jurors = append(jurors, env.NewJuror(t, org, testenv.Connect, id, home, fmt.Sprintf("juror.delib.%d@miasta.test", i), name))
	}
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	// -1: recused (Dana from B: home city; Fay from A: conflict; Gus from A: abstained).
	marks := map[string][2]int32{"Ana": {4, 3}, "Bo": {4, 3}, "Chi": {0, 5}, "Dana": {4, -1}, "Fay": {-1, 3}, "Gus": {-1, 3}}
	testenv.Must(jurors[5].Clients.Jury.DeclareConflict(ctx, &v1.DeclareConflictRequest{EditionId: id, NominationId: nA.GetId(), Reason: "Pracowałam przy tym projekcie."}))
	testenv.Must(jurors[6].Clients.Jury.Abstain(ctx, &v1.AbstainRequest{EditionId: id, NominationId: nA.GetId(), Reason: "Za mało wiem o tej praktyce."}))
	for i, name := range names {
		m, ok := marks[name]
		if !ok {
			continue
		}
		var scores []*v1.Score
		for k, nom := range []*v1.Nomination{nA, nB} {
			if m[k] >= 0 {
				scores = append(scores, testenv.Mark(nom, crit, m[k]))
			}
		}
		testenv.CastScores(t, jurors[i], id, scores...)
	}
	recused := map[string]v1.MarkState{"Dana": v1.MarkState_MARK_STATE_HOME_CITY, "Fay": v1.MarkState_MARK_STATE_CONFLICT, "Gus": v1.MarkState_MARK_STATE_ABSTAINED}

	testenv.Step(t, "refused while the round is open", func(t *testing.T) {
		_, err := org.Results.GetDeliberation(ctx, &v1.GetDeliberationRequest{EditionId: id})
		if testenv.Code(err) != connect.CodeFailedPrecondition {
			t.Fatalf("GetDeliberation during the jury round = %v; want FailedPrecondition", err)
		}
		_, err = org.Results.ExportDeliberation(ctx, &v1.ExportDeliberationRequest{EditionId: id, Format: v1.DeliberationFormat_DELIBERATION_FORMAT_CSV})
		if testenv.Code(err) != connect.CodeFailedPrecondition {
			t.Fatalf("ExportDeliberation during the jury round = %v; want FailedPrecondition", err)
		}
	})
	// Eve never cast: the close names her and goes ahead once the organiser confirms it with a reason.
	testenv.ChangeStageDespite(t, org, id, v1.Stage_STAGE_TALLIED, "Eve nie oddała karty przed terminem.")

	testenv.Step(t, "refused to anyone but organisers", func(t *testing.T) {
		anonymous := env.Clients(testenv.Connect, "")
		for who, c := range map[string]testenv.Clients{"a juror": jurors[0].Clients, "an expert": r.Experts[0], "the public": anonymous} {
			_, err := c.Results.GetDeliberation(ctx, &v1.GetDeliberationRequest{EditionId: id})
			if code := testenv.Code(err); code != connect.CodePermissionDenied && code != connect.CodeUnauthenticated {
				t.Errorf("GetDeliberation by %s = %v; want PermissionDenied or Unauthenticated", who, err)
			}
			_, err = c.Results.ExportDeliberation(ctx, &v1.ExportDeliberationRequest{EditionId: id, Format: v1.DeliberationFormat_DELIBERATION_FORMAT_XLSX})
			if code := testenv.Code(err); code != connect.CodePermissionDenied && code != connect.CodeUnauthenticated {
				t.Errorf("ExportDeliberation by %s = %v; want PermissionDenied or Unauthenticated", who, err)
			}
		}
	})

	var d *v1.Deliberation
	label := map[string]int{} // name → position
	testenv.Step(t, "the matrix under pseudonyms", func(t *testing.T) {
		d = testenv.Must(org.Results.GetDeliberation(ctx, &v1.GetDeliberationRequest{EditionId: id})).GetDeliberation()
		if d.GetNames() || len(d.GetJurors()) != 7 {
			t.Fatalf("names %v, %d jurors; want pseudonyms and 7", d.GetNames(), len(d.GetJurors()))
		}
		for i, j := range d.GetJurors() {
			if want := fmt.Sprintf("Juror %d", i+1); j.GetLabel() != want {
				t.Errorf("juror %d is %q; want %q (pseudonyms, in order)", i, j.GetLabel(), want)
			}
			label[names[i]] = i // invitations numbered the pseudonyms in this order
		}
		for _, name := range names {
			if strings.Contains(fmt.Sprint(d), name) {
				t.Errorf("the pseudonymised deliberation names %s", name)
			}
		}
		if len(d.GetCategories()) != 1 {
			t.Fatalf("%d categories; want 1", len(d.GetCategories()))
		}
		c := d.GetCategories()[0]
		if !slices.Equal(c.GetWinnerIds(), []string{nB.GetId()}) {
			t.Errorf("winners %v; want B %s", c.GetWinnerIds(), nB.GetId())
		}
		rows := map[string]map[string]*v1.DeliberationRow{}
		for _, n := range c.GetNominations() {
			rows[n.GetNominationId()] = map[string]*v1.DeliberationRow{}
			for _, row := range n.GetRows() {
				rows[n.GetNominationId()][names[row.GetJuror()]] = row
			}
		}
		for name, m := range marks {
			for k, nom := range []*v1.Nomination{nA, nB} {
				row := rows[nom.GetId()][name]
				if m[k] < 0 {
					if row.GetState() != recused[name] || len(row.GetMarks()) != 0 {
						t.Errorf("%s on %d: %v; want %v without marks", name, k, row, recused[name])
					}
					continue
				}
				if row.GetState() != v1.MarkState_MARK_STATE_SCORED || len(row.GetMarks()) != 1 || row.GetMarks()[0].GetValue() != m[k] {
					t.Errorf("%s on %d: %v; want the mark %d", name, k, row, m[k])
				}
			}
		}
		for _, nom := range []*v1.Nomination{nA, nB} {
			if s := rows[nom.GetId()]["Eve"].GetState(); s != v1.MarkState_MARK_STATE_NO_CAST {
				t.Errorf("Eve's state = %v; want NO_CAST", s)
			}
		}
		// The mark rule: Chi's 0 on A is 4 points (0.8 of the scale) from the others' 4; nobody else's.
		for nid, byName := range rows {
			for name, row := range byName {
				for _, m := range row.GetMarks() {
					if want := name == "Chi" && nid == nA.GetId(); m.GetOutlier() != want {
						t.Errorf("%s's mark on %s: outlier %v; want %v", name, nid, m.GetOutlier(), want)
					}
				}
			}
		}
		if m := rows[nA.GetId()]["Ana"].GetMarks()[0]; m.OthersMean == nil || math.Abs(m.GetOthersMean()-8.0/3) > 1e-9 {
			t.Errorf("Ana's others' mean on A = %v; want 8/3", m.OthersMean)
		}
	})

	testenv.Step(t, "deviation and outliers", func(t *testing.T) {
		// On A the others' mean is 8/3 for a 4 and 4 for Chi's 0; on B 3.5 for a 3 and 3 for Chi's 5;
		// the median deviation is 0.18…, so Chi (0.6) is flagged and Dana (0.27) is not.
		want := map[string]float64{"Ana": (4.0/3/5 + 0.5/5) / 2, "Bo": (4.0/3/5 + 0.5/5) / 2, "Chi": (4.0/5 + 2.0/5) / 2, "Dana": 4.0 / 3 / 5,
			"Fay": 0.5 / 5, "Gus": 0.5 / 5}
		for name, i := range label {
			j := d.GetJurors()[i]
			if name == "Eve" {
				if j.GetCast() || j.Deviation != nil || j.GetOutlier() {
					t.Errorf("Eve: %v; want no cast, no deviation, no flag", j)
				}
				continue
			}
			if j.Deviation == nil || math.Abs(j.GetDeviation()-want[name]) > 1e-9 {
				t.Errorf("%s's deviation = %v; want %v", name, j.Deviation, want[name])
			}
			if j.GetOutlier() != (name == "Chi") {
				t.Errorf("%s: outlier %v", name, j.GetOutlier())
			}
		}
	})

	testenv.Step(t, "agreement: Krippendorff's alpha, ordinal", func(t *testing.T) {
		a := d.GetCategories()[0].GetAgreement()
		want := agreement.Alpha([][]int{{4, 4, 0, 4}, {3, 3, 5, 3, 3}}, agreement.Ordinal)
		if a.Alpha == nil || math.Abs(a.GetAlpha()-want.Alpha) > 1e-12 || a.GetPairable() != 9 {
			t.Errorf("agreement %v; want alpha %v over 9 pairable marks", a, want.Alpha)
		}
		if ca := d.GetCategories()[0].GetCriteriaAgreement(); len(ca) != 1 || ca[0].GetCriterionId() != crit.GetId() || math.Abs(ca[0].GetAlpha()-want.Alpha) > 1e-12 {
			t.Errorf("per criterion %v; want the one criterion's alpha %v", ca, want.Alpha)
		}
	})

	testenv.Step(t, "sensitivity: only Chi's removal changes the winner", func(t *testing.T) {
		s := d.GetCategories()[0].GetSensitivity()
		if len(s) != 1 || int(s[0].GetJuror()) != label["Chi"] || !slices.Equal(s[0].GetWinnerIds(), []string{nA.GetId()}) {
			t.Errorf("sensitivity %v; want Chi (juror %d), with A winning without", s, label["Chi"])
		}
	})

	testenv.Step(t, "the CSV export reads back", func(t *testing.T) {
		resp := testenv.Must(org.Results.ExportDeliberation(ctx, &v1.ExportDeliberationRequest{EditionId: id, Format: v1.DeliberationFormat_DELIBERATION_FORMAT_CSV}))
		if resp.GetContentType() != "text/csv; charset=utf-8" || resp.GetFilename() != fmt.Sprintf("obrady-%d.csv", r.Edition.GetYear()) {
			t.Errorf("content type %q, file %q", resp.GetContentType(), resp.GetFilename())
		}
		body, ok := bytes.CutPrefix(resp.GetContent(), []byte("\uFEFF"))
		if !ok {
			t.Fatal("the CSV does not start with a UTF-8 byte order mark")
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], results.DeliberationCSVHeader) {
			t.Fatalf("header %v", recs[0])
		}
		col := func(name string) int { return slices.Index(results.DeliberationCSVHeader, name) }
		count := map[string]int{}
		chi := d.GetJurors()[label["Chi"]].GetLabel()
		for _, rec := range recs[1:] {
			count[rec[0]]++
			switch {
			case rec[0] == "mark" && rec[col("juror")] == chi && rec[col("value")] == "0":
				if rec[col("outlier")] != "true" || rec[col("others_mean")] != "4.000" || rec[col("category")] != r.Categories[0].GetNamePl() {
					t.Errorf("Chi's mark on A: %v", rec)
				}
			case rec[0] == "sensitivity":
				if rec[col("juror")] != chi || !strings.Contains(rec[col("winners_without")], "Praktyka z miasta "+r.Cities[0].GetName()) {
					t.Errorf("sensitivity row %v", rec)
				}
			case rec[0] == "agreement" && rec[col("criterion")] == "":
				if want := fmt.Sprintf("%.3f", d.GetCategories()[0].GetAgreement().GetAlpha()); rec[col("value")] != want {
					t.Errorf("category alpha %q; want %s", rec[col("value")], want)
				}
			}
		}
		// 2 nominations × 7 jurors, one row each (one criterion); 7 jurors; alpha of the category and
		// of its criterion; one sensitive juror.
		if want := map[string]int{"mark": 14, "juror": 7, "agreement": 2, "sensitivity": 1}; fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("records %v; want %v", count, want)
		}
	})

	testenv.Step(t, "the XLSX export reads back", func(t *testing.T) {
		resp := testenv.Must(org.Results.ExportDeliberation(ctx, &v1.ExportDeliberationRequest{EditionId: id, Format: v1.DeliberationFormat_DELIBERATION_FORMAT_XLSX}))
		if resp.GetFilename() != fmt.Sprintf("obrady-%d.xlsx", r.Edition.GetYear()) || !strings.Contains(resp.GetContentType(), "spreadsheetml") {
			t.Errorf("content type %q, file %q", resp.GetContentType(), resp.GetFilename())
		}
		f, err := excelize.OpenReader(bytes.NewReader(resp.GetContent()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); !slices.Equal(got, []string{results.SheetMatrix, results.SheetAnalysis}) {
			t.Fatalf("sheets %v", got)
		}
		rows, err := f.GetRows(results.SheetMatrix)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 15 || !strings.HasPrefix(rows[0][8], "1. "+crit.GetNamePl()) {
			t.Fatalf("matrix of %d rows, header %v", len(rows), rows[0])
		}
		chi := d.GetJurors()[label["Chi"]].GetLabel()
		found := false
		for i, row := range rows[1:] {
			if row[6] == chi && strings.HasPrefix(row[2], "Praktyka z miasta "+r.Cities[0].GetName()) {
				found = true
				cell, _ := excelize.CoordinatesToCellName(9, i+2)
				v, _ := f.GetCellValue(results.SheetMatrix, cell)
				style, _ := f.GetCellStyle(results.SheetMatrix, cell)
				if v != "0" || style == 0 {
					t.Errorf("Chi's mark on A = %q with style %d; want 0, styled as an outlier", v, style)
				}
			}
			if row[6] == d.GetJurors()[label["Eve"]].GetLabel() && (row[7] != "brak głosu" || len(row) > 8) {
				t.Errorf("Eve's row %v; want no cast and no marks", row)
			}
		}
		if !found {
			t.Error("no row for Chi's marks on A")
		}
		analysis, err := f.GetRows(results.SheetAnalysis)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprint(analysis)
		if !strings.Contains(text, "Alfa Krippendorffa") || !strings.Contains(text, chi) {
			t.Errorf("analysis sheet %v", analysis)
		}
	})

	testenv.Step(t, "the edition setting shows names", func(t *testing.T) {
		e := testenv.Must(org.Editions.SetDeliberationNames(ctx, &v1.SetDeliberationNamesRequest{EditionId: id, Names: true})).GetEdition()
		if !e.GetDeliberationNames() {
			t.Fatal("SetDeliberationNames(true) left the setting off")
		}
		named := testenv.Must(org.Results.GetDeliberation(ctx, &v1.GetDeliberationRequest{EditionId: id})).GetDeliberation()
		var got []string
		for _, j := range named.GetJurors() {
			got = append(got, j.GetLabel())
		}
		if !named.GetNames() || !slices.Equal(got, names) {
			t.Errorf("labels %v (names %v); want %v", got, named.GetNames(), names)
		}
		if _, err := jurors[0].Clients.Editions.SetDeliberationNames(ctx, &v1.SetDeliberationNamesRequest{EditionId: id}); testenv.Code(err) != connect.CodePermissionDenied {
			t.Errorf("a juror's SetDeliberationNames = %v; want PermissionDenied", err)
		}
	})
}
