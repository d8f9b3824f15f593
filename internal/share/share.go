// Package share serves what makes the public archive shareable and reusable without the app's
// script (issue 19, items 5 and 6): the link previews of the public pages' HTML (title,
// description, canonical link, OpenGraph, Twitter card, schema.org JSON-LD), the open data of every
// announced edition (JSON and CSV, under the licence the organisers chose), the Atom feed of
// announcements, and the certificates (PDF with a QR code) and badges (SVG) of distinctions.
//
// Everything here is public and so follows the one rule of what is: a practice is public when its
// report is accepted and its edition announced; a nomination's result once its edition is announced.
// Anything else answers 404, exactly as an id that does not exist.
package share

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/past"
	"github.com/miasta-otwarte/miasta/internal/share/sharedb"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// ErrNotFound is what every look-up answers for a thing that does not exist or is not public: the
// two are indistinguishable from outside.
var ErrNotFound = errors.New("not found or not public")

// Service reads the public archive.
type Service struct {
	pool *pgxpool.Pool
	jury *jury.Service
	q    *sharedb.Queries
	base string // the public base URL, without a trailing slash
	log  *slog.Logger
	past *past.Service // read only: the past editions' pages are previewed too
}

// New returns the service; publicURL is the address the platform is reached at (config.PublicURL),
// from which every absolute link is made.
func New(pool *pgxpool.Pool, juryService *jury.Service, publicURL string, log *slog.Logger) *Service {
	for len(publicURL) > 0 && publicURL[len(publicURL)-1] == '/' {
		publicURL = publicURL[:len(publicURL)-1]
	}
	return &Service{pool: pool, jury: juryService, q: sharedb.New(), base: publicURL, log: log, past: past.NewService(pool, nil)}
}

// Edition is an announced edition with the time its results were (last) announced.
type Edition struct {
	edition.Edition
	Announced time.Time
}

// Practice is a public practice.
type Practice struct {
	ID           uuid.UUID
	Title        string
	Description  string
	Category     edition.Category // the category the expert reported it in
	SinceYear    int32            // 0 when unknown
	Partners     string
	TargetGroups string
	Links        []string
	City         edition.City
	Year         int32
	// Nomination is the practice's nomination, nil when it was not shortlisted.
	Nomination *uuid.UUID
}

// Ranked is a nomination's public result.
type Ranked struct {
	NominationID uuid.UUID
	Practice     Practice
	Category     edition.Category // the category it competed in
	Rank         int              // from 1; 0 when the quorum was not met
	Score        *big.Rat         // nil when the quorum was not met
	Winner       bool
	QuorumMet    bool
	Jurors       int
}

// Category is one category's ranking.
type Category struct {
	Category edition.Category
	Ranked   []Ranked
}

// Results are an announced edition's public practices and results, every rank.
type Results struct {
	Edition    Edition
	Categories []Category // by number
	Practices  []Practice // every public practice, nominated or not, by city
	Criteria   []edition.Criterion
}

// Distinctions are the winners in category order.
func (r Results) Distinctions() []Ranked {
	var out []Ranked
	for _, c := range r.Categories {
		for _, n := range c.Ranked {
			if n.Winner {
				out = append(out, n)
			}
		}
	}
	return out
}

// Nomination finds a nomination's result by id.
func (r Results) Nomination(id uuid.UUID) (Ranked, bool) {
	for _, c := range r.Categories {
		for _, n := range c.Ranked {
			if n.NominationID == id {
				return n, true
			}
		}
	}
	return Ranked{}, false
}

// CategoryByNumber finds a category's ranking by its number.
func (r Results) CategoryByNumber(number int32) (Category, bool) {
	for _, c := range r.Categories {
		if c.Category.Number == number {
			return c, true
		}
	}
	return Category{}, false
}

// Editions lists the announced editions, newest first.
func (s *Service) Editions(ctx context.Context) ([]Edition, error) {
	rows, err := s.q.AnnouncedEditions(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	out := make([]Edition, 0, len(rows))
	for _, r := range rows {
		e, err := edition.Load(ctx, s.pool, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Edition{Edition: e, Announced: r.AnnounceTime})
	}
	return out, nil
}

// Results returns an announced edition's public practices and results; ErrNotFound for a year
// without an edition or whose edition is not announced.
func (s *Service) Results(ctx context.Context, year int32) (Results, error) {
	v, err := s.jury.AnnouncedResults(ctx, year)
	if fault.Is(err, fault.NotFound) || fault.Is(err, fault.FailedPrecondition) {
		return Results{}, ErrNotFound
	}
	if err != nil {
		return Results{}, err
	}
	eds, err := s.q.AnnouncedEditions(ctx, s.pool)
	if err != nil {
		return Results{}, err
	}
	out := Results{Edition: Edition{Edition: v.Edition, Announced: v.Edition.UpdateTime}}
	for _, e := range eds {
		if e.ID == v.Edition.ID {
			out.Edition.Announced = e.AnnounceTime
		}
	}
	cats, err := edition.Categories(ctx, s.pool, v.Edition.ID)
	if err != nil {
		return Results{}, err
	}
	byID := map[uuid.UUID]edition.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	rows, err := s.q.EditionPractices(ctx, s.pool, v.Edition.ID)
	if err != nil {
		return Results{}, err
	}
	practices := map[uuid.UUID]Practice{} // by nomination
	for _, r := range rows {
		p := Practice{ID: r.ID, Title: r.Title, Description: r.Description, Category: byID[r.CategoryID], SinceYear: deref(r.SinceYear),
			Partners: r.Partners, TargetGroups: r.TargetGroups, Links: r.EvidenceLinks, City: edition.City{ID: r.CityID, Name: r.CityName},
			Year: v.Edition.Year, Nomination: r.NominationID}
		out.Practices = append(out.Practices, p)
		if r.NominationID != nil {
			practices[*r.NominationID] = p
		}
	}
	for _, c := range v.Tally.Result.Categories {
		cid, err := uuid.Parse(c.CategoryID)
		if err != nil {
			return Results{}, err
		}
		cat := Category{Category: byID[cid]}
		for _, n := range c.Nominations {
			nid, err := uuid.Parse(n.NominationID)
			if err != nil {
				return Results{}, err
			}
			p, ok := practices[nid]
			if !ok {
				continue // a nomination whose practice is not public cannot be: its report was accepted
			}
			cat.Ranked = append(cat.Ranked, Ranked{NominationID: nid, Practice: p, Category: cat.Category, Rank: n.Rank, Score: n.Score,
				Winner: n.Winner, QuorumMet: n.QuorumMet, Jurors: n.Jurors})
		}
		out.Categories = append(out.Categories, cat)
	}
	slices.SortFunc(out.Categories, func(a, b Category) int { return cmp.Compare(a.Category.Number, b.Category.Number) })
	for _, c := range v.Criteria {
		out.Criteria = append(out.Criteria, c)
	}
	slices.SortFunc(out.Criteria, func(a, b edition.Criterion) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// Practice returns a public practice; ErrNotFound otherwise.
func (s *Service) Practice(ctx context.Context, id uuid.UUID) (Practice, error) {
	r, err := s.q.PublicPractice(ctx, s.pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Practice{}, ErrNotFound
	}
	if err != nil {
		return Practice{}, err
	}
	cats, err := s.categories(ctx, r.Year)
	if err != nil {
		return Practice{}, err
	}
	return Practice{ID: r.ID, Title: r.Title, Description: r.Description, Category: cats[r.CategoryID], SinceYear: deref(r.SinceYear),
		Partners: r.Partners, TargetGroups: r.TargetGroups, Links: r.EvidenceLinks, City: edition.City{ID: r.CityID, Name: r.CityName},
		Year: r.Year, Nomination: r.NominationID}, nil
}

// City is a city that reported in an announced edition, with its public practices.
type City struct {
	City      edition.City
	Practices []CityPractice // newest edition first
}

// CityPractice is one of a city's public practices.
type CityPractice struct {
	ID         uuid.UUID
	Title      string
	Year       int32
	Nomination *uuid.UUID
}

// City returns a public city; ErrNotFound otherwise.
func (s *Service) City(ctx context.Context, id uuid.UUID) (City, error) {
	r, err := s.q.PublicCity(ctx, s.pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return City{}, ErrNotFound
	}
	if err != nil {
		return City{}, err
	}
	rows, err := s.q.CityPractices(ctx, s.pool, id)
	if err != nil {
		return City{}, err
	}
	out := City{City: edition.City{ID: r.ID, Name: r.Name}}
	for _, p := range rows {
		out.Practices = append(out.Practices, CityPractice{ID: p.ID, Title: p.Title, Year: p.Year, Nomination: p.NominationID})
	}
	return out, nil
}

// Distinction returns a winning nomination of an announced edition with its edition's results;
// ErrNotFound for any other nomination.
func (s *Service) Distinction(ctx context.Context, nominationID uuid.UUID) (Ranked, Results, error) {
	year, err := s.q.NominationYear(ctx, s.pool, nominationID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Ranked{}, Results{}, ErrNotFound
	}
	if err != nil {
		return Ranked{}, Results{}, err
	}
	res, err := s.Results(ctx, year)
	if err != nil {
		return Ranked{}, Results{}, err
	}
	n, ok := res.Nomination(nominationID)
	if !ok || !n.Winner {
		return Ranked{}, Results{}, ErrNotFound
	}
	return n, res, nil
}

// Translated is a practice's title and description in lang where a reviewed translation of the
// current original exists; each is the original otherwise, and ok says whether either is a
// translation.
func (s *Service) Translated(ctx context.Context, p Practice, lang string) (title, description string, ok bool, err error) {
	title, description = p.Title, p.Description
	if lang == "pl" {
		return title, description, false, nil
	}
	rows, err := s.q.ReviewedTranslation(ctx, s.pool, sharedb.ReviewedTranslationParams{PracticeID: p.ID, Language: lang})
	if err != nil {
		return title, description, false, err
	}
	for _, r := range rows {
		switch {
		case r.Field == "title" && r.SourceSha256 == verify.Hash([]byte(p.Title)):
			title, ok = r.Text, true
		case r.Field == "description" && r.SourceSha256 == verify.Hash([]byte(p.Description)):
			description, ok = r.Text, true
		}
	}
	return title, description, ok, nil
}

func (s *Service) categories(ctx context.Context, year int32) (map[uuid.UUID]edition.Category, error) {
	id, err := edition.IDForYear(ctx, s.pool, year)
	if err != nil {
		return nil, err
	}
	cats, err := edition.Categories(ctx, s.pool, id)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]edition.Category, len(cats))
	for _, c := range cats {
		out[c.ID] = c
	}
	return out, nil
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
