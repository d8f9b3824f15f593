package signin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/miasta-otwarte/miasta/internal/clientaddr"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/signin/signindb"
)

// words are the sign-in pages' words in the platform's languages. The pages are the server's (the web
// app has no state before sign-in), so their few words live here, as the chooser's do in auth.
type words struct {
	Title, Heading, EmailIntro, EmailLabel, Send, CodeIntro, CodeLabel, Verify, NewCode, OtherAddress, Hint,
	BadEmail, WrongCode, DeadCode, TooMany, Expired, OtherBrowser, StartAgain string
}

var pageWords = map[string]words{
	"pl": {
		Title: "Logowanie — Miasta Otwarte", Heading: "Zaloguj się adresem e-mail",
		EmailIntro: "Wpisz adres, na który przyszło zaproszenie. Wyślemy na niego kod do zalogowania.",
		EmailLabel: "Adres e-mail", Send: "Wyślij mi kod",
		CodeIntro: "Jeśli %s to adres znany platformie, kod jest już w drodze. Jest ważny przez 10 minut.",
		CodeLabel: "Kod z wiadomości", Verify: "Zaloguj się", NewCode: "Wyślij nowy kod", OtherAddress: "Użyj innego adresu",
		Hint:     "Nie ma wiadomości? Zajrzyj do folderu spamu albo poproś organizatorów o sprawdzenie adresu.",
		BadEmail: "To nie jest adres e-mail. Sprawdź go i spróbuj ponownie.", WrongCode: "Ten kod jest niepoprawny. Pozostałe próby: %d.",
		DeadCode: "Ten kod wygasł albo był wpisany błędnie zbyt wiele razy. Poproś o nowy.",
		TooMany:  "Zbyt wiele prób. Odczekaj godzinę i spróbuj ponownie.",
		Expired:  "To logowanie wygasło albo zostało już użyte. Zacznij od nowa.", OtherBrowser: "To logowanie rozpoczęto w innej przeglądarce. Zacznij od nowa tutaj.",
		StartAgain: "Zacznij od nowa",
	},
	"en": {
		Title: "Sign in — Miasta Otwarte", Heading: "Sign in with your e-mail",
		EmailIntro: "Enter the address your invitation was sent to. We will e-mail you a code to sign in with.",
		EmailLabel: "E-mail address", Send: "Send me a code",
		CodeIntro: "If %s is an address the platform knows, a code is on its way to it. It is valid for 10 minutes.",
		CodeLabel: "Code from the e-mail", Verify: "Sign in", NewCode: "Send a new code", OtherAddress: "Use another address",
		Hint:     "No mail? Look in the spam folder, or ask the organisers to check your address.",
		BadEmail: "This is not an e-mail address. Check it and try again.", WrongCode: "That code is not right. Tries left: %d.",
		DeadCode: "This code has expired or was mistyped too often. Ask for a new one.",
		TooMany:  "Too many tries. Wait an hour and try again.",
		Expired:  "This sign-in has expired or was already used. Start again.", OtherBrowser: "This sign-in was started in another browser. Start again here.",
		StartAgain: "Start again",
	},
	"uk": {
		Title: "Вхід — Miasta Otwarte", Heading: "Увійдіть за адресою електронної пошти",
		EmailIntro: "Введіть адресу, на яку надійшло запрошення. Ми надішлемо на неї код для входу.",
		EmailLabel: "Адреса електронної пошти", Send: "Надіслати мені код",
		CodeIntro: "Якщо %s — адреса, відома платформі, код уже надіслано. Він дійсний 10 хвилин.",
		CodeLabel: "Код із листа", Verify: "Увійти", NewCode: "Надіслати новий код", OtherAddress: "Використати іншу адресу",
		Hint:     "Листа немає? Перевірте папку «Спам» або попросіть організаторів перевірити вашу адресу.",
		BadEmail: "Це не адреса електронної пошти. Перевірте її та спробуйте ще раз.", WrongCode: "Код неправильний. Залишилося спроб: %d.",
		DeadCode: "Термін дії коду минув або його забагато разів введено неправильно. Попросіть новий.",
		TooMany:  "Забагато спроб. Зачекайте годину й спробуйте ще раз.",
		Expired:  "Цей вхід прострочено або вже використано. Почніть спочатку.", OtherBrowser: "Цей вхід розпочато в іншому браузері. Почніть спочатку тут.",
		StartAgain: "Почати спочатку",
	},
	"es": {
		Title: "Iniciar sesión — Miasta Otwarte", Heading: "Inicie sesión con su correo electrónico",
		EmailIntro: "Escriba la dirección a la que llegó su invitación. Le enviaremos un código para iniciar sesión.",
		EmailLabel: "Correo electrónico", Send: "Enviarme un código",
		CodeIntro: "Si %s es una dirección que la plataforma conoce, el código ya va de camino. Es válido durante 10 minutos.",
		CodeLabel: "Código del correo", Verify: "Iniciar sesión", NewCode: "Enviar un código nuevo", OtherAddress: "Usar otra dirección",
		Hint:     "¿No llega el correo? Mire en la carpeta de spam o pida a los organizadores que comprueben su dirección.",
		BadEmail: "Esto no es una dirección de correo electrónico. Revísela e inténtelo de nuevo.", WrongCode: "El código no es correcto. Intentos restantes: %d.",
		DeadCode: "Este código ha caducado o se escribió mal demasiadas veces. Pida uno nuevo.",
		TooMany:  "Demasiados intentos. Espere una hora e inténtelo de nuevo.",
		Expired:  "Este inicio de sesión ha caducado o ya se usó. Empiece de nuevo.", OtherBrowser: "Este inicio de sesión se empezó en otro navegador. Empiece de nuevo aquí.",
		StartAgain: "Empezar de nuevo",
	},
	"vi": {
		Title: "Đăng nhập — Miasta Otwarte", Heading: "Đăng nhập bằng e-mail",
		EmailIntro: "Nhập địa chỉ đã nhận thư mời. Chúng tôi sẽ gửi đến đó một mã để đăng nhập.",
		EmailLabel: "Địa chỉ e-mail", Send: "Gửi mã cho tôi",
		CodeIntro: "Nếu %s là địa chỉ nền tảng biết, mã đang được gửi đến. Mã có hiệu lực trong 10 phút.",
		CodeLabel: "Mã trong e-mail", Verify: "Đăng nhập", NewCode: "Gửi mã mới", OtherAddress: "Dùng địa chỉ khác",
		Hint:     "Không thấy thư? Hãy xem thư mục thư rác, hoặc nhờ ban tổ chức kiểm tra địa chỉ của bạn.",
		BadEmail: "Đây không phải là địa chỉ e-mail. Hãy kiểm tra và thử lại.", WrongCode: "Mã không đúng. Số lần thử còn lại: %d.",
		DeadCode: "Mã này đã hết hạn hoặc bị nhập sai quá nhiều lần. Hãy yêu cầu mã mới.",
		TooMany:  "Quá nhiều lần thử. Hãy đợi một giờ rồi thử lại.",
		Expired:  "Lần đăng nhập này đã hết hạn hoặc đã được dùng. Hãy bắt đầu lại.", OtherBrowser: "Lần đăng nhập này được bắt đầu ở trình duyệt khác. Hãy bắt đầu lại tại đây.",
		StartAgain: "Bắt đầu lại",
	},
}

var (
	pageLanguages    = []language.Tag{language.Polish, language.English, language.Ukrainian, language.Spanish, language.Vietnamese}
	pageMatcher      = language.NewMatcher(pageLanguages)
	supportedLocales = pageLanguages
	languageNames    = []struct{ code, name string }{{"pl", "polski"}, {"en", "English"}, {"uk", "українська"}, {"es", "español"}, {"vi", "Tiếng Việt"}}
)

const pageSource = `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.W.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; }
main { max-width: 26rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border-radius: 0.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 0.75rem; }
.brand { margin: 0 0 0.75rem; font-size: 0.8rem; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: #0b5cad; }
p { margin: 0 0 1rem; line-height: 1.45; }
label { display: block; font-weight: 600; margin-bottom: 0.35rem; }
input { box-sizing: border-box; width: 100%; font: inherit; font-size: 1.1rem; padding: 0.7rem 0.8rem; border: 1px solid #6b7280; border-radius: 0.375rem; }
input.code { letter-spacing: 0.3em; font-variant-numeric: tabular-nums; }
input:focus { outline: 3px solid #8ab4f8; outline-offset: 1px; }
input[aria-invalid="true"] { border-color: #a4161a; }
button { margin-top: 1rem; width: 100%; padding: 0.8rem 1rem; font: inherit; font-weight: 600; font-size: 1.05rem; color: #fff; background: #0b5cad; border: 0; border-radius: 0.375rem; cursor: pointer; }
button:hover, button:focus { background: #084a8c; }
.error { color: #a4161a; font-weight: 600; }
.hint { color: #4b5563; font-size: 0.9rem; margin-top: 1rem; }
.more { margin-top: 1rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
.more a, .start, .more button.link { color: #0b5cad; }
.more form { margin: 0; }
.more button.link { margin: 0; width: auto; padding: 0; background: none; font-weight: 400; font-size: 1rem; text-decoration: underline; }
.more button.link:hover, .more button.link:focus { background: none; color: #084a8c; }
nav { margin-top: 1.5rem; font-size: 0.9rem; }
nav a { color: #444; margin: 0 0.75rem 0.4rem 0; display: inline-block; white-space: nowrap; }
nav a[aria-current] { font-weight: 600; color: #1b1f24; }
@media (max-width: 30rem) { main { margin: 0; border-radius: 0; box-shadow: none; min-height: 100vh; } }
</style>
</head>
<body>
<main>
<p class="brand">Miasta Otwarte</p>
<h1>{{.W.Heading}}</h1>
{{if .Error}}<p class="error" role="alert" id="error">{{.Error}}</p>{{end}}
{{if .Fatal}}<p><a class="start" href="{{.StartURL}}">{{.W.StartAgain}}</a></p>
{{else if .CodeStep}}<p>{{.CodeIntro}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<input type="hidden" name="action" value="verify">
<label for="code">{{.W.CodeLabel}}</label>
<input class="code" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required autofocus{{if .Error}} aria-invalid="true" aria-describedby="error"{{end}}>
<button type="submit">{{.W.Verify}}</button>
</form>
<div class="more">
<form method="post" action="{{.Action}}"><input type="hidden" name="authRequestID" value="{{.ID}}"><input type="hidden" name="action" value="send"><input type="hidden" name="email" value="{{.Email}}"><button type="submit" class="link">{{.W.NewCode}}</button></form>
<a href="{{.AgainURL}}">{{.W.OtherAddress}}</a>
</div>
<p class="hint">{{.W.Hint}}</p>
{{else}}<p>{{.W.EmailIntro}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<input type="hidden" name="action" value="send">
<label for="email">{{.W.EmailLabel}}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="email" maxlength="254" value="{{.Email}}" required autofocus{{if .Error}} aria-invalid="true" aria-describedby="error"{{end}}>
<button type="submit">{{.W.Send}}</button>
</form>
{{end}}
<nav aria-label="Language">{{range .Languages}}<a href="{{.Href}}" lang="{{.Lang}}" hreflang="{{.Lang}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a>{{end}}</nav>
</main>
</body>
</html>
`

var page = template.Must(template.New("signin").Parse(pageSource))

// pagePolicy is the pages' Content-Security-Policy: their own inline style by hash, forms posted only
// to this site.
var pagePolicy = func() string {
	_, rest, _ := strings.Cut(pageSource, "<style>")
	style, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}()

// view is what one rendering of the page shows.
type view struct {
	lang     string
	id       string
	email    string
	codeStep bool
	err      string
	fatal    bool
}

func (p *Provider) render(w http.ResponseWriter, status int, v view) {
	wd := pageWords[v.lang]
	type link struct {
		Href, Lang, Name string
		Current          bool
	}
	var langs []link
	for _, l := range languageNames {
		q := url.Values{"authRequestID": {v.id}, "lang": {l.code}}
		langs = append(langs, link{Href: loginPath[1:] + "?" + q.Encode(), Lang: l.code, Name: l.name, Current: l.code == v.lang})
	}
	again := url.Values{"authRequestID": {v.id}, "lang": {v.lang}, "again": {"1"}}
	w.Header().Set("Content-Security-Policy", pagePolicy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", v.lang)
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	err := page.Execute(w, map[string]any{
		"Lang": v.lang, "W": wd, "ID": v.id, "Email": v.email, "CodeStep": v.codeStep, "Error": v.err, "Fatal": v.fatal,
		"CodeIntro": fmt.Sprintf(wd.CodeIntro, v.email), "Action": loginPath[1:] + "?lang=" + v.lang,
		"AgainURL": loginPath[1:] + "?" + again.Encode(), "StartURL": strings.TrimSuffix(p.issuer, Path) + "/auth/login",
		"Languages": langs,
	})
	if err != nil {
		p.log.Error("signin: render page", "error", err)
	}
}

// pageLanguage is the lang parameter, else the request's ui_locales, else the best match of
// Accept-Language, else Polish.
func pageLanguage(r *http.Request, uiLocales string) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		if _, ok := pageWords[l]; ok {
			return l
		}
	}
	var tags []language.Tag
	for _, l := range strings.Fields(uiLocales) {
		if t, err := language.Parse(l); err == nil {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		tags, _, _ = language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	if len(tags) == 0 {
		return "pl"
	}
	_, i, conf := pageMatcher.Match(tags...)
	if conf == language.No {
		return "pl"
	}
	base, _ := pageLanguages[i].Base()
	return base.String()
}

// browserCookie names the cookie that binds a sign-in to its browser: __Host- over https, so no
// other site or plain-http page can plant it.
func (p *Provider) browserCookie() string {
	if p.secure {
		return "__Host-miasta_signin"
	}
	return "miasta_signin"
}

func hashBrowser(v string) []byte {
	sum := sha256.Sum256([]byte("miasta signin browser\x00" + v))
	return sum[:]
}

// codeHash is the stored form of a code: an HMAC under the provider's own key, bound to its request,
// so the database never holds a code and a code of one request is worth nothing in another.
func (p *Provider) codeHash(requestID, code string) []byte {
	m := hmac.New(sha256.New, p.codeKey)
	m.Write([]byte(requestID + "\x00" + code))
	return m.Sum(nil)
}

// newCode is 6 random digits.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// validID says whether s can be a request's id (newID's base32): anything else is no request, and
// never reaches the database.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// boundCallback guards the op library's callback (where a completed request gets its authorization
// code) as serveLogin guards the pages: only the browser the request is bound to may take it.
func (p *Provider) boundCallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		req, err := signindb.SigninRequest{}, pgx.ErrNoRows
		if validID(id) {
			req, err = p.q.GetRequest(r.Context(), p.pool, id)
		}
		lang := pageLanguage(r, req.UiLocales)
		v := view{lang: lang, id: id, fatal: true}
		switch {
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			p.fail(w, r, err)
			return
		case err != nil || !req.Done:
			v.err = pageWords[lang].Expired
			p.render(w, http.StatusBadRequest, v)
			return
		}
		c, cerr := r.Cookie(p.browserCookie())
		if req.BrowserHash == nil || cerr != nil || !hmac.Equal(hashBrowser(c.Value), req.BrowserHash) {
			v.err = pageWords[lang].OtherBrowser
			p.render(w, http.StatusBadRequest, v)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// minSendTime is the least time asking for a code takes, whether or not a mail is queued, so that the
// answer's timing does not tell known addresses from others.
const minSendTime = 150 * time.Millisecond

// errFatal is a state of the request from which only starting again helps.
var errFatal = errors.New("start again")

// serveLogin is the page the op library sends the browser to (Client.LoginURL): GET shows the address
// form or, once a code was sent, the code form; POST action=send mails a code, action=verify checks
// it, completes the request and sends the browser back to the library, which returns to the platform.
func (p *Provider) serveLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "cannot read the form", http.StatusBadRequest)
			return
		}
	}
	id := r.FormValue("authRequestID")
	ctx := r.Context()
	req, err := signindb.SigninRequest{}, pgx.ErrNoRows
	if validID(id) {
		req, err = p.q.GetRequest(ctx, p.pool, id)
	}
	lang := pageLanguage(r, req.UiLocales)
	v := view{lang: lang, id: id}
	if err != nil || req.Done {
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			p.fail(w, r, err)
			return
		}
		v.err, v.fatal = pageWords[lang].Expired, true
		p.render(w, http.StatusBadRequest, v)
		return
	}
	if !p.sameBrowser(w, r, req) {
		v.err, v.fatal = pageWords[lang].OtherBrowser, true
		p.render(w, http.StatusBadRequest, v)
		return
	}
	if req.Email != nil {
		v.email = *req.Email
	}
	if r.Method != http.MethodPost {
		v.codeStep = req.CodeHash != nil && req.CodeExpireTime != nil && p.now().Before(*req.CodeExpireTime) && r.URL.Query().Get("again") == ""
		p.render(w, http.StatusOK, v)
		return
	}
	switch r.PostForm.Get("action") {
	case "send":
		p.sendCode(w, r, v)
	case "verify":
		p.verifyCode(w, r, v)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}

// sameBrowser binds a request to the browser that first shows its page, and says whether this
// request comes from that browser. Only a GET binds: a form posted before the page was seen is not
// from a browser that saw it.
func (p *Provider) sameBrowser(w http.ResponseWriter, r *http.Request, req signindb.SigninRequest) bool {
	c, err := r.Cookie(p.browserCookie())
	if req.BrowserHash != nil {
		return err == nil && hmac.Equal(hashBrowser(c.Value), req.BrowserHash)
	}
	if r.Method == http.MethodPost {
		return false
	}
	value := ""
	if err == nil && len(c.Value) >= 20 {
		value = c.Value
	} else {
		value = rand.Text()
		http.SetCookie(w, &http.Cookie{
			Name: p.browserCookie(), Value: value, Path: "/", MaxAge: int(requestTTL.Seconds()),
			HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
		})
	}
	n, err := p.q.BindBrowser(r.Context(), p.pool, signindb.BindBrowserParams{ID: req.ID, BrowserHash: hashBrowser(value)})
	if err != nil || n == 0 {
		return false // another browser bound it a moment ago
	}
	return true
}

// clientAddr is the client address the limits count: an IPv6 client's /64 (one home's or one
// machine's: rotating addresses within it is free), an IPv4 client's address.
func clientAddr(ctx context.Context) string {
	a := clientaddr.FromContext(ctx).Unmap()
	switch {
	case !a.IsValid():
		return "unknown"
	case a.Is6():
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// normaliseEmail is the address in lower case, when s is one address without a display name.
func normaliseEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "<>\"(), ;:\\") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", false
	}
	return strings.ToLower(s), true
}

func (p *Provider) sendCode(w http.ResponseWriter, r *http.Request, v view) {
	ctx := r.Context()
	start := time.Now()
	wd := pageWords[v.lang]
	email, ok := normaliseEmail(r.PostForm.Get("email"))
	if !ok {
		v.email, v.err = strings.TrimSpace(r.PostForm.Get("email")), wd.BadEmail
		p.render(w, http.StatusBadRequest, v)
		return
	}
	v.email = email
	known, err := p.known(ctx, email)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	addr := clientAddr(ctx)
	limited := false
	err = db.InTx(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := p.q.GetRequestForUpdate(ctx, tx, v.id); err != nil {
			return errFatal
		}
		if err := p.q.LockLimits(ctx, tx, signindb.LockLimitsParams{Email: email, ClientAddr: addr}); err != nil {
			return err
		}
		n, err := p.q.CountEvents(ctx, tx, signindb.CountEventsParams{
			Email: email, ClientAddr: addr, Kinds: []string{"CODE_SENT", "CODE_NOT_SENT"}, Since: p.now().Add(-p.limits.Window),
		})
		if err != nil {
			return err
		}
		if limited = int(n.ByBoth) >= p.limits.CodesPerAddress || int(n.ByEmail) >= p.limits.CodesPerAddressAll ||
			int(n.ByAddr) >= p.limits.CodesPerClient; limited {
			return p.q.InsertEvent(ctx, tx, signindb.InsertEventParams{Kind: "RATE_LIMITED", Email: email, ClientAddr: addr})
		}
		code, kind := newCode(), "CODE_SENT"
		expires := p.now().Add(codeTTL)
		hash := p.codeHash(v.id, code)
		if !known {
			// Nothing is mailed, and no code can match: the page says the same either way.
			hash, kind = p.codeHash(v.id, "unknown address "+rand.Text()), "CODE_NOT_SENT"
		}
		if err := p.q.SetCode(ctx, tx, signindb.SetCodeParams{ID: v.id, Email: &email, CodeHash: hash, CodeExpireTime: &expires}); err != nil {
			return err
		}
		if known {
			if err := p.send(ctx, tx, email, v.lang, code, expires); err != nil {
				return err
			}
		}
		return p.q.InsertEvent(ctx, tx, signindb.InsertEventParams{Kind: kind, Email: email, ClientAddr: addr})
	})
	switch {
	case errors.Is(err, errFatal):
		v.err, v.fatal = wd.Expired, true
		p.render(w, http.StatusBadRequest, v)
	case err != nil:
		p.fail(w, r, err)
	case limited:
		p.log.WarnContext(ctx, "sign-in code refused: too many asked for", "client_addr", addr)
		v.err = wd.TooMany
		p.render(w, http.StatusTooManyRequests, v)
	default:
		p.log.InfoContext(ctx, "sign-in code asked for", "known", known, "client_addr", addr)
		time.Sleep(time.Until(start.Add(minSendTime)))
		q := url.Values{"authRequestID": {v.id}, "lang": {v.lang}}
		http.Redirect(w, r, p.issuer+loginPath+"?"+q.Encode(), http.StatusSeeOther)
	}
}

func (p *Provider) verifyCode(w http.ResponseWriter, r *http.Request, v view) {
	ctx := r.Context()
	wd := pageWords[v.lang]
	code := strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' {
			return -1
		}
		return c
	}, r.PostForm.Get("code"))
	addr := clientAddr(ctx)
	var (
		outcome string // "", "wrong", "dead", "limited"
		left    int
	)
	err := db.InTx(ctx, p.pool, func(tx pgx.Tx) error {
		outcome, left = "", 0
		req, err := p.q.GetRequestForUpdate(ctx, tx, v.id)
		if err != nil || req.Done {
			return errFatal
		}
		email := ""
		if req.Email != nil {
			email = *req.Email
		}
		if req.CodeHash == nil || req.CodeExpireTime == nil || !p.now().Before(*req.CodeExpireTime) || int(req.CodeAttempts) >= p.limits.WrongPerCode {
			outcome = "dead"
			return nil
		}
		if err := p.q.LockLimits(ctx, tx, signindb.LockLimitsParams{Email: email, ClientAddr: addr}); err != nil {
			return err
		}
		n, err := p.q.CountEvents(ctx, tx, signindb.CountEventsParams{
			Email: email, ClientAddr: addr, Kinds: []string{"CODE_WRONG"}, Since: p.now().Add(-p.limits.Window),
		})
		if err != nil {
			return err
		}
		if int(n.ByAddr) >= p.limits.WrongPerClient || int(n.ByBoth) >= p.limits.WrongPerAddress || int(n.ByEmail) >= p.limits.WrongPerAddressAll {
			outcome = "limited"
			return p.q.InsertEvent(ctx, tx, signindb.InsertEventParams{Kind: "RATE_LIMITED", Email: email, ClientAddr: addr})
		}
		if !hmac.Equal(p.codeHash(v.id, code), req.CodeHash) {
			outcome, left = "wrong", p.limits.WrongPerCode-int(req.CodeAttempts)-1
			if err := p.q.CountCodeAttempt(ctx, tx, v.id); err != nil {
				return err
			}
			return p.q.InsertEvent(ctx, tx, signindb.InsertEventParams{Kind: "CODE_WRONG", Email: email, ClientAddr: addr})
		}
		subject, err := p.q.UpsertAccount(ctx, tx, signindb.UpsertAccountParams{Subject: newID(), Email: email})
		if err != nil {
			return err
		}
		now := p.now()
		if err := p.q.CompleteRequest(ctx, tx, signindb.CompleteRequestParams{ID: v.id, Subject: &subject, AuthTime: &now}); err != nil {
			return err
		}
		return p.q.InsertEvent(ctx, tx, signindb.InsertEventParams{Kind: "SIGNED_IN", Email: email, ClientAddr: addr})
	})
	switch {
	case errors.Is(err, errFatal):
		v.err, v.fatal = wd.Expired, true
		p.render(w, http.StatusBadRequest, v)
	case err != nil:
		p.fail(w, r, err)
	case outcome == "dead" || outcome == "wrong" && left <= 0:
		v.err = wd.DeadCode
		p.render(w, http.StatusBadRequest, v)
	case outcome == "wrong":
		v.err, v.codeStep = fmt.Sprintf(wd.WrongCode, left), true
		p.render(w, http.StatusBadRequest, v)
	case outcome == "limited":
		v.err, v.codeStep = wd.TooMany, true
		p.render(w, http.StatusTooManyRequests, v)
	default:
		p.log.InfoContext(ctx, "signed in by e-mail code", "client_addr", addr)
		http.Redirect(w, r, op.AuthCallbackURL(p.op)(ctx, v.id), http.StatusSeeOther)
	}
}

func (p *Provider) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.ErrorContext(r.Context(), "signin", "error", err)
	http.Error(w, "the sign-in could not be completed; try again in a moment", http.StatusServiceUnavailable)
}
