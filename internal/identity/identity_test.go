package identity_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
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

// TestTranslatorInvitations: a translator is invited with languages and no city, binds like anyone
// else, and neither the invitation, its acceptance nor a revocation enters the audit log (whose
// invitation events know experts and jurors only). A translator invitation with a city, or without
// languages, is refused naming the field.
func TestTranslatorInvitations(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := dbtest.NewPool(t)
	log := slog.New(slog.DiscardHandler)
	store := identity.NewStore(pool, []string{"org@miasta.test"}, log)
	org, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "org", Email: "org@miasta.test", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	editions := edition.NewService(pool, log)
	e, err := editions.Create(ctx, org, edition.NewEdition{Year: 2033, Name: "Edycja 2033"})
	if err != nil {
		t.Fatal(err)
	}
	city, err := editions.CreateCity(ctx, org, "Gdańsk")
	if err != nil {
		t.Fatal(err)
	}
	events := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE kind LIKE 'invitation.%'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, bad := range []struct {
		n     identity.NewInvitation
		field string
	}{
		{identity.NewInvitation{CityID: city.ID, Languages: []string{"uk"}}, "city_id"},
		{identity.NewInvitation{}, "languages"},
		{identity.NewInvitation{Languages: []string{"pl"}}, "languages[0]"},
		{identity.NewInvitation{Languages: []string{"uk", "uk"}}, "languages[1]"},
	} {
		bad.n.EditionID, bad.n.Email, bad.n.Role, bad.n.DisplayName = e.ID, "t@miasta.test", auth.RoleTranslator, "T"
		_, err := store.Invite(ctx, org, bad.n)
		if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || f.Field != bad.field {
			t.Errorf("invite %+v = %v; want Invalid on %s", bad.n, err, bad.field)
		}
	}
	if _, err := store.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: "j@miasta.test", Role: auth.RoleJuror, CityID: city.ID, DisplayName: "J", Languages: []string{"uk"}}); !fault.Is(err, fault.Invalid) {
		t.Errorf("a juror invitation with languages = %v; want Invalid", err)
	}
	inv, err := store.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: "Tlumacz@miasta.test", Role: auth.RoleTranslator, DisplayName: "Tłumaczka", Language: "uk", Languages: []string{"vi", "uk"}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.City.ID != uuid.Nil || !slices.Equal(inv.Languages, []string{"uk", "vi"}) {
		t.Fatalf("the translator's invitation = %+v; want no city and the languages uk, vi", inv)
	}
	other, err := store.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: "inny@miasta.test", Role: auth.RoleTranslator, DisplayName: "Inny", Languages: []string{"es"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Revoke(ctx, org, other.ID); err != nil {
		t.Fatal(err)
	}
	p, err := store.SignIn(ctx, auth.Claims{Issuer: "https://idp.test", Subject: "tl", Email: "tlumacz@miasta.test", EmailVerified: true, Name: "Tłumaczka"})
	if err != nil {
		t.Fatal(err)
	}
	a, ok := p.Holds(e.ID, auth.RoleTranslator)
	if !ok || a.CityID != uuid.Nil || !slices.Equal(a.Languages, []string{"uk", "vi"}) {
		t.Fatalf("the translator holds %+v; want the translator role for uk and vi", p.Assignments)
	}
	invs, _, err := store.ListInvitations(ctx, e.ID, 50, "")
	if err != nil || len(invs) != 2 || invs[0].State != "ACCEPTED" || invs[1].State != "REVOKED" {
		t.Fatalf("ListInvitations = %+v, %v; want the accepted and the revoked translator", invs, err)
	}
	if n := events(); n != 0 {
		t.Errorf("the audit log has %d invitation events; want none for translators", n)
	}
	if _, err := store.Invite(ctx, org, identity.NewInvitation{EditionID: e.ID, Email: "j@miasta.test", Role: auth.RoleJuror, CityID: city.ID, DisplayName: "J"}); err != nil {
		t.Fatal(err)
	}
	if n := events(); n != 1 {
		t.Errorf("after a juror's invitation the log has %d invitation events; want 1", n)
	}
}
