package identity_test

import (
	"log/slog"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/identity"
)

// TestInvitationsBindAtAVerifiedSignIn: on the domain store over a real database, an organiser is
// known by a configured e-mail (in any case), and an invitation becomes a role assignment when its
// invitee signs in with that e-mail verified; not before, and never once revoked.
func TestInvitationsBindAtAVerifiedSignIn(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	log := slog.New(slog.DiscardHandler)
	store := identity.NewStore(pool, []string{"Organizator@Miasta.test"}, log)
	org, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "org", Email: "organizator@miasta.TEST", EmailVerified: true, Name: "Org"})
	if err != nil || !org.Organiser {
		t.Fatalf("the configured organiser signing in = %+v, %v; want an organiser (e-mails match in any case)", org, err)
	}
	if p, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "org2", Email: "organizator@miasta.test", EmailVerified: false}); err != nil || p.Organiser {
		t.Fatalf("an unverified e-mail of an organiser = %+v, %v; want no organiser", p, err)
	}
	editions := edition.NewService(pool, log)
	e, err := editions.Create(ctx, org, edition.NewEdition{Year: 2032, Name: "Edycja 2032"})
	if err != nil {
		t.Fatal(err)
	}
	city, err := editions.CreateCity(ctx, org, "Lublin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := editions.AddCity(ctx, org, e.ID, city.ID); err != nil {
		t.Fatal(err)
	}
	invite := func(email string, role auth.Role) identity.Invitation {
		t.Helper()
		inv, err := store.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: email, Role: role, CityID: city.ID, DisplayName: "Olena", Language: "uk"})
		if err != nil {
			t.Fatalf("invite %s: %v", email, err)
		}
		return inv
	}
	invite("Olena.K@miasta.test", auth.RoleJuror)
	revoked := invite("ktos@miasta.test", auth.RoleExpert)
	if _, err := store.Revoke(ctx, org, revoked.ID); err != nil {
		t.Fatal(err)
	}

	// Unverified, the invitee holds nothing yet; verified (the e-mail in another case), the juror role.
	p, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "olena", Email: "olena.k@miasta.test", EmailVerified: false, Name: "Olena"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Holds(e.ID, auth.RoleJuror); ok {
		t.Fatal("an invitation bound to an unverified e-mail")
	}
	p, err = store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "olena", Email: "olena.k@miasta.test", EmailVerified: true, Name: "Olena"})
	if err != nil {
		t.Fatal(err)
	}
	a, ok := p.Holds(e.ID, auth.RoleJuror)
	if !ok || a.CityID != city.ID {
		t.Fatalf("after a verified sign-in the invitee holds %+v; want the juror role for %s", p.Assignments, city.Name)
	}
	again, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "olena", Email: "olena.k@miasta.test", EmailVerified: true, Name: "Olena"})
	if err != nil || len(again.Assignments) != 1 || again.Assignments[0].ID != a.ID {
		t.Fatalf("signing in again = %+v, %v; want the same one assignment", again, err)
	}
	// The revoked invitation's invitee gets nothing.
	k, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "ktos", Email: "ktos@miasta.test", EmailVerified: true})
	if err != nil || len(k.Assignments) != 0 {
		t.Fatalf("the revoked invitee signing in = %+v, %v; want no role", k, err)
	}
}
