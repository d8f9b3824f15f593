package server_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/server"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

func TestEveryProcedureHasExactlyOneRule(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle(miastav1connect.NewEditionServiceHandler(miastav1connect.UnimplementedEditionServiceHandler{},
		connect.WithInterceptors(auth.NewInterceptor(nil, map[string]auth.Rule{}, nil))))
	srv := startPlain(t, mux)
	client := miastav1connect.NewEditionServiceClient(http.DefaultClient, srv)
	_, err := client.ListEditions(context.Background(), &v1.ListEditionsRequest{})
	if testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("ListEditions with no rule = %v; want PermissionDenied", err)
	}
}

// call invokes any procedure with an empty request over proto, returning the error code (0 for
// success). The empty message is a valid encoding of every request type, so one generic client walks
// them all; the response is read as Empty (its fields land in unknown fields).
func call(t *testing.T, env *testenv.Env, proto testenv.Protocol, m protoreflect.MethodDescriptor, procedure, token string) connect.Code {
	t.Helper()
	httpClient, opts := env.HTTPClient(proto, token)
	client := connect.NewClient[emptypb.Empty, emptypb.Empty](httpClient, env.URL+procedure, opts...)
	ctx := context.Background()
	if m.IsStreamingServer() {
		stream, err := client.CallServerStream(ctx, connect.NewRequest(&emptypb.Empty{}))
		if err != nil {
			return testenv.Code(err)
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return testenv.Code(stream.Err())
	}
	_, err := client.CallUnary(ctx, connect.NewRequest(&emptypb.Empty{}))
	return testenv.Code(err)
}

// TestDefaultDenyWalk calls every procedure over every protocol as an anonymous caller and as a
// signed-in user without roles: the rule table decides, before any handler runs.
func TestDefaultDenyWalk(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	noRoles := env.Token(t, "ekspert.warszawa@miasta.test") // not invited to anything
	for _, proto := range testenv.Protocols {
		for proc, m := range procedures(t) {
			rule := auth.Rules[proc]
			anon := call(t, env, proto, m, proc, "")
			if rule&auth.Public != 0 {
				if anon == connect.CodeUnauthenticated || anon == connect.CodePermissionDenied {
					t.Errorf("%s %s is public but an anonymous call got %v", proto, proc, anon)
				}
				continue
			}
			if anon != connect.CodeUnauthenticated {
				t.Errorf("%s %s anonymously = %v; want unauthenticated", proto, proc, anon)
			}
			got := call(t, env, proto, m, proc, noRoles)
			switch {
			case rule&auth.SignedIn != 0:
				if got == connect.CodeUnauthenticated || got == connect.CodePermissionDenied {
					t.Errorf("%s %s admits any signed-in user but got %v", proto, proc, got)
				}
			case got != connect.CodePermissionDenied:
				t.Errorf("%s %s as a user without roles = %v; want permission_denied", proto, proc, got)
			}
		}
	}
}
