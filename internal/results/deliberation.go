package results

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/miasta-otwarte/miasta/internal/deliberation"
	"github.com/miasta-otwarte/miasta/internal/edition"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

func (h *Handler) deliberation(ctx context.Context, editionID string) (deliberation.Deliberation, error) {
	eid, err := wire.ID("edition_id", editionID)
	if err != nil {
		return deliberation.Deliberation{}, err
	}
	v, err := h.svc.Results(ctx, eid) // FailedPrecondition before the round closes
	if err != nil {
		return deliberation.Deliberation{}, err
	}
	return deliberation.Build(v)
}

func (h *Handler) GetDeliberation(ctx context.Context, req *v1.GetDeliberationRequest) (*v1.GetDeliberationResponse, error) {
	d, err := h.deliberation(ctx, req.GetEditionId())
	if err != nil {
		return nil, err
	}
	return &v1.GetDeliberationResponse{Deliberation: DeliberationToProto(d)}, nil
}

func (h *Handler) ExportDeliberation(ctx context.Context, req *v1.ExportDeliberationRequest) (*v1.ExportDeliberationResponse, error) {
	d, err := h.deliberation(ctx, req.GetEditionId())
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("obrady-%d", d.Edition.Year)
	if req.GetFormat() == v1.DeliberationFormat_DELIBERATION_FORMAT_CSV {
		body, err := DeliberationCSV(d)
		if err != nil {
			return nil, err
		}
		return &v1.ExportDeliberationResponse{ContentType: "text/csv; charset=utf-8", Filename: name + ".csv", Content: body}, nil
	}
	body, err := DeliberationXLSX(d)
	if err != nil {
		return nil, err
	}
	return &v1.ExportDeliberationResponse{ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Filename: name + ".xlsx", Content: body}, nil
}

var markStates = map[deliberation.State]v1.MarkState{
	deliberation.Scored:    v1.MarkState_MARK_STATE_SCORED,
	deliberation.HomeCity:  v1.MarkState_MARK_STATE_HOME_CITY,
	deliberation.Conflict:  v1.MarkState_MARK_STATE_CONFLICT,
	deliberation.Abstained: v1.MarkState_MARK_STATE_ABSTAINED,
	deliberation.NotScored: v1.MarkState_MARK_STATE_NOT_SCORED,
	deliberation.NoCast:    v1.MarkState_MARK_STATE_NO_CAST,
}

// stateNames are the states as the exports write them.
var stateNames = map[deliberation.State]string{
	deliberation.Scored: "scored", deliberation.HomeCity: "home_city", deliberation.Conflict: "conflict",
	deliberation.Abstained: "abstained", deliberation.NotScored: "not_scored", deliberation.NoCast: "no_cast",
}

// DeliberationToProto is the wire form of a deliberation. Jurors go by label and position only: their
// assignment ids would join pseudonyms to the names GetJuryProgress shows.
func DeliberationToProto(d deliberation.Deliberation) *v1.Deliberation {
	out := &v1.Deliberation{EditionId: d.Edition.ID.String(), Names: d.Names, TallyHash: d.TallyHash}
	for _, j := range d.Jurors {
		out.Jurors = append(out.Jurors, &v1.DeliberationJuror{Label: j.Label, Cast: j.Cast, Deviation: j.Deviation, ComparedMarks: int32(j.Compared), Outlier: j.Outlier})
	}
	for _, c := range d.Criteria {
		out.Criteria = append(out.Criteria, &v1.DeliberationCriterion{CriterionId: c.Criterion.ID.String(), Number: c.Criterion.Number, NamePl: c.Criterion.NamePL,
			Names: c.Criterion.Names, MinScore: int32(c.Min), MaxScore: int32(c.Max)})
	}
	agreementProto := func(a deliberation.Agreement) *v1.Agreement {
		return &v1.Agreement{CriterionId: a.CriterionID, Alpha: a.Alpha, Pairable: int32(a.Pairable)}
	}
	for _, c := range d.Categories {
		dc := &v1.DeliberationCategory{Category: edition.CategoryToProto(c.Category), Agreement: agreementProto(c.Agreement), WinnerIds: c.Winners}
		for _, a := range c.ByCriterion {
			dc.CriteriaAgreement = append(dc.CriteriaAgreement, agreementProto(a))
		}
		for _, s := range c.Sensitive {
			dc.Sensitivity = append(dc.Sensitivity, &v1.Sensitivity{Juror: int32(s.Juror), WinnerIds: s.Winners})
		}
		for _, n := range c.Nominations {
			dn := &v1.DeliberationNomination{NominationId: n.ID, PracticeTitle: n.Title, CityName: n.City, Rank: int32(n.Rank), Winner: n.Winner}
			for _, r := range n.Rows {
				row := &v1.DeliberationRow{Juror: int32(r.Juror), State: markStates[r.State]}
				for _, m := range r.Marks {
					row.Marks = append(row.Marks, &v1.DeliberationMark{Value: int32(m.Value), OthersMean: m.OthersMean, Outlier: m.Outlier})
				}
				dn.Rows = append(dn.Rows, row)
			}
			dc.Nominations = append(dc.Nominations, dn)
		}
		out.Categories = append(out.Categories, dc)
	}
	return out
}

// DeliberationCSVHeader names the CSV export's columns (categories with no nominations have no rows).
// Every row has a record kind:
//   - "mark": one juror's mark for one nomination on one criterion (state "scored"), or, for any other
//     state, one row with the criterion columns empty;
//   - "juror": a juror's deviation (value), compared marks and outlier flag;
//   - "agreement": Krippendorff's alpha, ordinal (value, empty when undefined) of a category (criterion
//     columns empty) or of one of its criteria, with the pairable marks in compared;
//   - "sensitivity": a juror whose ballot, left out, changes the category's winners, and the winners
//     the tally would then have (winners_without, practice titles separated by "; ").
var DeliberationCSVHeader = []string{"record", "category_number", "category", "practice", "city", "juror", "criterion_number", "criterion",
	"state", "value", "others_mean", "outlier", "compared", "winners_without"}

// DeliberationCSV renders the deliberation as one CSV table (see DeliberationCSVHeader), UTF-8 with a
// byte order mark so that Excel reads Polish letters right. Cells go through csvCell.
func DeliberationCSV(d deliberation.Deliberation) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // as Excel writes CSV
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		_ = w.Write(cells)
	}
	write(append([]string(nil), DeliberationCSVHeader...)...)
	for _, c := range d.Categories {
		cn, cname := strconv.Itoa(int(c.Category.Number)), c.Category.NamePL
		for _, n := range c.Nominations {
			for _, r := range n.Rows {
				juror := d.Jurors[r.Juror].Label
				if r.State != deliberation.Scored {
					write("mark", cn, cname, n.Title, n.City, juror, "", "", stateNames[r.State], "", "", "", "", "")
					continue
				}
				for k, m := range r.Marks {
					cr := d.Criteria[k]
					write("mark", cn, cname, n.Title, n.City, juror, strconv.Itoa(int(cr.Criterion.Number)), cr.Criterion.NamePL, "scored",
						strconv.Itoa(m.Value), decimal(m.OthersMean), strconv.FormatBool(m.Outlier), "", "")
				}
			}
		}
	}
	for _, j := range d.Jurors {
		write("juror", "", "", "", "", j.Label, "", "", castState(j.Cast), decimal(j.Deviation), "", strconv.FormatBool(j.Outlier), strconv.Itoa(j.Compared), "")
	}
	for _, c := range d.Categories {
		if len(c.Nominations) == 0 {
			continue // nothing was scored: no agreement to measure, no winner to change
		}
		cn, cname := strconv.Itoa(int(c.Category.Number)), c.Category.NamePL
		write("agreement", cn, cname, "", "", "", "", "", "", decimal(c.Agreement.Alpha), "", "", strconv.Itoa(c.Agreement.Pairable), "")
		for k, a := range c.ByCriterion {
			cr := d.Criteria[k]
			write("agreement", cn, cname, "", "", "", strconv.Itoa(int(cr.Criterion.Number)), cr.Criterion.NamePL, "", decimal(a.Alpha), "", "", strconv.Itoa(a.Pairable), "")
		}
		for _, s := range c.Sensitive {
			write("sensitivity", cn, cname, "", "", d.Jurors[s.Juror].Label, "", "", "", "", "", "", "", titles(c, s.Winners))
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func castState(cast bool) string {
	if cast {
		return "cast"
	}
	return "no_cast"
}

// decimal writes a figure with three decimals ("" for none), as the view shows them.
func decimal(x *float64) string {
	if x == nil {
		return ""
	}
	return strconv.FormatFloat(*x, 'f', 3, 64)
}

// titles names nominations of a category by their practices' titles.
func titles(c deliberation.Category, ids []string) string {
	var out []string
	for _, id := range ids {
		for _, n := range c.Nominations {
			if n.ID == id {
				out = append(out, n.Title+" ("+n.City+")")
			}
		}
	}
	return strings.Join(out, "; ")
}

// The XLSX export's sheets.
const (
	SheetMatrix   = "Macierz"
	SheetAnalysis = "Analiza"
)

// stateLabels are the states as the XLSX matrix shows them, in Polish (the award's language).
var stateLabels = map[deliberation.State]string{
	deliberation.HomeCity: "wyłączenie: miasto juror(k)a", deliberation.Conflict: "konflikt interesów",
	deliberation.Abstained: "wstrzymanie się", deliberation.NotScored: "bez oceny", deliberation.NoCast: "brak głosu",
}

// DeliberationXLSX renders the deliberation as a workbook: sheet Macierz has one row per category,
// nomination and juror with a column per criterion (marks as numbers, outliers in bold red, other
// states in words); sheet Analiza has the jurors' deviations, the agreement per category and criterion
// and the sensitivity. Text cells are strings, so nothing a person typed becomes a formula.
func DeliberationXLSX(d deliberation.Deliberation) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetMatrix); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(SheetAnalysis); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	outlier, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}}})
	if err != nil {
		return nil, err
	}
	row := func(sheet string, r int, cells ...any) error {
		cell, err := excelize.CoordinatesToCellName(1, r)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, cell, &cells)
	}
	header := []any{"Kategoria", "Nazwa kategorii", "Praktyka", "Miasto", "Miejsce", "Wyróżniona", "Juror(ka)", "Stan"}
	for _, c := range d.Criteria {
		header = append(header, fmt.Sprintf("%d. %s (%d–%d)", c.Criterion.Number, c.Criterion.NamePL, c.Min, c.Max))
	}
	if err := row(SheetMatrix, 1, header...); err != nil {
		return nil, err
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(SheetMatrix, "A1", last, bold); err != nil {
		return nil, err
	}
	r := 2
	for _, c := range d.Categories {
		for _, n := range c.Nominations {
			for _, dr := range n.Rows {
				winner := "nie"
				if n.Winner {
					winner = "tak"
				}
				state := "ocena"
				if dr.State != deliberation.Scored {
					state = stateLabels[dr.State]
				}
				cells := []any{int(c.Category.Number), c.Category.NamePL, n.Title, n.City, n.Rank, winner, d.Jurors[dr.Juror].Label, state}
				for _, m := range dr.Marks {
					cells = append(cells, m.Value)
				}
				if err := row(SheetMatrix, r, cells...); err != nil {
					return nil, err
				}
				for k, m := range dr.Marks {
					if m.Outlier {
						cell, _ := excelize.CoordinatesToCellName(9+k, r)
						if err := f.SetCellStyle(SheetMatrix, cell, cell, outlier); err != nil {
							return nil, err
						}
					}
				}
				r++
			}
		}
	}
	_ = f.SetPanes(SheetMatrix, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	num := func(x *float64) any {
		if x == nil {
			return "—"
		}
		return *x
	}
	yesNo := func(b bool) string {
		if b {
			return "tak"
		}
		return "nie"
	}
	r = 1
	section := func(cells ...any) error {
		if err := row(SheetAnalysis, r, cells...); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(cells), r)
		r++
		return f.SetCellStyle(SheetAnalysis, "A"+strconv.Itoa(r-1), end, bold)
	}
	if err := section("Juror(ka)", "Głos", "Odchylenie (część skali)", "Porównane oceny", "Odstający(-a)"); err != nil {
		return nil, err
	}
	for _, j := range d.Jurors {
		if err := row(SheetAnalysis, r, j.Label, yesNo(j.Cast), num(j.Deviation), j.Compared, yesNo(j.Outlier)); err != nil {
			return nil, err
		}
		r++
	}
	r++
	if err := section("Kategoria", "Nazwa kategorii", "Kryterium", "Alfa Krippendorffa (porządkowa)", "Oceny do par"); err != nil {
		return nil, err
	}
	for _, c := range d.Categories {
		if len(c.Nominations) == 0 {
			continue
		}
		if err := row(SheetAnalysis, r, int(c.Category.Number), c.Category.NamePL, "wszystkie", num(c.Agreement.Alpha), c.Agreement.Pairable); err != nil {
			return nil, err
		}
		r++
		for k, a := range c.ByCriterion {
			if err := row(SheetAnalysis, r, int(c.Category.Number), c.Category.NamePL, d.Criteria[k].Criterion.NamePL, num(a.Alpha), a.Pairable); err != nil {
				return nil, err
			}
			r++
		}
	}
	r++
	if err := section("Kategoria", "Nazwa kategorii", "Wyróżnione", "Bez głosu juror(k)i", "Wyróżnione wtedy"); err != nil {
		return nil, err
	}
	for _, c := range d.Categories {
		if len(c.Nominations) == 0 {
			continue
		}
		if len(c.Sensitive) == 0 {
			if err := row(SheetAnalysis, r, int(c.Category.Number), c.Category.NamePL, titles(c, c.Winners), "—", "bez zmian"); err != nil {
				return nil, err
			}
			r++
		}
		for _, s := range c.Sensitive {
			if err := row(SheetAnalysis, r, int(c.Category.Number), c.Category.NamePL, titles(c, c.Winners), d.Jurors[s.Juror].Label, titles(c, s.Winners)); err != nil {
				return nil, err
			}
			r++
		}
	}
	_ = f.SetColWidth(SheetMatrix, "B", "C", 40)
	_ = f.SetColWidth(SheetAnalysis, "A", "E", 28)
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
