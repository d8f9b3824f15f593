package edition

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/db"
	"github.com/miasta-otwarte/miasta/internal/edition/editiondb"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Languages are the languages the platform runs an edition in, Polish (the award's) first.
var Languages = []string{"pl", "en", "uk", "es", "vi"}

// Texts is one text in several languages, keyed by language tag.
type Texts map[string]string

// texts is a subject's texts: the Polish one from its column (when not empty), the others from their
// JSON object.
func texts(pl string, others []byte) Texts {
	t := Texts{}
	if len(others) > 0 {
		_ = json.Unmarshal(others, &t) // the column's CHECK keeps it an object of strings
	}
	delete(t, "pl")
	if pl != "" {
		t["pl"] = pl
	}
	return t
}

// others is the JSON of the texts other than Polish, as the *_texts columns hold them.
func (t Texts) others() []byte {
	o := maps.Clone(t)
	delete(o, "pl")
	if o == nil {
		o = Texts{}
	}
	b, _ := json.Marshal(o)
	return b
}

// Field is which text of a subject a Text is.
type Field string

// The fields.
const (
	FieldName        Field = "name"
	FieldDescription Field = "description"
)

// Text is one text of an edition in one language; an empty Text removes the translation.
type Text struct {
	SubjectID uuid.UUID
	Field     Field
	Language  string
	Text      string
}

// Missing is a text one of the edition's languages still lacks.
type Missing struct {
	SubjectID uuid.UUID
	// What is missing: "name", "description" or "label:<value>".
	What     string
	Language string
}

// MissingTexts is the detail of the fault that refuses to open the jury while texts are missing.
type MissingTexts []Missing

// SetLanguages chooses the edition's languages until the jury opens.
func (s *Service) SetLanguages(ctx context.Context, actor *auth.Principal, id uuid.UUID, langs []string) (Edition, error) {
	ordered, err := normaliseLanguages(langs)
	if err != nil {
		return Edition{}, err
	}
	var out Edition
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := LoadForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if e.Stage.Index() >= Jury.Index() {
			return fault.Preconditionf("languages", "the jury has opened: the edition's languages are fixed")
		}
		if _, err := s.q.SetLanguages(ctx, tx, editiondb.SetLanguagesParams{ID: id, Languages: ordered}); err != nil {
			return err
		}
		out, err = Load(ctx, tx, id)
		return err
	})
	return out, err
}

// normaliseLanguages checks an edition's languages (Polish among them, each one of Languages) and
// puts them in the platform's order.
func normaliseLanguages(langs []string) ([]string, error) {
	if !slices.Contains(langs, "pl") {
		return nil, fault.Invalidf("languages", "must include Polish (pl), the award's language")
	}
	for i, l := range langs {
		if !slices.Contains(Languages, l) {
			return nil, fault.Invalidf(fmt.Sprintf("languages[%d]", i), "%q is not one of %v", l, Languages)
		}
	}
	return slices.DeleteFunc(slices.Clone(Languages), func(l string) bool { return !slices.Contains(langs, l) }), nil
}

// nameLimit is the longest name of each kind of subject, as its Polish name's column allows.
const (
	editionNameLimit   = 200
	categoryNameLimit  = 300
	criterionNameLimit = 200
	descriptionLimit   = 2000
)

// SetTexts writes translations of an edition's texts, all or none. Translations are not in the audit
// log: the log has each subject's Polish (and first English) name, and the tally does not read names.
func (s *Service) SetTexts(ctx context.Context, actor *auth.Principal, editionID uuid.UUID, ts []Text) (Edition, []Category, []Criterion, error) {
	var (
		out  Edition
		cats []Category
		crit []Criterion
	)
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := LoadForUpdate(ctx, tx, editionID)
		if err != nil {
			return err
		}
		categories := map[uuid.UUID]*Category{}
		criteria := map[uuid.UUID]*Criterion{}
		changedCat := map[uuid.UUID]bool{}
		changedCrit := map[uuid.UUID]bool{}
		for i, t := range ts {
			field := func(name string) string { return fmt.Sprintf("texts[%d].%s", i, name) }
			if t.Language == "pl" || !slices.Contains(Languages, t.Language) {
				return fault.Invalidf(field("language"), "must be one of en, uk, es, vi: Polish texts are set when a subject is created")
			}
			if t.Text == "" && e.Stage.Index() >= Jury.Index() && slices.Contains(e.Languages, t.Language) {
				return fault.Preconditionf(field("text"), "the jury has opened: a text in one of the edition's languages can be corrected, not removed")
			}
			limit := descriptionLimit
			var target Texts
			switch {
			case t.SubjectID == e.ID:
				if t.Field != FieldName {
					return fault.Invalidf(field("field"), "an edition has a name only")
				}
				limit, target = editionNameLimit, e.Names
			default:
				c, k, err := s.subject(ctx, tx, e.ID, t.SubjectID, categories, criteria)
				if err != nil {
					return fault.NotFoundf(field("subject_id"), "no such category or criterion in this edition")
				}
				switch {
				case c != nil && t.Field == FieldName:
					limit, target = categoryNameLimit, c.Names
				case c != nil:
					target = c.Descriptions
				case t.Field == FieldName:
					limit, target = criterionNameLimit, k.Names
				default:
					target = k.Descriptions
				}
				if c != nil {
					changedCat[c.ID] = true
				} else {
					changedCrit[k.ID] = true
				}
			}
			if n := utf8.RuneCountInString(t.Text); n > limit {
				return fault.Invalidf(field("text"), "is %d characters long; at most %d", n, limit)
			}
			if !utf8.ValidString(t.Text) {
				return fault.Invalidf(field("text"), "is not valid UTF-8")
			}
			if t.Text == "" {
				delete(target, t.Language)
			} else {
				target[t.Language] = t.Text
			}
		}
		if err := s.q.SetEditionNameTexts(ctx, tx, editiondb.SetEditionNameTextsParams{ID: e.ID, NameTexts: e.Names.others()}); err != nil {
			return err
		}
		for id := range changedCat {
			c := categories[id]
			if err := s.q.SetCategoryTexts(ctx, tx, editiondb.SetCategoryTextsParams{ID: id, NameTexts: c.Names.others(), DescriptionTexts: c.Descriptions.others()}); err != nil {
				return err
			}
		}
		for id := range changedCrit {
			k := criteria[id]
			if err := s.q.SetCriterionTexts(ctx, tx, editiondb.SetCriterionTextsParams{ID: id, NameTexts: k.Names.others(), DescriptionTexts: k.Descriptions.others()}); err != nil {
				return err
			}
		}
		if out, err = Load(ctx, tx, editionID); err != nil {
			return err
		}
		if cats, err = Categories(ctx, tx, editionID); err != nil {
			return err
		}
		crit, err = Criteria(ctx, tx, editionID)
		return err
	})
	return out, cats, crit, err
}

// subject finds (and locks) the category or criterion id of the edition, remembering it in the maps.
func (s *Service) subject(ctx context.Context, tx pgx.Tx, editionID, id uuid.UUID, cats map[uuid.UUID]*Category, crit map[uuid.UUID]*Criterion) (*Category, *Criterion, error) {
	if c, ok := cats[id]; ok {
		return c, nil, nil
	}
	if k, ok := crit[id]; ok {
		return nil, k, nil
	}
	if row, err := s.q.GetCategoryForUpdate(ctx, tx, editiondb.GetCategoryForUpdateParams{ID: id, EditionID: editionID}); err == nil {
		c := categoryFromRow(row)
		cats[id] = &c
		return &c, nil, nil
	} else if err != pgx.ErrNoRows {
		return nil, nil, err
	}
	row, err := s.q.GetCriterionForUpdate(ctx, tx, editiondb.GetCriterionForUpdateParams{ID: id, EditionID: editionID})
	if err != nil {
		return nil, nil, err
	}
	k := criterionFromRow(row)
	crit[id] = &k
	return nil, &k, nil
}

// missingTexts lists the texts the edition's languages lack: its name, its categories' and criteria's
// names, and the descriptions that have a Polish text.
func missingTexts(e Edition, cats []Category, crit []Criterion) MissingTexts {
	var out MissingTexts
	need := func(id uuid.UUID, what string, t Texts) {
		for _, l := range e.Languages {
			if t[l] == "" {
				out = append(out, Missing{SubjectID: id, What: what, Language: l})
			}
		}
	}
	need(e.ID, string(FieldName), e.Names)
	for _, c := range cats {
		need(c.ID, string(FieldName), c.Names)
		if c.Description != "" {
			need(c.ID, string(FieldDescription), c.Descriptions)
		}
	}
	for _, c := range crit {
		need(c.ID, string(FieldName), c.Names)
		if c.Description != "" {
			need(c.ID, string(FieldDescription), c.Descriptions)
		}
	}
	return out
}

// MissingLabels lists the score labels a rule's criteria lack in the edition's languages, for the
// tally rule's own guard (the labels live in the rule).
func MissingLabels(e Edition, criterionID uuid.UUID, labels map[int]map[string]string) MissingTexts {
	var out MissingTexts
	values := slices.Sorted(maps.Keys(labels))
	for _, v := range values {
		for _, l := range e.Languages {
			if labels[v][l] == "" {
				out = append(out, Missing{SubjectID: criterionID, What: "label:" + strconv.Itoa(v), Language: l})
			}
		}
	}
	return out
}

// MissingFault is the fault that refuses to open the jury while texts are missing.
func MissingFault(m MissingTexts) error {
	first := m[0]
	f := fault.Preconditionf("stage", "%d texts are missing in the edition's languages, the first the %s of %s in %q: add them or remove the language before the jury opens",
		len(m), first.What, first.SubjectID, first.Language)
	f.Detail = m
	return f
}
