package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// readmeSections returns README's ```sh blocks by the heading they are under ("## Mail" → "Mail"),
// skipping headings inside code blocks (a "# comment" there is shell).
func readmeSections(t *testing.T, readme []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	heading, inBlock, lang := "", false, ""
	var block strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !inBlock && strings.HasPrefix(line, "```"):
			inBlock, lang = true, strings.TrimPrefix(line, "```")
			block.Reset()
		case inBlock && line == "```":
			inBlock = false
			if lang == "sh" {
				out[heading] = append(out[heading], block.String())
			}
		case inBlock:
			block.WriteString(line + "\n")
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
	}
	return out
}

// TestReadmeCommands runs README's shell examples as written, each section's blocks in order in one
// bash, against a `miasta dev` on a fresh database, with the buf and grpcurl the README has one
// build into bin/ and put on PATH. Only the server's address and the token directory are changed
// (to a free port and a directory of the test's), so that it runs beside a `make run`. Every command
// must succeed, except one whose README line says it is refused; afterwards the state the commands
// were to make is checked through the API.
func TestReadmeCommands(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "jq", "curl", "base64", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("README's commands need %s (see README, Before you start): %v", tool, err)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := readmeSections(t, readme)
	blocks := func(headings ...string) string {
		var script strings.Builder
		for _, h := range headings {
			if len(sections[h]) == 0 {
				t.Fatalf("README has no sh block under %q", h)
			}
			for _, b := range sections[h] {
				script.WriteString(b)
			}
		}
		return script.String()
	}
	ctx := context.Background()

	t.Run("calling the API, stage 1 and mail", func(t *testing.T) {
		tokens := t.TempDir()
		d := runDev(t, dbtest.NewEmptyURL(t), tokens)
		defer func() { _ = d.stop() }()
		out := runReadme(t, root, d, blocks("Calling the API", "Walking through stage 1 (reports) with `buf curl`", "Mail"))

		// What the commands were to do: Sopot created, the edition in JURY with Łódź's practice on
		// the shortlist, and the edited invitation delivered.
		if !strings.Contains(out, `"name": "Sopot"`) || !strings.Contains(out, "miasta.v1.EditionService") {
			t.Errorf("the grpcurl calls did not list the services and create Sopot:\n%s", out)
		}
		editions := miastav1connect.NewEditionServiceClient(http.DefaultClient, d.base)
		list, err := editions.ListEditions(ctx, &v1.ListEditionsRequest{})
		if err != nil || len(list.GetEditions()) != 1 || list.GetEditions()[0].GetStage() != v1.Stage_STAGE_JURY {
			t.Fatalf("after the stage 1 walk-through: %v, %v; want the demo edition in JURY", list, err)
		}
		eventually(t, "the edited invitation is delivered to the capture", func() bool {
			files, _ := filepath.Glob(filepath.Join(tokens, "mail", "*.eml"))
			for _, f := range files {
				if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), "nowa.ekspertka@miasta.test") && strings.Contains(string(b), "Dzie") {
					return true
				}
			}
			return false
		})
	})

	t.Run("drafts, history, PDF, attachments and past editions", func(t *testing.T) {
		tokens := t.TempDir()
		d := runDev(t, dbtest.NewEmptyURL(t), tokens)
		defer func() { _ = d.stop() }()
		tools := sections["Calling the API"][0]
		out := runReadme(t, root, d, tools+blocks("Drafts that always save, saves of changes, history and PDF", "Past editions"))
		for _, want := range []string{`"problems"`, `"added"`, "REPORT_VERSION_KIND_RESTORE", `"mediaType": "application/pdf"`,
			`["Priscilla Rubia","Kenia","Łódź"]`, `["Ngo Hoang Minh","Wietnam","Warszawa"]`} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %s:\n%s", want, out)
			}
		}
		pdf, err := os.ReadFile(filepath.Join(tokens, "raport.pdf"))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("raport.pdf: %v (%d bytes)", err, len(pdf))
		}
		if !regexp.MustCompile(`(?m)^20\d\d-\d\d-\d\dT`).MatchString(out) {
			t.Errorf("the re-import of 2015 printed no import time:\n%s", out)
		}
		sum := regexp.MustCompile(`(?m)^([0-9a-f]{64})  `).FindStringSubmatch(out)
		if sum == nil || !strings.Contains(out, `"sha256": "`+sum[1]+`"`) {
			t.Errorf("sha256sum's digest is not the attachment's:\n%s", out)
		}
	})

	t.Run("stage 2 after the whole demo", func(t *testing.T) {
		tokens := t.TempDir()
		d := runDev(t, dbtest.NewEmptyURL(t), tokens)
		defer func() { _ = d.stop() }()
		var demoOut strings.Builder
		if err := run(ctx, []string{"miasta", "demo", "-url", d.base, "-token-dir", tokens}, env(nil), &demoOut, &demoOut); err != nil {
			t.Fatalf("miasta demo: %v\n%s", err, demoOut.String())
		}
		// The same shell as before: the first block of Calling the API put bin/ on its PATH.
		tools := sections["Calling the API"][0]
		if !strings.Contains(tools, "export PATH=") {
			t.Fatalf("the first block of Calling the API does not put bin/ on PATH:\n%s", tools)
		}
		out := runReadme(t, root, d, tools+blocks("Stage 2 (jury, tally, announcement) and the whole demo in one command", "Sharing and reusing the archive"))
		if !strings.Contains(out, `"winner": true`) || !strings.Contains(out, "category_number,category_pl") || !strings.Contains(out, `"juror": "`) {
			t.Errorf("the public results, ballots and CSV are not in the output:\n%s", out)
		}
		// Sharing: the previews, the open data under the licence set, the feed, a certificate, a badge.
		for _, want := range []string{`<meta property="og:title" content="Results: `, `"id": "CC-BY-4.0"`, "year,category_number,category_pl", "CC0-1.0",
			`rel="license"`, "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "Open Cities award", "<title>"} {
			if !strings.Contains(out, want) {
				t.Errorf("README's sharing commands did not show %q:\n%s", want, out)
			}
		}

		// Checking the results: both verifiers, as README shows them. The database is the test's,
		// the bundle goes to a directory of the test's, and the TypeScript verifier is built in a copy
		// of verifier/ (so that other tests' use of the built verifier is not disturbed).
		work := t.TempDir()
		verifier := filepath.Join(t.TempDir(), "verifier")
		if out, err := exec.Command("cp", "-r", filepath.Join(root, "verifier"), verifier).CombinedOutput(); err != nil {
			t.Fatalf("copy verifier/: %v\n%s", err, out)
		}
		_ = os.RemoveAll(filepath.Join(verifier, "node_modules"))
		_ = os.RemoveAll(filepath.Join(verifier, "dist"))
		script := strings.NewReplacer("$(make -s db)", d.dbURL, "-out 2016.json", "-out "+filepath.Join(work, "2016.json"),
			" 2016.json", " "+filepath.Join(work, "2016.json"), "../2016.json", filepath.Join(work, "2016.json"), "cd verifier", "cd "+verifier).
			Replace(blocks("Checking the results without trusting us"))
		out = runReadme(t, root, d, script)
		if !strings.Contains(out, "verified: edition 2016") || !strings.Contains(out, "OK verified: edition") {
			t.Errorf("README's verification commands did not verify the demo's bundle with both verifiers:\n%s", out)
		}
	})
}

// runReadme runs script in bash at the top of the clone against d and returns its output. It fails
// the test for every command that failed, unless README marks that command's line as refused.
func runReadme(t *testing.T, root string, d devRun, script string) string {
	t.Helper()
	addr := strings.TrimPrefix(d.base, "http://")
	script = strings.NewReplacer("127.0.0.1:8080", addr, "/tmp/miasta-dev", d.tokens).Replace(script)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The trap names the script line of each command that fails (LINENO, counting the two lines
	// before the script), and the last command it ran (inside a function, that one's).
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c",
		"set -o pipefail\ntrap 'echo \"README command failed ($?) at line $((LINENO-2)): $BASH_COMMAND\" >&2' ERR\n"+script)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && ctx.Err() != nil {
		t.Fatalf("README commands did not finish: %v\n%s", err, stderr.String())
	}
	t.Logf("README commands, stderr:\n%s", stderr.String())
	lines := strings.Split(script, "\n")
	failed := regexp.MustCompile(`README command failed \((\d+)\) at line (\d+): (.*)`)
	for _, m := range failed.FindAllStringSubmatch(stderr.String(), -1) {
		n, _ := strconv.Atoi(m[2])
		line := ""
		if n >= 1 && n <= len(lines) {
			line = lines[n-1]
		}
		// README says when a call is meant to be refused, on its line: "# stale: aborted ...".
		if !strings.Contains(line, "# stale") {
			t.Errorf("README command failed with status %s: line %q (%s)", m[1], line, m[3])
		}
	}
	for _, bad := range []string{"command not found", "No such file or directory", "parse error"} {
		if strings.Contains(stderr.String(), bad) {
			t.Errorf("README commands: %q in their output", bad)
		}
	}
	return stdout.String() + stderr.String()
}

// eventually polls cond for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReadmeLinksStayInTheClone: every relative link of README and docs/ names a file of this
// repository (README once linked ../shared/DESIGN.md, which a clone does not have).
func TestReadmeLinksStayInTheClone(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(text), -1) {
			target := strings.SplitN(m[1], "#", 2)[0]
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path := filepath.Join(filepath.Dir(doc), target)
			if rel, err := filepath.Rel(root, path); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s links %s, outside the repository", filepath.Base(doc), m[1])
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links %s: %v", filepath.Base(doc), m[1], err)
			}
		}
	}
}

// TestReadmeConfigurationTableListsEverySetting: each setting of internal/config has its row in
// README's configuration table, flag and environment variable together.
func TestReadmeConfigurationTableListsEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		row := "| `-" + s.Flag + "` | `" + s.Env + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README's configuration table has no row %q", row)
		}
	}
}
