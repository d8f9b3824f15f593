package server_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

func TestCallsAreTracedWhenTracingIsOn(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	env := testenv.Start(t, testenv.Options{Tracer: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))})
	c := env.Clients(testenv.GRPC, env.Token(t, demo.OrganiserEmail))
	testenv.Must(c.Identity.GetMe(context.Background(), &v1.GetMeRequest{}))
	for _, s := range rec.Ended() {
		if s.Name() == "miasta.v1.IdentityService/GetMe" {
			return
		}
	}
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	t.Fatalf("no span for GetMe; spans: %v", names)
}
