package server_test

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

var updateMessages = flag.Bool("update-messages", false, "rewrite web/src/i18n/server.en.json from the sources")

// faultConstructors maps each fault constructor to the index of its format argument.
var faultConstructors = map[string]int{"Invalidf": 1, "NotFoundf": 1, "Existsf": 1, "Preconditionf": 1, "Abortedf": 1, "Deniedf": 0}

// verb matches a fmt verb; each becomes a numbered placeholder {a0}, {a1}, … in the catalogues.
var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[vdsqfxXtT]`)

// serverMessages finds every message a domain fault can carry: the format strings of fault calls in
// the platform's Go sources, each as its catalogue key and its English text with placeholders.
func serverMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "gen" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			at, known := faultConstructors[sel.Sel.Name]
			if !ok || pkg.Name != "fault" || !known || len(call.Args) <= at {
				return true
			}
			lit, ok := call.Args[at].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a fault's format is not a string literal, so no catalogue can translate it", path)
				return true
			}
			format, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			arg := 0
			out[fault.ReasonOf(format)] = strings.ReplaceAll(verb.ReplaceAllStringFunc(format, func(string) string {
				s := "{a" + strconv.Itoa(arg) + "}"
				arg++
				return s
			}), "%%", "%")
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var placeholder = regexp.MustCompile(`\{a[0-9]+\}`)

// TestEveryServerMessageIsTranslated: each message a domain error can carry reaches the user in their
// language: every catalogue (web/src/i18n/server.<lang>.json) has it, with the same placeholders, and
// none has entries for messages that no longer exist.
func TestEveryServerMessageIsTranslated(t *testing.T) {
	t.Parallel()
	want := serverMessages(t)
	if len(want) < 50 {
		t.Fatalf("found %d server messages; the walk of the sources is broken", len(want))
	}
	dir := filepath.Join("..", "..", "web", "src", "i18n")
	if *updateMessages {
		b, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "server.en.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"pl", "en", "uk", "es", "vi"} {
		b, err := os.ReadFile(filepath.Join(dir, "server."+lang+".json"))
		if err != nil {
			t.Errorf("%s: %v", lang, err)
			continue
		}
		var got map[string]string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("server.%s.json: %v", lang, err)
			continue
		}
		var missing []string
		for k, en := range want {
			text, ok := got[k]
			switch {
			case !ok || strings.TrimSpace(text) == "":
				missing = append(missing, k+": "+en)
			case !slices.Equal(sortedPlaceholders(text), sortedPlaceholders(en)):
				t.Errorf("server.%s.json %s = %q has other placeholders than %q", lang, k, text, en)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("server.%s.json lacks %d messages:\n%s", lang, len(missing), strings.Join(missing, "\n"))
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("server.%s.json has %s, which no fault sends any more", lang, k)
			}
		}
	}
}

func sortedPlaceholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}
