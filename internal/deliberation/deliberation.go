// Package deliberation turns a closed jury round into what the organisers deliberate with: every
// juror's counted marks as a matrix (jurors × nominations × criteria), each juror's deviation from
// the others with outliers flagged, inter-rater agreement per category (Krippendorff's alpha, ordinal
// metric) and the tally's sensitivity to any one juror's ballot.
//
// It reads nothing: everything comes from the tally in force (jury.Results), so the figures describe
// exactly the casts that count. The rules for deviation and outliers are the ones the proto's
// Deliberation message states; the two must say the same.
package deliberation

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/miasta-otwarte/miasta/internal/agreement"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// The outlier rules' thresholds (see the package's proto, message Deliberation).
const (
	// MarkOutlier: a mark further than this fraction of its scale from the others' mean is flagged.
	MarkOutlier = 0.5
	// MarkOutlierOthers: ...when at least this many other jurors scored there.
	MarkOutlierOthers = 2
	// JurorOutlierFactor: a juror whose deviation is at least this many times the median is flagged...
	JurorOutlierFactor = 2
	// JurorOutlierFloor: ...and at least this fraction of the scale.
	JurorOutlierFloor = 0.2
)

// State is what a juror's counted cast says about one nomination.
type State int

// The states.
const (
	Scored State = iota + 1
	HomeCity
	Conflict
	Abstained
	NotScored
	NoCast
)

// Deliberation is the matrix and its figures.
type Deliberation struct {
	Edition edition.Edition
	// Names: jurors are labelled by display name, not pseudonym.
	Names      bool
	Jurors     []Juror
	Criteria   []Criterion
	Categories []Category
	TallyHash  string
}

// Juror is one juror of the edition and how far their marks lie from the others'.
type Juror struct {
	// AssignmentID identifies the juror inside the server; never sent to clients under pseudonyms.
	AssignmentID string
	Label        string
	Cast         bool
	// Deviation is nil when none of the juror's marks could be compared.
	Deviation *float64
	Compared  int
	Outlier   bool
}

// Criterion is a rule criterion with its names and scale.
type Criterion struct {
	Criterion edition.Criterion
	Min, Max  int
}

// Category is one category's part of the matrix.
type Category struct {
	Category    edition.Category
	Nominations []Nomination
	Agreement   Agreement
	// ByCriterion is the agreement per criterion, in rule order.
	ByCriterion []Agreement
	// Sensitive are the jurors whose removal changes the winners.
	Sensitive []Sensitivity
	Winners   []string
}

// Agreement is Krippendorff's alpha, ordinal metric, over some of the marks.
type Agreement struct {
	CriterionID string // "" for the whole category
	Alpha       *float64
	Pairable    int
}

// Sensitivity names a juror (a position in Deliberation.Jurors) whose ballot, left out, changes a
// category's winners, with the winners the tally would then have.
type Sensitivity struct {
	Juror   int
	Winners []string
}

// Nomination is one nomination's rows.
type Nomination struct {
	ID, Title, City string
	Rank            int
	Winner          bool
	Rows            []Row // one per juror, in Deliberation.Jurors' order
}

// Row is one juror's marks for one nomination.
type Row struct {
	Juror int
	State State
	Marks []Mark // with Scored, one per criterion in rule order
}

// Mark is one mark compared with the other jurors' marks there.
type Mark struct {
	Value      int
	OthersMean *float64
	Outlier    bool
}

// Build computes the deliberation of the tally in force v. Jurors are labelled by name when the
// edition says so (Edition.DeliberationNames), by pseudonym otherwise.
func Build(v jury.Results) (Deliberation, error) {
	d := Deliberation{Edition: v.Edition, Names: v.Edition.DeliberationNames, TallyHash: v.Tally.Hash}
	for _, c := range v.Tally.Rule.Rule.Criteria {
		d.Criteria = append(d.Criteria, Criterion{Criterion: v.Criteria[c.CriterionID], Min: c.Min, Max: c.Max})
	}
	for id, j := range v.Tally.Jurors {
		label := j.Pseudonym
		if d.Names {
			label = j.DisplayName
		}
		_, cast := v.Tally.Counted[id]
		d.Jurors = append(d.Jurors, Juror{AssignmentID: id, Label: label, Cast: cast})
	}
	slices.SortFunc(d.Jurors, func(a, b Juror) int {
		return cmp.Or(naturalCompare(a.Label, b.Label), strings.Compare(a.AssignmentID, b.AssignmentID))
	})
	// A juror without a pseudonym (none is made so since invitations default to "Juror N", but a row
	// may predate that) gets a positional one rather than their name.
	for i := range d.Jurors {
		if d.Jurors[i].Label == "" {
			d.Jurors[i].Label = "Juror #" + strconv.Itoa(i+1)
		}
	}
	// Each juror's cast by nomination: marks and recusals.
	type said struct {
		state State
		marks []int
	}
	casts := make([]map[string]said, len(d.Jurors))
	for i, j := range d.Jurors {
		casts[i] = map[string]said{}
		c, ok := v.Tally.Counted[j.AssignmentID]
		if !ok {
			continue
		}
		for _, m := range c.Marks {
			casts[i][m.NominationID] = said{Scored, m.Values}
		}
		for _, r := range c.Recusals {
			s := Abstained
			switch r.Kind {
			case verify.RecusedHomeCity:
				s = HomeCity
			case verify.RecusedDeclared:
				s = Conflict
			}
			casts[i][r.NominationID] = said{state: s}
		}
	}
	// Without each juror in turn, the winners per category.
	without := make([]map[string][]string, len(d.Jurors))
	for i, j := range d.Jurors {
		if !j.Cast {
			continue
		}
		r, err := v.Tally.Without(j.AssignmentID)
		if err != nil {
			return Deliberation{}, err
		}
		without[i] = map[string][]string{}
		for _, c := range r.Categories {
			without[i][c.CategoryID] = winners(c.Nominations)
		}
	}
	diffs := make([][]float64, len(d.Jurors)) // per juror, |mark − others' mean| / scale width
	for _, c := range v.Tally.Result.Categories {
		cat := Category{Category: v.Categories[c.CategoryID], Winners: winners(c.Nominations)}
		all := [][]int{}
		per := make([][][]int, len(d.Criteria))
		for _, n := range c.Nominations {
			nom := v.Nominations[n.NominationID]
			dn := Nomination{ID: n.NominationID, Title: nom.Practice.Title, City: nom.City.Name, Rank: n.Rank, Winner: n.Winner}
			for i, j := range d.Jurors {
				row := Row{Juror: i, State: NoCast}
				if j.Cast {
					row.State = NotScored
					if s, ok := casts[i][n.NominationID]; ok {
						row.State = s.state
						for _, x := range s.marks {
							row.Marks = append(row.Marks, Mark{Value: x})
						}
					}
				}
				dn.Rows = append(dn.Rows, row)
			}
			for k, cr := range d.Criteria {
				var unit []int
				for _, row := range dn.Rows {
					if k < len(row.Marks) {
						unit = append(unit, row.Marks[k].Value)
					}
				}
				all = append(all, unit)
				per[k] = append(per[k], unit)
				width := float64(cr.Max - cr.Min)
				for ri := range dn.Rows {
					row := &dn.Rows[ri]
					if k >= len(row.Marks) || len(unit) < 2 {
						continue
					}
					m := &row.Marks[k]
					sum := 0
					for _, x := range unit {
						sum += x
					}
					others := len(unit) - 1
					mean := float64(sum-m.Value) / float64(others)
					m.OthersMean = &mean
					diff := math.Abs(float64(m.Value) - mean)
					if width > 0 {
						diff /= width
					}
					m.Outlier = others >= MarkOutlierOthers && diff > MarkOutlier
					diffs[row.Juror] = append(diffs[row.Juror], diff)
				}
			}
			cat.Nominations = append(cat.Nominations, dn)
		}
		cat.Agreement = alpha("", all)
		for k, cr := range d.Criteria {
			cat.ByCriterion = append(cat.ByCriterion, alpha(cr.Criterion.ID.String(), per[k]))
		}
		for i := range d.Jurors {
			if without[i] != nil && !slices.Equal(without[i][c.CategoryID], cat.Winners) {
				cat.Sensitive = append(cat.Sensitive, Sensitivity{Juror: i, Winners: without[i][c.CategoryID]})
			}
		}
		d.Categories = append(d.Categories, cat)
	}
	var devs []float64
	for i := range d.Jurors {
		if len(diffs[i]) == 0 {
			continue
		}
		sum := 0.0
		for _, x := range diffs[i] {
			sum += x
		}
		dev := sum / float64(len(diffs[i]))
		d.Jurors[i].Deviation, d.Jurors[i].Compared = &dev, len(diffs[i])
		devs = append(devs, dev)
	}
	med := median(devs)
	for i := range d.Jurors {
		if dev := d.Jurors[i].Deviation; dev != nil {
			d.Jurors[i].Outlier = *dev >= JurorOutlierFloor && *dev >= JurorOutlierFactor*med
		}
	}
	return d, nil
}

// alpha is the ordinal alpha of units, left undefined with fewer than two pairable units as well:
// within a single unit observed and expected disagreement are the same by construction, so alpha is
// 0 whatever the marks, which would read as "no better than chance" when nothing was measured.
func alpha(criterionID string, units [][]int) Agreement {
	r := agreement.Alpha(units, agreement.Ordinal)
	a := Agreement{CriterionID: criterionID, Pairable: r.Pairable}
	if r.Defined && r.Units >= 2 {
		a.Alpha = &r.Alpha
	}
	return a
}

// winners are the distinguished nominations of a category, sorted.
func winners(ns []tally.Ranked) []string {
	out := []string{}
	for _, n := range ns {
		if n.Winner {
			out = append(out, n.NominationID)
		}
	}
	slices.Sort(out)
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// naturalCompare orders labels so that "Juror 2" comes before "Juror 10": runs of digits compare
// as numbers, the rest as text.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:min(da, 18)], 10, 64)
			nb, _ := strconv.ParseUint(b[:min(db, 18)], 10, 64)
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
