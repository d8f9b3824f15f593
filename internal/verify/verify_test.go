package verify_test

import (
	"testing"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

func TestValidBundles(t *testing.T) {
	for _, o := range []fixture.Options{
		{},
		{Method: "median", Tie: true},
		{Method: "trimmed_mean", Jurors: 5},
		{Method: "majority_judgment", Conflict: true},
		{Publication: verify.PublishAggregates, Conflict: true},
		{Publication: verify.PublishNames, Reopen: true, Tie: true},
		{BackToReview: true, ExpertJuror: true, ForeignEvery: 3},
		{Stage: "JURY"},
		{Stage: "TALLIED"},
	} {
		l, err := fixture.Build(o)
		if err != nil {
			t.Fatalf("%+v: build: %v", o, err)
		}
		b, err := l.Bundle()
		if err != nil {
			t.Fatalf("%+v: bundle: %v", o, err)
		}
		s, err := verify.Verify(b, verify.Options{Key: fixture.TestVerifier})
		if err != nil {
			t.Errorf("%+v: %v", o, err)
			continue
		}
		t.Logf("%+v:\n%s", o, s)
	}
}
