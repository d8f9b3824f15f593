package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
)

// walkDemo plays every demo person against a running `miasta dev`, with the tokens it wrote.
func walkDemo(ctx context.Context, fs *flag.FlagSet, args []string, stdout io.Writer) error {
	url := fs.String("url", "http://127.0.0.1:8080", "the running development server")
	tokenDir := fs.String("token-dir", filepath.Join(os.TempDir(), "miasta-dev"), "where miasta dev wrote the demo users' ID tokens")
	if err := fs.Parse(args); err != nil {
		return err
	}
	clients, err := demoClients(*url, *tokenDir)
	if err != nil {
		return err
	}
	_, err = demo.Walk(ctx, clients, stdout)
	return err
}

// demoClients builds API clients for every demo person from the token files `miasta dev` wrote.
func demoClients(url, tokenDir string) (map[string]demo.Clients, error) {
	httpClient := &http.Client{Timeout: 30 * time.Second}
	out := map[string]demo.Clients{}
	for _, p := range demo.People {
		raw, err := os.ReadFile(filepath.Join(tokenDir, strings.SplitN(p.Email, "@", 2)[0]+".token"))
		if err != nil {
			return nil, fmt.Errorf("token of %s (is miasta dev running?): %w", p.Email, err)
		}
		out[p.Email] = demo.NewClients(httpClient, url, strings.TrimSpace(string(raw)))
	}
	return out, nil
}
