package verify

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/transparency-dev/merkle/compact"
)

// Checks names every check of §11, in the order they run.
var Checks = []struct{ ID, Name string }{
	{"S1", "canonical"}, {"S2", "bundle"}, {"S3", "events"},
	{"K1", "key"}, {"K2", "checkpoint"}, {"K3", "tree"}, {"K4", "pinned checkpoints"}, {"K5", "witnesses"},
	{"E1", "edition"}, {"E2", "replay"}, {"E3", "stages"}, {"E4", "timing"}, {"E5", "references"},
	{"D1", "disclosure"}, {"R1", "rule"},
	{"C1", "casts in the log"}, {"C2", "cast contents"}, {"C3", "ballots"}, {"M1", "marks"},
	{"T1", "tallies"}, {"T2", "decisions"}, {"T3", "announcement"}, {"T4", "published tally"},
	{"P1", "receipt"},
}

// Failure is a failed check: its identifier (S1 … P1) and what is at fault.
type Failure struct {
	Check string
	Msg   string
}

func (f *Failure) Error() string {
	for _, c := range Checks {
		if c.ID == f.Check {
			return fmt.Sprintf("%s %s: %s", f.Check, c.Name, f.Msg)
		}
	}
	return f.Check + ": " + f.Msg
}

func fail(check, format string, args ...any) *Failure {
	return &Failure{Check: check, Msg: fmt.Sprintf(format, args...)}
}

// Options are a verification's inputs besides the bundle.
type Options struct {
	// Key is the log's verifier key, obtained independently of the bundle.
	Key string
	// TrustBundleKey uses the key the bundle names instead; the summary says so.
	TrustBundleKey bool
	// Receipt, when set, is a ballot hash to find and prove (check P1).
	Receipt string
	// Checkpoints are signed checkpoints saved earlier, which the bundle's log must extend (check K4).
	Checkpoints []string
	// Witnesses are the verifier keys of witnesses (Ed25519 cosignature/v1, §4.3) whose cosignatures
	// of the checkpoint to check (K5), obtained independently like Key.
	Witnesses []string
	// WitnessThreshold is how many of Witnesses must have cosigned the checkpoint; 0 means all.
	WitnessThreshold int

	skip string
}

// entry is one log entry after S1–S3.
type entry struct {
	digest  bool
	edition string // the leaf's edition ("" for a platform leaf)
	event   *Event // nil for a digest entry
}

// bundle is a parsed bundle.
type bundle struct {
	format, editionID, publication, verifierKey, checkpoint string
	year                                                    int64
	entries                                                 []entry
	leafHashes                                              [][]byte
	blocks                                                  []*compact.Range // the tree over consecutive runs of leaves
	has                                                     map[string]bool
	rule                                                    Rule
	ruleRaw                                                 []byte
	casts                                                   []castEntry
	marks                                                   []MarksEntry
	tallyRaw                                                []byte
}

var bundleFields = []Field{
	{"casts", 0, true}, {"checkpoint", 0, false}, {"edition_id", 0, false}, {"format", 0, false}, {"log", 0, false},
	{"marks", 0, true}, {"publication", 0, false}, {"rule", 0, true}, {"tally", 0, true}, {"verifier_key", 0, false}, {"year", 0, false},
}

// Verify checks a bundle (§11) and returns what it established, or the first failed check as a
// *Failure.
func Verify(data []byte, opts Options) (*Summary, error) {
	b, err := parseBundle(data)
	if err != nil {
		return nil, err
	}
	v := &verifier{b: b, opts: opts}
	for _, step := range []func() *Failure{v.k, v.k4, v.k5, v.e1, v.e2, v.e3, v.e4, v.e5, v.d1, v.r1, v.c1, v.c2, v.c3, v.m1, v.t1, v.t2, v.t3, v.t4, v.p1} {
		if f := step(); f != nil {
			return nil, f
		}
	}
	return v.summary(), nil
}

// parseBundle runs S1–S3. The log's entries are parsed, checked and hashed in parallel, while the rest
// of the bundle is still being split; whichever check fails, the lowest-numbered one is reported, and
// within it the first entry.
func parseBundle(data []byte) (*bundle, *Failure) {
	lp := startLog()
	ms, err := canon.MembersSplitting(data, logBlock, map[string]func(int, [][]byte){"log": lp.add, "casts": lp.addCasts})
	entries, hashes, blocks, casts, f, castFail := lp.finish()
	if err != nil {
		return nil, fail("S1", "%v", err)
	}
	b := &bundle{has: map[string]bool{}}
	values := map[string]canon.Value{}
	hasLog := false
	var s2 *Failure
	for _, m := range ms {
		_, ok := slices.BinarySearchFunc(bundleFields, m.Name, func(f Field, n string) int { return strings.Compare(f.Name, n) })
		if m.Name == "log" && m.Raw[0] == '[' {
			hasLog = true
			b.has["log"] = true
			continue
		}
		if m.Name == "casts" && m.Raw[0] == '[' {
			b.has["casts"], b.casts = true, casts
			continue
		}
		v, err := canon.Parse(m.Raw)
		if err != nil {
			return nil, fail("S1", "member %q: %v", m.Name, err)
		}
		if !ok {
			if s2 == nil {
				s2 = fail("S2", "the bundle has a member %q that the specification does not define", m.Name)
			}
			continue
		}
		if m.Name == "log" {
			if s2 == nil {
				s2 = fail("S2", "the log is a %s, not an array", v.Kind())
			}
			continue
		}
		values[m.Name] = v
		b.has[m.Name] = true
	}
	if f != nil && f.Check == "S1" {
		return nil, f
	}
	if castFail != nil && castFail.Check == "S1" {
		return nil, castFail
	}
	if s2 != nil {
		return nil, s2
	}
	if g := b.shape(values, hasLog); g != nil {
		return nil, g
	}
	if castFail != nil {
		return nil, castFail
	}
	if f != nil {
		return nil, f
	}
	b.entries, b.leafHashes, b.blocks = entries, hashes, blocks
	return b, nil
}

// shape checks the bundle's members other than the log entries (S2).
func (b *bundle) shape(values map[string]canon.Value, hasLog bool) *Failure {
	for _, f := range bundleFields {
		if !f.Optional && !b.has[f.Name] {
			return fail("S2", "the bundle lacks the member %q", f.Name)
		}
	}
	if !hasLog {
		return fail("S2", "the bundle lacks the member \"log\"")
	}
	var err error
	get := func(name string, f func(canon.Value) error) {
		if v, ok := values[name]; ok && err == nil {
			if e := f(v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	}
	get("format", func(v canon.Value) error {
		s, err := str(v)
		if err == nil && s != BundleFormat {
			err = fmt.Errorf("%q is not %q", s, BundleFormat)
		}
		b.format = s
		return err
	})
	get("edition_id", func(v canon.Value) (err error) { b.editionID, err = uuidOf(v); return })
	get("year", func(v canon.Value) error {
		n, err := intIn(v, 2014, 2100)
		b.year = int64(n)
		return err
	})
	get("publication", func(v canon.Value) (err error) {
		b.publication, err = oneOf(v, []string{PublishAggregates, PublishNames, PublishPseudonyms})
		return
	})
	get("verifier_key", func(v canon.Value) (err error) { b.verifierKey, err = str(v); return })
	get("checkpoint", func(v canon.Value) (err error) { b.checkpoint, err = str(v); return })
	get("rule", func(v canon.Value) (err error) {
		b.ruleRaw = v.Raw()
		b.rule, err = parseRule(v)
		return
	})
	get("casts", func(v canon.Value) error { return fmt.Errorf("is a %s, not an array", v.Kind()) })
	get("marks", func(v canon.Value) error {
		return array(v, func(_ int, e canon.Value) error {
			me, err := parseMarksEntry(e)
			b.marks = append(b.marks, me)
			return err
		})
	})
	get("tally", func(v canon.Value) error {
		b.tallyRaw = v.Raw()
		if v.Kind() != canon.Object {
			return fmt.Errorf("is not an object")
		}
		var format canon.Value
		found := false
		v.Members(func(name string, m canon.Value) bool {
			if name == "format" {
				format, found = m, true
			}
			return true
		})
		if !found || format.Kind() != canon.String || format.Str() != TallyFormat {
			return fmt.Errorf("its format is not %q", TallyFormat)
		}
		return nil
	})
	if err != nil {
		return fail("S2", "%v", err)
	}
	return nil
}

// logBlock is how many log entries a worker takes at a time: a power of two, so that each block is a
// whole subtree of the Merkle tree.
const logBlock = 2048

// logParser parses, checks and hashes the log's entries in parallel, a block at a time as the bundle's
// splitter hands them over; each worker also builds the Merkle tree over its block's leaves, which K3
// joins.
type logParser struct {
	work chan logJob
	wg   sync.WaitGroup
	mu   sync.Mutex
	done []logJob
}

type logJob struct {
	first   int
	elems   [][]byte
	isCasts bool        // elems are cast entries (§10), not log entries
	casts   []castEntry // the cast entries parsed
	entries []entry
	hashes  [][]byte
	tree    *compact.Range
	fail    *Failure // the block's first failure of its lowest-numbered check
}

func startLog() *logParser {
	lp := &logParser{work: make(chan logJob, 2*runtime.GOMAXPROCS(0))}
	for range runtime.GOMAXPROCS(0) {
		lp.wg.Go(lp.worker)
	}
	return lp
}

func (lp *logParser) add(first int, elems [][]byte) { lp.work <- logJob{first: first, elems: elems} }

func (lp *logParser) addCasts(first int, elems [][]byte) {
	lp.work <- logJob{first: first, elems: elems, isCasts: true}
}

func (lp *logParser) worker() {
	var d canon.Doc
	var slab []val
	var events []Event // events are taken from here in order, so a block of digests makes none
	h := newHasher()
	rf := newRangeFactory()
	for j := range lp.work {
		if j.isCasts {
			j.casts = make([]castEntry, len(j.elems))
			for k, raw := range j.elems {
				v, err := canon.ParseInto(&d, raw)
				if err != nil {
					j.fail = fail("S1", "cast %d: %v", j.first+k+1, err)
					break
				}
				if j.casts[k], err = parseCastEntry(v); err != nil && j.fail == nil {
					j.fail = fail("S2", "casts: element %d: %v", j.first+k, err)
				}
			}
			j.elems = nil
			lp.mu.Lock()
			lp.done = append(lp.done, j)
			lp.mu.Unlock()
			continue
		}
		n := len(j.elems)
		j.entries, j.hashes = make([]entry, n), make([][]byte, n)
		backing := make([]byte, n*sha256.Size)
		for k, raw := range j.elems {
			i := j.first + k
			f := parseEntry(&d, h, &slab, &events, raw, i, &j.entries[k], backing[k*sha256.Size:k*sha256.Size:(k+1)*sha256.Size])
			if f != nil {
				if j.fail == nil || checkOrder(f.Check) < checkOrder(j.fail.Check) {
					j.fail = f
				}
				if f.Check == "S1" {
					break
				}
				continue
			}
			j.hashes[k] = backing[k*sha256.Size : (k+1)*sha256.Size]
		}
		if j.fail == nil {
			j.tree = rf.NewEmptyRange(uint64(j.first))
			for _, h := range j.hashes {
				if err := j.tree.Append(h, nil); err != nil {
					panic(err) // a range that starts empty takes any leaf hash
				}
			}
		}
		j.elems = nil
		lp.mu.Lock()
		lp.done = append(lp.done, j)
		lp.mu.Unlock()
	}
}

// finish waits for the workers and returns the entries, their leaf hashes and the trees of their
// blocks in log order, with the first failure of the lowest-numbered check; and the cast entries with
// their first failure.
func (lp *logParser) finish() ([]entry, [][]byte, []*compact.Range, []castEntry, *Failure, *Failure) {
	close(lp.work)
	lp.wg.Wait()
	slices.SortFunc(lp.done, func(a, b logJob) int { return a.first - b.first })
	n := 0
	for _, j := range lp.done {
		n += len(j.entries)
	}
	entries, hashes := make([]entry, 0, n), make([][]byte, 0, n)
	trees := make([]*compact.Range, 0, len(lp.done))
	var casts []castEntry
	var worst, castFail *Failure
	for _, j := range lp.done {
		if j.isCasts {
			casts = append(casts, j.casts...)
			if j.fail != nil && (castFail == nil || checkOrder(j.fail.Check) < checkOrder(castFail.Check)) {
				castFail = j.fail
			}
			continue
		}
		entries, hashes, trees = append(entries, j.entries...), append(hashes, j.hashes...), append(trees, j.tree)
		if j.fail != nil && (worst == nil || checkOrder(j.fail.Check) < checkOrder(worst.Check)) {
			worst = j.fail
		}
	}
	return entries, hashes, trees, casts, worst, castFail
}

func checkOrder(id string) int {
	return slices.IndexFunc(Checks, func(c struct{ ID, Name string }) bool { return c.ID == id })
}

// parseEntry handles one log entry: S1 (canonical), S2 (a digest entry's shape), S3 (an event).
func parseEntry(d *canon.Doc, h *hasher, slab *[]val, events *[]Event, raw []byte, i int, out *entry, hash []byte) *Failure {
	if digest, edition, ok := plainDigest(raw); ok {
		out.digest, out.edition = true, edition
		h.digestLeaf(hash, edition, digest)
		return nil
	}
	v, err := canon.ParseInto(d, raw)
	if err != nil {
		return fail("S1", "log entry %d: %v", i, err)
	}
	if v.Kind() != canon.Object {
		return fail("S2", "log entry %d is a %s, not an object", i, v.Kind())
	}
	isDigest := false
	v.Members(func(name string, _ canon.Value) bool {
		isDigest = isDigest || name == "digest"
		return !isDigest
	})
	if isDigest {
		var digest string
		err := membersOf(v, func() string { return fmt.Sprintf("log entry %d", i) }, digestFields, func(k int, m canon.Value) error {
			if k == 0 {
				s, err := str(m)
				if err == nil && (len(s) != 2*sha256.Size || !lowerHex(s)) {
					err = fmt.Errorf("%q is not 64 lowercase hexadecimal digits", s)
				}
				digest = s
				return err
			}
			if m.Kind() == canon.Null {
				return nil
			}
			var err error
			out.edition, err = uuidOf(m)
			return err
		})
		if err != nil {
			return fail("S2", "%v", err)
		}
		out.digest = true
		h.digestLeaf(hash, out.edition, digest)
		return nil
	}
	if len(*events) == 0 {
		*events = make([]Event, 256)
	}
	ev := &(*events)[0]
	*events = (*events)[1:]
	if err := decodeEvent(v, i, ev, slab); err != nil {
		return fail("S3", "log entry %d: %v", i, err)
	}
	out.event, out.edition = ev, ev.EditionID
	h.eventLeaf(hash, ev.EditionID, raw)
	return nil
}

// plainDigest reads a digest entry in the one form a valid one has, byte for byte:
// {"digest":"<64 lowercase hex digits>","edition_id":"<uuid>"} or with "edition_id":null. Any text
// that matches is canonical and passes S2, so most of a log (other editions' leaves) is checked
// without parsing; anything else takes the general path, which names what is wrong.
func plainDigest(raw []byte) (digest, edition string, ok bool) {
	const head, mid = `{"digest":"`, `","edition_id":`
	s := unsafe.String(unsafe.SliceData(raw), len(raw))
	if len(s) < len(head)+64+len(mid)+5 || s[:len(head)] != head || s[len(head)+64:len(head)+64+len(mid)] != mid || s[len(s)-1] != '}' {
		return "", "", false
	}
	digest, rest := s[len(head):len(head)+64], s[len(head)+64+len(mid):len(s)-1]
	if !lowerHex(digest) {
		return "", "", false
	}
	switch {
	case rest == "null":
		return digest, "", true
	case len(rest) == 38 && rest[0] == '"' && rest[37] == '"' && IsUUID(rest[1:37]):
		return digest, rest[1:37], true
	}
	return "", "", false
}

// verifier runs the checks after S3 over a parsed bundle.
type verifier struct {
	b         *bundle
	opts      Options
	cp        Checkpoint
	keyNote   string
	trusted   string     // the trusted key: the log's key
	rotations []rotation // the key rotations of the log, in leaf order
	pinned    []Pinned
	witnesses []Witness // what K5 found of each given witness
	threshold int       // how many of them K5 required
	evs       []*Event  // the edition's events, in log order
	stageAt   []string  // the stage at each of evs
	final     string    // the final stage
	// filled by the checks as they run
	frozenHash string
	rule       tally.Rule
	closes     []int // positions in evs of each close
	casts      []castInfo
	criteria   map[string]int // criterion id → number
	categories map[string]int // category id → number
	tallies    [][]tallyAt    // per close: its tally, then one per jury decision after it
	prepared   map[int]*tally.Prepared
	decisions  []*Event
	receipt    string
	notes      []string
}

// fail reports a failed check, or nil when the check is skipped (tests of the vectors skip the check a
// vector must fail, to show that no other check fails it).
func (v *verifier) fail(check, format string, args ...any) *Failure {
	if check == v.opts.skip {
		return nil
	}
	return fail(check, format, args...)
}

func (v *verifier) note(format string, args ...any) {
	v.notes = append(v.notes, fmt.Sprintf(format, args...))
}

type nomination struct{ category, city, practice string }

type castInfo struct {
	pos     int // in evs
	ev      *Event
	content *Cast
	raw     []byte
}

type tallyAt struct {
	result tally.Result
	canon  []byte
	hash   string
}

// rotation is a key rotation of the log (§4.4): from its leaf on, key signs checkpoints.
type rotation struct {
	leaf int
	key  string
}

// keyAt is the key in force at size n (§4.4).
func (v *verifier) keyAt(first string, n int) string {
	key := first
	for _, r := range v.rotations {
		if r.leaf < n {
			key = r.key
		}
	}
	return key
}

func (v *verifier) k() *Failure {
	key := v.opts.Key
	switch {
	case key == "" && v.opts.TrustBundleKey:
		key = v.b.verifierKey
		v.keyNote = "the key was taken from the bundle itself, not obtained independently: this proves only that the bundle is consistent with a key its publisher chose"
	case key == "":
		if f := v.fail("K1", "no key to trust was given (give the log's key obtained independently, or choose explicitly to trust the bundle's own key)"); f != nil {
			return f
		}
	}
	if _, err := ParseVerifierKey(key); err != nil {
		if f := v.fail("K1", "%v", err); f != nil {
			return f
		}
	}
	if v.b.verifierKey != key {
		if f := v.fail("K1", "the bundle names the key %q, not the trusted key", v.b.verifierKey); f != nil {
			return f
		}
	}
	v.trusted = key
	current := key
	for i, e := range v.b.entries {
		if e.event == nil || e.event.Kind != "log.key_rotated" {
			continue
		}
		next := e.event.Str("verifier_key")
		if err := VerifyRotation(current, next, e.event.Str("signature")); err != nil {
			if f := v.fail("K2", "the key rotation at leaf %d: %v", i, err); f != nil {
				return f
			}
		}
		v.rotations = append(v.rotations, rotation{leaf: i, key: next})
		current = next
	}
	verifier, err := ParseVerifierKey(current)
	if err != nil {
		if f := v.fail("K2", "%v", err); f != nil {
			return f
		}
	}
	cp, err := OpenCheckpoint(v.b.checkpoint, verifier)
	if err != nil {
		err = fmt.Errorf("%w (the trusted key, followed through the log's %d key rotations; a rotation given only as a digest is not followed)", err, len(v.rotations))
		if f := v.fail("K2", "%v", err); f != nil {
			return f
		}
	}
	v.cp = cp
	if uint64(len(v.b.entries)) != cp.Size {
		if f := v.fail("K3", "the log has %d entries but the checkpoint signs a tree of %d", len(v.b.entries), cp.Size); f != nil {
			return f
		}
	}
	// The workers that parsed the log built the tree over each block of leaves: join them.
	rf := newRangeFactory()
	t := &Tree{r: rf.NewEmptyRange(0)}
	for _, b := range v.b.blocks {
		r, err := rf.NewRange(b.Begin(), b.End(), b.Hashes())
		if err == nil {
			err = t.r.AppendRange(r, nil)
		}
		if err != nil {
			if f := v.fail("K3", "%v", err); f != nil {
				return f
			}
		}
	}
	root, err := t.Root()
	if err != nil {
		if f := v.fail("K3", "%v", err); f != nil {
			return f
		}
	}
	if !bytes.Equal(root, cp.Root) {
		if f := v.fail("K3", "the log's %d leaves do not rebuild the signed root: an entry was changed, added, removed or reordered", len(v.b.entries)); f != nil {
			return f
		}
	}
	return nil
}

// Pinned is a checkpoint saved earlier that the bundle's log extends (check K4).
type Pinned struct {
	Size uint64
	Root []byte
}

func (v *verifier) k4() *Failure {
	for i, signed := range v.opts.Checkpoints {
		// The size decides the key: read it before the signature is checked.
		size, ok := checkpointSize(signed)
		if !ok {
			if f := v.fail("K4", "pinned checkpoint %d is not a checkpoint of %s", i+1, Origin); f != nil {
				return f
			}
			continue
		}
		if size > uint64(len(v.b.entries)) {
			if f := v.fail("K4", "pinned checkpoint %d has %d leaves, more than the bundle's %d: the bundle is older than it, or not of its log", i+1, size, len(v.b.entries)); f != nil {
				return f
			}
			continue
		}
		verifier, err := ParseVerifierKey(v.keyAt(v.trusted, int(size)))
		var cp Checkpoint
		if err == nil {
			cp, err = OpenCheckpoint(signed, verifier)
		}
		if err != nil {
			if f := v.fail("K4", "pinned checkpoint %d (size %d): %v", i+1, size, err); f != nil {
				return f
			}
			continue
		}
		root, err := Root(v.b.leafHashes[:size])
		if err != nil || !bytes.Equal(root, cp.Root) {
			if f := v.fail("K4", "the bundle's first %d leaves do not rebuild pinned checkpoint %d's root: the log was rewritten after that checkpoint, or is another log", size, i+1); f != nil {
				return f
			}
			continue
		}
		v.pinned = append(v.pinned, Pinned{Size: cp.Size, Root: cp.Root})
	}
	return nil
}

// checkpointSize reads the size line of a signed checkpoint without checking its signature.
func checkpointSize(signed string) (uint64, bool) {
	lines := strings.SplitN(signed, "\n", 4)
	if len(lines) < 4 || lines[0] != Origin {
		return 0, false
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] || size > 1<<53-1 {
		return 0, false
	}
	return size, true
}

func (v *verifier) e1() *Failure {
	for i, e := range v.b.entries {
		switch {
		case !e.digest && e.event.Kind == "log.key_rotated":
			continue // the log's, not the edition's (S3 saw its edition is null)
		case e.digest && e.edition == v.b.editionID:
			if f := v.fail("E1", "log entry %d is a digest of one of the edition's own events: the bundle hides it", i); f != nil {
				return f
			}
		case !e.digest && e.edition != v.b.editionID:
			if f := v.fail("E1", "log entry %d is an event of another edition or of the platform, given in full", i); f != nil {
				return f
			}
		case !e.digest:
			v.evs = append(v.evs, e.event)
		}
	}
	if len(v.evs) == 0 {
		if f := v.fail("E1", "the log has no event of the edition %s", v.b.editionID); f != nil {
			return f
		}
	}
	first := v.evs[0]
	if first.Kind != "edition.created" {
		if f := v.fail("E1", "the edition's first event is %s, not edition.created", first.Kind); f != nil {
			return f
		}
	}
	if first.Int("year") != v.b.year {
		if f := v.fail("E1", "the bundle says %d but the edition was created for %d", v.b.year, first.Int("year")); f != nil {
			return f
		}
	}
	if first.Str("publication") != v.b.publication {
		if f := v.fail("E1", "the bundle says publication %q but the edition was created with %q", v.b.publication, first.Str("publication")); f != nil {
			return f
		}
	}
	for _, e := range v.evs[1:] {
		if e.Kind == "edition.created" {
			if f := v.fail("E1", "%s creates the edition a second time", e); f != nil {
				return f
			}
		}
	}
	return nil
}

func (v *verifier) e2() *Failure {
	// Ids mostly rise all along the log (they are given in the order events are written, and the log
	// takes them nearly in that order), and then none repeats; otherwise a map finds the repeat.
	increasing := true
	for i := 1; i < len(v.evs) && increasing; i++ {
		increasing = v.evs[i].ID > v.evs[i-1].ID
	}
	if increasing {
		return nil
	}
	seen := make(map[int64]int, len(v.evs))
	for _, e := range v.evs {
		if prev, dup := seen[e.ID]; dup {
			if f := v.fail("E2", "event id %d appears at leaves %d and %d: an event was replayed", e.ID, prev, e.Index); f != nil {
				return f
			}
		}
		seen[e.ID] = e.Index
	}
	return nil
}

func (v *verifier) e3() *Failure {
	stage := "DRAFT"
	v.stageAt = make([]string, len(v.evs))
	for i, e := range v.evs {
		v.stageAt[i] = stage
		if e.Kind != "edition.stage_changed" {
			continue
		}
		from, to, reason, override := e.Str("from"), e.Str("to"), e.Str("reason"), e.Bool("override")
		fi, ti := stageIndex(from), stageIndex(to)
		switch {
		case from != stage:
			if f := v.fail("E3", "%s moves from %s, but the edition is in %s", e, from, stage); f != nil {
				return f
			}
		case ti == fi+1:
			if override && reason == "" {
				if f := v.fail("E3", "%s overrides a guard without a reason", e); f != nil {
					return f
				}
			}
			if !override && reason != "" {
				if f := v.fail("E3", "%s is a plain forward move but carries a reason", e); f != nil {
					return f
				}
			}
		case ti == fi-1:
			if from == "ANNOUNCED" {
				if f := v.fail("E3", "%s moves an announced edition back", e); f != nil {
					return f
				}
			}
			if reason == "" {
				if f := v.fail("E3", "%s moves back from %s to %s without a reason", e, from, to); f != nil {
					return f
				}
			}
			if override {
				if f := v.fail("E3", "%s is a move back marked as an override", e); f != nil {
					return f
				}
			}
		default:
			if f := v.fail("E3", "%s moves from %s to %s, not one stage", e, from, to); f != nil {
				return f
			}
		}
		stage = to
	}
	v.final = stage
	return nil
}

// allowed lists the stages each kind may occur in (E4's table); nil: every stage.
var allowed = map[string][]string{
	"edition.timeline_set":     {"DRAFT", "REPORTING", "REVIEW", "JURY", "TALLIED"},
	"edition.city_added":       {"DRAFT"},
	"edition.city_removed":     {"DRAFT"},
	"category.created":         {"DRAFT"},
	"criterion.created":        {"DRAFT"},
	"invitation.created":       {"DRAFT", "REPORTING", "REVIEW", "JURY"},
	"invitation.revoked":       {"DRAFT", "REPORTING", "REVIEW", "JURY"},
	"assignment.revoked":       {"DRAFT", "REPORTING", "REVIEW", "JURY"},
	"report.saved":             {"REPORTING", "REVIEW"},
	"report.submitted":         {"REPORTING", "REVIEW"},
	"report.returned":          {"REPORTING", "REVIEW"},
	"report.accepted":          {"REPORTING", "REVIEW"},
	"shortlist.nominated":      {"REVIEW"},
	"shortlist.unnominated":    {"REVIEW"},
	"tally_rule.set":           {"DRAFT", "REPORTING", "REVIEW"},
	"ballot.cast":              {"JURY"},
	"ballot.conflict_declared": {"JURY"},
	"ballot.abstained":         {"JURY"},
	"tally.jury_decision":      {"TALLIED"},
	"city.created":             {}, // a platform event: never one of an edition's
}

func (v *verifier) e4() *Failure {
	openings, frozen := 0, false
	for i, e := range v.evs {
		if st, ok := allowed[e.Kind]; ok && !slices.Contains(st, v.stageAt[i]) {
			if f := v.fail("E4", "%s happens in %s", e, v.stageAt[i]); f != nil {
				return f
			}
		}
		var prev *Event
		if i > 0 {
			prev = v.evs[i-1]
		}
		moved := func(p *Event, from, to string) bool {
			return p != nil && p.Kind == "edition.stage_changed" && (from == "" || p.Str("from") == from) && p.Str("to") == to
		}
		if moved(prev, "", "JURY") {
			openings++
		}
		firstOpening := moved(prev, "", "JURY") && openings == 1
		closed, announced := moved(prev, "JURY", "TALLIED"), moved(prev, "TALLIED", "ANNOUNCED")
		switch {
		case e.Kind == "tally_rule.frozen" && !firstOpening:
			if f := v.fail("E4", "%s is not the consequence of the first opening of the jury round", e); f != nil {
				return f
			}
		case e.Kind == "tally.computed" && !closed:
			if f := v.fail("E4", "%s does not follow a close of the jury round", e); f != nil {
				return f
			}
		case e.Kind == "results.announced" && !announced:
			if f := v.fail("E4", "%s does not follow the announcement", e); f != nil {
				return f
			}
		case e.Kind == "tally_rule.set" && frozen:
			if f := v.fail("E4", "%s changes the rule after it was frozen", e); f != nil {
				return f
			}
		case firstOpening && e.Kind != "tally_rule.frozen":
			if f := v.fail("E4", "the first opening of the jury round (leaf %d) is not followed by the freezing of the rule", prev.Index); f != nil {
				return f
			}
		case closed && e.Kind != "tally.computed":
			if f := v.fail("E4", "the close at leaf %d is not followed by its tally", prev.Index); f != nil {
				return f
			}
		case announced && e.Kind != "results.announced":
			if f := v.fail("E4", "the announcement at leaf %d is not followed by the results", prev.Index); f != nil {
				return f
			}
		}
		frozen = frozen || e.Kind == "tally_rule.frozen"
		if i == len(v.evs)-1 && (moved(e, "", "JURY") && openings == 0 || moved(e, "JURY", "TALLIED") || moved(e, "TALLIED", "ANNOUNCED")) {
			if f := v.fail("E4", "the log ends with %s, without its consequence", e); f != nil {
				return f
			}
		}
	}
	return nil
}
