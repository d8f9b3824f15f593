package translation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
	"github.com/miasta-otwarte/miasta/internal/translation/translationdb"
)

// Export is an XLIFF file for a translation agency.
type Export struct {
	XLIFF    []byte
	FileName string
	Units    int
}

// unitID is the stable id of a practice's text in XLIFF files: "<practice id>.<field>".
func unitID(practiceID uuid.UUID, field string) string { return practiceID.String() + "." + field }

// parseUnitID splits a unit id into its practice and field.
func parseUnitID(id string) (uuid.UUID, string, bool) {
	p, field, ok := strings.Cut(id, ".")
	if !ok {
		return uuid.Nil, "", false
	}
	pid, err := uuid.Parse(p)
	if err != nil || len(p) != 36 {
		return uuid.Nil, "", false
	}
	return pid, field, true
}

// Export writes an edition's accepted practices' texts as XLIFF 2.0 from Polish into language, one
// <file> per practice (with its city and category as notes), one unit per text, with the current
// translation as the target (state "translated", or "reviewed"; an outdated one stays "initial").
// missingOnly leaves out texts whose translation is up to date.
func (s *Service) Export(ctx context.Context, p *auth.Principal, editionID uuid.UUID, language string, missingOnly bool) (Export, error) {
	e, err := loadEdition(ctx, s.pool, p, editionID)
	if err != nil {
		return Export{}, err
	}
	rows, err := s.q.AcceptedPractices(ctx, s.pool, editionID)
	if err != nil {
		return Export{}, err
	}
	practices, err := practicesFromRows(rows)
	if err != nil {
		return Export{}, err
	}
	all, err := s.translations(ctx, s.pool, editionID, []string{language})
	if err != nil {
		return Export{}, err
	}
	cats, err := edition.Categories(ctx, s.pool, editionID)
	if err != nil {
		return Export{}, err
	}
	crits, err := edition.Criteria(ctx, s.pool, editionID)
	if err != nil {
		return Export{}, err
	}
	catName := map[uuid.UUID]string{}
	for _, c := range cats {
		catName[c.ID] = c.NamePL
	}
	critName := map[uuid.UUID]string{}
	for _, c := range crits {
		critName[c.ID] = c.NamePL
	}
	out := Export{FileName: fmt.Sprintf("miasta-%d-%s.xlf", e.Year, language)}
	var files []xliffFile
	for _, pr := range practices {
		t := all[key{pr.ID, language}].of(pr, language)
		f := xliffFile{ID: pr.ID.String(), Original: pr.City.Name + ": " + pr.Title, Notes: []xliffNote{{"city", pr.City.Name}, {"category", catName[pr.CategoryID]}}}
		for _, src := range pr.Texts {
			u := xliffUnit{ID: unitID(pr.ID, src.Field), Name: src.Field, Source: src.Text}
			if src.CriterionID != uuid.Nil && critName[src.CriterionID] != "" {
				u.Name = critName[src.CriterionID]
			}
			if i := slices.IndexFunc(t.Texts, func(x TranslatedText) bool { return x.Field == src.Field }); i >= 0 {
				tt := t.Texts[i]
				if missingOnly && !tt.Outdated {
					continue
				}
				u.Target, u.State = tt.Text, "translated"
				switch {
				case tt.Outdated:
					u.State = "initial"
				case t.Status == Reviewed:
					u.State = "reviewed"
				}
			}
			f.Units = append(f.Units, u)
		}
		if len(f.Units) > 0 {
			files = append(files, f)
			out.Units += len(f.Units)
		}
	}
	if len(files) == 0 { // XLIFF needs at least one file with a unit
		if missingOnly && len(practices) > 0 {
			return Export{}, fault.Preconditionf("missing_only", "every text is translated into %s and up to date: nothing is missing", language)
		}
		return Export{}, fault.Preconditionf("edition_id", "the edition has no accepted report with practices yet")
	}
	out.XLIFF = writeXLIFF(language, files)
	return out, nil
}

// ImportResult is what an import found (and did).
type ImportResult struct {
	Units    int
	Changed  int
	Imported int
	Problems []Problem
}

// Import reads a translated XLIFF 2.0 file into language. Every unit is checked against the
// edition's accepted practices as they are now; unless the whole file is sound and dryRun is false,
// nothing is written (a file with problems returns ErrImportProblems with the result). Imported
// texts replace the practice's texts the file names, keep the others, take status and the current
// version of their original, and are marked as imported by p.
func (s *Service) Import(ctx context.Context, p *auth.Principal, editionID uuid.UUID, language string, data []byte, dryRun bool, status Status) (ImportResult, error) {
	var res ImportResult
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := edition.LoadForShare(ctx, tx, editionID); err != nil {
			return err
		}
		doc, problem := parseXLIFF(data)
		if problem != nil {
			res.Problems = []Problem{*problem}
			return nil
		}
		res.Units = len(doc.Units)
		if !sameLanguage(doc.SrcLang, SourceLanguage) {
			res.Problems = append(res.Problems, Problem{Kind: WrongSourceLanguage, Message: fmt.Sprintf("srcLang is %q; the originals are Polish (pl)", doc.SrcLang)})
		}
		if !sameLanguage(doc.TrgLang, language) {
			res.Problems = append(res.Problems, Problem{Kind: WrongTargetLanguage, Message: fmt.Sprintf("trgLang is %q; this import is into %s", doc.TrgLang, language)})
		}
		rows, err := s.q.AcceptedPractices(ctx, tx, editionID)
		if err != nil {
			return err
		}
		practices, err := practicesFromRows(rows)
		if err != nil {
			return err
		}
		byID := map[uuid.UUID]Practice{}
		for _, pr := range practices {
			byID[pr.ID] = pr
		}
		existing, err := s.translations(ctx, tx, editionID, []string{language})
		if err != nil {
			return err
		}
		updates := map[uuid.UUID]map[string]string{} // practice → field → text
		var order []uuid.UUID
		seen := map[string]bool{}
		for _, u := range doc.Units {
			bad := func(kind ProblemKind, format string, args ...any) {
				res.Problems = append(res.Problems, Problem{UnitID: u.ID, Kind: kind, Message: fmt.Sprintf(format, args...), Line: u.Line})
			}
			if seen[u.ID] {
				bad(DuplicateUnit, "the unit appears more than once")
				continue
			}
			seen[u.ID] = true
			pid, field, ok := parseUnitID(u.ID)
			pr, known := byID[pid]
			src, has := pr.Text(field)
			if !ok || !known || !has {
				bad(UnknownUnit, "no text of an accepted practice of this edition has this id (ids are <practice id>.title, .description or .narrative.<criterion id>)")
				continue
			}
			target := normaliseNewlines(u.Target)
			switch {
			case u.TargetLang != "" && !sameLanguage(u.TargetLang, language):
				bad(WrongTargetLanguage, "the target is in %q; this import is into %s", u.TargetLang, language)
			case u.Markup != "":
				bad(InvalidText, "the text holds inline markup (<%s>); the platform's texts are plain", u.Markup)
			case u.Source != normaliseNewlines(src.Text):
				bad(OutdatedSource, "the source is not the original as it is now: it was exported from another version of the report")
			case !u.HasTarget || strings.TrimSpace(target) == "":
				bad(EmptyTarget, "the unit has no translation")
			case tooLong(field, target):
				bad(OverLong, "the translation is longer than %d characters", maxLen(field))
			default:
				if err := plaintext.Check(target, multiLine(field)); err != nil {
					bad(InvalidText, "the translation %v", err)
					continue
				}
				if updates[pid] == nil {
					updates[pid] = map[string]string{}
					order = append(order, pid)
				}
				updates[pid][field] = target
				t := existing[key{pid, language}].of(pr, language)
				i := slices.IndexFunc(t.Texts, func(x TranslatedText) bool { return x.Field == field })
				if i < 0 || t.Texts[i].Outdated || t.Texts[i].Text != target {
					res.Changed++
				}
			}
		}
		if len(res.Problems) > 0 || dryRun {
			return nil
		}
		for _, pid := range order {
			pr := byID[pid]
			t := existing[key{pid, language}].of(pr, language)
			merged := map[string]NewText{}
			for _, x := range t.Texts {
				merged[x.Field] = NewText{Field: x.Field, Text: x.Text, SourceSHA256: x.SourceSHA256}
			}
			same := t.Version > 0 && t.Status == status
			for field, text := range updates[pid] {
				src, _ := pr.Text(field)
				if old, ok := merged[field]; !ok || old.Text != text || old.SourceSHA256 != src.SHA256 {
					same = false
				}
				merged[field] = NewText{Field: field, Text: text, SourceSHA256: src.SHA256}
			}
			if same {
				continue // importing the same file again changes nothing
			}
			version, err := s.q.LockTranslation(ctx, tx, translationdb.LockTranslationParams{PracticeID: pid, Language: language})
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			texts := make([]NewText, 0, len(merged))
			for _, src := range pr.Texts { // in the original's order; texts whose original is gone are dropped
				if x, ok := merged[src.Field]; ok {
					texts = append(texts, x)
				}
			}
			if err := s.write(ctx, tx, pr, language, version, status, nil, &p.UserID, texts); err != nil {
				return err
			}
			res.Imported++
		}
		return nil
	})
	if err == nil && len(res.Problems) > 0 && !dryRun {
		return res, ErrImportProblems
	}
	return res, err
}
