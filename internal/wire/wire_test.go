package wire_test

import (
	"testing"

	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

func TestID(t *testing.T) {
	const s = "0193a5f2-7c1e-7d2a-9b3c-4d5e6f708192"
	if id, err := wire.ID("edition_id", s); err != nil || id.String() != s {
		t.Fatalf("ID(%q) = %v, %v", s, id, err)
	}
	for _, bad := range []string{"", "edition", "0193a5f2-7c1e-7d2a-9b3c-4d5e6f70819", "{0193a5f2-7c1e-7d2a-9b3c-4d5e6f708192"} {
		_, err := wire.ID("practices[1].category_id", bad)
		f, ok := fault.As(err)
		if !ok || f.Kind != fault.Invalid || f.Field != "practices[1].category_id" {
			t.Errorf("ID(%q) = %v; want Invalid naming practices[1].category_id", bad, err)
		}
	}
}
