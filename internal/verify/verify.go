package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/event"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/tally"
)

// Summary is what a successful verification established.
type Summary struct {
	Leaves      int
	Checkpoints int
	TreeSize    uint64
	// Tallied is false for a bundle exported before the round closed: only the log was checked.
	Tallied   bool
	Ballots   int
	Winners   int
	TallyHash string
	// Receipt describes the checked receipt, when one was given.
	Receipt string
}

func (s Summary) String() string {
	out := fmt.Sprintf("OK: %d leaves under %d signed checkpoints (tree size %d) rebuild every signed root", s.Leaves, s.Checkpoints, s.TreeSize)
	if s.Tallied {
		out += fmt.Sprintf("; %d counted ballots re-tallied under the frozen rule give the published results (%d winners, %s)", s.Ballots, s.Winners, s.TallyHash)
	}
	if s.Receipt != "" {
		out += "; " + s.Receipt
	}
	return out
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// logged is a decoded leaf.
type logged struct {
	leaf  int
	event auditlog.Event
}

// Verify checks a bundle. key is the log's verifier key as the checker obtained it (empty: trust the
// one in the bundle); receipt, if not empty, is a ballot hash whose inclusion and counting to check.
// The error names the first thing that does not hold.
func Verify(b Bundle, key, receipt string) (Summary, error) {
	if key == "" {
		key = b.VerifierKey
	}
	s := Summary{Leaves: len(b.Leaves), Checkpoints: len(b.Checkpoints)}
	if len(b.Checkpoints) == 0 {
		return s, fmt.Errorf("the bundle has no checkpoint")
	}

	// 1. Signatures, then one pass over the leaves that rebuilds the root at every checkpoint's size.
	// Each checkpoint's root coming out of the same growing leaf sequence proves each is consistent
	// with the one before (its tree is a prefix of the next), in time linear in the log.
	hashes, decoded, decodeErr := hashAndDecode(b.Leaves, b.EditionID)
	cps := make([]auditlog.Checkpoint, len(b.Checkpoints))
	for i, note := range b.Checkpoints {
		cp, err := auditlog.OpenCheckpoint(note, key)
		if err != nil {
			return s, fmt.Errorf("checkpoint %d: %w", i+1, err)
		}
		if cp.Size > uint64(len(hashes)) {
			return s, fmt.Errorf("checkpoint %d signs %d leaves but the bundle has %d: leaves were removed", i+1, cp.Size, len(hashes))
		}
		if i > 0 && cp.Size < cps[i-1].Size {
			return s, fmt.Errorf("checkpoint %d (size %d) is older than checkpoint %d (size %d): checkpoints are out of order", i+1, cp.Size, i, cps[i-1].Size)
		}
		cps[i] = cp
	}
	tree := auditlog.NewTree()
	from := uint64(0)
	for i, cp := range cps {
		for tree.Size() < cp.Size {
			if err := tree.Append(hashes[tree.Size()]); err != nil {
				return s, err
			}
		}
		root, err := tree.Root()
		if err != nil {
			return s, err
		}
		if !bytes.Equal(root, cp.Root) {
			return s, fmt.Errorf("the leaves do not rebuild checkpoint %d (size %d): an event among leaves %d–%d was changed, added, removed or reordered", i+1, cp.Size, from, cp.Size-1)
		}
		from = cp.Size
	}
	prev := cps[len(cps)-1]
	s.TreeSize = prev.Size
	if uint64(len(b.Leaves)) != prev.Size {
		return s, fmt.Errorf("the bundle has %d leaves but its newest checkpoint signs %d: leaves were added", len(b.Leaves), prev.Size)
	}

	// 2. The edition's events.
	if decodeErr != nil {
		return s, decodeErr
	}
	events := decoded
	if b.Results == nil { // exported before the announcement: the log is all there is to check
		return s, checkReceipt(&s, events, hashes, prev, receipt, false)
	}
	if err := tallyCheck(&s, b, events); err != nil {
		return s, err
	}
	return s, checkReceipt(&s, events, hashes, prev, receipt, true)
}

// hashAndDecode hashes every leaf and decodes the edition's, spread over the machine's cores (the
// leaves are independent; this is most of a large log's verification time). Leaves that do not even
// mention the edition are only hashed: the signed roots already cover their bytes. Workers take
// blocks of leaves as they come free, so a core that other work slows down does not hold the rest
// up, and write each hash into one shared backing array.
func hashAndDecode(leaves [][]byte, editionID string) ([][]byte, []logged, error) {
	const block = 4096
	n := len(leaves)
	backing := make([]byte, n*sha256.Size)
	hashes := make([][]byte, n)
	blocks := (n + block - 1) / block
	decoded := make([][]logged, blocks)
	errs := make([]error, blocks)
	mention := []byte(`"edition_id":"` + editionID + `"`)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), blocks) {
		wg.Go(func() {
			h := auditlog.NewLeafHasher()
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				var out []logged
				for i := b * block; i < min((b+1)*block, n); i++ {
					if out == nil {
						// Most leaves of a block are usually the edition's: one allocation, not a
						// dozen growing ones.
						out = make([]logged, 0, min(block, n-i))
					}
					at := i * sha256.Size
					hashes[i] = h.AppendHash(backing[at:at:at+sha256.Size], leaves[i])
					if errs[b] != nil || !bytes.Contains(leaves[i], mention) {
						continue
					}
					e, err := auditlog.DecodeLeaf(leaves[i])
					if err != nil {
						errs[b] = fmt.Errorf("leaf %d: %w", i, err)
						continue
					}
					if e.EditionID == editionID {
						out = append(out, logged{leaf: i, event: e})
					}
				}
				decoded[b] = out
			}
		})
	}
	wg.Wait()
	total := 0
	for b := range blocks {
		if errs[b] != nil { // the lowest-numbered leaf that does not decode
			return hashes, nil, errs[b]
		}
		total += len(decoded[b])
	}
	out := make([]logged, 0, total)
	for _, d := range decoded {
		out = append(out, d...)
	}
	return hashes, out, nil
}

// payload decodes an event's payload into v.
func payload(l logged, v any) error {
	if err := json.Unmarshal(l.event.Payload, v); err != nil {
		return fmt.Errorf("event %d (leaf %d, %s): %w", l.event.ID, l.leaf, l.event.Kind, err)
	}
	return nil
}

type castEvent struct {
	CastID     string `json:"cast_id"`
	JurorID    string `json:"juror_id"`
	BallotHash string `json:"ballot_sha256"`
}

// tallyCheck re-runs the tally from the counted ballots under the frozen rule.
func tallyCheck(s *Summary, b Bundle, events []logged) error {
	var ruleHash, tallyHash string
	var ruleEvent, tallyEvent, closeLeaf int = -1, -1, -1
	in := tally.Input{}
	nominated := map[string]tally.Nomination{}
	var order []string
	decisions := map[string]tally.Decision{}
	for _, l := range events {
		switch event.Kind(l.event.Kind) {
		case event.TallyRuleFrozen:
			var p struct {
				Hash string `json:"rule_sha256"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			ruleHash, ruleEvent = p.Hash, l.leaf
		case event.CategoryCreated:
			var c edition.Category
			if err := payload(l, &c); err != nil {
				return err
			}
			in.Categories = append(in.Categories, tally.Category{ID: c.ID.String(), Number: int(c.Number)})
		case event.Nominated:
			var p struct {
				NominationID string `json:"nomination_id"`
				CategoryID   string `json:"category_id"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			nominated[p.NominationID] = tally.Nomination{ID: p.NominationID, CategoryID: p.CategoryID}
			order = append(order, p.NominationID)
		case event.Unnominated:
			var p struct {
				NominationID string `json:"nomination_id"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			delete(nominated, p.NominationID)
		case event.EditionStageChanged:
			var p struct {
				To edition.Stage `json:"to"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			if p.To == edition.Tallied {
				closeLeaf = l.leaf
			}
		case event.JuryDecided:
			var p struct {
				CategoryID string   `json:"category_id"`
				Order      []string `json:"nomination_ids"`
				Hash       string   `json:"tally_sha256"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			decisions[p.CategoryID] = tally.Decision{CategoryID: p.CategoryID, Order: p.Order}
			tallyHash, tallyEvent = p.Hash, l.leaf
		case event.TallyComputed:
			var p struct {
				Hash string `json:"tally_sha256"`
			}
			if err := payload(l, &p); err != nil {
				return err
			}
			tallyHash, tallyEvent = p.Hash, l.leaf
		}
	}
	if ruleEvent < 0 {
		return fmt.Errorf("rule: no rule-frozen event for the edition in the log")
	}
	if got := sha(b.Rule); got != ruleHash {
		return fmt.Errorf("rule: the bundle's rule (%s) is not the rule frozen at leaf %d (%s)", got, ruleEvent, ruleHash)
	}
	rule, err := jury.EngineRule(b.Rule)
	if err != nil {
		return err
	}
	in.Rule = rule
	if closeLeaf < 0 || tallyEvent < 0 {
		return fmt.Errorf("results: the log has no close of the jury round and tally for the edition")
	}
	for _, id := range order {
		if n, ok := nominated[id]; ok && !slices.ContainsFunc(in.Nominations, func(x tally.Nomination) bool { return x.ID == id }) {
			in.Nominations = append(in.Nominations, n)
		}
	}
	for _, d := range decisions {
		in.Decisions = append(in.Decisions, d)
	}

	// Every cast in the log must be in the bundle, unaltered; the last one of each juror counts.
	contents := map[string][]byte{}
	for i, c := range b.Casts {
		h := sha(c)
		if _, dup := contents[h]; dup {
			return fmt.Errorf("cast %d appears twice in the bundle", i+1)
		}
		contents[h] = c
	}
	last := map[string]jury.CastInfo{}
	matched := map[string]bool{}
	for _, l := range events {
		if event.Kind(l.event.Kind) != event.BallotCast {
			continue
		}
		var p castEvent
		if err := payload(l, &p); err != nil {
			return err
		}
		if l.leaf > closeLeaf {
			return fmt.Errorf("ballot cast %s (leaf %d) comes after the round closed", p.CastID, l.leaf)
		}
		body, ok := contents[p.BallotHash]
		if !ok {
			return fmt.Errorf("ballot cast %s (leaf %d, juror %s): its content is missing from the bundle or was altered (the log says %s)", p.CastID, l.leaf, p.JurorID, p.BallotHash)
		}
		info, err := jury.DecodeCast(body)
		if err != nil {
			return fmt.Errorf("ballot cast %s (leaf %d): %w", p.CastID, l.leaf, err)
		}
		if info.JurorID.String() != p.JurorID || info.EditionID.String() != b.EditionID {
			return fmt.Errorf("ballot cast %s (leaf %d): the content names another juror or edition than the log", p.CastID, l.leaf)
		}
		matched[p.BallotHash] = true
		last[p.JurorID] = info
	}
	for h := range contents {
		if !matched[h] {
			return fmt.Errorf("the bundle has a cast (%s) that no ballot-cast event logs", h)
		}
	}
	jurors := make([]string, 0, len(last))
	for j := range last {
		jurors = append(jurors, j)
	}
	slices.Sort(jurors)
	for _, j := range jurors {
		in.Ballots = append(in.Ballots, last[j].Ballot)
	}
	result, err := tally.Compute(in)
	if err != nil {
		return fmt.Errorf("results: the ballots do not tally under the rule: %w", err)
	}
	canon := tally.Canonical(result)
	s.Tallied, s.Ballots, s.TallyHash = true, len(in.Ballots), sha(canon)
	for _, c := range result.Categories {
		for _, n := range c.Nominations {
			if n.Winner {
				s.Winners++
			}
		}
	}
	if s.TallyHash != tallyHash {
		return fmt.Errorf("results: the ballots re-tallied under the frozen rule give %s, but the log records %s at leaf %d", s.TallyHash, tallyHash, tallyEvent)
	}
	if !bytes.Equal(canon, b.Results) {
		return fmt.Errorf("results: %s", resultDiff(canon, b.Results))
	}
	return nil
}

// resultDiff names the first category where the published results differ from the re-computed ones.
func resultDiff(want, got []byte) string {
	type category struct {
		CategoryID string          `json:"category_id"`
		Rest       json.RawMessage `json:"nominations"`
	}
	var w, g struct {
		Categories []category `json:"categories"`
	}
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
		return "the published results are not a tally encoding"
	}
	for i := range max(len(w.Categories), len(g.Categories)) {
		if i >= len(w.Categories) || i >= len(g.Categories) {
			return fmt.Sprintf("the published results have %d categories, the re-computed tally %d", len(g.Categories), len(w.Categories))
		}
		if w.Categories[i].CategoryID != g.Categories[i].CategoryID || !bytes.Equal(w.Categories[i].Rest, g.Categories[i].Rest) {
			return fmt.Sprintf("category %s differs from the re-computed tally", w.Categories[i].CategoryID)
		}
	}
	return "the published results differ from the re-computed tally outside the categories"
}

// checkReceipt finds the cast a receipt names and proves its leaf is in the tree; once tallied, it
// also says whether that cast is the juror's last one, the one counted.
func checkReceipt(s *Summary, events []logged, hashes [][]byte, cp auditlog.Checkpoint, receipt string, tallied bool) error {
	if receipt == "" {
		return nil
	}
	var mine *logged
	var juror string
	lastOf := map[string]string{}
	for _, l := range events {
		if event.Kind(l.event.Kind) != event.BallotCast {
			continue
		}
		var p castEvent
		if err := payload(l, &p); err != nil {
			return err
		}
		lastOf[p.JurorID] = p.BallotHash
		if p.BallotHash == receipt {
			mine, juror = &l, p.JurorID
		}
	}
	if mine == nil {
		return fmt.Errorf("receipt %s: no cast with this hash is in the log", receipt)
	}
	p, err := auditlog.InclusionProof(hashes, uint64(mine.leaf), cp.Size)
	if err == nil {
		err = proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(mine.leaf), cp.Size, hashes[mine.leaf], p, cp.Root)
	}
	if err != nil {
		return fmt.Errorf("receipt %s: leaf %d is not proved in the tree: %w", receipt, mine.leaf, err)
	}
	s.Receipt = fmt.Sprintf("receipt %s is leaf %d, included in the tree of size %d", receipt, mine.leaf, cp.Size)
	if tallied {
		if lastOf[juror] == receipt {
			s.Receipt += ", and it is the juror's last cast: counted"
		} else {
			s.Receipt += ", but the juror cast again later: the later cast is the one counted"
		}
	}
	return nil
}
