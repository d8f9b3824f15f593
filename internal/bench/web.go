package bench

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/web"
)

// The browser phase loads the web app as a juror on a slow phone would: Chrome DevTools' "Slow 4G"
// (150 ms from a request to its response's headers, 1.6 Mbit/s down and up) and a processor four
// times slower than this machine's, on a 390 × 844 touch screen.
const (
	webLatencyMS   = 150
	webBytesPerSec = 1_600_000 / 8
	webCPUSlowdown = 4
	webJuror       = "juror.gdansk@miasta.test" // invited in English, headless Chromium's own language; the first category holds a nomination not from Gdańsk
)

// The targets of issue 16: on a cold load, first contentful paint and a usable ballot; and the
// JavaScript the app needs before it starts, compressed.
const (
	targetFCP       = 1500 * time.Millisecond
	targetUsable    = 2500 * time.Millisecond
	targetInitialJS = 120_000
)

// usableSelector matches an enabled control inside the ballot once it has real nominations: the
// ballot page sets data-ballot-usable on its root element then, and only then.
const usableSelector = `[data-ballot-usable] button:not([disabled]), [data-ballot-usable] input:not([disabled])`

// webPage is a page the phase loads, and what on it counts as its content.
type webPage struct {
	name    string
	path    string
	content string // CSS selector: the first match is "content shown" (for the ballot: usable)
	ballot  bool
}

var (
	homePage    = webPage{name: "`/` (editions)", path: "/", content: "ul.cards > li.card"}
	ballotPage  = webPage{name: "ballot", content: usableSelector, ballot: true}
	resultsPage = webPage{name: "results", path: fmt.Sprintf("/results/%d", demo.Year), content: `[data-testid="winners"] li`}
)

// webLoad is one page load.
type webLoad struct {
	fcp      time.Duration // first contentful paint
	content  time.Duration // the page's content in the DOM
	usable   time.Duration // the ballot: a tap on a score control answered (the frame after its change event)
	bytes    int64         // bytes received for every request of the load (headers and bodies as sent)
	script   int64         // of which scripts
	requests int
	cached   int           // requests answered from the browser's cache
	busy     time.Duration // the page's main thread busy (Performance.getMetrics TaskDuration), until content or the tap's answer
}

// webRow is one page, cold or warm, over the runs.
type webRow struct {
	page  webPage
	cold  bool
	loads []webLoad
}

type webResult struct {
	runs        int
	rows        []webRow
	initial     web.Size
	initialN    int
	loadBefore  string
	loadAfter   string
	browser     string
	err         error
	initialErr  error
	description string
	verify      bvResult
	editor      reportResult
	editorOnly  bool // -web-report-only: the report editor alone
}

//go:embed web.js
var webScript string

// web runs the browser phase on a database of its own: `miasta dev` seeds the demo edition, the demo
// walks it to an open jury round, a juror signs in through the development provider, and every page
// is loaded cold (a fresh browser profile) and then warm (the same profile again), cfg.WebRuns times
// each; then the jurors cast, the organiser announces, and the results page is loaded likewise.
func (r *run) web(ctx context.Context, adminURL string) (res webResult) {
	res.runs = r.cfg.WebRuns
	files, err := web.InitialScripts(web.Assets())
	if err == nil {
		res.initialN = len(files)
		res.initial, err = web.SizeOf(web.Assets(), files)
	}
	res.initialErr = err
	res.loadBefore = loadAverage()
	res.editorOnly = r.cfg.WebReportOnly
	res.err = r.webRounds(ctx, adminURL, &res)
	res.loadAfter = loadAverage()
	if !res.editorOnly {
		res.verify = r.browserVerify(ctx)
	}
	return res
}

func (r *run) webRounds(ctx context.Context, adminURL string, res *webResult) error {
	bin, err := r.binary(ctx)
	if err != nil {
		return err
	}
	dbURL, drop, err := createDatabase(ctx, adminURL)
	if err != nil {
		return err
	}
	defer func() {
		if err := drop(); err != nil {
			r.step("drop the browser phase's database: %v", err)
		}
	}()
	dir, err := os.MkdirTemp("", "miasta-bench-web-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dev, err := startDev(ctx, bin, dbURL, dir)
	if err != nil {
		return err
	}
	defer dev.stop()
	r.step("browser phase: miasta dev on %s (database %s)", dev.base, databaseName(dbURL))

	clients := map[string]demo.Clients{}
	hc := &http.Client{Timeout: 30 * time.Second}
	for _, p := range demo.People {
		tok, err := os.ReadFile(filepath.Join(dir, strings.SplitN(p.Email, "@", 2)[0]+".token"))
		if err != nil {
			return fmt.Errorf("the demo token of %s: %w", p.Email, err)
		}
		clients[p.Email] = demo.NewClients(hc, dev.base, strings.TrimSpace(string(tok)))
	}
	if r.cfg.WebReportOnly {
		b, err := startBrowser(ctx, r.cfg.Chromium)
		if err != nil {
			return err
		}
		defer b.close()
		res.browser = b.version
		res.editor = r.reportEditor(ctx, b, dev.base, clients)
		return nil
	}
	e, err := demo.OpenJury(ctx, clients, io.Discard)
	if err != nil {
		return fmt.Errorf("walk the demo to the jury round: %w", err)
	}
	ballot := ballotPage
	ballot.path = "/editions/" + e.GetId() + "/ballot"

	b, err := startBrowser(ctx, r.cfg.Chromium)
	if err != nil {
		return err
	}
	defer b.close()
	res.browser = b.version
	if err := b.signIn(dev.base, webJuror); err != nil {
		return err
	}
	measure := func(p webPage) error {
		cold, warm := webRow{page: p, cold: true}, webRow{page: p}
		for i := range r.cfg.WebRuns {
			c, w, err := b.coldAndWarm(dev.base+p.path, p)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", p.name, i+1, err)
			}
			r.step("  %s run %d: cold FCP %s, %s %s, %d bytes; warm FCP %s, %s %s, %d bytes", p.name, i+1,
				c.fcp.Round(time.Millisecond), p.doneWord(), c.done().Round(time.Millisecond), c.bytes,
				w.fcp.Round(time.Millisecond), p.doneWord(), w.done().Round(time.Millisecond), w.bytes)
			cold.loads, warm.loads = append(cold.loads, c), append(warm.loads, w)
		}
		res.rows = append(res.rows, cold, warm)
		return nil
	}
	r.step("browser phase: %s, %d runs of each page cold and warm, as %s", b.version, r.cfg.WebRuns, webJuror)
	if err := measure(homePage); err != nil {
		return err
	}
	if err := measure(ballot); err != nil {
		return err
	}
	r.step("browser phase: the jurors cast, the organiser closes the round and announces")
	if _, err := demo.CastAndAnnounce(ctx, clients, e, io.Discard); err != nil {
		return fmt.Errorf("cast and announce: %w", err)
	}
	if err := measure(resultsPage); err != nil {
		return err
	}
	// Last, on an edition of its own: the demo's is announced by now, and the pages above are measured
	// without it.
	res.editor = r.reportEditor(ctx, b, dev.base, clients)
	return nil
}

func (p webPage) doneWord() string {
	if p.ballot {
		return "usable"
	}
	return "content"
}

func (l webLoad) done() time.Duration {
	if l.usable > 0 {
		return l.usable
	}
	return l.content
}

// binary builds cmd/miasta once per run, for the phases that start a server process of their own.
func (r *run) binary(ctx context.Context) (string, error) {
	if r.bin != "" {
		return r.bin, nil
	}
	dir, err := os.MkdirTemp("", "miasta-bench-bin-")
	if err != nil {
		return "", err
	}
	r.cleanup = append(r.cleanup, func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "miasta")
	r.step("building the miasta binary for a server process of its own")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/miasta")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/miasta (run the benchmark from the repository): %v\n%s", err, out)
	}
	r.bin = bin
	return bin, nil
}

// devProcess is a `miasta dev` the phase started.
type devProcess struct {
	base string
	cmd  *exec.Cmd
	log  string
}

// startDev runs `miasta dev` on dbURL (an empty database, which it claims and seeds) with free ports
// and everything else in dir, and waits for its banner and /readyz.
func startDev(ctx context.Context, bin, dbURL, dir string) (*devProcess, error) {
	logFile, err := os.Create(filepath.Join(dir, "dev.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "dev", "-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-token-dir", dir,
		"-smtp-addr", "127.0.0.1:0", "-mail-dir", filepath.Join(dir, "mail"), "-audit-key-file", filepath.Join(dir, "audit.key"))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &devProcess{cmd: cmd, log: logFile.Name()}
	urlRe := regexp.MustCompile(`Web app\s+(http://\S+?)/\s`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			d.base = m[1]
		}
		if strings.Contains(sc.Text(), "Ctrl-C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if d.base == "" {
		d.stop()
		return nil, fmt.Errorf("miasta dev printed no web app URL; its log:\n%s", tail(d.log))
	}
	if err := waitReady(ctx, d.base); err != nil {
		d.stop()
		return nil, fmt.Errorf("%w; its log:\n%s", err, tail(d.log))
	}
	return d, nil
}

func (d *devProcess) stop() {
	_ = d.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = d.cmd.Process.Kill()
		<-done
	}
}

// tail is the end of a log file, for an error message.
func tail(file string) string {
	b, _ := os.ReadFile(file)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// browser is headless Chromium with the signed-in juror's cookies.
type browser struct {
	ctx     context.Context // the browser's first tab, unthrottled, where the juror signs in
	cancel  func()
	version string
	cookies []*network.CookieParam
}

func startBrowser(ctx context.Context, path string) (*browser, error) {
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no Chromium at %s (-chromium, or `make chromium`): %w", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	b := &browser{ctx: bctx, cancel: func() { cancelBrowser(); cancelAlloc() }}
	v, err := chromedp.Run(bctx, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		b.close()
		return nil, fmt.Errorf("start Chromium: %w", err)
	}
	if m := regexp.MustCompile(`(?:Headless)?Chrome/(\S+)`).FindStringSubmatch(v); m != nil {
		b.version = "Chromium " + m[1]
	}
	return b, nil
}

func (b *browser) close() {
	_ = chromedp.Cancel(b.ctx)
	b.cancel()
}

// signIn signs email in as a person would, through the server's login and the development provider's
// one-click page, and keeps the session's cookies for the measured profiles.
func (b *browser) signIn(base, email string) error {
	cookies, err := signIn(b.ctx, base, email)
	b.cookies = cookies
	return err
}

// signIn signs email in in ctx's tab, through the server's login and the development provider's
// one-click page, and returns the session's cookies.
func signIn(ctx context.Context, base, email string) ([]*network.CookieParam, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/auth/login?return_to=/")); err != nil {
		return nil, fmt.Errorf("open the login: %w", err)
	}
	click := fmt.Sprintf(`(() => { const b = [...document.querySelectorAll("button")].find((b) => b.textContent.includes(%q)); if (b) b.click(); return !!b; })()`, email)
	found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](click))
	if err != nil || !found {
		return nil, fmt.Errorf("no sign-in button for %s at the development provider (%v)", email, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("header .who"))); err != nil {
		return nil, fmt.Errorf("%s is not signed in after the provider's page: %w", email, err)
	}
	got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		return nil, err
	}
	var cookies []*network.CookieParam
	for _, c := range got.Cookies {
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: base, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite})
	}
	if len(cookies) == 0 {
		return nil, errors.New("signed in, but the browser holds no cookie for the server")
	}
	return cookies, nil
}

// coldAndWarm opens a fresh browser profile (empty cache, no open connections) with the juror's
// cookies, throttles it, loads url (cold), then loads it again (warm).
func (b *browser) coldAndWarm(url string, p webPage) (cold, warm webLoad, err error) {
	tctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	tctx, cancelTimeout := context.WithTimeout(tctx, 2*time.Minute)
	defer cancelTimeout()
	if _, err := chromedp.Call(tctx, network.SetCookies, network.SetCookiesParams{Cookies: b.cookies}); err != nil {
		return cold, warm, err
	}
	rec := &recorder{requests: map[network.RequestID]*request{}}
	if err := chromedp.Listen(tctx, rec.on); err != nil {
		return cold, warm, err
	}
	// A page that still has something unsaved asks before it is left; the bench leaves anyway.
	dialogs := chromedp.Events(tctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := throttle(tctx); err != nil {
		return cold, warm, err
	}
	if _, err := chromedp.Call(tctx, performance.Enable, performance.EnableParams{}); err != nil {
		return cold, warm, err
	}
	src, err := json.Marshal(map[string]string{"content": p.content})
	if err != nil {
		return cold, warm, err
	}
	if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: strings.Replace(webScript, "/*SELECTORS*/{}", string(src), 1),
	}); err != nil {
		return cold, warm, err
	}
	if cold, err = load(tctx, rec, url, p); err != nil {
		return cold, warm, fmt.Errorf("cold: %w", err)
	}
	if warm, err = load(tctx, rec, url, p); err != nil {
		return cold, warm, fmt.Errorf("warm: %w", err)
	}
	return cold, warm, nil
}

// throttle applies the slow phone to the tab: network conditions for every request, the processor
// slowdown, a phone's screen with touch.
func throttle(ctx context.Context) error {
	if _, err := chromedp.Call(ctx, emulateByRule, emulateByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{URLPattern: "", Latency: webLatencyMS, DownloadThroughput: webBytesPerSec, UploadThroughput: webBytesPerSec}},
	}); err != nil {
		return fmt.Errorf("Network.emulateNetworkConditionsByRule: %w", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: webCPUSlowdown}); err != nil {
		return fmt.Errorf("Emulation.setCPUThrottlingRate: %w", err)
	}
	return chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// emulateByRuleParams are Network.emulateNetworkConditionsByRule's parameters as Chromium 148 takes
// them: with a top-level "offline", which it requires (cdproto v0.159's struct follows a later
// protocol that moved it into each rule, and Chromium 148 refuses that as invalid parameters). Later
// browsers ignore the extra field.
type emulateByRuleParams struct {
	Offline                  bool                  `json:"offline"`
	MatchedNetworkConditions []*network.Conditions `json:"matchedNetworkConditions"`
}

// emulateByRule applies network conditions to requests by URL pattern (an empty pattern: all of
// them), the successor of the deprecated Network.emulateNetworkConditions.
var emulateByRule = cdp.Command[emulateByRuleParams, network.EmulateNetworkConditionsByRuleResult]{Method: network.CommandEmulateNetworkConditionsByRule}

// pageState is what web.js recorded in the page, in milliseconds since the navigation started.
type pageState struct {
	Origin    float64 `json:"origin"` // performance.timeOrigin: the navigation's start, Unix ms
	FCP       float64 `json:"fcp"`
	Content   float64 `json:"content"`
	TapAt     float64 `json:"tapAt"`
	Responded float64 `json:"responded"`
	Checked   bool    `json:"checked"`
}

// load navigates the tab to about:blank and then to url, waits for the page's content (the ballot:
// taps a score control and waits for the answer), and reads the timings and the bytes received.
func load(ctx context.Context, rec *recorder, url string, p webPage) (webLoad, error) {
	var l webLoad
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return l, err
	}
	rec.reset()
	busyBefore := taskDuration(ctx)
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: url}); err != nil {
		return l, err
	}
	// The new document's context may not be there yet just after the navigation is sent: retry.
	var target struct {
		OK bool    `json:"ok"`
		X  float64 `json:"x"`
		Y  float64 `json:"y"`
	}
	var err error
	for range 50 {
		target.OK = false
		var raw []byte
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[[]byte](`window.__bench ? window.__bench.whenContent(30000) : null`, chromedp.EvalAwaitPromise))
		if err == nil && len(raw) > 0 && string(raw) != "null" {
			err = json.Unmarshal(raw, &target)
			if err == nil {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return l, fmt.Errorf("waiting for the page's content: %w", err)
	}
	if !target.OK {
		return l, fmt.Errorf("no %q on the page within 30 s", p.content)
	}
	if p.ballot {
		var raw []byte
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[[]byte](`window.__bench.scoreControl()`))
		if err == nil {
			err = json.Unmarshal(raw, &target)
		}
		if err != nil || !target.OK {
			return l, fmt.Errorf("no enabled, unchosen score control to tap in the usable ballot (%v)", err)
		}
		if err := chromedp.Do(ctx, chromedp.TapXY(target.X, target.Y)); err != nil {
			return l, err
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__bench.whenResponded(10000)`, chromedp.EvalAwaitPromise)); err != nil {
			return l, err
		}
	}
	var st pageState
	for range 30 { // the content can be in the DOM a frame before it is painted
		if st, err = chromedp.Run(ctx, chromedp.Evaluate[pageState](`window.__bench.state()`)); err != nil || st.FCP > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return l, err
	}
	if st.FCP <= 0 {
		return l, errors.New("no first contentful paint within 3 s of the content")
	}
	l.busy = max(0, taskDuration(ctx)-busyBefore)
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	l.fcp, l.content = ms(st.FCP), ms(st.Content)
	cut := time.Now()
	if p.ballot {
		if st.Responded <= 0 || !st.Checked {
			return l, errors.New("the tapped score control did not answer within 10 s")
		}
		l.usable = ms(st.Responded)
		// What the page fetched to get there: requests sent after the tap (its autosave) are not the load's.
		cut = time.UnixMilli(int64(st.Origin + st.TapAt))
	} else {
		cut = rec.quiet(500*time.Millisecond, 5*time.Second)
	}
	l.bytes, l.script, l.requests, l.cached = rec.total(cut, 10*time.Second)
	if p.ballot {
		// The tap's autosave goes out after a quiet moment: let it finish before the page is left.
		rec.quiet(1500*time.Millisecond, 15*time.Second)
	}
	return l, nil
}

// taskDuration is how long the tab's main thread has been busy in all (0 when unknown).
func taskDuration(ctx context.Context) time.Duration {
	m, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		return 0
	}
	for _, x := range m.Metrics {
		if x.Name == "TaskDuration" {
			return time.Duration(x.Value * float64(time.Second))
		}
	}
	return 0
}

// recorder keeps the network events of a tab.
type recorder struct {
	mu       sync.Mutex
	requests map[network.RequestID]*request
	last     time.Time // when the last request was sent or finished
}

type request struct {
	sent     time.Time
	script   bool
	done     bool
	cached   bool
	received int64
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = map[network.RequestID]*request{}
	r.last = time.Now()
}

func (r *recorder) on(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if strings.HasPrefix(ev.Request.URL, "data:") || strings.HasPrefix(ev.Request.URL, "about:") {
			return
		}
		r.requests[ev.RequestID] = &request{sent: wallTime(ev.WallTime), script: ev.Type == network.ResourceTypeScript}
		r.last = time.Now()
	case *network.EventRequestServedFromCache:
		if q := r.requests[ev.RequestID]; q != nil {
			q.cached = true
		}
	case *network.EventResponseReceived:
		if q := r.requests[ev.RequestID]; q != nil && ev.Response != nil && (ev.Response.FromDiskCache || ev.Response.FromPrefetchCache) {
			q.cached = true
		}
	case *network.EventLoadingFinished:
		if q := r.requests[ev.RequestID]; q != nil {
			q.done, q.received = true, int64(ev.EncodedDataLength)
			r.last = time.Now()
		}
	case *network.EventLoadingFailed:
		if q := r.requests[ev.RequestID]; q != nil {
			q.done = true
			r.last = time.Now()
		}
	}
}

func wallTime(t cdp.TimeSinceEpoch) time.Time {
	return time.UnixMicro(int64(float64(t) * 1e6))
}

// quiet waits until no request has been sent or finished for d and none is in flight (at most max),
// and returns when that was.
func (r *recorder) quiet(d, max time.Duration) time.Time {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		busy := false
		for _, q := range r.requests {
			busy = busy || !q.done
		}
		last := r.last
		r.mu.Unlock()
		if !busy && time.Since(last) >= d {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Now()
}

// total adds up the requests sent before cut, once they have finished (waiting at most max).
func (r *recorder) total(cut time.Time, max time.Duration) (bytes, script int64, requests, cached int) {
	deadline := time.Now().Add(max)
	for {
		r.mu.Lock()
		bytes, script, requests, cached = 0, 0, 0, 0
		pending := false
		for _, q := range r.requests {
			if q.sent.After(cut) {
				continue
			}
			pending = pending || !q.done
			requests++
			bytes += q.received
			if q.script {
				script += q.received
			}
			if q.cached {
				cached++
			}
		}
		r.mu.Unlock()
		if !pending || time.Now().After(deadline) {
			return bytes, script, requests, cached
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// loadAverage is /proc/loadavg's three averages, for the report: the machine's cores are shared.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func medianOf(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianInt(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (row webRow) median(f func(webLoad) time.Duration) time.Duration {
	var xs []time.Duration
	for _, l := range row.loads {
		xs = append(xs, f(l))
	}
	return medianOf(xs)
}

func (row webRow) medianBytes(f func(webLoad) int64) int64 {
	var xs []int64
	for _, l := range row.loads {
		xs = append(xs, f(l))
	}
	return medianInt(xs)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func kB(n int64) string { return fmt.Sprintf("%.1f kB", float64(n)/1000) }

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func (w webResult) write(p func(string, ...any)) {
	p("")
	p("## The web app on a slow phone")
	p("")
	if w.runs == 0 {
		p("Skipped (-web-runs 0).")
		return
	}
	if w.editorOnly {
		p("Headless %s; `miasta dev` with the demo edition; the report editor alone (-web-report-only). Load average before and after: %s / %s.", orUnknown(w.browser), w.loadBefore, w.loadAfter)
		if w.err != nil {
			p("")
			p("The browser phase failed: %s", oneLine(w.err))
		}
		w.editor.write(p)
		return
	}
	p("Headless %s, Slow 4G (%d ms latency, %.1f Mbit/s down and up) and %d× processor slowdown, a 390 × 844 touch screen; "+
		"`miasta dev` with the demo edition, signed in as the juror %s. Each run opens a fresh browser profile (cold: empty cache, no connection open) "+
		"and loads the page, then loads it again in that profile (warm). Medians of %d runs. Load average before and after: %s / %s.",
		orUnknown(w.browser), webLatencyMS, float64(webBytesPerSec)*8/1e6, webCPUSlowdown, webJuror, w.runs, w.loadBefore, w.loadAfter)
	p("")
	if w.initialErr != nil {
		p("- Initial JavaScript: unknown (%s)", oneLine(w.initialErr))
	} else {
		p("- Initial JavaScript (the entry chunk and its static imports, %d files): %s brotli, %s gzip, %s as built — target < 120 kB compressed: %s",
			w.initialN, kB(w.initial.Brotli), kB(w.initial.Gzip), kB(w.initial.Raw), met(w.initial.Brotli < targetInitialJS && w.initial.Gzip < targetInitialJS))
	}
	p("")
	p("| page | load | first contentful paint | content shown | ballot usable (a tap on a score answered) | main thread busy | bytes received | of which scripts | requests (from cache) | targets |")
	p("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, row := range w.rows {
		kind := "warm"
		if row.cold {
			kind = "cold"
		}
		fcp := row.median(func(l webLoad) time.Duration { return l.fcp })
		content := row.median(func(l webLoad) time.Duration { return l.content })
		usable, targets := "—", "—"
		if row.cold {
			targets = "FCP < 1.5 s: " + met(fcp < targetFCP)
		}
		if row.page.ballot {
			u := row.median(func(l webLoad) time.Duration { return l.usable })
			usable = seconds(u)
			if row.cold {
				targets += "; usable < 2.5 s: " + met(u < targetUsable)
			}
		}
		reqs := row.medianBytes(func(l webLoad) int64 { return int64(l.requests) })
		cached := row.medianBytes(func(l webLoad) int64 { return int64(l.cached) })
		busy := row.median(func(l webLoad) time.Duration { return l.busy })
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %d (%d) | %s |", row.page.name, kind, seconds(fcp), seconds(content), usable, seconds(busy),
			kB(row.medianBytes(func(l webLoad) int64 { return l.bytes })), kB(row.medianBytes(func(l webLoad) int64 { return l.script })), reqs, cached, targets)
	}
	if w.err != nil {
		p("")
		p("The browser phase failed: %s", oneLine(w.err))
	}
	p("")
	p("First contentful paint is the browser's paint timing; \"content shown\" is when the page's data is in the DOM (the editions, the ballot's enabled score controls, the winners); " +
		"\"ballot usable\" is when a tap on an unchosen score of the real ballot has been answered: the frame after its change event. \"Main thread busy\" is the page's main thread at work (Performance.getMetrics TaskDuration, slowed 4×) until then. Bytes are as received (headers and compressed bodies) for the requests the load sent, on the ballot up to the tap.")
	w.editor.write(p)
	w.verify.write(p)
}
