package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/witness"
)

const witnessUsage = "usage: miasta witness key -name NAME -out FILE | run -key-file FILE -log-key KEY -state FILE [-addr HOST:PORT]"

// witnessCmd runs an independent witness of an audit log (package witness): `key` makes its key,
// `run` serves the C2SP tlog-witness protocol with it. It needs neither the platform's database nor
// its configuration, only the log's verifier key, so a city, a newspaper or a partner organisation
// can run it on its own machine.
func witnessCmd(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, witnessUsage)
		return errors.New("witness: no subcommand")
	}
	switch args[0] {
	case "key":
		name := fs.String("name", "", "the witness's name, e.g. witness.gazeta.example (no spaces or '+')")
		out := fs.String("out", "", "the key file to write (it must not exist; readable by its owner only)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("witness key: -out FILE is required")
		}
		signer, verifier, err := witness.GenerateKey(*name)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("key file: %w", err)
		}
		if _, err := f.WriteString(signer + "\n"); err != nil {
			f.Close()
			os.Remove(*out)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, verifier)
		return nil
	case "run":
		keyFile := fs.String("key-file", "", "the witness's key file (`miasta witness key` writes it)")
		logKey := fs.String("log-key", "", "the audit log's verifier key, obtained independently of the platform (`miasta audit key` prints it)")
		state := fs.String("state", "", "SQLite file keeping the last checkpoint cosigned (created if missing; keep it with the key)")
		addr := fs.String("addr", "127.0.0.1:8090", "host:port to serve the witness on")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		signer, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("witness key file: %w", err)
		}
		log := slog.New(slog.NewTextHandler(stderr, nil))
		srv, err := witness.NewServer(ctx, witness.Options{Signer: strings.TrimSpace(string(signer)), LogKey: *logKey, State: *state, Log: log})
		if err != nil {
			return err
		}
		defer srv.Close()
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = hs.Shutdown(sctx)
		}()
		log.Info("witness serving", "addr", ln.Addr().String(), "verifier_key", srv.VerifierKey)
		fmt.Fprintln(stdout, srv.VerifierKey)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	fmt.Fprintln(stderr, witnessUsage)
	return fmt.Errorf("witness: unknown subcommand %q", args[0])
}
