// Package metrics exposes the service's Prometheus metrics: calls by procedure and code and their
// latency, the database pool, and how far the audit log's integration lags behind the events.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
)

// Metrics holds the registry and the RPC instruments.
type Metrics struct {
	reg      *prometheus.Registry
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New registers the platform's metrics, reading pool for its statistics and audit for the log's lag.
func New(pool *pgxpool.Pool, audit Lagger, log *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "miasta_rpc_calls_total", Help: "RPCs handled, by procedure and Connect code.",
		}, []string{"procedure", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "miasta_rpc_duration_seconds", Help: "RPC latency by procedure.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"procedure"}),
	}
	reg.MustRegister(m.calls, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{pool: pool}, lagCollector{log: audit, l: log})
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) observe(procedure string, start time.Time, err error) {
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
	}
	m.calls.WithLabelValues(procedure, code).Inc()
	m.duration.WithLabelValues(procedure).Observe(time.Since(start).Seconds())
}

// WrapUnary implements connect.Interceptor.
func (m *Metrics) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		resp, err := next(ctx, req)
		m.observe(req.Spec().Procedure, start, err)
		return resp, err
	}
}

// WrapStreamingClient implements connect.Interceptor.
func (m *Metrics) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (m *Metrics) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		m.observe(conn.Spec().Procedure, start, err)
		return err
	}
}

var (
	poolConns    = prometheus.NewDesc("miasta_db_pool_connections", "Database pool connections by state.", []string{"state"}, nil)
	poolMax      = prometheus.NewDesc("miasta_db_pool_max_connections", "Largest size of the database pool.", nil, nil)
	poolAcquires = prometheus.NewDesc("miasta_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolWait     = prometheus.NewDesc("miasta_db_pool_acquire_wait_seconds_total", "Time spent waiting for a pool connection.", nil, nil)
	lagEvents    = prometheus.NewDesc("miasta_auditlog_pending_events", "Events not yet integrated into the audit log.", nil, nil)
	lagSeconds   = prometheus.NewDesc("miasta_auditlog_lag_seconds", "Age of the oldest event not yet integrated (0 when none).", nil, nil)
)

type poolCollector struct{ pool *pgxpool.Pool }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConns
	ch <- poolMax
	ch <- poolAcquires
	ch <- poolWait
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// Lagger measures how far the audit log is behind the event table (auditlog.Log).
type Lagger interface {
	Lag(ctx context.Context) (auditlog.Lag, error)
}

type lagCollector struct {
	log Lagger
	l   *slog.Logger
}

func (c lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- lagEvents
	ch <- lagSeconds
}

func (c lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lag, err := c.log.Lag(ctx)
	if err != nil {
		c.l.Warn("audit log lag metric", "error", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(lagEvents, prometheus.GaugeValue, float64(lag.Pending))
	ch <- prometheus.MustNewConstMetric(lagSeconds, prometheus.GaugeValue, lag.Oldest.Seconds())
}
