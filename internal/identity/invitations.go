package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/identity/identitydb"
	"github.com/miasta-otwarte/miasta/internal/page"
)

// Invitation asks a person, by e-mail, to take a role in an edition.
type Invitation struct {
	ID          uuid.UUID
	EditionID   uuid.UUID
	Email       string
	Role        auth.Role
	City        edition.City
	DisplayName string
	Pseudonym   string
	Language    string
	Languages   []string // a translator's
	State       string   // PENDING, ACCEPTED or REVOKED
	CreateTime  time.Time
	AcceptTime  *time.Time
}

// NewInvitation is what an organiser gives to invite someone.
type NewInvitation struct {
	EditionID   uuid.UUID
	Email       string
	Role        auth.Role
	CityID      uuid.UUID
	DisplayName string
	Pseudonym   string
	Language    string
	// Languages are a translator's: the languages they translate into.
	Languages []string
}

// TargetLanguages are the languages translations are made into (the originals are Polish).
var TargetLanguages = []string{"en", "uk", "es", "vi"}

func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func invitationFromRow(r identitydb.Invitation, cityName string) Invitation {
	inv := Invitation{
		ID: r.ID, EditionID: r.EditionID, Email: r.Email, Role: auth.Role(r.Role),
		DisplayName: r.DisplayName, Pseudonym: r.Pseudonym, Language: r.Language, Languages: r.Languages,
		State: r.State, CreateTime: r.CreateTime, AcceptTime: r.AcceptTime,
	}
	if r.CityID != nil {
		inv.City = edition.City{ID: *r.CityID, Name: cityName}
	}
	return inv
}

// Invite records an invitation; it binds when the invitee first signs in with that verified address.
func (s *Store) Invite(ctx context.Context, actor *auth.Principal, n NewInvitation) (Invitation, error) {
	var out Invitation
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := invitable(ctx, tx, n.EditionID)
		if err != nil {
			return err
		}
		out, err = s.invite(ctx, tx, actor, e, n)
		return err
	})
	return out, err
}

// invitable locks an edition that people may still be invited to.
func invitable(ctx context.Context, tx pgx.Tx, editionID uuid.UUID) (edition.Edition, error) {
	e, err := edition.LoadForUpdate(ctx, tx, editionID)
	if err != nil {
		return edition.Edition{}, err
	}
	if e.Stage.Index() >= edition.Tallied.Index() {
		return edition.Edition{}, fault.Preconditionf("edition_id", "the edition is %s; nobody can join it now", e.Stage)
	}
	return e, nil
}

// invite records one invitation in tx, the edition locked by invitable.
func (s *Store) invite(ctx context.Context, tx pgx.Tx, actor *auth.Principal, e edition.Edition, n NewInvitation) (Invitation, error) {
	n.Email = normaliseEmail(n.Email)
	if n.Language == "" {
		n.Language = "pl"
	}
	if err := s.refuseRevoked(ctx, tx, e, n); err != nil {
		return Invitation{}, err
	}
	if n.Role == auth.RoleTranslator {
		return s.inviteTranslator(ctx, tx, actor, e, n)
	}
	if n.Role == auth.RoleOrganiser || n.Role == auth.RoleObserver {
		return s.inviteEditionWide(ctx, tx, actor, e, n)
	}
	if len(n.Languages) > 0 {
		return Invitation{}, fault.Invalidf("languages", "are for translators only")
	}
	if n.Role == auth.RoleExpert && n.Pseudonym != "" {
		return Invitation{}, fault.Invalidf("pseudonym", "is for jurors only")
	}
	if n.CityID == uuid.Nil {
		return Invitation{}, fault.Invalidf("city_id", "is required for an expert or a juror")
	}
	city, err := editiondb.New().GetCity(ctx, tx, n.CityID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Invitation{}, fault.NotFoundf("city_id", "no such city")
	}
	if err != nil {
		return Invitation{}, err
	}
	if n.Role == auth.RoleExpert && !e.HasCity(n.CityID) {
		return Invitation{}, fault.Invalidf("city_id", "%s does not report in this edition; add it to the edition first", city.Name)
	}
	if n.Role == auth.RoleJuror && n.Pseudonym == "" {
		jurors, err := s.q.CountJurorInvitations(ctx, tx, e.ID)
		if err != nil {
			return Invitation{}, err
		}
		n.Pseudonym = fmt.Sprintf("Juror %d", jurors+1)
	}
	row, err := s.insert(ctx, tx, actor, e, n)
	if err != nil {
		return Invitation{}, err
	}
	// Events are published in the audit log: the name and address stay out of it, and under the
	// aggregates setting a juror's city too.
	payload := map[string]any{"invitation_id": row.ID, "role": specRole(n.Role)}
	if hiddenJuror(e, n.Role) {
		if payload["city_commitment"], err = event.Commit(ctx, tx, n.CityID.String()); err != nil {
			return Invitation{}, err
		}
	} else {
		payload["city_id"] = n.CityID
	}
	_, err = event.Append(ctx, tx, event.Event{Kind: event.InvitationCreated, EditionID: e.ID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: payload})
	if err != nil {
		return Invitation{}, err
	}
	return s.invited(ctx, tx, e, invitationFromRow(row, city.Name))
}

// insert stores an invitation (n normalised and checked).
func (s *Store) insert(ctx context.Context, tx pgx.Tx, actor *auth.Principal, e edition.Edition, n NewInvitation) (identitydb.Invitation, error) {
	var city *uuid.UUID
	if n.CityID != uuid.Nil {
		city = &n.CityID
	}
	row, err := s.q.InsertInvitation(ctx, tx, identitydb.InsertInvitationParams{
		EditionID: e.ID, Email: n.Email, Role: string(n.Role), CityID: city,
		DisplayName: n.DisplayName, Pseudonym: n.Pseudonym, Language: n.Language, Languages: orNone(n.Languages), CreatedBy: actorPtr(actor),
	})
	if _, dup := db.IsUniqueViolation(err); dup {
		return identitydb.Invitation{}, fault.Existsf("email", "%s has a pending %s invitation to this edition already", n.Email, strings.ToLower(string(n.Role)))
	}
	return row, err
}

// invited runs the invitation hooks (the invitation mail) in the invitation's transaction.
func (s *Store) invited(ctx context.Context, tx pgx.Tx, e edition.Edition, inv Invitation) (Invitation, error) {
	for _, h := range s.onInvite {
		if err := h(ctx, tx, e, inv); err != nil {
			return Invitation{}, err
		}
	}
	return inv, nil
}

// Import invites the people a CSV file lists. It checks every row before importing any; with problems
// or dryRun it imports nothing. People already invited to the same role are left as they are.
func (s *Store) Import(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, text string, dryRun bool) (ImportResult, error) {
	var res ImportResult
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		res = ImportResult{}
		e, err := invitable(ctx, tx, editionID)
		if err != nil {
			return err
		}
		rows, problems := parseImport(text)
		res.Rows = len(rows)
		cities, err := citiesByName(ctx, tx)
		if err != nil {
			return err
		}
		keys, err := s.q.InvitedKeys(ctx, tx, editionID)
		if err != nil {
			return err
		}
		invited := map[string]bool{}
		for _, k := range keys {
			invited[k.Email+"/"+k.Role] = true
		}
		var todo []NewInvitation
		inFile := map[string]int{}
		for _, r := range rows {
			n, ps := r.check(e, cities)
			if len(ps) > 0 {
				problems = append(problems, ps...)
				continue
			}
			key := n.Email + "/" + string(n.Role)
			if first, dup := inFile[key]; dup {
				problems = append(problems, problem(r.line, fault.Invalidf("email", "the same person and role as line %d", first)))
				continue
			}
			inFile[key] = r.line
			if invited[key] {
				res.Unchanged++
				continue
			}
			n.EditionID = editionID
			todo = append(todo, n)
		}
		slices.SortStableFunc(problems, func(a, b RowProblem) int { return a.Line - b.Line })
		res.Problems = problems
		if len(problems) > 0 {
			return ErrImportProblems
		}
		if dryRun {
			return nil
		}
		for _, n := range todo {
			if _, err := s.invite(ctx, tx, actor, e, n); err != nil {
				return err
			}
		}
		res.Invited = len(todo)
		return nil
	})
	if errors.Is(err, ErrImportProblems) && dryRun {
		err = nil // a dry run reports problems, it does not fail on them
	}
	return res, err
}

// inviteEditionWide records the invitation of an edition's own organiser or observer: no city, no
// languages, and no audit event (the log names organisers by their platform user id, whichever way
// they became one; an observer changes nothing).
func (s *Store) inviteEditionWide(ctx context.Context, tx pgx.Tx, actor *auth.Principal, e edition.Edition, n NewInvitation) (Invitation, error) {
	switch {
	case n.CityID != uuid.Nil:
		return Invitation{}, fault.Invalidf("city_id", "an edition's organiser or observer acts for the whole edition: leave the city empty")
	case n.Pseudonym != "":
		return Invitation{}, fault.Invalidf("pseudonym", "is for jurors only")
	case len(n.Languages) > 0:
		return Invitation{}, fault.Invalidf("languages", "are for translators only")
	}
	row, err := s.insert(ctx, tx, actor, e, n)
	if err != nil {
		return Invitation{}, err
	}
	return s.invited(ctx, tx, e, invitationFromRow(row, ""))
}

// inviteTranslator records a translator's invitation: languages instead of a city, and no audit
// event (translations are not in the log).
func (s *Store) inviteTranslator(ctx context.Context, tx pgx.Tx, actor *auth.Principal, e edition.Edition, n NewInvitation) (Invitation, error) {
	switch {
	case n.CityID != uuid.Nil:
		return Invitation{}, fault.Invalidf("city_id", "translators translate for the whole edition: leave the city empty")
	case n.Pseudonym != "":
		return Invitation{}, fault.Invalidf("pseudonym", "is for jurors only")
	case len(n.Languages) == 0:
		return Invitation{}, fault.Invalidf("languages", "name at least one language the translator translates into (en, uk, es, vi)")
	}
	seen := map[string]bool{}
	for i, l := range n.Languages {
		if !slices.Contains(TargetLanguages, l) {
			return Invitation{}, fault.Invalidf(fmt.Sprintf("languages[%d]", i), "must be one of en, uk, es, vi (the originals are Polish)")
		}
		if seen[l] {
			return Invitation{}, fault.Invalidf(fmt.Sprintf("languages[%d]", i), "appears twice")
		}
		seen[l] = true
	}
	n.Languages = slices.Sorted(slices.Values(n.Languages))
	row, err := s.insert(ctx, tx, actor, e, n)
	if err != nil {
		return Invitation{}, err
	}
	return s.invited(ctx, tx, e, invitationFromRow(row, ""))
}

// Revoke withdraws a pending invitation.
func (s *Store) Revoke(ctx context.Context, actor *auth.Principal, id uuid.UUID) (Invitation, error) {
	var out Invitation
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		inv, err := s.q.GetInvitationForUpdate(ctx, tx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fault.NotFoundf("invitation_id", "no such invitation")
		}
		if err != nil {
			return err
		}
		if inv.State != "PENDING" {
			return fault.Preconditionf("invitation_id", "the invitation is %s; only a pending one can be revoked", strings.ToLower(inv.State))
		}
		if _, err := s.q.RevokeInvitation(ctx, tx, id); err != nil {
			return err
		}
		view, err := s.q.GetInvitationView(ctx, tx, id)
		if err != nil {
			return err
		}
		out = invitationFromRow(view.Invitation, view.CityName)
		if !logged(out.Role) {
			return nil
		}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.InvitationRevoked, EditionID: inv.EditionID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				InvitationID uuid.UUID `json:"invitation_id"`
			}{id},
		})
		return err
	})
	return out, err
}

type timeCursor struct {
	After time.Time `json:"t"`
	ID    uuid.UUID `json:"i"`
}

// ListInvitations returns a page of an edition's invitations, oldest first.
func (s *Store) ListInvitations(ctx context.Context, editionID uuid.UUID, size int32, token string) ([]Invitation, string, error) {
	var cur timeCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := edition.Load(ctx, s.pool, editionID); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 50)
	rows, err := s.q.ListInvitations(ctx, s.pool, identitydb.ListInvitationsParams{
		EditionID: editionID, AfterTime: cur.After, AfterID: cur.ID, MaxRows: size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Invitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, invitationFromRow(r.Invitation, r.CityName))
	}
	out, next := page.Cut(out, size, func(i Invitation) any { return timeCursor{After: i.CreateTime, ID: i.ID} })
	return out, next, nil
}

// AssignmentView is a role assignment with the user who holds it.
type AssignmentView struct {
	auth.Assignment
	UserID    uuid.UUID
	UserEmail string
	UserName  string
	// RevokeTime is when the role was revoked (RevokeRole); nil while it holds.
	RevokeTime   *time.Time
	RevokeReason string
}

// ListAssignments returns a page of an edition's role assignments, oldest first.
func (s *Store) ListAssignments(ctx context.Context, editionID uuid.UUID, size int32, token string) ([]AssignmentView, string, error) {
	var cur timeCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := edition.Load(ctx, s.pool, editionID); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 50)
	rows, err := s.q.ListEditionAssignments(ctx, s.pool, identitydb.ListEditionAssignmentsParams{
		EditionID: editionID, AfterTime: cur.After, AfterID: cur.ID, MaxRows: size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]AssignmentView, 0, len(rows))
	for _, r := range rows {
		out = append(out, assignmentView(r.RoleAssignment, r.CityName, r.EditionYear, r.UserEmail, r.UserName))
	}
	out, next := page.Cut(out, size, func(a AssignmentView) any { return timeCursor{After: a.CreateTime, ID: a.ID} })
	return out, next, nil
}

func actorPtr(p *auth.Principal) *uuid.UUID {
	if p == nil {
		return nil
	}
	return &p.UserID
}
