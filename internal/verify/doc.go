package verify

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/tally"
)

// Formats of the documents this version of the specification defines.
const (
	BundleFormat = "miasta-audit-bundle/2"
	RuleFormat   = "miasta-rule/2"
	CastFormat   = "miasta-ballot/2"
	TallyFormat  = tally.Format
)

// Rule is the tally rule (§7). Marshalled with canon.Encode it is the rule's canonical form.
type Rule struct {
	Criteria     []CriterionRule `json:"criteria"`
	Format       string          `json:"format"`
	Method       string          `json:"method"`
	MinimumScore *string         `json:"minimum_score"`
	Quorum       int             `json:"quorum"`
	TieBreaks    []string        `json:"tie_breaks"`
	TrimCount    int             `json:"trim_count"`
	Winners      int             `json:"winners"`
}

// CriterionRule is how one criterion is scored (§7).
type CriterionRule struct {
	CriterionID string  `json:"criterion_id"`
	Labels      []Label `json:"labels"`
	Max         int     `json:"max"`
	Min         int     `json:"min"`
	NonRanking  bool    `json:"non_ranking"`
	Number      int     `json:"number"`
	Weight      int     `json:"weight"`
}

// Label names one mark of a criterion's scale in one or more languages.
type Label struct {
	Text  map[string]string `json:"text"`
	Value int               `json:"value"`
}

// Cast is a juror's cast ballot (§8). Marshalled with canon.Encode it is the cast's canonical form,
// whose hash is the juror's receipt.
type Cast struct {
	EditionID  string    `json:"edition_id"`
	Format     string    `json:"format"`
	JurorID    string    `json:"juror_id"`
	Marks      []Mark    `json:"marks"`
	Recusals   []Recusal `json:"recusals"`
	RequestID  string    `json:"request_id"`
	RuleSHA256 string    `json:"rule_sha256"`
	Version    int64     `json:"version"`
}

// Mark is a cast's marks for one nomination, one per rule criterion in rule order.
type Mark struct {
	NominationID string `json:"nomination_id"`
	Values       []int  `json:"values"`
}

// Recusal takes the juror out of one nomination: home_city, declared or abstained.
type Recusal struct {
	Kind         string `json:"kind"`
	NominationID string `json:"nomination_id"`
}

// The recusal kinds of casts.
const (
	RecusedHomeCity  = "home_city"
	RecusedDeclared  = "declared"
	RecusedAbstained = "abstained"
)

// MarksEntry is the anonymous marks of one nomination under the aggregates setting (§10).
type MarksEntry struct {
	NominationID string         `json:"nomination_id"`
	Recusals     tally.Recusals `json:"recusals"`
	Vectors      [][]int        `json:"vectors"`
}

// The publication settings (§12).
const (
	PublishNames      = "names"
	PublishPseudonyms = "pseudonyms"
	PublishAggregates = "aggregates"
)

var (
	ruleFields      = []Field{{"criteria", 0, false}, {"format", 0, false}, {"method", 0, false}, {"minimum_score", 0, false}, {"quorum", 0, false}, {"tie_breaks", 0, false}, {"trim_count", 0, false}, {"winners", 0, false}}
	criterionFields = []Field{{"criterion_id", 0, false}, {"labels", 0, false}, {"max", 0, false}, {"min", 0, false}, {"non_ranking", 0, false}, {"number", 0, false}, {"weight", 0, false}}
	labelFields     = []Field{{"text", 0, false}, {"value", 0, false}}
	castEntryFields = []Field{{"marks", 0, false}, {"recusals", 0, false}}
	castFields      = []Field{{"edition_id", 0, false}, {"format", 0, false}, {"juror_id", 0, false}, {"marks", 0, false}, {"recusals", 0, false}, {"request_id", 0, false}, {"rule_sha256", 0, false}, {"version", 0, false}}
	markFields      = []Field{{"nomination_id", 0, false}, {"values", 0, false}}
	recusalFields   = []Field{{"kind", 0, false}, {"nomination_id", 0, false}}
	entryFields     = []Field{{"nomination_id", 0, false}, {"recusals", 0, false}, {"vectors", 0, false}}
	countFields     = []Field{{"abstained", 0, false}, {"declared", 0, false}, {"home_city", 0, false}}
	digestFields    = []Field{{"digest", 0, false}, {"edition_id", 0, false}}
	methods         = []string{"majority_judgment", "median", "trimmed_mean", "weighted_mean"}
	tieBreaks       = []string{"criteria_in_order", "higher_median", "jury_decision", "more_top_marks"}
	languageTag     = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
)

func str(v canon.Value) (string, error) {
	if v.Kind() != canon.String {
		return "", fmt.Errorf("is a %s, not a string", v.Kind())
	}
	return v.Str(), nil
}

func intIn(v canon.Value, lo, hi int64) (int, error) {
	if v.Kind() != canon.Number {
		return 0, fmt.Errorf("is a %s, not an integer", v.Kind())
	}
	if n := v.Int(); n < lo || n > hi {
		return 0, fmt.Errorf("%d is not in %d–%d", n, lo, hi)
	}
	return int(v.Int()), nil
}

func boolean(v canon.Value) (bool, error) {
	switch v.Kind() {
	case canon.True:
		return true, nil
	case canon.False:
		return false, nil
	}
	return false, fmt.Errorf("is a %s, not a boolean", v.Kind())
}

func uuidOf(v canon.Value) (string, error) {
	s, err := str(v)
	if err == nil && !IsUUID(s) {
		err = fmt.Errorf("%q is not a uuid", s)
	}
	return s, err
}

func hashOf(v canon.Value) (string, error) {
	s, err := str(v)
	if err == nil && !IsHash(s) {
		err = fmt.Errorf("%q is not a hash string", s)
	}
	return s, err
}

func array(v canon.Value, f func(i int, e canon.Value) error) error {
	if v.Kind() != canon.Array {
		return fmt.Errorf("is a %s, not an array", v.Kind())
	}
	var err error
	v.Elems(func(i int, e canon.Value) bool {
		if err = f(i, e); err != nil {
			err = fmt.Errorf("element %d: %w", i, err)
		}
		return err == nil
	})
	return err
}

func oneOf(v canon.Value, allowed []string) (string, error) {
	s, err := str(v)
	if err == nil && !slices.Contains(allowed, s) {
		err = fmt.Errorf("%q is not one of %s", s, strings.Join(allowed, ", "))
	}
	return s, err
}

// ParseRational reads a rational in the form of §3.3 ("N/D" in lowest terms, D ≥ 1).
func ParseRational(s string) (*big.Rat, error) {
	num, den, ok := strings.Cut(s, "/")
	n, nok := new(big.Int).SetString(num, 10)
	d, dok := new(big.Int).SetString(den, 10)
	if !ok || !nok || !dok || d.Sign() <= 0 || n.String() != num || d.String() != den {
		return nil, fmt.Errorf("%q is not a rational N/D", s)
	}
	lowest := n.Sign() == 0 && d.Cmp(big.NewInt(1)) == 0 ||
		n.Sign() != 0 && new(big.Int).GCD(nil, nil, new(big.Int).Abs(n), d).Cmp(big.NewInt(1)) == 0
	if !lowest {
		return nil, fmt.Errorf("%q is not in lowest terms", s)
	}
	return new(big.Rat).SetFrac(n, d), nil
}

// parseRule reads a rule's shape (§7 types); validity for the edition is check R1.
func parseRule(v canon.Value) (Rule, error) {
	var r Rule
	err := members(v, "the rule", ruleFields, func(i int, m canon.Value) error {
		var err error
		switch ruleFields[i].Name {
		case "criteria":
			err = array(m, func(_ int, e canon.Value) error {
				c, err := parseCriterionRule(e)
				r.Criteria = append(r.Criteria, c)
				return err
			})
			if err == nil && len(r.Criteria) == 0 {
				err = fmt.Errorf("is empty")
			}
		case "format":
			if r.Format, err = str(m); err == nil && r.Format != RuleFormat {
				err = fmt.Errorf("%q is not %q", r.Format, RuleFormat)
			}
		case "method":
			r.Method, err = oneOf(m, methods)
		case "minimum_score":
			if m.Kind() != canon.Null {
				var s string
				if s, err = str(m); err == nil {
					if _, err = ParseRational(s); err == nil {
						r.MinimumScore = &s
					}
				}
			}
		case "quorum":
			r.Quorum, err = intIn(m, 1, 100)
		case "tie_breaks":
			r.TieBreaks = []string{}
			err = array(m, func(_ int, e canon.Value) error {
				t, err := oneOf(e, tieBreaks)
				r.TieBreaks = append(r.TieBreaks, t)
				return err
			})
		case "trim_count":
			r.TrimCount, err = intIn(m, 0, 10)
		case "winners":
			r.Winners, err = intIn(m, 1, 10)
		}
		return err
	})
	return r, err
}

func parseCriterionRule(v canon.Value) (CriterionRule, error) {
	var c CriterionRule
	err := members(v, "the criterion rule", criterionFields, func(i int, m canon.Value) error {
		var err error
		switch criterionFields[i].Name {
		case "criterion_id":
			c.CriterionID, err = uuidOf(m)
		case "labels":
			c.Labels = []Label{}
			err = array(m, func(_ int, e canon.Value) error {
				var l Label
				err := members(e, "the label", labelFields, func(j int, lm canon.Value) error {
					if j == 1 {
						var err error
						l.Value, err = intIn(lm, 0, 100)
						return err
					}
					if lm.Kind() != canon.Object {
						return fmt.Errorf("is not an object")
					}
					l.Text = map[string]string{}
					var err error
					lm.Members(func(lang string, t canon.Value) bool {
						if !languageTag.MatchString(lang) {
							err = fmt.Errorf("%q is not a language tag", lang)
							return false
						}
						l.Text[lang], err = str(t)
						return err == nil
					})
					return err
				})
				c.Labels = append(c.Labels, l)
				return err
			})
		case "max":
			c.Max, err = intIn(m, 1, 100)
		case "min":
			c.Min, err = intIn(m, 0, 100)
		case "non_ranking":
			c.NonRanking, err = boolean(m)
		case "number":
			c.Number, err = intIn(m, 1, canon.MaxInt)
		case "weight":
			c.Weight, err = intIn(m, 1, 100)
		}
		return err
	})
	return c, err
}

// Engine converts a rule for the tally package.
func (r Rule) Engine() (tally.Rule, error) {
	out := tally.Rule{Method: tally.Method(r.Method), Quorum: r.Quorum, Winners: r.Winners, TrimCount: r.TrimCount}
	for _, c := range r.Criteria {
		out.Criteria = append(out.Criteria, tally.Criterion{ID: c.CriterionID, Number: c.Number, Min: c.Min, Max: c.Max, Weight: int64(c.Weight), NonRanking: c.NonRanking})
	}
	for _, t := range r.TieBreaks {
		out.TieBreaks = append(out.TieBreaks, tally.TieBreak(t))
	}
	if r.MinimumScore != nil {
		m, err := ParseRational(*r.MinimumScore)
		if err != nil {
			return tally.Rule{}, err
		}
		out.MinimumScore = m
	}
	return out, nil
}

// Validity checks a rule's own conditions of §7 (2–4); criteria is the edition's criteria, id to
// number, for condition 1 (nil: not checked).
func (r Rule) Validity(criteria map[string]int) error {
	if criteria != nil {
		if len(r.Criteria) != len(criteria) {
			return fmt.Errorf("the rule has %d criteria, the edition %d", len(r.Criteria), len(criteria))
		}
	}
	ranking := false
	for i, c := range r.Criteria {
		if criteria != nil {
			n, ok := criteria[c.CriterionID]
			if !ok {
				return fmt.Errorf("criterion %s is not a criterion of the edition", c.CriterionID)
			}
			if n != c.Number {
				return fmt.Errorf("criterion %s has number %d in the rule and %d in the edition", c.CriterionID, c.Number, n)
			}
		}
		if i > 0 && c.Number <= r.Criteria[i-1].Number {
			return fmt.Errorf("the criteria are not in increasing number")
		}
		if i > 0 && slices.ContainsFunc(r.Criteria[:i], func(o CriterionRule) bool { return o.CriterionID == c.CriterionID }) {
			return fmt.Errorf("criterion %s appears twice", c.CriterionID)
		}
		if c.Min >= c.Max {
			return fmt.Errorf("criterion %s: min %d is not below max %d", c.CriterionID, c.Min, c.Max)
		}
		for j, l := range c.Labels {
			if l.Value < c.Min || l.Value > c.Max || j > 0 && l.Value <= c.Labels[j-1].Value || len(l.Text) == 0 {
				return fmt.Errorf("criterion %s: label %d is outside the scale, out of order, repeated or without text", c.CriterionID, j)
			}
		}
		ranking = ranking || !c.NonRanking
	}
	if !ranking {
		return fmt.Errorf("no criterion ranks")
	}
	if r.Method == string(tally.TrimmedMean) && r.TrimCount < 1 || r.Method != string(tally.TrimmedMean) && r.TrimCount != 0 {
		return fmt.Errorf("trim_count %d does not fit the method %s", r.TrimCount, r.Method)
	}
	for i, t := range r.TieBreaks {
		if slices.Contains(r.TieBreaks[:i], t) {
			return fmt.Errorf("the tie-break %s appears twice", t)
		}
		if t == string(tally.JuryDecision) && i != len(r.TieBreaks)-1 {
			return fmt.Errorf("jury_decision is not the last tie-break")
		}
	}
	return nil
}

// parseCast reads a cast's shape (§8), including the order of its lists.
func parseCast(v canon.Value) (Cast, error) {
	var c Cast
	err := members(v, "the cast", castFields, func(i int, m canon.Value) error {
		var err error
		switch castFields[i].Name {
		case "edition_id":
			c.EditionID, err = uuidOf(m)
		case "format":
			if c.Format, err = str(m); err == nil && c.Format != CastFormat {
				err = fmt.Errorf("%q is not %q", c.Format, CastFormat)
			}
		case "juror_id":
			c.JurorID, err = uuidOf(m)
		case "marks":
			c.Marks = []Mark{}
			err = array(m, func(j int, e canon.Value) error {
				var mk Mark
				err := members(e, "the mark", markFields, func(k int, f canon.Value) error {
					if k == 0 {
						var err error
						mk.NominationID, err = uuidOf(f)
						return err
					}
					mk.Values = []int{}
					return array(f, func(_ int, x canon.Value) error {
						n, err := intIn(x, -canon.MaxInt, canon.MaxInt)
						mk.Values = append(mk.Values, n)
						return err
					})
				})
				if err == nil && j > 0 && mk.NominationID <= c.Marks[j-1].NominationID {
					err = fmt.Errorf("the marks are not in increasing nomination_id")
				}
				c.Marks = append(c.Marks, mk)
				return err
			})
		case "recusals":
			c.Recusals = []Recusal{}
			err = array(m, func(j int, e canon.Value) error {
				var r Recusal
				err := members(e, "the recusal", recusalFields, func(k int, f canon.Value) error {
					var err error
					if k == 0 {
						r.Kind, err = oneOf(f, []string{RecusedAbstained, RecusedDeclared, RecusedHomeCity})
					} else {
						r.NominationID, err = uuidOf(f)
					}
					return err
				})
				if err == nil && j > 0 && r.NominationID <= c.Recusals[j-1].NominationID {
					err = fmt.Errorf("the recusals are not in increasing nomination_id")
				}
				c.Recusals = append(c.Recusals, r)
				return err
			})
		case "request_id":
			c.RequestID, err = uuidOf(m)
		case "rule_sha256":
			c.RuleSHA256, err = hashOf(m)
		case "version":
			var n int
			n, err = intIn(m, 1, canon.MaxInt)
			c.Version = int64(n)
		}
		return err
	})
	return c, err
}

// castEntry is a cast as a bundle gives it (§10): its marks and recusals keyed by nomination. The rest
// of the cast is its event's.
type castEntry struct {
	marks    []Mark
	recusals []Recusal
}

// parseCastEntry reads a bundle's cast entry (§10). Its members are in increasing nomination id, as
// canonical JSON orders them.
func parseCastEntry(v canon.Value) (castEntry, error) {
	ce := castEntry{marks: []Mark{}, recusals: []Recusal{}}
	err := members(v, "the cast", castEntryFields, func(i int, m canon.Value) error {
		if m.Kind() != canon.Object {
			return fmt.Errorf("is a %s, not an object", m.Kind())
		}
		var err error
		m.Members(func(nom string, x canon.Value) bool {
			if !IsUUID(nom) {
				err = fmt.Errorf("%q is not a uuid", nom)
				return false
			}
			if i == 1 {
				var k string
				if k, err = oneOf(x, []string{RecusedAbstained, RecusedDeclared, RecusedHomeCity}); err == nil {
					ce.recusals = append(ce.recusals, Recusal{Kind: k, NominationID: nom})
				}
				return err == nil
			}
			mk := Mark{NominationID: nom, Values: make([]int, 0, x.Len())}
			err = array(x, func(_ int, y canon.Value) error {
				n, err := intIn(y, -canon.MaxInt, canon.MaxInt)
				mk.Values = append(mk.Values, n)
				return err
			})
			if err != nil {
				err = fmt.Errorf("%s: %w", nom, err)
			}
			ce.marks = append(ce.marks, mk)
			return err == nil
		})
		return err
	})
	return ce, err
}

// cast rebuilds the cast (§8) of a bundle's entry from the edition and its ballot.cast event.
func (ce castEntry) cast(editionID string, ev *Event) Cast {
	return Cast{EditionID: editionID, Format: CastFormat, JurorID: ev.ActorID, Marks: ce.marks, Recusals: ce.recusals,
		RequestID: ev.Str("request_id"), RuleSHA256: ev.Str("rule_sha256"), Version: ev.Int("version")}
}

// Canonical is the cast's canonical JSON (§8), whose hash is the juror's receipt: the bytes
// canon.Encode gives, written directly, as a verifier hashes thousands of casts.
func (c *Cast) Canonical() []byte {
	b := make([]byte, 0, 320+72*(len(c.Marks)+len(c.Recusals)))
	b = append(b, `{"edition_id":`...)
	b = canon.AppendString(b, c.EditionID)
	b = append(b, `,"format":`...)
	b = canon.AppendString(b, c.Format)
	b = append(b, `,"juror_id":`...)
	b = canon.AppendString(b, c.JurorID)
	b = append(b, `,"marks":[`...)
	for i, m := range c.Marks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"nomination_id":`...)
		b = canon.AppendString(b, m.NominationID)
		b = append(b, `,"values":[`...)
		for j, x := range m.Values {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(x), 10)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"recusals":[`...)
	for i, r := range c.Recusals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"kind":`...)
		b = canon.AppendString(b, r.Kind)
		b = append(b, `,"nomination_id":`...)
		b = canon.AppendString(b, r.NominationID)
		b = append(b, '}')
	}
	b = append(b, `],"request_id":`...)
	b = canon.AppendString(b, c.RequestID)
	b = append(b, `,"rule_sha256":`...)
	b = canon.AppendString(b, c.RuleSHA256)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, c.Version, 10)
	return append(b, '}')
}

// BundleCast turns a canonical cast (§8) into its entry in a bundle (§10): its marks and recusals
// keyed by nomination, without what its event says.
func BundleCast(cast []byte) ([]byte, error) {
	v, err := canon.Parse(cast)
	if err != nil {
		return nil, fmt.Errorf("cast: %w", err)
	}
	c, err := parseCast(v)
	if err != nil {
		return nil, fmt.Errorf("cast: %w", err)
	}
	b := make([]byte, 0, len(cast))
	b = append(b, `{"marks":{`...)
	for i, m := range c.Marks {
		if i > 0 {
			b = append(b, ',')
		}
		b = canon.AppendString(b, m.NominationID)
		b = append(b, ":["...)
		for j, x := range m.Values {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(x), 10)
		}
		b = append(b, ']')
	}
	b = append(b, `},"recusals":{`...)
	for i, r := range c.Recusals {
		if i > 0 {
			b = append(b, ',')
		}
		b = canon.AppendString(b, r.NominationID)
		b = append(b, ':')
		b = canon.AppendString(b, r.Kind)
	}
	return append(b, "}}"...), nil
}

// parseMarksEntry reads a marks entry's shape (§10); its order is check M1.
func parseMarksEntry(v canon.Value) (MarksEntry, error) {
	var me MarksEntry
	err := members(v, "the marks entry", entryFields, func(i int, m canon.Value) error {
		var err error
		switch entryFields[i].Name {
		case "nomination_id":
			me.NominationID, err = uuidOf(m)
		case "recusals":
			err = members(m, "the recusal counts", countFields, func(k int, c canon.Value) error {
				n, err := intIn(c, 0, canon.MaxInt)
				switch k {
				case 0:
					me.Recusals.Abstained = n
				case 1:
					me.Recusals.Declared = n
				default:
					me.Recusals.HomeCity = n
				}
				return err
			})
		case "vectors":
			me.Vectors = [][]int{}
			err = array(m, func(_ int, e canon.Value) error {
				vec := []int{}
				err := array(e, func(_ int, x canon.Value) error {
					n, err := intIn(x, -canon.MaxInt, canon.MaxInt)
					vec = append(vec, n)
					return err
				})
				me.Vectors = append(me.Vectors, vec)
				return err
			})
		}
		return err
	})
	return me, err
}

// CompareVectors orders mark vectors as §10 does: element by element, a prefix first.
func CompareVectors(a, b []int) int { return slices.Compare(a, b) }
