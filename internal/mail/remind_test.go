package mail_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestRemindNowAndMessageRole: an organiser's "remind now" queues the deadline reminder for a late
// juror in the outbox, held for review as the policy says, once however often it is asked while it
// waits; a juror who has cast gets none; a message to a role queues one mail per person, once per
// request id, and goes out at once when the policy sends messages automatically.
func TestRemindNowAndMessageRole(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	r, nA, nB := env.TwoCityShortlist(t, org, testenv.Connect)
	id := r.ID()
	testenv.Must(org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: testenv.MeanRule(0, 5, 1, r.Criteria...)}))
	voter := env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, r.Edition, "Kraków"), "voter.remind@miasta.test", "Ana Pérez")
	env.NewJuror(t, org, testenv.Connect, id, testenv.CityFor(t, org, r.Edition, "Wrocław"), "idle.remind@miasta.test", "Kwame Mensah")
	people := func() map[string]string {
		out := map[string]string{}
		for _, p := range testenv.Must(org.Editions.GetEditionDashboard(ctx, &v1.GetEditionDashboardRequest{EditionId: id})).GetDashboard().GetPeople() {
			out[p.GetDisplayName()] = p.GetInvitationId()
		}
		return out
	}
	remind := func(name string) (*v1.SendReminderResponse, error) {
		return org.Mail.SendReminder(ctx, &v1.SendReminderRequest{EditionId: id, InvitationId: people()[name]})
	}

	testenv.Step(t, "no reminder outside the reporting and jury rounds", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(remind("Kwame Mensah")) })
	})
	testenv.ChangeStage(t, org, id, v1.Stage_STAGE_JURY)
	testenv.Step(t, "no reminder of a deadline that is not set", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "edition_id", func() error { return testenv.ErrOf(remind("Kwame Mensah")) })
	})
	testenv.Must(org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{
		ReportingDeadline: timestamppb.New(r.Deadline), JuryDeadline: timestamppb.New(time.Now().Add(96 * time.Hour)),
	}}))
	testenv.CastScores(t, voter, id, testenv.Mark(nA, r.Criteria[0], 4), testenv.Mark(nB, r.Criteria[0], 3))

	testenv.Step(t, "a late juror's reminder is queued, held for review, and only once while it waits", func(t *testing.T) {
		first := testenv.Must(remind("Kwame Mensah"))
		if !first.GetQueued() || first.GetMail().GetStatus() != v1.MailStatus_MAIL_STATUS_HELD || first.GetMail().GetKind() != v1.MailKind_MAIL_KIND_BALLOT_REMINDER || first.GetMail().GetRecipientEmail() != "idle.remind@miasta.test" {
			t.Fatalf("remind now = %v; want a held ballot reminder to the idle juror", first)
		}
		again := testenv.Must(remind("Kwame Mensah"))
		if again.GetQueued() || again.GetMail().GetId() != first.GetMail().GetId() {
			t.Errorf("a second click = %v; want the first reminder, nothing new", again)
		}
		if n := len(outbox(t, org, id, v1.MailKind_MAIL_KIND_BALLOT_REMINDER)); n != 1 {
			t.Errorf("%d ballot reminders in the outbox; want 1", n)
		}
		// Once it has left the outbox, the organiser may remind again.
		m := first.GetMail()
		testenv.Must(org.Mail.DiscardOutboxMail(ctx, &v1.DiscardOutboxMailRequest{MailId: m.GetId(), ExpectedVersion: m.GetVersion()}))
		if next := testenv.Must(remind("Kwame Mensah")); !next.GetQueued() || next.GetMail().GetId() == m.GetId() {
			t.Errorf("after the discard: %v; want a new reminder", next)
		}
	})
	testenv.Step(t, "a juror who has cast gets no reminder", func(t *testing.T) {
		env.Refused(t, connect.CodeFailedPrecondition, "invitation_id", func() error { return testenv.ErrOf(remind("Ana Pérez")) })
	})

	testenv.Step(t, "a message to the jurors is one mail each, once per request", func(t *testing.T) {
		req := &v1.MessageRoleRequest{EditionId: id, Role: "JUROR", Subject: "Spotkanie jury", Body: "Zapraszamy na spotkanie w piątek.", RequestId: uuid.NewString()}
		if got := testenv.Must(org.Mail.MessageRole(ctx, req)); got.GetQueued() != 2 || got.GetRecipients() != 2 {
			t.Fatalf("message = %v; want 2 queued for 2 jurors", got)
		}
		if got := testenv.Must(org.Mail.MessageRole(ctx, req)); got.GetQueued() != 0 {
			t.Errorf("the retry queued %d; want 0", got.GetQueued())
		}
		mails := outbox(t, org, id, v1.MailKind_MAIL_KIND_MESSAGE)
		if len(mails) != 2 || mails[0].GetSubject() != "Spotkanie jury" || mails[0].GetStatus() != v1.MailStatus_MAIL_STATUS_HELD {
			t.Fatalf("messages in the outbox = %v; want 2 held", mails)
		}
		testenv.Must(org.Mail.SetMailPolicy(ctx, &v1.SetMailPolicyRequest{EditionId: id, Kind: v1.MailKind_MAIL_KIND_MESSAGE, Delivery: v1.MailDelivery_MAIL_DELIVERY_AUTOMATIC}))
		req.RequestId = uuid.NewString()
		req.Role = "EXPERT"
		if got := testenv.Must(org.Mail.MessageRole(ctx, req)); got.GetQueued() != 2 {
			t.Fatalf("message to the experts = %v; want 2", got)
		}
		for _, m := range outbox(t, org, id, v1.MailKind_MAIL_KIND_MESSAGE)[2:] {
			if m.GetStatus() == v1.MailStatus_MAIL_STATUS_HELD {
				t.Errorf("%s's message is held; the policy sends messages automatically", m.GetRecipientEmail())
			}
		}
	})
}
