package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

func TestOversizedRequestIsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	token := env.Token(t, demo.OrganiserEmail)
	for _, proto := range testenv.Protocols {
		c := env.Clients(proto, token)
		before := env.EventCount(t)
		_, err := c.Editions.CreateCity(context.Background(), &v1.CreateCityRequest{Name: strings.Repeat("ł", 3<<20)})
		if testenv.Code(err) != connect.CodeResourceExhausted {
			t.Fatalf("%s: a 6 MiB request = %v; want ResourceExhausted", proto, err)
		}
		if env.EventCount(t) != before {
			t.Fatalf("%s: a refused request changed something", proto)
		}
	}
}

func TestWritesAreRateLimitedPerCaller(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) { c.WriteRate, c.WriteBurst = 0.001, 3 }})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	for i := range 3 {
		testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Miasto %d", i)}))
	}
	if _, err := org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Jedno za dużo"}); testenv.Code(err) != connect.CodeResourceExhausted {
		t.Fatalf("the fourth write in a burst of three = %v; want ResourceExhausted", err)
	}
	// Reads are not limited, and another caller has their own allowance.
	for range 5 {
		testenv.Must(org.Editions.ListCities(ctx, &v1.ListCitiesRequest{}))
	}
	expert := env.Clients(testenv.GRPC, env.Token(t, "ekspert.lodz@miasta.test"))
	testenv.Must(expert.Identity.GetMe(ctx, &v1.GetMeRequest{}))
}

func TestAccessLogNamesTheCallNeverTheToken(t *testing.T) {
	t.Parallel()
	var logs testenv.LogBuffer
	env := testenv.Start(t, testenv.Options{Log: &logs})
	ctx := context.Background()
	token := env.Token(t, demo.OrganiserEmail)
	httpClient, opts := env.HTTPClient(testenv.Connect, token)
	getMe := connect.NewClient[v1.GetMeRequest, v1.GetMeResponse](httpClient, env.URL+miastav1connect.IdentityServiceGetMeProcedure, opts...)
	org := env.Clients(testenv.Connect, token)
	req := connect.NewRequest(&v1.GetMeRequest{})
	req.Header().Set("X-Request-Id", "proba-123")
	me, err := getMe.CallUnary(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := me.Header().Get("X-Request-Id"); got != "proba-123" {
		t.Fatalf("response X-Request-Id = %q; want the caller's", got)
	}
	_, err = org.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: "6f12568b-c557-4379-947e-1c5b7c9aeb4a"})
	if testenv.Code(err) != connect.CodeNotFound {
		t.Fatal(err)
	}
	var found, notFound bool
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != "rpc" {
			continue
		}
		if line["procedure"] == "/miasta.v1.IdentityService/GetMe" && line["request_id"] == "proba-123" && line["code"] == "ok" &&
			line["principal"] == me.Msg.GetMe().GetUser().GetId() && line["duration"] != nil {
			found = true
		}
		if line["procedure"] == "/miasta.v1.EditionService/GetEdition" && line["code"] == "not_found" && line["request_id"] != "" {
			notFound = true
		}
	}
	if !found || !notFound {
		t.Fatalf("access log lacks the calls (GetMe found %v, GetEdition found %v):\n%s", found, notFound, logs.String())
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), token[strings.LastIndex(token, ".")+1:]) {
		t.Fatal("the log contains the bearer token")
	}
}
