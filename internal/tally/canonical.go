package tally

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// Format names the tally document Canonical writes (§9.7 of the specification).
const Format = "miasta-tally/2"

// Canonical returns the tally document (§9.7): canonical JSON, so equal results give equal bytes. It is
// written directly, member names in order, because a verifier writes one per tally it recomputes and
// a large edition's explanations list thousands of sums.
func Canonical(r Result) []byte {
	b := make([]byte, 0, 4096)
	b = append(b, `{"categories":[`...)
	for i, c := range r.Categories {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"category_id":`...)
		b = canon.AppendString(b, c.CategoryID)
		b = append(b, `,"nominations":[`...)
		for j, n := range c.Nominations {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendRanked(b, n)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"format":"`+Format+`"}`...)
	return b
}

func appendRanked(b []byte, n Ranked) []byte {
	b = append(b, `{"criteria":[`...)
	for i, c := range n.Criteria {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"criterion_id":`...)
		b = canon.AppendString(b, c.CriterionID)
		b = append(b, `,"non_ranking":`...)
		b = strconv.AppendBool(b, c.NonRanking)
		b = append(b, `,"score":`...)
		b = appendRat(b, c.Score)
		b = append(b, '}')
	}
	b = append(b, `],"explanation":[`...)
	for i, it := range n.Explanation {
		if i > 0 {
			b = append(b, ',')
		}
		a := make(Args, len(it.Args)+1)
		for k, v := range it.Args {
			a[k] = v
		}
		a["code"] = it.Code
		b = appendValue(b, a)
	}
	b = append(b, `],"jurors":`...)
	b = strconv.AppendInt(b, int64(n.Jurors), 10)
	b = append(b, `,"nomination_id":`...)
	b = canon.AppendString(b, n.NominationID)
	b = append(b, `,"quorum_met":`...)
	b = strconv.AppendBool(b, n.QuorumMet)
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, int64(n.Rank), 10)
	b = append(b, `,"recusals":{"abstained":`...)
	b = strconv.AppendInt(b, int64(n.Recusals.Abstained), 10)
	b = append(b, `,"declared":`...)
	b = strconv.AppendInt(b, int64(n.Recusals.Declared), 10)
	b = append(b, `,"home_city":`...)
	b = strconv.AppendInt(b, int64(n.Recusals.HomeCity), 10)
	b = append(b, `},"score":`...)
	b = appendRat(b, n.Score)
	b = append(b, `,"winner":`...)
	b = strconv.AppendBool(b, n.Winner)
	return append(b, '}')
}

func appendRat(b []byte, x *big.Rat) []byte {
	if x == nil {
		return append(b, "null"...)
	}
	return canon.AppendString(b, RatString(x))
}

// appendValue writes an explanation argument: the types Item documents.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return canon.AppendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case bool:
		return strconv.AppendBool(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case Args:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // argument names are ASCII: byte order is RFC 8785's order
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = canon.AppendString(b, k)
			b = append(b, ':')
			b = appendValue(b, x[k])
		}
		return append(b, '}')
	}
	panic(fmt.Sprintf("tally: an explanation argument of type %T", v))
}
