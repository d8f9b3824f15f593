package jury_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// Helpers shared by the jury's API tests; the fixtures of editions, experts and jurors are testenv's.

// sha256Ref is the form of every receipt, rule and tally hash.
var sha256Ref = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// castRows counts stored casts: a retried cast must not add one.
func castRows(t *testing.T, env *testenv.Env) int {
	t.Helper()
	var n int
	if err := env.App.Pool.QueryRow(t.Context(), `SELECT count(*) FROM ballot_casts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ballotConflict returns the current ballot an ABORTED save carries.
func ballotConflict(t *testing.T, err error) *v1.Ballot {
	t.Helper()
	var ce *connect.Error
	if errors.As(err, &ce) {
		for _, d := range ce.Details() {
			if v, derr := d.Value(); derr == nil {
				if c, ok := v.(*v1.BallotConflict); ok {
					return c.GetCurrent()
				}
			}
		}
	}
	t.Fatalf("ABORTED without a BallotConflict detail: %v", err)
	return nil
}

// marks maps nomination and criterion to value.
func marks(scores []*v1.Score) map[[2]string]int32 {
	out := map[[2]string]int32{}
	for _, s := range scores {
		out[[2]string{s.GetNominationId(), s.GetCriterionId()}] = s.GetValue()
	}
	return out
}

func sameMarks(got, want []*v1.Score) bool {
	g, w := marks(got), marks(want)
	if len(g) != len(w) || len(got) != len(want) {
		return false
	}
	for k, v := range w {
		if gv, ok := g[k]; !ok || gv != v {
			return false
		}
	}
	return true
}

// progress returns the organiser's jury progress by assignment id, every page.
func progress(t *testing.T, org testenv.Clients, editionID string) map[string]*v1.JurorProgress {
	t.Helper()
	out := map[string]*v1.JurorProgress{}
	token := ""
	for range 100 {
		resp := testenv.Must(org.Jury.GetJuryProgress(t.Context(), &v1.GetJuryProgressRequest{EditionId: editionID, PageToken: token}))
		for _, jp := range resp.GetJurors() {
			out[jp.GetAssignmentId()] = jp
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out
		}
	}
	t.Fatal("GetJuryProgress did not end after 100 pages")
	return nil
}

// wantStates checks a juror's progress per category.
func wantStates(t *testing.T, jp *v1.JurorProgress, want map[string]v1.ProgressState) {
	t.Helper()
	got := map[string]v1.ProgressState{}
	for _, c := range jp.GetCategories() {
		got[c.GetCategoryId()] = c.GetState()
	}
	if len(got) != len(want) {
		t.Errorf("progress of %s = %v; want %v", jp.GetDisplayName(), got, want)
		return
	}
	for cat, s := range want {
		if got[cat] != s {
			t.Errorf("progress of %s in category %s = %v; want %v", jp.GetDisplayName(), cat, got[cat], s)
		}
	}
}

// publicBallots lists an announced edition's ballots, walking every page of size.
func publicBallots(t *testing.T, c testenv.Clients, year, size int32) (all []*v1.PublicBallot, pages []int) {
	t.Helper()
	token := ""
	for range 100 {
		resp := testenv.Must(c.Results.ListPublicBallots(t.Context(), &v1.ListPublicBallotsRequest{Year: year, PageSize: size, PageToken: token}))
		all = append(all, resp.GetBallots()...)
		pages = append(pages, len(resp.GetBallots()))
		if token = resp.GetNextPageToken(); token == "" {
			return all, pages
		}
	}
	t.Fatal("ListPublicBallots did not end after 100 pages")
	return nil, nil
}

// tallied finds a nomination's result in a tally.
func tallied(t *testing.T, tally *v1.Tally, nominationID string) *v1.NominationResult {
	t.Helper()
	for _, c := range tally.GetCategories() {
		for _, n := range c.GetNominations() {
			if n.GetNomination().GetId() == nominationID {
				return n
			}
		}
	}
	t.Fatalf("nomination %s is not in the tally", nominationID)
	return nil
}

// isRat reports whether r is exactly num/den, in the lowest terms the API sends.
func isRat(r *v1.Rational, num, den int64) bool {
	return r.GetNumerator() == num && r.GetDenominator() == den
}

// collectStrings gathers every string value of a decoded JSON document.
func collectStrings(v any, out map[string]bool) {
	switch v := v.(type) {
	case string:
		out[v] = true
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	case map[string]any:
		for _, x := range v {
			collectStrings(x, out)
		}
	}
}

// exposure is everything a caller gets back from a call: the response as JSON, an export's bytes
// (base64 inside the JSON), and the error's message and details.
func exposure(m proto.Message, err error) string {
	var b strings.Builder
	if m != nil {
		j, _ := protojson.Marshal(m)
		b.Write(j)
		if x, ok := m.(*v1.ExportResultsResponse); ok {
			b.Write(x.GetContent())
		}
	}
	if err != nil {
		b.WriteString(err.Error())
		var ce *connect.Error
		if errors.As(err, &ce) {
			for _, d := range ce.Details() {
				if v, derr := d.Value(); derr == nil {
					j, _ := protojson.Marshal(v)
					b.Write(j)
				}
			}
		}
	}
	return b.String()
}

// reply makes a call's typed reply a proto.Message, nil when the call failed.
func reply[T proto.Message](m T, err error) (proto.Message, error) {
	if err != nil {
		return nil, err
	}
	return m, nil
}

// sameCast compares two views of a cast. The receipt's leaf index is -1 until the audit log has
// integrated the cast, then its leaf, so it may differ between two reads; everything else may not.
func sameCast(a, b *v1.BallotCast) bool {
	if a == nil || b == nil {
		return a == b
	}
	for _, c := range []*v1.BallotCast{a, b} {
		if c.GetReceipt().GetLeafIndex() < -1 {
			return false
		}
	}
	a, b = proto.CloneOf(a), proto.CloneOf(b)
	a.Receipt.LeafIndex, b.Receipt.LeafIndex = 0, 0
	return proto.Equal(a, b)
}
