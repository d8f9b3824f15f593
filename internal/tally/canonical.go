package tally

import (
	"math/big"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// Format names the tally document Canonical writes (§9.7 of the specification).
const Format = "miasta-tally/2"

type (
	canonResult struct {
		Categories []canonCategory `json:"categories"`
		Format     string          `json:"format"`
	}
	canonCategory struct {
		CategoryID  string        `json:"category_id"`
		Nominations []canonRanked `json:"nominations"`
	}
	canonRanked struct {
		Criteria     []canonCriterion `json:"criteria"`
		Explanation  []Args           `json:"explanation"`
		Jurors       int              `json:"jurors"`
		NominationID string           `json:"nomination_id"`
		QuorumMet    bool             `json:"quorum_met"`
		Rank         int              `json:"rank"`
		Recusals     Recusals         `json:"recusals"`
		Score        *string          `json:"score"`
		Winner       bool             `json:"winner"`
	}
	canonCriterion struct {
		CriterionID string  `json:"criterion_id"`
		NonRanking  bool    `json:"non_ranking"`
		Score       *string `json:"score"`
	}
)

// Canonical returns the tally document: canonical JSON, so equal results give equal bytes.
func Canonical(r Result) []byte {
	out := canonResult{Format: Format, Categories: make([]canonCategory, 0, len(r.Categories))}
	for _, c := range r.Categories {
		cc := canonCategory{CategoryID: c.CategoryID, Nominations: make([]canonRanked, 0, len(c.Nominations))}
		for _, n := range c.Nominations {
			cn := canonRanked{
				NominationID: n.NominationID, Rank: n.Rank, Score: ratPtr(n.Score), Winner: n.Winner, QuorumMet: n.QuorumMet,
				Jurors: n.Jurors, Recusals: n.Recusals, Criteria: make([]canonCriterion, 0, len(n.Criteria)), Explanation: make([]Args, 0, len(n.Explanation)),
			}
			for _, s := range n.Criteria {
				cn.Criteria = append(cn.Criteria, canonCriterion{CriterionID: s.CriterionID, NonRanking: s.NonRanking, Score: ratPtr(s.Score)})
			}
			for _, it := range n.Explanation {
				a := Args{"code": it.Code}
				for k, v := range it.Args {
					a[k] = v
				}
				cn.Explanation = append(cn.Explanation, a)
			}
			cc.Nominations = append(cc.Nominations, cn)
		}
		out.Categories = append(out.Categories, cc)
	}
	b, err := canon.Encode(out)
	if err != nil {
		// Only strings, small integers, booleans and lists of them are written, which cannot fail.
		panic("tally: canonical encoding failed: " + err.Error())
	}
	return b
}

func ratPtr(x *big.Rat) *string {
	if x == nil {
		return nil
	}
	s := RatString(x)
	return &s
}
