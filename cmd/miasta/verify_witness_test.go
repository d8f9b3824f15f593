package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditVerifyWitnesses runs `miasta audit verify` with -witness and -witnesses over the committed
// vectors of check K5 (spec/audit.md §11, §13): the witnesses' cosignatures are reported, a threshold
// not met or a bad cosignature fails K5, and a threshold out of range is refused before verifying.
func TestAuditVerifyWitnesses(t *testing.T) {
	dir := filepath.Join("..", "..", "spec", "vectors")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Key       string `json:"test_verifier_key"`
		Witnesses []struct {
			Verifier string `json:"verifier_key"`
		} `json:"test_witnesses"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	w1, w2 := m.Witnesses[0].Verifier, m.Witnesses[1].Verifier
	verifyArgs := func(file string, extra ...string) (string, error) {
		var out bytes.Buffer
		args := append([]string{"miasta", "audit", "verify", "-key", m.Key}, extra...)
		err := run(context.Background(), append(args, filepath.Join(dir, file)), env(nil), &out, io.Discard)
		return out.String(), err
	}
	out, err := verifyArgs("valid-witnesses-1-cosigned-1-required.json", "-witness", w1, "-witness", w2, "-witnesses", "1")
	if err != nil || !strings.Contains(out, "cosigned by 1 of the 2 witnesses given (1 required)") || !strings.Contains(out, "cosigned at 2026-01-20T12:00:00Z (1768910400) by "+w1) || !strings.Contains(out, "not cosigned by "+w2) {
		t.Errorf("1 of 2: %v\n%s", err, out)
	}
	if _, err := verifyArgs("valid-witnesses-1-cosigned-1-required.json", "-witness", w1, "-witness", w2); err == nil || !strings.Contains(err.Error(), "K5 witnesses") {
		t.Errorf("all witnesses by default: %v, want a K5 failure", err)
	}
	if _, err := verifyArgs("k5-cosignature-byte-flipped.json", "-witness", w1, "-witness", w2, "-witnesses", "1"); err == nil || !strings.Contains(err.Error(), "K5 witnesses") {
		t.Errorf("a bad cosignature: %v, want a K5 failure", err)
	}
	if _, err := verifyArgs("valid-witnesses-2-of-2.json", "-witness", w1, "-witnesses", "2"); err == nil || strings.Contains(err.Error(), "K5") {
		t.Errorf("-witnesses beyond the keys given: %v, want a usage error", err)
	}
	if _, err := verifyArgs("valid-witnesses-2-of-2.json", "-witness", w1, "-witnesses", "0"); err == nil || strings.Contains(err.Error(), "K5") {
		t.Errorf("-witnesses 0: %v, want a usage error", err)
	}
	if out, err := verifyArgs("valid-witnesses-2-of-2.json", "-witness", w1, "-witness", w2); err != nil || !strings.Contains(out, "cosigned by 2 of the 2 witnesses given (2 required)") {
		t.Errorf("2 of 2: %v\n%s", err, out)
	}
}
