package metrics_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

func TestMetricsCountCallsPoolAndLogLag(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.GRPC, env.Token(t, demo.OrganiserEmail))
	testenv.Must(org.Identity.GetMe(ctx, &v1.GetMeRequest{}))
	_, _ = org.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: "not-a-uuid"})

	srv := httptest.NewServer(env.App.Metrics.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`miasta_rpc_calls_total{code="ok",procedure="/miasta.v1.IdentityService/GetMe"} 1`,
		`miasta_rpc_calls_total{code="invalid_argument",procedure="/miasta.v1.EditionService/GetEdition"} 1`,
		`miasta_rpc_duration_seconds_count{procedure="/miasta.v1.IdentityService/GetMe"} 1`,
		`miasta_db_pool_connections{state="idle"}`,
		`miasta_auditlog_pending_events`,
		`miasta_auditlog_lag_seconds`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
