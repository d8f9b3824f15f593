package server_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// otherIssuerToken signs the organiser in at a second, unrelated provider that registers the same
// client id: its tokens carry the right audience and a valid signature, but not our issuer.
func otherIssuerToken(t *testing.T, env *testenv.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	idp, err := devidp.New(devidp.Config{
		Issuer:  issuer,
		Users:   []devidp.User{testenv.User(demo.OrganiserEmail, true)},
		Clients: []devidp.Client{{ID: testenv.ClientID, Secret: testenv.ClientSecret, RedirectURIs: []string{env.URL + "/auth/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp.Handler()}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	tok, err := idp.Login(context.Background(), testenv.ClientID, testenv.ClientSecret, env.URL+"/auth/callback", testenv.Subject(demo.OrganiserEmail))
	if err != nil {
		t.Fatal(err)
	}
	return tok.Extra("id_token").(string)
}

// reencode replaces a JWT's header and payload, keeping (or dropping) its signature.
func reencode(t *testing.T, token string, edit func(header, payload string) (string, string), keepSig bool) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	dec := func(s string) string {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	h, p := edit(dec(parts[0]), dec(parts[1]))
	sig := ""
	if keepSig {
		sig = parts[2]
	}
	return base64.RawURLEncoding.EncodeToString([]byte(h)) + "." + base64.RawURLEncoding.EncodeToString([]byte(p)) + "." + sig
}

func TestTokens(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	good := env.Token(t, demo.OrganiserEmail)
	env.IdP.AddUser(testenv.User("other-audience@miasta.test", true))
	otherAud, err := env.IdP.Login(context.Background(), testenv.OtherClientID, testenv.ClientSecret, env.URL+"/other/callback", testenv.Subject(demo.OrganiserEmail))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		token string
		want  connect.Code
	}{
		{"valid token from the provider", good, 0},
		{"wrong audience", otherAud.Extra("id_token").(string), connect.CodeUnauthenticated},
		{"wrong issuer", otherIssuerToken(t, env), connect.CodeUnauthenticated},
		{"unsigned alg none", reencode(t, good, func(h, p string) (string, string) {
			return `{"alg":"none","typ":"JWT"}`, p
		}, false), connect.CodeUnauthenticated},
		{"tampered payload", reencode(t, good, func(h, p string) (string, string) {
			return h, strings.Replace(p, `"email_verified":true`, `"email_verified":true,"x":1`, 1)
		}, true), connect.CodeUnauthenticated},
		{"tampered signature", good[:len(good)-4] + "AAAA", connect.CodeUnauthenticated},
		{"garbage", "not-a-token", connect.CodeUnauthenticated},
	}
	for _, proto := range testenv.Protocols {
		for _, tc := range cases {
			t.Run(string(proto)+"/"+tc.name, func(t *testing.T) {
				if got := testenv.Code(getMe(env, proto, tc.token)); got != tc.want {
					t.Fatalf("GetMe = %v; want %v", got, tc.want)
				}
			})
		}
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	t.Parallel()
	// The server's clock runs two hours ahead: the provider's one-hour tokens have expired.
	env := testenv.Start(t, testenv.Options{Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	token := env.Token(t, demo.OrganiserEmail)
	if got := testenv.Code(getMe(env, testenv.Connect, token)); got != connect.CodeUnauthenticated {
		t.Fatalf("GetMe with an expired token = %v; want Unauthenticated", got)
	}
}

func TestMalformedAuthorizationHeader(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/miasta.v1.IdentityService/GetMe", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic b3JnOnB3")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Basic auth = %d; want 401", resp.StatusCode)
	}
}

func TestInvitationBindsOnlyToAVerifiedAddress(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	const email = "niezweryfikowana@miasta.test"
	testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: e.GetId(), Email: email, Role: v1.Role_ROLE_JUROR, CityId: e.GetCities()[0].GetId(), DisplayName: "Juror",
	}))

	env.IdP.AddUser(testenv.User(email, false))
	unverified := env.Clients(testenv.Connect, env.Token(t, email))
	me := testenv.Must(unverified.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if len(me.GetAssignments()) != 0 {
		t.Fatalf("unverified address got roles %v", me.GetAssignments())
	}
	invs := testenv.Must(org.Identity.ListInvitations(ctx, &v1.ListInvitationsRequest{EditionId: e.GetId()})).GetInvitations()
	if invs[0].GetState() != v1.InvitationState_INVITATION_STATE_PENDING {
		t.Fatalf("invitation after an unverified sign-in = %v; want pending", invs[0].GetState())
	}

	// The provider verifies the address; the next sign-in binds.
	env.IdP.AddUser(testenv.User(email, true))
	verified := env.Clients(testenv.Connect, env.Token(t, email))
	me = testenv.Must(verified.Identity.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if len(me.GetAssignments()) != 1 || me.GetAssignments()[0].GetRole() != v1.Role_ROLE_JUROR {
		t.Fatalf("verified address roles = %v; want the juror role", me.GetAssignments())
	}
}
