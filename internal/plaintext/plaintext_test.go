package plaintext_test

import (
	"testing"

	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		s                  string
		oneLine, multiLine bool // accepted?
	}{
		{"Łódź — Київ, Nguyễn 😀", true, true},
		{"", true, true},
		{"a\tb", false, true},
		{"a\nb\r\nc", false, true},
		{"a\x00b", false, false},
		{"\x1b[31mred", false, false},
		{"a\x01", false, false},
		{"a\x7f", false, false},
		{"a\u0085b", false, false}, // NEL, a C1 control
		{"a\u009fb", false, false},
		{"a\u00a0b", true, true}, // no-break space is text
		{"\xff", false, false},
	} {
		if got := plaintext.Check(tc.s, false) == nil; got != tc.oneLine {
			t.Errorf("Check(%q, one line) accepted = %v; want %v", tc.s, got, tc.oneLine)
		}
		if got := plaintext.Check(tc.s, true) == nil; got != tc.multiLine {
			t.Errorf("Check(%q, multi-line) accepted = %v; want %v", tc.s, got, tc.multiLine)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Ala Kowalska":     "Ala Kowalska",
		"Ala\x00Kowalska":  "Ala Kowalska",
		" \x1b[1mAla\n":    "[1mAla",
		"Олена\tКоваленко": "Олена Коваленко",
	} {
		if got := plaintext.OneLine(in); got != want || plaintext.Check(got, false) != nil {
			t.Errorf("OneLine(%q) = %q; want %q", in, got, want)
		}
	}
}
