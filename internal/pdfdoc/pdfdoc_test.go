package pdfdoc_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/miasta-otwarte/miasta/internal/pdfdoc"
)

const (
	title     = "Raport: Łódź — Zażółć gęślą jaźń"
	ukrainian = "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!"
	footer    = "Miasta Otwarte · wersja 12 · 2026-12-03"
	label     = "Strona %d z %d"
)

// longText is a field of at least n characters in Polish, with paragraphs (blank lines) and
// line breaks inside them (single newlines), numbered so that every part of it is distinct and
// ending in a sentence found nowhere else.
func longText(n int) string {
	var b strings.Builder
	for i := 1; b.Len() < 2*n; i++ { // 2 bytes a character is a generous bound for this text
		if i > 1 {
			if i%4 == 0 {
				b.WriteString("\n\n")
			} else if i%7 == 0 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
		fmt.Fprintf(&b, "Zdanie %d: mieszkańcy Łodzi zgłosili %d pomysłów na zieleń, żłobki i ścieżki rowerowe, a urząd odpowiedział na każdy.", i, i*3)
	}
	const end = " Koniec: źdźbło, gżegżółka, Київ та Львів — ostatnie słowa."
	return string([]rune(b.String())[:n-utf8.RuneCountInString(end)]) + end
}

func report(long string) pdfdoc.Document {
	return pdfdoc.Document{
		Title:    title,
		Subtitle: "Łódź · edycja 2026 · wersja robocza",
		Meta: []pdfdoc.Field{
			{Label: "Ekspertka", Text: "Żaneta Ćwikła-Jóźwiak"},
			{Label: "Data", Text: "2026-12-03"},
			{Label: "Pusta etykieta metryki", Text: " \n "},
		},
		Sections: []pdfdoc.Section{
			{Heading: "Wprowadzenie", Fields: []pdfdoc.Field{
				{Label: "Opis miasta", Text: "Łódź jest miastem otwartym.\n\nDrugi akapit:\n- punkt pierwszy\n- punkt drugi"},
				{Label: "Опис українською", Text: ukrainian},
				{Label: "Pole bez odpowiedzi", Text: "  \n\t\r\n "},
			}},
			{Heading: "Praktyki", Sections: []pdfdoc.Section{
				{Heading: "Praktyka 1: Budżet obywatelski", Fields: []pdfdoc.Field{
					{Label: "Opis praktyki", Text: long},
				}},
				{Heading: "Praktyka 2: Konsultacje — Ґанок", Fields: []pdfdoc.Field{
					{Label: "Uwagi", Text: "Tiếng Việt: ế, ệ, ơ, ư — drawn, and extractable as text."},
					{Label: "Znaki specjalne", Text: `Nawiasy (a) i \ ukośnik, 100% i {nb} zostają.`},
				}},
			}},
			{Heading: "Podsumowanie", Fields: []pdfdoc.Field{{Label: "Wnioski", Text: "Zażółć gęślą jaźń."}}},
		},
		Footer:    footer,
		PageLabel: label,
		Language:  "pl-PL",
		Created:   time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC),
	}
}

func render(t testing.TB, d pdfdoc.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// poppler runs one of poppler-utils' commands on pdf and returns what it printed. Poppler is
// independent of fpdf, so what it reads back is what a viewer, a search index or a screen reader
// gets. Missing tools fail the test rather than skip it: a skipped round trip would look green.
func poppler(t *testing.T, pdf []byte, tool string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is missing: apt-get install poppler-utils (make test installs it)", tool)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, append(args, path)...)
	if tool == "pdftotext" {
		cmd.Args = append(cmd.Args, "-")
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, stderr.String())
	}
	// Poppler reports a malformed file on stderr and still exits 0.
	if stderr.Len() > 0 {
		t.Fatalf("%s complains about the pdf:\n%s", tool, stderr.String())
	}
	return stdout.String()
}

// pdfinfo returns the fields pdfinfo prints, dates in ISO 8601.
func pdfinfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	info := map[string]string{}
	for line := range strings.Lines(poppler(t, pdf, "pdfinfo", "-isodates")) {
		if key, value, ok := strings.Cut(line, ":"); ok {
			info[key] = strings.TrimSpace(value)
		}
	}
	return info
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestTextRoundTrips(t *testing.T) {
	long := longText(120_000)
	if n := len([]rune(long)); n != 120_000 {
		t.Fatalf("long field is %d characters", n)
	}
	d := report(long)
	pdf := render(t, d)
	text := poppler(t, pdf, "pdftotext", "-layout", "-enc", "UTF-8")

	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if len(pages) < 10 {
		t.Fatalf("%d pages for 120,000 characters; want the text to flow over many", len(pages))
	}
	info := pdfinfo(t, pdf)
	if got := info["Pages"]; got != fmt.Sprint(len(pages)) {
		t.Errorf("pdftotext saw %d pages, pdfinfo %s", len(pages), got)
	}
	// Every page ends in the footer and its own label with the right count. Taking them out
	// leaves the body as one text, as if it had been on one long page.
	var body []string
	for i, page := range pages {
		page = squash(page)
		want := fmt.Sprintf(label, i+1, len(pages))
		if !strings.HasSuffix(page, footer+" "+want) {
			t.Errorf("page %d ends %q; want the footer and %q", i+1, page[max(0, len(page)-80):], want)
		}
		body = append(body, strings.TrimSuffix(page, footer+" "+want))
	}
	all := squash(strings.Join(body, " "))

	for _, want := range []string{
		title,
		"Łódź · edycja 2026 · wersja robocza",
		"Ekspertka: Żaneta Ćwikła-Jóźwiak",
		"Wprowadzenie", "Praktyki", "Praktyka 1: Budżet obywatelski", "Praktyka 2: Konsultacje — Ґанок", "Podsumowanie",
		"Опис українською", ukrainian,
		"Drugi akapit: - punkt pierwszy - punkt drugi",
		"Tiếng Việt", // Vietnamese letters, drawn by the embedded font and extractable
		`Nawiasy (a) i \ ukośnik, 100% i {nb} zostają.`,
		squash(string([]rune(long)[len([]rune(long))-200:])),
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the extracted text lacks %q", want)
		}
	}
	for _, absent := range []string{"Pusta etykieta metryki", "Pole bez odpowiedzi"} {
		if strings.Contains(all, absent) {
			t.Errorf("the extracted text holds %q, the label of an empty field", absent)
		}
	}
	// The whole long field, not only its end: nothing is cut at a page break.
	if !strings.Contains(all, squash(long)) {
		t.Error("the long field does not come back whole")
	}

	for key, want := range map[string]string{
		"Title":     title,
		"Subject":   "Łódź · edycja 2026 · wersja robocza",
		"Creator":   "Miasta Otwarte",
		"Page size": "595.28 x 841.89 pts (A4)",
	} {
		if got := info[key]; got != want {
			t.Errorf("pdfinfo %s: %q; want %q", key, got, want)
		}
	}
	if !bytes.Contains(pdf, []byte("/Lang (pl-PL)")) {
		t.Error("the catalog does not give the language")
	}
	// fpdf writes the date without a zone (Render gives it in UTC), which poppler reads as UTC.
	if got := info["CreationDate"]; !strings.HasPrefix(got, "2026-12-03T09:30:00") {
		t.Errorf("pdfinfo CreationDate: %q; want Document.Created", got)
	}
	if !bytes.Contains(pdf, []byte("/CreationDate (D:20261203093000)")) {
		t.Error("the creation date is not Document.Created")
	}
	// Every font is embedded and has a ToUnicode map, which is what makes the text extractable
	// on any machine.
	fonts := strings.Split(strings.TrimSpace(poppler(t, pdf, "pdffonts")), "\n")[2:]
	if len(fonts) != 3 {
		t.Errorf("pdffonts lists %d fonts; want regular, bold and italic", len(fonts))
	}
	for _, f := range fonts {
		if fields := strings.Fields(f); len(fields) < 7 || fields[len(fields)-5] != "yes" || fields[len(fields)-3] != "yes" {
			t.Errorf("font not embedded with a ToUnicode map: %s", f)
		}
	}
}

// TestHeadingsKeepWithText lays out sections of many lengths, so that headings land at every
// height of a page, and checks that no page ends in a heading or a label: the text under it
// starts on the same page.
func TestHeadingsKeepWithText(t *testing.T) {
	var sections []pdfdoc.Section
	for i := 1; i <= 40; i++ {
		sections = append(sections, pdfdoc.Section{
			Heading: fmt.Sprintf("Sekcja %d", i),
			Fields:  []pdfdoc.Field{{Label: "Etykieta", Text: strings.Repeat("Słowo ", 15*i%170+1)}},
		})
	}
	text := poppler(t, render(t, pdfdoc.Document{Sections: sections}), "pdftotext", "-layout", "-enc", "UTF-8")
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if len(pages) < 5 {
		t.Fatalf("%d pages; want enough for headings to fall everywhere", len(pages))
	}
	for i, page := range pages {
		var lines []string
		for line := range strings.Lines(page) {
			if line = strings.TrimSpace(line); line != "" {
				lines = append(lines, line)
			}
		}
		// The last line is the footer; the one above it must be text.
		if n := len(lines); n < 2 || strings.HasPrefix(lines[n-2], "Sekcja") || lines[n-2] == "Etykieta" {
			t.Errorf("page %d ends %q", i+1, lines[max(0, n-3):])
		}
	}
}

func TestDeterministic(t *testing.T) {
	d := report(longText(20_000))
	a, b := render(t, d), render(t, d)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same document differ")
	}
	// The same instant in another zone is the same document.
	d.Created = d.Created.In(time.FixedZone("CET", 3600))
	if !bytes.Equal(a, render(t, d)) {
		t.Error("the zone of Created changes the bytes")
	}
	// A zero Created is a fixed date, not the time of rendering.
	d.Created = time.Time{}
	z := render(t, d)
	time.Sleep(1100 * time.Millisecond) // fpdf's dates have seconds
	if !bytes.Equal(z, render(t, d)) {
		t.Error("a zero Created makes the output depend on when it is rendered")
	}
}

// pieces are the awkward things user text holds: controls, broken UTF-8, line ends of every
// system, invisible format characters, characters beyond U+FFFF that fpdf cannot take,
// noncharacters, decomposed letters, PDF string syntax, fpdf's page-count alias, format verbs,
// words longer than a line, CJK (where fpdf breaks lines itself) and nothing at all.
var pieces = []string{
	"", " ", "\n", "\n\n\n", "\t", "\x00", "\x01", "\x1b[31m", "\x7f", "\u0085", "\u009f",
	"\xff", "\xfe\xff", "\xc3", "\xed\xa0\x80", "\r\n", "\r", "\u2028", "\u2029",
	"\u00ad", "\u200b", "\u200d", "\u200e", "\ufeff", "😀", "👩‍👩‍👧", "\U0010FFFF", "\U0001F1F5\U0001F1F1",
	"\uFFFF", "\uFFFE", "\ue000", "z\u0307", "e\u0301\u0301\u0301", "(", ")", `\`, `\\(`, "%d", "%s", "%", "{nb}",
	"ą", "Ї", "Tiếng", "中文字符", "ﷺ", "\u0301", strings.Repeat("x", 3000), strings.Repeat("ż", 500),
	"Zażółć gęślą jaźń", strings.Repeat(" ", 300), "endobj", "%%EOF", "stream\n",
}

func junk(r *rand.Rand, n int) string {
	var b strings.Builder
	for range r.IntN(n) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestAnyTextRenders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all []pdfdoc.Section
	for i := range 25 {
		d := pdfdoc.Document{
			Title: junk(r, 8), Subtitle: junk(r, 8), Footer: junk(r, 8), Language: "uk",
			Meta: []pdfdoc.Field{{Label: junk(r, 4), Text: junk(r, 8)}},
			Sections: []pdfdoc.Section{{
				Heading: junk(r, 6),
				Fields:  []pdfdoc.Field{{Label: junk(r, 4), Text: junk(r, 40)}, {Text: junk(r, 10)}},
				Sections: []pdfdoc.Section{{Heading: junk(r, 4), Fields: []pdfdoc.Field{{Label: junk(r, 3), Text: junk(r, 20)}},
					Sections: []pdfdoc.Section{{Heading: junk(r, 3), Fields: []pdfdoc.Field{{Text: junk(r, 5)}}}}}},
			}},
		}
		var buf bytes.Buffer
		if err := pdfdoc.Render(&buf, d); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		all = append(all, d.Sections...)
	}
	// Poppler reads all of it back without a complaint.
	pdf := render(t, pdfdoc.Document{Title: "Wszystko naraz", Sections: all})
	poppler(t, pdf, "pdftotext", "-enc", "UTF-8")
}

func FuzzRender(f *testing.F) {
	// A few seeds of several pieces each: every render pays fpdf's fixed cost of loading the
	// fonts (about 20 ms, several times that under the race detector), and the seeds run in
	// every `go test`.
	for i := 0; i < len(pieces); i += 8 {
		group := strings.Join(pieces[i:min(i+8, len(pieces))], "")
		f.Add(group, group, "Strona %d z %d", "pl")
	}
	f.Add("Ładny tytuł", "Akapit.\n\nDrugi.", "%d%%/%d", "uk-UA")
	f.Fuzz(func(t *testing.T, heading, text, pageLabel, lang string) {
		d := pdfdoc.Document{
			Title: heading, Footer: text, PageLabel: pageLabel, Language: lang,
			Meta:     []pdfdoc.Field{{Label: heading, Text: text}},
			Sections: []pdfdoc.Section{{Heading: heading, Fields: []pdfdoc.Field{{Label: heading, Text: text}}}},
		}
		var buf bytes.Buffer
		err := pdfdoc.Render(&buf, d)
		if err != nil && !strings.HasPrefix(err.Error(), "page label") && !strings.HasPrefix(err.Error(), "language") {
			t.Fatalf("only the page label and the language may be refused: %v", err)
		}
		if err == nil && !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatal("no pdf written")
		}
	})
}

func TestSettingsRefused(t *testing.T) {
	for _, l := range []string{"Strona %s z %d", "Strona %d", "%d %d %d", "50%", "%v / %d"} {
		if err := pdfdoc.Render(&bytes.Buffer{}, pdfdoc.Document{PageLabel: l}); err == nil {
			t.Errorf("page label %q accepted", l)
		}
	}
	for _, l := range []string{"", "%d / %d", "Strona %d z %d", "%d%% z %d"} {
		if err := pdfdoc.Render(&bytes.Buffer{}, pdfdoc.Document{PageLabel: l}); err != nil {
			t.Errorf("page label %q: %v", l, err)
		}
	}
	for _, l := range []string{"pl)", "not a language tag", "x"} {
		if err := pdfdoc.Render(&bytes.Buffer{}, pdfdoc.Document{Language: l}); err == nil {
			t.Errorf("language %q accepted", l)
		}
	}
	broken := errors.New("disk full")
	if err := pdfdoc.Render(failingWriter{broken}, pdfdoc.Document{Title: "x"}); !errors.Is(err, broken) {
		t.Errorf("a failing writer gives %v", err)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestRenderTime guards against a slow path (a quadratic loop over a long text): 150,000
// characters render in about 70 ms on the 2-core machine (0.4–0.5 s under the race detector,
// which `make test` uses), so the bound is loose and still catches a quadratic slide.
func TestRenderTime(t *testing.T) {
	d := report(longText(150_000))
	start := time.Now()
	render(t, d)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("150,000 characters took %v", took)
	} else {
		t.Logf("150,000 characters in %v", took)
	}
}

func BenchmarkRender150k(b *testing.B) {
	d := report(longText(150_000))
	for b.Loop() {
		render(b, d)
	}
}
