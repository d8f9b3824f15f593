package privacy_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/privacy"
)

// TestSweepRemovesExactlyWhatIsPastRetention: with a year for mail bodies, 90 days for delivery
// attempts and 30 for expired sessions, a sweep blanks the bodies of final mail last changed more than
// a year ago (not of mail still pending, however old), deletes attempts and expired sessions past
// their periods, and leaves everything younger; a second sweep finds nothing; zero periods keep all.
func TestSweepRemovesExactlyWhatIsPastRetention(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := t.Context()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	var user uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO users (issuer, subject, email, name) VALUES ('https://idp', 's', 'a@b.test', 'A') RETURNING id`).Scan(&user); err != nil {
		t.Fatal(err)
	}
	sessions := map[string]time.Time{"long expired": now.Add(-31 * day), "just expired": now.Add(-29 * day), "active": now.Add(time.Hour)}
	for name, expire := range sessions {
		if _, err := pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expire_time) VALUES ($1, $2, $3)`, []byte(name), user, expire); err != nil {
			t.Fatal(err)
		}
	}
	mails := []struct {
		name, status string
		age          time.Duration
		blanked      bool
	}{
		{"old sent", "SENT", 366 * day, true},
		{"old failed", "FAILED", 400 * day, true},
		{"young sent", "SENT", 364 * day, false},
		{"old pending", "PENDING", 400 * day, false},
	}
	ids := map[string]uuid.UUID{}
	for _, m := range mails {
		var id uuid.UUID
		if err := pool.QueryRow(ctx, `INSERT INTO mail_outbox (kind, message_id, recipient_email, language, subject, body, status, next_attempt_time, last_error, update_time)
			VALUES ('INVITATION', $1, 'a@b.test', 'pl', 'Temat', 'Treść: ' || $1, $2, $3, 'refused for a@b.test', $3) RETURNING id`,
			m.name, m.status, now.Add(-m.age)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[m.name] = id
	}
	for i, age := range []time.Duration{91 * day, 89 * day} {
		if _, err := pool.Exec(ctx, `INSERT INTO mail_delivery_attempts (mail_id, attempt, start_time, end_time, outcome) VALUES ($1, $2, $3, $3, 'TEMPORARY_FAILURE')`,
			ids["old failed"], i+1, now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keepAll := privacy.New(pool, log, privacy.Retention{})
	if got, err := keepAll.Sweep(ctx, now); err != nil || got != (privacy.Swept{}) {
		t.Fatalf("a sweep with no retention set = %+v, %v; want nothing removed", got, err)
	}
	svc := privacy.New(pool, log, privacy.Retention{MailBody: 365 * day, DeliveryAttempts: 90 * day, ExpiredSessions: 30 * day})
	got, err := svc.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (privacy.Swept{MailBodies: 2, DeliveryAttempts: 1, Sessions: 1}); got != want {
		t.Errorf("the sweep removed %+v; want %+v", got, want)
	}
	for _, m := range mails {
		var body, lastError, recipient string
		if err := pool.QueryRow(ctx, `SELECT body, last_error, recipient_email FROM mail_outbox WHERE id = $1`, ids[m.name]).Scan(&body, &lastError, &recipient); err != nil {
			t.Fatal(err)
		}
		if (body == "" && lastError == "") != m.blanked || recipient != "a@b.test" {
			t.Errorf("%s: body %q, last error %q, recipient %q; want blanked %v and the recipient kept", m.name, body, lastError, recipient, m.blanked)
		}
	}
	var attempts []int
	rows, _ := pool.Query(ctx, `SELECT attempt FROM mail_delivery_attempts ORDER BY attempt`)
	for rows.Next() {
		var a int
		_ = rows.Scan(&a)
		attempts = append(attempts, a)
	}
	if rows.Err() != nil || len(attempts) != 1 || attempts[0] != 2 {
		t.Errorf("delivery attempts left: %v (%v); want only the one that ended 89 days ago (attempt 2)", attempts, rows.Err())
	}
	for name := range sessions {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n == 0) != (name == "long expired") {
			t.Errorf("session %q: %d rows; want it deleted only if it expired more than 30 days ago", name, n)
		}
	}
	if again, err := svc.Sweep(ctx, now); err != nil || again != (privacy.Swept{}) {
		t.Errorf("a second sweep = %+v, %v; want nothing left to remove", again, err)
	}
}
