package config

import (
	"flag"
	"io"
	"net/netip"
	"os"
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

// TestOIDCProviders: MIASTA_OIDC_PROVIDERS is a JSON array or a file holding one, follows the
// OIDC_ISSUER provider (trusted for e-mail unless OIDC_TRUST_EMAIL says otherwise), and is refused,
// naming the setting, when a field is unknown or an id or issuer repeats.
func TestOIDCProviders(t *testing.T) {
	list := `[{"id":"google","name":"Google","issuer":"https://accounts.google.com","client_id":"g","client_secret":"s","trust_email":true},
		{"id":"entra","name":"Microsoft 365","issuer":"https://login.microsoftonline.com/t/v2.0","client_id":"m","email_verified_claim":"xms_edov"}]`
	c, err := load(t, map[string]string{"OIDC_ISSUER": "https://keycloak.example.org/realms/miasta", "OIDC_CLIENT_ID": "k", "MIASTA_OIDC_PROVIDERS": list})
	if err != nil {
		t.Fatal(err)
	}
	ps := c.Providers()
	if len(ps) != 3 || ps[0].ID != "oidc" || ps[0].Name != "keycloak.example.org" || !ps[0].TrustEmail ||
		ps[1].ID != "google" || !ps[1].TrustEmail || ps[1].ClientSecret != "s" || ps[2].TrustEmail || ps[2].EmailVerifiedClaim != "xms_edov" {
		t.Fatalf("providers %+v", ps)
	}
	file := t.TempDir() + "/providers.json"
	if err := os.WriteFile(file, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = load(t, map[string]string{"MIASTA_OIDC_PROVIDERS": file, "OIDC_TRUST_EMAIL": "false"})
	if err != nil || len(c.Providers()) != 2 || c.OIDCTrustEmail {
		t.Fatalf("from a file: %+v, %v", c.Providers(), err)
	}
	for _, bad := range []string{
		`[{"id":"g","issuer":"https://a","client_id":"x","trust_emails":true}]`,
		`[{"id":"g","issuer":"https://a","client_id":"x"},{"id":"g","issuer":"https://b","client_id":"y"}]`,
		`[{"id":"g","issuer":"https://a","client_id":"x"},{"id":"h","issuer":"https://a","client_id":"y"}]`,
		`[{"id":"g h","issuer":"https://a","client_id":"x"}]`,
		`[{"id":"g","issuer":"https://a"}]`,
		`[]`,
		"/no/such/providers.json",
	} {
		if _, err := load(t, map[string]string{"MIASTA_OIDC_PROVIDERS": bad}); err == nil || !strings.Contains(err.Error(), "MIASTA_OIDC_PROVIDERS") {
			t.Errorf("MIASTA_OIDC_PROVIDERS=%s: %v; want refused naming the setting", bad, err)
		}
	}
}
