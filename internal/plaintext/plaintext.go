// Package plaintext is the platform's one rule for which characters text may hold. Every text field
// of every request goes through it (internal/server), and so do the cells of an invitation CSV
// (internal/identity): PostgreSQL cannot store NUL at all, and control characters are invisible in
// the web app and the mail but live in the data, in exports and in terminals (an ESC starts a
// terminal escape sequence).
//
// The rule: no NUL or other C0 control (U+0000–U+001F), no DEL (U+007F) and no C1 control
// (U+0080–U+009F), except that multi-line text (a report's introduction, a description, a reason, a
// comment, a mail body, a CSV file) may hold tab, line feed and carriage return. Single-line text
// (names, titles, labels, addresses, links, ids) may hold none of them.
package plaintext

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Check returns an error saying what s holds that the rule refuses, or nil: a fault.Invalid without
// a field (Field names it).
func Check(s string, multiLine bool) error {
	if !utf8.ValidString(s) {
		return fault.Invalidf("", "is not valid UTF-8 text")
	}
	i := 0
	for _, r := range s {
		if refused(r, multiLine) {
			if multiLine {
				return fault.Invalidf("", "contains the control character U+%s at character %d; only tab, line feed and carriage return are allowed", fmt.Sprintf("%04X", r), i+1)
			}
			return fault.Invalidf("", "contains the control character U+%s at character %d; this field is one line of text without control characters", fmt.Sprintf("%04X", r), i+1)
		}
		i++
	}
	return nil
}

// Field is Check for a request field: the fault names field.
func Field(field, s string, multiLine bool) error {
	err := Check(s, multiLine)
	if f, ok := fault.As(err); ok {
		f.Field = field
	}
	return err
}

func refused(r rune, multiLine bool) bool {
	switch {
	case multiLine && (r == '\t' || r == '\n' || r == '\r'):
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}

// OneLine returns s with every character Check refuses in single-line text replaced by a space and
// the ends trimmed: for text the platform did not receive from a user but must show, such as the
// name an identity provider asserts.
func OneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if refused(r, false) {
			return ' '
		}
		return r
	}, s))
}
