package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/emersion/go-smtp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/edition"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/mailcapture"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// Mail timings for tests: a short poll and backoff, so nothing waits long; no test asserts speed.
const (
	mailPoll  = 50 * time.Millisecond
	retryBase = 200 * time.Millisecond
)

// startCapture runs a real SMTP server (emersion/go-smtp) on 127.0.0.1 that keeps what it accepts.
func startCapture(t *testing.T) *mailcapture.Server {
	t.Helper()
	c, err := mailcapture.Start("127.0.0.1:0", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// smtpTo configures a server to deliver to the capture, in the clear, with test timings.
func smtpTo(capture *mailcapture.Server) func(*config.Config) {
	return func(c *config.Config) {
		host, port, _ := net.SplitHostPort(capture.Addr)
		c.SMTPHost, c.SMTPTLS = host, "none"
		c.SMTPPort, _ = strconv.Atoi(port)
		c.MailFrom = "Miasta Otwarte <noreply@miasta.test>"
		c.MailPollInterval, c.MailRetryBase, c.MailRetryMax, c.MailMaxAttempts = mailPoll, retryBase, 2*time.Second, 5
	}
}

// mailEnv starts the platform with a capture as its SMTP server.
func mailEnv(t *testing.T) (*testenv.Env, *mailcapture.Server) {
	t.Helper()
	capture := startCapture(t)
	return testenv.Start(t, testenv.Options{Configure: smtpTo(capture)}), capture
}

// eventually polls cond until it holds, failing the test after 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outbox lists every mail of an edition (all editions when editionID is empty) of a kind (any when
// unspecified).
func outbox(t *testing.T, org testenv.Clients, editionID string, kind v1.MailKind) []*v1.OutboxMail {
	t.Helper()
	var all []*v1.OutboxMail
	token := ""
	for {
		resp := testenv.Must(org.Mail.ListOutbox(t.Context(), &v1.ListOutboxRequest{EditionId: editionID, Kind: kind, PageSize: 7, PageToken: token}))
		all = append(all, resp.GetMails()...)
		if token = resp.GetNextPageToken(); token == "" {
			return all
		}
	}
}

// delivered returns the captured messages to addr, of a kind (any when empty).
func delivered(c *mailcapture.Server, addr, kind string) []mailcapture.Message {
	var out []mailcapture.Message
	for _, m := range c.Messages() {
		if len(m.To) == 1 && m.To[0] == addr && (kind == "" || m.Header.Get("X-Miasta-Mail-Kind") == kind) {
			out = append(out, m)
		}
	}
	return out
}

func setPolicy(t *testing.T, org testenv.Clients, editionID string, kind v1.MailKind, d v1.MailDelivery) []*v1.MailPolicy {
	t.Helper()
	return testenv.Must(org.Mail.SetMailPolicy(t.Context(), &v1.SetMailPolicyRequest{EditionId: editionID, Kind: kind, Delivery: d})).GetPolicies()
}

// TestInvitationMailInTheInviteesLanguage sends invitations automatically and checks what arrives at
// the SMTP server: one message per invitee, to them, in their language (else English), with the login
// link and the outbox's stable Message-ID.
func TestInvitationMailInTheInviteesLanguage(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	city := e.GetCities()[0]
	setPolicy(t, org, "", v1.MailKind_MAIL_KIND_INVITATION, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)

	people := []struct {
		email, lang, wantLang, subject string
		role                           v1.Role
	}{
		{"ekspertka@miasta.test", "", "pl", "Zaproszenie: ", v1.Role_ROLE_EXPERT},
		{"olena@miasta.test", "uk", "uk", "Запрошення: ", v1.Role_ROLE_JUROR},
		{"lan@miasta.test", "vi", "vi", "Lời mời: ", v1.Role_ROLE_JUROR},
		{"yusniel@miasta.test", "es", "es", "Invitación: ", v1.Role_ROLE_JUROR},
		{"kwame@miasta.test", "en", "en", "Invitation: ", v1.Role_ROLE_JUROR},
	}
	for _, p := range people {
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
			EditionId: e.GetId(), Email: strings.ToUpper(p.email[:1]) + p.email[1:], Role: p.role, CityId: city.GetId(),
			DisplayName: "Osoba " + p.lang, Language: p.lang,
		}))
	}
	eventually(t, "five invitations delivered", func() bool { return len(capture.Messages()) >= 5 })
	mails := outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION)
	eventually(t, "five invitations marked sent", func() bool {
		mails = outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION)
		for _, m := range mails {
			if m.GetStatus() != v1.MailStatus_MAIL_STATUS_SENT {
				return false
			}
		}
		return len(mails) == 5
	})
	byAddr := map[string]*v1.OutboxMail{}
	for _, m := range mails {
		byAddr[m.GetRecipientEmail()] = m
	}
	for _, p := range people {
		got := delivered(capture, p.email, "INVITATION")
		if len(got) != 1 {
			t.Errorf("%s got %d invitations; want 1", p.email, len(got))
			continue
		}
		m, row := got[0], byAddr[p.email]
		if lang := m.Header.Get("Content-Language"); lang != p.wantLang || row.GetLanguage() != p.wantLang {
			t.Errorf("%s: Content-Language %q, outbox language %q; want %s", p.email, lang, row.GetLanguage(), p.wantLang)
		}
		if !strings.HasPrefix(m.Subject, p.subject) || !strings.Contains(m.Subject, e.GetName()) {
			t.Errorf("%s: subject %q; want %q and the edition", p.email, m.Subject, p.subject)
		}
		if !strings.Contains(m.Body, env.URL+"/auth/login") || !strings.Contains(m.Body, "Osoba "+p.lang) {
			t.Errorf("%s: the body lacks the login link or the name:\n%s", p.email, m.Body)
		}
		if m.MessageID() != row.GetMessageId() || row.GetAttempts() != 1 || m.From != "noreply@miasta.test" {
			t.Errorf("%s: Message-ID %q (outbox %q), attempts %d, envelope from %q", p.email, m.MessageID(), row.GetMessageId(), row.GetAttempts(), m.From)
		}
		attempts := testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: row.GetId()})).GetAttempts()
		if len(attempts) != 1 || attempts[0].GetOutcome() != v1.DeliveryOutcome_DELIVERY_OUTCOME_SENT {
			t.Errorf("%s: attempts %v; want one, sent", p.email, attempts)
		}
	}
}

// TestMailReviewFlow: by default mail is held; a held mail is not sent until released, an edited one
// goes out as edited, a discarded one never; a kind set to send automatically skips review; every
// review step is an audit event; only organisers see the outbox.
func TestMailReviewFlow(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	city := e.GetCities()[0]
	inviteOnly := func(email string) {
		t.Helper()
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
			EditionId: e.GetId(), Email: email, Role: v1.Role_ROLE_EXPERT, CityId: city.GetId(), DisplayName: "Ekspertka", Language: "pl",
		}))
	}
	policies := testenv.Must(org.Mail.GetMailPolicy(ctx, &v1.GetMailPolicyRequest{EditionId: e.GetId()})).GetPolicies()
	if len(policies) != 9 || policies[7].GetSource() != v1.MailPolicySource_MAIL_POLICY_SOURCE_FIXED || policies[7].GetDelivery() != v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC || policies[0].GetDelivery() != v1.MailDelivery_MAIL_DELIVERY_REVIEW || policies[0].GetSource() != v1.MailPolicySource_MAIL_POLICY_SOURCE_DEFAULT {
		t.Fatalf("default policies = %v; want every kind held for review", policies)
	}
	for _, a := range []string{"a", "b", "c"} {
		inviteOnly(a + "@miasta.test")
	}
	mails := outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_UNSPECIFIED)
	if len(mails) != 3 {
		t.Fatalf("outbox has %d mails; want 3 invitations", len(mails))
	}
	byAddr := map[string]*v1.OutboxMail{}
	for _, m := range mails {
		if m.GetStatus() != v1.MailStatus_MAIL_STATUS_HELD || m.GetVersion() != 1 {
			t.Fatalf("queued mail %v; want held at version 1", m)
		}
		byAddr[m.GetRecipientEmail()] = m
	}
	a, b, c := byAddr["a@miasta.test"], byAddr["b@miasta.test"], byAddr["c@miasta.test"]

	// Held mail stays put while the sender polls many times over.
	time.Sleep(20 * mailPoll)
	if n := len(capture.Messages()); n != 0 {
		t.Fatalf("%d held mails were sent", n)
	}

	// Non-organisers get PermissionDenied, whatever they hold.
	expert := env.Invite(t, org, testenv.Connect, e.GetId(), v1.Role_ROLE_EXPERT, city, "ekspert.mail@miasta.test")
	if _, err := expert.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{}); testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("an expert's ListOutbox = %v; want PermissionDenied", err)
	}
	if _, err := expert.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: a.GetId(), ExpectedVersion: 1}); testenv.Code(err) != connect.CodePermissionDenied {
		t.Fatalf("an expert's ReleaseOutboxMail = %v; want PermissionDenied", err)
	}

	before := env.EventCount(t)
	const subject, body = "Zaproszenie — poprawione", "Treść poprawiona przez organizatorkę: zażółć gęślą jaźń.\nDruga linia."
	edited := testenv.Must(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: a.GetId(), ExpectedVersion: 1, Subject: subject, Body: body})).GetMail()
	if edited.GetVersion() != 2 || !edited.GetEdited() || edited.GetStatus() != v1.MailStatus_MAIL_STATUS_HELD {
		t.Fatalf("edited mail = %v", edited)
	}
	// A stale version is refused with the current mail attached, and changes nothing.
	_, err := org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: a.GetId(), ExpectedVersion: 1, Subject: "x", Body: "y"})
	var ce *connect.Error
	conflict := &v1.OutboxMailConflict{}
	if testenv.Code(err) != connect.CodeAborted || !errors.As(err, &ce) || len(ce.Details()) == 0 {
		t.Fatalf("a stale edit = %v; want Aborted with the current mail", err)
	}
	for _, d := range ce.Details() {
		if v, err := d.Value(); err == nil {
			if cf, ok := v.(*v1.OutboxMailConflict); ok {
				conflict = cf
			}
		}
	}
	if conflict.GetCurrent().GetSubject() != subject {
		t.Fatalf("the conflict carries %v; want the edited mail", conflict.GetCurrent())
	}
	if _, err := org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: a.GetId(), ExpectedVersion: 1}); testenv.Code(err) != connect.CodeAborted {
		t.Fatalf("releasing a version the organiser did not read = %v; want Aborted", err)
	}
	testenv.Must(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: a.GetId(), ExpectedVersion: 2}))
	testenv.Must(org.Mail.DiscardOutboxMail(ctx, &v1.DiscardOutboxMailRequest{MailId: b.GetId(), ExpectedVersion: 1}))
	testenv.Must(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: c.GetId(), ExpectedVersion: 1}))
	// Once discarded, a mail cannot be released, edited or discarded again.
	if _, err := org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: b.GetId(), ExpectedVersion: 2}); testenv.Code(err) != connect.CodeFailedPrecondition || testenv.Field(err) != "mail_id" {
		t.Fatalf("releasing a discarded mail = %v; want FailedPrecondition naming mail_id", err)
	}

	eventually(t, "the released mails delivered", func() bool {
		return len(delivered(capture, "a@miasta.test", "")) == 1 && len(delivered(capture, "c@miasta.test", "")) == 1
	})
	got := delivered(capture, "a@miasta.test", "")[0]
	if got.Subject != subject || strings.TrimRight(strings.ReplaceAll(got.Body, "\r\n", "\n"), "\n") != body {
		t.Fatalf("the edited mail arrived as %q:\n%q", got.Subject, got.Body)
	}

	// The organiser lets invitations go out without review in this edition: the next one does.
	ps := setPolicy(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	if ps[0].GetDelivery() != v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC || ps[0].GetSource() != v1.MailPolicySource_MAIL_POLICY_SOURCE_EDITION {
		t.Fatalf("policies after the change = %v", ps)
	}
	if global := testenv.Must(org.Mail.GetMailPolicy(ctx, &v1.GetMailPolicyRequest{})).GetPolicies(); global[0].GetDelivery() != v1.MailDelivery_MAIL_DELIVERY_REVIEW {
		t.Fatalf("an edition's choice changed the platform's: %v", global)
	}
	inviteOnly("d@miasta.test")
	eventually(t, "the automatic invitation delivered", func() bool { return len(delivered(capture, "d@miasta.test", "INVITATION")) == 1 })

	// Wait for the sender to go idle, then check that nothing else was sent: not the discarded mail,
	// not the expert's held invitation, nothing twice.
	eventually(t, "no mail pending", func() bool {
		return len(testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{Status: v1.MailStatus_MAIL_STATUS_PENDING})).GetMails()) == 0
	})
	time.Sleep(5 * mailPoll)
	if len(delivered(capture, "b@miasta.test", "")) != 0 || len(delivered(capture, "ekspert.mail@miasta.test", "")) != 0 || len(capture.Messages()) != 3 {
		t.Fatalf("captured %d messages; want exactly a, c and d", len(capture.Messages()))
	}
	if b := testenv.Must(org.Mail.GetOutboxMail(ctx, &v1.GetOutboxMailRequest{MailId: b.GetId()})).GetMail(); b.GetStatus() != v1.MailStatus_MAIL_STATUS_DISCARDED || b.GetAttempts() != 0 {
		t.Fatalf("discarded mail = %v", b)
	}
	// edit, release, discard, release, the policy, and the invitation of d: six events, no addresses.
	if n := env.EventCount(t) - before; n != 6 {
		t.Fatalf("%d events; want 6", n)
	}
	var leaked int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE kind LIKE 'mail.%' AND payload::text LIKE '%@%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Fatalf("%d mail events carry an address (%v)", leaked, err)
	}
}

// TestBadMailRequests: malformed or impossible requests get the right code and field and change nothing.
func TestBadMailRequests(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	unknown := "0b0e6e3c-5a4e-4d39-9a43-2b3c1f1d9c77"
	cases := []struct {
		name  string
		call  func() error
		code  connect.Code
		field string
	}{
		{"malformed mail id", func() error {
			return testenv.ErrOf(org.Mail.GetOutboxMail(ctx, &v1.GetOutboxMailRequest{MailId: "42"}))
		}, connect.CodeInvalidArgument, "mail_id"},
		{"unknown mail", func() error {
			return testenv.ErrOf(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: unknown, ExpectedVersion: 1}))
		}, connect.CodeNotFound, "mail_id"},
		{"no version", func() error {
			return testenv.ErrOf(org.Mail.DiscardOutboxMail(ctx, &v1.DiscardOutboxMailRequest{MailId: unknown}))
		}, connect.CodeInvalidArgument, "expected_version"},
		{"empty subject", func() error {
			return testenv.ErrOf(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: unknown, ExpectedVersion: 1, Body: "x"}))
		}, connect.CodeInvalidArgument, "subject"},
		{"two-line subject", func() error {
			return testenv.ErrOf(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: unknown, ExpectedVersion: 1, Subject: "a\r\nBcc: x@y.z", Body: "x"}))
		}, connect.CodeInvalidArgument, "subject"},
		{"oversized body", func() error {
			return testenv.ErrOf(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: unknown, ExpectedVersion: 1, Subject: "s", Body: strings.Repeat("ż", 20001)}))
		}, connect.CodeInvalidArgument, "body"},
		{"unspecified kind", func() error {
			return testenv.ErrOf(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{Delivery: v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC}))
		}, connect.CodeInvalidArgument, "kind"},
		{"unknown kind", func() error {
			return testenv.ErrOf(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{Kind: v1.MailKind(99)}))
		}, connect.CodeInvalidArgument, "kind"},
		{"unknown edition's policy", func() error {
			return testenv.ErrOf(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{EditionId: unknown, Kind: v1.MailKind_MAIL_KIND_INVITATION}))
		}, connect.CodeNotFound, "edition_id"},
		{"malformed edition filter", func() error {
			return testenv.ErrOf(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{EditionId: "2015"}))
		}, connect.CodeInvalidArgument, "edition_id"},
		{"bad page token", func() error {
			return testenv.ErrOf(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{PageToken: "nie"}))
		}, connect.CodeInvalidArgument, "page_token"},
		{"oversized page", func() error {
			return testenv.ErrOf(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{PageSize: 101}))
		}, connect.CodeInvalidArgument, "page_size"},
		// A refused invitation queues no mail either.
		{"invitation for a city that does not report", func() error {
			other := testenv.Must(org.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: "Miasto obce " + e.GetId()[:8]})).GetCity()
			return testenv.ErrOf(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: "x@miasta.test", Role: v1.Role_ROLE_EXPERT, CityId: other.GetId(), DisplayName: "X"}))
		}, connect.CodeInvalidArgument, "city_id"},
		{"import with a bad row", func() error {
			csv := "name,email,role,city\nDobra,dobra@miasta.test,expert," + e.GetCities()[0].GetName() + "\nZła,nie-adres,expert," + e.GetCities()[0].GetName() + "\n"
			return testenv.ErrOf(org.Identity.ImportInvitations(ctx, &v1.ImportInvitationsRequest{EditionId: e.GetId(), Source: &v1.ImportInvitationsRequest_Csv{Csv: csv}}))
		}, connect.CodeInvalidArgument, "csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := env.EventCount(t)
			err := c.call()
			if testenv.Code(err) != c.code || testenv.Field(err) != c.field {
				t.Fatalf("%v (field %q); want %v naming %s", err, testenv.Field(err), c.code, c.field)
			}
			if env.EventCount(t) != before && c.name != "invitation for a city that does not report" {
				t.Fatal("a refused call wrote an event")
			}
		})
	}
	if mails := outbox(t, org, "", v1.MailKind_MAIL_KIND_UNSPECIFIED); len(mails) != 0 {
		t.Fatalf("refused changes queued %d mails", len(mails))
	}
}

// TestRemindersOnlyToTheLate: reminders go before the reporting deadline only to experts whose city
// has not submitted, once per offset however often the scheduler runs, and before the jury deadline
// only to jurors who have not cast. A returned report counts as not submitted, and its expert hears
// the organiser's comment.
func TestRemindersOnlyToTheLate(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	setPolicy(t, org, "", v1.MailKind_MAIL_KIND_REPORTING_OPENED, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	setPolicy(t, org, "", v1.MailKind_MAIL_KIND_REPORTING_REMINDER, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	setPolicy(t, org, "", v1.MailKind_MAIL_KIND_REPORT_RETURNED, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	r := env.ReportingEdition(t, org, testenv.Connect, 30*24*time.Hour)
	onTime, late := r.Emails[0], r.Emails[1]
	eventually(t, "reporting-opened mail to both experts", func() bool {
		return len(delivered(capture, onTime, "REPORTING_OPENED")) == 1 && len(delivered(capture, late, "REPORTING_OPENED")) == 1
	})
	if m := delivered(capture, late, "REPORTING_OPENED")[0]; !strings.Contains(m.Body, r.Cities[1].GetName()) || !strings.Contains(m.Body, edition.InWarsaw(r.Deadline)) {
		t.Fatalf("reporting-opened mail lacks the city or the deadline:\n%s", m.Body)
	}

	// City 0 submits; then the deadline moves to three days ahead: the seven-day reminder is due.
	saved := testenv.Must(r.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(), Practices: []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}})).GetReport()
	submitted := testenv.Must(r.Experts[0].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(), ExpectedVersion: saved.GetVersion()})).GetReport()
	soon := time.Now().Add(3 * 24 * time.Hour).Truncate(time.Minute)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: r.ID(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(soon)}}))
	eventually(t, "the seven-day reminder", func() bool { return len(delivered(capture, late, "REPORTING_REMINDER")) == 1 })
	m := delivered(capture, late, "REPORTING_REMINDER")[0]
	if !strings.Contains(m.Subject, r.Cities[1].GetName()) || !strings.Contains(m.Body, edition.InWarsaw(soon)) || !strings.Contains(m.Body, env.URL+"/auth/login") {
		t.Fatalf("reminder %q lacks the city, the Warsaw deadline %s or the link:\n%s", m.Subject, edition.InWarsaw(soon), m.Body)
	}
	time.Sleep(10 * mailPoll) // the scheduler runs again and again: still one reminder, none to the punctual
	if n := len(delivered(capture, late, "REPORTING_REMINDER")); n != 1 {
		t.Fatalf("%d seven-day reminders; want 1", n)
	}
	if n := len(delivered(capture, onTime, "REPORTING_REMINDER")); n != 0 {
		t.Fatalf("the city that submitted got %d reminders", n)
	}

	// Twelve hours before the deadline the one-day reminder is due, once, still only to the late.
	soon = time.Now().Add(12 * time.Hour).Truncate(time.Minute)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: r.ID(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(soon)}}))
	eventually(t, "the one-day reminder", func() bool { return len(delivered(capture, late, "REPORTING_REMINDER")) == 2 })
	if n := len(delivered(capture, onTime, "REPORTING_REMINDER")); n != 0 {
		t.Fatalf("the city that submitted got %d reminders", n)
	}

	// Returned, city 0's report is not submitted any more: its expert hears why, then is reminded too.
	const comment = "Proszę dodać partnerów — Komentarz-7f3a."
	testenv.Must(org.Reports.ReturnReport(ctx, &v1.ReturnReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(), ExpectedVersion: submitted.GetVersion(), Comment: comment}))
	eventually(t, "the returned-report mail and the reminder", func() bool {
		return len(delivered(capture, onTime, "REPORT_RETURNED")) == 1 && len(delivered(capture, onTime, "REPORTING_REMINDER")) == 1
	})
	if m := delivered(capture, onTime, "REPORT_RETURNED")[0]; !strings.Contains(m.Body, comment) || !strings.Contains(m.Subject, r.Cities[0].GetName()) {
		t.Fatalf("returned-report mail %q lacks the comment or the city:\n%s", m.Subject, m.Body)
	}
}

// TestHeldMailLosesItsReasonToGo holds reminders and invitations for review: a reminder released
// after its city submitted, and an invitation released after it was revoked, are withdrawn by the
// sender, never delivered, and say why; the late expert's reminder goes.
func TestHeldMailLosesItsReasonToGo(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r := env.ReportingEdition(t, org, testenv.Connect, 30*24*time.Hour)
	caughtUp, late := r.Emails[0], r.Emails[1]
	soon := time.Now().Add(3 * 24 * time.Hour).Truncate(time.Minute)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: r.ID(), Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(soon)}}))
	var reminders []*v1.OutboxMail
	eventually(t, "a held reminder for each city", func() bool {
		reminders = outbox(t, org, r.ID(), v1.MailKind_MAIL_KIND_REPORTING_REMINDER)
		return len(reminders) == 2
	})
	// City 0 submits while the reminders wait for review.
	saved := testenv.Must(r.Experts[0].Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(), Practices: []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}})).GetReport()
	testenv.Must(r.Experts[0].Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: r.ID(), CityId: r.Cities[0].GetId(), ExpectedVersion: saved.GetVersion()}))
	// A juror is invited, and the invitation revoked before its mail is released.
	juror := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: r.ID(), Email: "juror.revoked@miasta.test", Role: v1.Role_ROLE_JUROR, CityId: r.Cities[0].GetId(), DisplayName: "Juror Revoked"})).GetInvitation()
	testenv.Must(org.Identity.RevokeInvitation(ctx, &v1.RevokeInvitationRequest{InvitationId: juror.GetId()}))
	var invitation *v1.OutboxMail
	for _, m := range outbox(t, org, r.ID(), v1.MailKind_MAIL_KIND_INVITATION) {
		if m.GetRecipientEmail() == "juror.revoked@miasta.test" {
			invitation = m
		}
	}
	if invitation == nil || invitation.GetStatus() != v1.MailStatus_MAIL_STATUS_HELD {
		t.Fatalf("the revoked juror's invitation mail = %v; want it held for review", invitation)
	}
	for _, m := range append(reminders, invitation) {
		testenv.Must(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: m.GetId(), ExpectedVersion: m.GetVersion()}))
	}
	eventually(t, "the late expert's reminder", func() bool { return len(delivered(capture, late, "REPORTING_REMINDER")) == 1 })
	for _, m := range append(reminders, invitation) {
		if m.GetRecipientEmail() == late {
			continue
		}
		var got *v1.OutboxMail
		eventually(t, "the sender to withdraw "+m.GetRecipientEmail()+"'s mail", func() bool {
			got = testenv.Must(org.Mail.GetOutboxMail(ctx, &v1.GetOutboxMailRequest{MailId: m.GetId()})).GetMail()
			return got.GetStatus() != v1.MailStatus_MAIL_STATUS_PENDING
		})
		if got.GetStatus() != v1.MailStatus_MAIL_STATUS_DISCARDED || got.GetAttempts() != 0 || !strings.Contains(got.GetLastError(), "no longer") {
			t.Errorf("mail to %s = %v, %d attempts, %q; want discarded unsent, saying why", m.GetRecipientEmail(), got.GetStatus(), got.GetAttempts(), got.GetLastError())
		}
	}
	if n := len(delivered(capture, caughtUp, "REPORTING_REMINDER")) + len(delivered(capture, "juror.revoked@miasta.test", "")); n != 0 {
		t.Fatalf("%d mails reached people who no longer had a reason to get them", n)
	}
}

// TestBallotReminderOnlyToJurorsWhoHaveNotCast opens a jury round and moves its deadline close: the
// juror who cast is left alone, the one who has not is reminded, once.
func TestBallotReminderOnlyToJurorsWhoHaveNotCast(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	for _, k := range []v1.MailKind{v1.MailKind_MAIL_KIND_JURY_OPENED, v1.MailKind_MAIL_KIND_BALLOT_REMINDER, v1.MailKind_MAIL_KIND_RESULTS_ANNOUNCED} {
		setPolicy(t, org, "", k, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	}
	e := testenv.SeedEdition(t, org)
	r, noms := env.Shortlisted(t, org, testenv.Connect, e, nil, func(r *testenv.Reporting, i int) []*v1.Practice {
		return []*v1.Practice{testenv.Practice("Punkt informacyjny", r.Categories[0], r.Criteria...)}
	})
	id := r.ID()
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	voter := fmt.Sprintf("juror.glos.%d@miasta.test", e.GetYear())
	idle := fmt.Sprintf("juror.cisza.%d@miasta.test", e.GetYear())
	jv := env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, e, "Wrocław"), voter, "Yusniel Pérez")
	env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, e, "Lublin"), idle, "Олена Коваленко")
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{
		ReportingDeadline: timestamppb.New(r.Deadline), JuryDeadline: timestamppb.New(time.Now().Add(30 * 24 * time.Hour)),
	}}))
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	eventually(t, "jury-opened mail to both jurors", func() bool {
		return len(delivered(capture, voter, "JURY_OPENED")) == 1 && len(delivered(capture, idle, "JURY_OPENED")) == 1
	})
	cast := testenv.CastScores(t, jv, id, testenv.Mark(noms[0][0], r.Criteria[0], 4))
	// The cast's receipt goes out at once, whatever the policy (receipts have none: FIXED), to the
	// juror, with the hash; nobody can edit or withdraw it.
	eventually(t, "the ballot receipt", func() bool { return len(delivered(capture, voter, "BALLOT_RECEIPT")) == 1 })
	if m := delivered(capture, voter, "BALLOT_RECEIPT")[0]; !strings.Contains(m.Body, cast.GetReceipt().GetBallotHash()) || !strings.Contains(m.Body, env.URL+"/results/") {
		t.Fatalf("the receipt mail lacks the hash %s or the results page:\n%s", cast.GetReceipt().GetBallotHash(), m.Body)
	}
	receipts := outbox(t, org, id, v1.MailKind_MAIL_KIND_BALLOT_RECEIPT)
	if len(receipts) != 1 {
		t.Fatalf("outbox receipts = %v; want one", receipts)
	}
	rm := receipts[0]
	env.Refused(t, connect.CodeFailedPrecondition, "mail_id", func() error {
		return testenv.ErrOf(org.Mail.EditOutboxMail(ctx, &v1.EditOutboxMailRequest{MailId: rm.GetId(), ExpectedVersion: rm.GetVersion(), Subject: "Inny", Body: "Inna treść"}))
	})
	env.Refused(t, connect.CodeFailedPrecondition, "mail_id", func() error {
		return testenv.ErrOf(org.Mail.DiscardOutboxMail(ctx, &v1.DiscardOutboxMailRequest{MailId: rm.GetId(), ExpectedVersion: rm.GetVersion()}))
	})
	env.Refused(t, connect.CodeInvalidArgument, "kind", func() error {
		return testenv.ErrOf(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{EditionId: id, Kind: v1.MailKind_MAIL_KIND_BALLOT_RECEIPT, Delivery: v1.MailDelivery_MAIL_DELIVERY_REVIEW}))
	})
	soon := time.Now().Add(3 * 24 * time.Hour)
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{
		ReportingDeadline: timestamppb.New(r.Deadline), JuryDeadline: timestamppb.New(soon),
	}}))
	eventually(t, "the ballot reminder", func() bool { return len(delivered(capture, idle, "BALLOT_REMINDER")) == 1 })
	time.Sleep(10 * mailPoll)
	if n, v := len(delivered(capture, idle, "BALLOT_REMINDER")), len(delivered(capture, voter, "BALLOT_REMINDER")); n != 1 || v != 0 {
		t.Fatalf("ballot reminders: %d to the juror who has not cast (want 1), %d to the one who has (want 0)", n, v)
	}
	if m := delivered(capture, idle, "BALLOT_REMINDER")[0]; m.Header.Get("Content-Language") != "pl" || !strings.Contains(m.Body, edition.InWarsaw(soon)) {
		t.Fatalf("ballot reminder:\n%s", m.Body)
	}

	// The announcement reaches everyone invited: the expert and both jurors.
	testenv.ChangeStageDespite(t, org, id, v1.Stage_STAGE_TALLIED, "Olena did not cast in time")
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_ANNOUNCED)
	eventually(t, "the results mail", func() bool {
		return len(delivered(capture, voter, "RESULTS_ANNOUNCED")) == 1 && len(delivered(capture, idle, "RESULTS_ANNOUNCED")) == 1 &&
			len(delivered(capture, r.Emails[0], "RESULTS_ANNOUNCED")) == 1
	})
	if m := delivered(capture, voter, "RESULTS_ANNOUNCED")[0]; !strings.Contains(m.Body, env.URL+"/miasta.v1.ResultsService/GetPublicResults?") {
		t.Fatalf("results mail lacks the results link:\n%s", m.Body)
	}
}

// TestMailRetriedWithBackoff: an SMTP server answering 4xx gets the mail again after a growing pause,
// every attempt is recorded with the server's reply, and the mail is delivered once; a 5xx reply is
// final.
func TestMailRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	env, capture := mailEnv(t)
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	setPolicy(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	var mu sync.Mutex
	refusals := 0
	capture.Check(func(m mailcapture.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if m.To[0] == "nikt@miasta.test" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
		}
		if refusals < 2 {
			refusals++
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try again later"}
		}
		return nil
	})
	for _, addr := range []string{"cierpliwa@miasta.test", "nikt@miasta.test"} {
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: addr, Role: v1.Role_ROLE_EXPERT, CityId: e.GetCities()[0].GetId(), DisplayName: "Ktoś"}))
	}
	var patient, nobody *v1.OutboxMail
	eventually(t, "both mails settled", func() bool {
		patient, nobody = nil, nil
		for _, m := range outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION) {
			switch {
			case m.GetRecipientEmail() == "cierpliwa@miasta.test" && m.GetStatus() == v1.MailStatus_MAIL_STATUS_SENT:
				patient = m
			case m.GetRecipientEmail() == "nikt@miasta.test" && m.GetStatus() == v1.MailStatus_MAIL_STATUS_FAILED:
				nobody = m
			}
		}
		return patient != nil && nobody != nil
	})
	time.Sleep(5 * mailPoll)
	if n := len(delivered(capture, "cierpliwa@miasta.test", "")); n != 1 || patient.GetAttempts() != 3 {
		t.Fatalf("delivered %d times after %d attempts; want once after 3", n, patient.GetAttempts())
	}
	attempts := testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: patient.GetId(), PageSize: 2})).GetAttempts()
	more := testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: patient.GetId(), PageSize: 2,
		PageToken: testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: patient.GetId(), PageSize: 2})).GetNextPageToken()})).GetAttempts()
	attempts = append(attempts, more...)
	if len(attempts) != 3 {
		t.Fatalf("attempts = %v; want 3", attempts)
	}
	for i, a := range attempts[:2] {
		if a.GetOutcome() != v1.DeliveryOutcome_DELIVERY_OUTCOME_TEMPORARY_FAILURE || a.GetSmtpCode() != 451 || !strings.Contains(a.GetError(), "try again later") || a.GetAttempt() != int32(i+1) {
			t.Fatalf("attempt %d = %v; want a recorded 451", i+1, a)
		}
	}
	if attempts[2].GetOutcome() != v1.DeliveryOutcome_DELIVERY_OUTCOME_SENT || attempts[2].GetError() != "" {
		t.Fatalf("last attempt = %v; want sent", attempts[2])
	}
	// The pause doubles: at least the base after the first failure, twice that after the second.
	for i, want := range []time.Duration{retryBase, 2 * retryBase} {
		if gap := attempts[i+1].GetStartTime().AsTime().Sub(attempts[i].GetEndTime().AsTime()); gap < want {
			t.Fatalf("attempt %d came %v after the previous one; want at least %v", i+2, gap, want)
		}
	}
	final := testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: nobody.GetId()})).GetAttempts()
	if len(final) != 1 || final[0].GetOutcome() != v1.DeliveryOutcome_DELIVERY_OUTCOME_PERMANENT_FAILURE || final[0].GetSmtpCode() != 550 || !strings.Contains(nobody.GetLastError(), "no such mailbox") {
		t.Fatalf("a 550 gave attempts %v and last error %q; want one permanent failure", final, nobody.GetLastError())
	}

	// The mailbox is fixed: the organiser releases the failed mail again, and it goes out.
	capture.Check(nil)
	testenv.Must(org.Mail.ReleaseOutboxMail(ctx, &v1.ReleaseOutboxMailRequest{MailId: nobody.GetId(), ExpectedVersion: nobody.GetVersion()}))
	eventually(t, "the failed mail sent after its release", func() bool { return len(delivered(capture, "nikt@miasta.test", "")) == 1 })
	eventually(t, "the second attempt recorded", func() bool {
		final = testenv.Must(org.Mail.ListDeliveryAttempts(ctx, &v1.ListDeliveryAttemptsRequest{MailId: nobody.GetId()})).GetAttempts()
		return len(final) == 2
	})
	if final[1].GetOutcome() != v1.DeliveryOutcome_DELIVERY_OUTCOME_SENT || final[1].GetAttempt() != 2 {
		t.Fatalf("attempts after the release: %v", final)
	}
}

// TestMailDeliveredOnceAcrossACrash queues mail while no sender runs, starts `miasta serve`, kills it
// (SIGKILL) while it is handing the first mail to the SMTP server, before the server accepted it, and
// starts it again: every mail arrives exactly once. A second server process sending beside the
// in-process one never sends a mail twice either.
func TestMailDeliveredOnceAcrossACrash(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{}) // no SMTP server: mail waits in the outbox
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	setPolicy(t, org, "", v1.MailKind_MAIL_KIND_INVITATION, v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC)
	const n = 6
	for i := range n {
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: fmt.Sprintf("osoba.%d@miasta.test", i), Role: v1.Role_ROLE_JUROR, CityId: e.GetCities()[0].GetId(), DisplayName: "Osoba"}))
	}
	if pending := testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{Status: v1.MailStatus_MAIL_STATUS_PENDING})).GetMails(); len(pending) != n {
		t.Fatalf("%d pending mails; want %d", len(pending), n)
	}

	capture := startCapture(t)
	reached, hang := make(chan struct{}), make(chan struct{})
	var once sync.Once
	capture.Check(func(mailcapture.Message) error {
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(reached)
		<-hang // the sender waits for our reply, and is killed meanwhile
		return &smtp.SMTPError{Code: 421, Message: "the client went away"}
	})
	p := env.NewServerProcess(t)
	host, port, _ := net.SplitHostPort(capture.Addr)
	p.Environ = append(p.Environ, "MIASTA_SMTP_HOST="+host, "MIASTA_SMTP_PORT="+port, "MIASTA_SMTP_TLS=none",
		"MIASTA_MAIL_POLL_INTERVAL=50ms", "MIASTA_MAIL_RETRY_BASE=100ms", "MIASTA_MAIL_FROM=noreply@miasta.test")
	p.Start()
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the server process never started sending")
	}
	p.Kill()
	close(hang)
	if got := len(capture.Messages()); got != 0 {
		t.Fatalf("%d messages accepted before the crash; want 0", got)
	}
	for _, m := range outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION) {
		if m.GetStatus() != v1.MailStatus_MAIL_STATUS_PENDING || m.GetAttempts() != 0 {
			t.Fatalf("after the crash %v; want every mail still pending, no attempt recorded", m)
		}
	}

	p.Start()
	eventually(t, "every mail sent after the restart", func() bool {
		return len(testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{Status: v1.MailStatus_MAIL_STATUS_SENT})).GetMails()) == n
	})
	time.Sleep(5 * mailPoll)
	seen := map[string]int{}
	for _, m := range capture.Messages() {
		seen[m.MessageID()]++
	}
	if len(capture.Messages()) != n || len(seen) != n {
		t.Fatalf("captured %d messages with %d Message-IDs; want %d of each", len(capture.Messages()), len(seen), n)
	}
	for _, m := range outbox(t, org, e.GetId(), v1.MailKind_MAIL_KIND_INVITATION) {
		if seen[m.GetMessageId()] != 1 || m.GetAttempts() != 1 {
			t.Fatalf("%s delivered %d times in %d attempts; want once", m.GetRecipientEmail(), seen[m.GetMessageId()], m.GetAttempts())
		}
	}

	// Two replicas sending from one outbox, the process and a second server in this process, claim
	// mails with SKIP LOCKED: each mail still goes out once.
	second := startCapture(t)
	p.Kill()
	p.Environ = append(p.Environ, "MIASTA_SMTP_PORT="+strings.Split(second.Addr, ":")[1])
	p.Start()
	cfg := env.Config
	smtpTo(second)(&cfg)
	startReplica(t, cfg)
	const m = 40
	for i := range m {
		testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: e.GetId(), Email: fmt.Sprintf("para.%d@miasta.test", i), Role: v1.Role_ROLE_JUROR, CityId: e.GetCities()[0].GetId(), DisplayName: "Osoba"}))
	}
	eventually(t, "every mail sent by the two replicas", func() bool {
		return len(testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{Status: v1.MailStatus_MAIL_STATUS_SENT, PageSize: 100})).GetMails()) == n+m
	})
	time.Sleep(5 * mailPoll)
	ids := map[string]int{}
	for _, msg := range second.Messages() {
		ids[msg.MessageID()]++
	}
	if len(second.Messages()) != m || len(ids) != m {
		t.Fatalf("two replicas delivered %d messages with %d Message-IDs; want %d of each", len(second.Messages()), len(ids), m)
	}
}

// startReplica runs another server of the platform in this process on cfg's database until the test
// ends.
func startReplica(t *testing.T, cfg config.Config) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
}
