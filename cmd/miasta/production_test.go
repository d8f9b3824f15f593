package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestReadmeProductionEnvironmentFile writes README's /etc/miasta/miasta.env example as it stands
// (only the database URL the test's), checks that every name in it is a setting, and runs the
// separate migration step of Migrations with several replicas with it: the shell reads the file
// (quoting and all) and `miasta migrate` migrates the empty database it names.
func TestReadmeProductionEnvironmentFile(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```ini\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no ini block (the environment file)")
	}
	settings := map[string]bool{}
	for _, s := range config.Settings {
		settings[s.Env] = true
	}
	url := dbtest.NewEmptyURL(t)
	var file strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		name, _, ok := strings.Cut(line, "=")
		if !ok || !settings[name] {
			t.Errorf("README's environment file line %q names no setting", line)
		}
		if name == "DATABASE_URL" {
			line = "DATABASE_URL=" + url
		}
		file.WriteString(line + "\n")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "miasta.env"), []byte(file.String()), 0o640); err != nil {
		t.Fatal(err)
	}
	block := readmeSections(t, readme)["Migrations with several replicas"]
	if len(block) != 1 {
		t.Fatalf("README's Migrations with several replicas has %d sh blocks; want 1", len(block))
	}
	bin := testenv.Binary(t)
	script := "export PATH=" + filepath.Dir(bin) + ":$PATH\n" + strings.ReplaceAll(block[0], "/etc/miasta", dir) +
		`[ "$MIASTA_MAIL_FROM" = "Miasta Otwarte <noreply@example.org>" ] || { echo "MIASTA_MAIL_FROM read as $MIASTA_MAIL_FROM"; false; }` + "\n"
	runReadme(t, root, devRun{base: "http://127.0.0.1:8080"}, script)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n, err := db.Pending(context.Background(), pool); err != nil || n != 0 {
		t.Fatalf("after README's migration step %d migrations are pending (%v); want none", n, err)
	}
}
