package jury

import (
	"context"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/miasta-otwarte/miasta/internal/jury/jurydb"
)

// editionCache keeps, per edition, the two things every ballot save and cast reads that cannot
// change while the jury round is open: the frozen tally rule and the shortlist. An entry is used
// only when the ballot context the operation read in its own transaction says it is current, so a
// change made through another replica is never served stale:
//
//   - the rule by its version and hash (a frozen rule cannot change at all; the check costs
//     nothing, as the context query reads them anyway);
//   - the shortlist by the edition row's version (xmin and update time). The shortlist changes only
//     in REVIEW, and the move back to JURY writes the edition row, so while the context query's share
//     lock holds that row version the shortlist is the one read under it.
type editionCache struct {
	mu         sync.Mutex
	rules      map[uuid.UUID]cachedRule
	shortlists map[uuid.UUID]cachedShortlist
}

type cachedRule struct {
	version int64
	hash    string
	rule    StoredRule
}

type editionVersion struct {
	xmin    int64
	updated int64 // update time, Unix microseconds (PostgreSQL's resolution)
}

type cachedShortlist struct {
	at          editionVersion
	nominations map[uuid.UUID]jurydb.ListEditionNominationsRow
}

func newEditionCache() *editionCache {
	return &editionCache{rules: map[uuid.UUID]cachedRule{}, shortlists: map[uuid.UUID]cachedShortlist{}}
}

// rule returns the edition's rule, from the cache when c shows the cached frozen rule is current.
func (ec *editionCache) rule(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, c jurydb.GetBallotContextRow) (StoredRule, error) {
	if c.RuleFrozen {
		ec.mu.Lock()
		hit, ok := ec.rules[editionID]
		ec.mu.Unlock()
		if ok && hit.version == c.RuleVersion && hit.hash == c.RuleHash {
			return hit.rule, nil
		}
	}
	r, _, err := loadRule(ctx, tx, editionID, false)
	if err != nil {
		return StoredRule{}, err
	}
	if r.Frozen && r.Version == c.RuleVersion && r.Hash == c.RuleHash {
		ec.mu.Lock()
		ec.rules[editionID] = cachedRule{version: r.Version, hash: r.Hash, rule: r}
		ec.mu.Unlock()
	}
	return r, nil
}

// shortlist returns the edition's nominations by id, from the cache when the edition row is the
// version the cached list was read under. The map is shared: callers must not change it.
func (ec *editionCache) shortlist(ctx context.Context, tx pgx.Tx, editionID uuid.UUID, c jurydb.GetBallotContextRow) (map[uuid.UUID]jurydb.ListEditionNominationsRow, error) {
	at := editionVersion{xmin: c.EditionXmin, updated: c.EditionUpdateTime.UnixMicro()}
	ec.mu.Lock()
	hit, ok := ec.shortlists[editionID]
	ec.mu.Unlock()
	if ok && hit.at == at {
		return hit.nominations, nil
	}
	rows, err := jurydb.New().ListEditionNominations(ctx, tx, editionID)
	if err != nil {
		return nil, err
	}
	noms := make(map[uuid.UUID]jurydb.ListEditionNominationsRow, len(rows))
	for _, n := range rows {
		noms[n.ID] = n
	}
	ec.mu.Lock()
	ec.shortlists[editionID] = cachedShortlist{at: at, nominations: noms}
	ec.mu.Unlock()
	return noms, nil
}
