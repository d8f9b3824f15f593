package identity

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

// maxImportRows bounds one import.
const maxImportRows = 2000

// RowProblem is one thing wrong with one row of an import.
type RowProblem struct {
	Line   int
	Field  string
	Reason string
}

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
		return nil, []RowProblem{{1, "", "the file is not UTF-8 text"}}
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\uFEFF")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, []RowProblem{{1, "", "no header row: " + err.Error()}}
	}
	var problems []RowProblem
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(importColumns, header[i]) {
			problems = append(problems, RowProblem{1, header[i], "unknown column; the columns are " + strings.Join(importColumns, ", ")})
		}
	}
	for _, need := range []string{"name", "email", "role"} {
		if !slices.Contains(header, need) {
			problems = append(problems, RowProblem{1, need, "the header lacks this column"})
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
				return rows, append(problems, RowProblem{pe.Line, "", pe.Err.Error()})
			}
			return rows, append(problems, RowProblem{line, "", err.Error()})
		}
		line, _ = r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			problems = append(problems, RowProblem{line, "", fmt.Sprintf("has %d fields, the header %d", len(rec), len(header))})
			continue
		}
		if len(rows) == maxImportRows {
			return rows, append(problems, RowProblem{line, "", fmt.Sprintf("an import holds at most %d rows", maxImportRows)})
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
	bad := func(field, format string, args ...any) {
		ps = append(ps, RowProblem{r.line, field, fmt.Sprintf(format, args...)})
	}
	f := r.fields
	for _, col := range importColumns {
		if err := plaintext.Check(f[col], false); err != nil {
			bad(col, "%s", err) // each cell is one line, as the same field in CreateInvitation
		}
	}
	n := NewInvitation{DisplayName: f["name"], Language: f["language"], Pseudonym: f["pseudonym"]}
	if l := utf8.RuneCountInString(n.DisplayName); l < 1 || l > 200 {
		bad("name", "must be 1–200 characters")
	}
	if a, err := mail.ParseAddress(f["email"]); err != nil || a.Address != f["email"] || len(f["email"]) > 254 {
		bad("email", "%q is not an e-mail address", f["email"])
	}
	n.Email = normaliseEmail(f["email"])
	if n.Language != "" && !slices.Contains(languages, n.Language) {
		bad("language", "must be one of %s", strings.Join(languages, ", "))
	}
	if utf8.RuneCountInString(n.Pseudonym) > 100 {
		bad("pseudonym", "must be at most 100 characters")
	}
	cityField := ""
	switch strings.ToLower(f["role"]) {
	case "expert":
		n.Role, cityField = auth.RoleExpert, "city"
		if n.Pseudonym != "" {
			bad("pseudonym", "is for jurors only")
		}
	case "juror":
		n.Role, cityField = auth.RoleJuror, "home_city"
	default:
		bad("role", "must be expert or juror")
		return n, ps
	}
	c, ok := cities[strings.ToLower(f[cityField])]
	switch {
	case f[cityField] == "":
		bad(cityField, "is required for a %s", strings.ToLower(string(n.Role)))
	case !ok:
		bad(cityField, "%q is not a city of the platform", f[cityField])
	case n.Role == auth.RoleExpert && !e.HasCity(c.ID):
		bad(cityField, "%s does not report in this edition", c.Name)
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
