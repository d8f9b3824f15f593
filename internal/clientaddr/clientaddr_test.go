package clientaddr

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestAddr(t *testing.T) {
	t.Parallel()
	proxies, err := ParsePrefixes("10.0.0.0/8, 192.0.2.1, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	xff, err := New(proxies, XForwardedFor)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := New(proxies, Forwarded)
	if err != nil {
		t.Fatal(err)
	}
	none, err := New(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		res     *Resolver
		peer    string
		headers map[string]string
		want    string
	}{
		{"a direct client", xff, "203.0.113.9:5000", nil, "203.0.113.9"},
		{"an untrusted peer's header is ignored", xff, "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "203.0.113.9"},
		{"an untrusted peer's Forwarded is ignored", fwd, "203.0.113.9:5000", map[string]string{"Forwarded": "for=198.51.100.1"}, "203.0.113.9"},
		{"no trusted proxies: the header is ignored", none, "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "10.1.2.3"},
		{"a trusted proxy names the client", xff, "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"a single trusted address", xff, "192.0.2.1:443", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"the client's own entries left of the proxy's are not believed", xff, "10.1.2.3:5000",
			map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies is walked past", xff, "10.1.2.3:5000",
			map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.1, 10.9.9.9, 192.0.2.1"}, "198.51.100.1"},
		{"Forwarded with IPv6 and a port", fwd, "[2001:db8:ffff::5]:5000",
			map[string]string{"Forwarded": `for=1.1.1.1, for="[2001:db8:1::17]:4711";proto=https, for=10.0.0.7`}, "2001:db8:1::17"},
		{"the header not configured is ignored", xff, "10.1.2.3:5000", map[string]string{"Forwarded": "for=198.51.100.1"}, "10.1.2.3"},
		{"the proxy itself (a health check)", xff, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"only trusted proxies in the header", xff, "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "10.4.4.4"}, "10.1.2.3"},
		{"garbage in the header", xff, "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "not-an-address"}, "10.1.2.3"},
		{"an IPv4-mapped peer", xff, "[::ffff:10.1.2.3]:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		if got := c.res.Addr(r); got != netip.MustParseAddr(c.want) {
			t.Errorf("%s: Addr = %v; want %s", c.name, got, c.want)
		}
	}
}

func TestHandlerRecordsTheAddress(t *testing.T) {
	t.Parallel()
	res, err := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, XForwardedFor)
	if err != nil {
		t.Fatal(err)
	}
	var got netip.Addr
	h := res.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = FromContext(r.Context()) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:1234"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != netip.MustParseAddr("198.51.100.1") {
		t.Fatalf("FromContext = %v; want the forwarded client", got)
	}
	if a := FromContext(t.Context()); a.IsValid() {
		t.Fatalf("FromContext outside the handler = %v; want the zero Addr", a)
	}
}

func TestParsePrefixesRefusesWhatIsNoPrefix(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"10.0.0.0/33", "10.0.0.1/8", "proxy.example", "fe80::1%eth0", "10.0.0.0/8,,nonsense"} {
		if _, err := ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) succeeded; want an error", bad)
		}
	}
	if got, err := ParsePrefixes(" "); err != nil || len(got) != 0 {
		t.Errorf("ParsePrefixes of nothing = %v, %v; want none", got, err)
	}
	if _, err := New([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "X-Real-IP"); err == nil {
		t.Error("New with X-Real-IP succeeded; want an error naming the two headers")
	}
}
