// Package auth authenticates callers (OIDC bearer tokens and browser sessions), and authorises every
// procedure by exactly one rule in one table, denying any procedure that has none.
package auth

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Role is a per-edition role granted by an accepted invitation.
type Role string

// The invited roles. Platform organisers are not invited: the server's configuration names them; an
// edition's own organisers and observers are (RoleOrganiser, RoleObserver), and the interceptor lets
// them act as organisers for calls about that edition only.
const (
	RoleExpert     Role = "EXPERT"
	RoleJuror      Role = "JUROR"
	RoleTranslator Role = "TRANSLATOR"
	RoleOrganiser  Role = "ORGANISER"
	RoleObserver   Role = "OBSERVER"
)

// Assignment is one role a user holds in one edition.
type Assignment struct {
	ID           uuid.UUID
	EditionID    uuid.UUID
	EditionYear  int32
	Role         Role
	CityID       uuid.UUID // the expert's city or the juror's home city; uuid.Nil for a translator
	CityName     string
	Languages    []string // a translator's languages
	DisplayName  string
	Pseudonym    string
	Language     string
	InvitationID uuid.UUID
	CreateTime   time.Time
}

// Principal is the authenticated caller with the roles the platform's own data gives them.
type Principal struct {
	UserID        uuid.UUID
	Email         string
	EmailVerified bool
	Name          string
	// Organiser is true when the verified e-mail is one the configuration names, or, for one call,
	// when the caller organises (or observes, for a read) the edition the call is about: Scope then
	// names that edition.
	Organiser bool
	// Scope is uuid.Nil for a platform organiser; for an edition's organiser or observer acting as an
	// organiser, the one edition this call's request names (the interceptor checked every id in it).
	Scope       uuid.UUID
	Assignments []Assignment
}

// scopedTo returns a copy of p acting as an organiser of the edition for one call.
func (p *Principal) scopedTo(editionID uuid.UUID) *Principal {
	c := *p
	c.Organiser, c.Scope = true, editionID
	return &c
}

// OrganisesOrObserves reports whether p holds an edition organiser's or observer's role in the edition.
func (p *Principal) OrganisesOrObserves(editionID uuid.UUID) bool {
	_, org := p.Holds(editionID, RoleOrganiser)
	_, obs := p.Holds(editionID, RoleObserver)
	return org || obs
}

// editionWide reports whether p holds an edition organiser's or observer's role anywhere.
func (p *Principal) editionWide() bool {
	return p.hasRole(RoleOrganiser) || p.hasRole(RoleObserver)
}

// User is the signed-in user's id; uuid.Nil when there is no principal (the platform's own changes, as
// the seed makes them), which the log names as the platform (event.Organiser).
func (p *Principal) User() uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return p.UserID
}

// Holds returns the principal's assignment of role in the edition, if any.
func (p *Principal) Holds(editionID uuid.UUID, role Role) (Assignment, bool) {
	if p == nil {
		return Assignment{}, false
	}
	for _, a := range p.Assignments {
		if a.EditionID == editionID && a.Role == role {
			return a, true
		}
	}
	return Assignment{}, false
}

func (p *Principal) hasRole(role Role) bool {
	for _, a := range p.Assignments {
		if a.Role == role {
			return true
		}
	}
	return false
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the authenticated caller, or nil for an anonymous one (public procedures).
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
