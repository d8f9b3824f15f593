package devidp

import (
	"context"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// TestExpiry drives the storage clock: auth requests, their codes and access tokens must stop working.
func TestExpiry(t *testing.T) {
	p, err := New(Config{
		Issuer:  "http://127.0.0.1:1",
		Users:   []User{{Subject: "u1", Email: "u1@example.org", Name: "U"}},
		Clients: []Client{{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := p.store
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	newReq := func() string {
		ar, err := s.CreateAuthRequest(ctx, &oidc.AuthRequest{
			ClientID: "c", RedirectURI: "http://127.0.0.1:1/cb", ResponseType: oidc.ResponseTypeCode,
			Scopes: oidc.SpaceDelimitedArray{"openid", "email"},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		return ar.GetID()
	}

	// A pending auth request expires after authRequestTTL.
	id := newReq()
	if _, err := s.pendingAuthRequest(id); err != nil {
		t.Fatalf("fresh auth request: %v", err)
	}
	now = now.Add(authRequestTTL)
	if _, err := s.completeLogin(id, "u1"); err == nil {
		t.Fatal("login completed an expired auth request")
	}
	if _, err := s.AuthRequestByID(ctx, id); err == nil {
		t.Fatal("expired auth request still found")
	}

	// A code expires with its auth request.
	id = newReq()
	if _, err := s.completeLogin(id, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthCode(ctx, id, "code-1"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(authRequestTTL - time.Second)
	ar, err := s.AuthRequestByCode(ctx, "code-1")
	if err != nil {
		t.Fatalf("code within its lifetime: %v", err)
	}
	id = newReq()
	if _, err := s.completeLogin(id, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAuthCode(ctx, id, "code-2"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(authRequestTTL)
	if _, err := s.AuthRequestByCode(ctx, "code-2"); err == nil {
		t.Fatal("expired code redeemed")
	}

	// Access tokens live for the ID token lifetime (default 1h).
	tokenID, exp, err := s.CreateAccessToken(ctx, ar)
	if err != nil {
		t.Fatal(err)
	}
	if got := exp.Sub(now); got != time.Hour {
		t.Errorf("access token lifetime = %v, want 1h", got)
	}
	info := new(oidc.UserInfo)
	if err := s.SetUserinfoFromToken(ctx, info, tokenID, "u1", ""); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if info.Email != "u1@example.org" || info.Claims["email_verified"] != false {
		t.Errorf("userinfo = %+v", info)
	}
	now = exp
	if err := s.SetUserinfoFromToken(ctx, new(oidc.UserInfo), tokenID, "u1", ""); err == nil {
		t.Fatal("expired access token accepted")
	}
}
