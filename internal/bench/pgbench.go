package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgbenchResult is what pgbench reported for the single-row insert script.
type pgbenchResult struct {
	tps         float64       // without initial connection time
	clientCPU   time.Duration // pgbench's own user and system time
	cpu         cpuUse        // of the run: the backends, the machine; process is set to clientCPU
	latency     float64       // average, ms
	txns        int
	failed      int
	clients     int
	threads     int
	seconds     int
	binary      string
	commandLine string
}

// pgbenchSeconds is -T for a duration: whole seconds, at least one.
func pgbenchSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))) + "s"
}

// insertScript is pgbench's reference transaction: one single-row insert, committed on its own.
const insertScript = "INSERT INTO bench(x) VALUES (1);\n"

// castShapedScript has the statements a CastBallot sends PostgreSQL, each as trivial as it can be: the
// two reads authentication makes, then a transaction of a share-locking read of one row every
// client locks (the edition), two single-row inserts (the event and the cast) and the commit. What
// it reaches is a ceiling on the cast rate from the database's side alone, with no server, no
// HTTP and nothing for the statements themselves to do.
const castShapedScript = `SELECT x FROM bench_row WHERE id = 1;
SELECT x FROM bench_row WHERE id = 1;
BEGIN;
SELECT x FROM bench_row WHERE id = 1 FOR SHARE;
INSERT INTO bench(x) VALUES (1);
INSERT INTO bench(x) VALUES (2);
COMMIT;
`

// setUpPgbench creates the throwaway tables the pgbench scripts use in dbURL's database.
func setUpPgbench(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE bench (x integer); CREATE TABLE bench_row (id integer PRIMARY KEY, x integer); INSERT INTO bench_row VALUES (1, 1)"); err != nil {
		return fmt.Errorf("create the pgbench tables: %w", err)
	}
	return nil
}

// runPgbench runs `pgbench -n -c C -j 2 -T D -f script` against the tables setUpPgbench made in
// dbURL's database, for comparison with CastBallot.
func runPgbench(ctx context.Context, binary, dbURL, scriptText string, clients int, d time.Duration) (pgbenchResult, error) {
	res := pgbenchResult{clients: clients, threads: min(2, clients), seconds: max(1, int(d.Round(time.Second).Seconds()))}
	bin, err := findPgbench(binary)
	if err != nil {
		return res, err
	}
	res.binary = bin
	dir, err := os.MkdirTemp("", "miasta-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	name := "insert.sql"
	if scriptText == castShapedScript {
		name = "cast-shaped.sql"
	}
	script := filepath.Join(dir, name)
	if err := os.WriteFile(script, []byte(scriptText), 0o600); err != nil {
		return res, err
	}
	args := []string{"-n", "-c", strconv.Itoa(res.clients), "-j", strconv.Itoa(res.threads), "-T", strconv.Itoa(res.seconds), "-f", script}
	res.commandLine = "pgbench " + joinArgs(args) + " DBURL"
	cctx, cancel := context.WithTimeout(ctx, time.Duration(res.seconds)*time.Second+time.Minute)
	defer cancel()
	// The password goes in the environment, not on a command line other users can read.
	connURL, password := libpqURL(dbURL)
	cmd := exec.CommandContext(cctx, bin, append(args, connURL)...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	meter := startCPU(ctx, dbURL)
	err = cmd.Run()
	res.cpu = meter.finish(ctx)
	if err != nil {
		return res, fmt.Errorf("pgbench: %w: %s", err, lastLine(stderr.Bytes()))
	}
	res.clientCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	res.cpu.process = res.clientCPU
	out := stdout.Bytes()
	tps, ok := match(out, `tps = ([0-9.]+) \(without initial connection time\)`)
	if !ok {
		return res, fmt.Errorf("pgbench printed no tps: %s", lastLine(out))
	}
	res.tps, _ = strconv.ParseFloat(tps, 64)
	if s, ok := match(out, `latency average = ([0-9.]+) ms`); ok {
		res.latency, _ = strconv.ParseFloat(s, 64)
	}
	if s, ok := match(out, `number of transactions actually processed: ([0-9]+)`); ok {
		res.txns, _ = strconv.Atoi(s)
	}
	if s, ok := match(out, `number of failed transactions: ([0-9]+)`); ok {
		res.failed, _ = strconv.Atoi(s)
	}
	return res, nil
}

// findPgbench returns binary, or pgbench from PATH, or the newest Debian PostgreSQL's.
func findPgbench(binary string) (string, error) {
	if binary != "" {
		return exec.LookPath(binary)
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	slices.SortFunc(found, func(a, b string) int { return versionOf(b) - versionOf(a) })
	if len(found) == 0 {
		return "", errors.New("no pgbench on PATH or in /usr/lib/postgresql/*/bin: pass -pgbench")
	}
	return found[0], nil
}

func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

func match(out []byte, pattern string) (string, bool) {
	m := regexp.MustCompile(pattern).FindSubmatch(out)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

func lastLine(b []byte) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(lines[len(lines)-1])
}

func joinArgs(args []string) string {
	var b bytes.Buffer
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if filepath.IsAbs(a) {
			a = filepath.Base(a)
		}
		b.WriteString(a)
	}
	return b.String()
}
