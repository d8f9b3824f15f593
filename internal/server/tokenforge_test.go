package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/go-jose/go-jose/v4"

	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// forge is an OpenID provider reduced to what verification reads (discovery and the signing keys)
// that signs whatever claims a test asks for: tokens devidp, a well-behaved provider, never issues.
type forge struct {
	url    string
	signer jose.Signer
}

func startForge(t *testing.T) *forge {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &forge{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.url, "authorization_endpoint": f.url + "/authorize", "token_endpoint": f.url + "/token",
			"jwks_uri": f.url + "/keys", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "forge", Algorithm: "RS256", Use: "sig"}}})
	})
	f.url = startPlain(t, mux)
	f.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "forge"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// token signs claims over a valid organiser token's: edit changes or deletes (nil) any of them.
func (f *forge) token(t *testing.T, edit map[string]any) string {
	t.Helper()
	now := time.Now()
	claims := map[string]any{
		"iss": f.url, "sub": "forged-organiser", "aud": testenv.ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": demo.OrganiserEmail, "email_verified": true, "name": "Organizator",
	}
	for k, v := range edit {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := f.signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestTokenClaimsTheRelyingPartyChecks: signed by the provider, with the right issuer and audience,
// and still refused: no subject (which would make every such token one shared account), several
// audiences without azp naming us, an issue time in the future, an age or a lifetime beyond
// MIASTA_MAX_TOKEN_AGE, no issue time at all.
func TestTokenClaimsTheRelyingPartyChecks(t *testing.T) {
	t.Parallel()
	f := startForge(t)
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		c.OIDCIssuer = f.url
		c.MaxTokenAge = 24 * time.Hour
	}})
	now := time.Now()
	cases := []struct {
		name string
		edit map[string]any
		want connect.Code
	}{
		{"well-formed", nil, 0},
		{"several audiences, azp is us", map[string]any{"aud": []string{testenv.ClientID, "other"}, "azp": testenv.ClientID}, 0},
		{"single audience, azp is us", map[string]any{"azp": testenv.ClientID}, 0},
		{"iat a few seconds ahead (clock skew)", map[string]any{"iat": now.Add(10 * time.Second).Unix()}, 0},
		{"empty sub", map[string]any{"sub": ""}, connect.CodeUnauthenticated},
		{"no sub", map[string]any{"sub": nil}, connect.CodeUnauthenticated},
		{"several audiences, no azp", map[string]any{"aud": []string{testenv.ClientID, "other"}}, connect.CodeUnauthenticated},
		{"several audiences, azp another client", map[string]any{"aud": []string{testenv.ClientID, "other"}, "azp": "other"}, connect.CodeUnauthenticated},
		{"azp another client", map[string]any{"azp": "other"}, connect.CodeUnauthenticated},
		{"iat in the future", map[string]any{"iat": now.Add(time.Hour).Unix()}, connect.CodeUnauthenticated},
		{"issued two days ago", map[string]any{"iat": now.Add(-48 * time.Hour).Unix()}, connect.CodeUnauthenticated},
		{"valid for three years", map[string]any{"exp": now.AddDate(3, 0, 0).Unix()}, connect.CodeUnauthenticated},
		{"no iat", map[string]any{"iat": nil}, connect.CodeUnauthenticated},
	}
	for _, proto := range testenv.Protocols {
		for _, tc := range cases {
			t.Run(string(proto)+"/"+tc.name, func(t *testing.T) {
				if got := testenv.Code(getMe(env, proto, f.token(t, tc.edit))); got != tc.want {
					t.Fatalf("GetMe = %v; want %v", got, tc.want)
				}
			})
		}
	}
	// The refused empty subject left no account behind.
	var n int
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE subject = ''`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("users with an empty subject: %d, %v", n, err)
	}
}
