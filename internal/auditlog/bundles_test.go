package auditlog_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// TestBundleDownloads: the public download of a bundle (GET /audit/{year}/bundle.json and
// AuditService/ExportBundle) serves the exported bytes from one build per checkpoint, however many
// download at once: gzip-coded when asked, with an ETag that answers 304, byte ranges, and a new
// bundle (the old one's files removed) once the log moves on.
func TestBundleDownloads(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	env := testenv.Start(t, testenv.Options{Log: &logs})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: e.GetId(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(time.Now().Add(time.Hour))}}))
	testenv.ChangeStage(t, org, e.GetId(), v1.Stage_STAGE_REPORTING)
	draft := testenv.Must(org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: 2030, Name: "Szkic"})).GetEdition()
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := env.Bundle(t, e.GetYear())
	url := fmt.Sprintf("%s/audit/%d/bundle.json", env.URL, e.GetYear())
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	// Anonymous, uncompressed: the exported bytes, which verify.
	resp, body := get("Accept-Encoding", "identity")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("GET %s = %d, %d bytes; want 200 and the %d bytes of the export", url, resp.StatusCode, len(body), len(want))
	}
	key, err := env.App.Audit.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Verify(body, verify.Options{Key: key}); err != nil {
		t.Fatalf("the downloaded bundle does not verify: %v", err)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Content-Encoding") != "" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf(`filename="miasta-%d-bundle.json"`, e.GetYear())) {
		t.Fatalf("headers %v; want an ETag, JSON, no coding and the file name", resp.Header)
	}
	// gzip-coded when accepted, the same bytes once decoded, under its own ETag.
	resp, zipped := get("Accept-Encoding", "gzip, deflate, br")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag || len(zipped) >= len(body) {
		t.Fatalf("with gzip accepted: coding %q, ETag %q (plain %q), %d bytes of %d", resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"), etag, len(zipped), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, want) {
		t.Fatalf("the gzip-coded bundle decodes to %d bytes (%v); want the export", len(unzipped), err)
	}
	if resp, _ := get("Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip;q=0 was answered with gzip")
	}
	// Revalidation and ranges.
	if resp, body := get("Accept-Encoding", "identity", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("If-None-Match with the current ETag = %d (%d bytes); want 304", resp.StatusCode, len(body))
	}
	if resp, part := get("Accept-Encoding", "gzip", "Range", "bytes=10-109"); resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, want[10:110]) {
		t.Fatalf("Range bytes=10-109 = %d, %q; want 206 and those bytes of the bundle", resp.StatusCode, part)
	}
	// The RPC streams the same bytes.
	stream, err := env.Clients(testenv.Connect, "").Audit.ExportBundle(ctx, &v1.ExportBundleRequest{Year: e.GetYear()})
	if err != nil {
		t.Fatal(err)
	}
	var streamed []byte
	for stream.Receive() {
		streamed = append(streamed, stream.Msg().GetChunk()...)
	}
	if err := stream.Err(); err != nil || !bytes.Equal(streamed, want) {
		t.Fatalf("ExportBundle streamed %d bytes (%v); want the export", len(streamed), err)
	}

	// The log moves on: many download at once, and the new bundle is built once.
	testenv.Must(org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: draft.GetId(), Number: 1, NamePl: "Kategoria", NameEn: "Category"}))
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	builds := strings.Count(logs.String(), "audit log: bundle built")
	var wg sync.WaitGroup
	bodies := make([][]byte, 40)
	errs := make([]error, len(bodies))
	for i := range bodies {
		wg.Go(func() {
			resp, err := http.Get(url) // the default client asks for gzip and decodes it
			if err == nil {
				bodies[i], err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	next := env.Bundle(t, e.GetYear())
	for i := range bodies {
		if errs[i] != nil || !bytes.Equal(bodies[i], next) {
			t.Fatalf("concurrent download %d: %d bytes, %v; want the new export (%d bytes)", i, len(bodies[i]), errs[i], len(next))
		}
	}
	if n := strings.Count(logs.String(), "audit log: bundle built") - builds; n != 1 {
		t.Errorf("40 concurrent downloads of a new checkpoint's bundle built it %d times; want once", n)
	}
	if resp, _ := get("Accept-Encoding", "identity", "If-None-Match", etag); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Fatalf("after the log moved on, the old ETag = %d, ETag %q; want 200 and a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}
	files, err := os.ReadDir(env.Config.BundleDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	if len(names) != 3 { // the bundle, its gzip copy and its hash; the earlier checkpoint's are gone
		t.Errorf("the bundle directory holds %v; want only the newest bundle's three files", names)
	}

	// Another server sharing the directory pruned the files: the bundle is built again, not lost.
	for _, n := range names {
		if err := os.Remove(env.Config.BundleDir + "/" + n); err != nil {
			t.Fatal(err)
		}
	}
	for _, rpc := range []bool{false, true} {
		var got []byte
		if rpc {
			stream, err := env.Clients(testenv.Connect, "").Audit.ExportBundle(ctx, &v1.ExportBundleRequest{Year: e.GetYear()})
			if err != nil {
				t.Fatal(err)
			}
			for stream.Receive() {
				got = append(got, stream.Msg().GetChunk()...)
			}
			if err := stream.Err(); err != nil {
				t.Fatalf("ExportBundle after the files were removed: %v", err)
			}
		} else {
			resp, body := get("Accept-Encoding", "identity")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET after the files were removed = %d %s", resp.StatusCode, body)
			}
			got = body
		}
		if !bytes.Equal(got, next) {
			t.Fatalf("after the files were removed (rpc %v): %d bytes; want the bundle's %d", rpc, len(got), len(next))
		}
		if rpc {
			break
		}
		for _, n := range names { // and again, for the RPC
			_ = os.Remove(env.Config.BundleDir + "/" + n)
		}
	}

	// A bundle of a larger tree (another server's, sharing the directory) is kept when this one
	// builds; a temporary file a crash left an hour ago is removed.
	larger := filepath.Join(env.Config.BundleDir, e.GetId()+"-999999-0000000000000000.json")
	stale := filepath.Join(env.Config.BundleDir, e.GetId()+"-1-0000000000000000.json.123.tmp")
	for _, f := range []string{larger, stale} {
		if err := os.WriteFile(f, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(stale, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	testenv.Must(org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: draft.GetId(), Number: 1, NamePl: "Kryterium", NameEn: "Criterion"}))
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get("Accept-Encoding", "identity"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET after the log moved on = %d", resp.StatusCode)
	}
	if _, err := os.Stat(larger); err != nil {
		t.Errorf("another server's bundle of a larger tree was pruned: %v", err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a temporary file a crash left an hour ago is still there (%v)", err)
	}

	// Bad requests: a draft edition, an edition that does not exist, a year that is not one.
	for path, code := range map[string]int{
		fmt.Sprintf("/audit/%d/bundle.json", draft.GetYear()): http.StatusNotFound,
		"/audit/2014/bundle.json":                             http.StatusNotFound,
		"/audit/dwa/bundle.json":                              http.StatusBadRequest,
		"/audit/1999/bundle.json":                             http.StatusBadRequest,
	} {
		resp, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != code || len(bytes.TrimSpace(msg)) == 0 || strings.Contains(string(msg), "internal") {
			t.Errorf("GET %s = %d %q; want %d with a reason", path, resp.StatusCode, msg, code)
		}
	}
}

// TestBundleDownloadsOutlastTheCallDeadline: downloads share a rate (-download-rate), so a bundle may
// take longer than a call's deadline to send; it is sent whole, by the RPC and by GET alike.
func TestBundleDownloadsOutlastTheCallDeadline(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.RPCTimeout = time.Second
		c.DownloadRate = 0.1 // 100 kB/s, for every download together
	}})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: e.GetId(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(time.Now().Add(time.Hour))}}))
	testenv.ChangeStage(t, org, e.GetId(), v1.Stage_STAGE_REPORTING)
	// Other leaves of the log, digests in the bundle: 1,500 of them make it about 150 kB.
	if _, err := env.App.Pool.Exec(ctx, `INSERT INTO events (kind, payload)
		SELECT 'city.created', jsonb_build_object('city_id', gen_random_uuid(), 'name', 'Miasto ' || g) FROM generate_series(1, 1500) g`); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Audit.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := env.Bundle(t, e.GetYear())
	if len(want) < 140_000 {
		t.Fatalf("the bundle is %d bytes; the test needs one that takes the two downloads together over a second at 100 kB/s", len(want))
	}
	start := time.Now()
	var streamed, fetched []byte
	var streamErr, getErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		stream, err := env.Clients(testenv.Connect, "").Audit.ExportBundle(ctx, &v1.ExportBundleRequest{Year: e.GetYear()})
		if err != nil {
			streamErr = err
			return
		}
		for stream.Receive() {
			streamed = append(streamed, stream.Msg().GetChunk()...)
		}
		streamErr = stream.Err()
	})
	wg.Go(func() {
		resp, err := http.Get(fmt.Sprintf("%s/audit/%d/bundle.json", env.URL, e.GetYear()))
		if err != nil {
			getErr = err
			return
		}
		defer resp.Body.Close()
		fetched, getErr = io.ReadAll(resp.Body)
	})
	wg.Wait()
	if streamErr != nil || !bytes.Equal(streamed, want) {
		t.Errorf("ExportBundle at 100 kB/s with a 1 s call deadline: %d of %d bytes, %v", len(streamed), len(want), streamErr)
	}
	if getErr != nil || !bytes.Equal(fetched, want) {
		t.Errorf("GET at 100 kB/s with a 1 s call deadline: %d of %d bytes, %v", len(fetched), len(want), getErr)
	}
	// The raw bundle and (for GET, which asks for gzip) its gzip copy, less the limiter's 32 KiB burst.
	if took := time.Since(start); took < time.Second {
		t.Errorf("two downloads of a %d-byte bundle at 100 kB/s together took %s: the rate does not hold", len(want), took)
	}
}
