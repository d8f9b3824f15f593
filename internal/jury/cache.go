package jury

import (
	"sync"

	"github.com/google/uuid"

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
