package pdfdoc_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/pdfdoc"
)

func certificate(subject string) pdfdoc.Certificate {
	grid := make([][]bool, 21)
	for i := range grid {
		grid[i] = make([]bool, 21)
		for j := range grid[i] {
			grid[i][j] = (i*j)%3 == 0
		}
	}
	return pdfdoc.Certificate{
		Kicker: "Konkurs Miasta Otwarte", Title: "Wyróżnienie", Lead: "Jury konkursu Miasta Otwarte 2015 wyróżnia praktykę miasta",
		Recipient: "Łódź", Subject: subject,
		Lines:    []pdfdoc.Field{{Label: "Kategoria", Text: "5. Miejski punkt obsługi cudzoziemców"}, {Label: "Data", Text: "2015-05-14"}, {Label: "Pusta", Text: " "}},
		Codes:    []pdfdoc.Code{{Modules: grid, Heading: "Strona praktyki", Caption: "https://example.org/practices/1"}, {Modules: [][]bool{{true}, {true, false}}, Heading: "Zła"}},
		Footer:   "Miasta Otwarte · 2015",
		Language: "pl",
		Created:  time.Date(2015, 5, 14, 12, 0, 0, 0, time.UTC),
	}
}

// A certificate is one landscape page whatever the length of its texts, its text reads back, its
// metadata names it, the same input gives the same bytes, and a malformed code is left out.
func TestCertificate(t *testing.T) {
	render := func(c pdfdoc.Certificate) []byte {
		var buf bytes.Buffer
		if err := pdfdoc.RenderCertificate(&buf, c); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	pdf := render(certificate("„Centrum Wielokulturowe” — Київ, Nguyễn"))
	info := pdfinfo(t, pdf)
	if info["Pages"] != "1" || info["Title"] != "Wyróżnienie" || info["Subject"] != "Łódź" || !strings.HasPrefix(info["Page size"], "841.89 x 595.28") {
		t.Fatalf("pdfinfo %v; want one landscape A4 page titled and subjected", info)
	}
	txt := squash(poppler(t, pdf, "pdftotext", "-enc", "UTF-8"))
	for _, want := range []string{"Konkurs Miasta Otwarte", "Wyróżnienie", "Łódź", "„Centrum Wielokulturowe” — Київ, Nguyễn", "Kategoria: 5. Miejski punkt obsługi cudzoziemców", "Strona praktyki", "https://example.org/practices/1", "Miasta Otwarte · 2015"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the certificate's text lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "Pusta") || strings.Contains(txt, "Zła") {
		t.Errorf("an empty line or a malformed code was drawn:\n%s", txt)
	}
	if !bytes.Equal(pdf, render(certificate("„Centrum Wielokulturowe” — Київ, Nguyễn"))) {
		t.Error("the same certificate gave different bytes")
	}
	long := render(certificate(strings.Repeat("Bardzo długi tytuł praktyki ", 40) + "\x00\u200b\U0001F600"))
	if info := pdfinfo(t, long); info["Pages"] != "1" {
		t.Fatalf("a long subject made %s pages", info["Pages"])
	}
	if txt := squash(poppler(t, long, "pdftotext", "-enc", "UTF-8")); !strings.Contains(txt, "…") {
		t.Errorf("a long subject was not cut with an ellipsis:\n%s", txt)
	}
	c := certificate("x")
	c.Language = "not a tag!"
	if err := pdfdoc.RenderCertificate(&bytes.Buffer{}, c); err == nil {
		t.Error("a bad language tag was accepted")
	}
}
