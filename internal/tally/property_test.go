package tally

import (
	"bytes"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
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
	method   Method // 0: any
	complete bool   // every juror marks every criterion of every nomination; no recusals
	invalid  bool   // occasionally break the input, so Validate's paths are fuzzed too
}

// genInput draws a small input with many ties: narrow scales, few jurors, repeated marks.
func genInput(s source, o genOpts) Input {
	var in Input
	in.Rule.Method = o.method
	if in.Rule.Method == 0 {
		in.Rule.Method = Method(1 + s.IntN(4))
	}
	nCrit := 1 + s.IntN(4)
	numbers := perm(s, nCrit)
	for i := range nCrit {
		lo := -s.IntN(2)
		in.Rule.Criteria = append(in.Rule.Criteria, Criterion{
			ID:         fmt.Sprintf("k%d", i),
			Number:     numbers[i] * 10,
			Min:        lo,
			Max:        lo + 1 + s.IntN(3),
			Weight:     int64(1 + s.IntN(3)),
			NonRanking: i > 0 && s.IntN(4) == 0,
		})
	}
	nCat := 1 + s.IntN(3)
	catNumbers := perm(s, nCat)
	for c := range nCat {
		in.Categories = append(in.Categories, Category{ID: fmt.Sprintf("cat%d", c), Number: catNumbers[c] + 1})
		for j := range 1 + s.IntN(6) {
			in.Nominations = append(in.Nominations, Nomination{ID: fmt.Sprintf("n%d.%d", c, j), CategoryID: fmt.Sprintf("cat%d", c)})
		}
	}
	nJurors := 1 + s.IntN(7)
	for j := range nJurors {
		b := Ballot{Juror: fmt.Sprintf("j%d", j), Scores: map[string]map[string]int{}, Recusals: map[string]RecusalKind{}}
		for _, n := range in.Nominations {
			choice := 9
			if !o.complete {
				choice = s.IntN(10)
			}
			switch choice {
			case 0:
				b.Recusals[n.ID] = RecusalKind(1 + s.IntN(3))
			case 1: // not marked
			default:
				marks := map[string]int{}
				for i, c := range in.Rule.Criteria {
					if choice == 2 && i == s.IntN(nCrit) { // partial marks
						continue
					}
					if c.NonRanking && !o.complete && s.IntN(2) == 0 {
						continue
					}
					marks[c.ID] = c.Min + s.IntN(c.Max-c.Min+1)
					if o.invalid && s.IntN(50) == 0 {
						marks[c.ID] = c.Max + 1
					}
				}
				b.Scores[n.ID] = marks
			}
			if o.invalid && s.IntN(100) == 0 {
				b.Recusals[n.ID] = Declared
			}
		}
		in.Ballots = append(in.Ballots, b)
	}
	in.Rule.Quorum = 1 + s.IntN(3)
	if o.complete {
		in.Rule.Quorum = 1 + s.IntN(nJurors)
	}
	in.Rule.Winners = 1 + s.IntN(3)
	if in.Rule.Method == TrimmedMean {
		in.Rule.TrimCount = s.IntN(3)
	}
	steps := perm(s, 4)
	for _, st := range steps[:s.IntN(5)] {
		in.Rule.TieBreaks = append(in.Rule.TieBreaks, TieBreak(st+1))
	}
	if s.IntN(3) == 0 {
		in.Rule.MinimumScore = big.NewRat(int64(s.IntN(9)-2), int64(1+s.IntN(3)))
	}
	for _, c := range in.Categories {
		if s.IntN(2) == 0 {
			continue
		}
		var ids []string
		for _, n := range in.Nominations {
			if n.CategoryID == c.ID {
				ids = append(ids, n.ID)
			}
		}
		order := perm(s, len(ids))
		d := Decision{CategoryID: c.ID}
		for _, i := range order[:s.IntN(len(ids)+1)] {
			d.Order = append(d.Order, ids[i])
		}
		in.Decisions = append(in.Decisions, d)
	}
	if o.invalid && s.IntN(20) == 0 {
		in.Ballots[0].Scores["nope"] = map[string]int{}
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

// shuffled is in with every order that carries no meaning permuted and every map rebuilt in a
// random insertion order. Rule.TieBreaks and Decision.Order are meaningful and stay.
func shuffled(in Input, rng *rand.Rand) Input {
	out := in
	out.Rule.Criteria = shuffle(rng, in.Rule.Criteria)
	out.Categories = shuffle(rng, in.Categories)
	out.Nominations = shuffle(rng, in.Nominations)
	out.Decisions = shuffle(rng, in.Decisions)
	out.Ballots = shuffle(rng, in.Ballots)
	for i, b := range out.Ballots {
		nb := Ballot{Juror: b.Juror}
		if b.Scores != nil {
			nb.Scores = map[string]map[string]int{}
			for _, nid := range shuffle(rng, slices.Collect(maps.Keys(b.Scores))) {
				var marks map[string]int
				if b.Scores[nid] != nil {
					marks = map[string]int{}
					for _, cid := range shuffle(rng, slices.Collect(maps.Keys(b.Scores[nid]))) {
						marks[cid] = b.Scores[nid][cid]
					}
				}
				nb.Scores[nid] = marks
			}
		}
		if b.Recusals != nil {
			nb.Recusals = map[string]RecusalKind{}
			for _, nid := range shuffle(rng, slices.Collect(maps.Keys(b.Recusals))) {
				nb.Recusals[nid] = b.Recusals[nid]
			}
		}
		out.Ballots[i] = nb
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

// TestPermutationInvariance: 1,000 shuffles of one random input (ballots, nominations, categories,
// criteria, decisions and every map's insertion order) give byte-identical Canonical results.
func TestPermutationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 1))
	in := validInput(t, rng, genOpts{}, 12)
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
		in := validInput(t, rng, genOpts{}, 1)
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
// adding one ballot whose weighted sum for A exceeds that for B never lets B beat A; if A was not
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

		extra := Ballot{Juror: "zz-new", Scores: map[string]map[string]int{}}
		for _, n := range in.Nominations {
			marks := map[string]int{}
			for _, c := range in.Rule.Criteria {
				marks[c.ID] = c.Min + rng.IntN(c.Max-c.Min+1)
			}
			extra.Scores[n.ID] = marks
		}
		if weighted(in.Rule, extra.Scores[a]) <= weighted(in.Rule, extra.Scores[b]) {
			for _, c := range in.Rule.Criteria {
				extra.Scores[a][c.ID], extra.Scores[b][c.ID] = c.Max, c.Min
			}
		}
		after := in
		after.Ballots = append(slices.Clone(in.Ballots), extra)
		res := mustCompute(t, after)
		aa, ab := find(t, res, a), find(t, res, b)
		if !ra.QuorumMet || !rb.QuorumMet || !aa.QuorumMet || !ab.QuorumMet {
			t.Fatalf("complete panels must meet the quorum")
		}
		if rb.Rank >= ra.Rank && ab.Rank < aa.Rank {
			t.Fatalf("B=%s beat A=%s after a ballot preferring A: before %v vs %v, after %v vs %v", b, a, ra.Score, rb.Score, aa.Score, ab.Score)
		}
		if ra.Score.Cmp(rb.Score) >= 0 && (aa.Score.Cmp(ab.Score) <= 0 || aa.Rank >= ab.Rank) {
			t.Fatalf("A=%s not strictly ahead of B=%s after a ballot preferring A: before %v vs %v, after %v (rank %d) vs %v (rank %d)",
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
// new ballot giving A 1 and B 0 still prefers A, yet A drops to 3 and B to 49/11.
func TestMeanMonotonicityNeedsEqualPanels(t *testing.T) {
	g := map[string][]int{"A": {5}, "B": {5, 5, 5, 5, 5, 5, 5, 5, 5, 4}}
	in := grades(single(WeightedMean, 0, 5), g)
	for i := 1; i < len(in.Ballots); i++ {
		in.Ballots[i].Recusals = map[string]RecusalKind{"A": Declared}
	}
	wantOrder(t, mustCompute(t, in), "A", "B")
	in.Ballots = append(in.Ballots, Ballot{Juror: "new", Scores: map[string]map[string]int{"A": {"g": 1}, "B": {"g": 0}}})
	r := mustCompute(t, in)
	wantOrder(t, r, "B", "A")
	wantScore(t, find(t, r, "A"), "3")
	wantScore(t, find(t, r, "B"), "49/11")
}

func weighted(r Rule, marks map[string]int) int64 {
	var s int64
	for _, c := range r.Criteria {
		if !c.NonRanking {
			s += c.Weight * int64(marks[c.ID])
		}
	}
	return s
}

// project drops what legitimately depends on recusal records (the recusal lists and the sentences
// that cite them) and keeps everything that decides the outcome.
func project(r Result) []byte {
	var out Result
	for _, c := range r.Categories {
		cc := CategoryResult{CategoryID: c.CategoryID}
		for _, n := range c.Nominations {
			n.Recusals, n.Explanation = nil, nil
			cc.Nominations = append(cc.Nominations, n)
		}
		out.Categories = append(out.Categories, cc)
	}
	return Canonical(out)
}

// TestRecusalsChangeNothing: removing a juror's recusals (the juror then neither scores nor recuses
// those nominations), or removing a ballot that only recuses, leaves the outcome unchanged.
func TestRecusalsChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	for i := range 300 {
		in := validInput(t, rng, genOpts{}, 1)
		want := project(mustCompute(t, in))

		stripped := in
		stripped.Ballots = slices.Clone(in.Ballots)
		k := rng.IntN(len(in.Ballots))
		stripped.Ballots[k].Recusals = nil
		if got := project(mustCompute(t, stripped)); !bytes.Equal(got, want) {
			t.Fatalf("input %d: removing %s's recusals changed the outcome", i, in.Ballots[k].Juror)
		}

		recuser := Ballot{Juror: "recuser", Recusals: map[string]RecusalKind{}}
		for _, n := range in.Nominations {
			if rng.IntN(2) == 0 {
				recuser.Recusals[n.ID] = RecusalKind(1 + rng.IntN(3))
			}
		}
		with := in
		with.Ballots = append(slices.Clone(in.Ballots), recuser)
		rw := mustCompute(t, with)
		if got := project(rw); !bytes.Equal(got, want) {
			t.Fatalf("input %d: a ballot that only recuses changed the outcome", i)
		}
		for _, n := range in.Nominations {
			if _, ok := recuser.Recusals[n.ID]; ok && !slices.ContainsFunc(find(t, rw, n.ID).Recusals, func(r Recusal) bool { return r.Juror == "recuser" }) {
				t.Fatalf("input %d: %s does not list the recusal", i, n.ID)
			}
		}
	}
}

// checkInvariants verifies the documented shape of a result.
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
	for _, n := range in.Nominations {
		perCat[n.CategoryID] = append(perCat[n.CategoryID], n.ID)
	}
	for ci, c := range r.Categories {
		if ci > 0 && number[r.Categories[ci-1].CategoryID] >= number[c.CategoryID] {
			t.Fatalf("categories not by Number")
		}
		var ids []string
		ranked := 0
		winners := 0
		for i, n := range c.Nominations {
			ids = append(ids, n.NominationID)
			if len(n.Explanation) == 0 || n.Jurors != len(n.PerJuror) || len(n.Criteria) != len(in.Rule.Criteria) {
				t.Fatalf("%s: explanation %d, jurors %d vs %d, criteria %d", n.NominationID, len(n.Explanation), n.Jurors, len(n.PerJuror), len(n.Criteria))
			}
			if !n.QuorumMet {
				if n.Rank != 0 || n.Score != nil || n.Winner {
					t.Fatalf("%s: below quorum but rank %d score %v winner %v", n.NominationID, n.Rank, n.Score, n.Winner)
				}
				if i > 0 && !c.Nominations[i-1].QuorumMet && c.Nominations[i-1].NominationID >= n.NominationID {
					t.Fatalf("unranked nominations not by ID")
				}
				continue
			}
			if i != ranked {
				t.Fatalf("%s: ranked after an unranked nomination", n.NominationID)
			}
			ranked++
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
			wantWin := n.Rank <= in.Rule.Winners && (in.Rule.MinimumScore == nil || n.Score.Cmp(in.Rule.MinimumScore) >= 0)
			if n.Winner != wantWin {
				t.Fatalf("%s: winner %v, want %v", n.NominationID, n.Winner, wantWin)
			}
			if n.Winner {
				winners++
			}
		}
		slices.Sort(ids)
		want := slices.Clone(perCat[c.CategoryID])
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("category %s lists %v, want %v", c.CategoryID, ids, want)
		}
		if winners > in.Rule.Winners && !strings.Contains(strings.Join(c.Nominations[in.Rule.Winners].Explanation, " "), "across the boundary") {
			t.Fatalf("category %s: %d winners for %d places without a straddling tie", c.CategoryID, winners, in.Rule.Winners)
		}
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
		in := genInput(&byteSource{data: data}, genOpts{invalid: true})
		checkBallotValid(t, in)
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
		if !bytes.Equal(Canonical(r), want) {
			t.Fatal("Canonical is not deterministic")
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), 9))
		if got := Canonical(mustCompute(t, shuffled(in, rng))); !bytes.Equal(got, want) {
			t.Fatalf("a shuffle changed the result:\n got %s\nwant %s", got, want)
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

// checkBallotValid checks Validate's allocation-free yes/no against the check that names problems.
func checkBallotValid(t *testing.T, in Input) {
	crit, err := validateRule(in.Rule)
	if err != nil {
		return
	}
	cats, err := validateCategories(in.Categories)
	if err != nil {
		return
	}
	noms, err := validateNominations(in.Nominations, cats)
	if err != nil {
		return
	}
	for _, b := range in.Ballots {
		if err := checkBallot(b, noms, crit); ballotValid(b, noms, crit) != (err == nil) {
			t.Fatalf("ballot %q: ballotValid %v, checkBallot %v", b.Juror, ballotValid(b, noms, crit), err)
		}
	}
}
