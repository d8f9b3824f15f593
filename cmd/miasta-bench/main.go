// Command miasta-bench measures the platform on this machine against a local PostgreSQL and prints a
// Markdown table of the results (see internal/bench). `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/miasta-otwarte/miasta/internal/bench"
)

func main() {
	var cfg bench.Config
	fs := flag.NewFlagSet("miasta-bench", flag.ExitOnError)
	cfg.RegisterFlags(fs, os.Getenv)
	_ = fs.Parse(os.Args[1:])
	cfg.Progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench.Run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "miasta-bench:", err)
		os.Exit(1)
	}
}
