package config

import (
	"flag"
	"io"
	"net/netip"
	"strings"
	"testing"
)

func load(t *testing.T, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

// TestTLSAndProxySettings: the TLS files come in pairs and make the default public URL https; the
// trusted proxies parse as prefixes; and each bad value is refused naming its setting.
func TestTLSAndProxySettings(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"MIASTA_TLS_CERT_FILE": "/c.pem", "MIASTA_TLS_KEY_FILE": "/k.pem", "MIASTA_ADDR": "0.0.0.0:8443",
		"MIASTA_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1", "MIASTA_PROXY_HEADER": "Forwarded"})
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://0.0.0.0:8443" || c.ProxyHeader != "Forwarded" ||
		len(c.TrustedProxies) != 2 || c.TrustedProxies[1] != netip.MustParsePrefix("192.0.2.1/32") {
		t.Errorf("Load = public URL %q, header %q, proxies %v", c.PublicURL, c.ProxyHeader, c.TrustedProxies)
	}
	if c, err := load(t, nil); err != nil || c.PublicURL != "http://127.0.0.1:8080" || c.ProxyHeader != "X-Forwarded-For" || len(c.TrustedProxies) != 0 {
		t.Errorf("defaults = %q, %q, %v, %v", c.PublicURL, c.ProxyHeader, c.TrustedProxies, err)
	}
	for env, setting := range map[string]map[string]string{
		"-tls-key-file":    {"MIASTA_TLS_CERT_FILE": "/c.pem"},
		"-tls-cert-file":   {"MIASTA_TLS_KEY_FILE": "/k.pem"},
		"-trusted-proxies": {"MIASTA_TRUSTED_PROXIES": "10.0.0.1/8"},
		"-proxy-header":    {"MIASTA_PROXY_HEADER": "X-Real-IP"},
	} {
		if _, err := load(t, setting); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("Load(%v) = %v; want an error naming %s", setting, err, env)
		}
	}
}
