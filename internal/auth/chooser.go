package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"
)

// chooserWords are the sign-in chooser's words in the platform's languages; Sign is a format with
// the provider's name. The page is the server's (before sign-in there is no web app state to ask),
// so its few words live here rather than in the web app's catalogues.
var chooserWords = map[string]struct{ Title, Heading, Intro, Sign, Unknown string }{
	"pl": {"Logowanie — Miasta Otwarte", "Zaloguj się", "Wybierz, przez kogo chcesz się zalogować.", "Zaloguj przez: %s", "Nie ma takiego dostawcy logowania. Wybierz jednego z listy."},
	"en": {"Sign in — Miasta Otwarte", "Sign in", "Choose the account you sign in with.", "Sign in with %s", "There is no such sign-in provider. Choose one from the list."},
	"uk": {"Вхід — Miasta Otwarte", "Увійти", "Виберіть обліковий запис, з яким ви входите.", "Увійти через %s", "Такого постачальника входу немає. Виберіть одного зі списку."},
	"es": {"Iniciar sesión — Miasta Otwarte", "Iniciar sesión", "Elija la cuenta con la que inicia sesión.", "Iniciar sesión con %s", "No existe ese proveedor de inicio de sesión. Elija uno de la lista."},
	"vi": {"Đăng nhập — Miasta Otwarte", "Đăng nhập", "Chọn tài khoản bạn dùng để đăng nhập.", "Đăng nhập bằng %s", "Không có nhà cung cấp đăng nhập này. Hãy chọn một nhà cung cấp trong danh sách."},
}

var chooserLanguages = []language.Tag{language.Polish, language.English, language.Ukrainian, language.Spanish, language.Vietnamese}

var chooserMatcher = language.NewMatcher(chooserLanguages)

var chooserPage = template.Must(template.New("chooser").Parse(chooserSource))

// chooserPolicy is the page's Content-Security-Policy: nothing but its own inline style, by hash.
var chooserPolicy = func() string {
	_, rest, _ := strings.Cut(chooserSource, "<style>")
	style, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}()

const chooserSource = `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.W.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1b1f24; }
main { max-width: 26rem; margin: 3rem auto; padding: 1.5rem; background: #fff; border-radius: 0.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
p { margin: 0 0 1rem; }
ul { list-style: none; margin: 0; padding: 0; }
li + li { margin-top: 0.75rem; }
a.provider { display: block; padding: 0.8rem 1rem; border: 1px solid #0b5cad; border-radius: 0.375rem; color: #0b5cad; text-decoration: none; font-weight: 600; font-size: 1.05rem; }
a.provider:hover, a.provider:focus { background: #0b5cad; color: #fff; }
.error { color: #a4161a; }
nav { margin-top: 1.5rem; font-size: 0.9rem; }
nav a { color: #444; margin: 0 0.75rem 0.4rem 0; display: inline-block; white-space: nowrap; }
nav a[aria-current] { font-weight: 600; color: #1b1f24; }
@media (max-width: 30rem) { main { margin: 0; border-radius: 0; box-shadow: none; min-height: 100vh; } }
</style>
</head>
<body>
<main>
<h1>{{.W.Heading}}</h1>
{{if .Unknown}}<p class="error" role="alert">{{.W.Unknown}}</p>{{end}}
<p>{{.W.Intro}}</p>
<ul>
{{range .Providers}}<li><a class="provider" href="{{.Href}}">{{.Label}}</a></li>
{{end}}</ul>
<nav aria-label="Language">{{range .Languages}}<a href="{{.Href}}" lang="{{.Lang}}" hreflang="{{.Lang}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a>{{end}}</nav>
</main>
</body>
</html>
`

// chooser shows the page that lists the providers, each a link that starts the login there, in the
// language the lang parameter or, failing it, the browser's Accept-Language asks for.
func (a *Authenticator) chooser(w http.ResponseWriter, r *http.Request, returnTo string, status int) {
	lang := chooserLanguage(r)
	words := chooserWords[lang]
	type link struct {
		Href, Label, Lang, Name string
		Current                 bool
	}
	var providers, langs []link
	for _, p := range a.providers {
		q := url.Values{"provider": {p.ID}, "return_to": {returnTo}}
		name := p.Name
		if n, ok := p.Names[lang]; ok {
			name = n
		}
		providers = append(providers, link{Href: "/auth/login?" + q.Encode(), Label: fmt.Sprintf(words.Sign, name)})
	}
	for _, l := range []struct{ code, name string }{{"pl", "polski"}, {"en", "English"}, {"uk", "українська"}, {"es", "español"}, {"vi", "Tiếng Việt"}} {
		q := url.Values{"lang": {l.code}, "return_to": {returnTo}}
		langs = append(langs, link{Href: "/auth/login?" + q.Encode(), Lang: l.code, Name: l.name, Current: l.code == lang})
	}
	w.Header().Set("Content-Security-Policy", chooserPolicy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	_ = chooserPage.Execute(w, map[string]any{
		"Lang": lang, "W": words, "Providers": providers, "Languages": langs, "Unknown": status != http.StatusOK,
	})
}

// chooserLanguage is the lang parameter when it is one of the platform's languages, else the best
// match of Accept-Language, else Polish.
func chooserLanguage(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		if _, ok := chooserWords[l]; ok {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "pl"
	}
	_, i, conf := chooserMatcher.Match(tags...)
	if conf == language.No {
		return "pl"
	}
	base, _ := chooserLanguages[i].Base()
	return base.String()
}
