package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// results is everything one run measured.
type results struct {
	started      time.Time
	machine      string
	postgres     string
	poolMaxConns int32
	nominations  int
	marks        int

	ops                     []opResult
	castsAcked, castsStored int

	closeRound time.Duration
	verify     verifyResult
	verifyErr  error

	pgbench    pgbenchResult
	pgbenchErr error
	// pgbenchCast runs castShapedScript: the database's side of a cast at its simplest.
	pgbenchCast    pgbenchResult
	pgbenchCastErr error

	tallies []tallyTime

	rssIdle, rssLoad, rssEnd memory

	exports exportsResult

	web webResult

	search searchResult
}

// verifyResult times exporting and verifying the closed round's audit bundle.
type verifyResult struct {
	export, verify         time.Duration
	bytes                  int
	leaves, casts, ballots int
}

// memory is the process's resident set, now and at its peak so far, in kB.
type memory struct{ rss, hwm int64 }

// readMemory reads VmRSS and VmHWM from /proc/self/status (zero where there is no /proc).
func readMemory() memory {
	var m memory
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			m.rss = n
		case "VmHWM":
			m.hwm = n
		}
	}
	return m
}

// machineInfo is the CPU model, the core count and the Go version.
func machineInfo() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores (GOMAXPROCS %d), %s %s/%s", model, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func mb(kb int64) string { return fmt.Sprintf("%.0f MB", float64(kb)/1024) }

// castRate is the cast-only phase's rate, the one compared with pgbench.
func (r *results) castRate() (float64, bool) {
	for _, o := range r.ops {
		if o.name == "CastBallot" {
			return o.rate(), true
		}
	}
	return 0, false
}

// write renders the results as Markdown.
func (r *results) write(w io.Writer, cfg Config) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	pool := fmt.Sprintf("%d (pgx default)", r.poolMaxConns)
	if cfg.PoolMaxConns > 0 {
		pool = fmt.Sprintf("%d (-pool-max-conns)", r.poolMaxConns)
	}
	p("# miasta-bench")
	p("")
	if cfg.WebReportOnly {
		p("- Run: %s; `go run ./cmd/miasta-bench -web-report-only`", r.started.Format(time.RFC3339))
		p("- Machine: %s; PostgreSQL %s on 127.0.0.1", r.machine, orUnknown(r.postgres))
		r.web.write(p)
		return
	}
	if cfg.SearchOnly {
		p("- Run: %s; `go run ./cmd/miasta-bench -search-only -search-practices %d`", r.started.Format(time.RFC3339), cfg.SearchPractices)
		p("- Machine: %s; PostgreSQL %s on 127.0.0.1", r.machine, orUnknown(r.postgres))
		r.search.write(p)
		return
	}
	if cfg.WebOnly {
		p("- Run: %s; `go run ./cmd/miasta-bench -web-only -web-runs %d`", r.started.Format(time.RFC3339), cfg.WebRuns)
		p("- Machine: %s; PostgreSQL %s on 127.0.0.1", r.machine, orUnknown(r.postgres))
		r.web.write(p)
		return
	}
	flags := fmt.Sprintf("-concurrency %d -duration %s -jurors %d", cfg.Concurrency, cfg.Duration, cfg.Jurors)
	if cfg.PoolMaxConns > 0 {
		flags += fmt.Sprintf(" -pool-max-conns %d", cfg.PoolMaxConns)
	}
	p("- Run: %s; `go run ./cmd/miasta-bench %s`", r.started.Format(time.RFC3339), flags)
	p("- Machine: %s; PostgreSQL %s on 127.0.0.1", r.machine, orUnknown(r.postgres))
	p("- Load: %d simulated jurors with real ID tokens, %d in flight, Connect (binary protobuf) over HTTP/1.1 on one shared transport; "+
		"each ballot scores %d nominations × 4 criteria = %d marks. Server, OpenID provider and clients share this process and its cores; "+
		"server database pool %s; audit log integrated every 1s; JSON access log at info level (formatted, discarded); no per-caller write limit.", cfg.Jurors, min(cfg.Concurrency, cfg.Jurors), r.nominations, r.marks, pool)
	p("")
	p("| measurement | calls | rate | mean | p50 | p99 | errors |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, o := range r.ops {
		errs := strconv.Itoa(o.errs)
		if o.firstErr != nil {
			errs += fmt.Sprintf(" (first: %s)", oneLine(o.firstErr))
		}
		p("| %s (%s) | %d | %.1f/s | %s | %s | %s | %s |", o.name, o.elapsed.Round(10*time.Millisecond), len(o.lat), o.rate(), ms(o.mean()), ms(o.quantile(0.50)), ms(o.quantile(0.99)), errs)
	}
	if r.pgbenchErr != nil {
		p("| pgbench single-row INSERT | — | — | — | — | — | %s |", oneLine(r.pgbenchErr))
	} else {
		pb := r.pgbench
		p("| pgbench single-row INSERT (`%s`) | %d | %.1f tps | %.3f ms | — | — | %d |", pb.commandLine, pb.txns, pb.tps, pb.latency, pb.failed)
		rate, ok := r.castRate()
		if ok && pb.tps > 0 {
			p("| **CastBallot rate / pgbench tps** | | **%.3f** (%.1f / %.1f) | | | | |", rate/pb.tps, rate, pb.tps)
		}
		if r.pgbenchCastErr != nil {
			p("| pgbench, cast-shaped transaction | — | — | — | — | — | %s |", oneLine(r.pgbenchCastErr))
		} else if pc := r.pgbenchCast; pc.tps > 0 {
			p("| pgbench, cast-shaped transaction (2 reads; BEGIN, a share-locking read, 2 inserts, COMMIT) | %d | %.1f tps | %.3f ms | — | — | %d |", pc.txns, pc.tps, pc.latency, pc.failed)
			if pb.tps > 0 {
				p("| **cast-shaped / single-row insert, both pgbench: the ceiling of CastBallot / pgbench** | | **%.3f** | | | | |", pc.tps/pb.tps)
			}
		}
	}
	r.writeCPU(p)
	p("")
	p("| also measured | result |")
	p("|---|---|")
	p("| casts acknowledged / stored in `ballot_casts` | %d / %d |", r.castsAcked, r.castsStored)
	if r.verifyErr != nil {
		p("| close, export, offline verify | failed: %s |", oneLine(r.verifyErr))
	} else {
		v := r.verify
		p("| close the round (`ChangeStage` to TALLIED: tally of %d jurors' last casts, stored) | %s |", cfg.Jurors, ms(r.closeRound))
		p("| export the audit bundle (`auditlog.Log.Export`: %d leaves, %d casts, %.1f MB JSON) | %s |", v.leaves, v.casts, float64(v.bytes)/(1<<20), ms(v.export))
		p("| offline verify (`verify.Verify`, as `miasta audit verify`; %d ballots re-tallied) | %s |", v.ballots, ms(v.verify))
		r.exports.write(p)
	}
	for _, t := range r.tallies {
		p("| `tally.Compute`, %d score rows (%d nominations, 25 jurors, 4 criteria; one run) | %s |", t.rows, t.nominations, ms(t.took))
	}
	p("| RSS idle (server up, edition seeded, jurors signed in) | %s |", mb(r.rssIdle.rss))
	p("| RSS peak through the load phases (VmHWM) | %s |", mb(r.rssLoad.hwm))
	if len(r.tallies) > 0 {
		p("| RSS peak including the tally runs (VmHWM) | %s |", mb(r.rssEnd.hwm))
	}
	p("")
	p("RSS is the whole benchmark process: the server runs in it, together with the OpenID provider and the load generator's clients.")
	p("Rates count calls that succeeded over the phase's wall time; calls in flight at the deadline finish and count.")
	p("The CastBallot phase re-casts each juror's last saved version with a fresh request id; the save→cast loop is SaveBallot followed by CastBallot of the version it returned.")
	p("The closed-loop phases keep %d calls in flight and measure throughput; their latency is mostly waiting behind the other calls. The open-loop phases offer CastBallot at a fixed rate whatever the server does (up to one call per juror in flight) and count each call's latency from when it was due, so they show the latency at that load, and a server that cannot keep up shows as a lower rate and a growing latency.", min(cfg.Concurrency, cfg.Jurors))
	if cfg.SearchPractices > 0 {
		r.search.write(p)
	}
	if cfg.WebRuns > 0 {
		r.web.write(p)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(version unknown)"
	}
	return s
}

// oneLine shortens an error for a table cell.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// phaseCPU is the processor time of one load phase per iteration of it (one call, or one save and
// one cast in the loop).
type phaseCPU struct {
	name  string
	calls int // iterations: the successful calls of the phase's first kind
	use   cpuUse
}

func (r *results) phases() []phaseCPU {
	var out []phaseCPU
	for _, o := range r.ops {
		if len(out) > 0 && out[len(out)-1].name == o.phase {
			continue
		}
		out = append(out, phaseCPU{name: o.phase, calls: len(o.lat), use: o.cpu})
	}
	return out
}

func perCall(d time.Duration, calls int) string {
	return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000/float64(max(1, calls)))
}

// writeCPU writes the processor time per call of each phase and of pgbench, and the ratio of the
// service's cast to pgbench's insert by it: the throughput ratio the two would have on cores of
// their own, which the rates above only show when nothing else runs on the machine.
func (r *results) writeCPU(p func(string, ...any)) {
	type row struct {
		name            string
		calls           int
		use             cpuUse
		process, suffix string
	}
	var rows []row
	for _, ph := range r.phases() {
		name := ph.name
		if name == "SaveBallot then CastBallot" {
			name = "save→cast loop (per save and cast)"
		}
		rows = append(rows, row{name: name, calls: ph.calls, use: ph.use})
	}
	if r.pgbenchErr == nil && r.pgbench.txns > 0 {
		rows = append(rows, row{name: "pgbench single-row INSERT (client: pgbench)", calls: r.pgbench.txns, use: r.pgbench.cpu})
	}
	if r.pgbenchCastErr == nil && r.pgbenchCast.txns > 0 {
		rows = append(rows, row{name: "pgbench cast-shaped transaction (client: pgbench)", calls: r.pgbenchCast.txns, use: r.pgbenchCast.cpu})
	}
	if len(rows) == 0 || !rows[0].use.ok {
		return
	}
	p("")
	p("| processor time per call | this process (server, provider, load clients) | PostgreSQL backends | total | the rest of the machine meanwhile |")
	p("|---|---:|---:|---:|---:|")
	var cast, insert time.Duration
	for _, rw := range rows {
		u := rw.use
		if !u.ok {
			continue
		}
		total := u.process + u.postgres
		p("| %s | %s | %s | %s | %.2f cores |", rw.name, perCall(u.process, rw.calls), perCall(u.postgres, rw.calls), perCall(total, rw.calls), u.other().Seconds()/u.wall.Seconds())
		switch {
		case rw.name == "CastBallot":
			cast = total / time.Duration(max(1, rw.calls))
		case strings.HasPrefix(rw.name, "pgbench single-row"):
			insert = total / time.Duration(max(1, rw.calls))
		}
	}
	if cast > 0 && insert > 0 {
		p("| **pgbench insert / CastBallot, by processor time per call** | | | **%.3f** | |", float64(insert)/float64(cast))
	}
	p("")
	p("Processor time is user plus system time: of this process (getrusage), of pgbench, and of the PostgreSQL backends connected to the throwaway database (/proc, sampled every 50 ms); PostgreSQL's shared background processes (WAL writer, checkpointer) and time spent waiting for fsync are not in it. \"The rest of the machine\" is every core's busy time minus these: other work sharing the cores, which moves the rates above but hardly the time per call.")
}
