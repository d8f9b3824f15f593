package privacy

import (
	"context"
	"time"

	"github.com/miasta-otwarte/miasta/internal/signin"
)

// Retention says how long personal data that serves only a while is kept; zero keeps it forever.
type Retention struct {
	// MailBody: how long after a mail reached a final state (sent, failed, discarded) its body and
	// last error are kept; the mail's row (recipient, subject, status, times) stays.
	MailBody time.Duration
	// DeliveryAttempts: how long after it ended a delivery attempt (with the SMTP server's reply) is kept.
	DeliveryAttempts time.Duration
	// ExpiredSessions: how long after it expired a browser session's row is kept.
	ExpiredSessions time.Duration
	// SignInEvents: how long the built-in e-mail sign-in's events are kept (package signin); its
	// expired requests and tokens go at once.
	SignInEvents time.Duration
}

// Swept counts what one sweep removed.
type Swept struct {
	MailBodies       int64
	DeliveryAttempts int64
	Sessions         int64
	SignIn           int64
}

// Sweep blanks mail bodies and deletes delivery attempts and expired sessions older than the
// retention allows at now. Every statement is idempotent and set-based, so replicas may sweep at
// once without a lock.
func (s *Service) Sweep(ctx context.Context, now time.Time) (Swept, error) {
	var out Swept
	r := s.retention
	if r.MailBody > 0 {
		tag, err := s.pool.Exec(ctx, `UPDATE mail_outbox SET body = '', last_error = '', body_erase_time = $1
			WHERE status IN ('SENT', 'FAILED', 'DISCARDED') AND body_erase_time IS NULL AND update_time < $2`, now, now.Add(-r.MailBody))
		if err != nil {
			return out, err
		}
		out.MailBodies = tag.RowsAffected()
	}
	if r.DeliveryAttempts > 0 {
		tag, err := s.pool.Exec(ctx, `DELETE FROM mail_delivery_attempts WHERE end_time < $1`, now.Add(-r.DeliveryAttempts))
		if err != nil {
			return out, err
		}
		out.DeliveryAttempts = tag.RowsAffected()
	}
	if r.ExpiredSessions > 0 {
		tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expire_time < $1`, now.Add(-r.ExpiredSessions))
		if err != nil {
			return out, err
		}
		out.Sessions = tag.RowsAffected()
	}
	n, err := signin.Sweep(ctx, s.pool, now, r.SignInEvents)
	out.SignIn = n
	return out, err
}

// Run sweeps every interval until ctx ends, as the mail sender polls: a failed sweep is logged and
// tried again on the next tick.
func (s *Service) Run(ctx context.Context, interval time.Duration, now func() time.Time) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		swept, err := s.Sweep(ctx, now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "retention sweep", "error", err)
		case err == nil && swept != (Swept{}):
			s.log.InfoContext(ctx, "retention sweep", "mail_bodies", swept.MailBodies, "delivery_attempts", swept.DeliveryAttempts, "sessions", swept.Sessions, "signin", swept.SignIn)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
