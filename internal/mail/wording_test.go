package mail_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestEditionWordsItsMail: an organiser words the invitation in Polish for one edition; bad wordings
// are refused naming the field and the placeholder; the preview writes it with the edition's data;
// invitations in Polish are then written from it, others from the platform's templates; going back
// to the platform's wording works; the ballot receipt cannot be reworded.
func TestEditionWordsItsMail(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	org := env.Clients(testenv.Connect, env.Token(t, demo.OrganiserEmail))
	e := testenv.SeedEdition(t, org)
	other := testenv.SeedEdition(t, org)

	list := testenv.Must(org.Mail.ListMailTemplates(ctx, &v1.ListMailTemplatesRequest{EditionId: e.GetId()}))
	if len(list.GetTemplates()) != 7*5 {
		t.Fatalf("%d wordings; want 7 kinds (all but the receipt) × 5 languages", len(list.GetTemplates()))
	}
	for _, w := range list.GetTemplates() {
		if w.GetKind() == v1.MailKind_MAIL_KIND_BALLOT_RECEIPT || w.GetCustomised() || w.GetSubject() != w.GetDefaultSubject() || w.GetBody() == "" {
			t.Errorf("before any change: %v", w)
		}
	}
	if !strings.Contains(strings.Join(list.GetPlaceholders(), ","), "Name") {
		t.Errorf("placeholders %v lack Name", list.GetPlaceholders())
	}

	set := func(subject, body string) error {
		return testenv.ErrOf(org.Mail.SetMailTemplate(ctx, &v1.SetMailTemplateRequest{EditionId: e.GetId(), Kind: v1.MailKind_MAIL_KIND_INVITATION, Language: "pl", Subject: subject, Body: body}))
	}
	err := env.Refused(t, connect.CodeInvalidArgument, "body", func() error { return set("Zaproszenie", "Dzień dobry {{.Imie}}!") })
	if !strings.Contains(err.Error(), "{{.Imie}}") {
		t.Errorf("an unknown placeholder: %v; want it named", err)
	}
	env.Refused(t, connect.CodeInvalidArgument, "body", func() error { return set("Zaproszenie", "{{if .Deadline}}bez końca") })
	env.Refused(t, connect.CodeInvalidArgument, "subject", func() error { return set("", "Treść") })
	env.Refused(t, connect.CodeInvalidArgument, "kind", func() error {
		return testenv.ErrOf(org.Mail.SetMailTemplate(ctx, &v1.SetMailTemplateRequest{EditionId: e.GetId(), Kind: v1.MailKind_MAIL_KIND_BALLOT_RECEIPT, Language: "pl", Subject: "Pokwitowanie", Body: "Nie"}))
	})

	subject, body := "Zaproszenie do {{.Edition}} dla {{.Name}}", "Dzień dobry {{.Name}},\nzapraszamy. Zaloguj się: {{.LoginURL}}\n"
	preview := testenv.Must(org.Mail.PreviewMailTemplate(ctx, &v1.PreviewMailTemplateRequest{EditionId: e.GetId(), Kind: v1.MailKind_MAIL_KIND_INVITATION, Language: "pl", Subject: subject, Body: body}))
	if !strings.Contains(preview.GetSubject(), e.GetName()) || !strings.Contains(preview.GetBody(), "/auth/login") {
		t.Errorf("the preview = %q / %q; want the edition's name and the login link", preview.GetSubject(), preview.GetBody())
	}
	if err := set(subject, body); err != nil {
		t.Fatal(err)
	}

	invite := func(editionID, email, language string) *v1.OutboxMail {
		t.Helper()
		inv := testenv.Must(org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{EditionId: editionID, Email: email, Role: v1.Role_ROLE_OBSERVER, DisplayName: "Ewa Partnerka", Language: language})).GetInvitation()
		for _, m := range testenv.Must(org.Mail.ListOutbox(ctx, &v1.ListOutboxRequest{EditionId: editionID, PageSize: 100})).GetMails() {
			if m.GetRecipientEmail() == inv.GetEmail() {
				return m
			}
		}
		t.Fatalf("no invitation mail to %s", email)
		return nil
	}
	if m := invite(e.GetId(), "ewa.pl@miasta.test", "pl"); m.GetSubject() != "Zaproszenie do "+e.GetName()+" dla Ewa Partnerka" || !strings.HasPrefix(m.GetBody(), "Dzień dobry Ewa Partnerka,") {
		t.Errorf("a Polish invitation after the edition's wording: %q / %q", m.GetSubject(), m.GetBody())
	}
	if m := invite(e.GetId(), "ewa.en@miasta.test", "en"); !strings.HasPrefix(m.GetSubject(), "Invitation:") {
		t.Errorf("an English invitation (no English wording): %q; want the platform's", m.GetSubject())
	}
	if m := invite(other.GetId(), "ewa.other@miasta.test", "pl"); !strings.HasPrefix(m.GetSubject(), "Zaproszenie:") {
		t.Errorf("another edition's Polish invitation: %q; want the platform's", m.GetSubject())
	}

	back := testenv.Must(org.Mail.SetMailTemplate(ctx, &v1.SetMailTemplateRequest{EditionId: e.GetId(), Kind: v1.MailKind_MAIL_KIND_INVITATION, Language: "pl"})).GetTemplate()
	if back.GetCustomised() || back.GetSubject() != back.GetDefaultSubject() {
		t.Errorf("after going back: %v", back)
	}
	if m := invite(e.GetId(), "ewa.pl2@miasta.test", "pl"); !strings.HasPrefix(m.GetSubject(), "Zaproszenie:") {
		t.Errorf("a Polish invitation after going back: %q; want the platform's", m.GetSubject())
	}
}
