package verify_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/verify/fixture"
)

var update = flag.Bool("update", false, "rewrite spec/vectors from the generator")

const vectorDir = "../../spec/vectors"

// vector is one committed test vector (§13 of the specification).
type vector struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	File        string `json:"file"`
	Key         string `json:"key"`
	Receipt     string `json:"receipt,omitempty"`
	TrustBundle bool   `json:"trust_bundle_key,omitempty"`
	// Checkpoints are files of pinned checkpoints (K4) beside the manifest.
	Checkpoints []string `json:"checkpoints,omitempty"`
	// Witnesses are witness keys to give the verifier (K5), and WitnessThreshold how many of them must
	// have cosigned (omitted: all).
	Witnesses        []string `json:"witnesses,omitempty"`
	WitnessThreshold int      `json:"witness_threshold,omitempty"`
	Expect           string   `json:"expect"`
	// Only says the bundle fails no check but Expect: with that check turned off it verifies.
	Only bool `json:"only,omitempty"`
}

type manifest struct {
	Spec          string        `json:"spec"`
	TestSigner    string        `json:"test_signer_key"`
	TestVerifier  string        `json:"test_verifier_key"`
	TestWitnesses []testWitness `json:"test_witnesses"`
	Vectors       []vector      `json:"vectors"`
}

// testWitness is a witness key of the vectors (§13), with its private half.
type testWitness struct {
	Signer   string `json:"signer_key"`
	Verifier string `json:"verifier_key"`
}

// The vectors' witnesses: the first two are the ones the witness vectors give the verifier, the third
// one it is not given.
var testWitnesses = []fixture.TestWitness{fixture.Witness(1), fixture.Witness(2), fixture.Witness(3)}

// generated is a vector with its bundle, before it is written.
type generated struct {
	vector
	bundle []byte
	pinned []string // the pinned checkpoints' texts, in the files of Checkpoints
}

// pin gives a vector pinned checkpoints, in files named after it.
func (g *generated) pin(cps ...string) {
	for i, c := range cps {
		g.Checkpoints = append(g.Checkpoints, fmt.Sprintf("%s.checkpoint-%d.txt", g.Name, i+1))
		g.pinned = append(g.pinned, c)
	}
}

func build(t testing.TB, o fixture.Options) *fixture.Log {
	t.Helper()
	l, err := fixture.Build(o)
	if err != nil {
		t.Fatalf("build %+v: %v", o, err)
	}
	return l
}

func bundleOf(t testing.TB, l *fixture.Log) []byte {
	t.Helper()
	b, err := l.Bundle()
	if err != nil {
		t.Fatalf("bundle: %v", err)
	}
	return b
}

// nth returns the index of the n-th (from 0) event of kind, failing the test when there is none.
func nth(t testing.TB, l *fixture.Log, kind string, n int) int {
	t.Helper()
	for i, e := range l.Events {
		if e.Kind == kind {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("no %s number %d", kind, n)
	return -1
}

func move(l *fixture.Log, from, to int) {
	e := l.Events[from]
	l.Events = slices.Delete(l.Events, from, from+1)
	l.Events = slices.Insert(l.Events, to, e)
}

// resign recomputes every dependent hash after a change and writes a bundle signed with the test key.
// When the change leaves nothing to tally (a mark off the scale, say), only the ballot hashes are
// rewritten: a check before the tallies must catch it.
func resign(t testing.TB, l *fixture.Log) []byte {
	t.Helper()
	if err := l.RehashCasts(); err != nil {
		t.Fatalf("rehash: %v", err)
	}
	_ = l.Recompute()
	return bundleOf(t, l)
}

// edit rewrites bytes of a bundle, failing when the text is not there.
func edit(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("the bundle has no %q", old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func generate(t testing.TB) []generated {
	var out []generated
	add := func(name, expect, desc string, b []byte) *generated {
		out = append(out, generated{vector: vector{Name: name, Description: desc, File: name + ".json", Key: fixture.TestVerifier, Expect: expect}, bundle: b})
		return &out[len(out)-1]
	}
	valid := func(name, desc string, o fixture.Options) {
		add(name, "ok", desc, bundleOf(t, build(t, o)))
	}

	// Valid bundles: every method and publication setting, and the irregular but visible histories.
	valid("valid-weighted-mean-pseudonyms", "an announced edition, weighted mean, ballots under pseudonyms", fixture.Options{})
	valid("valid-median-names-tie", "median; a tie at the winning place decided by the jury; ballots under names", fixture.Options{Method: "median", Publication: verify.PublishNames, Tie: true})
	valid("valid-trimmed-mean", "trimmed mean dropping one lowest and one highest sum, five jurors", fixture.Options{Method: "trimmed_mean", Jurors: 5})
	valid("valid-majority-judgment-conflicts", "majority judgment, with a declared conflict and an abstention", fixture.Options{Method: "majority_judgment", Conflict: true, TieBreaks: []string{"more_top_marks", "higher_median", "criteria_in_order", "jury_decision"}})
	valid("valid-aggregates", "aggregates only: anonymous marks instead of ballots, jurors' cities committed", fixture.Options{Publication: verify.PublishAggregates, Conflict: true})
	valid("valid-aggregates-tie", "aggregates only, with a tie decided by the jury", fixture.Options{Publication: verify.PublishAggregates, Tie: true, Method: "majority_judgment"})
	valid("valid-reopened", "the round closed, was reopened with a reason, a juror cast again and it closed again: visible in the summary", fixture.Options{Reopen: true, Tie: true})
	valid("valid-back-to-review", "the jury round went back to review, the shortlist changed and every juror cast again; an expert who is also a juror is recused from their city; other editions' leaves as digests", fixture.Options{BackToReview: true, ExpertJuror: true, ForeignEvery: 3})
	valid("valid-juror-revoked", "a juror's role revoked after they cast, before the close: the cast stays in the log and is not counted", fixture.Options{RevokeJuror: true})
	valid("valid-jury-open", "exported while the jury votes: the rule is public, ballots are not", fixture.Options{Stage: "JURY"})
	valid("valid-tallied", "exported after the close, before the announcement", fixture.Options{Stage: "TALLIED"})
	valid("valid-no-tie-breaks", "a rule without tie-breaks: a tie at the winning place makes both winners", fixture.Options{TieBreaks: []string{}, Tie: true})
	valid("valid-full-chain-tie", "a tie that goes through more_top_marks, higher_median and criteria_in_order before the jury decides it", fixture.Options{Tie: true, TieBreaks: []string{"more_top_marks", "higher_median", "criteria_in_order", "jury_decision"}})
	valid("valid-criteria-in-order-decides", "equal scores, top marks and medians, separated by the first criterion", fixture.Options{
		PairCity: true, TieBreaks: []string{"more_top_marks", "higher_median", "criteria_in_order", "jury_decision"},
		Marks: func(j, n, c int) int {
			switch n {
			case 0:
				return []int{2, 1}[c]
			case 1:
				return []int{1, 3}[c]
			}
			return (j*7 + n*3 + c*5) % 6
		},
	})
	tied := func(pairs ...[2]int) func(j, n, c int) int {
		return func(j, n, c int) int {
			for k, p := range pairs {
				if n == p[0] || n == p[1] {
					return 4 - 2*k + (j+c)%2
				}
			}
			if n == 5 {
				return 5
			}
			return (j*7 + n*3 + c*5) % 6
		}
	}
	valid("valid-two-ties-one-category", "two separate ties in one category, each decided by the jury", fixture.Options{PerCategory: 4, SameCity: map[int]int{1: 0, 3: 2}, Marks: tied([2]int{0, 1}, [2]int{2, 3})})
	valid("valid-tie-left-below-winners", "a tie below the winning place of a category with no decision, left undecided (the jury need not decide it)", fixture.Options{
		SameCity: map[int]int{1: 0, 4: 3}, Marks: tied([2]int{0, 1}, [2]int{3, 4}), DecideWinningOnly: true,
	})
	valid("valid-minimum-score", "a minimum score that keeps a first place from winning", fixture.Options{MinimumScore: "12/1"})
	valid("valid-trimmed-mean-too-few", "trimmed mean where a nomination has too few counted jurors to trim", fixture.Options{Method: "trimmed_mean", Jurors: 4})
	valid("valid-reporting", "exported while experts report", fixture.Options{Stage: "REPORTING"})
	valid("valid-review", "exported in review: the shortlist is public, the rule is not", fixture.Options{Stage: "REVIEW"})
	{
		l := build(t, fixture.Options{})
		g := add("valid-receipt-counted", "ok", "a juror's receipt, counted", bundleOf(t, l))
		g.Receipt = l.Events[nth(t, l, "ballot.cast", 1)].Payload["ballot_sha256"].(string)
	}
	{
		l := build(t, fixture.Options{Reopen: true})
		g := add("valid-receipt-superseded", "ok", "a receipt of a cast the juror later replaced", bundleOf(t, l))
		g.Receipt = l.Events[nth(t, l, "ballot.cast", 0)].Payload["ballot_sha256"].(string)
	}
	{
		l := build(t, fixture.Options{})
		g := add("valid-trust-bundle-key", "ok", "verified with the bundle's own key, explicitly trusted", bundleOf(t, l))
		g.Key, g.TrustBundle = "", true
	}

	// S1: the bytes are not canonical JSON.
	base := bundleOf(t, build(t, fixture.Options{}))
	add("s1-duplicate-member", "S1", "a second \"year\" member after the genuine one: parsers that take the last duplicate would read 2016", edit(t, base, `,"year":2015}`, `,"year":2015,"year":2016}`))
	add("s1-white-space", "S1", "pretty-printed: white space between members", edit(t, base, `{"casts":`, `{ "casts":`))
	add("s1-member-order", "S1", "members out of order", edit(t, base, `{"casts":`, `{"year":2015,"casts":`))
	add("s1-fraction", "S1", "the year as 2015.0", edit(t, base, `,"year":2015}`, `,"year":2015.0}`))
	add("s1-needless-escape", "S1", "an escape canonical JSON does not use (\\u0061 for a)", edit(t, base, `"format":"miasta-audit-bundle/2"`, `"format":"miasta-\u0061udit-bundle/2"`))
	add("s1-trailing-newline", "S1", "a newline after the document", append(slices.Clone(base), '\n'))

	// S2: the bundle's own shape.
	add("s2-forged-results", "S2", "a forged \"results\" member beside the genuine \"tally\"", edit(t, base, `,"rule":`, `,"results":{"winner":"x"},"rule":`))
	add("s2-case-variant", "S2", "a \"Year\" member beside \"year\": a case-insensitive reader would match either", edit(t, base, `{"casts":`, `{"Year":2016,"casts":`))
	add("s2-old-format", "S2", "the unsupported version 1 format name", edit(t, base, `"miasta-audit-bundle/2"`, `"miasta-audit-bundle/1"`))
	add("s2-no-checkpoint", "S2", "the checkpoint member removed", func() []byte {
		l := build(t, fixture.Options{})
		b := bundleOf(t, l)
		v, _ := canon.Parse(b)
		var cp string
		v.Members(func(name string, m canon.Value) bool {
			if name == "checkpoint" {
				cp = string(m.Raw())
			}
			return true
		})
		return edit(t, b, `"checkpoint":`+cp+`,`, ``)
	}())
	add("s2-rule-extra-member", "S2", "the rule with a member the specification does not define", edit(t, base, `"format":"miasta-rule/2"`, `"format":"miasta-rule/2","hidden":true`))
	add("s2-cast-wrong-type", "S2", "a cast's first mark as a string", func() []byte {
		at := bytes.Index(base, []byte(`"casts":[{"marks":{"`))
		if at < 0 {
			t.Fatal("the bundle has no casts")
		}
		open := at + bytes.IndexByte(base[at:], '[') + 1 // the casts
		open += bytes.IndexByte(base[open:], '[') + 1    // the first mark's values
		end := open + bytes.IndexAny(base[open:], ",]")  // its first value
		return slices.Concat(base[:open], []byte(`"`), base[open:end], []byte(`"`), base[end:])
	}())
	add("s2-bad-digest", "S2", "a digest entry whose digest is not 64 hexadecimal digits", edit(t, bundleOf(t, build(t, fixture.Options{ForeignEvery: 5})), `{"digest":"`, `{"digest":"zz`))
	add("s2-negative-count", "S2", "under aggregates, a negative recusal count in the marks", func() []byte {
		l := build(t, fixture.Options{Publication: verify.PublishAggregates})
		l.Marks[0].Recusals.Declared = -1
		return bundleOf(t, l)
	}())
	add("s2-label-language", "S2", "a score label keyed by something that is not a language tag", edit(t, base, `"text":{"en":"none","pl":"brak"}`, `"text":{"EN":"none","pl":"brak"}`))
	add("s2-cast-key", "S2", "a cast's mark keyed by a nomination id in capitals, which is not a uuid of §3.3", edit(t, base, `"casts":[{"marks":{"0000006e`, `"casts":[{"marks":{"0000006E`))

	// S3: events that are not what the specification defines (re-signed: only the schema catches them).
	s3 := func(name, desc string, f func(l *fixture.Log)) {
		l := build(t, fixture.Options{})
		f(l)
		add(name, "S3", desc, resign(t, l))
	}
	s3("s3-plain-text-comment", "a return comment in plain text in the log (private text leaked)", func(l *fixture.Log) {
		l.Events[nth(t, l, "report.returned", 0)].Payload["comment"] = "Proszę dodać partnerów."
	})
	s3("s3-plain-text-reason", "a juror's conflict reason in plain text beside its commitment", func(l *fixture.Log) {
		l2 := build(t, fixture.Options{Conflict: true})
		*l = *l2
		l.Events[nth(t, l, "ballot.conflict_declared", 0)].Payload["reason"] = "Pracowałam przy tym projekcie."
	})
	s3("s3-unknown-kind", "an event of a kind the specification does not define", func(l *fixture.Log) {
		l.Events[nth(t, l, "report.saved", 0)].Kind = "report.deleted"
	})
	s3("s3-malformed-time", "a malformed leaf: the event time without microseconds", func(l *fixture.Log) {
		l.Events[nth(t, l, "ballot.cast", 0)].Time = "2026-01-10T09:30:00Z"
	})
	s3("s3-missing-member", "a cast event without its cast id", func(l *fixture.Log) {
		delete(l.Events[nth(t, l, "ballot.cast", 0)].Payload, "cast_id")
	})
	s3("s3-wrong-type", "a stage change whose override flag is a string", func(l *fixture.Log) {
		l.Events[nth(t, l, "edition.stage_changed", 0)].Payload["override"] = "false"
	})
	s3("s3-attachments-out-of-order", "a submitted report's attachment hashes not in increasing order", func(l *fixture.Log) {
		p := l.Events[nth(t, l, "report.submitted", 0)].Payload
		a := slices.Clone(p["attachments"].([]string))
		slices.Reverse(a)
		p["attachments"] = a
	})
	s3("s3-attachment-bare-hex", "a submitted report's attachment hash as bare hex, without sha256:", func(l *fixture.Log) {
		p := l.Events[nth(t, l, "report.submitted", 0)].Payload
		a := slices.Clone(p["attachments"].([]string))
		a[0] = strings.TrimPrefix(a[0], "sha256:")
		p["attachments"] = a
	})
	s3("s3-attachments-on-a-save", "attachment hashes on a report.saved event (only a submission records them)", func(l *fixture.Log) {
		l.Events[nth(t, l, "report.saved", 0)].Payload["attachments"] = []string{}
	})
	s3("s3-actor-role", "an actor of a role the specification does not define", func(l *fixture.Log) {
		l.Events[nth(t, l, "report.saved", 0)].Actor.Role = "admin"
	})

	// K: key, checkpoint and tree.
	add("k1-other-key", "K1", "verified against a key other than the one the bundle names", base)
	out[len(out)-1].Key = otherVerifier
	{
		l := build(t, fixture.Options{})
		l.Signer, l.Verifier = otherSigner, otherVerifier
		add("k1-bundle-names-other-key", "K1", "a rewritten log signed by another key, which the bundle names; the trusted key is the real one", bundleOf(t, l))
	}
	{
		l := build(t, fixture.Options{})
		l.Signer = otherSigner
		add("k2-signed-by-another-key", "K2", "the bundle names the real key but the checkpoint is signed by another", bundleOf(t, l))
	}
	add("k2-checkpoint-text-changed", "K2", "the checkpoint's tree size changed after signing", func() []byte {
		l := build(t, fixture.Options{})
		b := bundleOf(t, l)
		n := len(l.Events)
		return edit(t, b, fmt.Sprintf(`audit-log\n%d\n`, n), fmt.Sprintf(`audit-log\n%d\n`, n+1))
	}())
	add("k2-signature-padding-bits", "K2", "a signature whose base64 has stray bits after its last byte (the same signature under a lenient decoder)", func() []byte {
		v, _ := canon.Parse(base)
		var cp string
		v.Members(func(name string, m canon.Value) bool {
			if name == "checkpoint" {
				cp = m.Str()
			}
			return true
		})
		i := strings.LastIndex(cp, "=")
		c := cp[i-1]
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		k := strings.IndexByte(alphabet, c)
		bad := cp[:i-1] + string(alphabet[k^1]) + cp[i:]
		old, _ := canon.Encode(cp)
		repl, _ := canon.Encode(bad)
		return edit(t, base, string(old), string(repl))
	}())
	add("k3-event-edited", "K3", "a cast's time edited after signing", edit(t, base, `"time":"2026-01-10T09:49:00.000000Z"`, `"time":"2026-01-10T09:49:01.000000Z"`))
	add("k3-entry-removed", "K3", "the last event removed (the checkpoint still counts it)", func() []byte {
		l := build(t, fixture.Options{})
		entries, _ := l.Entries()
		cp := bundleOf(t, l)
		last := string(entries[len(entries)-1].Body)
		return edit(t, cp, ","+last, "")
	}())
	add("k3-entries-swapped", "K3", "two events swapped after signing", func() []byte {
		l := build(t, fixture.Options{})
		b := bundleOf(t, l)
		i := nth(t, l, "ballot.cast", 0)
		b1, _ := l.Body(i)
		b2, _ := l.Body(i + 1)
		b = edit(t, b, string(b1)+","+string(b2), string(b2)+","+string(b1))
		return b
	}())

	// E: the edition's log, re-signed so that only the meaning is wrong.
	resigned := func(name, check, desc string, o fixture.Options, f func(l *fixture.Log)) {
		l := build(t, o)
		f(l)
		add(name, check, desc, resign(t, l))
	}
	resigned("e1-year", "E1", "the bundle says 2016 for an edition created for 2015", fixture.Options{}, func(l *fixture.Log) { l.Year = 2016 })
	resigned("e1-edition-id", "E1", "the bundle names another edition id than its events", fixture.Options{}, func(l *fixture.Log) {
		l.Override = func(p *verify.Parts) { p.EditionID = "00000065-0000-4000-8000-0000000007e0" }
	})
	resigned("e1-publication", "E1", "the bundle says names for an edition created with pseudonyms", fixture.Options{}, func(l *fixture.Log) {
		l.Override = func(p *verify.Parts) { p.Publication = verify.PublishNames }
	})
	add("e1-hidden-cast", "E1", "one of the edition's casts given only as a digest, hiding it from the tally", func() []byte {
		l := build(t, fixture.Options{})
		entries, _ := l.Entries()
		i := nth(t, l, "ballot.cast", 0)
		body := entries[i].Body
		h := verify.Hash(body)
		var d [32]byte
		fmt.Sscanf(h, "sha256:%x", &d)
		entries[i] = verify.Entry{Edition: l.EditionID, Digest: d[:]}
		return writeEntries(t, l, entries)
	}())
	add("e1-foreign-event-in-full", "E1", "another edition's event given in full", func() []byte {
		l := build(t, fixture.Options{})
		entries, _ := l.Entries()
		other, _ := verify.EncodeBody(verify.Body{EditionID: ptr("00000065-0000-4000-8000-0000000007e0"), ID: 9999, Kind: "city.created", Payload: map[string]any{"city_id": "00000063-0000-4000-8000-000000000099", "name": "Sopot"}, Time: "2026-01-10T09:00:30.000000Z", Actor: &verify.Actor{Role: "organiser", ID: "0000006f-0000-4000-8000-000000000001"}})
		entries = slices.Insert(entries, 1, verify.Entry{Body: other, Edition: "00000065-0000-4000-8000-0000000007e0"})
		return writeEntries(t, l, entries)
	}())
	resigned("e1-created-twice", "E1", "a second edition.created", fixture.Options{}, func(l *fixture.Log) {
		c := *l.Events[0]
		c.ID = 1000
		l.Events = slices.Insert(l.Events, 2, &c)
	})
	resigned("e2-replayed-cast", "E2", "a cast event replayed (the same event twice)", fixture.Options{}, func(l *fixture.Log) {
		i := nth(t, l, "ballot.cast", 0)
		c := *l.Events[i]
		l.Events = slices.Insert(l.Events, i+1, &c)
		l.Casts = slices.Insert(l.Casts, 1, l.Casts[0])
	})
	resigned("e2-replayed-save", "E2", "a report save replayed (the same event twice)", fixture.Options{}, func(l *fixture.Log) {
		i := nth(t, l, "report.saved", 0)
		c := *l.Events[i]
		l.Events = slices.Insert(l.Events, i+1, &c)
	})
	resigned("e3-stage-skipped", "E3", "the edition jumps from REVIEW to JURY without passing... from REPORTING to JURY", fixture.Options{}, func(l *fixture.Log) {
		i := nth(t, l, "edition.stage_changed", 1) // REPORTING → REVIEW
		l.Events[i].Payload["to"] = "JURY"
	})
	resigned("e3-back-without-reason", "E3", "a move back without a reason", fixture.Options{Reopen: true}, func(l *fixture.Log) {
		for _, e := range l.Events {
			if e.Kind == "edition.stage_changed" && e.Payload["from"] == "TALLIED" && e.Payload["to"] == "JURY" {
				e.Payload["reason"] = ""
			}
		}
	})
	resigned("e3-override-without-reason", "E3", "a guard overridden without a reason", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "edition.stage_changed", 2)].Payload["override"] = true
	})
	resigned("e3-back-from-announced", "E3", "an announced edition moved back", fixture.Options{}, func(l *fixture.Log) {
		l.Events = append(l.Events, &fixture.Event{Kind: "edition.stage_changed", Actor: verify.Actor{Role: "organiser", ID: "0000006f-0000-4000-8000-000000000001"},
			Payload: map[string]any{"from": "ANNOUNCED", "to": "TALLIED", "reason": "Pomyłka.", "override": false}, Time: "2026-01-10T11:00:00.000000Z", ID: 999})
	})
	resigned("e4-cast-before-jury", "E4", "a cast made before the jury round opened (in REVIEW)", fixture.Options{}, func(l *fixture.Log) {
		move(l, nth(t, l, "ballot.cast", 0), nth(t, l, "edition.stage_changed", 2))
	})
	resigned("e4-rule-frozen-late", "E4", "the rule frozen after the first cast", fixture.Options{}, func(l *fixture.Log) {
		move(l, nth(t, l, "tally_rule.frozen", 0), nth(t, l, "ballot.cast", 0))
	})
	resigned("e4-rule-swapped-after-votes", "E4", "the rule set again after it was frozen and the votes cast", fixture.Options{}, func(l *fixture.Log) {
		set := *l.Events[nth(t, l, "tally_rule.set", 0)]
		set.ID = 998
		set.Payload = map[string]any{"version": 2, "rule_sha256": set.Payload["rule_sha256"]}
		l.Events = slices.Insert(l.Events, nth(t, l, "ballot.cast", 1), &set)
	})
	resigned("e4-category-after-draft", "E4", "a category created during reporting", fixture.Options{}, func(l *fixture.Log) {
		move(l, nth(t, l, "category.created", 1), nth(t, l, "edition.stage_changed", 0)+1)
	})
	resigned("e4-shortlist-during-jury", "E4", "a nomination added while the jury votes", fixture.Options{}, func(l *fixture.Log) {
		move(l, nth(t, l, "shortlist.nominated", 5), nth(t, l, "ballot.cast", 0))
	})
	resigned("e4-tally-not-after-close", "E4", "the close not followed by its tally", fixture.Options{}, func(l *fixture.Log) {
		i := nth(t, l, "tally.computed", 0)
		move(l, i, i+2)
	})
	resigned("e4-decision-after-announcement", "E4", "a jury decision recorded after the announcement", fixture.Options{Tie: true}, func(l *fixture.Log) {
		move(l, nth(t, l, "tally.jury_decision", 0), len(l.Events)-1)
	})
	resigned("e4-city-in-edition", "E4", "a city.created, a platform event, given as one of the edition's", fixture.Options{}, func(l *fixture.Log) {
		l.Events = slices.Insert(l.Events, 2, &fixture.Event{Kind: "city.created", Actor: l.Events[1].Actor, Payload: map[string]any{"city_id": "00000063-0000-4000-8000-000000000077", "name": "Sopot"}, Time: l.Events[1].Time, ID: 996})
	})
	resigned("e5-invitation-id-reused", "E5", "two invitations with one id", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "invitation.created", 1)].Payload["invitation_id"] = l.Events[nth(t, l, "invitation.created", 0)].Payload["invitation_id"]
	})
	resigned("e5-city-added-twice", "E5", "a reporting city added a second time", fixture.Options{}, func(l *fixture.Log) {
		c := *l.Events[nth(t, l, "edition.city_added", 0)]
		c.ID = 995
		l.Events = slices.Insert(l.Events, nth(t, l, "edition.city_added", 0)+1, &c)
	})
	resigned("e5-report-moved", "E5", "one report id under two cities", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "report.accepted", 1)].Payload["report_id"] = l.Events[nth(t, l, "report.accepted", 0)].Payload["report_id"]
	})
	resigned("e5-unnominate-other-practice", "E5", "a nomination taken off under another practice than it was nominated with", fixture.Options{BackToReview: true}, func(l *fixture.Log) {
		l.Events[nth(t, l, "shortlist.unnominated", 0)].Payload["practice_id"] = "00000071-0000-4000-8000-000000000999"
	})
	resigned("e5-acceptance-by-another-role", "E5", "an expert's invitation accepted by an actor in the role of a juror", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "invitation.accepted", 0)].Actor.Role = "juror"
	})
	resigned("e5-report-by-other-expert", "E5", "a report saved by the expert of another city", fixture.Options{}, func(l *fixture.Log) {
		e := l.Events[nth(t, l, "report.saved", 0)]
		e.Actor.ID = l.Events[nth(t, l, "report.saved", 2)].Actor.ID
	})
	resigned("e5-accepted-twice", "E5", "an invitation accepted twice", fixture.Options{}, func(l *fixture.Log) {
		i := nth(t, l, "invitation.accepted", 0)
		c := *l.Events[i]
		c.ID, c.Payload = 997, map[string]any{}
		for k, v := range l.Events[i].Payload {
			c.Payload[k] = v
		}
		l.Events = slices.Insert(l.Events, i+1, &c)
	})
	revocation := func(l *fixture.Log) int { return nth(t, l, "assignment.revoked", 0) }
	resigned("e5-cast-after-revocation", "E5", "a juror casts after their role was revoked", fixture.Options{RevokeJuror: true}, func(l *fixture.Log) {
		r := l.Events[revocation(l)]
		l.Events = slices.Delete(l.Events, revocation(l), revocation(l)+1)
		l.Events = slices.Insert(l.Events, nth(t, l, "ballot.cast", 3), r) // before the revoked juror's (the fourth) cast
	})
	resigned("e5-acceptance-of-revoked", "E5", "an invitation accepted onto an assignment revoked before", fixture.Options{RevokeJuror: true}, func(l *fixture.Log) {
		r := revocation(l)
		juror := l.Events[r].Payload["assignment_id"].(string)
		for _, e := range l.Events {
			if e.Kind == "invitation.accepted" && e.Actor.ID == juror {
				inv := map[string]any{"invitation_id": "00000069-0000-4000-8000-000000000998", "role": "juror", "city_id": e.Payload["city_id"]}
				acc := map[string]any{"invitation_id": inv["invitation_id"], "role": "juror", "city_id": e.Payload["city_id"], "person": e.Payload["person"]}
				created := &fixture.Event{Kind: "invitation.created", Actor: l.Events[r].Actor, Payload: inv, Time: l.Events[r].Time, ID: 998}
				accepted := &fixture.Event{Kind: "invitation.accepted", Actor: e.Actor, Payload: acc, Time: l.Events[r].Time, ID: 999}
				l.Events = slices.Insert(l.Events, r+1, created, accepted)
				return
			}
		}
		t.Fatal("no acceptance of the revoked juror")
	})
	resigned("e5-revocation-of-unknown", "E5", "a revocation naming no assignment of the edition", fixture.Options{RevokeJuror: true}, func(l *fixture.Log) {
		l.Events[revocation(l)].Payload["assignment_id"] = "00000061-0000-4000-8000-000000000999"
	})
	resigned("e5-revocation-other-role", "E5", "a juror's assignment revoked as an expert's", fixture.Options{RevokeJuror: true}, func(l *fixture.Log) {
		l.Events[revocation(l)].Payload["role"] = "expert"
	})
	resigned("e4-revocation-after-announcement", "E4", "a juror's role revoked after the announcement", fixture.Options{RevokeJuror: true}, func(l *fixture.Log) {
		r := l.Events[revocation(l)]
		l.Events = append(slices.Delete(l.Events, revocation(l), revocation(l)+1), r)
	})
	resigned("e5-conflict-on-home-city", "E5", "a juror declares a conflict with a nomination of their own city", fixture.Options{Conflict: true}, func(l *fixture.Log) {
		e := l.Events[nth(t, l, "ballot.conflict_declared", 0)]
		e.Payload["nomination_id"] = homeNomination(t, l, e.Actor.ID)
	})
	resigned("e5-unnominate-unknown", "E5", "a nomination taken off that was never on the shortlist", fixture.Options{BackToReview: true}, func(l *fixture.Log) {
		l.Events[nth(t, l, "shortlist.unnominated", 0)].Payload["nomination_id"] = "0000006e-0000-4000-8000-000000000999"
	})
	resigned("e5-juror-city-leaked", "E5", "under aggregates, a juror's acceptance names their city in plain text", fixture.Options{Publication: verify.PublishAggregates}, func(l *fixture.Log) {
		for _, e := range l.Events {
			if e.Kind == "invitation.accepted" && e.Payload["role"] == "juror" {
				e.Payload["city_id"], e.Payload["person"] = "00000063-0000-4000-8000-000000000002", "sha256:"+strings.Repeat("ab", 32)
				delete(e.Payload, "city_commitment")
				delete(e.Payload, "person_commitment")
				return
			}
		}
	})
	resigned("e5-organiser-event-by-juror", "E5", "a nomination made by a juror", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "shortlist.nominated", 0)].Actor = l.Events[nth(t, l, "ballot.cast", 0)].Actor
	})
	resigned("e5-computed-by-organiser", "E5", "the tally attributed to an organiser instead of the platform", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "tally.computed", 0)].Actor = verify.Actor{Role: "organiser", ID: "0000006f-0000-4000-8000-000000000001"}
	})

	// The jury's texts in the announcement (§6 results.announced).
	nonWinner := func(l *fixture.Log) string {
		winners := l.Events[nth(t, l, "results.announced", 0)].Payload["winners"].([]string)
		for _, e := range l.Events {
			if id, _ := e.Payload["nomination_id"].(string); e.Kind == "shortlist.nominated" && !slices.Contains(winners, id) {
				return id
			}
		}
		t.Fatal("every nomination wins")
		return ""
	}
	resigned("e5-justification-of-non-winner", "E5", "the announcement justifies a nomination that is not among its winners", fixture.Options{}, func(l *fixture.Log) {
		l.FixedJuryTexts = true
		l.Events[nth(t, l, "results.announced", 0)].Payload["justifications"] = []map[string]any{{"nomination_id": nonWinner(l), "text": map[string]string{"pl": "Wyróżnienie, którego nie było."}}}
	})
	s3("s3-justification-without-polish", "a justification in the announcement with an English text only", func(l *fixture.Log) {
		l.FixedJuryTexts = true
		js := l.Events[nth(t, l, "results.announced", 0)].Payload["justifications"].([]map[string]any)
		js[0]["text"] = map[string]string{"en": "English only."}
	})
	s3("s3-justifications-out-of-order", "the announcement's justifications not in increasing nomination id", func(l *fixture.Log) {
		l.FixedJuryTexts = true
		js := l.Events[nth(t, l, "results.announced", 0)].Payload["justifications"].([]map[string]any)
		js[0], js[1] = js[1], js[0]
	})
	s3("s3-recommendations-empty-text", "the jury's recommendations with an empty Polish text", func(l *fixture.Log) {
		l.FixedJuryTexts = true
		l.Events[nth(t, l, "results.announced", 0)].Payload["recommendations"] = map[string]string{"pl": ""}
	})
	{
		// The bundle's announcement with a justification's text changed, bytes only: the leaf no longer
		// hashes to the signed tree.
		l := build(t, fixture.Options{})
		b := bundleOf(t, l)
		add("k3-justification-edited", "K3", "a justification's text changed in the announcement after the log was signed", edit(t, b, "Uzasadnienie wyróżnienia 1:", "Uzasadnienie wyróżnienia 9:"))
	}
	valid("valid-announced-without-jury-texts", "an announcement recorded before the platform kept the jury's texts: no justifications, no recommendations", fixture.Options{NoJuryTexts: true})

	// D1: what the bundle discloses for its stage.
	disclose := func(name, desc string, o fixture.Options, f func(p *verify.Parts)) {
		l := build(t, o)
		l.Override = f
		add(name, "D1", desc, bundleOf(t, l))
	}
	disclose("d1-results-deleted", "an announced edition's bundle without its tally", fixture.Options{}, func(p *verify.Parts) { p.Tally = nil })
	disclose("d1-casts-deleted", "an announced edition's bundle without its casts", fixture.Options{}, func(p *verify.Parts) { p.Casts = nil })
	disclose("d1-all-deleted", "an announced edition's bundle without results, casts and rule", fixture.Options{}, func(p *verify.Parts) { p.Tally, p.Casts, p.Rule = nil, nil, nil })
	disclose("d1-ballots-before-announcement", "ballots disclosed while the results are not yet announced", fixture.Options{Stage: "TALLIED"}, func(p *verify.Parts) { p.Casts = [][]byte{} })
	disclose("d1-marks-under-pseudonyms", "anonymous marks instead of ballots under the pseudonyms setting", fixture.Options{}, func(p *verify.Parts) { p.Marks, p.HasMarks = []verify.MarksEntry{}, true })
	disclose("d1-casts-under-aggregates", "ballots disclosed under the aggregates setting", fixture.Options{Publication: verify.PublishAggregates}, func(p *verify.Parts) { p.Casts = [][]byte{} })
	disclose("d1-tally-during-jury", "a tally disclosed while the jury votes", fixture.Options{Stage: "JURY"}, func(p *verify.Parts) { p.Tally = []byte(`{"categories":[],"format":"miasta-tally/2"}`) })
	{
		l := build(t, fixture.Options{Stage: "REVIEW"})
		rule, _ := canon.Encode(l.Rule)
		l.Override = func(p *verify.Parts) { p.Rule = rule }
		add("d1-rule-in-review", "D1", "a rule disclosed before the jury round opened", bundleOf(t, l))
	}

	// R1: the rule.
	rule := func(name, desc string, f func(r *verify.Rule)) {
		l := build(t, fixture.Options{})
		r := l.Rule
		r.Criteria = slices.Clone(r.Criteria)
		f(&r)
		l.Override = func(p *verify.Parts) { p.Rule, _ = canon.Encode(r) }
		add(name, "R1", desc, bundleOf(t, l))
	}
	rule("r1-weights-changed", "the bundle's rule gives other weights than the rule the log froze", func(r *verify.Rule) { r.Criteria[0].Weight = 9 })
	rule("r1-method-changed", "the bundle's rule names another method than the rule the log froze", func(r *verify.Rule) { r.Method = "median" })
	rule("r1-quorum-changed", "the bundle's rule has another quorum than the rule the log froze", func(r *verify.Rule) { r.Quorum = 1 })
	rule("r1-tie-breaks-changed", "the bundle's rule has other tie-breaks than the rule the log froze", func(r *verify.Rule) { r.TieBreaks = []string{"higher_median", "jury_decision"} })
	add("r1-set-differs-from-frozen", "R1", "the rule frozen is not the last rule set", func() []byte {
		l := build(t, fixture.Options{})
		l.Events[nth(t, l, "tally_rule.set", 0)].Payload["rule_sha256"] = "sha256:" + strings.Repeat("0", 64)
		return bundleOf(t, l)
	}())
	resigned("r1-invalid-rule", "R1", "a rule consistently frozen and used but missing a criterion of the edition", fixture.Options{}, func(l *fixture.Log) {
		l.Rule.Criteria = l.Rule.Criteria[:1]
		for i := range l.Casts {
			for j := range l.Casts[i].Marks {
				l.Casts[i].Marks[j].Values = l.Casts[i].Marks[j].Values[:1]
			}
		}
		rule, _ := canon.Encode(l.Rule)
		for i := range l.Casts {
			l.Casts[i].RuleSHA256 = verify.Hash(rule)
		}
		for _, e := range l.Events {
			if e.Kind == "ballot.cast" {
				e.Payload["rule_sha256"] = verify.Hash(rule)
			}
		}
	})
	resigned("r1-jury-decision-not-last", "R1", "a rule whose jury decision is not its last tie-break", fixture.Options{}, func(l *fixture.Log) {
		l.Rule.TieBreaks = []string{"jury_decision", "more_top_marks"}
		rule, _ := canon.Encode(l.Rule)
		for i := range l.Casts {
			l.Casts[i].RuleSHA256 = verify.Hash(rule)
		}
		for _, e := range l.Events {
			if e.Kind == "ballot.cast" {
				e.Payload["rule_sha256"] = verify.Hash(rule)
			}
		}
	})

	// C1–C3: casts.
	resigned("c1-cast-by-expert", "C1", "a ballot cast by an expert's account", fixture.Options{}, func(l *fixture.Log) {
		expert := l.Events[nth(t, l, "report.saved", 0)].Actor
		l.Events[nth(t, l, "ballot.cast", 0)].Actor, l.Casts[0].JurorID = expert, expert.ID
	})
	resigned("c1-after-deadline", "C1", "a cast made after the jury deadline", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "edition.timeline_set", 0)].Payload["jury_deadline"] = "2026-01-10T09:49:30.000000Z"
	})
	resigned("c1-repeated-request", "C1", "two casts of one juror with one request id", fixture.Options{Reopen: true}, func(l *fixture.Log) {
		first, again := l.Events[nth(t, l, "ballot.cast", 0)], l.Events[nth(t, l, "ballot.cast", 4)]
		again.Payload["request_id"], l.Casts[4].RequestID = first.Payload["request_id"], l.Casts[0].RequestID
	})
	resigned("c1-repeated-cast-id", "C1", "two casts with one cast id", fixture.Options{}, func(l *fixture.Log) {
		l.Events[nth(t, l, "ballot.cast", 1)].Payload["cast_id"] = l.Events[nth(t, l, "ballot.cast", 0)].Payload["cast_id"]
	})
	resigned("c1-other-rule", "C1", "a cast made under another rule hash", fixture.Options{}, func(l *fixture.Log) {
		l.Override = nil
	})
	out[len(out)-1].bundle = func() []byte {
		l := build(t, fixture.Options{})
		l.Casts[1].RuleSHA256 = "sha256:" + strings.Repeat("1", 64)
		_ = l.Recompute()
		l.Events[nth(t, l, "ballot.cast", 1)].Payload["rule_sha256"] = l.Casts[1].RuleSHA256
		return bundleOf(t, l)
	}()
	add("c2-ballot-altered", "C2", "a cast's marks changed in the bundle, the log's hash untouched", func() []byte {
		l := build(t, fixture.Options{})
		l.Casts[0].Marks[0].Values[0] = (l.Casts[0].Marks[0].Values[0] + 1) % 6
		return bundleOf(t, l)
	}())
	add("c2-ballot-missing", "C2", "a cast missing from the bundle", func() []byte {
		l := build(t, fixture.Options{})
		l.Override = func(p *verify.Parts) { p.Casts = p.Casts[1:] }
		return bundleOf(t, l)
	}())
	resigned("c2-ballot-of-other-juror", "C2", "the log's ballot hash is that of a cast naming another juror than the event does (re-signed)", fixture.Options{}, func(l *fixture.Log) {
		l.Casts[0].JurorID = l.Casts[1].JurorID
	})
	resigned("c2-version-mismatch", "C2", "the log's ballot hash is that of a cast of another version than the event names (re-signed)", fixture.Options{}, func(l *fixture.Log) {
		l.Casts[0].Version = 7
	})
	resigned("c3-home-city-scored", "C3", "a juror scores a practice of their home city (everything else consistent)", fixture.Options{}, func(l *fixture.Log) {
		c := &l.Casts[0]
		r := c.Recusals[0]
		c.Recusals = slices.DeleteFunc(c.Recusals, func(x verify.Recusal) bool { return x.NominationID == r.NominationID })
		c.Marks = append(c.Marks, verify.Mark{NominationID: r.NominationID, Values: []int{5, 5}})
		slices.SortFunc(c.Marks, func(a, b verify.Mark) int { return strings.Compare(a.NominationID, b.NominationID) })
	})
	resigned("c3-conflict-ignored", "C3", "a juror scores the nomination they declared a conflict with", fixture.Options{Conflict: true}, func(l *fixture.Log) {
		k := castIndexOf(t, l, l.Events[nth(t, l, "ballot.conflict_declared", 0)].Actor.ID)
		c := &l.Casts[k]
		i := slices.IndexFunc(c.Recusals, func(x verify.Recusal) bool { return x.Kind == verify.RecusedDeclared })
		nom := c.Recusals[i].NominationID
		c.Recusals = slices.Delete(c.Recusals, i, i+1)
		c.Marks = append(c.Marks, verify.Mark{NominationID: nom, Values: []int{1, 1}})
		slices.SortFunc(c.Marks, func(a, b verify.Mark) int { return strings.Compare(a.NominationID, b.NominationID) })
	})
	resigned("c3-nomination-skipped", "C3", "a cast that neither marks nor recuses a nomination", fixture.Options{}, func(l *fixture.Log) {
		l.Casts[0].Marks = l.Casts[0].Marks[1:]
	})
	resigned("c3-mark-outside-scale", "C3", "a mark of 7 on a 0–5 scale", fixture.Options{}, func(l *fixture.Log) {
		l.Casts[0].Marks[0].Values[0] = 7
	})
	resigned("c3-expert-juror-not-recused", "C3", "a juror who is also the expert of a city scores that city's practice", fixture.Options{ExpertJuror: true}, func(l *fixture.Log) {
		c := &l.Casts[0]
		i := len(c.Recusals) - 1
		for k, r := range c.Recusals {
			if r.Kind == verify.RecusedHomeCity && nominationCity(l, r.NominationID) != homeCity(l, c.JurorID) {
				i = k
			}
		}
		nom := c.Recusals[i].NominationID
		c.Recusals = slices.Delete(c.Recusals, i, i+1)
		c.Marks = append(c.Marks, verify.Mark{NominationID: nom, Values: []int{5, 5}})
		slices.SortFunc(c.Marks, func(a, b verify.Mark) int { return strings.Compare(a.NominationID, b.NominationID) })
	})
	resigned("c3-recusal-invented", "C3", "a home-city recusal for a nomination of another city", fixture.Options{}, func(l *fixture.Log) {
		c := &l.Casts[0]
		m := c.Marks[0]
		c.Marks = c.Marks[1:]
		c.Recusals = append(c.Recusals, verify.Recusal{Kind: verify.RecusedHomeCity, NominationID: m.NominationID})
		slices.SortFunc(c.Recusals, func(a, b verify.Recusal) int { return strings.Compare(a.NominationID, b.NominationID) })
	})

	// M1: anonymous marks.
	add("m1-vector-dropped", "M1", "under aggregates, one juror's marks of a nomination dropped and the tally made to fit", func() []byte {
		l := build(t, fixture.Options{Publication: verify.PublishAggregates})
		l.Marks[0].Vectors = l.Marks[0].Vectors[1:]
		return bundleWithTallyFrom(t, l)
	}())
	add("m1-unsorted", "M1", "under aggregates, a nomination's vectors out of order", func() []byte {
		l := build(t, fixture.Options{Publication: verify.PublishAggregates, Jurors: 6})
		v := l.Marks[0].Vectors
		v[0], v[len(v)-1] = v[len(v)-1], v[0]
		return bundleOf(t, l)
	}())

	// T1–T4: tallies and results.
	resigned("t1-ballot-count", "T1", "the tally's count of counted ballots changed", fixture.Options{}, func(l *fixture.Log) {})
	out[len(out)-1].bundle = func() []byte {
		l := build(t, fixture.Options{})
		l.Events[nth(t, l, "tally.computed", 0)].Payload["ballots"] = 5
		return bundleOf(t, l)
	}()
	add("t1-revoked-cast-counted", "T1", "the close counts the cast of a juror revoked before it", func() []byte {
		l := build(t, fixture.Options{})
		last := nth(t, l, "ballot.cast", 3)
		juror := l.Events[last].Actor.ID
		rev := &fixture.Event{Kind: "assignment.revoked", Actor: l.Events[nth(t, l, "edition.created", 0)].Actor, Time: l.Events[last].Time, ID: 998,
			Payload: map[string]any{"assignment_id": juror, "role": "juror", "reason_commitment": "sha256:" + strings.Repeat("4", 64)}}
		l.Events = slices.Insert(l.Events, last+1, rev)
		return bundleOf(t, l)
	}())
	add("t1-tally-hash", "T1", "the tally recorded at close is not the tally of the counted casts", func() []byte {
		l := build(t, fixture.Options{Tie: true})
		l.Events[nth(t, l, "tally.computed", 0)].Payload["tally_sha256"] = "sha256:" + strings.Repeat("2", 64)
		return bundleOf(t, l)
	}())
	add("t1-earlier-tally", "T1", "after a reopening, the first tally's hash is not what its casts give", func() []byte {
		l := build(t, fixture.Options{Reopen: true})
		l.Events[nth(t, l, "tally.computed", 0)].Payload["tally_sha256"] = "sha256:" + strings.Repeat("3", 64)
		return bundleOf(t, l)
	}())
	add("t2-decision-not-a-tie", "T2", "a jury decision ordering nominations that were not tied", func() []byte {
		l := build(t, fixture.Options{Tie: true})
		e := l.Events[nth(t, l, "tally.jury_decision", 0)]
		ids := e.Payload["nomination_ids"].([]string)
		e.Payload["nomination_ids"] = []string{ids[0], "0000006e-0000-4000-8000-0000000001f6"}
		return resign(t, l)
	}())
	add("t2-decision-hash", "T2", "a jury decision whose tally hash is not the tally with the decision", func() []byte {
		l := build(t, fixture.Options{Tie: true})
		l.Events[nth(t, l, "tally.jury_decision", 0)].Payload["tally_sha256"] = "sha256:" + strings.Repeat("4", 64)
		return bundleOf(t, l)
	}())
	add("t3-winners-changed", "T3", "the announced winners are not the tally's winners", func() []byte {
		l := build(t, fixture.Options{})
		e := l.Events[nth(t, l, "results.announced", 0)]
		w := e.Payload["winners"].([]string)
		e.Payload["winners"] = []string{w[0], "0000006e-0000-4000-8000-0000000001f6"}
		e.Payload["justifications"], _ = fixture.JuryTexts(e.Payload["winners"].([]string)) // the forger justifies the forged winner too
		return bundleOf(t, l)
	}())
	add("t3-announced-hash", "T3", "the announcement names another tally than the last one", func() []byte {
		l := build(t, fixture.Options{Tie: true})
		l.Events[nth(t, l, "results.announced", 0)].Payload["tally_sha256"] = l.Events[nth(t, l, "tally.computed", 0)].Payload["tally_sha256"]
		return bundleOf(t, l)
	}())
	add("t3-unresolved-tie", "T3", "announced with a tie unresolved at the winning place under a rule ending in jury_decision", func() []byte {
		l := build(t, fixture.Options{Tie: true})
		l.Events = slices.Delete(l.Events, nth(t, l, "tally.jury_decision", 0), nth(t, l, "tally.jury_decision", 0)+1)
		return resign(t, l)
	}())
	add("t4-winner-flag", "T4", "the published tally marks another nomination as the winner", func() []byte {
		l := build(t, fixture.Options{})
		b := bundleOf(t, l)
		return resignedWith(t, l, edit(t, b, `"winner":false`, `"winner":true`))
	}())
	add("t4-explanation", "T4", "the published tally's explanation rewritten", func() []byte {
		l := build(t, fixture.Options{})
		return resignedWith(t, l, edit(t, bundleOf(t, l), `{"code":"quorum_met","jurors":3`, `{"code":"quorum_met","jurors":4`))
	}())
	add("t4-aggregates-score", "T4", "under aggregates, the published tally's score changed", func() []byte {
		l := build(t, fixture.Options{Publication: verify.PublishAggregates})
		return resignedWith(t, l, edit(t, bundleOf(t, l), `"rank":1,"recusals"`, `"rank":2,"recusals"`))
	}())

	// P1: receipts.
	{
		g := add("p1-unknown-receipt", "P1", "a receipt no cast has", base)
		g.Receipt = "sha256:" + strings.Repeat("5", 64)
	}

	// Key rotation (§4.4, K2) and pinned checkpoints (K4).
	rotated := func() (*fixture.Log, []verify.Entry, int) {
		l := build(t, fixture.Options{ForeignEvery: 4})
		if err := l.Rotate(nth(t, l, "shortlist.nominated", 0), fixture.RotatedSigner); err != nil {
			t.Fatal(err)
		}
		entries, err := l.Entries()
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(entries, func(e verify.Entry) bool { return bytes.Contains(e.Body, []byte(`"kind":"log.key_rotated"`)) })
		return l, entries, at
	}
	checkpointAt := func(l *fixture.Log, entries []verify.Entry, n int) string {
		cp, err := l.CheckpointAt(entries, n)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	bundleOfEntries := func(l *fixture.Log, entries []verify.Entry) []byte {
		b, err := l.BundleOf(entries)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	{
		l, entries, at := rotated()
		g := add("valid-key-rotated", "ok", "the log's key rotated during review to the rotated test key ("+fixture.RotatedVerifier+"), which signs the checkpoints after it; pinned checkpoints on both sides of the rotation", bundleOfEntries(l, entries))
		g.pin(checkpointAt(l, entries, at), checkpointAt(l, entries, at+1), checkpointAt(l, entries, len(entries)-3))
	}
	{
		l, _, _ := rotated()
		next, _ := verify.VerifierKeyOf(fixture.RotatedSigner)
		sig, err := verify.SignRotation(otherSigner, next)
		if err != nil {
			t.Fatal(err)
		}
		l.Rotations[0].Payload["signature"] = sig
		add("k2-rotation-forged", "K2", "a key rotation signed by a key that was not in force", bundleOf(t, l))
	}
	{
		l, _, _ := rotated()
		sig, _ := verify.SignRotation(fixture.TestSigner, fixture.RotatedVerifier)
		other, _ := verify.VerifierKeyOf(otherSigner)
		l.Rotations[0].Payload["verifier_key"] = other // the signature is of the rotation to another key
		l.Rotations[0].Payload["signature"] = sig
		l.CheckpointSigner = otherSigner
		add("k2-rotation-key-swapped", "K2", "a key rotation naming another key than the one the previous key signed (checkpoints signed by that other key)", bundleOf(t, l))
	}
	{
		l, entries, at := rotated()
		sum := sha256.Sum256(entries[at].Body)
		entries[at] = verify.Entry{Digest: sum[:]} // the same leaf, hidden
		l.CheckpointSigner = fixture.RotatedSigner
		add("k2-rotation-hidden", "K2", "a key rotation given only as a digest: the checkpoint is signed by a key the verifier never reaches", bundleOfEntries(l, entries))
	}
	{
		l, entries, at := rotated()
		ed := l.EditionID
		var body verify.Body
		if err := json.Unmarshal(entries[at].Body, &body); err != nil {
			t.Fatal(err)
		}
		body.EditionID = &ed
		raw, err := verify.EncodeBody(body)
		if err != nil {
			t.Fatal(err)
		}
		entries[at] = verify.Entry{Body: raw, Edition: ed}
		l.CheckpointSigner = fixture.RotatedSigner
		add("s3-rotation-of-an-edition", "S3", "a key rotation with an edition id (it is a platform event)", bundleOfEntries(l, entries))
	}
	{
		l := build(t, fixture.Options{})
		entries, err := l.Entries()
		if err != nil {
			t.Fatal(err)
		}
		pinnedAt := len(entries) / 2
		pin := checkpointAt(l, entries, pinnedAt)
		// After the checkpoint was saved, an expert's first draft is rewritten and the log re-signed.
		l.Events[nth(t, l, "report.saved", 0)].Payload["content_sha256"] = verify.Hash([]byte("another draft"))
		rewritten := resign(t, l)
		g := add("k4-rewritten-after-pin", "K4", "the log rewritten before a checkpoint saved earlier and re-signed with the real key", rewritten)
		g.pin(pin)
		add("valid-rewritten-without-pin", "ok", "the same rewritten log without the pinned checkpoint: signed by the real key, it verifies; only checkpoints saved before a rewrite expose it", rewritten)
		g = add("k4-pinned-other-key", "K4", "a pinned checkpoint signed by a key that is not the log's", bundleOf(t, build(t, fixture.Options{})))
		root, _ := verify.Root(fixture.LeafHashes(entries[:pinnedAt]))
		other, _ := verify.Checkpoint{Size: uint64(pinnedAt), Root: root}.Sign(otherSigner)
		g.pin(other)
	}
	{
		l := build(t, fixture.Options{Stage: "TALLIED"})
		entries, err := l.Entries()
		if err != nil {
			t.Fatal(err)
		}
		later := append(slices.Clone(entries), verify.Entry{Digest: bytes.Repeat([]byte{7}, 32)})
		g := add("k4-pinned-beyond", "K4", "a pinned checkpoint of a larger log than the bundle's (the bundle is older than what was saved)", bundleOfEntries(l, entries))
		g.pin(checkpointAt(l, later, len(later)))
	}

	{
		// The results page cites the first checkpoint that holds the announcement; a reader saved it.
		// The organisers then rewrite a justification and re-sign the log with the real key.
		l := build(t, fixture.Options{})
		entries, err := l.Entries()
		if err != nil {
			t.Fatal(err)
		}
		pin := checkpointAt(l, entries, len(entries))
		l.FixedJuryTexts = true
		js := l.Events[nth(t, l, "results.announced", 0)].Payload["justifications"].([]map[string]any)
		js[0]["text"] = map[string]string{"pl": "Uzasadnienie napisane po ogłoszeniu."}
		g := add("k4-justification-rewritten-after-announcement", "K4", "a justification rewritten after the announcement and the log re-signed with the real key, given the checkpoint the results cited", resign(t, l))
		g.pin(pin)
	}
	// Witnesses' cosignatures of the checkpoint (§4.3, K5).
	w1, w2, w3 := testWitnesses[0], testWitnesses[1], testWitnesses[2]
	const t1, t2 = 1768910400, 1768910401 // 2026-01-20T12:00:00Z and a second later
	cosigned := func(mod func(cp string) string) []byte {
		l := build(t, fixture.Options{})
		l.Override = func(p *verify.Parts) { p.Checkpoint = mod(p.Checkpoint) }
		return bundleOf(t, l)
	}
	witnessed := func(name, expect, desc string, b []byte, threshold int, keys ...string) {
		g := add(name, expect, desc, b)
		g.Witnesses, g.WitnessThreshold = keys, threshold
	}
	// corrupt changes byte i of a witness's cosignature (0–3 key hash, 4–11 timestamp, then the signature).
	corrupt := func(w fixture.TestWitness, text string, ts uint64, i int, xor byte) string {
		raw := w.Cosignature(text, ts)
		raw[i] ^= xor
		return w.Line(raw)
	}
	both := cosigned(func(cp string) string { return w2.Cosign(w1.Cosign(cp, t1), t2) })
	only1 := cosigned(func(cp string) string { return w1.Cosign(cp, t1) })
	witnessed("valid-witnesses-2-of-2", "ok", "the checkpoint cosigned by both witnesses given, all of them required", both, 0, w1.Verifier, w2.Verifier)
	witnessed("valid-witnesses-1-of-2", "ok", "the checkpoint cosigned by both witnesses given, one of them required", both, 1, w1.Verifier, w2.Verifier)
	witnessed("valid-witnesses-1-cosigned-1-required", "ok", "the checkpoint cosigned by the first of two witnesses given, one of them required: the second is reported as not cosigned", only1, 1, w1.Verifier, w2.Verifier)
	witnessed("k5-witness-missing", "K5", "the checkpoint cosigned by the first of two witnesses given, both required", only1, 2, w1.Verifier, w2.Verifier)
	timeChanged := cosigned(func(cp string) string {
		return w2.Cosign(cp+corrupt(w1, fixture.NoteText(cp), t1, 11, 1), t2) // the timestamp is t1+1 now
	})
	witnessed("k5-cosignature-time-changed", "K5", "the first witness's cosignature with its timestamp changed by a second (the signature is of the other time)", timeChanged, 0, w1.Verifier, w2.Verifier)
	flipped := cosigned(func(cp string) string {
		return w1.Cosign(cp, t1) + corrupt(w2, fixture.NoteText(cp), t2, 12+10, 0x40)
	})
	witnessed("k5-cosignature-byte-flipped", "K5", "the second witness's cosignature with a byte of its signature flipped; one witness is required and the first cosigned, but a bad cosignature of a given witness is never skipped", flipped, 1, w1.Verifier, w2.Verifier)
	add("valid-witnesses-not-given", "ok", "the bundle whose first witness's timestamp was changed, verified without witness keys: cosignature lines are lines of other keys, ignored", timeChanged)
	witnessed("valid-witness-unknown-ignored", "ok", "cosigned by both witnesses given and, between them, a line of a third witness, not given, whose cosignature does not verify (it is not checked)", cosigned(func(cp string) string {
		return w2.Cosign(w1.Cosign(cp, t1)+corrupt(w3, fixture.NoteText(cp), t1, 30, 0x01), t2)
	}), 0, w1.Verifier, w2.Verifier)
	witnessed("valid-witness-line-repeated", "ok", "the first witness's line twice, the second copy corrupted: only the first line of a key is checked", cosigned(func(cp string) string {
		return w2.Cosign(w1.Cosign(cp, t1)+corrupt(w1, fixture.NoteText(cp), t1, 40, 0x01), t2)
	}), 0, w1.Verifier, w2.Verifier)
	witnessed("k5-witness-first-line-bad", "K5", "the first witness's line twice, the first copy corrupted: the first line of a key decides", cosigned(func(cp string) string {
		return w2.Cosign(w1.Cosign(cp+corrupt(w1, fixture.NoteText(cp), t1, 40, 0x01), t1), t2)
	}), 1, w1.Verifier, w2.Verifier)
	witnessed("k5-timestamp-beyond-2-63", "K5", "the first witness's valid Ed25519 cosignature at the timestamp 2^63, which C2SP tlog-cosignature forbids", cosigned(func(cp string) string {
		return w2.Cosign(w1.Cosign(cp, 1<<63), t2)
	}), 1, w1.Verifier, w2.Verifier)
	{
		// The first witness's public key as an Ed25519 key of algorithm 0x01 (a plain note key): the
		// cosignature library would take it for a cosignature/v1 key, §4.3 does not.
		_, data, _ := strings.Cut(strings.SplitN(w1.Verifier, "+", 2)[1], "+")
		raw, _ := base64.StdEncoding.DecodeString(data)
		raw[0] = 0x01
		h := sha256.Sum256(append([]byte(w1.Name+"\n"), raw...))
		plain := fmt.Sprintf("%s+%x+%s", w1.Name, h[:4], base64.StdEncoding.EncodeToString(raw))
		witnessed("k5-witness-key-not-cosignature", "K5", "a witness key given with the algorithm byte 0x01 instead of 0x04 (the same public key; "+plain+")", both, 0, plain, w2.Verifier)
	}
	witnessed("k5-witness-key-twice", "K5", "the same witness key given twice", both, 0, w1.Verifier, w1.Verifier)
	return out
}

// resignedWith keeps a bundle's bytes as edited (its tally, say) — the log and checkpoint are untouched,
// so only the checks that read the edited part can catch it.
func resignedWith(_ testing.TB, _ *fixture.Log, b []byte) []byte { return b }

// bundleWithTallyFrom writes an aggregates bundle whose tally, tally hashes and announced winners are
// recomputed from the (tampered) marks, so that only M1 can catch the tampering.
func bundleWithTallyFrom(t testing.TB, l *fixture.Log) []byte {
	t.Helper()
	marks := l.Marks
	if err := l.RecomputeFromMarks(); err != nil {
		t.Fatal(err)
	}
	l.Marks = marks
	return bundleOf(t, l)
}

func ptr(s string) *string { return &s }

func writeEntries(t testing.TB, l *fixture.Log, entries []verify.Entry) []byte {
	t.Helper()
	b, err := l.BundleOf(entries)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func castIndexOf(t testing.TB, l *fixture.Log, juror string) int {
	for i, c := range l.Casts {
		if c.JurorID == juror {
			return i
		}
	}
	t.Fatalf("no cast of %s", juror)
	return -1
}

func homeCity(l *fixture.Log, juror string) string {
	for _, e := range l.Events {
		if e.Kind == "invitation.accepted" && e.Actor.ID == juror {
			s, _ := e.Payload["city_id"].(string)
			return s
		}
	}
	return ""
}

func nominationCity(l *fixture.Log, nom string) string {
	for _, e := range l.Events {
		if e.Kind == "shortlist.nominated" && e.Payload["nomination_id"] == nom {
			return e.Payload["city_id"].(string)
		}
	}
	return ""
}

func homeNomination(t testing.TB, l *fixture.Log, juror string) string {
	city := homeCity(l, juror)
	for _, e := range l.Events {
		if e.Kind == "shortlist.nominated" && e.Payload["city_id"] == city {
			return e.Payload["nomination_id"].(string)
		}
	}
	t.Fatalf("no nomination of %s's city", juror)
	return ""
}

// Another key, for the vectors that need a second signer.
const (
	otherSigner   = "PRIVATE+KEY+miasta-otwarte/audit-log+fe20c6d1+AWG4+b4JPj2P+D/BuuXjGAlUYazhN4J4aRLFrsr9Ik22"
	otherVerifier = "miasta-otwarte/audit-log+fe20c6d1+ATjhacFSksbPqTSVMvSeDGet+nebjSBLMobkuee++rUo"
)

func (g generated) options() verify.Options {
	return verify.Options{Key: g.Key, TrustBundleKey: g.TrustBundle, Receipt: g.Receipt, Checkpoints: g.pinned, Witnesses: g.Witnesses, WitnessThreshold: g.WitnessThreshold}
}

func verdict(g generated) string { return fixture.Verdict(g.bundle, g.options()) }

// TestVectors checks that the generator still writes exactly the committed vectors (so code and vectors
// change together; -update rewrites them) and that the verifier gives every one its expected verdict.
func TestVectors(t *testing.T) {
	gen := generate(t)
	m := manifest{Spec: "miasta-audit/2", TestSigner: fixture.TestSigner, TestVerifier: fixture.TestVerifier}
	for _, w := range testWitnesses {
		m.TestWitnesses = append(m.TestWitnesses, testWitness{Signer: w.Signer, Verifier: w.Verifier})
	}
	names := map[string]bool{}
	for i := range gen {
		g := &gen[i]
		if names[g.Name] {
			t.Fatalf("vector %s twice", g.Name)
		}
		names[g.Name] = true
		opts := g.options()
		if got := verdict(*g); got != g.Expect {
			_, err := verify.Verify(g.bundle, opts)
			t.Errorf("%s: verdict %s, want %s (%v)", g.Name, got, g.Expect, err)
		}
		if meaning(g.Expect) {
			_, err := verify.VerifySkipping(g.bundle, opts, g.Expect)
			g.Only = err == nil
			if err != nil {
				t.Logf("%s: with %s off: %v", g.Name, g.Expect, err)
			}
		}
		m.Vectors = append(m.Vectors, g.vector)
	}
	want, _ := json.MarshalIndent(m, "", "  ")
	want = append(want, '\n')
	if *update {
		if err := os.RemoveAll(vectorDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(vectorDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, g := range gen {
			if err := os.WriteFile(filepath.Join(vectorDir, g.File), g.bundle, 0o644); err != nil {
				t.Fatal(err)
			}
			for i, f := range g.Checkpoints {
				if err := os.WriteFile(filepath.Join(vectorDir, f), []byte(g.pinned[i]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := os.WriteFile(filepath.Join(vectorDir, "manifest.json"), want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(filepath.Join(vectorDir, "manifest.json"))
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/verify -run TestVectors -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("spec/vectors/manifest.json differs from what the generator writes: run go test ./internal/verify -run TestVectors -update and review the change")
	}
	for _, g := range gen {
		b, err := os.ReadFile(filepath.Join(vectorDir, g.File))
		if err != nil || !bytes.Equal(b, g.bundle) {
			t.Errorf("spec/vectors/%s differs from what the generator writes (%v)", g.File, err)
		}
		for i, f := range g.Checkpoints {
			if b, err := os.ReadFile(filepath.Join(vectorDir, f)); err != nil || string(b) != g.pinned[i] {
				t.Errorf("spec/vectors/%s differs from what the generator writes (%v)", f, err)
			}
		}
	}
	counts := map[string]int{}
	for _, g := range gen {
		counts[g.Expect]++
	}
	tampered := len(gen) - counts["ok"]
	if tampered < 50 {
		t.Errorf("%d tampered vectors, want at least 50", tampered)
	}
	only := map[string]bool{}
	for _, v := range m.Vectors {
		only[v.Expect] = only[v.Expect] || v.Only
	}
	for _, c := range verify.Checks {
		if counts[c.ID] == 0 {
			t.Errorf("no vector fails check %s (%s)", c.ID, c.Name)
		}
		if meaning(c.ID) && !only[c.ID] {
			t.Errorf("no vector fails check %s (%s) and no other check", c.ID, c.Name)
		}
	}
}

// meaning reports whether a check is about meaning rather than bytes, keys and signatures: each such
// check needs a vector that only it catches.
func meaning(check string) bool {
	return check != "ok" && check != "P1" && !strings.HasPrefix(check, "S") && !strings.HasPrefix(check, "K")
}
