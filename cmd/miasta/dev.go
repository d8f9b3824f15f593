package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

func dev(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
