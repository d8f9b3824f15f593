package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// The benchmark's client registration at its development provider.
const (
	clientID     = "miasta-bench"
	clientSecret = "bench-secret"
)

// platform is the running provider and server, with the shared HTTP transport of every client.
type platform struct {
	url, issuer string
	auditKey    string // the key file's text
	idp         *devidp.Provider
	app         *app.App
	transport   *http.Transport
	http        *http.Client
}

// token signs email in at the provider through the full code flow and returns its ID token.
func (p *platform) token(ctx context.Context, email string) (string, error) {
	tok, err := p.idp.Login(ctx, clientID, clientSecret, p.url+"/auth/callback", demo.Subject(email))
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", email, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fmt.Errorf("sign in %s: no id_token", email)
	}
	return raw, nil
}

// clients returns API clients over the shared transport for the bearer of email's ID token.
func (p *platform) clients(ctx context.Context, email string) (demo.Clients, error) {
	tok, err := p.token(ctx, email)
	if err != nil {
		return demo.Clients{}, err
	}
	return demo.NewClients(p.http, p.url, tok), nil
}

// service migrates the throwaway database, starts a provider and the server as testenv does, seeds
// and opens a jury round, runs the load phases, then closes the round and verifies its bundle.
func (r *run) service(ctx context.Context, dbURL string) error {
	pool, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	start := time.Now()
	err = db.Migrate(ctx, pool, slog.New(slog.DiscardHandler))
	pool.Close()
	if err != nil {
		return err
	}
	r.step("migrated in %s", time.Since(start).Round(time.Millisecond))

	serverLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer serverLn.Close()
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer idpLn.Close()
	p := &platform{url: "http://" + serverLn.Addr().String(), issuer: "http://" + idpLn.Addr().String()}

	users := make([]devidp.User, 0, len(demo.People)+r.cfg.Jurors)
	for _, person := range demo.People {
		users = append(users, devidp.User{Subject: demo.Subject(person.Email), Email: person.Email, EmailVerified: true, Name: person.Name})
	}
	for i := range r.cfg.Jurors {
		email := jurorEmail(i)
		users = append(users, devidp.User{Subject: demo.Subject(email), Email: email, EmailVerified: true, Name: email})
	}
	p.idp, err = devidp.New(devidp.Config{
		Issuer:  p.issuer,
		Users:   users,
		Clients: []devidp.Client{{ID: clientID, Secret: clientSecret, RedirectURIs: []string{p.url + "/auth/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	idpSrv := &http.Server{Handler: p.idp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = idpSrv.Serve(idpLn) }()
	defer idpSrv.Close()

	appURL := dbURL
	if r.cfg.PoolMaxConns > 0 {
		appURL = withParam(dbURL, "pool_max_conns", fmt.Sprint(r.cfg.PoolMaxConns))
	}
	benchKey, err := auditlog.NewKey()
	if err != nil {
		return err
	}
	cfg := config.Config{
		Addr:             serverLn.Addr().String(),
		DatabaseURL:      appURL,
		PublicURL:        p.url,
		OIDCIssuer:       p.issuer,
		OIDCClientID:     clientID,
		OIDCClientSecret: clientSecret,
		OIDCRedirectURL:  p.url + "/auth/callback",
		Organisers:       []string{demo.OrganiserEmail},
		LogInterval:      time.Second, // the production default: checkpoints are part of the load
		AuditKey:         string(benchKey.File()),
		// No per-caller write limit (production allows 20 changes/s, burst 40): the load is many
		// callers at full speed, and what is measured is what the service can take, not the limiter.
		WriteRate:       0,
		ShutdownTimeout: 10 * time.Second,
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	p.auditKey = cfg.AuditKey
	p.app, err = app.New(serveCtx, cfg, r.log, app.Options{})
	if err != nil {
		return err
	}
	defer p.app.Close()
	r.res.poolMaxConns = p.app.Pool.Config().MaxConns
	served := make(chan error, 1)
	go func() { served <- p.app.Serve(serveCtx, serverLn) }()

	// One HTTP/1.1 transport for every client, with room to keep a connection per call in flight.
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	p.transport = &http.Transport{
		Protocols:           protocols,
		MaxIdleConns:        2*r.cfg.Concurrency + 16,
		MaxIdleConnsPerHost: 2*r.cfg.Concurrency + 16,
		IdleConnTimeout:     90 * time.Second,
	}
	p.http = &http.Client{Transport: p.transport, Timeout: 30 * time.Second}
	r.step("server on %s, OpenID provider on %s", p.url, p.issuer)

	loadErr := r.load(ctx, p, dbURL)

	// Idle connections a burst of HTTP/1.1 calls left behind would hold shutdown up for seconds.
	p.transport.CloseIdleConnections()
	stopServing()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
		loadErr = errors.Join(loadErr, err)
	}
	r.step("server stopped")
	return loadErr
}

// load seeds the edition, runs the load phases and the close, and reads memory around them.
func (r *run) load(ctx context.Context, p *platform, dbURL string) error {
	start := time.Now()
	e, err := r.seed(ctx, p)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}
	r.step("edition seeded, %d jurors signed in, jury open (%s)", len(e.jurors), time.Since(start).Round(time.Millisecond))
	r.res.nominations, r.res.marks = e.nominations, len(e.jurors[0].scores)
	r.res.rssIdle = readMemory()

	for _, ph := range phases() {
		r.step("%s: %d in flight for %s", ph.name, min(r.cfg.Concurrency, len(e.jurors)), r.cfg.Duration)
		meter := startCPU(ctx, dbURL)
		res := runPhase(ctx, e.jurors, r.cfg.Concurrency, r.cfg.Duration, ph)
		use := meter.finish(ctx)
		for i := range res {
			res[i].cpu = use
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for _, op := range res {
			if len(op.lat) == 0 {
				return fmt.Errorf("%s: no call succeeded: %v", op.name, op.firstErr)
			}
		}
		r.res.ops = append(r.res.ops, res...)
	}
	for _, rate := range r.cfg.Rates {
		r.step("CastBallot offered at %g/s for %s (open loop, up to %d in flight)", rate, r.cfg.Duration, len(e.jurors))
		meter := startCPU(ctx, dbURL)
		res := runRate(ctx, e.jurors, rate, r.cfg.Duration)
		res.cpu = meter.finish(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.res.ops = append(r.res.ops, res)
	}
	r.res.rssLoad = readMemory()

	acked := 0
	for _, op := range r.res.ops {
		if op.rpc == "CastBallot" {
			acked += len(op.lat)
		}
	}
	var stored int
	if err := p.app.Pool.QueryRow(ctx, `SELECT count(*) FROM ballot_casts`).Scan(&stored); err != nil {
		return err
	}
	r.res.castsAcked, r.res.castsStored = acked, stored
	if acked != stored {
		return fmt.Errorf("%d casts acknowledged but %d stored", acked, stored)
	}

	r.step("closing the round (%d casts), announcing, exporting and verifying the bundle", stored)
	r.res.closeRound, r.res.verify, r.res.verifyErr = r.closeAndVerify(ctx, p, e)
	if r.res.verifyErr == nil {
		r.res.exports = r.exports(ctx, p, dbURL, p.auditKey)
	}
	return ctx.Err()
}

// closeAndVerify closes the round (which computes the tally), announces, exports the audit bundle and
// verifies it offline, as `miasta audit verify` does. Failures are reported, not fatal.
func (r *run) closeAndVerify(ctx context.Context, p *platform, e *seeded) (closeTime time.Duration, v verifyResult, err error) {
	start := time.Now()
	// Jurors whose casts failed under load, or categories left without a winner, would make these
	// moves warn: the benchmark goes on knowingly (a move with nothing to warn of stays ordinary).
	if _, err := e.org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.id, Stage: v1.Stage_STAGE_TALLIED, AcknowledgeWarnings: true, Reason: "benchmark"}); err != nil {
		return 0, v, fmt.Errorf("close the round: %w", err)
	}
	closeTime = time.Since(start)
	if _, err := e.org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.id, Stage: v1.Stage_STAGE_ANNOUNCED, AcknowledgeWarnings: true, Reason: "benchmark"}); err != nil {
		return closeTime, v, fmt.Errorf("announce: %w", err)
	}
	start = time.Now()
	var buf bytes.Buffer
	if err := p.app.Audit.Sync(ctx); err != nil {
		return closeTime, v, err
	}
	if err := p.app.Audit.Export(ctx, p.app.Jury, demo.Year, &buf); err != nil {
		return closeTime, v, fmt.Errorf("export the bundle: %w", err)
	}
	v.export = time.Since(start)
	data := buf.Bytes()
	v.bytes = len(data)
	key, err := p.app.Audit.LogKey(ctx)
	if err != nil {
		return closeTime, v, err
	}
	// What an outside checker does: verify the file against a key it holds.
	start = time.Now()
	s, err := verify.Verify(data, verify.Options{Key: key})
	v.verify = time.Since(start)
	if err != nil {
		return closeTime, v, fmt.Errorf("verify: %w", err)
	}
	v.leaves, v.casts, v.ballots = int(s.TreeSize), s.Casts, s.Counted
	return closeTime, v, nil
}

// organiser signs the demo organiser in directly, as `miasta dev` does, for demo.Seed.
func organiser(ctx context.Context, a *app.App, issuer string) (*auth.Principal, error) {
	o := demo.People[0]
	return a.Identity.SignIn(ctx, auth.Claims{Issuer: issuer, Subject: demo.Subject(o.Email), Email: o.Email, EmailVerified: true, Name: o.Name})
}
