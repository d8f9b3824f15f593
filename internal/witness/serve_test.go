package witness_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/witness"
)

// TestServedCheckpointsCarryCosignaturesVerifiersRequire runs the server with two witness processes:
// the checkpoints it serves and the bundles it exports carry both cosignatures, a verifier requiring
// 2 of them passes, and one requiring a third witness, which never saw the log, fails (K5).
func TestServedCheckpointsCarryCosignaturesVerifiersRequire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, err := auditlog.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	bin := testenv.Binary(t)
	a := startWitness(t, bin, "witness.a.example", key.Verifier)
	b := startWitness(t, bin, "witness.b.example", key.Verifier)
	_, absent, err := witness.GenerateKey("witness.absent.example")
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.AuditKey = string(key.File())
		c.Witnesses = a.url + "=" + a.key + "," + b.url + "=" + b.key
		c.WitnessInterval = 100 * time.Millisecond
	}})
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, time.Hour)
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	var cp *v1.GetCheckpointResponse
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		cp = testenv.Must(org.Audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{}))
		if strings.Contains(cp.GetCheckpoint(), "— witness.a.example ") && strings.Contains(cp.GetCheckpoint(), "— witness.b.example ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the served checkpoint was not cosigned by both witnesses:\n%s\nwitnesses: %v\n%s", cp.GetCheckpoint(), cp.GetWitnesses(), a.stderr())
		}
	}
	size := strings.Split(cp.GetCheckpoint(), "\n")[1]
	if len(cp.GetWitnesses()) != 2 {
		t.Fatalf("GetCheckpoint lists %v; want both witnesses", cp.GetWitnesses())
	}
	for _, w := range cp.GetWitnesses() {
		if w.GetLastError() != "" || w.GetCosignedSize() == 0 || w.GetLastSuccessTime() == nil {
			t.Errorf("witness state %v; want a success", w)
		}
	}

	stream, err := org.Audit.ExportBundle(ctx, &v1.ExportBundleRequest{Year: r.Edition.GetYear()})
	if err != nil {
		t.Fatal(err)
	}
	var bundle []byte
	for stream.Receive() {
		bundle = append(bundle, stream.Msg().GetChunk()...)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	sum, err := verify.Verify(bundle, verify.Options{Key: key.Verifier, Witnesses: []string{a.key, b.key}, WitnessThreshold: 2})
	if err != nil {
		t.Fatalf("2 of 2 witnesses (checkpoint of size %s): %v", size, err)
	}
	if len(sum.Witnesses) != 2 {
		t.Errorf("the summary lists %v; want both witnesses", sum.Witnesses)
	}
	if _, err := verify.Verify(bundle, verify.Options{Key: key.Verifier, Witnesses: []string{a.key, b.key, absent}, WitnessThreshold: 3}); err == nil || !strings.Contains(err.Error(), "K5") {
		t.Errorf("3 of 3 with a witness that never cosigned = %v; want K5 to fail", err)
	}
	if _, err := verify.Verify(bundle, verify.Options{Key: key.Verifier, Witnesses: []string{a.key, b.key, absent}, WitnessThreshold: 2}); err != nil {
		t.Errorf("2 of 3: %v", err)
	}
}
