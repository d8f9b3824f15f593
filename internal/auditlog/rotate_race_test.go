package auditlog_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// A rotation serialises with the integrator's rounds. Before the log's first checkpoint there is no
// key to rotate from: a rotation racing the round that signs it (another replica's key S fixing the
// log's key) is refused rather than signed by a key the log never had, which would stop the log for
// good. Once a round is under way, a rotation waits for it, and the new key signs what follows.
func TestRotationsWaitForTheIntegrator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	quiet := slog.New(slog.DiscardHandler)
	mk := func() auditlog.Key {
		k, err := auditlog.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	s, old, next := mk(), mk(), mk()
	appendEvents(t, pool, 1)

	// The integrator's first round, mid-way: it has fixed log_key = S, not committed yet.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(0x6d696173_6c6f67)); err != nil { // the integrator's lock
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO log_key (id, verifier_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, s.Verifier); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := auditlog.New(pool, quiet, old).Rotate(rctx, next)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a rotation did not wait for the integrator's round in progress: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "the key in force is") {
		t.Fatalf("rotating from a key the log never had = %v; want it refused, naming the key in force", err)
	}
	// S signs on: the log is not stuck.
	if err := auditlog.New(pool, quiet, s).Sync(ctx); err != nil {
		t.Fatalf("Sync with the log's key after the refused rotation: %v", err)
	}

	// The log's key rotates once its first checkpoint is signed, and the new key signs what follows.
	if _, err := auditlog.New(pool, quiet, s).Rotate(ctx, next); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, pool, 3)
	nl := auditlog.New(pool, quiet, next)
	if err := nl.Sync(ctx); err != nil {
		t.Fatalf("Sync with the new key: %v", err)
	}
	cp, err := nl.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := verify.ParseVerifierKey(next.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := verify.OpenCheckpoint(cp, vk); err != nil || c.Size != 5 {
		t.Fatalf("the newest checkpoint = %+v, %v; want 5 leaves (an event, the rotation, 3 more) signed by the new key", c, err)
	}
}

// Before any checkpoint, nothing can be rotated.
func TestNoRotationBeforeTheFirstCheckpoint(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	quiet := slog.New(slog.DiscardHandler)
	a, _ := auditlog.NewKey()
	b, _ := auditlog.NewKey()
	if _, err := auditlog.New(pool, quiet, a).Rotate(context.Background(), b); err == nil || !strings.Contains(err.Error(), "no checkpoint yet") {
		t.Fatalf("a rotation before the first checkpoint = %v; want it refused", err)
	}
}
