package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// The outcomes of a delivery attempt.
const (
	OutcomeSent      = "SENT"
	OutcomeTemporary = "TEMPORARY_FAILURE"
	OutcomePermanent = "PERMANENT_FAILURE"
)

// Run queues due reminders and delivers due mail every poll interval until ctx ends. Every replica
// runs it: an advisory lock elects one to compute reminders, and each mail is claimed by one sender at
// a time. Failed rounds are logged and retried on the next tick.
func (s *Service) Run(ctx context.Context) {
	if !s.Sending() {
		s.log.WarnContext(ctx, "no SMTP server configured: mail is queued and can be reviewed, but not sent")
	}
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	for {
		if _, err := s.Remind(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "queueing reminders", "error", err)
		}
		if s.Sending() {
			if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "sending mail", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// SendDue delivers mail that is due, one at a time, until none is left or ctx ends, and returns how
// many attempts it made.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		did, err := s.sendOne(ctx)
		if err != nil || !did {
			return n, err
		}
		n++
	}
	return n, nil
}

// sendOne claims the next due mail, hands it to the SMTP server and records the attempt and the
// mail's new status in the same transaction as the claim.
//
// The claim is a row lock (FOR UPDATE SKIP LOCKED) held while the mail is sent, so no other replica
// sends it meanwhile, and an organiser's discard waits for the outcome. A crash before the SMTP
// server's final 250 rolls the claim back: the mail was not accepted and is sent again later, once. A
// crash after the 250 but before the commit also rolls back, and the mail is then sent a second time:
// SMTP offers no way to make acceptance and our commit one step, so delivery is at least once within
// that window (milliseconds). Both copies carry the same Message-ID, which lets mail systems and
// people recognise the duplicate.
func (s *Service) sendOne(ctx context.Context) (bool, error) {
	// Not db.InTx: retrying the transaction would send the mail again.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	// Once claimed, the attempt runs to its end even when the server is stopping, within SendTimeout,
	// so a graceful shutdown never cuts a delivery in half.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.SendTimeout+5*time.Second)
	defer cancel()
	defer func() { _ = tx.Rollback(work) }()
	r, err := s.q.ClaimDueMail(ctx, tx, s.cfg.Now())
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if r.EditionID != nil {
		// A reminder released after its recipient caught up, or an invitation revoked while its mail
		// waited for review, must not go.
		still, err := s.recipients(work, tx, Kind(r.Kind), *r.EditionID)
		if err != nil {
			return true, err
		}
		if !slices.ContainsFunc(still, func(to recipient) bool { return strings.EqualFold(to.Email, r.RecipientEmail) }) {
			const why = "not sent: the recipient is no longer invited, or is no longer late for this reminder"
			if err := s.q.WithdrawMail(work, tx, maildb.WithdrawMailParams{ID: r.ID, Reason: why}); err != nil {
				return true, err
			}
			s.log.InfoContext(ctx, "mail withdrawn before sending", "mail", r.ID, "kind", r.Kind)
			return true, tx.Commit(work)
		}
	}
	start := s.cfg.Now()
	sendCtx, cancelSend := context.WithTimeout(work, s.cfg.SendTimeout)
	sendErr := s.deliver(sendCtx, r)
	cancelSend()
	end := s.cfg.Now()
	outcome, code, msg := classify(sendErr)
	attempt := r.Attempts + 1
	if err := s.q.InsertAttempt(work, tx, maildb.InsertAttemptParams{
		MailID: r.ID, Attempt: attempt, StartTime: start, EndTime: end, Outcome: outcome, SmtpCode: code, Error: msg,
	}); err != nil {
		return true, err
	}
	log := s.log.With("mail", r.ID, "kind", r.Kind, "attempt", attempt)
	tries := int64(attempt)
	if r.ReleaseTime != nil {
		if tries, err = s.q.CountAttemptsSince(work, tx, maildb.CountAttemptsSinceParams{MailID: r.ID, Since: *r.ReleaseTime}); err != nil {
			return true, err
		}
	}
	switch {
	case outcome == OutcomeSent:
		err = s.q.MarkMailSent(work, tx, maildb.MarkMailSentParams{ID: r.ID, Now: end})
		log.InfoContext(ctx, "mail sent")
	case outcome == OutcomeTemporary && tries < int64(s.cfg.MaxAttempts):
		next := end.Add(s.backoff(int(tries)))
		err = s.q.MarkMailRetry(work, tx, maildb.MarkMailRetryParams{ID: r.ID, NextAttemptTime: next, LastError: msg})
		log.WarnContext(ctx, "mail not sent; will retry", "error", msg, "next_attempt", next)
	default:
		err = s.q.MarkMailFailed(work, tx, maildb.MarkMailFailedParams{ID: r.ID, LastError: msg})
		log.ErrorContext(ctx, "mail not sent; giving up", "error", msg, "outcome", outcome)
	}
	if err != nil {
		return true, err
	}
	return true, tx.Commit(work)
}

// backoff is the pause after the attempt-th failure: RetryBase, doubling each time, at most RetryMax.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// connectError is a failure before the mail itself was offered (connecting, TLS, greeting,
// authentication): it says something about the server or our settings, not about the mail, so even a
// 5xx there is worth retrying once they are fixed.
type connectError struct{ err error }

func (e connectError) Error() string { return e.err.Error() }
func (e connectError) Unwrap() error { return e.err }

// classify turns a delivery's error into an attempt's outcome, SMTP code and message: 4xx replies and
// anything that is not a reply about the mail (network, TLS, authentication) are worth retrying, a 5xx
// reply to the mail is not.
func classify(err error) (outcome string, code int32, msg string) {
	if err == nil {
		return OutcomeSent, 0, ""
	}
	msg = err.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		code = int32(se.Code)
	}
	var ce connectError
	if code >= 500 && code < 600 && !errors.As(err, &ce) {
		return OutcomePermanent, code, msg
	}
	return OutcomeTemporary, code, msg
}

// compose writes the mail as an RFC 5322 message: UTF-8 plain text, quoted-printable, headers
// encoded as RFC 2047 where they need it.
func (s *Service) compose(r maildb.MailOutbox, date time.Time) ([]byte, error) {
	var h gomail.Header
	h.SetDate(date)
	h.SetAddressList("From", []*gomail.Address{{Name: s.from.Name, Address: s.from.Address}})
	h.SetAddressList("To", []*gomail.Address{{Name: r.RecipientName, Address: r.RecipientEmail}})
	h.SetSubject(r.Subject)
	h.SetMessageID(r.MessageID)
	h.Set("Content-Language", r.Language)
	h.Set("Auto-Submitted", "auto-generated")
	h.Set("X-Miasta-Mail-Kind", r.Kind)
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	var buf bytes.Buffer
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, r.Body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// deliver hands one mail to the SMTP server over a fresh connection.
func (s *Service) deliver(ctx context.Context, r maildb.MailOutbox) error {
	msg, err := s.compose(r, s.cfg.Now())
	if err != nil {
		return err
	}
	c, err := s.dial(ctx)
	if err != nil {
		return connectError{err}
	}
	defer c.Close()
	if err := c.Mail(s.from.Address, nil); err != nil {
		return err
	}
	if err := c.Rcpt(r.RecipientEmail, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	// Close waits for the server's reply to the message: 250 means it took responsibility for it.
	if err := w.Close(); err != nil {
		return err
	}
	_ = c.Quit() // accepted already; a failed goodbye changes nothing
	return nil
}

// dial connects and says hello in the configured TLS mode, and authenticates when credentials are
// configured. The connection's deadline is ctx's, and it closes when ctx ends.
func (s *Service) dial(ctx context.Context) (*smtp.Client, error) {
	cfg := s.cfg.SMTP
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tlsConfig := cfg.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	var c *smtp.Client
	switch cfg.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case TLSStartTLS:
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
	default:
		c = smtp.NewClient(conn)
	}
	if err != nil {
		stop()
		conn.Close()
		return nil, fmt.Errorf("STARTTLS: %w", err)
	}
	if err := c.Hello(s.domain); err != nil {
		c.Close()
		return nil, err
	}
	if cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", cfg.Username, cfg.Password)); err != nil {
			c.Close()
			return nil, fmt.Errorf("SMTP authentication: %w", err)
		}
	}
	return c, nil
}
