package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

func TestParseClaims(t *testing.T) {
	for raw, want := range map[string]auth.Claims{
		`{"email":" Ala@Miasta.TEST ","email_verified":true,"name":"Ala"}`: {Email: "ala@miasta.test", EmailVerified: true, Name: "Ala"},
		`{"email":"a@b.c","email_verified":"true"}`:                        {Email: "a@b.c", EmailVerified: true},
		`{"email":"a@b.c","email_verified":"yes"}`:                         {Email: "a@b.c"},
		`{"email":"a@b.c","email_verified":1}`:                             {Email: "a@b.c"},
		`{"email":"a@b.c"}`:                                                {Email: "a@b.c"},
		`{"email":"a@b.c","name":"Ala\u0000\u001b[1mKot\n"}`:               {Email: "a@b.c", Name: "Ala  [1mKot"},
	} {
		got, err := auth.ParseClaims("iss", "sub", []byte(raw))
		want.Issuer, want.Subject = "iss", "sub"
		if err != nil || got != want {
			t.Errorf("ParseClaims(%s) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, bad := range []string{`[]`, `{"email":5}`, `{"name":"` + strings.Repeat("x", 2000) + `"}`, `{"email":"a\u0000@b.c"}`} {
		if _, err := auth.ParseClaims("iss", "sub", []byte(bad)); err == nil {
			t.Errorf("ParseClaims(%q) accepted", bad)
		}
	}
}

// FuzzParseClaims: claims from any token the provider signed never panic, and what is accepted is
// normalised text.
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"email":"A@B.C","email_verified":true,"name":"Łódź"}`))
	f.Add([]byte(`{"email_verified":"true"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := auth.ParseClaims("iss", "sub", raw)
		if err != nil {
			return
		}
		if c.Email != strings.ToLower(strings.TrimSpace(c.Email)) || !utf8.ValidString(c.Email) || !utf8.ValidString(c.Name) ||
			plaintext.Check(c.Email, false) != nil || plaintext.Check(c.Name, false) != nil {
			t.Fatalf("accepted claims are not normalised: %+v", c)
		}
	})
}

// TestParseClaimsWithAnotherVerifiedClaim: a provider configured with its own verification claim
// (Entra ID's xms_edov, say) is read from it, and its email_verified then counts for nothing.
func TestParseClaimsWithAnotherVerifiedClaim(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"email":"a@b.c","xms_edov":true}`:                        true,
		`{"email":"a@b.c","xms_edov":"true"}`:                      true,
		`{"email":"a@b.c","xms_edov":false,"email_verified":true}`: false,
		`{"email":"a@b.c","email_verified":true}`:                  false,
	} {
		got, err := auth.ParseClaimsWith("iss", "sub", []byte(raw), "xms_edov")
		if err != nil || got.EmailVerified != want {
			t.Errorf("ParseClaimsWith(%s, xms_edov) verified %v, %v; want %v", raw, got.EmailVerified, err, want)
		}
	}
}
