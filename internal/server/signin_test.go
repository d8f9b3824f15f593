package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/mailcapture"
	"github.com/miasta-otwarte/miasta/internal/signin"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// startEmailSignIn starts the platform with the built-in e-mail sign-in and a real SMTP server
// capturing its mail; alone drops the development provider, so that the e-mail sign-in is the only
// one and MIASTA_EMAIL_SIGNIN=auto turns it on.
func startEmailSignIn(t *testing.T, alone bool) (*testenv.Env, *mailcapture.Server) {
	t.Helper()
	capture, err := mailcapture.Start("127.0.0.1:0", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = capture.Close() })
	env := testenv.Start(t, testenv.Options{Configure: func(c *config.Config) {
		host, port, _ := net.SplitHostPort(capture.Addr)
		c.SMTPHost, c.SMTPTLS = host, "none"
		c.SMTPPort, _ = strconv.Atoi(port)
		c.MailFrom = "Miasta Otwarte <noreply@miasta.test>"
		c.EmailSignIn = "on"
		if alone {
			c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret, c.EmailSignIn = "", "", "", "auto"
		}
	}})
	return env, capture
}

// outbox lists every mail the organisers' outbox shows.
func outbox(t *testing.T, org testenv.Clients) []*v1.OutboxMail {
	t.Helper()
	var all []*v1.OutboxMail
	token := ""
	for {
		resp := testenv.Must(org.Mail.ListOutbox(t.Context(), &v1.ListOutboxRequest{PageSize: 100, PageToken: token}))
		all = append(all, resp.GetMails()...)
		if token = resp.GetNextPageToken(); token == "" {
			return all
		}
	}
}

// TestEmailSignIn: next to the development provider, the built-in e-mail sign-in signs an invited
// juror in with the code it mails (binding the invitation: it is trusted for e-mail), after a wrong
// code; the code and its request are good once; a request started in one browser cannot be
// completed in another; an address the platform does not know is mailed nothing though the page
// says the same; codes are limited per address; five wrong tries kill a code; the codes never show
// in the organisers' outbox and their bodies are blanked once sent; and a second replica's provider
// shares the first one's keys.
func TestEmailSignIn(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignIn(t, false)
	ctx := t.Context()
	const juror = "juror.kod@miasta.test"
	org, editionID := inviteJuror(t, env, juror)

	browser := testenv.SignInBrowser(env.URL, nil)
	form := testenv.StartEmailSignIn(t, browser, env.URL, true)
	if csp := form.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'; style-src 'sha256-") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("the sign-in page's Content-Security-Policy is %q", csp)
	}
	if p := testenv.PostSignIn(t, browser, env.URL, form, "action", "send", "email", "not an address"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "This is not an e-mail address") {
		t.Fatalf("sending to %q: %d; want 400 saying it is no address:\n%s", "not an address", p.Status, p.Body)
	}
	sent := testenv.PostSignIn(t, browser, env.URL, form, "action", "send", "email", " Juror.Kod@Miasta.test ")
	if sent.Status != http.StatusOK || !strings.Contains(sent.Body, "If "+juror+" is an address the platform knows, a code is on its way") || !strings.Contains(sent.Body, `autocomplete="one-time-code"`) {
		t.Fatalf("after sending the code: %d at %s; want the code form:\n%s", sent.Status, sent.URL, sent.Body)
	}
	code, mail := testenv.AwaitSignInCode(t, capture, juror, 1)
	if strings.Contains(mail.Subject, code) || mail.Header.Get("X-Miasta-Mail-Kind") != "SIGN_IN_CODE" {
		t.Errorf("the code's mail: subject %q (must not carry the code)", mail.Subject)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if p := testenv.PostSignIn(t, browser, env.URL, sent, "action", "verify", "code", wrong); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "That code is not right. Tries left: 4.") {
		t.Fatalf("a wrong code: %d; want 400 with four tries left:\n%s", p.Status, p.Body)
	}
	done := testenv.PostSignIn(t, browser, env.URL, sent, "action", "verify", "code", code[:3]+" "+code[3:])
	if done.Status != http.StatusFound || done.Header.Get("Location") != "/panel" {
		t.Fatalf("the right code: %d at %s to %q; want the callback's redirect to /panel:\n%s", done.Status, done.URL, done.Header.Get("Location"), done.Body)
	}
	viaEmail := miastav1connect.NewIdentityServiceClient(browser, env.URL)
	me := testenv.Must(viaEmail.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if me.GetUser().GetEmail() != juror || me.GetOrganiser() {
		t.Fatalf("signed in by code as %q (organiser %v); want %q", me.GetUser().GetEmail(), me.GetOrganiser(), juror)
	}
	if n := jurorAssignments(t, viaEmail, editionID); n != 1 {
		t.Fatalf("the e-mail sign-in's account holds %d juror roles; want the invitation bound", n)
	}
	if p := testenv.PostSignIn(t, browser, env.URL, sent, "action", "verify", "code", code); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "already used") {
		t.Fatalf("the same code again: %d; want 400, the sign-in used:\n%s", p.Status, p.Body)
	}

	// The same address again, from a new browser: the same account.
	again := testenv.SignInBrowser(env.URL, nil)
	form = testenv.StartEmailSignIn(t, again, env.URL, true)
	sent = testenv.PostSignIn(t, again, env.URL, form, "action", "send", "email", juror)
	code2, _ := testenv.AwaitSignInCode(t, capture, juror, 2)
	if p := testenv.PostSignIn(t, again, env.URL, sent, "action", "verify", "code", code); code != code2 && p.Status != http.StatusBadRequest {
		t.Fatalf("the first sign-in's code on the second: %d; want 400", p.Status)
	}
	if p := testenv.PostSignIn(t, again, env.URL, sent, "action", "verify", "code", code2); p.Status != http.StatusFound {
		t.Fatalf("the second code: %d; want the redirect back", p.Status)
	}
	me2 := testenv.Must(miastav1connect.NewIdentityServiceClient(again, env.URL).GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if me2.GetUser().GetId() != me.GetUser().GetId() {
		t.Fatalf("the second sign-in of %s is user %s; want the first's %s", juror, me2.GetUser().GetId(), me.GetUser().GetId())
	}

	// A request is the browser's that opened it.
	owner := testenv.SignInBrowser(env.URL, nil)
	form = testenv.StartEmailSignIn(t, owner, env.URL, true)
	stranger := testenv.SignInBrowser(env.URL, nil)
	if p := testenv.ReadPage(t)(stranger.Get(form.URL.String())); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "started in another browser") {
		t.Fatalf("another browser opening the sign-in page: %d; want 400:\n%s", p.Status, p.Body)
	}
	if p := testenv.PostSignIn(t, stranger, env.URL, form, "action", "send", "email", juror); p.Status != http.StatusBadRequest {
		t.Fatalf("another browser sending the code: %d; want 400", p.Status)
	}

	// An unknown address: the same page, nothing mailed, a CODE_NOT_SENT event.
	const nobody = "nikt@miasta.test"
	unknown := testenv.PostSignIn(t, owner, env.URL, form, "action", "send", "email", nobody)
	if unknown.Status != http.StatusOK || !strings.Contains(unknown.Body, "If "+nobody+" is an address the platform knows, a code is on its way") {
		t.Fatalf("sending to an unknown address: %d; want the same code form:\n%s", unknown.Status, unknown.Body)
	}
	var notSent int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM signin_events WHERE email = $1 AND kind = 'CODE_NOT_SENT'`, nobody).Scan(&notSent); err != nil || notSent != 1 {
		t.Fatalf("CODE_NOT_SENT events of %s: %d (%v); want 1", nobody, notSent, err)
	}
	var queued int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE recipient_email = $1`, nobody).Scan(&queued); err != nil || queued != 0 {
		t.Fatalf("mails to %s: %d (%v); want none", nobody, queued, err)
	}
	for _, c := range []string{"000000", "123456", "999999", "424242", "111111"} {
		if p := testenv.PostSignIn(t, owner, env.URL, unknown, "action", "verify", "code", c); p.Status == http.StatusFound {
			t.Fatalf("code %s signed an unknown address in", c)
		}
	}

	// Five wrong tries kill a code: then even the right one is refused.
	killer := testenv.SignInBrowser(env.URL, nil)
	form = testenv.StartEmailSignIn(t, killer, env.URL, true)
	sent = testenv.PostSignIn(t, killer, env.URL, form, "action", "send", "email", juror)
	code3, _ := testenv.AwaitSignInCode(t, capture, juror, 3)
	bad := "000000"
	if code3 == bad {
		bad = "111111"
	}
	for i := range 5 {
		p := testenv.PostSignIn(t, killer, env.URL, sent, "action", "verify", "code", bad)
		if want := "Tries left: " + strconv.Itoa(4-i); i < 4 && !strings.Contains(p.Body, want) {
			t.Fatalf("wrong try %d: want %q:\n%s", i+1, want, p.Body)
		}
		if i == 4 && !strings.Contains(p.Body, "Ask for a new one") {
			t.Fatalf("the fifth wrong try: want the code dead:\n%s", p.Body)
		}
	}
	if p := testenv.PostSignIn(t, killer, env.URL, sent, "action", "verify", "code", code3); p.Status == http.StatusFound || !strings.Contains(p.Body, "Ask for a new one") {
		t.Fatalf("the right code after five wrong ones: %d; want it dead:\n%s", p.Status, p.Body)
	}

	// Codes asked for one address are limited: three sent so far, two more may go, the sixth not.
	for i := range 3 {
		limiter := testenv.SignInBrowser(env.URL, nil)
		form = testenv.StartEmailSignIn(t, limiter, env.URL, true)
		p := testenv.PostSignIn(t, limiter, env.URL, form, "action", "send", "email", juror)
		if i < 2 && p.Status != http.StatusOK {
			t.Fatalf("code %d for %s: %d; want it sent", 4+i, juror, p.Status)
		}
		if i == 2 && (p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many tries")) {
			t.Fatalf("the sixth code in an hour for %s: %d; want 429:\n%s", juror, p.Status, p.Body)
		}
	}
	testenv.AwaitSignInCode(t, capture, juror, 5)
	time.Sleep(200 * time.Millisecond)
	if n := len(testenv.Delivered(capture, juror, "SIGN_IN_CODE")); n != 5 {
		t.Fatalf("%d sign-in codes reached %s; want 5 (the sixth refused)", n, juror)
	}

	// The organisers never see the codes, and their bodies are gone once sent.
	for _, m := range outbox(t, org) {
		if m.GetRecipientEmail() == juror && m.GetKind() != v1.MailKind_MAIL_KIND_INVITATION {
			t.Errorf("the organisers' outbox shows a %v mail to %s", m.GetKind(), juror)
		}
	}
	var bodies int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE kind = 'SIGN_IN_CODE' AND (status <> 'SENT' OR body <> '' OR body_erase_time IS NULL)`).Scan(&bodies); err != nil || bodies != 0 {
		t.Fatalf("%d sign-in code mails keep a body or are not sent (%v); want none", bodies, err)
	}
	var codes int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM signin_requests WHERE code_hash IS NOT NULL AND position(convert_to($1, 'UTF8') in code_hash) > 0`, code).Scan(&codes); err != nil || codes != 0 {
		t.Fatalf("a code is stored as itself (%d, %v)", codes, err)
	}

	// The person's export shows their e-mail sign-in (never a code); erasing them removes it.
	exported := testenv.Must(org.Privacy.ExportPersonData(ctx, &v1.ExportPersonDataRequest{Person: &v1.PersonRef{Person: &v1.PersonRef_UserId{UserId: me.GetUser().GetId()}}})).GetJson()
	if !strings.Contains(exported, `"email_sign_in"`) || !strings.Contains(exported, `"SIGNED_IN"`) || strings.Contains(exported, code) || strings.Contains(exported, code2) {
		t.Fatalf("the juror's export lacks their e-mail sign-in or shows a code:\n%s", exported)
	}
	testenv.Must(org.Privacy.ErasePerson(ctx, &v1.ErasePersonRequest{Person: &v1.PersonRef{Person: &v1.PersonRef_UserId{UserId: me.GetUser().GetId()}}}))
	for _, table := range []string{"signin_accounts", "signin_requests", "signin_events"} {
		var n int
		if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE email = $1`, juror).Scan(&n); err != nil || n != 0 {
			t.Errorf("after the erasure %s holds %d rows of %s (%v); want none", table, n, juror, err)
		}
	}

	// A second replica's provider takes up the first one's keys: either serves any step.
	second, err := signin.New(ctx, env.App.Pool, signin.Config{
		PublicURL: env.URL, RedirectURL: env.URL + "/auth/callback", Known: env.App.Identity.KnownAddress, Send: env.App.Mail.SignInCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	var secret string
	if err := env.App.Pool.QueryRow(ctx, `SELECT client_secret FROM signin_keys`).Scan(&secret); err != nil || second.AuthProvider().ClientSecret != secret {
		t.Fatalf("the second replica's client secret is not the stored one (%v)", err)
	}
	rec := testenv.ReadPage(t)((&http.Client{Transport: second.AuthProvider().HTTPClient.Transport}).Get(env.URL + signin.Path + "/keys"))
	served := testenv.ReadPage(t)(http.Get(env.URL + signin.Path + "/keys"))
	if rec.Status != http.StatusOK || rec.Body != served.Body {
		t.Fatalf("the second replica's keys differ from the served ones:\n%s\n%s", rec.Body, served.Body)
	}
}

// TestEmailSignInAlone: with no other provider, MIASTA_EMAIL_SIGNIN=auto serves the e-mail sign-in,
// /auth/login goes straight to it (in the browser's language), and an organiser's address signs in as
// an organiser; without an SMTP server the platform refuses to start, saying why.
func TestEmailSignInAlone(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignIn(t, true)
	ctx := t.Context()
	browser := testenv.SignInBrowser(env.URL, nil)
	form := testenv.StartEmailSignIn(t, browser, env.URL, false)
	sent := testenv.PostSignIn(t, browser, env.URL, form, "action", "send", "email", demo.OrganiserEmail)
	code, _ := testenv.AwaitSignInCode(t, capture, demo.OrganiserEmail, 1)
	if p := testenv.PostSignIn(t, browser, env.URL, sent, "action", "verify", "code", code); p.Status != http.StatusFound || p.Header.Get("Location") != "/panel" {
		t.Fatalf("the organiser's code: %d to %q", p.Status, p.Header.Get("Location"))
	}
	me := testenv.Must(miastav1connect.NewIdentityServiceClient(browser, env.URL).GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if !me.GetOrganiser() || me.GetUser().GetEmail() != demo.OrganiserEmail {
		t.Fatalf("signed in by code as %q, organiser %v; want the organiser", me.GetUser().GetEmail(), me.GetOrganiser())
	}
	// In Polish, from the browser's language.
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/auth/login", nil)
	req.Header.Set("Accept-Language", "pl")
	if p := testenv.ReadPage(t)(testenv.SignInBrowser(env.URL, nil).Do(req)); p.Status != http.StatusOK || !strings.Contains(p.Body, "Zaloguj się adresem e-mail") {
		t.Fatalf("/auth/login in Polish: %d at %s:\n%s", p.Status, p.URL, p.Body)
	}

	cfg := env.Config
	cfg.SMTPHost = ""
	if _, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{}); err == nil || !strings.Contains(err.Error(), "MIASTA_SMTP_HOST") {
		t.Fatalf("app.New with the e-mail sign-in and no SMTP server: %v; want an error naming MIASTA_SMTP_HOST", err)
	}
	cfg.EmailSignIn = "off"
	if _, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{}); err == nil || !strings.Contains(err.Error(), "no identity provider") {
		t.Fatalf("app.New with no provider at all: %v; want no identity provider", err)
	}
}

// TestEmailSignInGuessingAcrossCodes: asking for new codes does not buy more guesses without end:
// after ten wrong codes in an hour for one address, from any number of browsers and requests, even
// the right code of a fresh request is refused for that hour.
func TestEmailSignInGuessingAcrossCodes(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignIn(t, true)
	const who = demo.OrganiserEmail
	for round := 1; round <= 2; round++ {
		b := testenv.SignInBrowser(env.URL, nil)
		sent := testenv.PostSignIn(t, b, env.URL, testenv.StartEmailSignIn(t, b, env.URL, false), "action", "send", "email", who)
		code, _ := testenv.AwaitSignInCode(t, capture, who, round)
		bad := "000000"
		if code == bad {
			bad = "111111"
		}
		for range 5 {
			if p := testenv.PostSignIn(t, b, env.URL, sent, "action", "verify", "code", bad); p.Status != http.StatusBadRequest {
				t.Fatalf("round %d, a wrong code: %d; want 400", round, p.Status)
			}
		}
	}
	b := testenv.SignInBrowser(env.URL, nil)
	sent := testenv.PostSignIn(t, b, env.URL, testenv.StartEmailSignIn(t, b, env.URL, false), "action", "send", "email", who)
	code, _ := testenv.AwaitSignInCode(t, capture, who, 3)
	if p := testenv.PostSignIn(t, b, env.URL, sent, "action", "verify", "code", code); p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many tries") {
		t.Fatalf("the right code after ten wrong ones for the address: %d; want 429:\n%s", p.Status, p.Body)
	}
}
