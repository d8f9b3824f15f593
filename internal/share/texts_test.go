package share

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var argument = regexp.MustCompile(`\{[a-z]+\}|%d`)

// TestEveryTextInEveryLanguage: each language has every Polish key, no other, and the same
// arguments, so that no preview, feed, certificate or badge falls back or loses a value.
func TestEveryTextInEveryLanguage(t *testing.T) {
	for _, lang := range Languages {
		if len(texts[lang]) != len(texts["pl"]) {
			t.Errorf("%s has %d texts; Polish has %d", lang, len(texts[lang]), len(texts["pl"]))
		}
		for key, pl := range texts["pl"] {
			s, ok := texts[lang][key]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			want, got := argument.FindAllString(pl, -1), argument.FindAllString(s, -1)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("%s %q has arguments %v; Polish has %v", lang, key, got, want)
			}
		}
	}
	if got := text("uk", "editionTitle", "edition", "Miasta Otwarte 2015"); got != "Результати: Miasta Otwarte 2015" {
		t.Fatalf("text = %q", got)
	}
}

func TestLanguage(t *testing.T) {
	for _, c := range []struct{ url, header, want string }{
		{"/feed.atom", "", "pl"},
		{"/feed.atom?lang=vi", "en", "vi"},
		{"/feed.atom?lang=de", "uk-UA,uk;q=0.9", "uk"},
		{"/feed.atom", "de-DE, es;q=0.8", "es"},
		{"/feed.atom", "en;q=0, fr", "pl"},
	} {
		r := httptest.NewRequest("GET", c.url, nil)
		r.Header.Set("Accept-Language", c.header)
		if got := Language(r); got != c.want {
			t.Errorf("Language(%s, %q) = %q; want %q", c.url, c.header, got, c.want)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("zażółć gęślą jaźń ", 30)
	got := clip(long)
	if n := utf8.RuneCountInString(got); n > descriptionRunes || !strings.HasSuffix(got, "…") || strings.Contains(got, "  ") {
		t.Fatalf("clip = %q (%d characters)", got, n)
	}
	if got := clip("  a\n\tb  "); got != "a b" {
		t.Fatalf("clip = %q", got)
	}
	for _, y := range []string{"2015", "2100"} {
		if _, err := parseYear(y); err != nil {
			t.Errorf("parseYear(%s) = %v", y, err)
		}
	}
	for _, y := range []string{"02015", "2013", "2101", "+2015", "x", ""} {
		if _, err := parseYear(y); err == nil {
			t.Errorf("parseYear(%q) accepted", y)
		}
	}
}
