package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"

	"github.com/miasta-otwarte/miasta/internal/devdb"
)

// devDB makes the development database available (devdb.Ensure). Without a command it prints the
// URL and leaves a cluster it started running, for `make db` and `export DATABASE_URL=$(make -s db)`.
// With one, it runs the command with TEST_DATABASE_URL (and DATABASE_URL) set to the URL and
// afterwards stops the cluster it started, unless something else still uses it (another command
// run this way, a `miasta dev`, any other session), which is then told on stderr.
func devDB(ctx context.Context, url string, command []string, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	url, stop, err := devdb.Ensure(ctx, url, log)
	if err != nil {
		if stop != nil {
			_ = stop()
		}
		return err
	}
	if len(command) == 0 {
		fmt.Fprintln(stdout, url)
		return nil
	}
	share, err := devdb.Hold(ctx, url)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Env = append(os.Environ(), "TEST_DATABASE_URL="+url, "DATABASE_URL="+url)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	runErr := cmd.Run()
	alone, err := share.Release(context.WithoutCancel(ctx))
	switch {
	case stop == nil:
	case err != nil:
		log.Warn("leaving the PostgreSQL cluster running: cannot tell whether it is still in use", "error", err)
	case !alone:
		log.Info("leaving the PostgreSQL cluster this command started running: other sessions use it")
	default:
		if err := stop(); err != nil {
			log.Error("stopping the PostgreSQL cluster", "error", err)
		} else {
			log.Info("stopped the PostgreSQL cluster this command started")
		}
	}
	if runErr != nil {
		return fmt.Errorf("%s: %w", command[0], runErr)
	}
	return nil
}
