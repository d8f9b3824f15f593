package tally

import (
	"encoding/json"
	"maps"
	"math/big"
	"slices"
)

// CanonicalFormat names the encoding Canonical produces; it changes whenever the encoding does, so
// a hash computed by an old version is never silently compared with a new one.
const CanonicalFormat = "miasta-tally/1"

// The canonical encoding: fixed field order, snake_case names, rationals as "num/den" strings in
// lowest terms (null when absent), maps as lists sorted by key, no insignificant whitespace.
type (
	canonResult struct {
		Format     string          `json:"format"`
		Categories []canonCategory `json:"categories"`
	}
	canonCategory struct {
		CategoryID  string        `json:"category_id"`
		Nominations []canonRanked `json:"nominations"`
	}
	canonRanked struct {
		NominationID string           `json:"nomination_id"`
		Rank         int              `json:"rank"`
		Score        *string          `json:"score"`
		Winner       bool             `json:"winner"`
		QuorumMet    bool             `json:"quorum_met"`
		Jurors       int              `json:"jurors"`
		Criteria     []canonCriterion `json:"criteria"`
		PerJuror     []canonJuror     `json:"per_juror"`
		Recusals     []canonRecusal   `json:"recusals"`
		Explanation  []string         `json:"explanation"`
	}
	canonCriterion struct {
		CriterionID string  `json:"criterion_id"`
		Score       *string `json:"score"`
		NonRanking  bool    `json:"non_ranking"`
	}
	canonJuror struct {
		Juror       string      `json:"juror"`
		Scores      []canonMark `json:"scores"`
		WeightedSum *string     `json:"weighted_sum"`
	}
	canonMark struct {
		CriterionID string `json:"criterion_id"`
		Score       int    `json:"score"`
	}
	canonRecusal struct {
		Juror string `json:"juror"`
		Kind  string `json:"kind"`
	}
)

// Canonical returns a deterministic byte encoding of the result (JSON with a fixed field order and
// rationals as "num/den" strings), so two runs can be compared byte for byte and hashed. Slices keep
// the result's order, which Compute makes deterministic; maps are written sorted by key.
func Canonical(r Result) []byte {
	out := canonResult{Format: CanonicalFormat, Categories: make([]canonCategory, 0, len(r.Categories))}
	for _, c := range r.Categories {
		cc := canonCategory{CategoryID: c.CategoryID, Nominations: make([]canonRanked, 0, len(c.Nominations))}
		for _, n := range c.Nominations {
			cn := canonRanked{
				NominationID: n.NominationID,
				Rank:         n.Rank,
				Score:        ratString(n.Score),
				Winner:       n.Winner,
				QuorumMet:    n.QuorumMet,
				Jurors:       n.Jurors,
				Criteria:     make([]canonCriterion, 0, len(n.Criteria)),
				PerJuror:     make([]canonJuror, 0, len(n.PerJuror)),
				Recusals:     make([]canonRecusal, 0, len(n.Recusals)),
				Explanation:  append([]string{}, n.Explanation...),
			}
			for _, s := range n.Criteria {
				cn.Criteria = append(cn.Criteria, canonCriterion{CriterionID: s.CriterionID, Score: ratString(s.Score), NonRanking: s.NonRanking})
			}
			for _, j := range n.PerJuror {
				cj := canonJuror{Juror: j.Juror, Scores: make([]canonMark, 0, len(j.Scores)), WeightedSum: ratString(j.WeightedSum)}
				for _, id := range slices.Sorted(maps.Keys(j.Scores)) {
					cj.Scores = append(cj.Scores, canonMark{CriterionID: id, Score: j.Scores[id]})
				}
				cn.PerJuror = append(cn.PerJuror, cj)
			}
			for _, rc := range n.Recusals {
				cn.Recusals = append(cn.Recusals, canonRecusal{Juror: rc.Juror, Kind: rc.Kind.String()})
			}
			cc.Nominations = append(cc.Nominations, cn)
		}
		out.Categories = append(out.Categories, cc)
	}
	b, err := json.Marshal(out)
	if err != nil {
		// Only strings, ints, bools and slices of them are marshalled, which cannot fail.
		panic("tally: canonical encoding failed: " + err.Error())
	}
	return b
}

func ratString(x *big.Rat) *string {
	if x == nil {
		return nil
	}
	s := x.String()
	return &s
}
