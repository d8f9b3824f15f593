// Package mail owns the e-mail the platform sends. Other domains' changes queue mail into an outbox
// table inside their own transaction (through the hooks this package hands them), so a mail exists
// exactly when the change that causes it committed. Organisers review held mail or let kinds go out
// automatically; a sender delivers released mail over SMTP with retries and records every attempt;
// reminders count down to the edition's deadlines in Europe/Warsaw time.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// Kind is what a mail is about; each kind has a template per language.
type Kind string

// The kinds, in the order the process sends them.
const (
	Invitation        Kind = "INVITATION"
	ReportingOpened   Kind = "REPORTING_OPENED"
	ReportingReminder Kind = "REPORTING_REMINDER"
	ReportReturned    Kind = "REPORT_RETURNED"
	JuryOpened        Kind = "JURY_OPENED"
	BallotReminder    Kind = "BALLOT_REMINDER"
	ResultsAnnounced  Kind = "RESULTS_ANNOUNCED"
	// BallotReceipt is a juror's receipt for a cast: sent at once, whatever the policies say, and
	// never edited or withdrawn, so that it is a second channel the juror can trust to compare.
	BallotReceipt Kind = "BALLOT_RECEIPT"
	// Message is an organiser's own text to everyone in a role of an edition.
	Message Kind = "MESSAGE"
)

// SignInCode carries a one-time code of the built-in e-mail sign-in (internal/signin). It is not one
// of Kinds: it goes out at once, organisers never see it in the outbox (a code read there would sign
// its reader in), and its body is blanked as soon as it was sent or failed.
const SignInCode Kind = "SIGN_IN_CODE"

// Kinds lists every kind the organisers review.
var Kinds = []Kind{Invitation, ReportingOpened, ReportingReminder, ReportReturned, JuryOpened, BallotReminder, ResultsAnnounced, BallotReceipt, Message}

func (k Kind) valid() bool { return slices.Contains(Kinds, k) || k == SignInCode }

// Status is where a mail is in the outbox.
type Status string

// The statuses; SENT, FAILED and DISCARDED are final.
const (
	Held      Status = "HELD"
	Pending   Status = "PENDING"
	Sent      Status = "SENT"
	Failed    Status = "FAILED"
	Discarded Status = "DISCARDED"
)

// Mail is one message to one person.
type Mail struct {
	ID              uuid.UUID
	EditionID       uuid.UUID // uuid.Nil for mail about no edition
	Kind            Kind
	RecipientEmail  string
	RecipientName   string
	Language        string
	Subject         string
	Body            string
	Status          Status
	Version         int64
	Edited          bool
	Attempts        int32
	NextAttemptTime *time.Time
	LastError       string
	// MessageID is the Message-ID every delivery attempt carries, without angle brackets.
	MessageID   string
	CreateTime  time.Time
	UpdateTime  time.Time
	ReleaseTime *time.Time
	SentTime    *time.Time
}

// TLSMode is how the connection to the SMTP server is secured.
type TLSMode string

// The TLS modes.
const (
	// TLSNone sends in the clear: only for a server on the same host or network (and the dev capture).
	TLSNone TLSMode = "none"
	// TLSStartTLS connects in the clear and requires STARTTLS before anything is sent (port 587).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit TLSMode = "tls"
)

// SMTP says where and how to deliver mail.
type SMTP struct {
	Host     string // empty: mail is queued and reviewed but not sent
	Port     int
	TLS      TLSMode
	Username string // with Password, AUTH PLAIN (only over TLS, or to localhost)
	Password string
	// TLSConfig, when set, replaces the default (verify the server's certificate for Host).
	TLSConfig *tls.Config
}

// Config is the mail settings.
type Config struct {
	// PublicURL is where people reach the server; links in mail start with it.
	PublicURL string
	// From is the sender, e.g. "Miasta Otwarte <noreply@example.org>"; its domain names Message-IDs.
	From string
	SMTP SMTP
	// PollInterval is how often the sender looks for due mail and reminders are checked.
	PollInterval time.Duration
	// RetryBase is the pause after the first failed attempt; it doubles with each further one, up to
	// RetryMax.
	RetryBase time.Duration
	RetryMax  time.Duration
	// MaxAttempts is how many temporary failures a mail may meet before it is given up as FAILED.
	MaxAttempts int
	// SendTimeout bounds one delivery, connection included.
	SendTimeout time.Duration
	// Reminders are how long before a deadline reminders go out, e.g. 7 days and 1 day.
	Reminders []Offset
	// Now overrides the clock (tests).
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = time.Hour
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if c.SMTP.TLS == "" {
		c.SMTP.TLS = TLSStartTLS
	}
	if c.SMTP.Port == 0 {
		c.SMTP.Port = map[TLSMode]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[c.SMTP.TLS]
	}
	if c.From == "" {
		host := "localhost"
		if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		c.From = "Miasta Otwarte <noreply@" + host + ">"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Offset is how long before a deadline a reminder goes out: whole days on the Warsaw calendar (so a
// reminder keeps its wall-clock time across a change to or from summer time), or a plain duration.
type Offset struct {
	Days     int
	Duration time.Duration
}

// ParseOffsets reads a comma-separated list like "7d,1d" or "48h,2h30m".
func ParseOffsets(s string) ([]Offset, error) {
	var out []Offset
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var o Offset
		if d, ok := strings.CutSuffix(f, "d"); ok {
			n, err := strconv.Atoi(d)
			if err != nil || n < 1 || n > 366 {
				return nil, fmt.Errorf("%q: days must be a whole number from 1 to 366, like 7d", f)
			}
			o.Days = n
		} else {
			d, err := time.ParseDuration(f)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%q: want days like 7d or a positive duration like 12h", f)
			}
			o.Duration = d
		}
		if slices.Contains(out, o) {
			return nil, fmt.Errorf("%q is listed twice", f)
		}
		out = append(out, o)
	}
	return out, nil
}

// String names the offset in reminders' idempotency keys: never change it for existing offsets.
func (o Offset) String() string {
	if o.Days > 0 {
		return strconv.Itoa(o.Days) + "d"
	}
	return o.Duration.String()
}

// before returns when the reminder for deadline is due.
func (o Offset) before(deadline time.Time) time.Time {
	if o.Days > 0 {
		return deadline.In(edition.Warsaw).AddDate(0, 0, -o.Days)
	}
	return deadline.Add(-o.Duration)
}

// Service implements the outbox, its review, the sender and the reminders.
type Service struct {
	pool *pgxpool.Pool
	q    *maildb.Queries
	log  *slog.Logger
	cfg  Config
	from *mail.Address
	// domain names the Message-IDs: the sender's domain.
	domain string
	tmpl   templates
	// wake tells Run that mail that must not wait for the next poll (a sign-in code) was queued.
	wake chan struct{}
}

// NewService returns the mail service.
func NewService(pool *pgxpool.Pool, log *slog.Logger, cfg Config) (*Service, error) {
	cfg.defaults()
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail sender %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	switch cfg.SMTP.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("SMTP TLS mode %q: want none, starttls or tls", cfg.SMTP.TLS)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	return &Service{pool: pool, q: maildb.New(), log: log, cfg: cfg, from: from, domain: domain, tmpl: tmpl, wake: make(chan struct{}, 1)}, nil
}

// Sending reports whether an SMTP server is configured; without one, mail waits in the outbox.
func (s *Service) Sending() bool { return s.cfg.SMTP.Host != "" }

func (s *Service) fromRow(r maildb.MailOutbox) Mail {
	m := Mail{
		ID: r.ID, Kind: Kind(r.Kind), RecipientEmail: r.RecipientEmail, RecipientName: r.RecipientName,
		Language: r.Language, Subject: r.Subject, Body: r.Body, Status: Status(r.Status), Version: r.Version,
		Edited: r.Edited, Attempts: r.Attempts, NextAttemptTime: r.NextAttemptTime, LastError: r.LastError,
		MessageID: r.MessageID, CreateTime: r.CreateTime, UpdateTime: r.UpdateTime,
		ReleaseTime: r.ReleaseTime, SentTime: r.SentTime,
	}
	if r.EditionID != nil {
		m.EditionID = *r.EditionID
	}
	return m
}

// recipient is a person mail goes to, as invited.
type recipient = maildb.EditionRecipientsRow

// outgoing is one mail to queue.
type outgoing struct {
	to   recipient
	data templateData
	// dedup, when not empty, makes the mail queue at most once.
	dedup string
}

// data is the template data every mail of an edition to r shares; deadline may be nil.
func (s *Service) data(e edition.Edition, r recipient, deadline *time.Time) templateData {
	d := templateData{
		Name: r.DisplayName, Role: r.Role, City: r.CityName, Edition: e.Name, Year: e.Year,
		LoginURL: s.cfg.PublicURL + "/auth/login",
		// A Connect GET of the public results: any browser shows them as JSON.
		ResultsURL: s.cfg.PublicURL + "/miasta.v1.ResultsService/GetPublicResults?encoding=json&message=" +
			url.QueryEscape(fmt.Sprintf(`{"year":%d}`, e.Year)),
	}
	if deadline != nil {
		d.Deadline = edition.InWarsaw(*deadline)
	}
	return d
}

// queue renders and queues mail of one kind in tx, the transaction of the change that causes it:
// released at once when the kind is sent automatically, else held for review. It returns how many
// were queued (mail whose dedup key was queued before is not).
func (s *Service) queue(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, kind Kind, mails []outgoing) (int, error) {
	if len(mails) == 0 {
		return 0, nil
	}
	auto, err := s.autoSend(ctx, tx, editionID, kind)
	if err != nil {
		return 0, err
	}
	own, err := s.editionWordings(ctx, tx, editionID, kind)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range mails {
		lang, subject, body, err := s.tmpl.render(kind, m.to.Language, m.data)
		if t, ok := own[m.to.Language]; ok { // the edition's own wording in the recipient's language
			lang = m.to.Language
			subject, body, err = t.write(m.data)
		}
		if err != nil {
			return 0, fmt.Errorf("render %s mail: %w", kind, err)
		}
		// The Message-ID is fixed now, so that every attempt by any replica carries the same one and a
		// receiver can drop a duplicate delivered in the at-least-once window (see sendOne).
		id := uuid.New()
		p := maildb.InsertMailParams{
			ID: id, MessageID: id.String() + "@" + s.domain,
			EditionID: nullUUID(editionID), Kind: string(kind), RecipientEmail: strings.ToLower(m.to.Email),
			RecipientName: m.to.DisplayName, Language: lang, Subject: subject, Body: body, Status: string(Held),
		}
		if m.dedup != "" {
			p.DedupKey = &m.dedup
		}
		if auto {
			now := s.cfg.Now()
			p.Status, p.NextAttemptTime, p.ReleaseTime = string(Pending), &now, &now
		}
		rows, err := s.q.InsertMail(ctx, tx, p)
		if err != nil {
			return 0, fmt.Errorf("queue %s mail: %w", kind, err)
		}
		n += int(rows)
	}
	return n, nil
}

func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// notFound turns pgx.ErrNoRows into the fault for an unknown mail.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoMail
	}
	return err
}
