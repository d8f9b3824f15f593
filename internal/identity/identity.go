// Package identity owns accounts, browser sessions, invitations and role assignments: it turns a
// verified identity into a principal whose roles come only from the platform's own data.
package identity

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/identity/identitydb"
)

// Store implements auth.Users and the invitation operations.
type Store struct {
	pool       *pgxpool.Pool
	q          *identitydb.Queries
	organisers map[string]bool
	log        *slog.Logger
	onInvite   []InviteHook
}

// InviteHook lets another domain act on a new invitation inside the transaction that creates it (the
// mail package queues the invitation mail), so that either both happen or neither does.
type InviteHook func(ctx context.Context, tx pgx.Tx, e edition.Edition, inv Invitation) error

var _ auth.Users = (*Store)(nil)

// NewStore returns a store; organiserEmails are the addresses (compared lower-cased) whose verified
// owners are organisers; onInvite run, in order, for every invitation created.
func NewStore(pool *pgxpool.Pool, organiserEmails []string, log *slog.Logger, onInvite ...InviteHook) *Store {
	orgs := make(map[string]bool, len(organiserEmails))
	for _, e := range organiserEmails {
		orgs[normaliseEmail(e)] = true
	}
	return &Store{pool: pool, q: identitydb.New(), organisers: orgs, log: log, onInvite: onInvite}
}

// SignIn implements auth.Users. The common case (a known user whose claims did not change and who has
// no pending invitation) is one read; anything else is one transaction.
func (s *Store) SignIn(ctx context.Context, c auth.Claims) (*auth.Principal, error) {
	row, err := s.q.GetUserBySubject(ctx, s.pool, identitydb.GetUserBySubjectParams{Issuer: c.Issuer, Subject: c.Subject})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		u := row.User
		if u.Email == c.Email && u.EmailVerified == c.EmailVerified && u.Name == c.Name && !(u.EmailVerified && row.HasPendingInvitations) {
			return s.principal(ctx, u)
		}
	}
	var user identitydb.User
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		user, err = s.q.UpsertUser(ctx, tx, identitydb.UpsertUserParams{
			Issuer: c.Issuer, Subject: c.Subject, Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name,
		})
		if errors.Is(err, pgx.ErrNoRows) { // unchanged: the upsert's WHERE skipped the update
			var r identitydb.GetUserBySubjectRow
			r, err = s.q.GetUserBySubject(ctx, tx, identitydb.GetUserBySubjectParams{Issuer: c.Issuer, Subject: c.Subject})
			user = r.User
		}
		if err != nil {
			return err
		}
		return s.bindInvitations(ctx, tx, user)
	})
	if err != nil {
		return nil, err
	}
	return s.principal(ctx, user)
}

// bindInvitations turns the pending invitations of a verified address into role assignments. An
// unverified address binds nothing: whoever controls the claim could otherwise take anyone's role.
func (s *Store) bindInvitations(ctx context.Context, tx pgx.Tx, u identitydb.User) error {
	if !u.EmailVerified || u.Email == "" {
		return nil
	}
	invs, err := s.q.PendingInvitationsForEmail(ctx, tx, normaliseEmail(u.Email))
	if err != nil {
		return err
	}
	for _, inv := range invs {
		ra, err := s.q.InsertRoleAssignment(ctx, tx, identitydb.InsertRoleAssignmentParams{
			EditionID: inv.EditionID, UserID: u.ID, Role: inv.Role, CityID: inv.CityID,
			DisplayName: inv.DisplayName, Pseudonym: inv.Pseudonym, Language: inv.Language, Languages: orNone(inv.Languages), InvitationID: inv.ID,
		})
		assignment := ra.ID
		if errors.Is(err, pgx.ErrNoRows) {
			// The user holds this role in the edition already: the invitation is spent on that
			// assignment, which keeps its city.
			var held identitydb.GetUserAssignmentRow
			held, err = s.q.GetUserAssignment(ctx, tx, identitydb.GetUserAssignmentParams{EditionID: inv.EditionID, UserID: u.ID, Role: inv.Role})
			if err == nil && held.RevokeTime != nil {
				// A revoked role is not granted again (RevokeRole); Invite refuses the address it
				// was revoked under, and an invitation to another address stays pending.
				s.log.WarnContext(ctx, "invitation not bound: the user's role in the edition was revoked", "invitation", inv.ID, "user", u.ID, "role", inv.Role)
				continue
			}
			assignment = held.ID
		}
		if err != nil {
			return err
		}
		if err := s.q.MarkInvitationAccepted(ctx, tx, inv.ID); err != nil {
			return err
		}
		if !logged(auth.Role(inv.Role)) {
			s.log.InfoContext(ctx, "invitation bound", "invitation", inv.ID, "user", u.ID, "role", inv.Role)
			continue
		}
		e, err := edition.Load(ctx, tx, inv.EditionID)
		if err != nil {
			return err
		}
		role := specRole(auth.Role(inv.Role))
		payload := map[string]any{"invitation_id": inv.ID, "role": role} // the assignment is the actor
		person := event.Person(e.PersonSalt, u.ID)
		if hiddenJuror(e, auth.Role(inv.Role)) {
			if payload["city_commitment"], err = event.Commit(ctx, tx, inv.CityID.String()); err != nil {
				return err
			}
			if payload["person_commitment"], err = event.Commit(ctx, tx, person); err != nil {
				return err
			}
		} else {
			payload["city_id"], payload["person"] = *inv.CityID, person
		}
		if _, err := event.Append(ctx, tx, event.Event{Kind: event.InvitationAccepted, EditionID: inv.EditionID,
			Actor: event.Actor{Role: role, ID: assignment}, UserID: u.ID, Payload: payload}); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "invitation bound", "invitation", inv.ID, "user", u.ID, "role", inv.Role)
	}
	return nil
}

// logged reports whether the audit log records a role's invitations: experts' and jurors' (the log
// proves who reported and who voted), not translators', whose work is not in the log (spec/audit.md).
func logged(r auth.Role) bool { return r == auth.RoleExpert || r == auth.RoleJuror }

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// specRole names an invited role as the audit log does.
func specRole(r auth.Role) string { return strings.ToLower(string(r)) }

// hiddenJuror reports whether the log must commit to, not name, a juror's city and person: the edition
// publishes aggregates only.
func hiddenJuror(e edition.Edition, r auth.Role) bool {
	return r == auth.RoleJuror && e.BallotPublication == edition.PublishAggregates
}

// principal loads a user's roles.
func (s *Store) principal(ctx context.Context, u identitydb.User) (*auth.Principal, error) {
	rows, err := s.q.ListUserAssignments(ctx, s.pool, u.ID)
	if err != nil {
		return nil, err
	}
	p := &auth.Principal{
		UserID:        u.ID,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		Name:          u.Name,
		Organiser:     u.EmailVerified && s.organisers[normaliseEmail(u.Email)],
	}
	for _, r := range rows {
		p.Assignments = append(p.Assignments, assignmentFromRow(r.RoleAssignment, r.CityName, r.EditionYear))
	}
	return p, nil
}

func assignmentFromRow(r identitydb.RoleAssignment, cityName string, year int32) auth.Assignment {
	a := auth.Assignment{
		ID: r.ID, EditionID: r.EditionID, EditionYear: year, Role: auth.Role(r.Role),
		CityName: cityName, Languages: r.Languages, DisplayName: r.DisplayName, Pseudonym: r.Pseudonym, Language: r.Language,
		InvitationID: r.InvitationID, CreateTime: r.CreateTime,
	}
	if r.CityID != nil {
		a.CityID = *r.CityID
	}
	return a
}

// SessionPrincipal implements auth.Users.
func (s *Store) SessionPrincipal(ctx context.Context, tokenHash []byte, l auth.SessionLimits) (*auth.Principal, error) {
	userID, err := s.q.TouchSession(ctx, s.pool, identitydb.TouchSessionParams{
		TokenHash: tokenHash, IdleSeconds: l.Idle.Seconds(), TtlSeconds: l.TTL.Seconds(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	row, err := s.q.GetUser(ctx, s.pool, userID)
	if err != nil {
		return nil, err
	}
	if row.User.EmailVerified && row.HasPendingInvitations {
		if err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error { return s.bindInvitations(ctx, tx, row.User) }); err != nil {
			return nil, err
		}
	}
	return s.principal(ctx, row.User)
}

// CreateSession implements auth.Users: the new session and the end of the user's oldest beyond
// l.PerUser (and of their expired ones) are one transaction.
func (s *Store) CreateSession(ctx context.Context, userID uuid.UUID, tokenHash []byte, l auth.SessionLimits) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.q.InsertSession(ctx, tx, identitydb.InsertSessionParams{
			TokenHash: tokenHash, UserID: userID, IdleSeconds: l.Idle.Seconds(), TtlSeconds: l.TTL.Seconds(),
		}); err != nil {
			return err
		}
		ended, err := s.q.TrimUserSessions(ctx, tx, identitydb.TrimUserSessionsParams{UserID: userID, Keep: int32(max(l.PerUser, 1))})
		if ended > 0 {
			s.log.InfoContext(ctx, "sessions ended beyond the per-user limit or expired", "user", userID, "ended", ended)
		}
		return err
	})
}

// DeleteSession implements auth.Users.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return s.q.DeleteSession(ctx, s.pool, tokenHash)
}

// KnownAddress says whether the platform knows an address, for the built-in e-mail sign-in, which
// sends codes to known addresses only: an organiser's (MIASTA_ORGANISERS), an invitation's that was
// not revoked, or a verified one of an account that was not erased.
func (s *Store) KnownAddress(ctx context.Context, email string) (bool, error) {
	email = normaliseEmail(email)
	if email == "" {
		return false, nil
	}
	if s.organisers[email] {
		return true, nil
	}
	return s.q.IsKnownAddress(ctx, s.pool, email)
}
