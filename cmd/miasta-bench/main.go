// Command miasta-bench measures the platform on this machine against a local PostgreSQL and prints a
// Markdown table of the results (see internal/bench). `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/miasta-otwarte/miasta/internal/bench"
)

func main() {
	var cfg bench.Config
	fs := flag.NewFlagSet("miasta-bench", flag.ExitOnError)
	cfg.RegisterFlags(fs, os.Getenv)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server, provider and load generator share the process) to this file")
	_ = fs.Parse(os.Args[1:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "miasta-bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	cfg.Progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench.Run(ctx, cfg, os.Stdout); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "miasta-bench:", err)
		os.Exit(1)
	}
}
