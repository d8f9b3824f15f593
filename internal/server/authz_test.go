package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/server"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

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

func TestEveryProcedureHasExactlyOneRule(t *testing.T) {
	procs := procedures(t)
	for p := range procs {
		if _, ok := auth.Rules[p]; !ok {
			t.Errorf("%s has no authorization rule", p)
		}
	}
	for p := range auth.Rules {
		if _, ok := procs[p]; !ok {
			t.Errorf("rule for %s, which no service has", p)
		}
	}
	services := map[string]bool{}
	for p, m := range procs {
		_ = p
		services[string(m.Parent().FullName())] = true
	}
	if len(services) != len(server.Services) {
		t.Errorf("descriptors have %d services, the server mounts %d", len(services), len(server.Services))
	}
}

// A procedure without a rule is refused even though its handler exists.
func TestProcedureWithoutRuleIsDenied(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle(miastav1connect.NewEditionServiceHandler(miastav1connect.UnimplementedEditionServiceHandler{},
		connect.WithInterceptors(auth.NewInterceptor(nil, map[string]auth.Rule{}))))
	srv := startPlain(t, mux)
	client := miastav1connect.NewEditionServiceClient(http.DefaultClient, srv)
	_, err := client.ListEditions(context.Background(), &v1.ListEditionsRequest{})
	if testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("ListEditions with no rule = %v; want PermissionDenied", err)
	}
}

// callJSON calls a unary procedure over the Connect protocol with an empty JSON message and returns
// the error code ("" for success).
func callJSON(t *testing.T, base, procedure, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+procedure, bytes.NewReader([]byte("{}")))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", procedure, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	var e struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: status %d, body %q", procedure, resp.StatusCode, body)
	}
	return e.Code
}

func TestDefaultDenyWalk(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	expert := env.Token(t, "ekspert.warszawa@miasta.test")
	for proc, m := range procedures(t) {
		rule := auth.Rules[proc]
		if m.IsStreamingServer() || m.IsStreamingClient() {
			continue // checked below with a typed client
		}
		anon := callJSON(t, env.URL, proc, "")
		switch {
		case rule&auth.Public != 0:
			if anon == "unauthenticated" || anon == "permission_denied" {
				t.Errorf("%s is public but an anonymous call got %s", proc, anon)
			}
		default:
			if anon != "unauthenticated" {
				t.Errorf("%s anonymously = %q; want unauthenticated", proc, anon)
			}
		}
		// The expert has no role yet (nothing invited them) and is no organiser: anything beyond
		// SignedIn and Public is denied.
		if rule&(auth.Public|auth.SignedIn) == 0 {
			if got := callJSON(t, env.URL, proc, expert); got != "permission_denied" {
				t.Errorf("%s as a user without roles = %q; want permission_denied", proc, got)
			}
		}
	}
	stream, err := env.Clients(testenv.GRPC, "").Audit.ExportBundle(context.Background(), &v1.ExportBundleRequest{Year: demo.Year})
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
	}
	if c := testenv.Code(err); c == connect.CodeUnauthenticated || c == connect.CodePermissionDenied {
		t.Errorf("ExportBundle is public but an anonymous call got %v", err)
	}
}
