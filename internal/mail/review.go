package mail

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
	"github.com/miasta-otwarte/miasta/internal/page"
)

var errNoMail = fault.NotFoundf("mail_id", "no such mail")

// Delivery is how a kind of mail leaves the outbox.
type Delivery string

// The deliveries; "" in a policy change removes the choice.
const (
	Review    Delivery = "REVIEW"
	Automatic Delivery = "AUTOMATIC"
)

// Source says where a policy comes from.
type Source string

// The sources, from the weakest.
const (
	SourceDefault  Source = "DEFAULT"
	SourcePlatform Source = "PLATFORM"
	SourceEdition  Source = "EDITION"
	SourceFixed    Source = "FIXED"
)

// Policy is how one kind of mail is delivered in a scope.
type Policy struct {
	Kind     Kind
	Delivery Delivery
	Source   Source
}

// Policies returns the policy in force for every kind, platform-wide (editionID uuid.Nil) or in an
// edition, where the edition's choice beats the platform's, which beats the default (review).
func (s *Service) Policies(ctx context.Context, editionID uuid.UUID) ([]Policy, error) {
	if editionID != uuid.Nil {
		if _, err := edition.Load(ctx, s.pool, editionID); err != nil {
			return nil, err
		}
	}
	return s.policies(ctx, s.pool, editionID)
}

func (s *Service) policies(ctx context.Context, q maildb.DBTX, editionID uuid.UUID) ([]Policy, error) {
	rows, err := s.q.ListPolicies(ctx, q, nullUUID(editionID))
	if err != nil {
		return nil, err
	}
	out := make([]Policy, 0, len(Kinds))
	for _, k := range Kinds {
		p := Policy{Kind: k, Delivery: Review, Source: SourceDefault}
		if k == BallotReceipt {
			out = append(out, Policy{Kind: k, Delivery: Automatic, Source: SourceFixed})
			continue
		}
		for _, r := range rows {
			if Kind(r.Kind) != k {
				continue
			}
			src := SourcePlatform
			if r.EditionID != nil {
				src = SourceEdition
			} else if p.Source == SourceEdition {
				continue
			}
			p.Source, p.Delivery = src, Review
			if r.AutoSend {
				p.Delivery = Automatic
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// autoSend reports whether a kind of mail in an edition goes out without review.
func (s *Service) autoSend(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, kind Kind) (bool, error) {
	ps, err := s.policies(ctx, tx, editionID)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Kind == kind {
			return p.Delivery == Automatic, nil
		}
	}
	return false, nil
}

// SetPolicy chooses how a kind of mail is delivered from now on, platform-wide (editionID uuid.Nil)
// or in an edition; d "" removes the choice. Mail already queued keeps its status.
func (s *Service) SetPolicy(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, kind Kind, d Delivery) ([]Policy, error) {
	if kind == BallotReceipt {
		return nil, fault.Invalidf("kind", "ballot receipts always go out at once: their delivery cannot be chosen")
	}
	var out []Policy
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if editionID != uuid.Nil {
			if _, err := edition.LoadForUpdate(ctx, tx, editionID); err != nil {
				return err
			}
		}
		if d == "" {
			if _, err := s.q.DeletePolicy(ctx, tx, maildb.DeletePolicyParams{EditionID: nullUUID(editionID), Kind: string(kind)}); err != nil {
				return err
			}
		} else if err := s.q.UpsertPolicy(ctx, tx, maildb.UpsertPolicyParams{EditionID: nullUUID(editionID), Kind: string(kind), AutoSend: d == Automatic}); err != nil {
			return err
		}
		var err error
		if out, err = s.policies(ctx, tx, editionID); err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{
			Kind: event.MailPolicySet, EditionID: editionID, Actor: event.Organiser(actor.User()), UserID: actor.User(),
			Payload: struct {
				Kind     Kind    `json:"kind"`
				Delivery *string `json:"delivery"`
			}{kind, delivery(d)},
		})
		return err
	})
	return out, err
}

// delivery is a policy's delivery as the audit log writes it: null when the choice is removed.
func delivery(d Delivery) *string {
	if d == "" {
		return nil
	}
	s := string(d)
	return &s
}

// Get returns one mail.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Mail, error) {
	r, err := s.q.GetMail(ctx, s.pool, id)
	if err != nil {
		return Mail{}, notFound(err)
	}
	return s.fromRow(r), nil
}

// Filter narrows a listing of the outbox; zero fields do not filter.
type Filter struct {
	EditionID uuid.UUID
	Status    Status
	Kind      Kind
}

type seqCursor struct {
	After int64 `json:"s"`
}

// List returns a page of the outbox in the order it was queued.
func (s *Service) List(ctx context.Context, f Filter, size int32, token string) ([]Mail, string, error) {
	var cur seqCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if f.EditionID != uuid.Nil {
		if _, err := edition.Load(ctx, s.pool, f.EditionID); err != nil {
			return nil, "", err
		}
	}
	size = page.Size(size, 50)
	rows, err := s.q.ListMails(ctx, s.pool, maildb.ListMailsParams{
		EditionID: nullUUID(f.EditionID), Status: string(f.Status), Kind: string(f.Kind),
		AfterSeq: cur.After, MaxRows: size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, size, func(r maildb.MailOutbox) any { return seqCursor{After: r.Seq} })
	out := make([]Mail, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.fromRow(r))
	}
	return out, next, nil
}

// change is the shared shape of edit, release and discard: lock the mail, check its status and the
// version the organiser read, change it, record the event.
func (s *Service) change(ctx context.Context, actor *auth.Principal, id uuid.UUID, expected int64, kind event.Kind, allowed []Status,
	apply func(tx pgx.Tx) (maildb.MailOutbox, error),
) (Mail, error) {
	var out Mail
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// A mail the sender is delivering is locked until its attempt is recorded; waiting here means
		// an organiser never discards a mail that is being sent, but sees it SENT (or retried).
		r, err := s.q.GetMailForUpdate(ctx, tx, id)
		if err != nil {
			return notFound(err)
		}
		current := s.fromRow(r)
		if current.Kind == BallotReceipt && kind != event.MailReleased {
			return fault.Preconditionf("mail_id", "a ballot receipt goes out as it was written: nobody can edit or withdraw it")
		}
		ok := false
		for _, st := range allowed {
			ok = ok || current.Status == st
		}
		if !ok {
			return fault.Preconditionf("mail_id", "the mail is %s", current.Status)
		}
		if r.Version != expected {
			return fault.Abortedf(current, "the mail changed since version %d; it is at version %d now", expected, r.Version)
		}
		r, err = apply(tx)
		if err != nil {
			return err
		}
		out = s.fromRow(r)
		// What the audit log publishes about a mail: never its address or text, which are personal; a
		// commitment to the text lets the organisers later prove which text it was.
		commitment, err := event.Commit(ctx, tx, out.Subject+"\n\n"+out.Body)
		if err != nil {
			return err
		}
		_, err = event.Append(ctx, tx, event.Event{Kind: kind, EditionID: out.EditionID, Actor: event.Organiser(actor.User()), UserID: actor.User(), Payload: struct {
			MailID     uuid.UUID `json:"mail_id"`
			Kind       Kind      `json:"kind"`
			Version    int64     `json:"version"`
			Commitment string    `json:"content_commitment"`
		}{out.ID, out.Kind, out.Version, commitment}})
		return err
	})
	return out, err
}

// Edit replaces the subject and body of a held mail.
func (s *Service) Edit(ctx context.Context, actor *auth.Principal, id uuid.UUID, expected int64, subject, body string) (Mail, error) {
	return s.change(ctx, actor, id, expected, event.MailEdited, []Status{Held}, func(tx pgx.Tx) (maildb.MailOutbox, error) {
		return s.q.EditMail(ctx, tx, maildb.EditMailParams{ID: id, Subject: subject, Body: body})
	})
}

// Release lets the sender deliver a held mail, or try again a mail that failed (once the SMTP
// settings or the address's mailbox are fixed), with the full number of attempts.
func (s *Service) Release(ctx context.Context, actor *auth.Principal, id uuid.UUID, expected int64) (Mail, error) {
	return s.change(ctx, actor, id, expected, event.MailReleased, []Status{Held, Failed}, func(tx pgx.Tx) (maildb.MailOutbox, error) {
		return s.q.ReleaseMail(ctx, tx, maildb.ReleaseMailParams{ID: id, Now: s.cfg.Now()})
	})
}

// Discard withdraws a mail that has not been sent.
func (s *Service) Discard(ctx context.Context, actor *auth.Principal, id uuid.UUID, expected int64) (Mail, error) {
	return s.change(ctx, actor, id, expected, event.MailDiscarded, []Status{Held, Pending}, func(tx pgx.Tx) (maildb.MailOutbox, error) {
		return s.q.DiscardMail(ctx, tx, id)
	})
}

// Attempt is one attempt to deliver a mail.
type Attempt struct {
	Attempt   int32
	StartTime time.Time
	EndTime   time.Time
	Outcome   string // SENT, TEMPORARY_FAILURE or PERMANENT_FAILURE
	SMTPCode  int32
	Error     string
}

type attemptCursor struct {
	After int32 `json:"a"`
}

// Attempts returns a page of a mail's delivery attempts, first to last.
func (s *Service) Attempts(ctx context.Context, id uuid.UUID, size int32, token string) ([]Attempt, string, error) {
	var cur attemptCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := s.q.GetMail(ctx, s.pool, id); err != nil {
		return nil, "", notFound(err)
	}
	size = page.Size(size, 50)
	rows, err := s.q.ListAttempts(ctx, s.pool, maildb.ListAttemptsParams{MailID: id, AfterAttempt: cur.After, MaxRows: size + 1})
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, size, func(r maildb.MailDeliveryAttempt) any { return attemptCursor{After: r.Attempt} })
	out := make([]Attempt, 0, len(rows))
	for _, r := range rows {
		out = append(out, Attempt{Attempt: r.Attempt, StartTime: r.StartTime, EndTime: r.EndTime, Outcome: r.Outcome, SMTPCode: r.SmtpCode, Error: r.Error})
	}
	return out, next, nil
}
