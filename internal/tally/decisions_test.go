package tally

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// twoTies: A and B tie at 4 (rank 1), C and D at 3 (rank 3), E is last with 1; no top marks, so
// only the jury can separate them.
func twoTies() ballots {
	in := grades(single(WeightedMean, 0, 5), map[string][]int{
		"A": {4, 4}, "B": {4, 4}, "C": {3, 3}, "D": {3, 3}, "E": {1, 1},
	})
	in.Rule.TieBreaks = []TieBreak{MoreTopMarks, JuryDecision}
	return in
}

// TestSeveralJuryDecisions: a category may have one jury decision per tie; they are concatenated in
// the order recorded (§9.5.2), each settling its own tie.
func TestSeveralJuryDecisions(t *testing.T) {
	in := twoTies()
	r := mustTally(t, in)
	wantRanks(t, r, "A:1", "B:1", "C:3", "D:3", "E:5")
	wantWinners(t, r, "A", "B")
	if got, want := fmt.Sprint(r.UnresolvedTies()), "[{cat 1 [A B]} {cat 3 [C D]}]"; got != want {
		t.Errorf("unresolved ties %s, want %s", got, want)
	}

	// The first decision settles the tie for first place; C and D are not listed and stay tied.
	in.Decisions = []Decision{{CategoryID: "cat", Order: []string{"B", "A"}}}
	r = mustTally(t, in)
	wantRanks(t, r, "B:1", "A:2", "C:3", "D:3", "E:5")
	wantWinners(t, r, "B")
	if got, want := fmt.Sprint(r.UnresolvedTies()), "[{cat 3 [C D]}]"; got != want {
		t.Errorf("unresolved ties %s, want %s", got, want)
	}
	wantItem(t, find(t, r, "B"), `{"code":"tie","outcome":"above","steps":[{"mine":0,"step":"more_top_marks","theirs":0},{"mine":1,"step":"jury_decision","theirs":2}],"with":"A"}`)
	wantItem(t, find(t, r, "C"), `{"code":"tie","members":2,"outcome":"shared","rank":3,"steps":[{"mine":0,"step":"more_top_marks","theirs":0},{"mine":null,"step":"jury_decision","theirs":null}],"with":"D"}`)
	wantSentence(t, find(t, r, "C"), "Tied on score with D; more top marks: 0 vs 0; jury decision: not listed vs not listed; still tied, so 2 nominations share rank 3: the tie is unresolved.")

	// The second settles the other tie: D and C take places 3 and 4 of the concatenation B, A, D, C.
	in.Decisions = append(in.Decisions, Decision{CategoryID: "cat", Order: []string{"D", "C"}})
	r = mustTally(t, in)
	wantRanks(t, r, "B:1", "A:2", "D:3", "C:4", "E:5")
	wantWinners(t, r, "B")
	if ties := r.UnresolvedTies(); len(ties) != 0 {
		t.Errorf("unresolved ties %v, want none", ties)
	}
	wantItem(t, find(t, r, "D"), `{"code":"tie","outcome":"above","steps":[{"mine":0,"step":"more_top_marks","theirs":0},{"mine":3,"step":"jury_decision","theirs":4}],"with":"C"}`)
	wantSentence(t, find(t, r, "D"), "Tied on score with C; more top marks: 0 vs 0; jury decision: place 3 vs place 4, ranked above.")
	settled := Canonical(r)

	// Another category's decision recorded in between changes nothing here.
	other := twoTies()
	other.Categories = append(other.Categories, Category{ID: "other", Number: 2})
	other.Nominations = append(other.Nominations, Nomination{ID: "X", CategoryID: "other"}, Nomination{ID: "Y", CategoryID: "other"})
	other.Ballots[0].Scores["X"], other.Ballots[0].Scores["Y"] = map[string]int{"g": 2}, map[string]int{"g": 2}
	other.Decisions = []Decision{in.Decisions[0], {CategoryID: "other", Order: []string{"Y", "X"}}, in.Decisions[1]}
	r2 := mustTally(t, other)
	if got := Canonical(categoryOnly(r2, "cat")); !bytes.Equal(got, settled) {
		t.Errorf("a decision of another category changed this one:\n got %s\nwant %s", got, settled)
	}
	if got := orderOfCategory(r2, "other"); !slices.Equal(got, []string{"Y", "X"}) {
		t.Errorf("other category %v, want [Y X]", got)
	}

	// Recorded the other way round, the decisions give the same order, but the places shown are
	// positions in the concatenation D, C, B, A.
	in.Decisions = []Decision{in.Decisions[1], in.Decisions[0]}
	r = mustTally(t, in)
	wantRanks(t, r, "B:1", "A:2", "D:3", "C:4", "E:5")
	wantItem(t, find(t, r, "D"), `{"code":"tie","outcome":"above","steps":[{"mine":0,"step":"more_top_marks","theirs":0},{"mine":1,"step":"jury_decision","theirs":2}],"with":"C"}`)
	wantItem(t, find(t, r, "B"), `{"code":"tie","outcome":"above","steps":[{"mine":0,"step":"more_top_marks","theirs":0},{"mine":3,"step":"jury_decision","theirs":4}],"with":"A"}`)
}

// categoryOnly is r with only the category id.
func categoryOnly(r Result, id string) Result {
	for _, c := range r.Categories {
		if c.CategoryID == id {
			return Result{Categories: []CategoryResult{c}}
		}
	}
	return Result{}
}

func orderOfCategory(r Result, id string) []string {
	return orderOf(categoryOnly(r, id))
}

// TestJuryDecisionsSettleTiesOneByOne follows the process T2 checks: the jury decides one
// unresolved tie at a time, listing exactly its members; each decision puts them on consecutive
// ranks in the recorded order, and changes no other nomination's rank. At the end no tie is left.
func TestJuryDecisionsSettleTiesOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	decided := 0
	for range 300 {
		in := validInput(t, rng, genOpts{}, 2)
		in.Decisions = nil
		if !in.Rule.HasJuryDecision() {
			in.Rule.TieBreaks = append(in.Rule.TieBreaks, JuryDecision)
		}
		r := mustCompute(t, in)
		for {
			ties := r.UnresolvedTies()
			if len(ties) == 0 {
				break
			}
			tie := ties[rng.IntN(len(ties))]
			order := shuffle(rng, tie.Members)
			in.Decisions = append(slices.Clone(in.Decisions), Decision{CategoryID: tie.CategoryID, Order: order})
			next := mustCompute(t, in)
			checkInvariants(t, in, next)
			for i, id := range order {
				if n := find(t, next, id); n.Rank != tie.Rank+i || n.Tie != nil {
					t.Fatalf("decision %v on the tie %v: %s has rank %d tie %v, want rank %d alone", order, tie, id, n.Rank, n.Tie, tie.Rank+i)
				}
			}
			for _, c := range r.Categories {
				for _, n := range c.Nominations {
					if !slices.Contains(tie.Members, n.NominationID) && find(t, next, n.NominationID).Rank != n.Rank {
						t.Fatalf("deciding %v changed %s's rank", tie, n.NominationID)
					}
				}
			}
			if got := len(next.UnresolvedTies()); got != len(ties)-1 {
				t.Fatalf("deciding %v left %d ties of %d", tie, got, len(ties))
			}
			r = next
			decided++
		}
	}
	if decided < 50 {
		t.Fatalf("only %d decisions made", decided)
	}
}

// TestUnresolvedTiesAndWinnersOrder: ties are listed by category (in Number order, not input or ID
// order), then rank; winners in document order, a shared last place included, a nomination below
// the minimum score or the quorum excluded.
func TestUnresolvedTiesAndWinnersOrder(t *testing.T) {
	in := ballots{
		Rule:       single(WeightedMean, 0, 5),
		Categories: []Category{{ID: "a-second", Number: 7}, {ID: "z-first", Number: 3}},
	}
	in.Rule.Winners = 2
	in.Rule.Quorum = 2
	in.Rule.MinimumScore = rat("2")
	marks := map[string][]int{
		// z-first: P 5; Q and R tie at 4 across the 2 winning places; S and T tie at 2 below them; U
		// is below quorum.
		"P": {5, 5}, "Q": {4, 4}, "R": {4, 4}, "S": {2, 2}, "T": {2, 2}, "U": {5},
		// a-second: K and L tie at 1 for first place, below the minimum score; M wins nothing either.
		"K": {1, 1}, "L": {1, 1}, "M": {0, 0},
	}
	for _, id := range []string{"U", "T", "S", "R", "Q", "P", "M", "L", "K"} {
		cat := "z-first"
		if id < "N" {
			cat = "a-second"
		}
		in.Nominations = append(in.Nominations, Nomination{ID: id, CategoryID: cat})
	}
	for j := range 2 {
		b := Ballot{Juror: fmt.Sprintf("j%d", j), Scores: map[string]map[string]int{}}
		for id, ms := range marks {
			if j < len(ms) {
				b.Scores[id] = map[string]int{"g": ms[j]}
			}
		}
		in.Ballots = append(in.Ballots, b)
	}
	r := mustTally(t, in)
	if r.Categories[0].CategoryID != "z-first" || r.Categories[1].CategoryID != "a-second" {
		t.Fatalf("categories %s, %s; want z-first (3) then a-second (7)", r.Categories[0].CategoryID, r.Categories[1].CategoryID)
	}
	wantRanks(t, r, "P:1", "Q:2", "R:2", "S:4", "T:4", "U:0")
	if got, want := fmt.Sprint(r.UnresolvedTies()), "[{z-first 2 [Q R]} {z-first 4 [S T]} {a-second 1 [K L]}]"; got != want {
		t.Errorf("unresolved ties %s, want %s", got, want)
	}
	wantWinners(t, r, "P", "Q", "R")
	wantItem(t, find(t, r, "K"), `{"code":"not_winner_minimum","minimum_score":"2/1","places":2,"rank":1,"score":"1/1"}`)
	wantItem(t, find(t, r, "S"), `{"code":"not_winner_rank","places":2,"rank":4}`)

	in.Rule.MinimumScore = nil
	r = mustTally(t, in)
	wantWinners(t, r, "P", "Q", "R", "K", "L")
	wantItem(t, find(t, r, "L"), `{"code":"winner","places":2,"rank":1}`) // a tie within the places is not "shared" across them
}
