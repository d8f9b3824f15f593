package pdfdoc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tab is what a tab becomes: the fonts have no glyph for it (fpdf would draw a box), and a
// report's text is not laid out in tab stops, so a fixed indent keeps what the writer meant.
const tab = "    "

// cleanRunes returns s as text every font and fpdf can take, whatever it held:
//
//   - invalid UTF-8 becomes U+FFFD, so that nothing downstream sees broken bytes;
//   - CR LF and lone CR become LF, and the Unicode line and paragraph separators become one and
//     two LFs, so that text pasted from any system breaks where its writer broke it;
//   - control characters other than LF and tab (C0, DEL, C1) are dropped: they have no glyph and
//     would be invisible in the PDF but live in its text;
//   - format characters (soft hyphen, zero-width spaces and joiners, bidi marks, BOM) are dropped
//     too: fonts lack most of them, so fpdf would draw a box where the writer saw nothing;
//   - characters beyond the Basic Multilingual Plane (emoji, historic scripts) become U+FFFD:
//     fpdf's width table covers U+0000–U+FFFF only and fails the whole document on anything
//     above, and the embedded fonts have no such glyphs anyway;
//   - the result is in NFC, so that letters typed or pasted decomposed (z + combining dot above,
//     as macOS often sends) become the precomposed ż the fonts have a glyph for.
//
// Tabs are kept here; the callers expand them.
func cleanRunes(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			// CR LF is one break; a lone CR (old Mac text) is one too.
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case r == '\n', r == '\t':
			b.WriteRune(r)
		case r == '\u2028':
			b.WriteByte('\n')
		case r == '\u2029':
			b.WriteString("\n\n")
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
		case r > 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// oneLine cleans s for a place that holds one line (a title, a heading, a label, the footer):
// every run of white space, line breaks and tabs included, becomes one space, and the ends are
// trimmed, so that a stray newline in a heading does not split it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanRunes(s)), " ")
}

// paragraphs cleans s for body text and splits it where its writer left a blank line (a line of
// nothing but white space counts as blank). Single newlines stay inside a paragraph as line
// breaks, because experts use them for lists and addresses. Trailing spaces are trimmed from
// every line, and leading ones kept, since they indent. Text with nothing to show gives no
// paragraphs, which is how an empty field is recognised and left out.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(cleanRunes(s), "\t", tab)
	var paras []string
	var lines []string
	flush := func() {
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\n"))
			lines = lines[:0]
		}
	}
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		lines = append(lines, line)
	}
	flush()
	return paras
}
