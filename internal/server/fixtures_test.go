package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// Helpers shared by the server's edge tests; the fixtures of the API (editions, experts, jurors) are
// testenv's.

// startPlain serves h on 127.0.0.1 for the test and returns its base URL.
func startPlain(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// readyz asks for readiness and returns the status, the body and how long the answer took.
func readyz(t *testing.T, env *testenv.Env) (int, string, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(env.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), time.Since(start)
}

// getMe calls IdentityService/GetMe over proto as the bearer of token.
func getMe(env *testenv.Env, proto testenv.Protocol, token string) error {
	_, err := env.Clients(proto, token).Identity.GetMe(context.Background(), &v1.GetMeRequest{})
	return err
}

// procedures walks every method of every miasta.v1 service descriptor.
func procedures(t *testing.T) map[string]protoreflect.MethodDescriptor {
	t.Helper()
	out := map[string]protoreflect.MethodDescriptor{}
	protoregistry.GlobalFiles.RangeFilesByPackage("miasta.v1", func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			s := f.Services().Get(i)
			for j := range s.Methods().Len() {
				m := s.Methods().Get(j)
				out[fmt.Sprintf("/%s/%s", s.FullName(), m.Name())] = m
			}
		}
		return true
	})
	if len(out) < 40 {
		t.Fatalf("found %d procedures; the descriptor walk is broken", len(out))
	}
	return out
}
