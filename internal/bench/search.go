package bench

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/db"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/search"
)

// searchSeed fills a migrated database with public practices: ten announced editions (2015–2024) of
// the twelve UMP cities and the eleven categories, :per_report practices in each city's accepted report,
// with titles, descriptions, partners, target groups and narratives made of Polish sentences, one in
// twenty nominated and one in forty distinguished. The practices go in while the reports are drafts and
// the editions unannounced, as on the platform; accepting and announcing then fills the index through
// its triggers, which is what the phase times as "index".
//
//go:embed search_seed.sql
var searchSeed string

// searchResult is the search phase's measurements.
type searchResult struct {
	practices   int
	dictionary  string
	insert      time.Duration // the practices, as drafts
	index       time.Duration // accepting the reports and announcing the editions: the triggers index
	indexSize   string
	queries     []searchQuery
	warm, fresh []time.Duration // every sample, all queries together
	err         error
}

type searchQuery struct {
	name        string
	req         *v1.SearchPracticesRequest
	total       int32
	more        bool // more than total match: listed newest first, not ranked
	warm, fresh []time.Duration
}

const (
	searchWarmRuns  = 30
	searchFreshRuns = 5
)

// search runs the search phase on a throwaway database of its own.
func (r *run) search(ctx context.Context, adminURL string) searchResult {
	res := searchResult{practices: r.cfg.SearchPractices}
	res.err = r.searchPhase(ctx, adminURL, &res)
	return res
}

func (r *run) searchPhase(ctx context.Context, adminURL string, res *searchResult) error {
	dbURL, drop, err := createDatabase(ctx, adminURL)
	if err != nil {
		return err
	}
	defer func() { _ = drop() }()
	pool, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	if res.dictionary, err = search.NewService(pool).Dictionary(ctx); err != nil {
		return err
	}
	perReport := (res.practices + 119) / 120
	res.practices = perReport * 120
	r.step("search: seeding %d practices (10 editions × 12 cities × %d)", res.practices, perReport)
	statements := strings.Split(strings.ReplaceAll(searchSeed, ":per_report", fmt.Sprint(perReport)), "\n-- step\n")
	if len(statements) != 2 {
		return errors.New("search_seed.sql: want two parts separated by '-- step'")
	}
	start := time.Now()
	if _, err := pool.Exec(ctx, statements[0]); err != nil {
		return fmt.Errorf("seed practices: %w", err)
	}
	res.insert = time.Since(start)
	r.step("search: inserted in %s; accepting the reports and announcing the editions (the index)", res.insert.Round(time.Millisecond))
	start = time.Now()
	if _, err := pool.Exec(ctx, statements[1]); err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	res.index = time.Since(start)
	r.step("search: indexed in %s", res.index.Round(time.Millisecond))
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE search_practices, search_words"); err != nil {
		return err
	}
	if err := pool.QueryRow(ctx, "SELECT pg_size_pretty(pg_total_relation_size('search_practices'))").Scan(&res.indexSize); err != nil {
		return err
	}
	var lodz, category string
	if err := pool.QueryRow(ctx, `SELECT id::text FROM cities WHERE name = 'Łódź'`).Scan(&lodz); err != nil {
		return err
	}
	if err := pool.QueryRow(ctx, `SELECT k.id::text FROM categories k JOIN editions e ON e.id = k.edition_id WHERE e.year = 2020 AND k.number = 6`).Scan(&category); err != nil {
		return err
	}
	res.queries = []searchQuery{
		{name: "integracja", req: &v1.SearchPracticesRequest{Query: "integracja"}},
		{name: "lodz", req: &v1.SearchPracticesRequest{Query: "lodz"}},
		{name: "migrantow", req: &v1.SearchPracticesRequest{Query: "migrantow"}},
		{name: "punkt informacyjny", req: &v1.SearchPracticesRequest{Query: "punkt informacyjny"}},
		{name: "kursy języka polskiego", req: &v1.SearchPracticesRequest{Query: "kursy języka polskiego"}},
		{name: "uchodźcy z Ukrainy", req: &v1.SearchPracticesRequest{Query: "uchodźcy z Ukrainy"}},
		{name: "mediatorzy rodzinom (rare pair)", req: &v1.SearchPracticesRequest{Query: "mediatorzy rodzinom festiwal"}},
		{name: "kosmonauta (no hits)", req: &v1.SearchPracticesRequest{Query: "kosmonauta"}},
		{name: "2015 (the oldest edition's practices only)", req: &v1.SearchPracticesRequest{Query: "2015"}},
		{name: "browse: empty query", req: &v1.SearchPracticesRequest{}},
		{name: "integracja, edition 2020", req: &v1.SearchPracticesRequest{Query: "integracja", EditionYear: 2020}},
		{name: "szkoła, 2020 category 6", req: &v1.SearchPracticesRequest{Query: "szkoła", CategoryId: category}},
		{name: "migrantow, city Łódź, distinguished", req: &v1.SearchPracticesRequest{Query: "migrantow", CityId: lodz, DistinguishedOnly: true}},
		{name: "browse: target group studenci", req: &v1.SearchPracticesRequest{TargetGroup: "studenci"}},
		{name: "browse: Łódź 2020, page 3", req: &v1.SearchPracticesRequest{CityId: lodz, EditionYear: 2020}},
	}

	// The search service over Connect on 127.0.0.1, with a pool of its own.
	svcPool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer svcPool.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(miastav1connect.NewSearchServiceHandler(search.NewHandler(search.NewService(svcPool))))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String()
	warmClient := miastav1connect.NewSearchServiceClient(&http.Client{Transport: &http.Transport{}}, url)

	call := func(c miastav1connect.SearchServiceClient, q *searchQuery) (time.Duration, error) {
		req := q.req
		start := time.Now()
		out, err := c.SearchPractices(ctx, req)
		took := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", q.name, err)
		}
		q.total, q.more = out.GetTotalCount(), out.GetTotalIsLowerBound()
		return took, nil
	}
	// The paging query starts at its third page.
	for i := range res.queries {
		q := &res.queries[i]
		if !strings.Contains(q.name, "page 3") {
			continue
		}
		for range 2 {
			out, err := warmClient.SearchPractices(ctx, q.req)
			if err != nil {
				return err
			}
			q.req.PageToken = out.GetNextPageToken()
		}
	}
	r.step("search: %d queries, %d times each on a warm connection, %d times each on a fresh one", len(res.queries), searchWarmRuns, searchFreshRuns)
	for i := range res.queries {
		q := &res.queries[i]
		if _, err := call(warmClient, q); err != nil { // one unmeasured call: caches and the pool
			return err
		}
		for range searchWarmRuns {
			d, err := call(warmClient, q)
			if err != nil {
				return err
			}
			q.warm = append(q.warm, d)
		}
		for range searchFreshRuns {
			// A fresh connection all the way: a new TCP connection to the server, and a new
			// PostgreSQL backend behind it (the pool is emptied), whose caches start cold.
			svcPool.Reset()
			tr := &http.Transport{}
			d, err := call(miastav1connect.NewSearchServiceClient(&http.Client{Transport: tr}, url, connect.WithGRPC()), q)
			tr.CloseIdleConnections()
			if err != nil {
				return err
			}
			q.fresh = append(q.fresh, d)
		}
		res.warm = append(res.warm, q.warm...)
		res.fresh = append(res.fresh, q.fresh...)
	}
	return ctx.Err()
}

func (s searchResult) write(p func(string, ...any)) {
	p("")
	p("## Search (SearchPractices at %d public practices)", s.practices)
	p("")
	if s.err != nil {
		p("Failed: %s", oneLine(s.err))
		return
	}
	dict := "Polish lemmas from hunspell-pl (ispell) + unaccent"
	if s.dictionary != "ispell" {
		dict = "fallback without the Polish dictionary: unaccent + simple, stems by prefix"
	}
	p("- Matching: %s. Seeding: %s to insert the practices as drafts; %s to accept the 120 reports and announce the 10 editions, which fills the index through its triggers (%s with its indexes).",
		dict, s.insert.Round(time.Millisecond), s.index.Round(time.Millisecond), s.indexSize)
	p("- Calls: the SearchService handler alone over Connect on 127.0.0.1 (page of 20, snippets and facets included), %d calls per query on a warm connection (kept-alive HTTP/1.1, pooled PostgreSQL connection) after one unmeasured call, and %d on a fresh one (a new TCP connection over gRPC to the server and a new PostgreSQL backend behind it: the pool is emptied before each call, so the time includes connecting to PostgreSQL and its cold caches). Target: p95 < 50 ms.", searchWarmRuns, searchFreshRuns)
	p("")
	p("| query | matches | warm p50 | warm p95 | fresh p50 | fresh p95 |")
	p("|---|---:|---:|---:|---:|---:|")
	for _, q := range s.queries {
		matches := fmt.Sprint(q.total)
		if q.more {
			matches = fmt.Sprintf("> %d (newest first)", q.total)
		}
		p("| %s | %s | %s | %s | %s | %s |", q.name, matches, ms(quantile(q.warm, .5)), ms(quantile(q.warm, .95)), ms(quantile(q.fresh, .5)), ms(quantile(q.fresh, .95)))
	}
	p("| **all queries** | | **%s** | **%s** | **%s** | **%s** |", ms(quantile(s.warm, .5)), ms(quantile(s.warm, .95)), ms(quantile(s.fresh, .5)), ms(quantile(s.fresh, .95)))
}
