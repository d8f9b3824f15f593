// Command miasta runs the Miasta Otwarte platform: `miasta serve` for production, `miasta dev` for a
// zero-configuration local demo, `miasta migrate` to apply the schema.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "miasta:", err)
		}
		os.Exit(1)
	}
}

// version names the build: `make release` stamps it (git describe) with -ldflags -X main.version=….
var version = "dev"

const usage = `usage: miasta <command> [flags]

commands:
  serve    serve the API (configure with flags or environment; see -h)
  migrate  apply pending database migrations and exit
  dev      run a local demo: database, identity provider, mail capture, seeded demonstration edition, server
  dev-db   make the local development database available and print its URL; with -- COMMAND,
           run COMMAND with TEST_DATABASE_URL set, then stop the cluster again if dev-db started it
  audit    audit log tools: keygen -out FILE (a new signing key), key (print the log's key),
           rotate -new-key-file FILE (replace the signing key), export -edition YEAR -out FILE,
           verify (-key KEY | -trust-bundle-key) [-receipt HASH] [-checkpoint FILE]... FILE (offline: no server, no database)
  demo     walk the demo edition of a running 'miasta dev' from REPORTING to ANNOUNCED via the API
  witness  an independent witness of an audit log: key -name NAME -out FILE (its key),
           run -key-file FILE -log-key KEY -state FILE [-addr HOST:PORT] (serve C2SP tlog-witness)
  version  print the build's version
`

// run is the whole program, with its environment passed in so that tests can run it. lookupEnv is
// os.LookupEnv: a variable set to "" is not the same as one not set (MIASTA_METRICS_ADDR= is "off").
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	getenv := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[1], args[2:]
	fs := flag.NewFlagSet("miasta "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch cmd {
	case "serve":
		cfg, err := config.Load(fs, rest, lookupEnv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, newLogger(cfg, stderr))
	case "migrate":
		cfg, err := config.Load(fs, rest, lookupEnv)
		if err != nil {
			return err
		}
		return migrate(ctx, cfg, newLogger(cfg, stderr))
	case "dev":
		return dev(ctx, fs, rest, getenv, stdout, stderr)
	case "dev-db":
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return devDB(ctx, getenv("DATABASE_URL"), fs.Args(), stdout, stderr)
	case "audit":
		return audit(ctx, fs, rest, lookupEnv, stdout, stderr)
	case "demo":
		return walkDemo(ctx, fs, rest, stdout)
	case "witness":
		return witnessCmd(ctx, fs, rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "miasta", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.DatabaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return db.Migrate(ctx, pool, log)
}

// writeKeyFile writes a key file readable by its owner only, refusing to replace a file.
func writeKeyFile(name string, key auditlog.Key) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(key.File()); err != nil {
		f.Close()
		os.Remove(name)
		return fmt.Errorf("key file: %w", err)
	}
	return f.Close()
}

// audit runs the audit log tools: key and export need the database; verify needs only the bundle.
func audit(ctx context.Context, fs *flag.FlagSet, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	const usage = "usage: miasta audit keygen -out FILE | key | rotate -new-key-file FILE | export -edition YEAR -out FILE | verify (-key KEY | -trust-bundle-key) [-receipt HASH] [-checkpoint FILE]... [-witness VKEY]... [-witnesses K] FILE"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "keygen":
		out := fs.String("out", "", "the key file to write (it must not exist; readable by its owner only)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" || fs.NArg() != 0 {
			return errors.New("usage: miasta audit keygen -out FILE")
		}
		key, err := auditlog.NewKey()
		if err != nil {
			return err
		}
		if err := writeKeyFile(*out, key); err != nil {
			return err
		}
		fmt.Fprintln(stdout, key.Verifier)
		return nil
	case "verify":
		key := fs.String("key", "", "the log's verifier key, obtained independently of the bundle (the ceremony, a newspaper, an earlier visit)")
		trust := fs.Bool("trust-bundle-key", false, "trust the key the bundle names instead (then the result proves only that the bundle is consistent with a key of its publisher's choosing)")
		receipt := fs.String("receipt", "", "a juror's receipt (sha256:...) to find, prove and say whether it is counted")
		var pinned []string
		fs.Func("checkpoint", "a file holding a checkpoint saved earlier (the ceremony's, a newspaper's, the results page's), which the bundle's log must extend; repeatable", func(name string) error {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			pinned = append(pinned, string(b))
			return nil
		})
		var witnesses []string
		fs.Func("witness", "a witness's verifier key (Ed25519 cosignature/v1, obtained independently), whose cosignature of the bundle's checkpoint to check (check K5); repeatable", func(k string) error {
			witnesses = append(witnesses, k)
			return nil
		})
		threshold := fs.Int("witnesses", 0, "how many of the -witness keys must have cosigned the checkpoint (default: all of them)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 || (*key == "") == !*trust {
			return errors.New(usage)
		}
		thresholdSet := false
		fs.Visit(func(f *flag.Flag) { thresholdSet = thresholdSet || f.Name == "witnesses" })
		if thresholdSet && (*threshold < 1 || *threshold > len(witnesses)) {
			return fmt.Errorf("-witnesses %d: give a number from 1 to the %d -witness keys given", *threshold, len(witnesses))
		}
		data, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		sum, err := verify.Verify(data, verify.Options{Key: *key, TrustBundleKey: *trust, Receipt: *receipt, Checkpoints: pinned, Witnesses: witnesses, WitnessThreshold: *threshold})
		if err != nil {
			return fmt.Errorf("verification failed: %w", err)
		}
		fmt.Fprintln(stdout, sum)
		return nil
	case "key", "export", "rotate":
	default:
		return errors.New(usage)
	}
	year := fs.Int("edition", 0, "the edition's year (export)")
	out := fs.String("out", "", "the bundle file to write (export)")
	newKeyFile := fs.String("new-key-file", "", "the key file of the key to rotate to (rotate; the key in force comes from -audit-key-file or MIASTA_AUDIT_KEY)")
	cfg, err := config.Load(fs, args[1:], lookupEnv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	log := newLogger(cfg, stderr)
	var key auditlog.Key // export and key need none: what they read is public
	if cfg.AuditKeyFile != "" || cfg.AuditKey != "" || args[0] == "rotate" {
		if key, err = app.LoadAuditKey(cfg); err != nil {
			return err
		}
	}
	l := auditlog.New(pool, log, key)
	switch args[0] {
	case "key":
		verifier, err := l.LogKey(ctx)
		if err != nil {
			return err
		}
		if verifier == "" {
			return errors.New("the log has no checkpoint yet: its key will be the key of the server that signs the first one")
		}
		fmt.Fprintln(stdout, verifier)
		return nil
	case "rotate":
		if *newKeyFile == "" {
			return errors.New("usage: miasta audit rotate -audit-key-file OLD -new-key-file NEW")
		}
		next, err := app.LoadAuditKey(config.Config{AuditKeyFile: *newKeyFile})
		if err != nil {
			return err
		}
		cp, err := l.Rotate(ctx, next)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rotated to %s; its first checkpoint:\n%s\nGive every server the new key file now: servers with the old key sign nothing more and refuse to start.\n", next.Verifier, cp)
		return nil
	}
	if *year == 0 || *out == "" {
		return errors.New(usage)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := l.Export(ctx, jury.NewService(pool, log), int32(*year), f); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, fi.Size())
	return nil
}
