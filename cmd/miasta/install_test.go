package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/mailcapture"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestProductionInstall installs the platform as README's Production section says, on a clean
// database: its environment file as written, with the test's own database, addresses, certificate,
// mail server and second provider in place of the example ones; `miasta audit keygen` for the key;
// `miasta serve` with TLS from certificate files and the built-in e-mail sign-in next to an OpenID
// provider (npm oidc-provider, standing in for the organisation's). The organiser of
// MIASTA_ORGANISERS signs in with the code the mail capture received and invites a juror, who signs in
// through the other provider and holds the role. Then Backups and restore runs as written (a
// checkpoint kept, pg_dump, pg_restore into a new PostgreSQL cluster, the restored log verified
// against the checkpoint), a second server starts on the restored cluster, and after the juror is
// erased the live log still verifies against the checkpoint.
func TestProductionInstall(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```ini\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no ini block (the environment file)")
	}
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		name, value, _ := strings.Cut(line, "=")
		vars[name] = strings.Trim(value, `"`)
	}
	for _, name := range []string{"MIASTA_EMAIL_SIGNIN", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "MIASTA_ORGANISERS", "MIASTA_SMTP_HOST"} {
		if vars[name] == "" {
			t.Fatalf("README's environment file sets no %s", name)
		}
	}
	organiser := vars["MIASTA_ORGANISERS"]
	bin := testenv.Binary(t)

	// What is the test's: the database, the address (and so the public URL), the certificate, the
	// key file, the mail server (a capture, in the clear), the provider, the data directories.
	capture, err := mailcapture.Start("127.0.0.1:0", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = capture.Close() })
	smtpHost, smtpPort, _ := net.SplitHostPort(capture.Addr)
	addr := freeAddr(t)
	base := "https://" + addr
	certPEM, keyPEM := selfSigned(t, 2101)
	etc, data := t.TempDir(), t.TempDir()
	certFile, tlsKeyFile := filepath.Join(etc, "cert.pem"), filepath.Join(etc, "key.pem")
	replaceFile(t, certFile, certPEM)
	replaceFile(t, tlsKeyFile, keyPEM)
	auditKey := filepath.Join(etc, "audit.key")
	verifierOut, err := exec.Command(bin, "audit", "keygen", "-out", auditKey).Output()
	if err != nil {
		t.Fatalf("miasta audit keygen: %v", err)
	}
	verifier := strings.TrimSpace(string(verifierOut))
	issuer := testenv.StartOIDCProvider(t, vars["OIDC_CLIENT_ID"], vars["OIDC_CLIENT_SECRET"], base+"/auth/callback")
	dbURL := dbtest.NewEmptyURL(t)
	for k, v := range map[string]string{
		"DATABASE_URL": dbURL, "MIASTA_ADDR": addr, "MIASTA_PUBLIC_URL": base, "MIASTA_AUDIT_KEY_FILE": auditKey,
		"MIASTA_TLS_CERT_FILE": certFile, "MIASTA_TLS_KEY_FILE": tlsKeyFile, "OIDC_ISSUER": issuer,
		"MIASTA_SMTP_HOST": smtpHost, "MIASTA_SMTP_PORT": smtpPort, "MIASTA_SMTP_TLS": "none", "MIASTA_SMTP_USERNAME": "", "MIASTA_SMTP_PASSWORD": "",
		// What the systemd unit sets, and the metrics listener off (one port less to collide on).
		"MIASTA_ATTACHMENTS_URL": "file://" + filepath.Join(data, "attachments"), "MIASTA_BUNDLE_DIR": t.TempDir(), "MIASTA_METRICS_ADDR": "",
	} {
		vars[k] = v
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	t.Cleanup(transport.CloseIdleConnections)
	ready := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	waitFor(t, 60*time.Second, func() bool {
		select {
		case err := <-errc:
			t.Fatalf("serve returned: %v\n%s", err, logs.String())
		default:
		}
		resp, err := ready.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	// The organiser signs in with the code mailed to them, chosen beside the other provider.
	browser := testenv.SignInBrowser(base, transport)
	form := testenv.StartEmailSignIn(t, browser, base, true)
	sent := testenv.PostSignIn(t, browser, base, form, "action", "send", "email", organiser)
	code, _ := testenv.AwaitSignInCode(t, capture, organiser, 1)
	if p := testenv.PostSignIn(t, browser, base, sent, "action", "verify", "code", code); p.Status != http.StatusFound || p.Header.Get("Location") != "/panel" {
		t.Fatalf("the organiser's code: %d at %s to %q:\n%s", p.Status, p.URL, p.Header.Get("Location"), p.Body)
	}
	org := testenv.NewClients(browser, base)
	if me := testenv.Must(org.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe(); !me.GetOrganiser() {
		t.Fatalf("%s signed in by code is no organiser", organiser)
	}
	ed := testenv.SeedEditionYear(t, org, 2016)
	const juror = "juror@example.org"
	testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: ed.GetId(), Email: juror, Role: v1.Role_ROLE_JUROR, CityId: ed.GetCities()[0].GetId(), DisplayName: "Juror",
	}))

	// The juror signs in through the other provider, which is trusted for e-mail: the invitation binds.
	jb := testenv.SignInBrowser(base, transport)
	chooser := testenv.ReadPage(t)(jb.Get(base + "/auth/login?return_to=%2Fpanel"))
	href := regexp.MustCompile(`<a class="provider" href="([^"]+)">Sign in with 127\.0\.0\.1</a>`).FindStringSubmatch(chooser.Body)
	if href == nil {
		t.Fatalf("the chooser lists no provider at 127.0.0.1:\n%s", chooser.Body)
	}
	resp, err := jb.Get(base + strings.ReplaceAll(href[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	resp = testenv.OIDCProviderForms(t, jb, resp, juror)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/panel" {
		t.Fatalf("the juror's sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	jurorClients := testenv.NewClients(jb, base)
	me := testenv.Must(jurorClients.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if len(me.GetAssignments()) != 1 || me.GetAssignments()[0].GetRole() != v1.Role_ROLE_JUROR {
		t.Fatalf("the juror holds %v; want the juror role the invitation gave", me.GetAssignments())
	}

	criteria := testenv.Must(org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: ed.GetId()})).GetCriteria()
	testenv.StartReporting(t, org, ed, criteria, time.Now().Add(24*time.Hour)) // the edition is public from here

	// Backups and restore, as written, against this server.
	blocks := readmeSections(t, readme)["Backups and restore"]
	if len(blocks) != 3 {
		t.Fatalf("README's Backups and restore has %d sh blocks; want 3", len(blocks))
	}
	if err := os.MkdirAll(filepath.Join(data, "attachments"), 0o750); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return exec.Command(bin, "audit", "key", "-database-url", dbURL).Run() == nil })
	work := t.TempDir()
	restoreURL := newCluster(t) // another PostgreSQL cluster, as after losing the machine
	script := func(block string) string {
		return "cd " + work + "\nexport PATH=" + filepath.Dir(bin) + ":$PATH DATABASE_URL='" + dbURL + "' RESTORE_URL='" + restoreURL +
			"' CURL_CA_BUNDLE='" + certFile + "'\n" +
			strings.NewReplacer("http://127.0.0.1:8080", base, "/var/lib/miasta", data).Replace(block)
	}
	d := devRun{base: base}
	runReadme(t, root, d, script(blocks[0]))
	if b, _ := os.ReadFile(filepath.Join(work, "verifier-key.txt")); strings.TrimSpace(string(b)) != verifier {
		t.Fatalf("README's backup step wrote the verifier key %q; keygen printed %q", b, verifier)
	}
	runReadme(t, root, d, script(blocks[1]))
	if out := runReadme(t, root, d, script(blocks[2])); !strings.Contains(out, "verified: edition 2016") {
		t.Fatalf("the restored log did not verify against the checkpoint kept before the backup:\n%s", out)
	}

	// The server starts on the restored cluster with the same key file.
	restored := maps.Clone(vars)
	restored["DATABASE_URL"], restored["MIASTA_ADDR"] = restoreURL, freeAddr(t)
	restored["MIASTA_PUBLIC_URL"] = "https://" + restored["MIASTA_ADDR"]
	rctx, rcancel := context.WithCancel(ctx)
	var rlogs testenv.LogBuffer
	rerrc := make(chan error, 1)
	go func() { rerrc <- run(rctx, []string{"miasta", "serve"}, env(restored), io.Discard, &rlogs) }()
	waitFor(t, 60*time.Second, func() bool {
		select {
		case err := <-rerrc:
			t.Fatalf("serve on the restored cluster returned: %v\n%s", err, rlogs.String())
		default:
		}
		resp, err := ready.Get(restored["MIASTA_PUBLIC_URL"] + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	rcancel()
	if err := <-rerrc; err != nil {
		t.Fatalf("serve on the restored cluster: %v\n%s", err, rlogs.String())
	}

	// The juror is erased; the live log still verifies against the same checkpoint.
	erasure := testenv.Must(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: &v1.PersonRef{Person: &v1.PersonRef_UserId{UserId: me.GetUser().GetId()}}}))
	if erasure.GetErasure().GetId() == "" {
		t.Fatal("ErasePerson recorded no erasure")
	}
	after := filepath.Join(work, "after-erasure.json")
	if out, err := exec.Command(bin, "audit", "export", "-edition", "2016", "-database-url", dbURL, "-out", after).CombinedOutput(); err != nil {
		t.Fatalf("audit export after the erasure: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "audit", "verify", "-key", verifier, "-checkpoint", filepath.Join(work, "checkpoint-before.txt"), after).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verified: edition 2016") {
		t.Fatalf("the log after the erasure: %v\n%s", err, out)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("serve logged errors:\n%s", logs.String())
	}
}

// newCluster initialises and starts a PostgreSQL cluster of its own (Debian's PostgreSQL 15 binaries;
// as the postgres user when the test runs as root, since initdb refuses root), listening on a free
// port of 127.0.0.1 with trust authentication, and returns the URL of its empty database "miasta".
// It stops with the test.
func newCluster(t *testing.T) string {
	t.Helper()
	bin := "/usr/lib/postgresql/15/bin"
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		t.Fatalf("a second cluster needs PostgreSQL 15's initdb (Debian's postgresql-15): %v", err)
	}
	dir, err := os.MkdirTemp("", "miasta-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	as := func(name string, args ...string) *exec.Cmd { return exec.Command(filepath.Join(bin, name), args...) }
	user := "postgres"
	if os.Geteuid() == 0 {
		pw, err := exec.Command("id", "-u", "postgres").Output()
		if err != nil {
			t.Fatalf("no postgres user to run initdb as: %v", err)
		}
		gid, _ := exec.Command("id", "-g", "postgres").Output()
		uid, g := strings.TrimSpace(string(pw)), strings.TrimSpace(string(gid))
		if out, err := exec.Command("chown", uid+":"+g, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v\n%s", err, out)
		}
		as = func(name string, args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		}
	} else if u, err := exec.Command("id", "-un").Output(); err == nil {
		user = strings.TrimSpace(string(u))
	}
	data := filepath.Join(dir, "data")
	if out, err := as("initdb", "-D", data, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	opts := "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + dir
	if out, err := as("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() { _ = as("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").Run() })
	if out, err := as("createdb", "-h", "127.0.0.1", "-p", port, "-U", user, "miasta").CombinedOutput(); err != nil {
		t.Fatalf("createdb: %v\n%s", err, out)
	}
	return "postgres://" + user + "@127.0.0.1:" + port + "/miasta?sslmode=disable"
}
