package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// rawConn opens a plain TCP connection to the server, for requests no well-behaved client sends.
func rawConn(t *testing.T, env *testenv.Env) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// closedWithin reports whether the server closes c (after any response) within limit.
func closedWithin(c net.Conn, limit time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, c)
	return !errors.Is(err, os.ErrDeadlineExceeded)
}

// TestSlowBodiesAreCutAtTheCallDeadline: clients that send headers and then a body that never
// completes lose their connection at the call deadline, instead of holding it (and a handler) for as
// long as they like.
func TestSlowBodiesAreCutAtTheCallDeadline(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) { c.RPCTimeout = time.Second }})
	const n = 50
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = rawConn(t, env)
		fmt.Fprintf(conns[i], "POST /miasta.v1.EditionService/CreateCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":")
	}
	start := time.Now()
	var wg sync.WaitGroup
	held := make(chan int, n)
	for i, c := range conns {
		wg.Go(func() {
			if !closedWithin(c, 4*time.Second) {
				held <- i
			}
		})
	}
	wg.Wait()
	close(held)
	if len(held) > 0 {
		t.Fatalf("%d of %d slow-body connections still open %v after the 1 s call deadline", len(held), n, time.Since(start))
	}
}

// TestIdleConnectionsAreClosed: a keep-alive connection that carries no further request is closed
// after the idle timeout.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) { c.IdleTimeout = time.Second }})
	c := rawConn(t, env)
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz = %v, %v", resp, err)
	}
	resp.Body.Close()
	if !closedWithin(c, 4*time.Second) {
		t.Fatal("an idle keep-alive connection is still open 4 s into a 1 s idle timeout")
	}
}

// connectError reads a Connect error response.
func connectError(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not a Connect error (%d): %q", resp.StatusCode, body)
	}
	return resp.StatusCode, e.Code
}

// TestUnreadableRequestsAreInvalidArgument: a malformed chunked body and a GET whose base64 message
// does not decode are the client's fault (400 invalid_argument), not the server's (500 unknown).
func TestUnreadableRequestsAreInvalidArgument(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	before := env.EventCount(t)
	c := rawConn(t, env)
	fmt.Fprintf(c, "POST /miasta.v1.EditionService/ListEditions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nzz\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, code := connectError(t, resp); status != http.StatusBadRequest || code != "invalid_argument" {
		t.Errorf("malformed chunked body = %d %s; want 400 invalid_argument", status, code)
	}

	resp, err = http.Get(env.URL + "/miasta.v1.EditionService/ListEditions?encoding=proto&base64=1&message=%25%25%25")
	if err != nil {
		t.Fatal(err)
	}
	if status, code := connectError(t, resp); status != http.StatusBadRequest || code != "invalid_argument" {
		t.Errorf("GET with a bad base64 message = %d %s; want 400 invalid_argument", status, code)
	}
	// A good GET still works.
	resp, err = http.Get(env.URL + "/miasta.v1.EditionService/ListEditions?encoding=json&message=%7B%7D")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET with a JSON message = %v, %v", resp, err)
	}
	resp.Body.Close()
	if after := env.EventCount(t); after != before {
		t.Errorf("events grew from %d to %d", before, after)
	}
}

// TestSecurityHeaders: the API and the login endpoints forbid framing, sniffing and referrers, and
// render nothing; the web app keeps its own policy.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	check := func(name string, resp *http.Response, csp string) {
		t.Helper()
		resp.Body.Close()
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), csp) || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q; want %q and frame-ancestors 'none'", name, h.Get("Content-Security-Policy"), csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: X-Content-Type-Options %q, Referrer-Policy %q", name, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
	}
	resp, err := noRedirect.Get(env.URL + "/auth/login?return_to=/")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/auth/login: Cache-Control %q; want no-store", resp.Header.Get("Cache-Control"))
	}
	check("/auth/login", resp, "default-src 'none'")
	resp, err = http.Get(env.URL + "/auth/callback?state=x")
	if err != nil {
		t.Fatal(err)
	}
	check("/auth/callback", resp, "default-src 'none'")
	httpClient, _ := env.HTTPClient(testenv.Connect, "")
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/miasta.v1.EditionService/ListEditions", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	if resp, err = httpClient.Do(req); err != nil {
		t.Fatal(err)
	}
	check("API call", resp, "default-src 'none'")
	// An API error answer too.
	token := env.Token(t, demo.OrganiserEmail)
	_, err = env.Clients(testenv.Connect, token).Editions.GetEdition(context.Background(), &v1.GetEditionRequest{EditionId: "x"})
	if err == nil {
		t.Fatal("GetEdition with a bad id succeeded")
	}
	if resp, err = http.Get(env.URL + "/"); err != nil {
		t.Fatal(err)
	}
	check("web app", resp, "default-src 'self'")
}
