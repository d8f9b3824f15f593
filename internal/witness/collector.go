package witness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	whttp "github.com/transparency-dev/witness/client/http"
	twitness "github.com/transparency-dev/witness/witness"
	"golang.org/x/mod/sumdb/note"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
)

// Peer is a witness the platform sends its checkpoints to.
type Peer struct {
	// URL is the witness's base URL (its tlog-witness add-checkpoint is URL/add-checkpoint).
	URL string
	// Key is its cosignature verifier key.
	Key      string
	verifier note.Verifier
	client   whttp.Witness
}

// Name is the witness's key name.
func (p Peer) Name() string { return p.verifier.Name() }

// ParsePeers reads the witnesses serve is configured with: entries "URL=KEY" separated by commas or
// white space, KEY a cosignature verifier key (`miasta witness key` prints it).
func ParsePeers(spec string, client *http.Client) ([]Peer, error) {
	var out []Peer
	seen := map[string]bool{}
	for _, entry := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		u, key, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fmt.Errorf("witness %q: want URL=KEY", entry)
		}
		base, err := url.Parse(u)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return nil, fmt.Errorf("witness %q: the URL must be http:// or https://", entry)
		}
		v, err := fnote.NewVerifierForCosignatureV1(key)
		if err != nil {
			return nil, fmt.Errorf("witness %s: its key %q is not a cosignature verifier key: %w", u, key, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("witness %s: its key is configured twice", u)
		}
		seen[key] = true
		out = append(out, Peer{URL: u, Key: key, verifier: v, client: whttp.NewWitness(base, client)})
	}
	return out, nil
}

// Collector sends each new checkpoint to every witness and keeps their cosignatures.
type Collector struct {
	log   *auditlog.Log
	peers []Peer
	out   *slog.Logger
}

// NewCollector returns a collector for the log's checkpoints.
func NewCollector(log *auditlog.Log, peers []Peer, out *slog.Logger) *Collector {
	return &Collector{log: log, peers: peers, out: out}
}

// Run collects every interval until ctx ends.
func (c *Collector) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round offers the newest checkpoint to every witness that has not cosigned it, and returns what
// went wrong with each that failed (also logged, and kept as the witness's status).
func (c *Collector) Round(ctx context.Context) map[string]error {
	failed := map[string]error{}
	size, cp, err := c.log.Uncosigned(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.out.ErrorContext(ctx, "witnesses: reading the newest checkpoint", "error", err)
		}
		return failed
	}
	if size < 0 {
		return failed // no checkpoint yet
	}
	for _, p := range c.peers {
		if err := c.offer(ctx, p, size, cp); err != nil && ctx.Err() == nil {
			failed[p.Name()] = err
			c.out.WarnContext(ctx, "witness did not cosign the checkpoint", "witness", p.Name(), "url", p.URL, "size", size, "error", err)
			if serr := c.log.SetWitnessStatus(ctx, p.Key, p.URL, nil, err.Error()); serr != nil {
				c.out.ErrorContext(ctx, "witness status", "error", serr)
			}
		}
	}
	return failed
}

// ErrRefused is a witness refusing the checkpoint as inconsistent with one it cosigned: the log it
// was shown before is not a prefix of this one.
var ErrRefused = errors.New("the witness refused the checkpoint as inconsistent with the last one it cosigned")

// offer sends the checkpoint of size to p with a proof from the last size p cosigned.
func (c *Collector) offer(ctx context.Context, p Peer, size int64, cp string) error {
	old, err := c.log.WitnessedSize(ctx, p.Key)
	if err != nil {
		return err
	}
	if old == size {
		return nil
	}
	if old < 0 {
		old = 0
	}
	for attempt := 0; ; attempt++ {
		var proof [][]byte
		if old > 0 { // the protocol sends no proof from the empty tree
			if proof, err = c.log.Consistency(ctx, old, size); err != nil {
				return err
			}
		}
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		sigs, theirs, err := p.client.Update(callCtx, uint64(old), []byte(cp), proof)
		cancel()
		switch {
		case errors.Is(err, twitness.ErrCheckpointStale) && attempt == 0 && int64(theirs) <= size:
			old = int64(theirs) // it cosigned another size (for another server, or before we kept it)
			continue
		case errors.Is(err, twitness.ErrCheckpointStale):
			return fmt.Errorf("the witness has cosigned a checkpoint of size %d, larger than this log's %d: it was shown another log", theirs, size)
		case errors.Is(err, twitness.ErrInvalidProof), errors.Is(err, twitness.ErrRootMismatch):
			return ErrRefused
		case err != nil:
			return err
		}
		return c.keep(ctx, p, size, cp, sigs)
	}
}

// keep checks the witness's cosignature of the checkpoint and stores it.
func (c *Collector) keep(ctx context.Context, p Peer, size int64, cp string, sigs []byte) error {
	var line string
	var at time.Time
	for _, l := range strings.SplitAfter(string(sigs), "\n") {
		if l == "" || l == "\n" {
			continue
		}
		n, err := note.Open([]byte(cp+strings.TrimSuffix(l, "\n")+"\n"), note.VerifierList(p.verifier))
		if err != nil || len(n.Sigs) != 1 {
			continue
		}
		t, err := fnote.CoSigV1Timestamp(n.Sigs[0])
		if err != nil {
			continue
		}
		line, at = l, t
		break
	}
	if line == "" {
		return fmt.Errorf("the witness answered without a valid cosignature by its key %s", p.Key)
	}
	if err := c.log.AddCosignature(ctx, size, p.Key, line, at); err != nil {
		return err
	}
	c.out.InfoContext(ctx, "witness cosigned the checkpoint", "witness", p.Name(), "size", size)
	return c.log.SetWitnessStatus(ctx, p.Key, p.URL, &size, "")
}
