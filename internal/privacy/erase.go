// Package privacy is what the platform does with personal data across the domains: erasing a person,
// exporting what it holds about one, keeping mail and sessions no longer than configured, and the
// privacy notice. Its statements touch several domains' tables in one transaction, set-based, so it
// writes them here rather than through each domain's queries: an erasure must be all or nothing.
package privacy

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Service erases and exports personal data, enforces retention and keeps the privacy notice.
type Service struct {
	pool      *pgxpool.Pool
	log       *slog.Logger
	retention Retention
}

// New returns a service; retention says how long mail bodies, delivery attempts and expired sessions
// are kept (zero: forever).
func New(pool *pgxpool.Pool, log *slog.Logger, retention Retention) *Service {
	return &Service{pool: pool, log: log, retention: retention}
}

// Person names whose data: an account, or (for someone who never signed in) an invitation.
type Person struct {
	UserID       uuid.UUID
	InvitationID uuid.UUID
}

// Erasure records one erasure.
type Erasure struct {
	ID           uuid.UUID
	UserID       uuid.UUID
	InvitationID uuid.UUID
	ErasedBy     uuid.UUID
	EraseTime    time.Time
	Counts       map[string]int64
}

// platformOrganiser refuses an edition's own organiser: a person's data spans editions.
func platformOrganiser(actor *auth.Principal) error {
	if actor == nil || !actor.Organiser || actor.Scope != uuid.Nil {
		return fault.Deniedf("only the platform's organisers (named in the server's configuration) may erase or export a person's data")
	}
	return nil
}

// subject is what one erasure or export is about: the account (if any), every address the person was
// invited or mailed at, their invitations, assignments and mail.
type subject struct {
	user        uuid.UUID // uuid.Nil for someone who never signed in
	erased      bool
	emails      []string
	invitations []uuid.UUID
	assignments []uuid.UUID
	mails       []uuid.UUID
}

// resolve finds everything that belongs to p. An invitation that was accepted stands for its account.
func resolve(ctx context.Context, tx pgx.Tx, p Person) (subject, error) {
	var s subject
	if p.InvitationID != uuid.Nil {
		var email string
		var bound *uuid.UUID
		err := tx.QueryRow(ctx, `SELECT i.email, ra.user_id FROM invitations i LEFT JOIN role_assignments ra ON ra.invitation_id = i.id WHERE i.id = $1`, p.InvitationID).Scan(&email, &bound)
		if errors.Is(err, pgx.ErrNoRows) {
			return s, fault.NotFoundf("person.invitation_id", "no such invitation")
		}
		if err != nil {
			return s, err
		}
		switch {
		case bound != nil:
			s.user = *bound
		case email == "":
			s.erased = true // an invitation's address is blank only once its person was erased
		default:
			s.emails = []string{email}
		}
	} else {
		s.user = p.UserID
	}
	if s.user != uuid.Nil {
		var email string
		var eraseTime *time.Time
		err := tx.QueryRow(ctx, `SELECT lower(email), erase_time FROM users WHERE id = $1`, s.user).Scan(&email, &eraseTime)
		if errors.Is(err, pgx.ErrNoRows) {
			return s, fault.NotFoundf("person.user_id", "no such user")
		}
		if err != nil {
			return s, err
		}
		s.erased = eraseTime != nil
		if email != "" {
			s.emails = append(s.emails, email)
		}
		if err := collect(ctx, tx, &s.assignments, `SELECT id FROM role_assignments WHERE user_id = $1 ORDER BY create_time, id`, s.user); err != nil {
			return s, err
		}
		// The addresses the person was invited at, even if they signed in under another one.
		var invited []string
		if err := collect(ctx, tx, &invited, `SELECT DISTINCT i.email FROM invitations i JOIN role_assignments ra ON ra.invitation_id = i.id WHERE ra.user_id = $1 AND i.email <> ''`, s.user); err != nil {
			return s, err
		}
		for _, e := range invited {
			if e != email {
				s.emails = append(s.emails, e)
			}
		}
	}
	if err := collect(ctx, tx, &s.invitations, `SELECT id FROM invitations
		WHERE (email <> '' AND email = ANY($1)) OR id IN (SELECT invitation_id FROM role_assignments WHERE user_id = $2) OR id = $3
		ORDER BY create_time, id`, s.emails, s.user, p.InvitationID); err != nil {
		return s, err
	}
	if err := collect(ctx, tx, &s.mails, `SELECT id FROM mail_outbox WHERE recipient_email <> '' AND recipient_email = ANY($1) ORDER BY seq`, s.emails); err != nil {
		return s, err
	}
	return s, nil
}

func collect[T any](ctx context.Context, tx pgx.Tx, into *[]T, sql string, args ...any) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		return err
	}
	*into = append(*into, got...)
	return nil
}

// Erase erases p's personal data (what PrivacyService.ErasePerson's comment lists) and records the
// erasure, in one transaction. The events table is not touched: it holds only ids and commitments.
func (s *Service) Erase(ctx context.Context, actor *auth.Principal, p Person) (Erasure, error) {
	if err := platformOrganiser(actor); err != nil {
		return Erasure{}, err
	}
	if p.UserID != uuid.Nil && p.UserID == actor.User() {
		return Erasure{}, fault.Preconditionf("person.user_id", "you cannot erase yourself: ask another organiser")
	}
	var out Erasure
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		sub, err := resolve(ctx, tx, p)
		if err != nil {
			return err
		}
		if sub.erased {
			return fault.Preconditionf("person", "this person was erased already")
		}
		if sub.user == actor.User() {
			return fault.Preconditionf("person", "you cannot erase yourself: ask another organiser")
		}
		counts := map[string]int64{}
		exec := func(table, sql string, args ...any) error {
			tag, err := tx.Exec(ctx, sql, args...)
			if err != nil {
				return err
			}
			if n := tag.RowsAffected(); n > 0 {
				counts[table] += n
			}
			return nil
		}
		// The texts behind the commitments the log holds: the person's reasons, the organisers'
		// reasons for revoking their roles, and mail to them. The commitments stay (the log names them).
		if err := exec("commitments", `UPDATE commitments SET text = '' WHERE text <> '' AND commitment IN (
			SELECT payload->>'reason_commitment' FROM events WHERE actor_id = ANY($1) AND payload ? 'reason_commitment'
			UNION SELECT payload->>'reason_commitment' FROM events WHERE kind = 'assignment.revoked' AND (payload->>'assignment_id')::uuid = ANY($1)
			UNION SELECT payload->>'content_commitment' FROM events WHERE payload ? 'content_commitment' AND payload ? 'mail_id' AND (payload->>'mail_id')::uuid = ANY($2))`,
			sub.assignments, sub.mails); err != nil {
			return err
		}
		if err := exec("conflicts", `UPDATE conflicts SET reason = '' WHERE assignment_id = ANY($1) AND reason <> ''`, sub.assignments); err != nil {
			return err
		}
		if err := exec("ballots", `UPDATE ballots SET comments = '[]' WHERE assignment_id = ANY($1) AND comments <> '[]'`, sub.assignments); err != nil {
			return err
		}
		if err := exec("role_assignments", `UPDATE role_assignments SET display_name = pseudonym, revoke_reason = '' WHERE id = ANY($1)`, sub.assignments); err != nil {
			return err
		}
		if err := exec("invitations", `UPDATE invitations SET email = '', display_name = pseudonym,
			state = CASE WHEN state = 'PENDING' THEN 'REVOKED' ELSE state END,
			revoke_time = CASE WHEN state = 'PENDING' THEN now() ELSE revoke_time END
			WHERE id = ANY($1)`, sub.invitations); err != nil {
			return err
		}
		if err := exec("mail_outbox", `UPDATE mail_outbox SET recipient_email = '', recipient_name = '', subject = '-', body = '', last_error = '',
			dedup_key = replace(dedup_key, recipient_email, 'erased-' || id::text),
			status = CASE WHEN status IN ('HELD', 'PENDING') THEN 'DISCARDED' ELSE status END,
			version = version + 1, update_time = now(), body_erase_time = now()
			WHERE id = ANY($1)`, sub.mails); err != nil {
			return err
		}
		if err := exec("mail_delivery_attempts", `UPDATE mail_delivery_attempts SET error = '' WHERE mail_id = ANY($1) AND error <> ''`, sub.mails); err != nil {
			return err
		}
		// The built-in e-mail sign-in's account, requests and events of the addresses: a later sign-in
		// by code makes a new account (its subject random), which nothing binds to.
		if err := exec("signin_tokens", `DELETE FROM signin_tokens WHERE subject IN (SELECT subject FROM signin_accounts WHERE email = ANY($1))`, sub.emails); err != nil {
			return err
		}
		for _, table := range []string{"signin_accounts", "signin_requests", "signin_events"} {
			if err := exec(table, `DELETE FROM `+table+` WHERE email = ANY($1)`, sub.emails); err != nil {
				return err
			}
		}
		var user *uuid.UUID
		if sub.user != uuid.Nil {
			user = &sub.user
			if err := exec("sessions", `DELETE FROM sessions WHERE user_id = $1`, sub.user); err != nil {
				return err
			}
			// Unbinding the identity provider's subject means a later sign-in makes a new account, which
			// no invitation binds to (their addresses are gone) and so holds no role.
			if err := exec("users", `UPDATE users SET email = '', email_verified = false, name = '', issuer = 'erased', subject = id::text,
				erase_time = now(), update_time = now() WHERE id = $1`, sub.user); err != nil {
				return err
			}
		}
		var inv *uuid.UUID
		if p.InvitationID != uuid.Nil {
			inv = &p.InvitationID
		}
		var by *uuid.UUID
		if id := actor.User(); id != uuid.Nil {
			by = &id
		}
		out = Erasure{UserID: sub.user, InvitationID: p.InvitationID, ErasedBy: actor.User(), Counts: counts}
		return tx.QueryRow(ctx, `INSERT INTO erasures (user_id, invitation_id, erased_by, counts) VALUES ($1, $2, $3, $4) RETURNING id, erase_time`,
			user, inv, by, counts).Scan(&out.ID, &out.EraseTime)
	})
	if err != nil {
		return Erasure{}, err
	}
	s.log.InfoContext(ctx, "person erased", "erasure", out.ID, "user", out.UserID, "invitation", out.InvitationID, "by", out.ErasedBy)
	return out, nil
}
