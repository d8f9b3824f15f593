package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// SignInCode queues, in tx, the mail that carries a sign-in code (see the SignInCode kind): released
// at once, and the sender is woken rather than left to its next poll.
func (s *Service) SignInCode(ctx context.Context, tx pgx.Tx, email, language, code string, expires time.Time) error {
	d := templateData{Code: code, Expires: expires.In(edition.Warsaw).Format("15:04"), LoginURL: s.cfg.PublicURL + "/auth/login"}
	lang, subject, body, err := s.tmpl.render(SignInCode, language, d)
	if err != nil {
		return fmt.Errorf("render sign-in code mail: %w", err)
	}
	id, now := uuid.New(), s.cfg.Now()
	if _, err := s.q.InsertMail(ctx, tx, maildb.InsertMailParams{
		ID: id, MessageID: id.String() + "@" + s.domain, Kind: string(SignInCode), RecipientEmail: strings.ToLower(email),
		Language: lang, Subject: subject, Body: body, Status: string(Pending), NextAttemptTime: &now, ReleaseTime: &now,
	}); err != nil {
		return fmt.Errorf("queue sign-in code mail: %w", err)
	}
	select {
	case s.wake <- struct{}{}:
	default: // already woken
	}
	return nil
}
