package identity

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

// maxImportRows bounds one import.
const maxImportRows = 2000

// RowProblem is one thing wrong with one row of an import: a fault on a column (or on the row, when
// its Field is empty), whose format and arguments let clients show it in their user's language.
type RowProblem struct {
	Line int
	*fault.Error
}

func problem(line int, f *fault.Error) RowProblem { return RowProblem{line, f} }

// ImportResult says what an import did, or would do.
type ImportResult struct {
	Rows, Invited, Unchanged int
	Problems                 []RowProblem
}

// ErrImportProblems is returned, with the result listing them, when rows are bad and nothing was
// imported.
var ErrImportProblems = errors.New("the file has bad rows; nothing was imported")

var importColumns = []string{"name", "email", "role", "city", "home_city", "language", "pseudonym"}

var languages = []string{"pl", "en", "uk", "es", "vi"}

// importRow is one data row by column name.
type importRow struct {
	line   int
	fields map[string]string
}

// parseImport reads the CSV: the header names the columns, in any order.
func parseImport(text string) ([]importRow, []RowProblem) {
	if !utf8.ValidString(text) {
		return nil, []RowProblem{problem(1, fault.Invalidf("", "the file is not UTF-8 text"))}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, []RowProblem{problem(1, csvProblem(err))}
	}
	var problems []RowProblem
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, header[i]) {
			problems = append(problems, problem(1, fault.Invalidf(header[i], "unknown column; the columns are %s", strings.Join(importColumns, ", "))))
		}
	}
	for _, need := range []string{"name", "email", "role"} {
		if !slices.Contains(header, need) {
			problems = append(problems, problem(1, fault.Invalidf(need, "the header lacks this column")))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rows []importRow
	for {
		line, _ := r.FieldPos(0)
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return rows, append(problems, problem(line, csvProblem(err)))
		}
		line, _ = r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			problems = append(problems, problem(line, fault.Invalidf("", "has %d fields, the header %d", len(rec), len(header))))
			continue
		}
		if len(rows) == maxImportRows {
			return rows, append(problems, problem(line, fault.Invalidf("", "an import holds at most %d rows", maxImportRows)))
		}
		row := importRow{line: line, fields: map[string]string{}}
		for i, h := range header {
			row.fields[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row)
	}
	return rows, problems
}

// check validates a row as an invitation to edition e.
func (r importRow) check(e edition.Edition, cities map[string]edition.City) (NewInvitation, []RowProblem) {
	var ps []RowProblem
	bad := func(f *fault.Error) { ps = append(ps, problem(r.line, f)) }
	f := r.fields
	for _, col := range importColumns {
		if f, ok := fault.As(plaintext.Field(col, f[col], false)); ok {
			bad(f) // each cell is one line, as the same field in CreateInvitation
		}
	}
	n := NewInvitation{DisplayName: f["name"], Language: f["language"], Pseudonym: f["pseudonym"]}
	if l := utf8.RuneCountInString(n.DisplayName); l < 1 || l > 200 {
		bad(fault.Invalidf("name", "must be 1–200 characters"))
	}
	if a, err := mail.ParseAddress(f["email"]); err != nil || a.Address != f["email"] || len(f["email"]) > 254 {
		bad(fault.Invalidf("email", "%q is not an e-mail address", f["email"]))
	}
	n.Email = normaliseEmail(f["email"])
	if n.Language != "" && !slices.Contains(languages, n.Language) {
		bad(fault.Invalidf("language", "must be one of %s", strings.Join(languages, ", ")))
	}
	if utf8.RuneCountInString(n.Pseudonym) > 100 {
		bad(fault.Invalidf("pseudonym", "must be at most 100 characters"))
	}
	cityField := ""
	switch strings.ToLower(f["role"]) {
	case "expert":
		n.Role, cityField = auth.RoleExpert, "city"
		if n.Pseudonym != "" {
			bad(fault.Invalidf("pseudonym", "is for jurors only"))
		}
	case "juror":
		n.Role, cityField = auth.RoleJuror, "home_city"
	default:
		bad(fault.Invalidf("role", "must be expert or juror"))
		return n, ps
	}
	c, ok := cities[strings.ToLower(f[cityField])]
	switch {
	case f[cityField] == "" && n.Role == auth.RoleExpert:
		bad(fault.Invalidf(cityField, "is required for an expert: the city they report for"))
	case f[cityField] == "":
		bad(fault.Invalidf(cityField, "is required for a juror: the city they live in"))
	case !ok:
		bad(fault.Invalidf(cityField, "%q is not a city of the platform", f[cityField]))
	case n.Role == auth.RoleExpert && !e.HasCity(c.ID):
		bad(fault.Invalidf(cityField, "%s does not report in this edition", c.Name))
	default:
		n.CityID = c.ID
	}
	return n, ps
}

// citiesByName maps every city's lower-cased name to it.
func citiesByName(ctx context.Context, tx pgx.Tx) (map[string]edition.City, error) {
	rows, err := editiondb.New().ListAllCities(ctx, tx, 5000)
	if err != nil {
		return nil, err
	}
	out := make(map[string]edition.City, len(rows))
	for _, c := range rows {
		out[strings.ToLower(c.Name)] = edition.City{ID: c.ID, Name: c.Name}
	}
	return out, nil
}

// csvProblem says what the CSV reader found wrong, in words a catalogue can translate.
func csvProblem(err error) *fault.Error {
	switch {
	case errors.Is(err, io.EOF):
		return fault.Invalidf("", "the file is empty: the first line names the columns")
	case errors.Is(err, csv.ErrBareQuote):
		return fault.Invalidf("", "a quotation mark inside a field that is not in quotation marks")
	case errors.Is(err, csv.ErrQuote):
		return fault.Invalidf("", "a field in quotation marks is not closed, or has text after its closing mark")
	default:
		return fault.Invalidf("", "the line cannot be read as CSV")
	}
}
