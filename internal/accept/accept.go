// Package accept reads the request headers by which a client says what it accepts.
package accept

import "strings"

// Encoding reports whether an Accept-Encoding header accepts coding (say "gzip" or "br"): listed, or
// "*", with a q-value that is not 0.
func Encoding(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		c, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		c = strings.ToLower(strings.TrimSpace(c))
		if c != coding && c != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
