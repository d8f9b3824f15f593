package results_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/results"
)

func sample(category, city, practice, explanation string, num, den int64) *v1.GetPublicResultsResponse {
	return &v1.GetPublicResultsResponse{
		Edition: &v1.Edition{Year: 2015, Name: "Miasta Otwarte 2015"},
		Categories: []*v1.CategoryResult{{
			Category: &v1.Category{Number: 5, NamePl: category, NameEn: "City service point"},
			Nominations: []*v1.NominationResult{{
				Nomination: &v1.Nomination{City: &v1.City{Name: city}, Practice: &v1.Practice{Title: practice}},
				Rank:       1, Winner: true, QuorumMet: true, Score: &v1.Rational{Numerator: num, Denominator: den},
				Explanation: []string{explanation},
			}},
		}},
	}
}

// crlf is what encoding/csv's reader turns into a LF inside a quoted field: a LF after any number of CRs.
var crlf = regexp.MustCompile("\r+\n")

// FuzzExportRoundTrip: whatever names and texts the results hold, the JSON export reads back as the
// same message and the CSV export reads back as the same fields.
func FuzzExportRoundTrip(f *testing.F) {
	f.Add("Miejski punkt obsługi cudzoziemców", "Łódź", `Punkt "Info", Kraków`, "Tied with X; ranked above.\nSecond line", int64(37), int64(2))
	f.Add("", "", "", "", int64(0), int64(1))
	f.Add("a,b", "\"", "\r\n", "Київ — Nguyễn", int64(-5), int64(3))
	f.Fuzz(func(t *testing.T, category, city, practice, explanation string, num, den int64) {
		if den <= 0 {
			den = 1
		}
		full := sample(category, city, practice, explanation, num, den)
		_, body, err := results.EncodeResults(full, v1.ExportFormat_EXPORT_FORMAT_JSON)
		if err != nil {
			if !utf8Valid(category, city, practice, explanation) {
				return // protojson refuses invalid UTF-8, as it should
			}
			t.Fatal(err)
		}
		back := &v1.GetPublicResultsResponse{}
		if err := protojson.Unmarshal(body, back); err != nil || !proto.Equal(back, full) {
			t.Fatalf("JSON round trip: %v\n%s", err, body)
		}
		_, body, err = results.EncodeResults(full, v1.ExportFormat_EXPORT_FORMAT_CSV)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 2 || !slices.Equal(rows[0], results.CSVHeader) {
			t.Fatalf("CSV: %v, %q", err, rows)
		}
		r := rows[1]
		for i := range r {
			r[i] = crlf.ReplaceAllString(r[i], "\n")
		}
		// A line break is a LF after any CRs on both sides (the writer's CR LF and encoding/csv's reading
		// of CRs before a LF differ); a cell a spreadsheet would take for a formula has an apostrophe
		// before it.
		norm := func(s string) string {
			if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) && !number.MatchString(s) {
				s = "'" + s
			}
			return crlf.ReplaceAllString(s, "\n")
		}
		if r[1] != norm(category) || r[5] != norm(city) || r[6] != norm(practice) || r[10] != norm(explanation) || r[3] != "1" || r[4] != "true" {
			t.Fatalf("CSV row %q does not hold the results", r)
		}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) && !number.MatchString(cell) {
				t.Fatalf("CSV cell %q would open as a formula", cell)
			}
		}
	})
}

var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?(/[0-9]+)?$`)

// TestCSVCellsAreNeverFormulas: names and titles starting with =, +, -, @, tab or CR (the trial's
// =HYPERLINK and friends) are written with an apostrophe first; numbers, negative ones included,
// stay numbers.
func TestCSVCellsAreNeverFormulas(t *testing.T) {
	full := sample(`=HYPERLINK("http://evil.example","Kliknij")`, "+48 Gdańsk", "-2+3", "@SUM(A1:A2)", -37, 2)
	full.Categories[0].Nominations[0].Nomination.City.Name = "\tŁódź"
	_, body, err := results.EncodeResults(full, v1.ExportFormat_EXPORT_FORMAT_CSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v, %q", err, rows)
	}
	r := rows[1]
	for col, want := range map[int]string{
		1: `'=HYPERLINK("http://evil.example","Kliknij")`, 5: "'\tŁódź", 6: "'-2+3", 10: "'@SUM(A1:A2)",
		7: "-37/2", 8: "-18.5000", 3: "1",
	} {
		if r[col] != want {
			t.Errorf("column %s = %q; want %q", results.CSVHeader[col], r[col], want)
		}
	}
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// TestCSVCarriesJuryTexts: a distinction's justification fills its row's jury_text_* columns in
// every language given, and the recommendations come as one row of their own after the nominations.
func TestCSVCarriesJuryTexts(t *testing.T) {
	full := sample("Miejski punkt obsługi cudzoziemców", "Łódź", "Punkt", "Rank 1 of 1.", 18, 1)
	full.Categories[0].Nominations[0].Justification = map[string]string{"pl": "Za kompleksową pomoc.", "uk": "За комплексну допомогу."}
	full.Recommendations = map[string]string{"pl": "Miasta powinny zatrudniać cudzoziemców.", "en": "Cities should employ foreigners."}
	_, body, err := results.EncodeResults(full, v1.ExportFormat_EXPORT_FORMAT_CSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("CSV: %v, %q", err, rows)
	}
	col := func(name string) int { return slices.Index(results.CSVHeader, name) }
	if r := rows[1]; r[col("record")] != "nomination" || r[col("jury_text_pl")] != "Za kompleksową pomoc." || r[col("jury_text_uk")] != "За комплексну допомогу." || r[col("jury_text_en")] != "" {
		t.Errorf("nomination row %q lacks its justification", r)
	}
	if r := rows[2]; r[col("record")] != "recommendations" || r[col("jury_text_pl")] != "Miasta powinny zatrudniać cudzoziemców." || r[col("jury_text_en")] != "Cities should employ foreigners." || r[col("rank")] != "" || r[col("practice")] != "" {
		t.Errorf("recommendations row %q", r)
	}
	_, body, err = results.EncodeResults(full, v1.ExportFormat_EXPORT_FORMAT_JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"justification"`, `"recommendations"`, "Cities should employ foreigners."} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("JSON export lacks %s", want)
		}
	}
}
