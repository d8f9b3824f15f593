package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/emersion/go-message/mail"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// env is a process environment of exactly m, for run's lookupEnv.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// waitReady polls /readyz until the server answers 200.
func waitReady(t *testing.T, base string, errc <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}

type bearer string

func (b bearer) interceptor() connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+string(b))
			return next(ctx, req)
		}
	}
}

// TestRunServe runs the binary's run function as `miasta migrate` then `miasta serve`, configured only
// through the environment, polls readiness and calls RPCs with a real provider's token.
func TestRunServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	base := "http://" + addr
	idp, err := devidp.New(devidp.Config{
		Issuer:  issuer,
		Users:   []devidp.User{{Subject: "org", Email: demo.OrganiserEmail, EmailVerified: true, Name: "Org"}},
		Clients: []devidp.Client{{ID: "miasta", Secret: "s", RedirectURIs: []string{base + "/auth/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp.Handler()}
	go func() { _ = idpSrv.Serve(idpLn) }()
	defer idpSrv.Close()

	keyFile, verifier := keygen(t)
	vars := map[string]string{
		"MIASTA_AUDIT_KEY_FILE": keyFile,
		"DATABASE_URL":          dbtest.NewURL(t),
		"MIASTA_ADDR":           addr,
		"OIDC_ISSUER":           issuer,
		"OIDC_CLIENT_ID":        "miasta",
		"MIASTA_ORGANISERS":     "Organizator@Miasta.test",
		"MIASTA_LOG_LEVEL":      "warn",
		"MIASTA_METRICS_ADDR":   metricsAddr,
	}
	if err := run(ctx, []string{"miasta", "migrate"}, env(vars), io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, io.Discard) }()
	waitReady(t, base, errc)

	tok, err := idp.Login(ctx, "miasta", "s", base+"/auth/callback", "org")
	if err != nil {
		t.Fatal(err)
	}
	identity := miastav1connect.NewIdentityServiceClient(http.DefaultClient, base, connect.WithInterceptors(bearer(tok.Extra("id_token").(string)).interceptor()))
	me, err := identity.GetMe(ctx, &v1.GetMeRequest{})
	if err != nil || !me.GetMe().GetOrganiser() {
		t.Fatalf("GetMe = %v, %v; want the configured organiser (matched case-insensitively)", me, err)
	}
	metrics, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatalf("metrics listener: %v", err)
	}
	body, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	if !strings.Contains(string(body), `miasta_rpc_calls_total{code="ok",procedure="/miasta.v1.IdentityService/GetMe"} 1`) {
		t.Fatalf("the metrics listener does not count the GetMe call:\n%.2000s", body)
	}
	// The key serve signs with is the one keygen printed; the private half is nowhere in the database.
	audit := miastav1connect.NewAuditServiceClient(http.DefaultClient, base)
	if pk, err := audit.GetPublicKey(ctx, &v1.GetPublicKeyRequest{}); err != nil || pk.GetSigningKey() != verifier {
		t.Fatalf("GetPublicKey = %v, %v; want the signing key %q that keygen printed", pk, err, verifier)
	}
	// Rotation as README says: keygen a new key, `miasta audit rotate`, then the new key in the server's
	// key file, which it reads again, signing what follows with it.
	if err := run(ctx, []string{"miasta", "audit", "keygen", "-out", keyFile}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("audit keygen over an existing key file succeeded; it must never overwrite a key")
	}
	newKeyFile, newVerifier := keygen(t)
	dbEnv := env(map[string]string{"DATABASE_URL": vars["DATABASE_URL"]})
	if err := run(ctx, []string{"miasta", "audit", "rotate", "-audit-key-file", keyFile, "-new-key-file", newKeyFile}, dbEnv, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "no checkpoint yet") {
		t.Fatalf("a rotation before the log's first checkpoint = %v; want it refused", err)
	}
	orgEditions := miastav1connect.NewEditionServiceClient(http.DefaultClient, base, connect.WithInterceptors(bearer(tok.Extra("id_token").(string)).interceptor()))
	if _, err := orgEditions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto przed rotacją"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if cp, err := audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{}); err == nil && cp.GetCheckpoint() != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no first checkpoint in 15 s")
		}
	}
	var rotated strings.Builder
	if err := run(ctx, []string{"miasta", "audit", "rotate", "-audit-key-file", keyFile, "-new-key-file", newKeyFile},
		env(map[string]string{"DATABASE_URL": vars["DATABASE_URL"]}), &rotated, io.Discard); err != nil || !strings.Contains(rotated.String(), newVerifier) {
		t.Fatalf("audit rotate = %q, %v", rotated.String(), err)
	}
	if err := run(ctx, []string{"miasta", "audit", "rotate", "-audit-key-file", keyFile, "-new-key-file", newKeyFile},
		env(map[string]string{"DATABASE_URL": vars["DATABASE_URL"]}), io.Discard, io.Discard); err == nil {
		t.Fatal("a second rotation with the replaced key succeeded; only the key in force may rotate")
	}
	newKey, err := os.ReadFile(newKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, newKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := orgEditions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto po rotacji"}); err != nil {
		t.Fatal(err)
	}
	// A checkpoint past the rotation's, signed with the new key: the server took the new key up.
	newKeyParsed, err := verify.ParseVerifierKey(newVerifier)
	if err != nil {
		t.Fatal(err)
	}
	first, err := audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})
	if err != nil {
		t.Fatal(err)
	}
	firstCP, err := verify.OpenCheckpoint(first.GetCheckpoint(), newKeyParsed)
	if err != nil {
		t.Fatalf("the checkpoint after the rotation is not signed with the new key: %v", err)
	}
	if _, err := orgEditions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto po rotacji 2"}); err != nil {
		t.Fatal(err)
	}
	grew := false
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && !grew; time.Sleep(200 * time.Millisecond) {
		cp, err := audit.GetCheckpoint(ctx, &v1.GetCheckpointRequest{})
		if err != nil {
			continue
		}
		if c, err := verify.OpenCheckpoint(cp.GetCheckpoint(), newKeyParsed); err == nil && c.Size > firstCP.Size {
			grew = true
		}
	}
	if !grew {
		t.Fatal("the server signed nothing with the new key after its key file got it")
	}
	if pk, err := audit.GetPublicKey(ctx, &v1.GetPublicKeyRequest{}); err != nil || pk.GetSigningKey() != newVerifier || pk.GetVerifierKey() != verifier {
		t.Fatalf("after the rotation GetPublicKey = %v, %v; want the log's key %s signing with %s", pk, err, verifier, newVerifier)
	}
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: protocols}}
	anon := miastav1connect.NewEditionServiceClient(h2c, base, connect.WithGRPC())
	if list, err := anon.ListEditions(ctx, &v1.ListEditionsRequest{}); err != nil || len(list.GetEditions()) != 0 {
		t.Fatalf("anonymous gRPC ListEditions = %v, %v; want an empty list", list, err)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve returned %v after cancel; want a clean shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}

// TestRunDev runs `miasta dev` against a test database and checks the seeded demo edition through
// the API with the token file it wrote.
func TestRunDev(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tokens, mailDir := t.TempDir(), t.TempDir()
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	dbURL := dbtest.NewEmptyURL(t)                     // miasta dev takes only an empty database or its own
	keyFile := filepath.Join(t.TempDir(), "audit.key") // miasta dev makes it
	go func() {
		errc <- run(ctx, []string{"miasta", "dev", "-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-token-dir", tokens,
			"-smtp-addr", "127.0.0.1:0", "-mail-dir", mailDir, "-audit-key-file", keyFile},
			env(map[string]string{"DATABASE_URL": dbURL}), pw, io.Discard)
		pw.Close()
	}()
	base := ""
	urlRe := regexp.MustCompile(`API and login\s+(http://\S+)`)
	var banner strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if strings.Contains(sc.Text(), "buf curl") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatalf("no URL in the banner:\n%s", banner.String())
	}
	waitReady(t, base, errc)

	if !strings.Contains(banner.String(), mailDir) {
		t.Fatalf("the banner does not name the mail directory %s:\n%s", mailDir, banner.String())
	}
	// The seed imported the demo people from CSV: each gets one invitation in the capture, in their
	// language, with the login link.
	invited := map[string]string{}
	for _, p := range demo.People {
		if p.Role != "organiser" {
			invited[p.Email] = p.Language
		}
	}
	var got map[string]int
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = map[string]int{}
		files, _ := filepath.Glob(filepath.Join(mailDir, "*.eml"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := mail.CreateReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if r.Header.Get("X-Miasta-Mail-Kind") != "INVITATION" {
				continue
			}
			to, _ := r.Header.AddressList("To")
			part, err := r.NextPart()
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			body, _ := io.ReadAll(part.Body)
			if len(to) != 1 || r.Header.Get("Content-Language") != invited[to[0].Address] || !strings.Contains(string(body), base+"/auth/login") {
				t.Fatalf("%s: invitation to %v in %q without the login link:\n%s", f, to, r.Header.Get("Content-Language"), body)
			}
			got[to[0].Address]++
		}
		if len(got) == len(invited) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for email := range invited {
		if got[email] != 1 {
			t.Errorf("%s has %d invitations in the capture; want 1", email, got[email])
		}
	}

	raw, err := os.ReadFile(filepath.Join(tokens, "organizator.token"))
	if err != nil {
		t.Fatal(err)
	}
	auth := connect.WithInterceptors(bearer(strings.TrimSpace(string(raw))).interceptor())
	editions := miastav1connect.NewEditionServiceClient(http.DefaultClient, base, auth)
	list, err := editions.ListEditions(ctx, &v1.ListEditionsRequest{})
	if err != nil || len(list.GetEditions()) != 1 {
		t.Fatalf("ListEditions = %v, %v; want the demo edition", list, err)
	}
	e := list.GetEditions()[0]
	var cities []string
	for _, c := range e.GetCities() {
		cities = append(cities, c.GetName())
	}
	if e.GetYear() != demo.Year || e.GetStage() != v1.Stage_STAGE_REPORTING || !e.GetDemonstration() ||
		strings.Join(cities, ",") != "Gdańsk,Kraków,Lublin,Łódź,Poznań,Warszawa" {
		t.Fatalf("demo edition = %d %v demonstration %v %v; want %d in REPORTING, marked as a demonstration, with six cities in Polish order", e.GetYear(), e.GetStage(), e.GetDemonstration(), cities, demo.Year)
	}
	// Beside it, the archive's past edition of 2015, as its announcement states it.
	pastEditions := miastav1connect.NewPastEditionServiceClient(http.DefaultClient, base)
	pastList, err := pastEditions.ListPastEditions(ctx, &v1.ListPastEditionsRequest{})
	if err != nil || len(pastList.GetEditions()) != 1 || pastList.GetEditions()[0].GetYear() != 2015 ||
		len(pastList.GetEditions()[0].GetJury()) != 5 || len(pastList.GetEditions()[0].GetDistinctions()) != 0 {
		t.Fatalf("ListPastEditions = %v, %v; want 2015 with its five jurors and no distinctions the record does not state", pastList, err)
	}
	cats, err := editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: e.GetId()})
	if err != nil || len(cats.GetCategories()) != 11 || cats.GetCategories()[4].GetNameEn() != "City service point for foreigners" {
		t.Fatalf("ListCategories = %v, %v; want the eleven categories", cats, err)
	}
	crit, err := editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: e.GetId()})
	if err != nil || len(crit.GetCriteria()) != 4 {
		t.Fatalf("ListCriteria = %v, %v; want four", crit, err)
	}
	identity := miastav1connect.NewIdentityServiceClient(http.DefaultClient, base, auth)
	invs, err := identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId()})
	if err != nil || len(invs.GetInvitations()) != 12 {
		t.Fatalf("ListInvitations = %v, %v; want 6 experts, 5 jurors and the translator", invs, err)
	}
	// A juror's token binds their invitation on first use.
	raw, err = os.ReadFile(filepath.Join(tokens, "juror.lublin.token"))
	if err != nil {
		t.Fatal(err)
	}
	juror := miastav1connect.NewIdentityServiceClient(http.DefaultClient, base, connect.WithInterceptors(bearer(strings.TrimSpace(string(raw))).interceptor()))
	me, err := juror.GetMe(ctx, &v1.GetMeRequest{})
	if err != nil || len(me.GetMe().GetAssignments()) != 1 || me.GetMe().GetAssignments()[0].GetCity().GetName() != "Lublin" ||
		me.GetMe().GetUser().GetName() != "Олена Коваленко" {
		t.Fatalf("juror GetMe = %v, %v", me, err)
	}

	// `miasta demo` takes the edition through both stages to the announcement.
	var out strings.Builder
	if err := run(ctx, []string{"miasta", "demo", "-url", base, "-token-dir", tokens}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	results := miastav1connect.NewResultsServiceClient(http.DefaultClient, base)
	pub, err := results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: demo.Year})
	if err != nil {
		t.Fatalf("anonymous GetPublicResults after the demo: %v", err)
	}
	if len(pub.GetCategories()) != 11 {
		t.Fatalf("public results have %d categories; want 11", len(pub.GetCategories()))
	}
	for _, c := range pub.GetCategories() {
		if len(c.GetNominations()) == 0 || !c.GetNominations()[0].GetWinner() || c.GetNominations()[0].GetNomination().GetCity().GetName() == "" {
			t.Errorf("category %d has no winner with a city: %v", c.GetCategory().GetNumber(), c.GetNominations())
		}
	}

	// The audit bundle of the announced edition verifies offline, and the tampered copy does not.
	bundle := filepath.Join(t.TempDir(), "bundle.json")
	// With the key, the export first signs what the server has not integrated yet (the announcement).
	if err := run(ctx, []string{"miasta", "audit", "export", "-edition", strconv.Itoa(demo.Year), "-out", bundle, "-audit-key-file", keyFile}, env(map[string]string{"DATABASE_URL": dbURL}), io.Discard, io.Discard); err != nil {
		t.Fatalf("audit export: %v", err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("miasta dev's key file: %v, %v; want mode 0600", fi, err)
	}
	var key strings.Builder
	if err := run(ctx, []string{"miasta", "audit", "key"}, env(map[string]string{"DATABASE_URL": dbURL}), &key, io.Discard); err != nil {
		t.Fatalf("audit key: %v", err)
	}
	var verified strings.Builder
	if err := run(ctx, []string{"miasta", "audit", "verify", "-key", strings.TrimSpace(key.String()), bundle}, env(nil), &verified, io.Discard); err != nil || !strings.HasPrefix(verified.String(), "verified") {
		t.Fatalf("audit verify = %q, %v", verified.String(), err)
	}
	if err := run(ctx, []string{"miasta", "audit", "verify", bundle}, env(nil), io.Discard, io.Discard); err == nil {
		t.Fatal("audit verify without a key to trust succeeded; it must ask for -key or -trust-bundle-key")
	}
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(tampered, []byte(strings.Replace(string(data), `"winner":true`, `"winner":false`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"miasta", "audit", "verify", "-key", strings.TrimSpace(key.String()), tampered}, env(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "T4") {
		t.Fatalf("audit verify of a bundle whose published tally lost a winner = %v; want a T4 failure", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("dev returned %v after cancel", err)
	}
}
