package pdfdoc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"golang.org/x/image/font/sfnt"
)

// TestFontsDrawEveryLetterOfTheCatalogues: every letter the platform writes in its five languages
// (the web app's and the server's catalogues, the ones certificates, badges and report PDFs are worded
// from) has a glyph in each embedded font, so no PDF or badge shows an empty box where a word was.
func TestFontsDrawEveryLetterOfTheCatalogues(t *testing.T) {
	files, err := filepath.Glob("../../web/src/i18n/*.json")
	if err != nil || len(files) < 10 {
		t.Fatalf("the catalogues: %v, %v", files, err)
	}
	runes := map[rune]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]string
		if err := json.Unmarshal(raw, &messages); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, m := range messages {
			for _, r := range m {
				if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r) {
					runes[r] = filepath.Base(f)
				}
			}
		}
	}
	for _, r := range "ąćęłńóśźżĄĆĘŁŃÓŚŹŻєіїґЄІЇҐñáéíóúüÑếệơưỳỹạảấầẩẫậắằẳẵặđĐ" {
		runes[r] = "the five alphabets"
	}
	for name, ttf := range map[string][]byte{"regular": RegularTTF, "bold": BoldTTF, "italic": ItalicTTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var buf sfnt.Buffer
		for r, from := range runes {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				t.Errorf("the %s font has no glyph for %q (U+%04X, from %s)", name, r, r, from)
			}
		}
	}
}
