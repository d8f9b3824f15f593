package verify_test

import (
	"runtime"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

// benchBundle builds an announced edition's bundle for the benchmarks.
func benchBundle(b *testing.B, o fixture.Options) ([]byte, *fixture.Log) {
	b.Helper()
	l, err := fixture.Build(o)
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := l.Bundle()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := verify.Verify(bundle, verify.Options{Key: fixture.TestVerifier}); err != nil {
		b.Fatalf("the benchmark's bundle does not verify: %v", err)
	}
	return bundle, l
}

// BenchmarkVerifyLog times the verification of an announced edition whose log has about a million
// events, all of them the edition's own (the worst case: every leaf is parsed, its schema checked and
// hashed; most are an expert's autosaves, as in a real reporting stage), and of the same log as one
// edition among many (nine leaves in ten another edition's or the platform's, given as digests).
func BenchmarkVerifyLog(b *testing.B) {
	for _, c := range []struct {
		name    string
		options fixture.Options
		foreign int // digests of other leaves before each of the edition's events
	}{
		{"events=1M/all-the-edition's", fixture.Options{Cities: 6, ExtraSaves: 166_650}, 0},
		{"events=1M/a-tenth-the-edition's", fixture.Options{Cities: 6, ExtraSaves: 16_650}, 9},
	} {
		b.Run(c.name, func(b *testing.B) {
			l, err := fixture.Build(c.options)
			if err != nil {
				b.Fatal(err)
			}
			l.AddForeign(c.foreign)
			bundle, err := l.Bundle()
			if err != nil {
				b.Fatal(err)
			}
			entries, _ := l.Entries()
			leaves := len(entries)
			l, entries = nil, nil // the fixture's own copy of the log is not the verifier's to carry
			runtime.GC()
			b.ResetTimer()
			for b.Loop() {
				if _, err := verify.Verify(bundle, verify.Options{Key: fixture.TestVerifier}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(leaves), "leaves")
			b.ReportMetric(float64(len(bundle))/(1<<20), "MB")
		})
	}
}

// BenchmarkVerifyCasts times the verification of an announced edition with 10,000 casts of 48 marks
// each (10,000 jurors over 13 cities, 13 nominations in one category, 4 criteria: every juror marks
// the 12 nominations not of their city), every cast checked against the shortlist and its recusals
// and the tally recomputed from them; it reports the bundle's bytes per cast.
func BenchmarkVerifyCasts(b *testing.B) {
	bundle, l := benchBundle(b, fixture.Options{Cities: 13, Categories: 1, PerCategory: 13, Criteria: 4, Jurors: 10_000})
	marks := 0
	for _, c := range l.Casts {
		for _, m := range c.Marks {
			marks += len(m.Values)
		}
	}
	casts := len(l.Casts)
	l = nil
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		if _, err := verify.Verify(bundle, verify.Options{Key: fixture.TestVerifier}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(casts), "casts")
	b.ReportMetric(float64(marks)/float64(casts), "marks/cast")
	b.ReportMetric(float64(len(bundle))/float64(casts), "bytes/cast")
}
