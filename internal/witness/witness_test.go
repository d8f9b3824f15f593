package witness_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/mod/sumdb/note"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/witness"
)

// appendEvents appends n city.created events and waits until they are under a checkpoint.
func appendEvents(t *testing.T, pool *pgxpool.Pool, l *auditlog.Log, n int) {
	t.Helper()
	dbtest.AppendEvents(t, pool, n)
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// process is a witness running as its own process (`miasta witness run`), as a newspaper would run it.
type process struct {
	url, key string
	mu       sync.Mutex
	log      strings.Builder
}

func (p *process) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

var serving = regexp.MustCompile(`msg="witness serving" addr=(\S+)`)

// startWitness makes a witness key named name and runs the witness of the log whose key is logKey.
func startWitness(t *testing.T, bin, name, logKey string) *process {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "witness.key")
	out, err := exec.Command(bin, "witness", "key", "-name", name, "-out", keyFile).Output()
	if err != nil {
		t.Fatalf("witness key: %v", err)
	}
	p := &process{key: strings.TrimSpace(string(out))}
	cmd := exec.Command(bin, "witness", "run", "-key-file", keyFile, "-log-key", logKey, "-state", filepath.Join(dir, "state.db"), "-addr", "127.0.0.1:0")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(pipe)
		for s.Scan() {
			p.mu.Lock()
			p.log.WriteString(s.Text() + "\n")
			p.mu.Unlock()
			if m := serving.FindStringSubmatch(s.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("the witness %s did not start:\n%s", name, p.stderr())
	}
	return p
}

// closedPort is a loopback address nothing listens on: an offline witness.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestWitnessesCosignRefuseForksAndAreReportedOffline runs two honest witnesses and an offline one
// against a log, then shows one of the honest witnesses a log forked from it.
func TestWitnessesCosignRefuseForksAndAreReportedOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	key, err := auditlog.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	pool := dbtest.NewPool(t)
	lg := auditlog.New(pool, quiet, key)
	appendEvents(t, pool, lg, 3)

	bin := testenv.Binary(t)
	a := startWitness(t, bin, "witness.a.example", key.Verifier)
	b := startWitness(t, bin, "witness.b.example", key.Verifier)
	_, offlineKey, err := witness.GenerateKey("witness.offline.example")
	if err != nil {
		t.Fatal(err)
	}
	offline := closedPort(t)
	peers, err := witness.ParsePeers(fmt.Sprintf("%s=%s, %s=%s, %s=%s", a.url, a.key, b.url, b.key, offline, offlineKey), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	c := witness.NewCollector(lg, peers, quiet)

	// cosigned reads the published checkpoint and returns its size and who cosigned it.
	cosigned := func(t *testing.T) (string, []string) {
		t.Helper()
		cp, err := lg.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		logV, err := note.NewVerifier(key.Verifier)
		if err != nil {
			t.Fatal(err)
		}
		vs := []note.Verifier{logV}
		for _, k := range []string{a.key, b.key, offlineKey} {
			v, err := fnote.NewVerifierForCosignatureV1(k)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
		n, err := note.Open([]byte(cp), note.VerifierList(vs...))
		if err != nil {
			t.Fatalf("the published checkpoint does not open: %v\n%s", err, cp)
		}
		if len(n.UnverifiedSigs) > 0 {
			t.Errorf("the published checkpoint has signatures that do not verify: %v", n.UnverifiedSigs)
		}
		var names []string
		for _, s := range n.Sigs {
			names = append(names, s.Name)
		}
		return strings.SplitN(n.Text, "\n", 3)[1], names
	}
	statusOf := func(t *testing.T, l *auditlog.Log, k string) auditlog.WitnessStatus {
		t.Helper()
		ss, err := l.WitnessStatuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			if s.WitnessKey == k {
				return s
			}
		}
		t.Fatalf("no status of witness %s in %v", k, ss)
		return auditlog.WitnessStatus{}
	}

	testenv.Step(t, "the honest witnesses cosign; the offline one is reported, not skipped", func(t *testing.T) {
		failed := c.Round(ctx)
		if len(failed) != 1 || failed["witness.offline.example"] == nil {
			t.Fatalf("failed = %v; want the offline witness only", failed)
		}
		size, names := cosigned(t)
		if size != "3" || strings.Join(names, ",") != "miasta-otwarte/audit-log,witness.a.example,witness.b.example" {
			t.Fatalf("checkpoint of size %s signed by %v; want size 3 by the log and witnesses a and b", size, names)
		}
		if s := statusOf(t, lg, offlineKey); s.LastError == "" || s.LastSuccess != nil || s.Url != offline {
			t.Errorf("the offline witness's status = %+v; want its error and no success", s)
		}
		if s := statusOf(t, lg, a.key); s.LastError != "" || s.CosignedSize == nil || *s.CosignedSize != 3 {
			t.Errorf("witness a's status = %+v; want cosigned size 3", s)
		}
	})

	testenv.Step(t, "as the log grows, they cosign again from a consistency proof", func(t *testing.T) {
		appendEvents(t, pool, lg, 4)
		if failed := c.Round(ctx); len(failed) != 1 {
			t.Fatalf("failed = %v; want the offline witness only", failed)
		}
		size, names := cosigned(t)
		if size != "7" || len(names) != 3 {
			t.Fatalf("checkpoint of size %s signed by %v; want size 7 by the log and two witnesses", size, names)
		}
		if failed := c.Round(ctx); len(failed) != 1 { // nothing new: nothing to send
			t.Fatalf("a second round failed %v", failed)
		}
	})

	testenv.Step(t, "a witness shown a fork of the log refuses it and says so", func(t *testing.T) {
		// The same key signing another log: the operator showing someone else a different history.
		pool2 := dbtest.NewPool(t)
		fork := auditlog.New(pool2, quiet, key)
		appendEvents(t, pool2, fork, 12)
		fc := witness.NewCollector(fork, peers[:1], quiet)
		failed := fc.Round(ctx)
		if !errors.Is(failed["witness.a.example"], witness.ErrRefused) {
			t.Fatalf("the fork's round failed %v; want witness a to refuse it", failed)
		}
		if !strings.Contains(a.stderr(), "REFUSED a checkpoint not consistent with the last one it cosigned") {
			t.Errorf("the witness did not say it refused a split view:\n%s", a.stderr())
		}
		if s := statusOf(t, fork, a.key); !strings.Contains(s.LastError, "refused") {
			t.Errorf("the fork's status of witness a = %+v; want the refusal", s)
		}
		cp, err := fork.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(cp, "witness.a.example") {
			t.Errorf("the fork's checkpoint carries witness a's cosignature:\n%s", cp)
		}
		// A fork of the very size the witness cosigned, with another root, is refused too.
		pool3 := dbtest.NewPool(t)
		same := auditlog.New(pool3, quiet, key)
		appendEvents(t, pool3, same, 7)
		if failed := witness.NewCollector(same, peers[:1], quiet).Round(ctx); !errors.Is(failed["witness.a.example"], witness.ErrRefused) {
			t.Fatalf("a fork of the same size: %v; want a refusal", failed)
		}
		// The honest log still gets its cosignatures.
		appendEvents(t, pool, lg, 1)
		if failed := c.Round(ctx); len(failed) != 1 {
			t.Fatalf("after the fork, the log's round failed %v", failed)
		}
		if size, names := cosigned(t); size != "8" || len(names) != 3 {
			t.Fatalf("checkpoint of size %s signed by %v", size, names)
		}
	})
}

// TestPeersConfiguration refuses witnesses configured wrongly, naming the entry.
func TestPeersConfiguration(t *testing.T) {
	_, k, err := witness.GenerateKey("witness.example")
	if err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]string{
		"http://127.0.0.1:1":                                   "want URL=KEY",
		"ftp://127.0.0.1:1=" + k:                               "http:// or https://",
		"http://127.0.0.1:1=witness.example+00000000+x":        "not a cosignature verifier key",
		"http://127.0.0.1:1=" + k + ",http://127.0.0.1:2=" + k: "configured twice",
	} {
		if _, err := witness.ParsePeers(spec, http.DefaultClient); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePeers(%q) = %v; want an error saying %q", spec, err, want)
		}
	}
	if ps, err := witness.ParsePeers("", http.DefaultClient); err != nil || len(ps) != 0 {
		t.Errorf("no witnesses: %v, %v", ps, err)
	}
	if _, _, err := witness.GenerateKey("a name"); err == nil {
		t.Error("a witness name with a space was accepted")
	}
}
