// Package bench measures the platform on the machine it runs on: SaveBallot and CastBallot throughput
// and latency against the real server and PostgreSQL, pgbench's single-row insert rate for
// comparison, the exact tally at 10k–1M score rows, the offline verifier, and the process's memory.
// `go run ./cmd/miasta-bench` runs it; `make bench` runs it after the tally's Go benchmarks.
package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/devdb"
)

// Config is what one run measures and where it reports.
type Config struct {
	// DatabaseURL is an administrative PostgreSQL URL on this machine: its role must be able to create
	// and drop databases. The run creates a throwaway database beside it and drops it at the end. Empty
	// uses the local development database, set up as `miasta dev-db` does.
	DatabaseURL string
	// Concurrency is how many calls (and pgbench clients) are in flight at once.
	Concurrency int
	// Duration is how long each load phase and the pgbench run last.
	Duration time.Duration
	// Jurors is how many simulated jurors, each with its own ID token, share the load.
	Jurors int
	// PoolMaxConns sets the server's database pool size (pgx's pool_max_conns); 0 keeps the service's
	// default, which is what `miasta serve` gets from a DATABASE_URL without it.
	PoolMaxConns int
	// Pgbench is the pgbench binary; empty looks on PATH, then in /usr/lib/postgresql/*/bin.
	Pgbench string
	// Rates are the CastBallot rates, in calls per second, to offer open loop and read the latency at.
	Rates []float64
	// TallyRows are the sizes, in score rows, to time tally.Compute at; empty skips the tally.
	TallyRows []int
	// Out is a file to write the report to as well; empty writes only to the io.Writer.
	Out string
	// Progress receives what the run is doing and the server's warnings; nil discards them.
	Progress io.Writer
	// WebRuns is how many times the browser phase loads each page cold and warm; 0 skips it.
	WebRuns int
	// WebOnly runs the browser phase alone.
	WebOnly bool
	// WebReportOnly runs only the browser phase's report editor measurement (implies WebOnly).
	WebReportOnly bool
	// WebReportTrace, when set, is a file to write a Chrome trace of the report editor's typing to
	// (for DevTools' Performance panel). Tracing slows the page: the run's numbers are not for the table.
	WebReportTrace string
	// Chromium is the browser the browser phase drives; empty is /usr/bin/chromium.
	Chromium string
	// SearchPractices is how many public practices the search phase seeds (rounded up to a multiple
	// of 120); 0 skips the phase.
	SearchPractices int
	// SearchOnly runs the search phase alone.
	SearchOnly bool
}

// DefaultTallyRows are the tally sizes BenchmarkCompute in internal/tally uses.
var DefaultTallyRows = []int{10_000, 100_000, 1_000_000}

// RegisterFlags defines the run's flags on fs, with the defaults of the production-readiness issue;
// the database URL defaults to $TEST_DATABASE_URL, else $DATABASE_URL, as for the tests.
func (c *Config) RegisterFlags(fs *flag.FlagSet, getenv func(string) string) {
	dbURL := getenv("TEST_DATABASE_URL")
	if dbURL == "" {
		dbURL = getenv("DATABASE_URL")
	}
	fs.StringVar(&c.DatabaseURL, "database-url", dbURL, "administrative PostgreSQL URL on this machine (may CREATE DATABASE); default $TEST_DATABASE_URL, else $DATABASE_URL, else the local one `miasta dev-db` sets up")
	fs.IntVar(&c.Concurrency, "concurrency", 16, "calls in flight at once (and pgbench clients)")
	fs.DurationVar(&c.Duration, "duration", 5*time.Second, "length of each load phase and of the pgbench run")
	fs.IntVar(&c.Jurors, "jurors", 50, "simulated jurors, each signed in with its own ID token")
	fs.IntVar(&c.PoolMaxConns, "pool-max-conns", 0, "the server's database pool size (0: the service default)")
	fs.StringVar(&c.Pgbench, "pgbench", "", "pgbench binary (default: PATH, then /usr/lib/postgresql/*/bin/pgbench)")
	fs.Func("tally-rows", "comma-separated score-row counts to time tally.Compute at (\"\" or \"0\" skips; default 10000,100000,1000000)", func(s string) error {
		rows, err := parseRows(s)
		c.TallyRows = rows
		return err
	})
	c.TallyRows = DefaultTallyRows
	fs.Func("rates", "comma-separated CastBallot rates (calls/s) to offer open loop, reading the latency at each (\"\" skips; default 250,1000)", func(s string) error {
		rates, err := parseRates(s)
		c.Rates = rates
		return err
	})
	c.Rates = DefaultRates
	fs.StringVar(&c.Out, "out", "bench-results.md", "file to write the results table to as well (\"\" for none)")
	fs.IntVar(&c.WebRuns, "web-runs", 5, "how many times the browser phase loads each page cold and warm (0 skips it)")
	fs.BoolVar(&c.WebOnly, "web-only", false, "run the browser phase alone")
	fs.BoolVar(&c.WebReportOnly, "web-report-only", false, "run only the browser phase's report editor (a 30,000-word report: bytes per autosave, keystroke to paint); implies -web-only")
	fs.StringVar(&c.WebReportTrace, "web-report-trace", "", "write a Chrome trace of the report editor's typing to this file, for DevTools' Performance panel (tracing slows the page: that run's numbers are not for comparison)")
	fs.IntVar(&c.SearchPractices, "search-practices", 100_000, "public practices the search phase seeds before timing SearchPractices (0 skips it)")
	fs.BoolVar(&c.SearchOnly, "search-only", false, "run the search phase alone")
	chromium := getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	fs.StringVar(&c.Chromium, "chromium", chromium, "the Chromium the browser phase drives (default $CHROMIUM, else /usr/bin/chromium)")
}

// DefaultRates are the open-loop CastBallot rates: the 1,000 calls/s, and a quarter of it.
var DefaultRates = []float64{250, 1000}

func parseRates(s string) ([]float64, error) {
	var rates []float64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 || r > 1e6 {
			return nil, fmt.Errorf("rate %q: not a positive number of calls per second", f)
		}
		rates = append(rates, r)
	}
	return rates, nil
}

func parseRows(s string) ([]int, error) {
	var rows []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		if f == "" || f == "0" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("tally rows %q: not a count", f)
		}
		rows = append(rows, n)
	}
	return rows, nil
}

func (c Config) check() error {
	switch {
	case c.Concurrency < 1:
		return errors.New("concurrency must be at least 1")
	case c.Jurors < 1:
		return errors.New("jurors must be at least 1")
	case c.Duration < 100*time.Millisecond || c.Duration > 10*time.Minute:
		return errors.New("duration must be between 100ms and 10m")
	case c.PoolMaxConns < 0:
		return errors.New("pool-max-conns must not be negative")
	case c.WebRuns < 0:
		return errors.New("web-runs must not be negative")
	case (c.WebOnly || c.WebReportOnly) && c.WebRuns == 0:
		return errors.New("-web-only or -web-report-only with -web-runs 0 measures nothing")
	case c.SearchPractices < 0 || c.SearchPractices > 10_000_000:
		return errors.New("search-practices must be between 0 and 10,000,000")
	case c.SearchOnly && c.SearchPractices == 0:
		return errors.New("-search-only with -search-practices 0 measures nothing")
	case c.SearchOnly && (c.WebOnly || c.WebReportOnly):
		return errors.New("-search-only and -web-only are two different runs")
	}
	return nil
}

// Run performs every measurement once and writes the results, a Markdown table, to w (and to
// cfg.Out). It creates a throwaway database and drops it again, even when it fails.
func Run(ctx context.Context, cfg Config, w io.Writer) error {
	if err := cfg.check(); err != nil {
		return err
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	r := &run{cfg: cfg, progress: cfg.Progress, res: &results{started: time.Now()}}
	defer func() {
		for _, f := range r.cleanup {
			f()
		}
	}()
	// The server logs as in production, one JSON access-log line per call at info level, formatted
	// but discarded; its warnings and errors go to Progress as well.
	r.log = slog.New(slog.NewMultiHandler(
		slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}),
		slog.NewTextHandler(cfg.Progress, &slog.HandlerOptions{Level: slog.LevelWarn}),
	))
	if err := r.all(ctx); err != nil {
		return err
	}
	var buf bytes.Buffer
	r.res.write(&buf, cfg)
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// run is one benchmark run's state.
type run struct {
	cfg      Config
	progress io.Writer
	log      *slog.Logger
	res      *results
	bin      string   // cmd/miasta built for the phases that start a server process (binary)
	cleanup  []func() // run when Run returns
}

func (r *run) step(format string, args ...any) {
	fmt.Fprintf(r.progress, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// all runs the measurements in an order that keeps them from disturbing one another: the load
// against the server, then (server stopped) pgbench on the same database, then the tally, then the
// search at 100,000 practices on a database of its own, then the web app in a browser against a
// `miasta dev` of its own.
func (r *run) all(ctx context.Context) (err error) {
	r.res.machine = machineInfo()
	adminURL, stopCluster, err := devdb.Ensure(ctx, r.cfg.DatabaseURL, slog.New(slog.NewTextHandler(r.progress, nil)))
	if stopCluster != nil { // it had to start the local cluster: stop it again, after the drop below
		defer func() {
			if serr := stopCluster(); serr != nil {
				err = errors.Join(err, fmt.Errorf("stop the local PostgreSQL cluster: %w", serr))
			}
		}()
	}
	if err != nil {
		return err
	}
	dbURL, drop, err := createDatabase(ctx, adminURL)
	if err != nil {
		return err
	}
	r.step("created database %s", databaseName(dbURL))
	defer func() {
		if derr := drop(); derr != nil {
			err = errors.Join(err, fmt.Errorf("drop the throwaway database: %w", derr))
		} else {
			r.step("dropped database %s", databaseName(dbURL))
		}
	}()
	r.res.postgres = postgresVersion(ctx, dbURL)
	if r.cfg.WebOnly || r.cfg.WebReportOnly {
		r.res.web = r.web(ctx, adminURL)
		return ctx.Err()
	}
	if r.cfg.SearchOnly {
		r.res.search = r.search(ctx, adminURL)
		return ctx.Err()
	}

	if err := r.service(ctx, dbURL); err != nil {
		return err
	}
	r.step("pgbench: %d clients, %s, single-row inserts, then cast-shaped transactions", r.cfg.Concurrency, pgbenchSeconds(r.cfg.Duration))
	if r.res.pgbenchErr = setUpPgbench(ctx, dbURL); r.res.pgbenchErr == nil {
		r.res.pgbench, r.res.pgbenchErr = runPgbench(ctx, r.cfg.Pgbench, dbURL, insertScript, r.cfg.Concurrency, r.cfg.Duration)
	}
	if r.res.pgbenchErr == nil {
		r.res.pgbenchCast, r.res.pgbenchCastErr = runPgbench(ctx, r.cfg.Pgbench, dbURL, castShapedScript, r.cfg.Concurrency, r.cfg.Duration)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, rows := range r.cfg.TallyRows {
		r.step("tally.Compute at %d score rows", rows)
		t, err := timeTally(rows)
		if err != nil {
			return err
		}
		r.res.tallies = append(r.res.tallies, t)
	}
	r.res.rssEnd = readMemory()
	if r.cfg.SearchPractices > 0 {
		r.res.search = r.search(ctx, adminURL)
	}
	if r.cfg.WebRuns > 0 {
		r.res.web = r.web(ctx, adminURL)
	}
	return ctx.Err()
}
