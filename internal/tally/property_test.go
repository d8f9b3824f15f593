package tally

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// source is the randomness the generator draws on: a seeded *rand.Rand in the property tests, the
// fuzzer's bytes in FuzzCompute.
type source interface{ IntN(n int) int }

// byteSource turns fuzz input into choices; once the bytes run out every choice is 0.
type byteSource struct {
	data []byte
	i    int
}

func (b *byteSource) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	v := 0
	for range 2 {
		v <<= 8
		if b.i < len(b.data) {
			v |= int(b.data[b.i])
			b.i++
		}
	}
	return v % n
}

type genOpts struct {
	method   Method // "": any
	complete bool   // every nomination has a vector from every juror of the panel; no recusals
	overlap  bool   // decisions of one category may list a nomination more than once (D with repeats)
	invalid  bool   // occasionally break the input, so Validate's paths are fuzzed too
}

var (
	allMethods          = []Method{WeightedMean, Median, TrimmedMean, MajorityJudgment}
	arithmeticTieBreaks = []TieBreak{MoreTopMarks, HigherMedian, CriteriaInOrder}
)

// genInput draws a small input with many ties: narrow scales, few jurors, repeated marks. The rule
// is valid under §7 (criteria by number, trim count 1–2 for the trimmed mean and 0 otherwise,
// jury_decision last) unless o.invalid breaks it.
func genInput(s source, o genOpts) Input {
	var in Input
	in.Rule.Method = o.method
	if in.Rule.Method == "" {
		in.Rule.Method = allMethods[s.IntN(len(allMethods))]
	}
	nCrit := 1 + s.IntN(4)
	ids := perm(s, nCrit) // IDs in another order than numbers
	ranking := s.IntN(nCrit)
	number := s.IntN(3) - 1
	for i := range nCrit {
		number += 1 + s.IntN(10)
		lo := -s.IntN(2)
		in.Rule.Criteria = append(in.Rule.Criteria, Criterion{
			ID:         fmt.Sprintf("k%d", ids[i]),
			Number:     number,
			Min:        lo,
			Max:        lo + 1 + s.IntN(3),
			Weight:     int64(1 + s.IntN(3)),
			NonRanking: i != ranking && s.IntN(4) == 0,
		})
	}
	nJurors := 1 + s.IntN(7)
	nCat := 1 + s.IntN(3)
	catNumbers := perm(s, nCat)
	for c := range nCat {
		cat := Category{ID: fmt.Sprintf("cat%d", c), Number: catNumbers[c] + 1}
		in.Categories = append(in.Categories, cat)
		for j := range 1 + s.IntN(6) {
			n := Nomination{ID: fmt.Sprintf("n%d.%d", c, j), CategoryID: cat.ID}
			for range nJurors {
				choice := 9
				if !o.complete {
					choice = s.IntN(10)
				}
				switch choice {
				case 0:
					switch s.IntN(3) {
					case 0:
						n.Recusals.HomeCity++
					case 1:
						n.Recusals.Declared++
					default:
						n.Recusals.Abstained++
					}
				case 1: // no counted cast marks or recuses it
				default:
					v := make([]int, nCrit)
					for i, c := range in.Rule.Criteria {
						v[i] = c.Min + s.IntN(c.Max-c.Min+1)
						if o.invalid && s.IntN(50) == 0 {
							v[i] = c.Max + 1
						}
					}
					if o.invalid && s.IntN(100) == 0 {
						v = v[:s.IntN(len(v))]
					}
					n.Vectors = append(n.Vectors, v)
				}
			}
			if o.invalid && s.IntN(100) == 0 {
				n.Recusals.Declared = -1
			}
			in.Nominations = append(in.Nominations, n)
		}
	}
	in.Rule.Quorum = 1 + s.IntN(3)
	if o.complete {
		in.Rule.Quorum = 1 + s.IntN(nJurors)
	}
	in.Rule.Winners = 1 + s.IntN(3)
	if in.Rule.Method == TrimmedMean {
		in.Rule.TrimCount = 1 + s.IntN(2)
	}
	steps := perm(s, len(arithmeticTieBreaks))
	for _, st := range steps[:s.IntN(len(steps)+1)] {
		in.Rule.TieBreaks = append(in.Rule.TieBreaks, arithmeticTieBreaks[st])
	}
	if s.IntN(2) == 0 {
		in.Rule.TieBreaks = append(in.Rule.TieBreaks, JuryDecision)
	}
	if o.invalid && s.IntN(50) == 0 && len(in.Rule.TieBreaks) > 0 {
		in.Rule.TieBreaks = append(in.Rule.TieBreaks, in.Rule.TieBreaks[0])
	}
	if s.IntN(3) == 0 {
		in.Rule.MinimumScore = big.NewRat(int64(s.IntN(9)-2), int64(1+s.IntN(3)))
	}
	// Decisions: per category up to three, recorded in some interleaving of the categories. Without
	// overlap they split a permutation of (some of) the category's nominations, as jury decisions on
	// separate ties do; with overlap each lists any nominations of the category.
	var perCat [][]Decision
	for _, c := range in.Categories {
		var cids []string
		for _, n := range in.Nominations {
			if n.CategoryID == c.ID {
				cids = append(cids, n.ID)
			}
		}
		var ds []Decision
		order := perm(s, len(cids))
		next := 0
		for range s.IntN(4) {
			d := Decision{CategoryID: c.ID}
			if o.overlap {
				for _, i := range perm(s, len(cids))[:s.IntN(len(cids)+1)] {
					d.Order = append(d.Order, cids[i])
				}
			} else {
				take := min(len(cids)-next, s.IntN(4))
				for _, i := range order[next : next+take] {
					d.Order = append(d.Order, cids[i])
				}
				next += take
			}
			ds = append(ds, d)
		}
		perCat = append(perCat, ds)
	}
	for {
		var open []int
		for c, ds := range perCat {
			if len(ds) > 0 {
				open = append(open, c)
			}
		}
		if len(open) == 0 {
			break
		}
		c := open[s.IntN(len(open))]
		in.Decisions = append(in.Decisions, perCat[c][0])
		perCat[c] = perCat[c][1:]
	}
	if o.invalid && s.IntN(20) == 0 {
		in.Decisions = append(in.Decisions, Decision{CategoryID: in.Categories[0].ID, Order: []string{"nope"}})
	}
	return in
}

func perm(s source, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := s.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// shuffled is in with every order that carries no meaning permuted: categories, nominations, each
// nomination's vectors, and the decisions of different categories among each other. What is
// meaningful stays: the rule's criteria (vectors follow their order), Rule.TieBreaks, each
// Decision.Order, and the order of one category's decisions (§9.5.2 concatenates them in log order).
func shuffled(in Input, rng *rand.Rand) Input {
	out := in
	out.Categories = shuffle(rng, in.Categories)
	out.Nominations = shuffle(rng, in.Nominations)
	for i, n := range out.Nominations {
		out.Nominations[i].Vectors = shuffle(rng, n.Vectors)
	}
	// A random interleaving that keeps each category's decisions in their order.
	slots := make([]string, len(in.Decisions))
	queue := map[string][]Decision{}
	for i, d := range in.Decisions {
		slots[i] = d.CategoryID
		queue[d.CategoryID] = append(queue[d.CategoryID], d)
	}
	out.Decisions = nil
	for _, c := range shuffle(rng, slots) {
		out.Decisions = append(out.Decisions, queue[c][0])
		queue[c] = queue[c][1:]
	}
	return out
}

func shuffle[T any](rng *rand.Rand, xs []T) []T {
	out := slices.Clone(xs)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// validInput draws inputs until one is valid and has at least minNoms nominations.
func validInput(t testing.TB, rng *rand.Rand, o genOpts, minNoms int) Input {
	t.Helper()
	for range 10000 {
		in := genInput(rng, o)
		if len(in.Nominations) >= minNoms && Validate(in) == nil {
			return in
		}
	}
	t.Fatal("no valid input drawn")
	return Input{}
}

// TestPermutationInvariance: 1,000 shuffles of one random input (vectors, nominations, categories,
// decisions across categories) give byte-identical Canonical results.
func TestPermutationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 1))
	in := validInput(t, rng, genOpts{overlap: true}, 12)
	want := Canonical(mustCompute(t, in))
	for i := range 1000 {
		if got := Canonical(mustCompute(t, shuffled(in, rng))); !bytes.Equal(got, want) {
			t.Fatalf("shuffle %d changed the result:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestPermutationInvarianceAcrossInputs: fewer shuffles, but of many inputs, so every method and
// tie-break runs; each result also satisfies the structural invariants.
func TestPermutationInvarianceAcrossInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		in := validInput(t, rng, genOpts{overlap: i%2 == 0}, 1)
		r := mustCompute(t, in)
		checkInvariants(t, in, r)
		want := Canonical(r)
		for range 10 {
			if got := Canonical(mustCompute(t, shuffled(in, rng))); !bytes.Equal(got, want) {
				t.Fatalf("input %d: a shuffle changed the result:\n got %s\nwant %s", i, got, want)
			}
		}
	}
}

// TestMeanMonotonicity: under WeightedMean with equal panels (every juror scores everything),
// adding one juror whose weighted sum for A exceeds that for B never lets B beat A; if A was not
// behind B, A ends strictly ahead.
func TestMeanMonotonicity(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	checked := 0
	for range 600 {
		in := validInput(t, rng, genOpts{method: WeightedMean, complete: true}, 2)
		cat := in.Nominations[rng.IntN(len(in.Nominations))].CategoryID
		var ids []string
		for _, n := range in.Nominations {
			if n.CategoryID == cat {
				ids = append(ids, n.ID)
			}
		}
		if len(ids) < 2 {
			continue
		}
		p := rng.Perm(len(ids))
		a, b := ids[p[0]], ids[p[1]]
		before := mustCompute(t, in)
		ra, rb := find(t, before, a), find(t, before, b)

		extra := map[string][]int{}
		for _, n := range in.Nominations {
			v := make([]int, len(in.Rule.Criteria))
			for i, c := range in.Rule.Criteria {
				v[i] = c.Min + rng.IntN(c.Max-c.Min+1)
			}
			extra[n.ID] = v
		}
		if weighted(in.Rule, extra[a]) <= weighted(in.Rule, extra[b]) {
			for i, c := range in.Rule.Criteria {
				extra[a][i], extra[b][i] = c.Max, c.Min
			}
		}
		after := in
		after.Nominations = slices.Clone(in.Nominations)
		for i, n := range after.Nominations {
			after.Nominations[i].Vectors = append(slices.Clone(n.Vectors), extra[n.ID])
		}
		res := mustCompute(t, after)
		aa, ab := find(t, res, a), find(t, res, b)
		if !ra.QuorumMet || !rb.QuorumMet || !aa.QuorumMet || !ab.QuorumMet {
			t.Fatalf("complete panels must meet the quorum")
		}
		if rb.Rank >= ra.Rank && ab.Rank < aa.Rank {
			t.Fatalf("B=%s beat A=%s after a juror preferring A: before %v vs %v, after %v vs %v", b, a, ra.Score, rb.Score, aa.Score, ab.Score)
		}
		if ra.Score.Cmp(rb.Score) >= 0 && (aa.Score.Cmp(ab.Score) <= 0 || aa.Rank >= ab.Rank) {
			t.Fatalf("A=%s not strictly ahead of B=%s after a juror preferring A: before %v vs %v, after %v (rank %d) vs %v (rank %d)",
				a, b, ra.Score, rb.Score, aa.Score, aa.Rank, ab.Score, ab.Rank)
		}
		checked++
	}
	if checked < 300 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// TestMeanMonotonicityNeedsEqualPanels documents why the property above is stated for equal panels:
// with recusals the mean is over different juror counts. A has one juror (5), B ten (mean 49/10); a
// new juror giving A 1 and B 0 still prefers A, yet A drops to 3 and B to 49/11.
func TestMeanMonotonicityNeedsEqualPanels(t *testing.T) {
	g := map[string][]int{"A": {5}, "B": {5, 5, 5, 5, 5, 5, 5, 5, 5, 4}}
	in := grades(single(WeightedMean, 0, 5), g)
	for i := 1; i < len(in.Ballots); i++ {
		in.Ballots[i].Recusals = map[string]RecusalKind{"A": Declared}
	}
	wantOrder(t, mustTally(t, in), "A", "B")
	in.Ballots = append(in.Ballots, Ballot{Juror: "new", Scores: map[string]map[string]int{"A": {"g": 1}, "B": {"g": 0}}})
	r := mustTally(t, in)
	wantOrder(t, r, "B", "A")
	wantScore(t, find(t, r, "A"), "3")
	wantScore(t, find(t, r, "B"), "49/11")
	if a := find(t, r, "A"); a.Recusals != (Recusals{Declared: 9}) || a.Jurors != 2 {
		t.Errorf("A: recusals %+v jurors %d, want 9 declared and 2", a.Recusals, a.Jurors)
	}
}

func weighted(r Rule, v []int) int64 {
	var s int64
	for i, c := range r.Criteria {
		if !c.NonRanking {
			s += c.Weight * int64(v[i])
		}
	}
	return s
}

// project drops the recusal counts, the only part of a result that legitimately depends on them.
// (The old projection also dropped the explanation, whose sentences named recused jurors; items
// never mention recusals, so the explanation is kept.)
func project(r Result) []byte {
	var out Result
	for _, c := range r.Categories {
		cc := CategoryResult{CategoryID: c.CategoryID}
		for _, n := range c.Nominations {
			n.Recusals = Recusals{}
			cc.Nominations = append(cc.Nominations, n)
		}
		out.Categories = append(out.Categories, cc)
	}
	return Canonical(out)
}

// TestRecusalsChangeNothing: recusal counts are reported as they are and change nothing else:
// clearing them, or adding recusals (a juror who only recuses), leaves the outcome unchanged.
func TestRecusalsChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	for i := range 300 {
		in := validInput(t, rng, genOpts{overlap: true}, 1)
		want := project(mustCompute(t, in))

		stripped := in
		stripped.Nominations = slices.Clone(in.Nominations)
		k := rng.IntN(len(in.Nominations))
		stripped.Nominations[k].Recusals = Recusals{}
		if got := project(mustCompute(t, stripped)); !bytes.Equal(got, want) {
			t.Fatalf("input %d: removing %s's recusals changed the outcome", i, in.Nominations[k].ID)
		}

		with := in
		with.Nominations = slices.Clone(in.Nominations)
		for j := range with.Nominations {
			if rng.IntN(2) == 0 {
				rec := &with.Nominations[j].Recusals
				switch rng.IntN(3) {
				case 0:
					rec.HomeCity++
				case 1:
					rec.Declared++
				default:
					rec.Abstained += 1 + rng.IntN(100)
				}
			}
		}
		rw := mustCompute(t, with)
		if got := project(rw); !bytes.Equal(got, want) {
			t.Fatalf("input %d: recusals changed the outcome", i)
		}
		for _, n := range with.Nominations {
			if got := find(t, rw, n.ID).Recusals; got != n.Recusals {
				t.Fatalf("input %d: %s reports recusals %+v, want %+v", i, n.ID, got, n.Recusals)
			}
		}
	}
}

// checkInvariants verifies the documented shape of a result (§9.4, §9.7, §9.8).
func checkInvariants(t testing.TB, in Input, r Result) {
	t.Helper()
	if len(r.Categories) != len(in.Categories) {
		t.Fatalf("%d categories, want %d", len(r.Categories), len(in.Categories))
	}
	number := map[string]int{}
	for _, c := range in.Categories {
		number[c.ID] = c.Number
	}
	perCat := map[string][]string{}
	inputs := map[string]Nomination{}
	for _, n := range in.Nominations {
		perCat[n.CategoryID] = append(perCat[n.CategoryID], n.ID)
		inputs[n.ID] = n
	}
	var ties []UnresolvedTie
	for ci, c := range r.Categories {
		if ci > 0 && number[r.Categories[ci-1].CategoryID] >= number[c.CategoryID] {
			t.Fatalf("categories not by Number")
		}
		var ids []string
		ranked, winners, shared := 0, 0, false
		for _, n := range c.Nominations {
			if n.QuorumMet {
				ranked++
			}
		}
		for i, n := range c.Nominations {
			ids = append(ids, n.NominationID)
			src := inputs[n.NominationID]
			if len(n.Explanation) == 0 || n.Jurors != len(src.Vectors) || n.Recusals != src.Recusals || len(n.Criteria) != len(in.Rule.Criteria) {
				t.Fatalf("%s: explanation %d, jurors %d vs %d vectors, recusals %+v vs %+v, criteria %d",
					n.NominationID, len(n.Explanation), n.Jurors, len(src.Vectors), n.Recusals, src.Recusals, len(n.Criteria))
			}
			for j, cs := range n.Criteria {
				if cs.CriterionID != in.Rule.Criteria[j].ID || cs.NonRanking != in.Rule.Criteria[j].NonRanking || (cs.Score == nil) == n.QuorumMet {
					t.Fatalf("%s: criterion %d is %+v, want %s in rule order with a score iff the quorum is met", n.NominationID, j, cs, in.Rule.Criteria[j].ID)
				}
			}
			codes := make([]string, len(n.Explanation))
			for j, it := range n.Explanation {
				codes[j] = it.Code
			}
			if !n.QuorumMet {
				if n.Rank != 0 || n.Score != nil || n.Winner || n.Tie != nil {
					t.Fatalf("%s: below quorum but rank %d score %v winner %v tie %v", n.NominationID, n.Rank, n.Score, n.Winner, n.Tie)
				}
				if len(codes) != 2 || (codes[0] != CodeQuorumNotMet && codes[0] != CodeQuorumNotMetTrim) || codes[1] != CodeNotRanked {
					t.Fatalf("%s: explanation %v", n.NominationID, codes)
				}
				if i > 0 && !c.Nominations[i-1].QuorumMet && c.Nominations[i-1].NominationID >= n.NominationID {
					t.Fatalf("unranked nominations not by ID")
				}
				continue
			}
			if i >= ranked {
				t.Fatalf("%s: ranked after an unranked nomination", n.NominationID)
			}
			if i == 0 {
				if n.Rank != 1 {
					t.Fatalf("%s: first rank %d", n.NominationID, n.Rank)
				}
			} else {
				prev := c.Nominations[i-1]
				switch {
				case prev.Score.Cmp(n.Score) < 0:
					t.Fatalf("%s: score %v above previous %v", n.NominationID, n.Score, prev.Score)
				case n.Rank == prev.Rank:
					if prev.Score.Cmp(n.Score) != 0 || prev.NominationID >= n.NominationID {
						t.Fatalf("%s: shares rank %d with %s but scores differ or not by ID", n.NominationID, n.Rank, prev.NominationID)
					}
				case n.Rank != i+1:
					t.Fatalf("%s: rank %d at position %d", n.NominationID, n.Rank, i+1)
				}
			}
			// The tie: members share the rank, are adjacent, and are exactly the nominations of that rank.
			var sameRank []string
			for _, m := range c.Nominations {
				if m.QuorumMet && m.Rank == n.Rank {
					sameRank = append(sameRank, m.NominationID)
				}
			}
			if len(sameRank) > 1 != (n.Tie != nil) || n.Tie != nil && !slices.Equal(n.Tie, sameRank) {
				t.Fatalf("%s: tie %v, nominations of rank %d: %v", n.NominationID, n.Tie, n.Rank, sameRank)
			}
			if n.Tie != nil && n.Tie[0] == n.NominationID {
				ties = append(ties, UnresolvedTie{CategoryID: c.CategoryID, Rank: n.Rank, Members: n.Tie})
			}
			// quorum_met, score, rank, one tie item per neighbour with the same score, then the placing.
			neighbours := 0
			if i > 0 && c.Nominations[i-1].Score.Cmp(n.Score) == 0 {
				neighbours++
			}
			if i+1 < ranked && c.Nominations[i+1].Score.Cmp(n.Score) == 0 {
				neighbours++
			}
			if len(codes) != 4+neighbours || codes[0] != CodeQuorumMet || codes[1] != CodeScore || codes[2] != CodeRank {
				t.Fatalf("%s: explanation %v with %d tied neighbours", n.NominationID, codes, neighbours)
			}
			for _, it := range n.Explanation[3 : 3+neighbours] {
				if it.Code != CodeTie || (it.Args["outcome"] == "shared") != slices.Contains(n.Tie, fmt.Sprint(it.Args["with"])) {
					t.Fatalf("%s: tie item %v, tie %v", n.NominationID, it, n.Tie)
				}
			}
			if got := n.Explanation[1].Args["score"]; got != RatString(n.Score) {
				t.Fatalf("%s: score item %v, score %s", n.NominationID, got, n.Score)
			}
			if a := n.Explanation[2].Args; a["rank"] != n.Rank || a["of"] != ranked {
				t.Fatalf("%s: rank item %v, rank %d of %d", n.NominationID, a, n.Rank, ranked)
			}
			last := codes[len(codes)-1]
			wantWin := n.Rank <= in.Rule.Winners && (in.Rule.MinimumScore == nil || n.Score.Cmp(in.Rule.MinimumScore) >= 0)
			if n.Winner != wantWin || n.Winner != (last == CodeWinner || last == CodeWinnerShared) {
				t.Fatalf("%s: winner %v, want %v, placing item %s", n.NominationID, n.Winner, wantWin, last)
			}
			if n.Winner {
				winners++
				shared = shared || last == CodeWinnerShared
			}
		}
		slices.Sort(ids)
		want := slices.Clone(perCat[c.CategoryID])
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("category %s lists %v, want %v", c.CategoryID, ids, want)
		}
		if winners > in.Rule.Winners && !shared {
			t.Fatalf("category %s: %d winners for %d places without a straddling tie", c.CategoryID, winners, in.Rule.Winners)
		}
	}
	if got := r.UnresolvedTies(); fmt.Sprint(got) != fmt.Sprint(ties) {
		t.Fatalf("UnresolvedTies = %v, want %v", got, ties)
	}
	if got, want := r.Winners(), winnersOf(r); !slices.Equal(got, want) {
		t.Fatalf("Winners = %v, want %v", got, want)
	}
	// The document is canonical JSON (§2).
	doc := Canonical(r)
	if again, err := canon.Canonicalize(doc); err != nil || !bytes.Equal(again, doc) {
		t.Fatalf("Canonical is not canonical JSON (%v):\n%s", err, doc)
	}
	if _, err := canon.Parse(doc); err != nil {
		t.Fatalf("Canonical: %v", err)
	}
}

// FuzzCompute: any input either fails Validate (and Compute with it) or yields a result that
// satisfies the invariants and does not depend on the order of the input.
func FuzzCompute(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("miasta otwarte"))
	f.Add([]byte{0, 3, 0, 1, 0, 2, 0, 0, 0, 1, 0, 4, 0, 6, 0, 6, 0, 9, 0, 9, 0, 9, 0, 9})
	f.Add(bytes.Repeat([]byte{0, 9, 0, 2}, 64))
	rng := rand.New(rand.NewPCG(1, 1))
	for range 8 {
		seed := make([]byte, 256)
		for i := range seed {
			seed[i] = byte(rng.IntN(256))
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		overlap := len(data) > 0 && data[0]&1 == 1
		in := genInput(&byteSource{data: data}, genOpts{invalid: true, overlap: overlap})
		r, err := Compute(in)
		verr := Validate(in)
		if (err == nil) != (verr == nil) {
			t.Fatalf("Compute error %v but Validate error %v", err, verr)
		}
		if err != nil {
			return
		}
		checkInvariants(t, in, r)
		want := Canonical(r)
		if _, err := canon.Parse(want); err != nil {
			t.Fatalf("Canonical wrote text that is not canonical JSON: %v\n%s", err, want)
		}
		if !bytes.Equal(Canonical(r), want) {
			t.Fatal("Canonical is not deterministic")
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), 9))
		if got := Canonical(mustCompute(t, shuffled(in, rng))); !bytes.Equal(got, want) {
			t.Fatalf("a shuffle changed the result:\n got %s\nwant %s", got, want)
		}
		if !overlap {
			if got := specDocument(in); !bytes.Equal(got, want) {
				t.Fatalf("the tally differs from the §9 model:\n got %s\nwant %s", want, got)
			}
		}
	})
}

// TestComputeConcurrent: Compute shares nothing between calls and does not write to its input, so
// concurrent tallies of one input agree (and -race sees no conflicting access).
func TestComputeConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	in := validInput(t, rng, genOpts{}, 10)
	in.Rule.MinimumScore = big.NewRat(1, 3)
	want := Canonical(mustCompute(t, in))
	results := make(chan []byte, 8)
	for range 8 {
		go func() {
			r, err := Compute(in)
			if err != nil {
				results <- []byte(err.Error())
				return
			}
			results <- Canonical(r)
		}()
	}
	for range 8 {
		if got := <-results; !bytes.Equal(got, want) {
			t.Fatalf("a concurrent tally differs:\n got %s\nwant %s", got, want)
		}
	}
}

// TestComputeLeavesInputAlone: the input, vectors included, is not written to.
func TestComputeLeavesInputAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for range 50 {
		in := validInput(t, rng, genOpts{overlap: true}, 5)
		before := fmt.Sprintf("%+v", in)
		mustCompute(t, in)
		if after := fmt.Sprintf("%+v", in); after != before {
			t.Fatalf("Compute changed its input:\n%s\n%s", before, after)
		}
	}
}

// TestPreparedUnderManyDecisions: one Prepared computed under each prefix of the decisions, in an
// order that goes back and forth, gives what Compute gives for that prefix alone.
func TestPreparedUnderManyDecisions(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 5))
	for range 200 {
		in := validInput(t, rng, genOpts{}, 4)
		p, err := Prepare(in)
		if err != nil {
			t.Fatal(err)
		}
		var prefixes []int
		for k := len(in.Decisions); k >= 0; k-- {
			prefixes = append(prefixes, k, len(in.Decisions)-k)
		}
		for _, k := range prefixes {
			part := in
			part.Decisions = in.Decisions[:k]
			got, err := p.Compute(part.Decisions)
			if err != nil {
				t.Fatal(err)
			}
			if want := Canonical(mustCompute(t, part)); !bytes.Equal(Canonical(got), want) {
				t.Fatalf("Prepared.Compute with %d decisions:\n got %s\nwant %s", k, Canonical(got), want)
			}
		}
	}
}
