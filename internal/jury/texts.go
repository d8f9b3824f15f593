package jury

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
)

// The jury's texts: a justification per distinction and recommendations to city governments. They are
// drafted while the edition is TALLIED, last write wins (a save replaces every language of the text),
// and the announcement publishes the texts in force and records them in results.announced.

// TextLanguages are the languages the jury's texts may be written in; Polish is required.
var TextLanguages = []string{"pl", "en", "uk", "es", "vi"}

// Limits of the jury's texts, in characters (Unicode code points) per language.
const (
	MaxJustification   = 2000
	MaxRecommendations = 20000
)

// JuryText is one of the jury's texts as stored: the text per language, its version (0 when there is
// none) and when it was last saved.
type JuryText struct {
	Text       map[string]string
	Version    int64
	UpdateTime time.Time
}

// JuryTexts are an edition's texts in force: justifications by nomination id, and recommendations
// (empty when none).
type JuryTexts struct {
	Justifications  map[string]map[string]string
	Recommendations map[string]string
}

// checkText refuses a text that is not empty and lacks Polish, has another language, or a text of a
// length outside 1–max (the API validates the same; this is the domain's own guard).
func checkText(text map[string]string, max int) error {
	if len(text) == 0 {
		return nil
	}
	for _, lang := range slices.Sorted(maps.Keys(text)) {
		field := fmt.Sprintf("text[%q]", lang)
		if !slices.Contains(TextLanguages, lang) {
			return fault.Invalidf(field, "is not one of the languages pl, en, uk, es, vi")
		}
		if n := len([]rune(text[lang])); n < 1 || n > max || strings.TrimSpace(text[lang]) == "" {
			return fault.Invalidf(field, "must be 1–%d characters, not only spaces", max)
		}
	}
	if _, ok := text["pl"]; !ok {
		return fault.Invalidf(`text["pl"]`, "the Polish text is required; the other languages are optional")
	}
	return nil
}

// tallied locks the edition and refuses unless it is TALLIED.
func tallied(ctx context.Context, tx pgx.Tx, editionID uuid.UUID) error {
	e, err := edition.LoadForUpdate(ctx, tx, editionID)
	if err != nil {
		return err
	}
	if e.Stage != edition.Tallied {
		return fault.Preconditionf("edition_id", "the jury's justifications and recommendations are recorded after the round closes and before the announcement; the edition is in %s", e.Stage)
	}
	return nil
}

// SetJustification replaces the justification of a distinction (a winner of the tally in force) while
// the edition is TALLIED; an empty text removes it, for any nomination of the tally.
func (s *Service) SetJustification(ctx context.Context, actor *auth.Principal, editionID, nominationID uuid.UUID, text map[string]string) (JuryText, error) {
	if err := checkText(text, MaxJustification); err != nil {
		return JuryText{}, err
	}
	var out JuryText
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tallied(ctx, tx, editionID); err != nil {
			return err
		}
		t, err := s.compute(ctx, tx, editionID)
		if err != nil {
			return err
		}
		known, winner := false, false
		for _, c := range t.Result.Categories {
			for _, n := range c.Nominations {
				if n.NominationID == nominationID.String() {
					known, winner = true, n.Winner
				}
			}
		}
		if !known {
			return fault.NotFoundf("nomination_id", "is not a nomination of the edition's tally")
		}
		if len(text) == 0 {
			out = JuryText{Text: map[string]string{}}
			return s.q.DeleteJustification(ctx, tx, jurydb.DeleteJustificationParams{EditionID: editionID, NominationID: nominationID})
		}
		if !winner {
			return fault.Preconditionf("nomination_id", "only a distinction has a justification: this nomination is not among the winners of the tally in force")
		}
		raw, err := json.Marshal(text)
		if err != nil {
			return err
		}
		row, err := s.q.UpsertJustification(ctx, tx, jurydb.UpsertJustificationParams{EditionID: editionID, NominationID: nominationID, Text: raw, UpdatedBy: actor.User()})
		if err != nil {
			return err
		}
		out = JuryText{Text: maps.Clone(text), Version: row.Version, UpdateTime: row.UpdateTime}
		return nil
	})
	return out, err
}

// SetRecommendations replaces the jury's recommendations to city governments while the edition is
// TALLIED; an empty text removes them.
func (s *Service) SetRecommendations(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, text map[string]string) (JuryText, error) {
	if err := checkText(text, MaxRecommendations); err != nil {
		return JuryText{}, err
	}
	var out JuryText
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tallied(ctx, tx, editionID); err != nil {
			return err
		}
		if len(text) == 0 {
			out = JuryText{Text: map[string]string{}}
			return s.q.DeleteRecommendations(ctx, tx, editionID)
		}
		raw, err := json.Marshal(text)
		if err != nil {
			return err
		}
		row, err := s.q.UpsertRecommendations(ctx, tx, jurydb.UpsertRecommendationsParams{EditionID: editionID, Text: raw, UpdatedBy: actor.User()})
		if err != nil {
			return err
		}
		out = JuryText{Text: maps.Clone(text), Version: row.Version, UpdateTime: row.UpdateTime}
		return nil
	})
	return out, err
}

// Texts returns the edition's jury texts in force.
func (s *Service) Texts(ctx context.Context, q jurydb.DBTX, editionID uuid.UUID) (JuryTexts, error) {
	out := JuryTexts{Justifications: map[string]map[string]string{}, Recommendations: map[string]string{}}
	rows, err := s.q.ListJustifications(ctx, q, editionID)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		m := map[string]string{}
		if err := json.Unmarshal(r.Text, &m); err != nil {
			return out, fmt.Errorf("justification of %s: %w", r.NominationID, err)
		}
		out.Justifications[r.NominationID.String()] = m
	}
	rec, err := s.q.GetRecommendations(ctx, q, editionID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return out, err
	default:
		if err := json.Unmarshal(rec.Text, &out.Recommendations); err != nil {
			return out, fmt.Errorf("recommendations: %w", err)
		}
	}
	return out, nil
}

// staleJustifications lists the justified nominations that are not among winners (after a jury
// decision or a new close changed them): the announcement refuses them rather than drop a text.
func staleJustifications(texts JuryTexts, winners []string) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(texts.Justifications)) {
		if !slices.Contains(winners, id) {
			out = append(out, id)
		}
	}
	return out
}
