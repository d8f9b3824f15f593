// Package translation owns the translations of the practices of accepted reports into the jurors'
// languages: each text (title, description, narrative per criterion) translated against a version
// of its original (the original's SHA-256), so that an edited original makes its translation read as
// outdated; the translators' workspace; the exchange with translation agencies as XLIFF 2.0; and
// what a juror reads on the ballot. None of it is in the audit log.
package translation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/translation/translationdb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Languages are the languages translations are made into; the originals are Polish.
var Languages = []string{"en", "uk", "es", "vi"}

// SourceLanguage is the language of the originals.
const SourceLanguage = "pl"

// Status is how far a translation is to be trusted.
type Status string

// The statuses.
const (
	Machine  Status = "MACHINE"
	Draft    Status = "DRAFT"
	Reviewed Status = "REVIEWED"
)

// Source says how a translation's last change was made.
type Source string

// The sources.
const (
	ByTranslator Source = "TRANSLATOR"
	ByImport     Source = "IMPORT"
)

// The fields of a practice that are translated. A narrative's field is "narrative.<criterion id>".
const (
	FieldTitle       = "title"
	FieldDescription = "description"
	narrativePrefix  = "narrative."
)

// NarrativeField names the narrative of a criterion.
func NarrativeField(criterionID uuid.UUID) string { return narrativePrefix + criterionID.String() }

// maxLen is the longest translation of a field, in characters: twice the original's limit (a
// translation may well be longer than its Polish original).
func maxLen(field string) int {
	switch {
	case field == FieldTitle:
		return 600
	case field == FieldDescription:
		return 40000
	}
	return 20000
}

// multiLine reports whether a field is running text (tab and line breaks allowed); a title is one line.
func multiLine(field string) bool { return field != FieldTitle }

// SourceText is one text of a practice's original.
type SourceText struct {
	Field       string
	Text        string
	CriterionID uuid.UUID // for a narrative
	SHA256      string
}

// Practice is a practice of an accepted report with the texts to translate.
type Practice struct {
	ID            uuid.UUID
	EditionID     uuid.UUID
	City          edition.City
	CategoryID    uuid.UUID
	ReportVersion int64
	Title         string
	Texts         []SourceText // title, description, narratives in the report's order; empty ones left out
	Nominated     bool
}

// Text returns the practice's source text of field, if it has one.
func (p Practice) Text(field string) (SourceText, bool) {
	for _, t := range p.Texts {
		if t.Field == field {
			return t, true
		}
	}
	return SourceText{}, false
}

// TranslatedText is one translated text.
type TranslatedText struct {
	Field        string
	Text         string
	SourceSHA256 string
	Outdated     bool
}

// Translation is a practice's translation into one language; Version 0 when there is none yet.
type Translation struct {
	PracticeID          uuid.UUID
	Language            string
	Status              Status
	Version             int64
	Texts               []TranslatedText
	Outdated            bool
	Complete            bool
	SourceReportVersion int64
	MadeBy              Source
	MadeByName          string
	UpdateTime          *time.Time
}

// Summary is a practice with its translation into each language the caller sees (zero Version: none).
type Summary struct {
	Practice     Practice
	Translations []Translation
}

// NewText is one text as a translator saves it; an empty SourceSHA256 means the original as it is.
type NewText struct {
	Field        string
	Text         string
	SourceSHA256 string
}

// Edit is what a translator saves: the whole translation of a practice into one language.
type Edit struct {
	ExpectedVersion int64
	Status          Status
	Texts           []NewText
}

// Read is the version of a practice's translation a juror read.
type Read struct {
	PracticeID uuid.UUID
	Language   string
	Version    int64
}

// hashText is the version of an original text: its SHA-256, as the audit log writes hashes.
func hashText(s string) string { return verify.Hash([]byte(s)) }

// narrative is a practice's narrative as the report package stores it.
type narrative struct {
	CriterionID uuid.UUID `json:"criterion_id"`
	Text        string    `json:"text"`
}

// practiceOf turns an accepted practice's row into its texts to translate.
func practiceOf(id, editionID, cityID uuid.UUID, cityName string, categoryID uuid.UUID, reportVersion int64, title, description string, narratives []byte, nominated bool) (Practice, error) {
	p := Practice{
		ID: id, EditionID: editionID, City: edition.City{ID: cityID, Name: cityName}, CategoryID: categoryID,
		ReportVersion: reportVersion, Title: title, Nominated: nominated,
	}
	add := func(field, text string, criterion uuid.UUID) {
		if strings.TrimSpace(text) != "" {
			p.Texts = append(p.Texts, SourceText{Field: field, Text: text, CriterionID: criterion, SHA256: hashText(text)})
		}
	}
	add(FieldTitle, title, uuid.Nil)
	add(FieldDescription, description, uuid.Nil)
	var ns []narrative
	if err := json.Unmarshal(narratives, &ns); err != nil {
		return Practice{}, fmt.Errorf("practice %s narratives: %w", id, err)
	}
	for _, n := range ns {
		add(NarrativeField(n.CriterionID), n.Text, n.CriterionID)
	}
	return p, nil
}

func practiceFromRow(r translationdb.AcceptedPracticeRow) (Practice, error) {
	return practiceOf(r.ID, r.EditionID, r.CityID, r.CityName, r.CategoryID, r.ReportVersion, r.Title, r.Description, r.Narratives, r.Nominated)
}

func practicesFromRows(rows []translationdb.AcceptedPracticesRow) ([]Practice, error) {
	out := make([]Practice, 0, len(rows))
	for _, r := range rows {
		p, err := practiceOf(r.ID, r.EditionID, r.CityID, r.CityName, r.CategoryID, r.ReportVersion, r.Title, r.Description, r.Narratives, r.Nominated)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// translationOf is the translation a stored row and its texts make of practice p: each text outdated
// when its original's hash moved on (or the original text is gone), the whole complete when every
// text of the original has a translation. row nil: no translation yet.
func translationOf(p Practice, language string, row *translationdb.PracticeTranslation, madeBy string, texts []translationdb.TranslatedText) Translation {
	t := Translation{PracticeID: p.ID, Language: language, Texts: []TranslatedText{}}
	if row == nil {
		return t
	}
	t.Status, t.Version, t.SourceReportVersion, t.MadeByName = Status(row.Status), row.Version, row.SourceReportVersion, madeBy
	t.UpdateTime = &row.UpdateTime
	t.MadeBy = ByTranslator
	if row.ImportedBy != nil {
		t.MadeBy = ByImport
	}
	have := map[string]bool{}
	for _, tx := range texts {
		src, ok := p.Text(tx.Field)
		tt := TranslatedText{Field: tx.Field, Text: tx.Text, SourceSHA256: tx.SourceSha256, Outdated: !ok || src.SHA256 != tx.SourceSha256}
		t.Outdated = t.Outdated || tt.Outdated
		have[tx.Field] = true
		t.Texts = append(t.Texts, tt)
	}
	// In the order of the original's texts, then any whose original is gone.
	order := func(field string) int {
		if i := slices.IndexFunc(p.Texts, func(s SourceText) bool { return s.Field == field }); i >= 0 {
			return i
		}
		return len(p.Texts)
	}
	slices.SortStableFunc(t.Texts, func(a, b TranslatedText) int { return order(a.Field) - order(b.Field) })
	t.Complete = true
	for _, s := range p.Texts {
		t.Complete = t.Complete && have[s.Field]
	}
	return t
}

// tooLong reports whether a translated text is longer than its field allows.
func tooLong(field, text string) bool { return utf8.RuneCountInString(text) > maxLen(field) }
