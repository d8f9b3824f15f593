package report

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/plaintext"
)

// Content is what a version of a report says: the form stored for each version and whose SHA-256 the
// log's report events carry (its JSON encoding must not change: the field names are part of it).
type Content struct {
	Introduction string
	Practices    []Practice
	FollowUps    []FollowUp
}

// TextEdit replaces the code points [Start, End) of a text with Text. OldLength is the text's length
// as the client holds it; when the server's differs the two copies have drifted apart and the save is
// refused as a conflict rather than splicing at the wrong place.
type TextEdit struct {
	Start, End, OldLength int
	Text                  string
}

// Change is one edit of a save of changes; exactly one field is set.
type Change struct {
	Introduction *TextEdit       `json:",omitempty"`
	Practice     *PracticeChange `json:",omitempty"`
	Remove       *uuid.UUID      `json:",omitempty"`
	Order        []PracticeRef   `json:",omitempty"`
	FollowUp     *FollowUpChange `json:",omitempty"`
}

// PracticeChange edits the fields it sets of one practice, or adds one. As stored in a version, a
// new practice carries the id the server assigned and New; from a client it carries Key instead.
type PracticeChange struct {
	ID            uuid.UUID
	Key           string            `json:",omitempty"`
	New           bool              `json:",omitempty"`
	Title         *TextEdit         `json:",omitempty"`
	Description   *TextEdit         `json:",omitempty"`
	CategoryID    *uuid.UUID        `json:",omitempty"`
	SinceYear     *int32            `json:",omitempty"`
	Partners      *TextEdit         `json:",omitempty"`
	TargetGroups  *TextEdit         `json:",omitempty"`
	SetLinks      bool              `json:",omitempty"`
	EvidenceLinks []string          `json:",omitempty"`
	Narratives    []NarrativeChange `json:",omitempty"`
}

// NarrativeChange edits the narrative for one criterion.
type NarrativeChange struct {
	CriterionID uuid.UUID
	Text        TextEdit
}

// PracticeRef names a practice by id, or one the same save adds by its key.
type PracticeRef struct {
	ID  uuid.UUID
	Key string `json:",omitempty"`
}

// FollowUpChange edits one follow-up.
type FollowUpChange struct {
	PreviousNominationID uuid.UUID
	Outcome              *Outcome  `json:",omitempty"`
	Narrative            *TextEdit `json:",omitempty"`
}

// errDrifted marks a TextEdit whose OldLength is not the server's: the client's copy is not the
// version it named, and the caller answers with the current report, as for a stale version.
var errDrifted = errors.New("the text the edit was made on is not the saved one")

// apply returns s with the edit made; field names the request field for errors.
func (e TextEdit) apply(field, s string) (string, error) {
	n := utf8.RuneCountInString(s)
	if e.OldLength != n {
		return "", errDrifted
	}
	if e.Start > e.End || e.End > n {
		return "", fault.Invalidf(field, "the edit's range %d–%d is outside the text of %d characters", e.Start, e.End, n)
	}
	if e.Start == 0 && e.End == n {
		return e.Text, nil
	}
	r := []rune(s)
	return string(r[:e.Start]) + e.Text + string(r[e.End:]), nil
}

// resolve turns a client's changes into the form a version stores: links normalised, each new
// practice with a fresh id (and New), and order entries that name a key naming that id. It checks what only the client can get
// wrong about new practices: a key, unique, with a category.
func resolve(changes []Change) ([]Change, map[string]uuid.UUID, error) {
	out := make([]Change, len(changes))
	added := map[string]uuid.UUID{}
	for i, c := range changes {
		field := fmt.Sprintf("changes.changes[%d]", i)
		if c.Practice != nil && c.Practice.SetLinks {
			p := *c.Practice
			links, err := normaliseLinks(field+".practice.evidence_links", p.EvidenceLinks)
			if err != nil {
				return nil, nil, err
			}
			p.EvidenceLinks = links
			c.Practice = &p
		}
		if c.Practice != nil && c.Practice.ID == uuid.Nil {
			p := *c.Practice
			switch {
			case p.Key == "":
				return nil, nil, fault.Invalidf(field+".practice.key", "a new practice (without an id) needs a key")
			case added[p.Key] != uuid.Nil:
				return nil, nil, fault.Invalidf(field+".practice.key", "names two new practices")
			case p.CategoryID == nil:
				return nil, nil, fault.Invalidf(field+".practice.category_id", "a new practice needs its category")
			}
			p.ID, p.New = uuid.New(), true
			added[p.Key] = p.ID
			p.Key = ""
			c.Practice = &p
		}
		if c.Order != nil {
			refs := make([]PracticeRef, len(c.Order))
			for j, r := range c.Order {
				if r.Key != "" {
					id, ok := added[r.Key]
					if !ok {
						return nil, nil, fault.Invalidf(fmt.Sprintf("%s.order.practices[%d].key", field, j), "names no practice added before it in this save")
					}
					r = PracticeRef{ID: id}
				}
				refs[j] = r
			}
			c.Order = refs
		}
		out[i] = c
	}
	return out, added, nil
}

// applyChanges makes resolved changes to c, in order. It is how a save of changes builds the new
// content and how a stored version is rebuilt from the one before, so it depends on nothing but its
// arguments.
func applyChanges(c Content, changes []Change) (Content, error) {
	c.Practices = slices.Clone(c.Practices)
	c.FollowUps = slices.Clone(c.FollowUps)
	for i, ch := range changes {
		field := fmt.Sprintf("changes.changes[%d]", i)
		var err error
		switch {
		case ch.Introduction != nil:
			c.Introduction, err = ch.Introduction.apply(field+".introduction", c.Introduction)
		case ch.Practice != nil:
			err = applyPractice(&c, field+".practice", *ch.Practice)
		case ch.Remove != nil:
			at := slices.IndexFunc(c.Practices, func(p Practice) bool { return p.ID == *ch.Remove })
			if at < 0 {
				return c, fault.Invalidf(field+".remove_practice", "is not a practice of this report")
			}
			c.Practices = slices.Delete(c.Practices, at, at+1)
		case ch.Order != nil:
			err = reorder(&c, field+".order", ch.Order)
		case ch.FollowUp != nil:
			err = applyFollowUp(&c, field+".follow_up", *ch.FollowUp)
		}
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

func applyPractice(c *Content, field string, ch PracticeChange) error {
	at := slices.IndexFunc(c.Practices, func(p Practice) bool { return p.ID == ch.ID })
	switch {
	case ch.New && at >= 0:
		return fault.Invalidf(field+".id", "is a practice of this report already")
	case ch.New:
		c.Practices = append(c.Practices, Practice{ID: ch.ID})
		at = len(c.Practices) - 1
	case at < 0:
		return fault.Invalidf(field+".id", "is not a practice of this report")
	}
	p := c.Practices[at]
	p.EvidenceLinks = slices.Clone(p.EvidenceLinks)
	p.Narratives = slices.Clone(p.Narratives)
	for _, t := range []struct {
		name string
		edit *TextEdit
		text *string
	}{
		{"title", ch.Title, &p.Title}, {"description", ch.Description, &p.Description},
		{"partners", ch.Partners, &p.Partners}, {"target_groups", ch.TargetGroups, &p.TargetGroups},
	} {
		if t.edit == nil {
			continue
		}
		v, err := t.edit.apply(field+"."+t.name, *t.text)
		if err != nil {
			return err
		}
		*t.text = v
	}
	if err := plaintext.Field(field+".title", p.Title, false); err != nil {
		return err
	}
	if ch.CategoryID != nil {
		p.CategoryID = *ch.CategoryID
	}
	if ch.SinceYear != nil {
		p.SinceYear = *ch.SinceYear
	}
	if ch.SetLinks {
		p.EvidenceLinks = slices.Clone(ch.EvidenceLinks)
	}
	for j, n := range ch.Narratives {
		nf := fmt.Sprintf("%s.narratives[%d].text", field, j)
		k := slices.IndexFunc(p.Narratives, func(x Narrative) bool { return x.CriterionID == n.CriterionID })
		old := ""
		if k >= 0 {
			old = p.Narratives[k].Text
		}
		v, err := n.Text.apply(nf, old)
		if err != nil {
			return err
		}
		switch {
		case v == "" && k >= 0:
			p.Narratives = slices.Delete(p.Narratives, k, k+1)
		case v == "":
		case k >= 0:
			p.Narratives[k].Text = v
		default:
			p.Narratives = append(p.Narratives, Narrative{CriterionID: n.CriterionID, Text: v})
		}
	}
	c.Practices[at] = p
	return nil
}

func reorder(c *Content, field string, refs []PracticeRef) error {
	if len(refs) != len(c.Practices) {
		return fault.Invalidf(field, "lists %d practices; the report has %d", len(refs), len(c.Practices))
	}
	out := make([]Practice, 0, len(refs))
	used := map[uuid.UUID]bool{}
	for j, r := range refs {
		at := slices.IndexFunc(c.Practices, func(p Practice) bool { return p.ID == r.ID })
		if at < 0 || used[r.ID] {
			return fault.Invalidf(fmt.Sprintf("%s.practices[%d]", field, j), "is not a practice of this report, or is listed twice")
		}
		used[r.ID] = true
		out = append(out, c.Practices[at])
	}
	c.Practices = out
	return nil
}

func applyFollowUp(c *Content, field string, ch FollowUpChange) error {
	at := slices.IndexFunc(c.FollowUps, func(f FollowUp) bool { return f.PreviousNominationID == ch.PreviousNominationID })
	if at < 0 {
		return fault.Invalidf(field+".previous_nomination_id", "is not a practice distinguished for this city in the previous edition")
	}
	f := c.FollowUps[at]
	if ch.Outcome != nil {
		f.Outcome = *ch.Outcome
	}
	if ch.Narrative != nil {
		v, err := ch.Narrative.apply(field+".narrative", f.Narrative)
		if err != nil {
			return err
		}
		f.Narrative = v
	}
	c.FollowUps[at] = f
	return nil
}
