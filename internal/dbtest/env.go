package dbtest

import "os"

// lookupEnv reads the test database settings; test helpers are the one place below cmd/ that reads
// the environment, because `go test` offers no other way in.
func lookupEnv(name string) string { return os.Getenv(name) }
