package verify

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Summary is what a successful verification established (§11, "What a verifier reports").
type Summary struct {
	EditionID   string
	Year        int64
	Publication string
	TreeSize    uint64
	Stage       string // the final stage
	Events      int    // the edition's events
	Casts       int    // ballot casts in the log
	Counted     int    // casts counted at the last close
	TallyHash   string // the announced tally, when announced
	Winners     []string
	StepsBack   []Step // every move back, and every override
	Decisions   []Decision
	Receipt     string
	Notes       []string // what could not be checked, and why
	KeyNote     string   // set when the bundle's own key was trusted
	Rotations   []Rotation
	Pinned      []Pinned // the pinned checkpoints the log extends (K4)
	// Witnesses are the given witnesses, each cosigned or not (K5), and WitnessThreshold how many of
	// them had to.
	Witnesses        []Witness
	WitnessThreshold int
	// Justifications and Recommendations are the jury's texts the announcement recorded (§6), as the
	// results must publish them.
	Justifications  []Justification
	Recommendations map[string]string
}

// Rotation is a replacement of the key that signs the log's checkpoints (§4.4).
type Rotation struct {
	Leaf int
	Key  string
}

// Step is a stage move that needed a reason.
type Step struct {
	Leaf     int
	Time     string
	From, To string
	Actor    string
	Reason   string
	Override bool
	// TallyHash is the tally a move back from TALLIED set aside.
	TallyHash string
}

// Decision is a jury decision with its reason.
type Decision struct {
	Leaf        int
	Time        string
	CategoryID  string
	Nominations []string
	Reason      string
}

func (v *verifier) summary() *Summary {
	s := &Summary{
		EditionID: v.b.editionID, Year: v.b.year, Publication: v.b.publication, TreeSize: v.cp.Size, Stage: v.final,
		Events: len(v.evs), Casts: len(v.casts), Receipt: v.receipt, Notes: v.notes, KeyNote: v.keyNote,
		Pinned: v.pinned, Witnesses: v.witnesses, WitnessThreshold: v.threshold,
	}
	for _, r := range v.rotations {
		s.Rotations = append(s.Rotations, Rotation{Leaf: r.leaf, Key: r.key})
	}
	if len(v.closes) > 0 {
		s.Counted = len(v.counted(v.closes[len(v.closes)-1]))
	}
	if v.final == "ANNOUNCED" {
		t := v.last()
		s.TallyHash, s.Winners = t.hash, t.result.Winners()
	}
	lastTally := ""
	for _, e := range v.evs {
		switch e.Kind {
		case "tally.computed", "tally.jury_decision":
			lastTally = e.Str("tally_sha256")
		case "results.announced":
			s.Justifications, s.Recommendations = e.Justifications(), e.Recommendations()
		case "edition.stage_changed":
			back := stageIndex(e.Str("to")) < stageIndex(e.Str("from"))
			if back || e.Bool("override") {
				st := Step{Leaf: e.Index, Time: e.Time, From: e.Str("from"), To: e.Str("to"), Actor: e.actor(), Reason: e.Str("reason"), Override: e.Bool("override")}
				if back && e.Str("from") == "TALLIED" {
					st.TallyHash = lastTally
				}
				s.StepsBack = append(s.StepsBack, st)
			}
		}
	}
	for _, e := range v.decisions {
		s.Decisions = append(s.Decisions, Decision{Leaf: e.Index, Time: e.Time, CategoryID: e.Str("category_id"), Nominations: e.List("nomination_ids"), Reason: e.Str("reason")})
	}
	return s
}

func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verified: edition %d (%s), %d of its events in a log of %d leaves under a checkpoint signed by the trusted key; stage %s, publication %s",
		s.Year, s.EditionID, s.Events, s.TreeSize, s.Stage, s.Publication)
	if s.Stage == "ANNOUNCED" {
		fmt.Fprintf(&b, "\n%d casts in the log, %d counted; re-tallied under the frozen rule they give the announced tally %s", s.Casts, s.Counted, s.TallyHash)
		fmt.Fprintf(&b, "\nwinners: %s", strings.Join(s.Winners, ", "))
	}
	for _, j := range s.Justifications {
		fmt.Fprintf(&b, "\nthe jury's justification of %s, as the announcement recorded it: %s", j.NominationID, juryTextLine(j.Text))
	}
	if len(s.Recommendations) > 0 {
		fmt.Fprintf(&b, "\nthe jury's recommendations, as the announcement recorded them: %s", juryTextLine(s.Recommendations))
	}
	for _, st := range s.StepsBack {
		if st.Override {
			fmt.Fprintf(&b, "\noverride at leaf %d (%s) by %s, %s → %s: %s", st.Leaf, st.Time, st.Actor, st.From, st.To, st.Reason)
			continue
		}
		fmt.Fprintf(&b, "\nmoved back at leaf %d (%s) by %s, %s → %s: %s", st.Leaf, st.Time, st.Actor, st.From, st.To, st.Reason)
		if st.TallyHash != "" {
			fmt.Fprintf(&b, " (the round was reopened after the tally %s had been computed)", st.TallyHash)
		}
	}
	for _, d := range s.Decisions {
		fmt.Fprintf(&b, "\njury decision at leaf %d (%s) in category %s, %s: %s", d.Leaf, d.Time, d.CategoryID, strings.Join(d.Nominations, " > "), d.Reason)
	}
	for _, r := range s.Rotations {
		fmt.Fprintf(&b, "\nthe key was rotated at leaf %d, signed by the key before it, to %s", r.Leaf, r.Key)
	}
	for _, p := range s.Pinned {
		fmt.Fprintf(&b, "\nthe log extends the pinned checkpoint of %d leaves (root %s)", p.Size, base64.StdEncoding.EncodeToString(p.Root))
	}
	if len(s.Witnesses) > 0 {
		n := 0
		for _, w := range s.Witnesses {
			if w.Cosigned {
				n++
			}
		}
		fmt.Fprintf(&b, "\nthe checkpoint is cosigned by %d of the %d witnesses given (%d required):", n, len(s.Witnesses), s.WitnessThreshold)
		for _, w := range s.Witnesses {
			if w.Cosigned {
				fmt.Fprintf(&b, "\n  cosigned at %s (%d) by %s", w.Time(), w.Timestamp, w.Key)
			} else {
				fmt.Fprintf(&b, "\n  not cosigned by %s", w.Key)
			}
		}
	}
	if s.Receipt != "" {
		b.WriteString("\n" + s.Receipt)
	}
	for _, n := range s.Notes {
		b.WriteString("\nnot checked: " + n)
	}
	if s.KeyNote != "" {
		b.WriteString("\nWARNING: " + s.KeyNote)
	}
	return b.String()
}

// juryTextLine writes a jury text on one line: each language with its text quoted, Polish first.
func juryTextLine(text map[string]string) string {
	langs := slices.Sorted(maps.Keys(text))
	slices.SortStableFunc(langs, func(a, b string) int {
		switch {
		case a == "pl":
			return -1
		case b == "pl":
			return 1
		}
		return 0
	})
	parts := make([]string, len(langs))
	for i, l := range langs {
		parts[i] = fmt.Sprintf("%s %q", l, text[l])
	}
	return strings.Join(parts, ", ")
}
