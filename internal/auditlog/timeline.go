package auditlog

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/page"
)

// TimelineEvent is one event of an edition as its organisers read it (ListEditionEvents).
type TimelineEvent struct {
	ID        int64
	Kind      string
	Time      time.Time
	ActorRole string
	ActorID   uuid.UUID
	ActorName string
	Reason    string
	Body      []byte // the canonical body its leaf commits to
	LeafIndex int64  // -1 until integrated
}

type timelineCursor struct {
	Before int64 `json:"b"`
}

// Timeline returns a page of the edition's events, newest first, those of a kind starting with
// kindPrefix only (all when empty).
func (l *Log) Timeline(ctx context.Context, editionID uuid.UUID, kindPrefix string, size int32, token string) ([]TimelineEvent, string, error) {
	var cur timelineCursor
	if err := page.Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if _, err := edition.Load(ctx, l.pool, editionID); err != nil {
		return nil, "", err
	}
	size = page.Size(size, 100)
	rows, err := l.q.ListEditionEvents(ctx, l.pool, auditlogdb.ListEditionEventsParams{
		EditionID: &editionID, KindPrefix: kindPrefix, BeforeID: cur.Before, MaxRows: size + 1,
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]TimelineEvent, 0, len(rows))
	for _, r := range rows {
		body, err := Body(r.ID, &editionID, r.Kind, r.ActorRole, r.ActorID, r.Payload, r.CreateTime)
		if err != nil {
			return nil, "", err
		}
		ev := TimelineEvent{ID: r.ID, Kind: r.Kind, Time: r.CreateTime, ActorName: r.ActorName, Reason: r.Reason, Body: body, LeafIndex: r.LeafIndex}
		if r.ActorRole != nil && r.ActorID != nil {
			ev.ActorRole, ev.ActorID = *r.ActorRole, *r.ActorID
		}
		out = append(out, ev)
	}
	out, next := page.Cut(out, size, func(e TimelineEvent) any { return timelineCursor{Before: e.ID} })
	return out, next, nil
}
