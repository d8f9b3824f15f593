package server_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
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

// signInBrowser is a browser (cookie jar, English first in every request's Accept-Language) that
// follows redirects through the login endpoints and the built-in provider, and stops at the first
// redirect that leaves them (the page the login returns to).
func signInBrowser(env *testenv.Env) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: english{}, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) && !strings.HasPrefix(req.URL.Path, "/auth/") && !strings.HasPrefix(req.URL.Path, "/signin/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// english is a transport that asks for English, as a browser set to it does, unless told otherwise.
type english struct{}

func (english) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept-Language") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// signInPage is one of the built-in provider's pages as a browser got it.
type signInPage struct {
	status int
	url    *url.URL
	body   string
	header http.Header
}

// readPage(t)(client.Get(…)) reads a response whole, failing the test on an error.
func readPage(t *testing.T) func(*http.Response, error) signInPage {
	return func(resp *http.Response, err error) signInPage {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return signInPage{status: resp.StatusCode, url: resp.Request.URL, body: string(b), header: resp.Header}
	}
}

var (
	requestIDRe = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	codeRe      = regexp.MustCompile(`(?m)^\s+([0-9]{6})\s*$`)
)

// startSignIn opens /auth/login in browser (in English) and, through the chooser when there is one,
// reaches the built-in provider's address form; it returns that page.
func startSignIn(t *testing.T, env *testenv.Env, browser *http.Client, chooser bool) signInPage {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/auth/login?return_to=%2Fpanel", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	p := readPage(t)(browser.Do(req))
	if chooser {
		var href string
		for _, l := range providerLinkRe.FindAllStringSubmatch(p.body, -1) {
			if l[2] == "Sign in with a code sent by e-mail" {
				href = html.UnescapeString(l[1])
			}
		}
		if href == "" {
			t.Fatalf("the chooser offers no e-mail sign-in:\n%s", p.body)
		}
		p = readPage(t)(browser.Get(env.URL + href))
	}
	if p.status != http.StatusOK || p.url.Path != "/signin/login" || !strings.Contains(p.body, "Sign in with your e-mail") || !strings.Contains(p.body, `<html lang="en">`) {
		t.Fatalf("the sign-in: %d at %s; want the built-in provider's address form in English:\n%s", p.status, p.url, p.body)
	}
	return p
}

// post sends a form of the page's request to the provider's login page.
func post(t *testing.T, env *testenv.Env, browser *http.Client, from signInPage, fields ...string) signInPage {
	t.Helper()
	m := requestIDRe.FindStringSubmatch(from.body)
	if m == nil {
		t.Fatalf("no authRequestID on the page:\n%s", from.body)
	}
	form := url.Values{"authRequestID": {m[1]}}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Set(fields[i], fields[i+1])
	}
	return readPage(t)(browser.PostForm(env.URL+signin.Path+"/login", form))
}

// awaitCode waits for the n-th sign-in code mailed to addr and returns it.
func awaitCode(t *testing.T, capture *mailcapture.Server, addr string, n int) (string, mailcapture.Message) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ms := delivered(capture, addr, "SIGN_IN_CODE"); len(ms) >= n {
			m := codeRe.FindStringSubmatch(ms[n-1].Body)
			if m == nil {
				t.Fatalf("the sign-in mail carries no code:\n%s", ms[n-1].Body)
			}
			return m[1], ms[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign-in code %d reached %s within 30 s", n, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivered returns the captured messages to addr of a kind.
func delivered(c *mailcapture.Server, addr, kind string) []mailcapture.Message {
	var out []mailcapture.Message
	for _, m := range c.Messages() {
		if len(m.To) == 1 && m.To[0] == addr && m.Header.Get("X-Miasta-Mail-Kind") == kind {
			out = append(out, m)
		}
	}
	return out
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

	browser := signInBrowser(env)
	form := startSignIn(t, env, browser, true)
	if csp := form.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'; style-src 'sha256-") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("the sign-in page's Content-Security-Policy is %q", csp)
	}
	if p := post(t, env, browser, form, "action", "send", "email", "not an address"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "This is not an e-mail address") {
		t.Fatalf("sending to %q: %d; want 400 saying it is no address:\n%s", "not an address", p.status, p.body)
	}
	sent := post(t, env, browser, form, "action", "send", "email", " Juror.Kod@Miasta.test ")
	if sent.status != http.StatusOK || !strings.Contains(sent.body, "If "+juror+" is an address the platform knows, a code is on its way") || !strings.Contains(sent.body, `autocomplete="one-time-code"`) {
		t.Fatalf("after sending the code: %d at %s; want the code form:\n%s", sent.status, sent.url, sent.body)
	}
	code, mail := awaitCode(t, capture, juror, 1)
	if strings.Contains(mail.Subject, code) || mail.Header.Get("X-Miasta-Mail-Kind") != "SIGN_IN_CODE" {
		t.Errorf("the code's mail: subject %q (must not carry the code)", mail.Subject)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if p := post(t, env, browser, sent, "action", "verify", "code", wrong); p.status != http.StatusBadRequest || !strings.Contains(p.body, "That code is not right. Tries left: 4.") {
		t.Fatalf("a wrong code: %d; want 400 with four tries left:\n%s", p.status, p.body)
	}
	done := post(t, env, browser, sent, "action", "verify", "code", code[:3]+" "+code[3:])
	if done.status != http.StatusFound || done.header.Get("Location") != "/panel" {
		t.Fatalf("the right code: %d at %s to %q; want the callback's redirect to /panel:\n%s", done.status, done.url, done.header.Get("Location"), done.body)
	}
	viaEmail := miastav1connect.NewIdentityServiceClient(browser, env.URL)
	me := testenv.Must(viaEmail.GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if me.GetUser().GetEmail() != juror || me.GetOrganiser() {
		t.Fatalf("signed in by code as %q (organiser %v); want %q", me.GetUser().GetEmail(), me.GetOrganiser(), juror)
	}
	if n := jurorAssignments(t, viaEmail, editionID); n != 1 {
		t.Fatalf("the e-mail sign-in's account holds %d juror roles; want the invitation bound", n)
	}
	if p := post(t, env, browser, sent, "action", "verify", "code", code); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already used") {
		t.Fatalf("the same code again: %d; want 400, the sign-in used:\n%s", p.status, p.body)
	}

	// The same address again, from a new browser: the same account.
	again := signInBrowser(env)
	form = startSignIn(t, env, again, true)
	sent = post(t, env, again, form, "action", "send", "email", juror)
	code2, _ := awaitCode(t, capture, juror, 2)
	if p := post(t, env, again, sent, "action", "verify", "code", code); code != code2 && p.status != http.StatusBadRequest {
		t.Fatalf("the first sign-in's code on the second: %d; want 400", p.status)
	}
	if p := post(t, env, again, sent, "action", "verify", "code", code2); p.status != http.StatusFound {
		t.Fatalf("the second code: %d; want the redirect back", p.status)
	}
	me2 := testenv.Must(miastav1connect.NewIdentityServiceClient(again, env.URL).GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if me2.GetUser().GetId() != me.GetUser().GetId() {
		t.Fatalf("the second sign-in of %s is user %s; want the first's %s", juror, me2.GetUser().GetId(), me.GetUser().GetId())
	}

	// A request is the browser's that opened it.
	owner := signInBrowser(env)
	form = startSignIn(t, env, owner, true)
	stranger := signInBrowser(env)
	if p := readPage(t)(stranger.Get(form.url.String())); p.status != http.StatusBadRequest || !strings.Contains(p.body, "started in another browser") {
		t.Fatalf("another browser opening the sign-in page: %d; want 400:\n%s", p.status, p.body)
	}
	if p := post(t, env, stranger, form, "action", "send", "email", juror); p.status != http.StatusBadRequest {
		t.Fatalf("another browser sending the code: %d; want 400", p.status)
	}

	// An unknown address: the same page, nothing mailed, a CODE_NOT_SENT event.
	const nobody = "nikt@miasta.test"
	unknown := post(t, env, owner, form, "action", "send", "email", nobody)
	if unknown.status != http.StatusOK || !strings.Contains(unknown.body, "If "+nobody+" is an address the platform knows, a code is on its way") {
		t.Fatalf("sending to an unknown address: %d; want the same code form:\n%s", unknown.status, unknown.body)
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
		if p := post(t, env, owner, unknown, "action", "verify", "code", c); p.status == http.StatusFound {
			t.Fatalf("code %s signed an unknown address in", c)
		}
	}

	// Five wrong tries kill a code: then even the right one is refused.
	killer := signInBrowser(env)
	form = startSignIn(t, env, killer, true)
	sent = post(t, env, killer, form, "action", "send", "email", juror)
	code3, _ := awaitCode(t, capture, juror, 3)
	bad := "000000"
	if code3 == bad {
		bad = "111111"
	}
	for i := range 5 {
		p := post(t, env, killer, sent, "action", "verify", "code", bad)
		if want := "Tries left: " + strconv.Itoa(4-i); i < 4 && !strings.Contains(p.body, want) {
			t.Fatalf("wrong try %d: want %q:\n%s", i+1, want, p.body)
		}
		if i == 4 && !strings.Contains(p.body, "Ask for a new one") {
			t.Fatalf("the fifth wrong try: want the code dead:\n%s", p.body)
		}
	}
	if p := post(t, env, killer, sent, "action", "verify", "code", code3); p.status == http.StatusFound || !strings.Contains(p.body, "Ask for a new one") {
		t.Fatalf("the right code after five wrong ones: %d; want it dead:\n%s", p.status, p.body)
	}

	// Codes asked for one address are limited: three sent so far, two more may go, the sixth not.
	for i := range 3 {
		limiter := signInBrowser(env)
		form = startSignIn(t, env, limiter, true)
		p := post(t, env, limiter, form, "action", "send", "email", juror)
		if i < 2 && p.status != http.StatusOK {
			t.Fatalf("code %d for %s: %d; want it sent", 4+i, juror, p.status)
		}
		if i == 2 && (p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many tries")) {
			t.Fatalf("the sixth code in an hour for %s: %d; want 429:\n%s", juror, p.status, p.body)
		}
	}
	awaitCode(t, capture, juror, 5)
	time.Sleep(200 * time.Millisecond)
	if n := len(delivered(capture, juror, "SIGN_IN_CODE")); n != 5 {
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
	rec := readPage(t)((&http.Client{Transport: second.AuthProvider().HTTPClient.Transport}).Get(env.URL + signin.Path + "/keys"))
	served := readPage(t)(http.Get(env.URL + signin.Path + "/keys"))
	if rec.status != http.StatusOK || rec.body != served.body {
		t.Fatalf("the second replica's keys differ from the served ones:\n%s\n%s", rec.body, served.body)
	}
}

// TestEmailSignInAlone: with no other provider, MIASTA_EMAIL_SIGNIN=auto serves the e-mail sign-in,
// /auth/login goes straight to it (in the browser's language), and an organiser's address signs in as
// an organiser; without an SMTP server the platform refuses to start, saying why.
func TestEmailSignInAlone(t *testing.T) {
	t.Parallel()
	env, capture := startEmailSignIn(t, true)
	ctx := t.Context()
	browser := signInBrowser(env)
	form := startSignIn(t, env, browser, false)
	sent := post(t, env, browser, form, "action", "send", "email", demo.OrganiserEmail)
	code, _ := awaitCode(t, capture, demo.OrganiserEmail, 1)
	if p := post(t, env, browser, sent, "action", "verify", "code", code); p.status != http.StatusFound || p.header.Get("Location") != "/panel" {
		t.Fatalf("the organiser's code: %d to %q", p.status, p.header.Get("Location"))
	}
	me := testenv.Must(miastav1connect.NewIdentityServiceClient(browser, env.URL).GetMe(ctx, &v1.GetMeRequest{})).GetMe()
	if !me.GetOrganiser() || me.GetUser().GetEmail() != demo.OrganiserEmail {
		t.Fatalf("signed in by code as %q, organiser %v; want the organiser", me.GetUser().GetEmail(), me.GetOrganiser())
	}
	// In Polish, from the browser's language.
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/auth/login", nil)
	req.Header.Set("Accept-Language", "pl")
	if p := readPage(t)(signInBrowser(env).Do(req)); p.status != http.StatusOK || !strings.Contains(p.body, "Zaloguj się adresem e-mail") {
		t.Fatalf("/auth/login in Polish: %d at %s:\n%s", p.status, p.url, p.body)
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
