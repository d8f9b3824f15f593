package mail

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/identity"
)

func TestParseOffsets(t *testing.T) {
	got, err := ParseOffsets(" 7d, 1d ,12h30m")
	if err != nil || len(got) != 3 || got[0] != (Offset{Days: 7}) || got[1] != (Offset{Days: 1}) || got[2] != (Offset{Duration: 12*time.Hour + 30*time.Minute}) {
		t.Fatalf("ParseOffsets = %v, %v", got, err)
	}
	if got[0].String() != "7d" || got[2].String() != "12h30m0s" {
		t.Fatalf("offset names %q %q", got[0], got[2])
	}
	if none, err := ParseOffsets(""); err != nil || len(none) != 0 {
		t.Fatalf("empty list = %v, %v", none, err)
	}
	for _, bad := range []string{"0d", "7", "-1h", "1.5d", "7d,7d", "soon"} {
		if _, err := ParseOffsets(bad); err == nil {
			t.Errorf("ParseOffsets(%q) accepted", bad)
		}
	}
}

// A day before is a day on the Warsaw calendar: across the change to summer time (2:00 on 29 March
// 2015) the reminder keeps its wall-clock time, which is 23 hours, not 24, before the deadline.
func TestReminderDueInWarsawTime(t *testing.T) {
	deadline := time.Date(2015, 3, 29, 12, 0, 0, 0, edition.Warsaw)
	week, day := Offset{Days: 7}, Offset{Days: 1}
	if at := day.before(deadline); !at.Equal(time.Date(2015, 3, 28, 12, 0, 0, 0, edition.Warsaw)) || deadline.Sub(at) != 23*time.Hour {
		t.Fatalf("a day before %v is %v (%v earlier)", deadline, at, deadline.Sub(at))
	}
	offsets := []Offset{week, day}
	cases := []struct {
		now  time.Time
		want Offset
		due  bool
	}{
		{deadline.Add(-8 * 24 * time.Hour), Offset{}, false},
		{deadline.AddDate(0, 0, -7), week, true},
		{deadline.Add(-3 * 24 * time.Hour), week, true},
		{deadline.Add(-23 * time.Hour), day, true}, // both have come: the later one
		{deadline.Add(-time.Minute), day, true},
		{deadline, Offset{}, false}, // past the deadline reminders are pointless
	}
	for _, c := range cases {
		got, due := dueOffset(offsets, deadline, c.now)
		if due != c.due || got != c.want {
			t.Errorf("at %v: due %v %v; want %v %v", c.now.In(edition.Warsaw), got, due, c.want, c.due)
		}
	}
}

func TestBackoffDoublesUpToTheMaximum(t *testing.T) {
	s := &Service{cfg: Config{RetryBase: time.Second, RetryMax: 10 * time.Second}}
	var got []time.Duration
	for a := 1; a <= 6; a++ {
		got = append(got, s.backoff(a))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff = %v; want %v", got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err     error
		outcome string
		code    int32
	}{
		{nil, OutcomeSent, 0},
		{&smtp.SMTPError{Code: 451, Message: "try later"}, OutcomeTemporary, 451},
		{&smtp.SMTPError{Code: 550, Message: "no such user"}, OutcomePermanent, 550},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, OutcomeTemporary, 0},
		{connectError{&smtp.SMTPError{Code: 535, Message: "bad credentials"}}, OutcomeTemporary, 535},
	}
	for _, c := range cases {
		if o, code, _ := classify(c.err); o != c.outcome || code != c.code {
			t.Errorf("classify(%v) = %s %d; want %s %d", c.err, o, code, c.outcome, c.code)
		}
	}
}

// Every kind has a template in every language the jurors speak, each renders, and a language with no
// templates falls back to English.
func TestTemplatesInEveryLanguage(t *testing.T) {
	ts, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	d := templateData{Name: "Олена Коваленко", Role: "JUROR", City: "Łódź", Edition: "Miasta Otwarte 2015", Year: 2015,
		Deadline: "2015-05-14 15:30 (Europe/Warsaw)", Comment: "Proszę dodać partnerów.", LoginURL: "https://miasta.example/auth/login",
		ResultsURL: "https://miasta.example/results", Subject: "Spotkanie jury", Message: "Drodzy jurorzy, Олена Коваленко zaprasza."}
	for _, lang := range []string{"pl", "en", "uk", "es", "vi"} {
		for _, k := range Kinds {
			got, subject, body, err := ts.render(k, lang, d)
			if err != nil || got != lang {
				t.Fatalf("%s %s: language %q, %v", lang, k, got, err)
			}
			if subject == "" || strings.Contains(subject, "\n") || !strings.Contains(body, d.Name) {
				t.Errorf("%s %s: subject %q, body %q", lang, k, subject, body)
			}
			link := d.LoginURL
			if k == ResultsAnnounced {
				link = d.ResultsURL
			}
			if !strings.Contains(body, link) {
				t.Errorf("%s %s: the body lacks %s", lang, k, link)
			}
		}
	}
	if got, _, _, _ := ts.render(Invitation, "de", d); got != "en" {
		t.Errorf("German fell back to %q; want en", got)
	}
	d.Name = "Line\nbreak"
	if _, subject, _, _ := ts.render(ReportingReminder, "pl", d); strings.Contains(subject, "\n") {
		t.Errorf("subject %q has a line break", subject)
	}
}

// The invitation mail is queued in the invitation's transaction: when a later step of that
// transaction fails, neither the invitation nor its mail exists.
func TestRolledBackInvitationQueuesNothing(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewPool(t)
	log := slog.New(slog.DiscardHandler)
	svc, err := NewService(pool, log, Config{PublicURL: "https://miasta.example"})
	if err != nil {
		t.Fatal(err)
	}
	org := &auth.Principal{Organiser: true}
	editions := edition.NewService(pool, log)
	e, err := editions.Create(ctx, org, edition.NewEdition{Year: 2015, Name: "Miasta Otwarte 2015"})
	if err != nil {
		t.Fatal(err)
	}
	city, err := editions.CreateCity(ctx, org, "Łódź")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("a later step of the invitation failed")
	failing := identity.NewStore(pool, nil, log, svc.InviteHook(), func(context.Context, pgx.Tx, edition.Edition, identity.Invitation) error { return boom })
	inv := identity.NewInvitation{EditionID: e.ID, Email: "juror@miasta.test", Role: auth.RoleJuror, CityID: city.ID, DisplayName: "Kwame Owusu", Language: "en"}
	if _, err := failing.Invite(ctx, nil, inv); !errors.Is(err, boom) {
		t.Fatalf("Invite = %v; want the hook's error", err)
	}
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("a rolled-back invitation left %d mails", n)
	}
	// The same invitation through a store without the failing step queues one held mail.
	if _, err := identity.NewStore(pool, nil, log, svc.InviteHook()).Invite(ctx, nil, inv); err != nil {
		t.Fatal(err)
	}
	mails, _, err := svc.List(ctx, Filter{EditionID: e.ID}, 10, "")
	if err != nil || len(mails) != 1 || mails[0].Status != Held || mails[0].Language != "en" || mails[0].Kind != Invitation {
		t.Fatalf("outbox = %+v, %v; want one held English invitation", mails, err)
	}
}
