package translation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
	"github.com/miasta-otwarte/miasta/internal/translation/translationdb"
)

// Service holds the translations.
type Service struct {
	pool *pgxpool.Pool
	q    *translationdb.Queries
	log  *slog.Logger
}

// NewService returns the translation service.
func NewService(pool *pgxpool.Pool, log *slog.Logger) *Service {
	return &Service{pool: pool, q: translationdb.New(), log: log}
}

// ErrImportProblems is returned by Import, with the result listing them, when a file that was not a
// dry run has bad units: nothing was imported.
var ErrImportProblems = errors.New("the file has problems; nothing was imported")

// readable returns the languages p may read an edition's translations in: an organiser all of them,
// a translator theirs (and only once the edition is past DRAFT: a DRAFT edition is the organisers').
func readable(p *auth.Principal, e edition.Edition) ([]string, error) {
	if p.Organiser {
		return Languages, nil
	}
	a, ok := p.Holds(e.ID, auth.RoleTranslator)
	if !ok {
		return nil, fault.Deniedf("you are not a translator of this edition")
	}
	if e.Stage == edition.Draft {
		return nil, fault.Deniedf("the edition is in DRAFT: its reports are the organisers' until it opens again")
	}
	return a.Languages, nil
}

// loadEdition loads an edition, telling a caller with no role in it only that.
func loadEdition(ctx context.Context, q translationdb.DBTX, p *auth.Principal, id uuid.UUID) (edition.Edition, error) {
	e, err := edition.Load(ctx, q, id)
	if fault.Is(err, fault.NotFound) && !p.Organiser {
		return edition.Edition{}, fault.Deniedf("you hold no role in this edition")
	}
	return e, err
}

// translations reads an edition's translations into languages, keyed by practice and language.
func (s *Service) translations(ctx context.Context, q translationdb.DBTX, editionID uuid.UUID, languages []string) (map[key]stored, error) {
	rows, err := s.q.ListTranslations(ctx, q, translationdb.ListTranslationsParams{EditionID: editionID, Languages: languages})
	if err != nil {
		return nil, err
	}
	texts, err := s.q.ListTexts(ctx, q, translationdb.ListTextsParams{EditionID: editionID, Languages: languages})
	if err != nil {
		return nil, err
	}
	out := make(map[key]stored, len(rows))
	for _, r := range rows {
		out[key{r.PracticeTranslation.PracticeID, r.PracticeTranslation.Language}] = stored{row: r.PracticeTranslation, madeBy: r.MadeByName}
	}
	for _, t := range texts {
		k := key{t.PracticeID, t.Language}
		st := out[k]
		st.texts = append(st.texts, t)
		out[k] = st
	}
	return out, nil
}

type key struct {
	practice uuid.UUID
	language string
}

// stored is a translation as the database has it.
type stored struct {
	row    translationdb.PracticeTranslation
	madeBy string
	texts  []translationdb.TranslatedText
}

func (st stored) of(p Practice, language string) Translation {
	if st.row.Version == 0 {
		return translationOf(p, language, nil, "", nil)
	}
	return translationOf(p, language, &st.row, st.madeBy, st.texts)
}

// List returns the practices of an edition's accepted reports (a page at a time, by city), each
// with its translation into every language p may read, and those languages.
func (s *Service) List(ctx context.Context, p *auth.Principal, editionID uuid.UUID, size int32, token string) ([]Summary, []string, string, error) {
	e, err := loadEdition(ctx, s.pool, p, editionID)
	if err != nil {
		return nil, nil, "", err
	}
	languages, err := readable(p, e)
	if err != nil {
		return nil, nil, "", err
	}
	rows, err := s.q.AcceptedPractices(ctx, s.pool, editionID)
	if err != nil {
		return nil, nil, "", err
	}
	practices, err := practicesFromRows(rows)
	if err != nil {
		return nil, nil, "", err
	}
	practices, next, err := page.Slice(practices, size, 100, token)
	if err != nil {
		return nil, nil, "", err
	}
	all, err := s.translations(ctx, s.pool, editionID, languages)
	if err != nil {
		return nil, nil, "", err
	}
	out := make([]Summary, 0, len(practices))
	for _, pr := range practices {
		sum := Summary{Practice: pr}
		for _, l := range languages {
			sum.Translations = append(sum.Translations, all[key{pr.ID, l}].of(pr, l))
		}
		out = append(out, sum)
	}
	return out, languages, next, nil
}

// practiceFor loads an accepted practice for p reading it in language: its edition must let p read
// that language (see readable).
func (s *Service) practiceFor(ctx context.Context, q translationdb.DBTX, p *auth.Principal, practiceID uuid.UUID, language string) (Practice, edition.Edition, error) {
	editionID, err := s.q.PracticeEdition(ctx, q, practiceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Practice{}, edition.Edition{}, fault.NotFoundf("practice_id", "no such practice")
	}
	if err != nil {
		return Practice{}, edition.Edition{}, err
	}
	var e edition.Edition
	if tx, ok := q.(pgx.Tx); ok {
		e, err = edition.LoadForShare(ctx, tx, editionID)
	} else {
		e, err = edition.Load(ctx, q, editionID)
	}
	if err != nil {
		return Practice{}, edition.Edition{}, err
	}
	languages, err := readable(p, e)
	if err != nil {
		return Practice{}, edition.Edition{}, err
	}
	if !slices.Contains(languages, language) {
		return Practice{}, edition.Edition{}, fault.Deniedf("you translate into %s only", strings.Join(languages, ", "))
	}
	row, err := s.q.AcceptedPractice(ctx, q, practiceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Practice{}, edition.Edition{}, fault.Preconditionf("practice_id", "the practice's report is not accepted: only accepted reports are translated")
	}
	if err != nil {
		return Practice{}, edition.Edition{}, err
	}
	pr, err := practiceFromRow(row)
	return pr, e, err
}

// load reads one practice's translation into a language.
func (s *Service) load(ctx context.Context, q translationdb.DBTX, pr Practice, language string) (Translation, error) {
	row, err := s.q.GetTranslation(ctx, q, translationdb.GetTranslationParams{PracticeID: pr.ID, Language: language})
	if errors.Is(err, pgx.ErrNoRows) {
		return translationOf(pr, language, nil, "", nil), nil
	}
	if err != nil {
		return Translation{}, err
	}
	texts, err := s.q.ListPracticeTexts(ctx, q, translationdb.ListPracticeTextsParams{PracticeID: pr.ID, Language: language})
	if err != nil {
		return Translation{}, err
	}
	return translationOf(pr, language, &row.PracticeTranslation, row.MadeByName, texts), nil
}

// Get returns a practice's original texts and its translation into language.
func (s *Service) Get(ctx context.Context, p *auth.Principal, practiceID uuid.UUID, language string) (Practice, Translation, error) {
	pr, _, err := s.practiceFor(ctx, s.pool, p, practiceID, language)
	if err != nil {
		return Practice{}, Translation{}, err
	}
	t, err := s.load(ctx, s.pool, pr, language)
	return pr, t, err
}

// checkTexts validates a translation's texts against the practice's original: each names a text the
// original has, once, is within its length and holds only what the text rule allows; empty ones are
// dropped. Each gets the version of the original it translates (the current one when not given).
func checkTexts(pr Practice, texts []NewText) ([]NewText, error) {
	seen := map[string]bool{}
	out := make([]NewText, 0, len(texts))
	for i, t := range texts {
		field := fmt.Sprintf("texts[%d]", i)
		src, ok := pr.Text(t.Field)
		if !ok {
			return nil, fault.Invalidf(field+".field", "%q is not a text of this practice's original (title, description or narrative.<criterion id> of a narrative it has)", t.Field)
		}
		if seen[t.Field] {
			return nil, fault.Invalidf(field+".field", "%q appears twice", t.Field)
		}
		seen[t.Field] = true
		t.Text = normaliseNewlines(t.Text)
		if strings.TrimSpace(t.Text) == "" {
			continue
		}
		if tooLong(t.Field, t.Text) {
			return nil, fault.Invalidf(field+".text", "is longer than %d characters", maxLen(t.Field))
		}
		if err := plaintext.Field(field+".text", t.Text, multiLine(t.Field)); err != nil {
			return nil, err
		}
		if t.SourceSHA256 == "" {
			t.SourceSHA256 = src.SHA256
		}
		out = append(out, t)
	}
	return out, nil
}

// Save stores a translator's translation of a practice into one of their languages.
func (s *Service) Save(ctx context.Context, p *auth.Principal, practiceID uuid.UUID, language string, d Edit) (Translation, error) {
	var out Translation
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		pr, e, err := s.practiceFor(ctx, tx, p, practiceID, language)
		if err != nil {
			return err
		}
		a, ok := p.Holds(e.ID, auth.RoleTranslator)
		if !ok { // an organiser reads every language but writes through imports
			return fault.Deniedf("only the edition's translators write translations; organisers import them from XLIFF")
		}
		texts, err := checkTexts(pr, d.Texts)
		if err != nil {
			return err
		}
		version, err := s.q.LockTranslation(ctx, tx, translationdb.LockTranslationParams{PracticeID: pr.ID, Language: language})
		if errors.Is(err, pgx.ErrNoRows) {
			version, err = 0, nil
		}
		if err != nil {
			return err
		}
		if version != d.ExpectedVersion {
			return s.conflict(ctx, tx, pr, language, d.ExpectedVersion)
		}
		if err := s.write(ctx, tx, pr, language, version, d.Status, &a.ID, nil, texts); err != nil {
			return err
		}
		out, err = s.load(ctx, tx, pr, language)
		return err
	})
	return out, err
}

// conflict is the Aborted error for a stale expected version, carrying the current translation.
func (s *Service) conflict(ctx context.Context, q translationdb.DBTX, pr Practice, language string, expected int64) error {
	current, err := s.load(ctx, q, pr, language)
	if err != nil {
		return err
	}
	return fault.Abortedf(current, "the translation changed: you edited version %d, it is now at version %d; both versions are in the error detail", expected, current.Version)
}

// write replaces a translation (at version, 0 for none) with texts, made by a translator's
// assignment or imported by an organiser.
func (s *Service) write(ctx context.Context, tx pgx.Tx, pr Practice, language string, version int64, status Status, translator, importer *uuid.UUID, texts []NewText) error {
	if version == 0 {
		_, err := s.q.InsertTranslation(ctx, tx, translationdb.InsertTranslationParams{
			PracticeID: pr.ID, Language: language, EditionID: pr.EditionID, Status: string(status),
			SourceReportVersion: pr.ReportVersion, TranslatorID: translator, ImportedBy: importer,
		})
		if errors.Is(err, pgx.ErrNoRows) { // another first save won the race
			return s.conflict(ctx, tx, pr, language, 0)
		}
		if err != nil {
			return err
		}
	} else if _, err := s.q.UpdateTranslation(ctx, tx, translationdb.UpdateTranslationParams{
		PracticeID: pr.ID, Language: language, Status: string(status), SourceReportVersion: pr.ReportVersion,
		TranslatorID: translator, ImportedBy: importer,
	}); err != nil {
		return err
	}
	if err := s.q.DeleteTexts(ctx, tx, translationdb.DeleteTextsParams{PracticeID: pr.ID, Language: language}); err != nil {
		return err
	}
	for _, t := range texts {
		if err := s.q.InsertText(ctx, tx, translationdb.InsertTextParams{
			PracticeID: pr.ID, Language: language, Field: t.Field, Text: t.Text, SourceSha256: t.SourceSHA256,
		}); err != nil {
			return err
		}
	}
	return nil
}

// Ballot returns the translations into language of the shortlist's practices, for a juror of the
// edition once the jury round has opened, or an organiser. Who made them is left out.
func (s *Service) Ballot(ctx context.Context, p *auth.Principal, editionID uuid.UUID, language string) ([]Translation, error) {
	e, err := loadEdition(ctx, s.pool, p, editionID)
	if err != nil {
		return nil, err
	}
	if !p.Organiser {
		if _, ok := p.Holds(e.ID, auth.RoleJuror); !ok {
			return nil, fault.Deniedf("you are not a juror of this edition")
		}
		if e.Stage.Index() < edition.Jury.Index() {
			return nil, fault.Preconditionf("edition_id", "the jury round has not opened; the edition is in %s", e.Stage)
		}
	}
	rows, err := s.q.AcceptedPractices(ctx, s.pool, editionID)
	if err != nil {
		return nil, err
	}
	practices, err := practicesFromRows(rows)
	if err != nil {
		return nil, err
	}
	all, err := s.translations(ctx, s.pool, editionID, []string{language})
	if err != nil {
		return nil, err
	}
	out := []Translation{}
	for _, pr := range practices {
		st, ok := all[key{pr.ID, language}]
		if !pr.Nominated || !ok {
			continue
		}
		t := st.of(pr, language)
		t.MadeBy, t.MadeByName = "", "" // jurors do not learn who translated
		out = append(out, t)
	}
	return out, nil
}

// ReportTranslations returns every translation of a city's report's practices, in every language,
// as jurors read them (who made them left out), each text marked outdated against the report's
// text as it is now; and the report's version they were marked against (0 when it has no practices). For the city's expert
// in the edition, to preview what jurors will read, and organisers.
func (s *Service) ReportTranslations(ctx context.Context, p *auth.Principal, editionID, cityID uuid.UUID) ([]Translation, int64, error) {
	e, err := loadEdition(ctx, s.pool, p, editionID)
	if err != nil {
		return nil, 0, err
	}
	if !p.Organiser {
		if a, ok := p.Holds(e.ID, auth.RoleExpert); !ok || a.CityID != cityID {
			return nil, 0, fault.Deniedf("only the expert of this city in this edition and organisers preview its report's translations")
		}
	}
	if !slices.ContainsFunc(e.Cities, func(c edition.City) bool { return c.ID == cityID }) {
		return nil, 0, fault.NotFoundf("city_id", "the city does not report in this edition")
	}
	rows, err := s.q.ReportPractices(ctx, s.pool, translationdb.ReportPracticesParams{EditionID: editionID, CityID: cityID})
	if err != nil {
		return nil, 0, err
	}
	out := []Translation{}
	if len(rows) == 0 {
		return out, 0, nil
	}
	all, err := s.translations(ctx, s.pool, editionID, Languages)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range rows {
		pr, err := practiceOf(r.ID, r.EditionID, r.CityID, r.CityName, r.CategoryID, r.ReportVersion, r.Title, r.Description, r.Narratives, r.Nominated)
		if err != nil {
			return nil, 0, err
		}
		for _, l := range Languages {
			st, ok := all[key{pr.ID, l}]
			if !ok {
				continue
			}
			t := st.of(pr, l)
			t.MadeBy, t.MadeByName = "", "" // as jurors read it
			out = append(out, t)
		}
	}
	return out, rows[0].ReportVersion, nil
}
