package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// importFile is 50 people: experts for the edition's reporting city and jurors from elsewhere, with
// Polish, Ukrainian and Vietnamese names; bad maps a data row (from 0) to a replacement line.
func importFile(reporting, home string, bad map[int]string) string {
	var b strings.Builder
	b.WriteString("name,email,role,city,home_city,language\n")
	for i := range 50 {
		if line, ok := bad[i]; ok {
			b.WriteString(line + "\n")
			continue
		}
		if i%5 == 0 {
			fmt.Fprintf(&b, "Ekspertka %d,ekspert.%d@miasta.test,expert,%s,,pl\n", i, i, reporting)
		} else {
			fmt.Fprintf(&b, "\"Nguyễn, Lan %d\",juror.%d@miasta.test,juror,,%s,vi\n", i, i, strings.ToUpper(home))
		}
	}
	return b.String()
}

func TestImportInvitationsFromCSV(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	reporting := e.GetCities()[0].GetName()
	testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Łódź"}))
	count := func() int {
		return len(testenv.Must(org.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId(), PageSize: 200})).GetInvitations())
	}

	// Three bad rows among fifty (data rows 7, 20 and 41 are lines 9, 22 and 43): nothing is imported,
	// all three are named, on a dry run and on a real one alike.
	bad := importFile(reporting, "Łódź", map[int]string{
		7:  "Ktoś,not-an-address,juror,,Łódź,pl",
		20: "Ktoś Inny,inny@miasta.test,organiser,,Łódź,pl",
		41: "Ekspert,e41@miasta.test,expert,Łódź,,pl",
	})
	before := env.EventCount(t)
	dry := testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: bad}, DryRun: true}))
	want := []string{"9 email", "22 role", "43 city"}
	var got []string
	for _, p := range dry.GetProblems() {
		got = append(got, fmt.Sprintf("%d %s", p.GetLine(), p.GetField()))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || dry.GetRows() != 50 || dry.GetInvited() != 0 {
		t.Fatalf("dry run = %v (problems %v); want rows 50, nothing invited, problems %v", dry, got, want)
	}
	_, err := org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: bad}})
	if testenv.Code(err) != connect.CodeInvalidArgument || testenv.Field(err) != "csv" {
		t.Fatalf("importing bad rows = %v; want InvalidArgument naming csv", err)
	}
	// The error carries the whole response: every bad row, its English reason and its catalogue key
	// with arguments, so that the web app lists them in the organiser's language.
	var detail *v1.ImportInvitationsResponse
	var ce *connect.Error
	if errors.As(err, &ce) {
		for _, d := range ce.Details() {
			if v, err := d.Value(); err == nil {
				if r, ok := v.(*v1.ImportInvitationsResponse); ok {
					detail = r
				}
			}
		}
	}
	if len(detail.GetProblems()) != 3 {
		t.Fatalf("the error does not carry the three rows: %v", detail)
	}
	for i, p := range detail.GetProblems() {
		if !proto.Equal(p, dry.GetProblems()[i]) {
			t.Errorf("the error's problem %d = %v; the dry run's %v", i, p, dry.GetProblems()[i])
		}
	}
	email := detail.GetProblems()[0]
	if email.GetReason() != `"not-an-address" is not an e-mail address` || email.GetReasonId() != fault.ReasonOf("%q is not an e-mail address") ||
		email.GetReasonArgs()["a0"] != "not-an-address" {
		t.Errorf("line 9's problem = %v; want the e-mail message with its catalogue key and the address as a0", email)
	}
	if count() != 0 || env.EventCount(t) != before {
		t.Fatal("a refused import changed something")
	}

	// A valid file imports every row; the same file again changes nothing.
	good := importFile(reporting, "Łódź", nil)
	if r := testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: good}, DryRun: true})); r.GetInvited() != 0 || count() != 0 {
		t.Fatalf("a dry run imported: %v", r)
	}
	r := testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: good}}))
	if r.GetInvited() != 50 || r.GetUnchanged() != 0 || count() != 50 {
		t.Fatalf("import = %v with %d invitations; want 50 invited", r, count())
	}
	again := testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: good}}))
	if again.GetInvited() != 0 || again.GetUnchanged() != 50 || count() != 50 {
		t.Fatalf("re-import = %v with %d invitations; want everything unchanged", again, count())
	}
	invs := testenv.Must(org.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId(), PageSize: 200})).GetInvitations()
	for _, inv := range invs {
		if inv.GetEmail() == "juror.1@miasta.test" && (inv.GetDisplayName() != "Nguyễn, Lan 1" || inv.GetCity().GetName() != "Łódź" || inv.GetLanguage() != "vi") {
			t.Fatalf("imported juror = %v", inv)
		}
	}
}

// TestImportInvitationsFromTheFilesOrganisersHave: the file as Polish Excel saves it (semicolons,
// Windows-1250), UTF-8 with a byte order mark, and an .xlsx workbook all import the same people; a
// file that is none of these is refused naming the file, changing nothing.
func TestImportInvitationsFromTheFilesOrganisersHave(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	reporting := e.GetCities()[0].GetName()
	testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Łódź"}))
	rows := [][]string{
		{"name", "email", "role", "city", "home_city", "language"},
		{"Ekspertka Żaneta Gęś", "zaneta@miasta.test", "expert", reporting, "", "pl"},
		{"Olena Kowalenko", "olena@miasta.test", "juror", "", "Łódź", "pl"},
	}
	csvWith := func(sep string) string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, sep) + "\r\n")
		}
		return b.String()
	}
	cp1250, err := charmap.Windows1250.NewEncoder().String(csvWith(";"))
	if err != nil {
		t.Fatal(err)
	}
	book := excelize.NewFile()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := book.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	xlsx, err := book.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	for name, source := range map[string]*v1.ImportInvitationsRequest{
		"semicolons as text":              {Source: &v1.ImportInvitationsRequest_Csv{Csv: csvWith(";")}},
		"Windows-1250 with semicolons":    {Source: &v1.ImportInvitationsRequest_File{File: []byte(cp1250)}},
		"UTF-8 with a byte order mark":    {Source: &v1.ImportInvitationsRequest_File{File: []byte("\uFEFF" + csvWith(","))}},
		"an Excel workbook (first sheet)": {Source: &v1.ImportInvitationsRequest_File{File: xlsx.Bytes()}},
	} {
		source.EditionId, source.DryRun = e.GetId(), true
		r, err := org.Identity.ImportInvitations(ctx, source)
		if err != nil || r.GetRows() != 2 || len(r.GetProblems()) != 0 {
			t.Errorf("%s: %v, %v; want two good rows", name, r, err)
		}
	}
	// The Windows-1250 file imports its Polish letters as they are.
	testenv.Must(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_File{File: []byte(cp1250)}}))
	invs := testenv.Must(org.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId(), PageSize: 10})).GetInvitations()
	names := map[string]string{}
	for _, inv := range invs {
		names[inv.GetEmail()] = inv.GetDisplayName() + "/" + inv.GetCity().GetName()
	}
	if names["zaneta@miasta.test"] != "Ekspertka Żaneta Gęś/"+reporting || names["olena@miasta.test"] != "Olena Kowalenko/Łódź" {
		t.Errorf("imported from Windows-1250: %v", names)
	}
	env.Refused(t, connect.CodeInvalidArgument, "file", func() error {
		return testenv.ErrOf(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_File{File: []byte("PK\x03\x04 not a workbook")}}))
	})
	env.Refused(t, connect.CodeInvalidArgument, testenv.AnyField, func() error {
		return testenv.ErrOf(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId()}))
	})
}
