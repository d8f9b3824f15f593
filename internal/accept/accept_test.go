package accept_test

import (
	"testing"

	"github.com/miasta-otwarte/miasta/internal/accept"
)

func TestEncoding(t *testing.T) {
	for _, c := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip, deflate, br", "br", true},
		{"gzip, deflate, br", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate", "gzip", false},
		{"", "gzip", false},
		{"*", "br", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.000, br", "gzip", false},
		{"gzip;q=0.5", "gzip", true},
		{"br;q=0, gzip;q=0", "br", false},
	} {
		if got := accept.Encoding(c.header, c.coding); got != c.want {
			t.Errorf("Encoding(%q, %q) = %v; want %v", c.header, c.coding, got, c.want)
		}
	}
}
