package translation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/translation"
)

// schema is the OASIS XLIFF 2.0 core schema (testdata/xliff-2.0/SOURCE.md says where it is from).
const schema = "testdata/xliff-2.0/xliff_core_2.0.xsd"

// validate checks an XLIFF file against the OASIS schema with xmllint (Debian's libxml2-utils, which
// `make test` installs), offline.
func validate(t *testing.T, name string, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is missing: apt-get install libxml2-utils (make test installs it)")
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), xmllint, "--noout", "--nonet", "--schema", schema, path).CombinedOutput()
	if err != nil {
		t.Fatalf("%s does not validate against the XLIFF 2.0 schema: %v\n%s\n%s", name, err, out, doc)
	}
}

var npmOnce sync.Once

// agency runs testdata/xliff-js/roundtrip.mjs: npm's xliff library reads the file, sets every
// unit's target to prefix + source, and writes it back.
func agency(t *testing.T, doc []byte, prefix string) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: the XLIFF round trip runs npm's xliff library (make test needs Node.js)")
	}
	dir := "testdata/xliff-js"
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "xliff", "package.json")); err == nil {
			return
		}
		cmd := exec.CommandContext(t.Context(), "npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	})
	in, out := filepath.Join(t.TempDir(), "in.xlf"), filepath.Join(t.TempDir(), "out.xlf")
	if err := os.WriteFile(in, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, filepath.Join(dir, "roundtrip.mjs"), in, out, prefix)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	summary, err := cmd.Output()
	if err != nil {
		t.Fatalf("the xliff library's round trip: %v\n%s", err, stderr.String())
	}
	var s struct {
		Units                          int
		SourceLanguage, TargetLanguage string
	}
	if err := json.Unmarshal(summary, &s); err != nil {
		t.Fatalf("round trip summary %q: %v", summary, err)
	}
	if s.SourceLanguage != "pl" || s.TargetLanguage != "uk" {
		t.Fatalf("the library read srcLang %q, trgLang %q; want pl, uk", s.SourceLanguage, s.TargetLanguage)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestXLIFFRoundTripWithAnIndependentLibrary: the export validates against the OASIS XLIFF 2.0
// schema; npm's xliff library reads it, translates every unit and writes it back; the file it wrote
// validates too, its dry run reports no problem and changes nothing, its import sets every text
// (line breaks and XML's special characters intact) as imported by the organiser, and importing it
// again changes nothing.
func TestXLIFFRoundTripWithAnIndependentLibrary(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2042)
	ctx := t.Context()
	p0, p1 := w.practice(0), w.practice(1)
	_, err := w.svc.Save(ctx, w.translator, p0.ID, "uk", translation.Edit{Status: translation.Reviewed, Texts: []translation.NewText{{Field: translation.FieldTitle, Text: "Багатокультурний центр"}}})
	must(t, err)

	x, err := w.svc.Export(ctx, w.org, w.edition.ID, "uk", false)
	must(t, err)
	validate(t, x.FileName, x.XLIFF)
	if x.Units != 5 || x.FileName != "miasta-2042-uk.xlf" {
		t.Fatalf("the export has %d units as %s; want 5 (4 + 1) as miasta-2042-uk.xlf", x.Units, x.FileName)
	}
	for _, id := range []string{p0.ID.String() + ".title", p0.ID.String() + ".description", p0.ID.String() + ".narrative." + w.crit1.ID.String(), p1.ID.String() + ".title"} {
		if !bytes.Contains(x.XLIFF, []byte(`<unit id="`+id+`"`)) {
			t.Errorf("the export has no unit %s", id)
		}
	}
	if !bytes.Contains(x.XLIFF, []byte(`<segment state="reviewed">`)) || !bytes.Contains(x.XLIFF, []byte("Багатокультурний центр")) {
		t.Errorf("the export does not carry the reviewed translation of the title:\n%s", x.XLIFF)
	}
	missing, err := w.svc.Export(ctx, w.org, w.edition.ID, "uk", true)
	must(t, err)
	validate(t, "missing.xlf", missing.XLIFF)
	if missing.Units != 4 || bytes.Contains(missing.XLIFF, []byte(p0.ID.String()+".title")) {
		t.Fatalf("the export of what is missing has %d units; want 4, without the translated title", missing.Units)
	}

	back := agency(t, x.XLIFF, "[uk] ")
	validate(t, "back.xlf", back)
	dry, err := w.svc.Import(ctx, w.org, w.edition.ID, "uk", back, true, translation.Machine)
	must(t, err)
	if len(dry.Problems) != 0 || dry.Units != 5 || dry.Changed != 5 || dry.Imported != 0 {
		t.Fatalf("the dry run = %+v; want 5 units, 5 changed, nothing imported, no problem", dry)
	}
	if _, tr, _ := w.svc.Get(ctx, w.org, p0.ID, "uk"); tr.Version != 1 {
		t.Fatalf("the dry run changed the translation (version %d)", tr.Version)
	}
	res, err := w.svc.Import(ctx, w.org, w.edition.ID, "uk", back, false, translation.Machine)
	must(t, err)
	if res.Imported != 2 || res.Changed != 5 {
		t.Fatalf("the import = %+v; want both practices imported", res)
	}
	pr, tr, err := w.svc.Get(ctx, w.org, p0.ID, "uk")
	must(t, err)
	if tr.Version != 2 || tr.Status != translation.Machine || tr.MadeBy != translation.ByImport || tr.MadeByName != "org@miasta.test" || !tr.Complete || tr.Outdated {
		t.Fatalf("after the import: %+v; want version 2, machine, imported by the organiser, complete, up to date", tr)
	}
	for i, src := range pr.Texts {
		if want := "[uk] " + src.Text; tr.Texts[i].Field != src.Field || tr.Texts[i].Text != want {
			t.Errorf("%s = %q; want %q", src.Field, tr.Texts[i].Text, want)
		}
	}
	again, err := w.svc.Import(ctx, w.org, w.edition.ID, "uk", back, false, translation.Machine)
	if err != nil || again.Imported != 0 || again.Changed != 0 {
		t.Fatalf("importing the same file again = %+v, %v; want nothing changed", again, err)
	}
	if _, err := w.svc.Export(ctx, w.org, w.edition.ID, "uk", true); kindOf(err) == 0 {
		t.Fatal("an export of what is missing when nothing is = no error; want FailedPrecondition")
	}
}

// TestXLIFFImportReportsEveryBadUnit: a file with bad units imports nothing, dry run or not, and
// names every bad unit with its kind and line; a file that is not XML, not XLIFF 2.0 or into another
// language is one problem of the whole file.
func TestXLIFFImportReportsEveryBadUnit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2043)
	ctx := t.Context()
	p0, p1 := w.practice(0), w.practice(1)
	unit := func(id, source, target string) string {
		return fmt.Sprintf("<unit id=%q><segment><source>%s</source><target>%s</target></segment></unit>\n", id, source, target)
	}
	title0, title1 := p0.ID.String()+".title", p1.ID.String()+".title"
	narr := p0.ID.String() + ".narrative." + w.crit2.ID.String()
	body := unit(title0, "Centrum Wielokulturowe", "Багатокультурний центр") + // sound
		unit(title0, "Centrum Wielokulturowe", "Ще раз") + // duplicate
		unit("00000000-0000-0000-0000-000000000000.title", "Nic", "Ніщо") + // unknown practice
		unit(p1.ID.String()+".description", "Opis", "Опис") + // a text the original lacks
		unit("bez-kropki", "x", "y") + // no field at all
		unit(narr, "Z porad skorzystało 2 000 osób.", "Консультації отримали 2 000 осіб.") + // outdated source
		unit(title1, "Gdańska Rada Imigrantów", "  ") + // empty target
		unit(p0.ID.String()+".narrative."+w.crit1.ID.String(), "Łączy pomoc prawną, językową i kulturalną.", strings.Repeat("д", 20001)) + // over-long
		fmt.Sprintf("<unit id=%q><segment><source>%s</source><target>Поради <ph id=\"1\"/> і курси</target></segment></unit>\n", p0.ID.String()+".description", "Porady prawne, kursy języka polskiego\ni spotkania sąsiedzkie &amp; &lt;warsztaty&gt;.")
	doc := func(trg, units string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="pl" trgLang="` + trg + `"><file id="f">
` + units + `</file></xliff>`)
	}
	want := []struct {
		unit string
		kind translation.ProblemKind
	}{
		{title0, translation.DuplicateUnit},
		{"00000000-0000-0000-0000-000000000000.title", translation.UnknownUnit},
		{p1.ID.String() + ".description", translation.UnknownUnit},
		{"bez-kropki", translation.UnknownUnit},
		{narr, translation.OutdatedSource},
		{title1, translation.EmptyTarget},
		{p0.ID.String() + ".narrative." + w.crit1.ID.String(), translation.OverLong},
		{p0.ID.String() + ".description", translation.InvalidText},
	}
	for _, dryRun := range []bool{true, false} {
		res, err := w.svc.Import(ctx, w.org, w.edition.ID, "uk", doc("uk-UA", body), dryRun, translation.Draft)
		if dryRun && err != nil || !dryRun && !errors.Is(err, translation.ErrImportProblems) {
			t.Fatalf("import (dry run %v) = %v", dryRun, err)
		}
		if len(res.Problems) != len(want) {
			t.Fatalf("problems = %+v; want %d", res.Problems, len(want))
		}
		for i, p := range res.Problems {
			if p.UnitID != want[i].unit || p.Kind != want[i].kind || p.Line < 3 || p.Message == "" {
				t.Errorf("problem %d = %+v; want %s on %s with a line", i, p, want[i].kind, want[i].unit)
			}
		}
		if res.Imported != 0 {
			t.Fatalf("a file with problems imported %d", res.Imported)
		}
	}
	if _, tr, _ := w.svc.Get(ctx, w.org, p0.ID, "uk"); tr.Version != 0 {
		t.Fatalf("a file with problems wrote a translation: %+v", tr)
	}
	// A title of two lines and a target in another language, unit by unit.
	two := unit(title0, "Centrum Wielokulturowe", "Багатокультурний\nцентр") +
		fmt.Sprintf("<unit id=%q><segment><source>Gdańska Rada Imigrantów</source><target xml:lang=\"vi\">Hội đồng</target></segment></unit>", title1)
	res, _ := w.svc.Import(ctx, w.org, w.edition.ID, "uk", doc("uk", two), true, translation.Draft)
	if kinds := problemKinds(res.Problems); !slices.Equal(kinds, []translation.ProblemKind{translation.InvalidText, translation.WrongTargetLanguage}) {
		t.Errorf("a two-line title and a Vietnamese target: %v", res.Problems)
	}
	for name, c := range map[string]struct {
		doc  []byte
		kind translation.ProblemKind
	}{
		"not XML":       {[]byte("<xliff version=\"2.0\"><file>"), translation.InvalidXML},
		"XLIFF 1.2":     {[]byte(`<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file/></xliff>`), translation.NotXLIFF},
		"version 2.1":   {[]byte(`<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="pl"><file id="f"/></xliff>`), translation.NotXLIFF},
		"into Spanish":  {doc("es", unit(title0, "Centrum Wielokulturowe", "Centro")), translation.WrongTargetLanguage},
		"from English":  {bytes.Replace(doc("uk", unit(title0, "Centrum Wielokulturowe", "Центр")), []byte(`srcLang="pl"`), []byte(`srcLang="en"`), 1), translation.WrongSourceLanguage},
		"empty":         {[]byte("  "), translation.InvalidXML},
		"not UTF-8 XML": {[]byte(`<?xml version="1.0" encoding="ISO-8859-2"?><xliff/>`), translation.InvalidXML},
	} {
		res, err := w.svc.Import(ctx, w.org, w.edition.ID, "uk", c.doc, true, translation.Draft)
		if err != nil || len(res.Problems) != 1 || res.Problems[0].Kind != c.kind || res.Problems[0].UnitID != "" {
			t.Errorf("%s: %+v, %v; want one %s problem of the whole file", name, res.Problems, err, c.kind)
		}
	}
}

func problemKinds(ps []translation.Problem) []translation.ProblemKind {
	out := make([]translation.ProblemKind, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}
