package mail

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"
)

// templateFS holds one plain-text template per language and kind: templates/<language>/<kind>.txt,
// whose first line is the subject and whose text after the following blank line is the body.
//
//go:embed templates
var templateFS embed.FS

// fallbacks are tried, in order, when there is no template in the recipient's language.
var fallbacks = []string{"en", "pl"}

// templateData is what every template may use; fields a kind does not need are empty.
type templateData struct {
	Name    string // the recipient's display name
	Role    string // EXPERT, JUROR or TRANSLATOR
	City    string // the expert's city or the juror's home city
	Edition string // the edition's name, e.g. "Miasta Otwarte 2015"
	Year    int32
	// Deadline is the deadline the mail is about, formatted in Europe/Warsaw time; empty when not set.
	Deadline   string
	Comment    string // an organiser's comment on a returned report
	LoginURL   string
	ResultsURL string
	// A ballot receipt's: the cast's hash and time (Europe/Warsaw), and the public results page.
	BallotHash  string
	CastTime    string
	ResultsPage string
	// An organiser's message: their subject and text, as they wrote them.
	Subject string
	Message string
	// A sign-in code and the Europe/Warsaw time it expires at.
	Code    string
	Expires string
}

type mailTemplate struct {
	subject, body *template.Template
}

// templates holds every parsed template by language, then kind.
type templates map[string]map[Kind]mailTemplate

// parseTemplates reads and parses every embedded template; every kind must have a Polish and an
// English template, the last resorts.
func parseTemplates() (templates, error) {
	out := templates{}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		lang, file := path.Base(path.Dir(p)), path.Base(p)
		kind := Kind(strings.ToUpper(strings.TrimSuffix(file, ".txt")))
		if !kind.valid() {
			return fmt.Errorf("%s: no mail kind %s", p, kind)
		}
		raw, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		subject, body, ok := strings.Cut(string(raw), "\n\n")
		if !ok || strings.Contains(subject, "\n") {
			return fmt.Errorf("%s: want a subject line, a blank line and the body", p)
		}
		t := mailTemplate{}
		if t.subject, err = template.New(p + ":subject").Option("missingkey=error").Parse(subject); err != nil {
			return err
		}
		if t.body, err = template.New(p).Option("missingkey=error").Parse(body); err != nil {
			return err
		}
		if out[lang] == nil {
			out[lang] = map[Kind]mailTemplate{}
		}
		out[lang][kind] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	for _, lang := range fallbacks {
		for _, k := range Kinds {
			if _, ok := out[lang][k]; !ok {
				return nil, fmt.Errorf("mail templates: no %s template for %s", lang, k)
			}
		}
	}
	return out, nil
}

// render writes a kind of mail in the recipient's language, else English, else Polish, and says which
// language it used.
func (ts templates) render(kind Kind, language string, d templateData) (lang, subject, body string, err error) {
	for _, l := range append([]string{language}, fallbacks...) {
		t, ok := ts[l][kind]
		if !ok {
			continue
		}
		subject, body, err := t.write(d)
		return l, subject, body, err
	}
	return "", "", "", fmt.Errorf("no template for %s", kind) // parseTemplates makes sure of the fallbacks
}

// write writes a template's subject (on one line: a name with a line break must not split the
// subject header) and body (trimmed, ending with one line break).
func (t mailTemplate) write(d templateData) (subject, body string, err error) {
	var s, b bytes.Buffer
	if err := t.subject.Execute(&s, d); err != nil {
		return "", "", err
	}
	if err := t.body.Execute(&b, d); err != nil {
		return "", "", err
	}
	return strings.Join(strings.Fields(s.String()), " "), strings.TrimSpace(b.String()) + "\n", nil
}
