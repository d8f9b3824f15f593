package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// exportsResult is the public download phase: many anonymous downloads of one large bundle at once
// from a `miasta serve` process of its own (so that its memory is the server's alone), while a
// signed-in caller keeps calling GetMe.
type exportsResult struct {
	bundleBytes int64
	leaves      int64
	rounds      []exportRound
	err         error
}

type exportRound struct {
	name      string
	clients   int
	ok        int
	firstErr  error
	took      time.Duration
	hwmKB     int64 // the server's VmHWM after the round (its peak since it started)
	getMe     opResult
	bytesEach int64
}

// minBundleBytes is the size the phase pads the benchmark edition's bundle to, with other leaves of
// the log (platform events, digests in the bundle), when its own events and casts make less.
const minBundleBytes = 32 << 20

// exports pads the log, starts `miasta serve` on the benchmark's database, and runs the rounds.
func (r *run) exports(ctx context.Context, p *platform, dbURL, auditKey string) (res exportsResult) {
	res.err = r.exportRounds(ctx, p, dbURL, auditKey, &res)
	return res
}

func (r *run) exportRounds(ctx context.Context, p *platform, dbURL, auditKey string, res *exportsResult) error {
	if err := p.app.Audit.Sync(ctx); err != nil {
		return err
	}
	if pad := (minBundleBytes - int64(r.res.verify.bytes)) / 100; pad > 0 { // a digest entry is ~100 bytes
		r.step("padding the log with %d platform events (digests in the bundle) for a bundle of at least %d MB", pad, minBundleBytes>>20)
		if _, err := p.app.Pool.Exec(ctx, `INSERT INTO events (kind, payload)
			SELECT 'city.created', jsonb_build_object('city_id', gen_random_uuid(), 'name', 'Miasto ' || g) FROM generate_series(1, $1::bigint) g`, pad); err != nil {
			return err
		}
		if err := p.app.Audit.Sync(ctx); err != nil {
			return err
		}
	}

	bin, err := r.binary(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "miasta-bench-serve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "MIASTA_ADDR="+addr, "OIDC_ISSUER="+p.issuer,
		"OIDC_CLIENT_ID="+clientID, "MIASTA_ORGANISERS="+demo.OrganiserEmail, "MIASTA_METRICS_ADDR=",
		"MIASTA_LOG_LEVEL=warn", "MIASTA_WRITE_RATE=0", "MIASTA_AUDIT_KEY_FILE=", "MIASTA_AUDIT_KEY="+auditKey,
		"MIASTA_BUNDLE_DIR="+filepath.Join(dir, "bundles"))
	cmd.Stderr = r.progress
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	if err := waitReady(ctx, base); err != nil {
		return err
	}
	token, err := p.token(ctx, demo.OrganiserEmail)
	if err != nil {
		return err
	}
	// A transport of the phase's own, with a connection per download.
	// The downloads save what they get, as a browser saving the file does; they do not decode it here,
	// where the clients share the server's two cores.
	transport := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second, DisableCompression: true}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 5 * time.Minute}
	signedIn := demo.NewClients(&http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}, base, token)
	anonymous := miastav1connect.NewAuditServiceClient(hc, base)
	if _, err := signedIn.Identity.GetMe(ctx, &v1.GetMeRequest{}); err != nil {
		return fmt.Errorf("GetMe on the server process: %w", err)
	}

	rounds := []struct {
		name  string
		fetch func(ctx context.Context) (int64, error)
	}{
		{"AuditService/ExportBundle (Connect server stream, 32 KiB messages)", func(ctx context.Context) (int64, error) {
			stream, err := anonymous.ExportBundle(ctx, &v1.ExportBundleRequest{Year: demo.Year})
			if err != nil {
				return 0, err
			}
			var n int64
			for stream.Receive() {
				n += int64(len(stream.Msg().GetChunk()))
			}
			return n, errors.Join(stream.Err(), stream.Close())
		}},
		{"GET /audit/2015/bundle.json (Accept-Encoding: gzip; the gzip-coded bytes)", func(ctx context.Context) (int64, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/audit/%d/bundle.json", base, demo.Year), nil)
			if err != nil {
				return 0, err
			}
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := hc.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			if s := resp.Header.Get("X-Miasta-Tree-Size"); s != "" {
				res.leaves, _ = strconv.ParseInt(s, 10, 64)
			}
			return io.Copy(io.Discard, resp.Body)
		}},
	}
	const clients = 200
	for _, round := range rounds {
		r.step("%d concurrent anonymous downloads: %s", clients, round.name)
		rd := exportRound{name: round.name, clients: clients}
		stopMe := make(chan struct{})
		meDone := make(chan opResult)
		go func() { meDone <- pollGetMe(ctx, signedIn, stopMe) }()
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := time.Now()
		for range clients {
			wg.Go(func() {
				n, err := round.fetch(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && rd.bytesEach > 0 && n != rd.bytesEach {
					err = fmt.Errorf("%d bytes, not %d as the others", n, rd.bytesEach)
				}
				if err != nil {
					if rd.firstErr == nil {
						rd.firstErr = err
					}
					return
				}
				rd.bytesEach = n
				rd.ok++
			})
		}
		wg.Wait()
		rd.took = time.Since(start)
		close(stopMe)
		rd.getMe = <-meDone
		rd.hwmKB = processHWM(cmd.Process.Pid)
		if res.bundleBytes == 0 {
			res.bundleBytes = rd.bytesEach // the first round's bytes are the bundle's, uncompressed
		}
		res.rounds = append(res.rounds, rd)
		transport.CloseIdleConnections()
	}
	return nil
}

// pollGetMe offers GetMe 20 times a second (open loop: each call in its own goroutine, its latency
// counted from when it was due, so a stalled server cannot hide by slowing the caller down) until stop.
func pollGetMe(ctx context.Context, c demo.Clients, stop <-chan struct{}) opResult {
	o := opResult{name: "GetMe (signed in, 20/s) during the downloads", rpc: "GetMe"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for due := start.Add(50 * time.Millisecond); ; due = due.Add(50 * time.Millisecond) {
		select {
		case <-stop:
			wg.Wait()
			o.elapsed = time.Since(start)
			slices.Sort(o.lat)
			return o
		case <-tick.C:
		}
		wg.Go(func() {
			_, err := c.Identity.GetMe(ctx, &v1.GetMeRequest{})
			lat := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				o.errs++
				if o.firstErr == nil {
					o.firstErr = err
				}
				return
			}
			o.lat = append(o.lat, lat)
		})
	}
}

// waitReady polls the server's /readyz.
func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("the server process did not become ready in 60 s")
}

// processHWM reads another process's peak resident set (VmHWM, kB) from /proc.
func processHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func (e exportsResult) write(p func(string, ...any)) {
	if e.err != nil {
		p("| 200 concurrent anonymous bundle downloads | failed: %s |", oneLine(e.err))
		return
	}
	for _, rd := range e.rounds {
		status := fmt.Sprintf("%d of %d complete", rd.ok, rd.clients)
		if rd.firstErr != nil {
			status += fmt.Sprintf(" (first error: %s)", oneLine(rd.firstErr))
		}
		p("| %d concurrent anonymous downloads of a %.1f MB bundle (%d leaves; %.1f MB each as sent), %s, from a `miasta serve` process of its own | %s in %s; server peak RSS (VmHWM) **%s** (target < 200 MB); signed-in GetMe offered at 20/s meanwhile: p50 %s, p99 **%s**, max %s over %d calls, %d errors (target p99 < 100 ms) |",
			rd.clients, float64(e.bundleBytes)/(1<<20), e.leaves, float64(rd.bytesEach)/(1<<20), rd.name, status, rd.took.Round(10*time.Millisecond), mb(rd.hwmKB), ms(rd.getMe.quantile(0.50)), ms(rd.getMe.quantile(0.99)), ms(rd.getMe.quantile(1)), len(rd.getMe.lat), rd.getMe.errs)
	}
}
