// Package verify builds an edition's self-contained audit bundle and checks one offline: the signed
// checkpoints, the Merkle tree the leaves rebuild, the frozen rule, every counted ballot, and the
// winners, re-tallied from the ballots under the rule, against the published results. Verify needs
// nothing but the bundle (and, to trust it, the log's public key obtained independently).
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/jury"
)

// Format names the bundle encoding.
const Format = "miasta-audit-bundle/1"

// Bundle is everything needed to check an edition offline. Byte fields are base64 in its JSON.
type Bundle struct {
	Format      string `json:"format"`
	EditionID   string `json:"edition_id"`
	Year        int32  `json:"year"`
	VerifierKey string `json:"verifier_key"`
	// Leaves are every leaf of the log up to the newest checkpoint (all editions: the tree covers
	// them all), in leaf order, each the canonical event encoding.
	Leaves [][]byte `json:"leaves"`
	// Checkpoints are the signed notes of the log, oldest first.
	Checkpoints []string `json:"checkpoints"`
	// Rule is the edition's tally rule in canonical JSON (its hash is in the rule-frozen event).
	Rule []byte `json:"rule,omitempty"`
	// Casts are the canonical contents of every ballot cast, once the round has closed.
	Casts [][]byte `json:"casts,omitempty"`
	// Results is the tally's canonical encoding, once the round has closed.
	Results []byte `json:"results,omitempty"`
}

// Marshal encodes a bundle.
func (b Bundle) Marshal() ([]byte, error) { return json.MarshalIndent(b, "", " ") }

// Parse decodes a bundle, refusing anything that is not exactly a bundle of this format.
func Parse(data []byte) (Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Bundle{}, fmt.Errorf("bundle: %w", err)
	}
	if dec.More() {
		return Bundle{}, fmt.Errorf("bundle: data after the bundle")
	}
	if b.Format != Format {
		return Bundle{}, fmt.Errorf("bundle: format %q, want %q", b.Format, Format)
	}
	return b, nil
}

// Export builds the bundle of the edition of year from the database, integrating pending events first.
// Ballots and results are in it once the edition is announced.
func Export(ctx context.Context, pool *pgxpool.Pool, l *auditlog.Log, j *jury.Service, year int32) (Bundle, error) {
	if err := l.Sync(ctx); err != nil {
		return Bundle{}, err
	}
	id, err := edition.IDForYear(ctx, pool, year)
	if err != nil {
		return Bundle{}, err
	}
	e, err := edition.Load(ctx, pool, id)
	if err != nil {
		return Bundle{}, err
	}
	b := Bundle{Format: Format, EditionID: id.String(), Year: year}
	if _, b.VerifierKey, err = l.Keys(ctx); err != nil {
		return Bundle{}, err
	}
	if b.Leaves, b.Checkpoints, err = l.Snapshot(ctx); err != nil {
		return Bundle{}, err
	}
	if e.Stage.Index() >= edition.Jury.Index() {
		if b.Rule, _, err = j.CanonicalRule(ctx, id); err != nil {
			return Bundle{}, err
		}
	}
	if e.Stage == edition.Announced {
		if b.Casts, err = j.CastContents(ctx, id); err != nil {
			return Bundle{}, err
		}
		if b.Results, err = j.StoredResult(ctx, id); err != nil {
			return Bundle{}, err
		}
	}
	return b, nil
}
