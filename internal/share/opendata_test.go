package share

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// number is a cell that is only a number, which spreadsheets read as the number it is (-3, 2.5, -37/2).
var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?(/[0-9]+)?$`)

// crlf is what encoding/csv's reader turns into a LF inside a quoted field: a LF after any number of CRs.
var crlf = regexp.MustCompile("\r+\n")

// FuzzOpenDataRoundTrip: whatever a practice's title, city and description hold, the JSON reads
// back the same, and every CSV reads back the same cells, a formula-like one with an apostrophe
// before it and no cell starting as a formula.
func FuzzOpenDataRoundTrip(f *testing.F) {
	f.Add(`=HYPERLINK("http://x")`, "Łódź", "a,b\n\"c\"")
	f.Add("+1", "-", "@SUM(A1)")
	f.Add("Київ — Nguyễn", "\t", "\r\n")
	f.Fuzz(func(t *testing.T, title, city, description string) {
		if !utf8.ValidString(title) || !utf8.ValidString(city) || !utf8.ValidString(description) {
			return // the database holds UTF-8 only
		}
		d := OpenData{
			Edition:     DataEdition{Year: 2015},
			Categories:  []DataCategory{{Number: 1, NamePL: "Przestrzeń", NameEN: "Space"}},
			Practices:   []DataPractice{{ID: "p", City: city, CategoryNumber: 1, Title: title, Description: description, EvidenceLinks: []string{}, NominationID: "n"}},
			Nominations: []DataNomination{{ID: "n", PracticeID: "p", CategoryNumber: 1, City: city}},
			Results:     []DataResult{{CategoryNumber: 1, NominationID: "n", PracticeID: "p", City: city, Practice: title, Rank: 1, Score: "37/2", ScoreDecimal: "18.5000", Winner: true}},
		}
		body, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back OpenData
		if err := json.Unmarshal(body, &back); err != nil || back.Practices[0].Title != title || back.Results[0].City != city {
			t.Fatalf("JSON round trip: %v\n%s", err, body)
		}
		norm := func(s string) string {
			s = crlf.ReplaceAllString(s, "\n") // encoding/csv reads quoted CRs before a LF back as LF
			if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) && !number.MatchString(s) {
				return "'" + s
			}
			return s
		}
		for table, col := range map[string]map[int]string{
			"practices":   {3: city, 7: title, 8: description},
			"nominations": {6: city, 7: title},
			"results":     {8: city, 9: title, 10: "37/2"},
		} {
			body, ok, err := d.CSV(table)
			if err != nil || !ok {
				t.Fatalf("%s: %v %v", table, ok, err)
			}
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("%s: %v %q", table, err, rows)
			}
			for i, want := range col {
				if got := crlf.ReplaceAllString(rows[1][i], "\n"); got != norm(want) && !(want == "37/2" && got == want) {
					t.Fatalf("%s column %d = %q; want %q", table, i, got, norm(want))
				}
			}
			for _, cell := range rows[1] {
				if cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) && !number.MatchString(cell) {
					t.Fatalf("%s cell %q would open as a formula", table, cell)
				}
			}
		}
		if _, ok, _ := d.CSV("ballots"); ok {
			t.Fatal("a table the open data does not have was written")
		}
	})
}
