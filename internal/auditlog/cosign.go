package auditlog

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
)

// Witnesses' cosignatures (package witness collects them): each is one more signature line of the
// checkpoint's signed note, which the platform publishes with the note wherever it serves it (the
// checkpoint, the results, the bundles). The specification's §4.3 reads the platform's line and, when
// a verifier is given witness keys, theirs (check K5).

// cosigned returns cp with its witnesses' cosignature lines appended to its note (those not in it
// already).
func (l *Log) cosigned(ctx context.Context, q auditlogdb.DBTX, cp auditlogdb.Checkpoint) (auditlogdb.Checkpoint, error) {
	cs, err := l.q.CosignaturesAt(ctx, q, cp.TreeSize)
	if err != nil {
		return cp, err
	}
	for _, c := range cs {
		if !strings.Contains(cp.Note, c.Line) {
			cp.Note += c.Line
		}
	}
	return cp, nil
}

// Uncosigned is the newest checkpoint as the platform signed it, without cosignatures: what is sent
// to witnesses.
func (l *Log) Uncosigned(ctx context.Context) (size int64, note string, err error) {
	c, err := l.q.LatestCheckpoint(ctx, l.pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1, "", nil
	}
	return c.TreeSize, c.Note, err
}

// AddCosignature keeps a witness's cosignature line of the checkpoint of size (checked by the caller).
func (l *Log) AddCosignature(ctx context.Context, size int64, witnessKey, line string, at time.Time) error {
	if !strings.HasSuffix(line, "\n") {
		line += "\n"
	}
	return l.q.InsertCosignature(ctx, l.pool, auditlogdb.InsertCosignatureParams{TreeSize: size, WitnessKey: witnessKey, Line: line, CosignTime: at})
}

// WitnessedSize is the size of the largest checkpoint the witness cosigned, or -1.
func (l *Log) WitnessedSize(ctx context.Context, witnessKey string) (int64, error) {
	return l.q.WitnessedSize(ctx, l.pool, witnessKey)
}

// WitnessStatus is where a configured witness stands.
type WitnessStatus = auditlogdb.WitnessStatus

// SetWitnessStatus records a witness's last attempt: its cosigned size when known, and errText empty
// when it succeeded.
func (l *Log) SetWitnessStatus(ctx context.Context, witnessKey, url string, cosignedSize *int64, errText string) error {
	return l.q.UpsertWitnessStatus(ctx, l.pool, auditlogdb.UpsertWitnessStatusParams{WitnessKey: witnessKey, Url: url, CosignedSize: cosignedSize, LastError: errText})
}

// WitnessStatuses lists every witness any server was configured with, and where it stands.
func (l *Log) WitnessStatuses(ctx context.Context) ([]WitnessStatus, error) {
	return l.q.ListWitnessStatus(ctx, l.pool)
}
