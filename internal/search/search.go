// Package search finds the public practices (accepted reports of announced editions) by their text
// and filters. The index is PostgreSQL's (migrations/00017_search.sql): a table of the public
// practices that triggers keep current, so that draft saves never pay for it.
package search

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/search/searchdb"
)

// Query is what a reader searches for: words (may be empty) and filters (zero values: no filter).
type Query struct {
	Text              string
	EditionYear       int32
	CategoryID        *uuid.UUID
	CityID            *uuid.UUID
	DistinguishedOnly bool
	TargetGroup       string
	PageSize          int32
	PageToken         string
}

// Category is a category as hits and facets name it.
type Category struct {
	ID     uuid.UUID
	Number int32
	// Names per language tag; "pl" always.
	Names map[string]string
}

// City is a city as hits and facets name it.
type City struct {
	ID   uuid.UUID
	Name string
}

// Part is a run of a snippet's plain text; Match marks the words the query matched.
type Part struct {
	Text  string
	Match bool
}

// Hit is one public practice found.
type Hit struct {
	PracticeID    uuid.UUID
	Title         string
	City          City
	EditionYear   int32
	Category      Category
	Distinguished bool
	Snippet       []Part
	// The snippet is not the whole text.
	Truncated bool
}

// Facets count the matches per edition, category and city, each under the other filters.
type Facets struct {
	Editions   []EditionCount
	Categories []CategoryCount
	Cities     []CityCount
}

// EditionCount is an edition facet's entry.
type EditionCount struct {
	Year  int32
	Count int32
}

// CategoryCount is a category facet's entry.
type CategoryCount struct {
	Category    Category
	EditionYear int32
	Count       int32
}

// CityCount is a city facet's entry.
type CityCount struct {
	City  City
	Count int32
}

// Order is how a result's hits are ordered.
type Order int

const (
	// Relevance: best match first (ts_rank), then newest edition first.
	Relevance Order = iota + 1
	// Newest: newest edition first (then by id): browsing, and searches matching more than the
	// service ranks.
	Newest
)

// Result is a page of hits with the total and the facets.
type Result struct {
	Hits          []Hit
	NextPageToken string
	Total         int32
	// More than Total practices match (a search matching more than the service ranks).
	TotalIsLowerBound bool
	Facets            Facets
	// The facets' counts are counts; false: more practices match the query than the service
	// counts, and the facets list the editions, categories and cities that have public practices
	// under the other filters, each with a count of 0.
	FacetsCounted bool
	Order         Order
}

// DefaultRankLimit is how many matches a search ranks and counts, at most: a search matching more
// is listed newest first with "more than" the limit, so that no call reads every practice of a
// large archive (ranking and counting each match reads its row: 80,000 matches at 100,000 practices
// took 300–600 ms; the benchmark in README).
const DefaultRankLimit = 2000

// Service answers searches.
type Service struct {
	pool      *pgxpool.Pool
	q         *searchdb.Queries
	rankLimit int32
}

// NewService returns the search service over pool.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, q: searchdb.New(), rankLimit: DefaultRankLimit}
}

// WithRankLimit returns the service ranking and counting at most n matches (n ≥ 1; tests use a small
// one to reach the broad searches' path with a small archive).
func (s *Service) WithRankLimit(n int32) *Service {
	c := *s
	c.rankLimit = max(n, 1)
	return &c
}

// maxOffset bounds how deep paging goes: past it a reader narrows the query instead.
const maxOffset = 10000

type cursor struct {
	Offset int32 `json:"o"`
	// The pages before were listed newest first: the next ones are too, even if the matches have
	// since crossed the rank limit (an announcement adds thousands at once), so that pages never
	// overlap or skip.
	Newest bool `json:"n,omitempty"`
}

// customPlans runs each statement unnamed, so that PostgreSQL plans it for its parameters every time.
// The queries' optional filters ("$1 IS NULL OR year = $1") let a plan use the filters' indexes only
// when the parameters are known; the generic plan of a statement prepared once, which PostgreSQL
// switches to after five executions, would filter every match's row instead.
type customPlans struct{ db searchdb.DBTX }

func (c customPlans) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return c.db.Exec(ctx, sql, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
}

func (c customPlans) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return c.db.Query(ctx, sql, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
}

func (c customPlans) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return c.db.QueryRow(ctx, sql, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
}

// newestBudget is how many practices under the filters NewestMatches reads, newest first, for a
// page ending at end: ten times the page's end (a broad search matches more than one practice in
// ten, most of the time), from 1,000 to 20,000.
func newestBudget(end int32) int32 { return min(20000, max(1000, 10*end)) }

// Search returns a page of the public practices matching q with the total count and the facets.
// Up to the rank limit, matches are ranked (best first, then newest edition first, then by id, so
// that pages never overlap) and counted exactly; a search matching more lists them newest edition
// first and counts only that many. Browsing (no words, no target group) is always newest first and
// counted exactly, from the counts the index keeps.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	if q.EditionYear != 0 && (q.EditionYear < 2014 || q.EditionYear > 2100) {
		return Result{}, fault.Invalidf("edition_year", "must be 0 (every edition) or a year from 2014 to 2100")
	}
	var cur cursor
	if err := page.Decode(q.PageToken, &cur); err != nil {
		return Result{}, err
	}
	if cur.Offset < 0 || cur.Offset > maxOffset {
		return Result{}, fault.Invalidf("page_token", "is not a token from a previous response")
	}
	size := page.Size(q.PageSize, 20)
	// Words or none: the queries below are chosen by it (spaces are none).
	q.Text, q.TargetGroup = strings.TrimSpace(q.Text), strings.TrimSpace(q.TargetGroup)
	var year *int32
	if q.EditionYear != 0 {
		year = &q.EditionYear
	}
	browsing := q.Text == "" && q.TargetGroup == ""
	upTo := s.rankLimit + 1
	db := customPlans{s.pool}
	// The page and the facets on two connections at once, each query's time rather than their sum.
	var (
		res    = Result{Order: Newest, FacetsCounted: true}
		rows   []searchdb.SearchPracticesRow
		facets []searchdb.SearchFacetsRow
	)
	browse := func(ctx context.Context, db searchdb.DBTX) error {
		b, err := s.q.BrowsePractices(ctx, db, searchdb.BrowsePracticesParams{
			TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
			DistinguishedOnly: q.DistinguishedOnly, OffsetCount: cur.Offset, LimitCount: size + 1,
		})
		for _, r := range b {
			rows = append(rows, searchdb.SearchPracticesRow(r))
		}
		if err != nil {
			return fmt.Errorf("browse practices: %w", err)
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if browsing {
			return browse(gctx, db)
		}
		var (
			n   int32
			err error
		)
		if q.Text == "" {
			n, err = s.q.CountTargetMatches(gctx, db, searchdb.CountTargetMatchesParams{
				TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
				DistinguishedOnly: q.DistinguishedOnly, UpTo: upTo,
			})
		} else {
			n, err = s.q.CountMatches(gctx, db, searchdb.CountMatchesParams{
				Query: q.Text, TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
				DistinguishedOnly: q.DistinguishedOnly, UpTo: upTo,
			})
		}
		if err != nil {
			return fmt.Errorf("count matches: %w", err)
		}
		res.Total = min(n, s.rankLimit)
		res.TotalIsLowerBound = n > s.rankLimit
		newest := res.TotalIsLowerBound
		if q.PageToken != "" {
			newest = cur.Newest
		}
		switch {
		case !newest && q.Text == "":
			return browse(gctx, db)
		case !newest:
			res.Order = Relevance
			rows, err = s.q.SearchPractices(gctx, db, searchdb.SearchPracticesParams{
				Query: q.Text, TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
				DistinguishedOnly: q.DistinguishedOnly, OffsetCount: cur.Offset, LimitCount: size + 1,
			})
			if err != nil {
				return fmt.Errorf("search practices: %w", err)
			}
			return nil
		}
		// Too many to rank: read the (year, id) index in order, which the planner would not choose
		// (it cannot tell how many practices a tsquery matches before it runs), and stop at the page.
		// The tsqueries are made first: search_query's own lookups must be planned as usual.
		tsq, err := s.q.SearchQueries(gctx, db, searchdb.SearchQueriesParams{Query: q.Text, TargetGroup: q.TargetGroup})
		if err != nil {
			return fmt.Errorf("newest matches: %w", err)
		}
		orNil := func(v string) *string {
			if v == "" {
				return nil
			}
			return &v
		}
		err = pgx.BeginTxFunc(gctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(gctx, `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`); err != nil {
				return fmt.Errorf("newest matches: %w", err)
			}
			hits, err := s.q.NewestMatches(gctx, customPlans{tx}, searchdb.NewestMatchesParams{
				Match: orNil(tsq.Match), Target: orNil(tsq.Target), Headline: tsq.Headline,
				Year: year, CategoryID: q.CategoryID, CityID: q.CityID, DistinguishedOnly: q.DistinguishedOnly,
				Budget: newestBudget(cur.Offset + size + 1), OffsetCount: cur.Offset, LimitCount: size + 1,
			})
			for _, r := range hits {
				rows = append(rows, searchdb.SearchPracticesRow(r))
			}
			if err != nil {
				return fmt.Errorf("newest matches: %w", err)
			}
			return nil
		})
		if err != nil || int32(len(rows)) > size {
			return err
		}
		// A short page: the matches are sparse among the newest practices, or this is the last page.
		// All the matches, sorted.
		rows = nil
		if q.Text == "" {
			return browse(gctx, db)
		}
		sorted, err := s.q.SortedMatches(gctx, db, searchdb.SortedMatchesParams{
			Query: q.Text, TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
			DistinguishedOnly: q.DistinguishedOnly, OffsetCount: cur.Offset, LimitCount: size + 1,
		})
		for _, r := range sorted {
			rows = append(rows, searchdb.SearchPracticesRow(r))
		}
		if err != nil {
			return fmt.Errorf("sorted matches: %w", err)
		}
		return nil
	})
	g.Go(func() (err error) {
		if !browsing {
			if q.Text == "" {
				var target []searchdb.TargetFacetsRow
				target, err = s.q.TargetFacets(gctx, db, searchdb.TargetFacetsParams{
					TargetGroup: q.TargetGroup, DistinguishedOnly: q.DistinguishedOnly, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
					UpTo: upTo,
				})
				for _, b := range target {
					facets = append(facets, searchdb.SearchFacetsRow(b))
				}
			} else {
				facets, err = s.q.SearchFacets(gctx, db, searchdb.SearchFacetsParams{
					Query: q.Text, TargetGroup: q.TargetGroup, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
					DistinguishedOnly: q.DistinguishedOnly, UpTo: upTo,
				})
			}
			if err != nil {
				return fmt.Errorf("search facets: %w", err)
			}
			// The 'base' row counts what the facets went over, up to upTo.
			if i := slices.IndexFunc(facets, func(f searchdb.SearchFacetsRow) bool { return f.Kind == "base" }); i >= 0 && facets[i].Count <= s.rankLimit {
				return nil
			}
			res.FacetsCounted = false
		}
		// Browsing, or too many matches to count: the counts the index keeps.
		standing, err := s.q.BrowseFacets(gctx, db, searchdb.BrowseFacetsParams{
			DistinguishedOnly: q.DistinguishedOnly, Year: year, CategoryID: q.CategoryID, CityID: q.CityID,
		})
		if err != nil {
			return fmt.Errorf("browse facets: %w", err)
		}
		facets = facets[:0]
		for _, b := range standing {
			if !res.FacetsCounted {
				b.Count = 0
			}
			facets = append(facets, searchdb.SearchFacetsRow(b))
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return Result{}, err
	}
	if int32(len(rows)) > size && cur.Offset+size <= maxOffset {
		res.NextPageToken = page.Encode(cursor{Offset: cur.Offset + size, Newest: res.Order == Newest && !browsing})
	}
	if int32(len(rows)) > size {
		rows = rows[:size]
	}
	for _, r := range rows {
		parts, plainLen := splitSnippet(r.Snippet)
		res.Hits = append(res.Hits, Hit{
			PracticeID: r.PracticeID, Title: r.Title, City: City{ID: r.CityID, Name: r.CityName},
			EditionYear: r.Year, Distinguished: r.Distinguished,
			Category: Category{ID: r.CategoryID, Number: r.CategoryNumber, Names: names(r.CategoryNamePl, r.CategoryNameTexts)},
			Snippet:  parts, Truncated: plainLen < int(r.BodyLength),
		})
	}
	for _, f := range facets {
		switch f.Kind {
		case "edition":
			res.Facets.Editions = append(res.Facets.Editions, EditionCount{Year: f.Year, Count: f.Count})
			if browsing && (year == nil || *year == f.Year) {
				res.Total += f.Count
			}
		case "category":
			res.Facets.Categories = append(res.Facets.Categories, CategoryCount{
				Category: Category{ID: *f.ID, Number: f.Number, Names: names(f.Name, f.NameTexts)}, EditionYear: f.Year, Count: f.Count,
			})
		case "city":
			res.Facets.Cities = append(res.Facets.Cities, CityCount{City: City{ID: *f.ID, Name: f.Name}, Count: f.Count})
		}
	}
	sortFacets(&res.Facets)
	return res, nil
}

// Dictionary says how words are matched: "ispell" (Polish lemmas from hunspell-pl) or "simple"
// (the fallback without the dictionary: diacritics ignored, word stems matched by prefix).
func (s *Service) Dictionary(ctx context.Context) (string, error) {
	return s.q.SearchDictionary(ctx, s.pool)
}

// LogDictionary logs which matching is in use; the fallback as a warning saying how to fix it.
func LogDictionary(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	d, err := searchdb.New().SearchDictionary(ctx, pool)
	switch {
	case err != nil:
		log.Warn("search: cannot tell which dictionary is in use", "err", err)
	case d == "ispell":
		log.Info("search: Polish dictionary in use (hunspell-pl)")
	default:
		log.Warn("search: no Polish dictionary; matching ignores diacritics and matches word stems by prefix only. Install hunspell-pl on the database server (apt-get install hunspell-pl) and run `miasta migrate`")
	}
}

// names reads a category's names: the Polish one and the others' JSON object.
func names(pl string, texts []byte) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal(texts, &out) // a CHECK keeps it an object of strings
	out["pl"] = pl
	return out
}

const (
	startSel = "\x02"
	stopSel  = "\x03"
)

// splitSnippet turns ts_headline's marked text into parts; it returns them and the plain text's
// length in characters.
func splitSnippet(s string) ([]Part, int) {
	var parts []Part
	n := 0
	add := func(text string, match bool) {
		if text == "" {
			return
		}
		n += len([]rune(text))
		if len(parts) > 0 && parts[len(parts)-1].Match == match {
			parts[len(parts)-1].Text += text
			return
		}
		parts = append(parts, Part{Text: text, Match: match})
	}
	for s != "" {
		i := strings.Index(s, startSel)
		if i < 0 {
			add(strings.ReplaceAll(s, stopSel, ""), false)
			break
		}
		add(strings.ReplaceAll(s[:i], stopSel, ""), false)
		s = s[i+len(startSel):]
		j := strings.Index(s, stopSel)
		if j < 0 {
			add(s, true)
			break
		}
		add(s[:j], true)
		s = s[j+len(stopSel):]
	}
	return parts, n
}
