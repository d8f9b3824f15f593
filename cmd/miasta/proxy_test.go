package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestBehindReadmeNginx runs README's nginx configuration in front of `miasta serve` (only the
// addresses and the certificate are the test's) with MIASTA_TRUSTED_PROXIES=127.0.0.1/32, as in
// README's environment file. A client on 127.0.0.3 calls through nginx over Connect and over gRPC
// (nginx's grpc_pass), sending a made-up X-Forwarded-For: the access log names 127.0.0.3, the
// address nginx saw. The same client calling the server directly with the same header is logged as
// itself too: the header of a peer that is no trusted proxy is ignored.
func TestBehindReadmeNginx(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed (make test installs Debian's nginx-light): README's nginx example is not run")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no nginx block")
	}

	vars := serveEnv(t)
	vars["MIASTA_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	waitReady(t, "http://"+vars["MIASTA_ADDR"], errc)

	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t, 2001)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	replaceFile(t, certFile, certPEM)
	replaceFile(t, keyFile, keyPEM)
	nginxAddr := freeAddr(t)
	site := strings.NewReplacer(
		"listen 443 ssl http2;", "listen "+nginxAddr+" ssl http2;",
		"listen [::]:443 ssl http2;", "",
		"127.0.0.1:8080", vars["MIASTA_ADDR"],
		"/etc/letsencrypt/live/miasta.example.org/fullchain.pem", certFile,
		"/etc/letsencrypt/live/miasta.example.org/privkey.pem", keyFile,
	).Replace(string(m[1]))
	if !strings.Contains(site, nginxAddr) || strings.Contains(site, ":8080") {
		t.Fatalf("README's nginx block no longer has the lines the test adapts:\n%s", site)
	}
	if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	// In the foreground, one process as the test's user, everything in the test's directory.
	main := "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\n" +
		"events {}\nhttp {\n    access_log off;\n    include " + dir + "/site.conf;\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	nginx := exec.Command("nginx", "-e", dir+"/error.log", "-p", dir, "-c", dir+"/nginx.conf")
	if err := nginx.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = nginx.Process.Kill()
		_ = nginx.Wait()
	})
	waitFor(t, 10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", nginxAddr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	checkClientsBehind(t, "nginx", nginxAddr, "http://"+vars["MIASTA_ADDR"], &logs, func() string {
		b, _ := os.ReadFile(dir + "/error.log")
		return string(b)
	})
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// checkClientsBehind calls ListEditions from 127.0.0.3 through the proxy at proxyAddr (HTTPS, the
// test's certificate, as https://miasta.example.org:PORT) over Connect and over gRPC, and straight to the server at directBase, each
// with a made-up X-Forwarded-For, and checks that the access log names 127.0.0.3 every time.
func checkClientsBehind(t *testing.T, proxy, proxyAddr, directBase string, logs *testenv.LogBuffer, proxyLog func() string) {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 3)}, Timeout: 5 * time.Second}
	_, port, _ := net.SplitHostPort(proxyAddr)
	proxyBase := "https://miasta.example.org:" + port
	viaProxy := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		// miasta.example.org is the proxy, here.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, proxyAddr)
		},
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, ServerName: "miasta.example.org"}, // the test's own certificate
		ForceAttemptHTTP2: true,
	}}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	direct := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, Protocols: protocols}}
	call := func(hc *http.Client, base, id string, opts ...connect.ClientOption) {
		t.Helper()
		c := connect.NewClient[v1.ListEditionsRequest, v1.ListEditionsResponse](hc, base+miastav1connect.EditionServiceListEditionsProcedure, opts...)
		req := connect.NewRequest(&v1.ListEditionsRequest{})
		req.Header().Set("X-Request-Id", id)
		req.Header().Set("X-Forwarded-For", "198.51.100.99")
		if _, err := c.CallUnary(context.Background(), req); err != nil {
			t.Fatalf("%s: %v\n%s's log:\n%s", id, err, proxy, proxyLog())
		}
	}
	ids := []string{"via-" + proxy + "-connect", "via-" + proxy + "-grpc", "direct-" + proxy}
	call(viaProxy, proxyBase, ids[0])
	call(viaProxy, proxyBase, ids[1], connect.WithGRPC())
	call(direct, directBase, ids[2])
	clients := map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "rpc" {
			if id, _ := line["request_id"].(string); id != "" {
				clients[id] = line["client"]
			}
		}
	}
	for _, id := range ids {
		if clients[id] != "127.0.0.3" {
			t.Errorf("%s: the access log's client = %v; want 127.0.0.3, the address %s (or the server) saw", id, clients[id], proxy)
		}
	}
}

// TestBehindReadmeCaddy runs README's Caddyfile in front of `miasta serve` as TestBehindReadmeNginx
// does nginx: only the site's port, the certificate (the test's own) and the server's address are
// the test's; its admin endpoint and its automatic HTTPS are off, so that it asks no ACME server for a
// certificate.
func TestBehindReadmeCaddy(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("caddy"); err != nil {
		t.Skip("caddy is not installed (make test installs Debian's caddy): README's Caddy example is not run")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```caddyfile\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no caddyfile block")
	}
	vars := serveEnv(t)
	vars["MIASTA_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	waitReady(t, "http://"+vars["MIASTA_ADDR"], errc)

	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t, 3001)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	replaceFile(t, certFile, certPEM)
	replaceFile(t, keyFile, keyPEM)
	caddyAddr := freeAddr(t)
	_, port, _ := net.SplitHostPort(caddyAddr)
	site := strings.NewReplacer(
		"miasta.example.org {", "miasta.example.org:"+port+" {\n\tbind 127.0.0.1\n\ttls "+certFile+" "+keyFile,
		"127.0.0.1:8080", vars["MIASTA_ADDR"],
	).Replace(string(m[1]))
	if !strings.Contains(site, ":"+port+" {") || strings.Contains(site, ":8080") {
		t.Fatalf("README's Caddyfile no longer has the lines the test adapts:\n%s", site)
	}
	// auto_https off: nothing but the test's certificate, never an ACME request.
	caddyfile := "{\n\tadmin off\n\tauto_https off\n\tstorage file_system " + dir + "/storage\n}\n" + site
	name := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(name, []byte(caddyfile), 0o644); err != nil {
		t.Fatal(err)
	}
	var caddyLog testenv.LogBuffer
	caddy := exec.Command("caddy", "run", "--config", name, "--adapter", "caddyfile")
	caddy.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	caddy.Stdout, caddy.Stderr = &caddyLog, &caddyLog
	if err := caddy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = caddy.Process.Kill()
		_ = caddy.Wait()
	})
	waitFor(t, 10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", caddyAddr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	checkClientsBehind(t, "caddy", caddyAddr, "http://"+vars["MIASTA_ADDR"], &logs, caddyLog.String)
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
