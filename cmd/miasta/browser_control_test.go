package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestBrowserControlRoom runs web/e2e/control.mjs in headless Chromium against a fresh `miasta dev`:
// the organiser's control room from the dashboard alone, with a remind now, a semicolon CSV and an
// Excel workbook imported, a juror's role revoked (their session ends), an observer who reads and is
// refused a change, and the audit timeline checked against the signed log.
func TestBrowserControlRoom(t *testing.T) {
	t.Parallel()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (set CHROMIUM, or run `make test`, which installs Debian's chromium): %v", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the browser tests need Node.js: %v", err)
	}
	webDir, err := filepath.Abs("../../web")
	if err != nil {
		t.Fatal(err)
	}
	artifacts := os.Getenv("E2E_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(webDir, "e2e", "artifacts")
	}
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
			base, _ := startDev(t) // each language its own edition: the run changes it
			out := filepath.Join(artifacts, "control", lang)
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "control.mjs"))
			cmd.Dir = webDir
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "E2E_LANG="+lang, "E2E_ARTIFACTS="+out, "CHROMIUM="+chromium,
				"CSV_FILE="+csvFile, "XLSX_FILE="+xlsxFile)
			start := time.Now()
			output, err := cmd.CombinedOutput()
			t.Logf("browser run (%s):\n%s", time.Since(start).Round(time.Second), output)
			if err != nil {
				t.Fatalf("the control room did not work in the browser (%s): %v; screenshots in %s", lang, err, out)
			}
		})
	}
}
