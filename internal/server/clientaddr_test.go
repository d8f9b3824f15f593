package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/clientaddr"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestAccessLogNamesTheClientBehindTrustedProxiesOnly: the access log's client is what
// X-Forwarded-For says only when the connection comes from a trusted proxy (here the test's own
// 127.0.0.1); from any other peer the header is ignored and the peer is the client.
func TestAccessLogNamesTheClientBehindTrustedProxiesOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		trusted string
		want    string
	}{
		{"the peer is a trusted proxy", "127.0.0.1/32, 10.0.0.0/8", "198.51.100.7"},
		{"the peer is not trusted", "10.0.0.0/8", "127.0.0.1"},
		{"no trusted proxies", "", "127.0.0.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			trusted, err := clientaddr.ParsePrefixes(c.trusted)
			if err != nil {
				t.Fatal(err)
			}
			var logs testenv.LogBuffer
			env := testenv.Start(t, testenv.Options{Log: &logs, Configure: func(cfg *config.Config) { cfg.TrustedProxies = trusted }})
			httpClient, opts := env.HTTPClient(testenv.Connect, env.Token(t, demo.OrganiserEmail))
			getMe := connect.NewClient[v1.GetMeRequest, v1.GetMeResponse](httpClient, env.URL+miastav1connect.IdentityServiceGetMeProcedure, opts...)
			req := connect.NewRequest(&v1.GetMeRequest{})
			req.Header().Set("X-Forwarded-For", "203.0.113.66, 198.51.100.7")
			req.Header().Set("X-Request-Id", "proxy-test")
			if _, err := getMe.CallUnary(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			for sc.Scan() {
				var line map[string]any
				if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "rpc" && line["request_id"] == "proxy-test" {
					if line["client"] != c.want {
						t.Fatalf("the access log's client = %v; want %s", line["client"], c.want)
					}
					return
				}
			}
			t.Fatalf("no access log line for the call:\n%s", logs.String())
		})
	}
}
