package verify_test

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

// TestPure: the verification package imports no database driver, no RPC framework, no HTTP and no
// domain package, so that the command line, the server and a browser build share it.
func TestPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/miasta-otwarte/miasta/internal/verify").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/miasta-otwarte/miasta/internal/verify": true,
		"github.com/miasta-otwarte/miasta/internal/canon":  true,
		"github.com/miasta-otwarte/miasta/internal/tally":  true,
	}
	// crypto/x509, which the C2SP note library imports (for its RFC 6962 signed tree head keys), imports
	// net, net/netip and net/url for certificates' names; nothing of the verifier connects anywhere.
	x509Net := map[string]bool{"net": true, "net/netip": true, "net/url": true}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case x509Net[dep]:
		case strings.Contains(dep, "pgx"), strings.Contains(dep, "connectrpc"), dep == "net/http", strings.HasPrefix(dep, "net/"), dep == "database/sql":
			t.Errorf("the verification package depends on %s", dep)
		case strings.HasPrefix(dep, "github.com/miasta-otwarte/") && !allowed[dep]:
			t.Errorf("the verification package depends on the platform's %s", dep)
		}
	}
}

// TestSchemasAreTheSpecification reads the payload tables of spec/audit.md §6 and checks that the
// verifier's schemas list exactly the kinds and members the document does: the document is the
// contract, and neither may drift from the other.
func TestSchemasAreTheSpecification(t *testing.T) {
	f, err := os.Open("../../spec/audit.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heading := regexp.MustCompile("^\\*\\*`([a-z_.]+)`\\*\\*(?:, \\*\\*`([a-z_.]+)`\\*\\*)*(?: with .*)? —")
	kindName := regexp.MustCompile("\\*\\*`([a-z_.]+)`\\*\\*")
	row := regexp.MustCompile("^\\| `([a-z_0-9]+)` \\|")
	spec := map[string][]string{}
	var current []string
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line
			current = nil
			continue
		}
		if !strings.HasPrefix(section, "## 6.") {
			continue
		}
		if heading.MatchString(line) {
			current = nil
			for _, m := range kindName.FindAllStringSubmatch(strings.SplitN(line, " —", 2)[0], -1) {
				current = append(current, m[1])
			}
			for _, k := range current {
				if _, seen := spec[k]; !seen {
					spec[k] = nil
				}
			}
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil && current != nil {
			// A member of one kind of a shared table says so: "`report.returned` only".
			only := regexp.MustCompile("`([a-z_.]+)` only").FindStringSubmatch(line)
			for _, k := range current {
				if only == nil || only[1] == k {
					spec[k] = append(spec[k], m[1])
				}
			}
		}
	}
	// criterion.created says "same members as category.created with criterion_id": the one table the
	// document shares.
	if spec["criterion.created"] == nil {
		for _, m := range spec["category.created"] {
			spec["criterion.created"] = append(spec["criterion.created"], strings.Replace(m, "category_id", "criterion_id", 1))
		}
	}
	for kind, fields := range verify.Schemas {
		var names []string
		for _, f := range fields {
			names = append(names, f.Name)
		}
		want := slices.Clone(spec[kind])
		slices.Sort(want)
		want = slices.Compact(want)
		if _, ok := spec[kind]; !ok {
			t.Errorf("the verifier knows %s, which spec/audit.md §6 does not define", kind)
			continue
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: the verifier's members %v, the specification's %v", kind, names, want)
		}
		if !slices.IsSortedFunc(fields, func(a, b verify.Field) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("%s: the schema's members are not in name order", kind)
		}
	}
	for kind := range spec {
		if _, ok := verify.Schemas[kind]; !ok {
			t.Errorf("spec/audit.md §6 defines %s, which the verifier does not know", kind)
		}
	}
}

// FuzzVerify: whatever bytes a bundle holds, the verifier answers with a verdict, never a panic, and a
// valid bundle changed in one byte never verifies unless the change was a no-op.
func FuzzVerify(f *testing.F) {
	l, err := fixture.Build(fixture.Options{Cities: 2, Categories: 1, Criteria: 1, PerCategory: 2, Jurors: 3})
	if err != nil {
		f.Fatal(err)
	}
	valid, err := l.Bundle()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, 0, byte(0))
	f.Add(valid, len(valid)/2, byte('x'))
	f.Add([]byte(`{}`), 0, byte(0))
	f.Fuzz(func(t *testing.T, b []byte, at int, c byte) {
		if len(b) > 0 {
			at = (at%len(b) + len(b)) % len(b)
			changed := b[at] != c
			b = slices.Clone(b)
			b[at] = c
			_, err := verify.Verify(b, verify.Options{Key: fixture.TestVerifier})
			if err == nil && changed && string(b) != string(valid) && len(b) == len(valid) && strings.HasPrefix(string(valid), string(b[:at])) {
				// A one-byte change of the valid bundle that still verifies must leave its meaning:
				// only a change inside the checkpoint's signature block could, and that fails too.
				t.Fatalf("a bundle changed at byte %d (%q) still verifies", at, c)
			}
		}
	})
}

// FuzzIsTime checks the hand-written reader of §3.3's times against the standard library's: the same
// answer for every string (a time is valid when it parses and prints back unchanged).
func FuzzIsTime(f *testing.F) {
	for _, s := range []string{"2015-05-14T13:30:00.000000Z", "2016-02-29T23:59:59.999999Z", "2015-02-29T00:00:00.000000Z",
		"0000-01-01T00:00:00.000000Z", "2015-13-01T00:00:00.000000Z", "2015-04-31T00:00:00.000000Z", "2015-05-14T24:00:00.000000Z",
		"2015-05-14T13:60:00.000000Z", "2015-05-14T13:30:60.000000Z", "2015-05-14 13:30:00.000000Z", "2015-05-14T13:30:00.00000Z",
		"2015-05-14T13:30:00.000000+", "+015-05-14T13:30:00.000000Z", "2015-05-14T13:30:00.0000-0Z", "2015-00-14T13:30:00.000000Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := time.Parse(verify.TimeLayout, s)
		want := err == nil && tm.Format(verify.TimeLayout) == s
		if got := verify.IsTime(s); got != want {
			t.Fatalf("IsTime(%q) = %v; time.Parse and Format say %v", s, got, want)
		}
	})
}
