package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
	"github.com/miasta-otwarte/miasta/web"
)

// targetBrowserVerify is the target for verifying a 100k-event bundle in the browser.
const targetBrowserVerify = 3 * time.Second

// bvResult is the browser verification: the results page's own verifier worker (web/dist's
// verify.worker chunk, the TypeScript verifier) on a bundle of about 100,000 events, in headless
// Chromium (no throttling: a desktop), from the worker's start to its verdict, download from
// loopback included.
type bvResult struct {
	events, bytes int
	runs          []time.Duration
	err           error
}

// bvPage starts the worker on /bundle.json and resolves with its time and verdict.
const bvPage = `<!doctype html><meta charset="utf-8"><title>verify</title><script>
window.runVerify = (key) => new Promise((resolve, reject) => {
  const w = new Worker("/worker.js");
  const t0 = performance.now();
  w.onmessage = (e) => {
    if (e.data.kind === "done") { w.terminate(); resolve(JSON.stringify({ ms: performance.now() - t0, ok: e.data.result.ok, message: e.data.result.message || "" })); }
    if (e.data.kind === "error") { w.terminate(); reject(new Error(e.data.message)); }
  };
  w.onerror = (e) => reject(new Error(e.message));
  w.postMessage({ url: "/bundle.json", key, checkpoints: [], witnesses: false });
});
</script>`

func (r *run) browserVerify(ctx context.Context) (res bvResult) {
	l, err := fixture.Build(fixture.Options{Cities: 6, ExtraSaves: 16_650})
	if err != nil {
		res.err = err
		return res
	}
	data, err := l.Bundle()
	if err != nil {
		res.err = err
		return res
	}
	s, err := verify.Verify(data, verify.Options{Key: fixture.TestVerifier})
	if err != nil {
		res.err = fmt.Errorf("the Go verifier refuses the bundle: %w", err)
		return res
	}
	res.events, res.bytes = int(s.TreeSize), len(data)
	workers, err := fs.Glob(web.Assets(), "assets/verify.worker-*.js")
	if err != nil || len(workers) != 1 {
		res.err = fmt.Errorf("no verifier worker in web/dist (%v, %v): make web-build", workers, err)
		return res
	}
	worker, err := fs.ReadFile(web.Assets(), workers[0])
	if err != nil {
		res.err = err
		return res
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(bvPage))
	})
	mux.HandleFunc("GET /worker.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(worker)
	})
	mux.HandleFunc("GET /bundle.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	})
	srv := httptest.NewServer(mux) // 127.0.0.1 only
	defer srv.Close()
	b, err := startBrowser(ctx, r.cfg.Chromium)
	if err != nil {
		res.err = err
		return res
	}
	defer b.close()
	r.step("browser verification: %d events (%.1f MB) in %s, %d runs", res.events, float64(res.bytes)/1e6, b.version, r.cfg.WebRuns)
	for range r.cfg.WebRuns {
		var out struct {
			MS      float64
			OK      bool
			Message string
		}
		_, err := chromedp.Run(b.ctx, chromedp.Navigate(srv.URL+"/"))
		var raw string
		if err == nil {
			raw, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf("runVerify(%q)", fixture.TestVerifier), chromedp.EvalAwaitPromise))
		}
		if err == nil {
			err = json.Unmarshal([]byte(raw), &out)
		}
		if err == nil && !out.OK {
			err = fmt.Errorf("the browser's verifier refuses the bundle: %s", out.Message)
		}
		if err != nil {
			res.err = err
			return res
		}
		res.runs = append(res.runs, time.Duration(out.MS*float64(time.Millisecond)))
	}
	return res
}

func (v bvResult) write(p func(string, ...any)) {
	p("")
	p("### Verification in the browser")
	p("")
	if v.err != nil {
		p("Failed: %s", oneLine(v.err))
		return
	}
	if len(v.runs) == 0 {
		p("Skipped (-web-runs 0).")
		return
	}
	m := medianOf(v.runs)
	p("The results page's verifier worker (web/dist, the TypeScript verifier) on a bundle of %d events (%.1f MB), headless Chromium without throttling, "+
		"from the worker's start to its verdict, the download from loopback included: median of %d runs **%s** (runs: %s) — target < 3 s: %s.",
		v.events, float64(v.bytes)/1e6, len(v.runs), seconds(m), durations(v.runs), met(m < targetBrowserVerify))
}

func durations(ds []time.Duration) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += ", "
		}
		out += seconds(d)
	}
	return out
}
