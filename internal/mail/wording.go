package mail

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// An edition's own wording of its mail: organisers word each kind (but the ballot receipt) per
// language; queue writes a mail from the edition's wording in the recipient's language when there is
// one, else from the platform's templates as before.

// Languages are the languages mail is worded in.
var Languages = []string{"pl", "en", "uk", "es", "vi"}

// Wordable reports whether organisers may word a kind: every kind but the ballot receipt, which is a
// second channel a juror must be able to trust as the platform writes it, and an organiser's message,
// whose text is the organiser's each time.
func Wordable(k Kind) bool { return slices.Contains(Kinds, k) && k != BallotReceipt && k != Message }

// Wording is one kind of mail in one language, as an edition words it or the platform does.
type Wording struct {
	Kind                        Kind
	Language                    string
	Subject, Body               string
	Customised                  bool
	DefaultSubject, DefaultBody string
}

// Placeholders are the fields a wording may use ({{.Name}}).
func Placeholders() []string {
	t := reflect.TypeFor[templateData]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		out = append(out, t.Field(i).Name)
	}
	return out
}

// builtin returns the platform's raw template of a kind in a language (subject, body).
func builtin(kind Kind, language string) (string, string, error) {
	raw, err := templateFS.ReadFile("templates/" + language + "/" + strings.ToLower(string(kind)) + ".txt")
	if err != nil {
		return "", "", err
	}
	subject, body, _ := strings.Cut(string(raw), "\n\n")
	return subject, body, nil
}

// Wordings lists every wordable kind in every language for the edition.
func (s *Service) Wordings(ctx context.Context, editionID uuid.UUID) ([]Wording, error) {
	if _, err := edition.Load(ctx, s.pool, editionID); err != nil {
		return nil, err
	}
	rows, err := s.q.ListEditionTemplates(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	own := map[[2]string]maildb.ListEditionTemplatesRow{}
	for _, r := range rows {
		own[[2]string{r.Kind, r.Language}] = r
	}
	var out []Wording
	for _, k := range Kinds {
		if !Wordable(k) {
			continue
		}
		for _, l := range Languages {
			subject, body, err := builtin(k, l)
			if err != nil {
				return nil, err
			}
			w := Wording{Kind: k, Language: l, Subject: subject, Body: body, DefaultSubject: subject, DefaultBody: body}
			if r, ok := own[[2]string{string(k), l}]; ok {
				w.Subject, w.Body, w.Customised = r.Subject, r.Body, true
			}
			out = append(out, w)
		}
	}
	return out, nil
}

var unknownField = regexp.MustCompile(`can't evaluate field (\w+)`)

// parseWording parses a subject and body, checking that they use only the placeholders there are and
// write something, by writing them with every placeholder filled.
func parseWording(subject, body string) (mailTemplate, error) {
	if strings.ContainsAny(subject, "\r\n") {
		return mailTemplate{}, fault.Invalidf("subject", "must be one line")
	}
	if strings.TrimSpace(subject) == "" {
		return mailTemplate{}, fault.Invalidf("subject", "is empty; write a subject, or leave both subject and body empty for the platform's wording")
	}
	if strings.TrimSpace(body) == "" {
		return mailTemplate{}, fault.Invalidf("body", "is empty; write a body, or leave both subject and body empty for the platform's wording")
	}
	var t mailTemplate
	var err error
	for _, part := range []struct {
		field, text string
		into        **template.Template
	}{{"subject", subject, &t.subject}, {"body", body, &t.body}} {
		*part.into, err = template.New(part.field).Option("missingkey=error").Parse(part.text)
		if err != nil {
			return mailTemplate{}, fault.Invalidf(part.field, "is not a valid template: %s", strings.TrimPrefix(err.Error(), "template: "))
		}
		if err := (*part.into).Execute(&bytes.Buffer{}, sampleData); err != nil {
			if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
				return mailTemplate{}, fault.Invalidf(part.field, "%s is not a placeholder; use one of %s", "{{."+m[1]+"}}", strings.Join(Placeholders(), ", "))
			}
			return mailTemplate{}, fault.Invalidf(part.field, "cannot be written: %s", strings.TrimPrefix(err.Error(), "template: "))
		}
	}
	return t, nil
}

// sampleData fills every placeholder, for checking a wording and for a preview without recipients.
var sampleData = templateData{
	Name: "Anna Nowak", Role: "EXPERT", City: "Łódź", Edition: "Miasta Otwarte", Year: 2026,
	Deadline: "31.01.2027 23:59", Comment: "Proszę dodać partnerów.", LoginURL: "https://example.org/auth/login",
	ResultsURL: "https://example.org/results", BallotHash: "sha256:…", CastTime: "15.02.2027 12:00", ResultsPage: "https://example.org/results/2026",
}

// SetWording words a kind in a language for the edition; empty subject and body go back to the
// platform's wording.
func (s *Service) SetWording(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, kind Kind, language, subject, body string) (Wording, error) {
	if !Wordable(kind) {
		return Wording{}, fault.Invalidf("kind", "the ballot receipt is always the platform's wording, and a message to a role is the organiser's own text")
	}
	if !slices.Contains(Languages, language) {
		return Wording{}, fault.Invalidf("language", "must be one of pl, en, uk, es, vi")
	}
	reset := subject == "" && body == ""
	if !reset {
		if _, err := parseWording(subject, body); err != nil {
			return Wording{}, err
		}
	}
	if _, err := edition.Load(ctx, s.pool, editionID); err != nil {
		return Wording{}, err
	}
	var err error
	if reset {
		err = s.q.DeleteEditionTemplate(ctx, s.pool, maildb.DeleteEditionTemplateParams{EditionID: editionID, Kind: string(kind), Language: language})
	} else {
		var by *uuid.UUID
		if actor != nil {
			by = &actor.UserID
		}
		err = s.q.UpsertEditionTemplate(ctx, s.pool, maildb.UpsertEditionTemplateParams{EditionID: editionID, Kind: string(kind), Language: language, Subject: subject, Body: body, UpdatedBy: by})
	}
	if err != nil {
		return Wording{}, err
	}
	return s.wordingOf(ctx, s.pool, editionID, kind, language)
}

// wordingOf is one kind's wording in one language for the edition: its own, or the platform's.
func (s *Service) wordingOf(ctx context.Context, q maildb.DBTX, editionID uuid.UUID, kind Kind, language string) (Wording, error) {
	subject, body, err := builtin(kind, language)
	if err != nil {
		return Wording{}, err
	}
	w := Wording{Kind: kind, Language: language, Subject: subject, Body: body, DefaultSubject: subject, DefaultBody: body}
	rows, err := s.q.EditionTemplatesOfKind(ctx, q, maildb.EditionTemplatesOfKindParams{EditionID: editionID, Kind: string(kind)})
	if err != nil {
		return Wording{}, err
	}
	for _, r := range rows {
		if r.Language == language {
			w.Subject, w.Body, w.Customised = r.Subject, r.Body, true
		}
	}
	return w, nil
}

// kindRoles are the roles a kind of mail goes to, for a preview's recipient.
var kindRoles = map[Kind][]string{
	Invitation: {"EXPERT", "JUROR", "TRANSLATOR"}, ReportingOpened: {"EXPERT"}, ReportingReminder: {"EXPERT"},
	ReportReturned: {"EXPERT"}, JuryOpened: {"JUROR", "TRANSLATOR"}, BallotReminder: {"JUROR"}, ResultsAnnounced: {"EXPERT", "JUROR"},
}

// Preview writes a wording (the one in force when subject and body are empty) with the edition's data
// and one of its real recipients of the kind, or the sample person; it changes nothing.
func (s *Service) Preview(ctx context.Context, editionID uuid.UUID, kind Kind, language, subject, body string) (string, string, string, error) {
	if !Wordable(kind) {
		return "", "", "", fault.Invalidf("kind", "the ballot receipt is always the platform's wording, and a message to a role is the organiser's own text")
	}
	e, err := edition.Load(ctx, s.pool, editionID)
	if err != nil {
		return "", "", "", err
	}
	if subject == "" && body == "" {
		w, err := s.wordingOf(ctx, s.pool, editionID, kind, language)
		if err != nil {
			return "", "", "", err
		}
		subject, body = w.Subject, w.Body
	}
	t, err := parseWording(subject, body)
	if err != nil {
		return "", "", "", err
	}
	d, who := sampleData, ""
	r, err := s.q.SampleRecipient(ctx, s.pool, maildb.SampleRecipientParams{EditionID: editionID, Roles: kindRoles[kind]})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		d = s.data(e, recipient{DisplayName: sampleData.Name, Role: kindRoles[kind][0], CityName: sampleData.City}, deadlineOf(e, kind))
	case err != nil:
		return "", "", "", err
	default:
		d = s.data(e, recipient{DisplayName: r.DisplayName, Role: r.Role, CityName: r.CityName}, deadlineOf(e, kind))
		who = r.DisplayName
	}
	if kind == ReportReturned {
		d.Comment = sampleData.Comment
	}
	subject, body, err = t.write(d)
	return subject, body, who, err
}

// deadlineOf is the deadline a kind of mail speaks of.
func deadlineOf(e edition.Edition, kind Kind) *time.Time {
	switch kind {
	case JuryOpened, BallotReminder:
		return e.Timeline.JuryDeadline
	case ResultsAnnounced:
		return nil
	}
	return e.Timeline.ReportingDeadline
}

// editionWordings are the edition's own parsed wordings of a kind, by language, for queue.
func (s *Service) editionWordings(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, kind Kind) (map[string]mailTemplate, error) {
	if editionID == uuid.Nil || !Wordable(kind) {
		return nil, nil
	}
	rows, err := s.q.EditionTemplatesOfKind(ctx, tx, maildb.EditionTemplatesOfKindParams{EditionID: editionID, Kind: string(kind)})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	out := make(map[string]mailTemplate, len(rows))
	for _, r := range rows {
		t, err := parseWording(r.Subject, r.Body)
		if err != nil {
			// Saved wordings were checked; one that no longer parses falls back to the platform's.
			s.log.WarnContext(ctx, "an edition's mail wording does not parse; using the platform's", "kind", kind, "language", r.Language, "error", err)
			continue
		}
		out[r.Language] = t
	}
	return out, nil
}
