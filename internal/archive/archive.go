// Package archive is the public archive: every announced edition, its full ranking, and a page per
// city and per practice (issue 19). It reads only what is public — the practices of ACCEPTED reports
// of ANNOUNCED editions, published attachments of distinguished practices, machine or reviewed
// translations — and answers NOT_FOUND for anything else, exactly as for an id that does not exist.
package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/archive/archivedb"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/past"
	"github.com/miasta-otwarte/miasta/internal/results"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
)

// Service reads the public archive.
type Service struct {
	pool        *pgxpool.Pool
	jury        *jury.Service
	checkpoints results.Checkpoints
	q           *archivedb.Queries
	past        *past.Service
}

// NewService returns the archive over pool; rankings come from the jury service's tally, and
// published results cite checkpoints' announcement checkpoint.
func NewService(pool *pgxpool.Pool, j *jury.Service, checkpoints results.Checkpoints) *Service {
	// The past editions are only read here (a city's past distinctions): no cities are added.
	return &Service{pool: pool, jury: j, checkpoints: checkpoints, q: archivedb.New(), past: past.NewService(pool, nil)}
}

// SummaryLength is how many characters of a description a list shows.
const SummaryLength = 300

// maxPractices bounds one query's practices (a city across all editions, a category across years).
const maxPractices = 2000

// maxSimilar is how many similar practices a practice page lists.
const maxSimilar = 6

// summarise cuts s to at most n characters at a word boundary, with "…" when cut.
func summarise(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndex(string(r), " "); i > n/2 {
		return strings.TrimRight(string(r)[:i], " ,.;:") + "…"
	}
	return string(r) + "…"
}

// names is a subject's texts with its Polish one (the column) added to its JSON object.
func names(pl string, others []byte) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal(others, &out)
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	if pl != "" {
		out["pl"] = pl
	}
	return out
}

// scales are the aggregate's and each criterion's range under a rule: the aggregate is a mean,
// median or majority grade of criterion-weighted sums of the ranking criteria, so it lies between
// the weighted sums of the minima and of the maxima.
func scales(r verify.Rule) (*v1.ScoreScale, []*v1.CriterionScale) {
	total := &v1.ScoreScale{}
	var out []*v1.CriterionScale
	for _, c := range r.Criteria {
		id := c.CriterionID
		out = append(out, &v1.CriterionScale{CriterionId: id, Min: int32(c.Min), Max: int32(c.Max), Weight: int32(c.Weight), NonRanking: c.NonRanking})
		if !c.NonRanking {
			total.Min += int64(c.Weight) * int64(c.Min)
			total.Max += int64(c.Weight) * int64(c.Max)
		}
	}
	return total, out
}

// histogramBins is about how many bins the jury's score distribution has.
const histogramBins = 10

// distribution is the histogram of every counted weighted sum (one juror, one nomination) over the
// aggregate's scale, in bins of equal integer width.
func distribution(t jury.Tally, scale *v1.ScoreScale) *v1.ScoreDistribution {
	width := (scale.GetMax() - scale.GetMin() + histogramBins) / histogramBins
	width = max(width, 1)
	out := &v1.ScoreDistribution{}
	for lo := scale.GetMin(); lo <= scale.GetMax(); lo += width {
		out.Bins = append(out.Bins, &v1.ScoreBin{Lower: lo, Upper: min(lo+width-1, scale.GetMax())})
	}
	if len(out.Bins) == 0 {
		return out
	}
	for _, c := range t.Counted {
		for _, m := range c.Marks {
			var sum int64
			for i, val := range m.Values {
				if i < len(t.Rule.Rule.Criteria) && !t.Rule.Rule.Criteria[i].NonRanking {
					sum += int64(t.Rule.Rule.Criteria[i].Weight) * int64(val)
				}
			}
			b := int((sum - scale.GetMin()) / width)
			b = min(max(b, 0), len(out.Bins)-1)
			out.Bins[b].Count++
			out.Count++
		}
	}
	return out
}

// editions are the announced editions, newest first; year, when not nil, keeps only that one.
func (s *Service) editions(ctx context.Context, year *int32) ([]*v1.PublicEdition, error) {
	rows, err := s.q.AnnouncedEditions(ctx, s.pool, year)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.PublicEdition, 0, len(rows))
	for _, r := range rows {
		e := &v1.PublicEdition{
			Id: r.ID.String(), Year: r.Year, Names: names(r.Name, r.NameTexts), AnnounceTime: timestamppb.New(r.AnnounceTime),
			CityCount: r.CityCount, CategoryCount: r.CategoryCount, NominationCount: r.NominationCount, DistinctionCount: r.DistinctionCount,
			Demonstration: r.Demonstration, DataLicence: r.DataLicence,
		}
		if r.CeremonyTime != nil {
			e.CeremonyTime = timestamppb.New(*r.CeremonyTime)
		}
		out = append(out, e)
	}
	return out, nil
}

// edition is the announced edition of year, NOT_FOUND when there is none.
func (s *Service) edition(ctx context.Context, year int32) (*v1.PublicEdition, error) {
	es, err := s.editions(ctx, &year)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, fault.NotFoundf("year", "no such edition")
	}
	return es[0], nil
}

// rankings caches the announced editions' tallies for one request, by edition id.
type rankings struct {
	s     *Service
	byEd  map[uuid.UUID]jury.Results
	ranks map[uuid.UUID]map[string]rankedOf
}

type rankedOf struct {
	rank   int32
	winner bool
	score  *big.Rat
}

func (s *Service) rankings() *rankings {
	return &rankings{s: s, byEd: map[uuid.UUID]jury.Results{}, ranks: map[uuid.UUID]map[string]rankedOf{}}
}

func (r *rankings) results(ctx context.Context, editionID uuid.UUID) (jury.Results, error) {
	if v, ok := r.byEd[editionID]; ok {
		return v, nil
	}
	v, err := r.s.jury.Results(ctx, editionID)
	if err != nil {
		return jury.Results{}, err
	}
	r.byEd[editionID] = v
	m := map[string]rankedOf{}
	for _, c := range v.Tally.Result.Categories {
		for _, n := range c.Nominations {
			m[n.NominationID] = rankedOf{rank: int32(n.Rank), winner: n.Winner, score: n.Score}
		}
	}
	r.ranks[editionID] = m
	return v, nil
}

// summary turns a public practice's row into its summary, with its result when it was nominated.
func (r *rankings) summary(ctx context.Context, p archivedb.PublicPracticesRow) (*v1.PracticeSummary, error) {
	out := &v1.PracticeSummary{
		PracticeId: p.ID.String(), Title: p.Title, Summary: summarise(p.Description, SummaryLength),
		City:     &v1.City{Id: p.CityID.String(), Name: p.CityName},
		Category: &v1.PublicCategory{Id: p.CategoryID.String(), Number: p.CategoryNumber, Names: categoryNames(p.CategoryNamePl, p.CategoryNameEn, p.CategoryNames)},
		Year:     p.Year, Distinguished: p.Distinguished,
	}
	if p.NominationID == nil {
		return out, nil
	}
	out.NominationId = p.NominationID.String()
	v, err := r.results(ctx, p.EditionID)
	if err != nil {
		return nil, err
	}
	out.Scale, _ = scales(v.Tally.Rule.Rule)
	if k, ok := r.ranks[p.EditionID][out.NominationId]; ok {
		out.Rank, out.Distinguished = k.rank, k.winner
		if k.score != nil {
			out.Score = &v1.Rational{Numerator: k.score.Num().Int64(), Denominator: k.score.Denom().Int64()}
			out.ScoreText = tally.FormatRat(k.score)
		}
	}
	return out, nil
}

func categoryNames(pl, en string, others []byte) map[string]string {
	n := names(pl, others)
	if _, ok := n["en"]; !ok && en != "" {
		n["en"] = en
	}
	return n
}

func (s *Service) practices(ctx context.Context, p archivedb.PublicPracticesParams) ([]archivedb.PublicPracticesRow, error) {
	p.MaxRows = maxPractices
	return s.q.PublicPractices(ctx, s.pool, p)
}

// ListEditions lists every announced edition, newest first, with its distinguished practices per
// category.
func (s *Service) ListEditions(ctx context.Context) ([]*v1.PublicEdition, error) {
	es, err := s.editions(ctx, nil)
	if err != nil {
		return nil, err
	}
	r := s.rankings()
	for _, e := range es {
		id := uuid.MustParse(e.GetId())
		rows, err := s.practices(ctx, archivedb.PublicPracticesParams{EditionID: &id, DistinguishedOnly: true})
		if err != nil {
			return nil, err
		}
		if e.Distinctions, err = r.distinctions(ctx, rows); err != nil {
			return nil, err
		}
	}
	return es, nil
}

func (r *rankings) distinctions(ctx context.Context, rows []archivedb.PublicPracticesRow) ([]*v1.CategoryDistinctions, error) {
	var out []*v1.CategoryDistinctions
	for _, row := range rows {
		sum, err := r.summary(ctx, row)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].GetCategory().GetId() != sum.GetCategory().GetId() {
			out = append(out, &v1.CategoryDistinctions{Category: sum.GetCategory()})
		}
		last := out[len(out)-1]
		last.Practices = append(last.Practices, sum)
	}
	return out, nil
}

// EditionResults is an announced edition's full ranking, with the practices' titles translated into
// language where a published translation of the current title exists.
func (s *Service) EditionResults(ctx context.Context, year int32, language string) (*v1.GetPublicEditionResultsResponse, error) {
	e, err := s.edition(ctx, year)
	if err != nil {
		return nil, err
	}
	id := uuid.MustParse(e.GetId())
	r := s.rankings()
	v, err := r.results(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.practices(ctx, archivedb.PublicPracticesParams{EditionID: &id, DistinguishedOnly: true})
	if err != nil {
		return nil, err
	}
	if e.Distinctions, err = r.distinctions(ctx, rows); err != nil {
		return nil, err
	}
	resp := &v1.GetPublicEditionResultsResponse{Edition: e, Categories: s.categories(v), Recommendations: maps.Clone(v.Texts.Recommendations)}
	for _, c := range v.Criteria {
		resp.Criteria = append(resp.Criteria, edition.CriterionToProto(c))
	}
	slices.SortFunc(resp.Criteria, func(a, b *v1.Criterion) int { return int(a.GetNumber() - b.GetNumber()) })
	resp.Scale, resp.CriterionScales = scales(v.Tally.Rule.Rule)
	resp.Distribution = distribution(v.Tally, resp.Scale)
	if resp.Checkpoint, err = s.checkpoints.AnnouncementCheckpoint(ctx, id); err != nil {
		return nil, err
	}
	if resp.History, err = results.PublicHistory(ctx, s.jury, v); err != nil {
		return nil, err
	}
	if resp.TranslatedTitles, err = s.translatedTitles(ctx, resp.Categories, language); err != nil {
		return nil, err
	}
	return resp, nil
}

// translatedTitles maps the ranked practices to their titles in language, where a published
// translation of the title as it stands exists.
func (s *Service) translatedTitles(ctx context.Context, cats []*v1.CategoryResult, language string) (map[string]string, error) {
	if language == "" || language == "pl" {
		return nil, nil
	}
	titles := map[uuid.UUID]string{}
	for _, c := range cats {
		for _, n := range c.GetNominations() {
			if p := n.GetNomination().GetPractice(); p != nil {
				titles[uuid.MustParse(p.GetId())] = p.GetTitle()
			}
		}
	}
	rows, err := s.q.PublicTitleTranslations(ctx, s.pool, archivedb.PublicTitleTranslationsParams{PracticeIds: slices.Collect(maps.Keys(titles)), Language: language})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		if verify.Hash([]byte(titles[r.PracticeID])) == r.SourceSha256 {
			out[r.PracticeID.String()] = r.Text
		}
	}
	return out, nil
}

// categories are every category of the edition in order, each with its full ranking; the practices
// are cut to their title and summary, without narratives or files (their pages have them).
func (s *Service) categories(v jury.Results) []*v1.CategoryResult {
	ranked := results.PublicCategoryResults(v)
	byID := map[string]*v1.CategoryResult{}
	for _, c := range ranked {
		byID[c.GetCategory().GetId()] = c
		for _, n := range c.GetNominations() {
			trim(n)
		}
	}
	cats := make([]edition.Category, 0, len(v.Categories))
	for _, c := range v.Categories {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b edition.Category) int { return int(a.Number - b.Number) })
	out := make([]*v1.CategoryResult, 0, len(cats))
	for _, c := range cats {
		if cr, ok := byID[c.ID.String()]; ok {
			out = append(out, cr)
			continue
		}
		out = append(out, &v1.CategoryResult{Category: edition.CategoryToProto(c)})
	}
	return out
}

// trim keeps of a ranked nomination's practice what a results list shows; the recategorisation
// reason is the organisers' note, not a result.
func trim(n *v1.NominationResult) {
	p := n.GetNomination().GetPractice()
	if p == nil {
		return
	}
	n.Nomination.Practice = &v1.Practice{Id: p.GetId(), Title: p.GetTitle(), Description: summarise(p.GetDescription(), SummaryLength), CategoryId: p.GetCategoryId()}
	n.Nomination.RecategoriseReason = ""
}

// City is a city's public record across announced editions; NOT_FOUND when it has none.
func (s *Service) City(ctx context.Context, cityID uuid.UUID) (*v1.GetPublicCityResponse, error) {
	c, err := s.q.GetCity(ctx, s.pool, cityID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.NotFoundf("city_id", "no such city")
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.practices(ctx, archivedb.PublicPracticesParams{CityID: &cityID})
	if err != nil {
		return nil, err
	}
	follows, err := s.q.CityFollowUps(ctx, s.pool, cityID)
	if err != nil {
		return nil, err
	}
	pastOf, err := s.past.OfCity(ctx, cityID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 && len(follows) == 0 && len(pastOf) == 0 {
		return nil, fault.NotFoundf("city_id", "no such city")
	}
	resp := &v1.GetPublicCityResponse{City: &v1.City{Id: c.ID.String(), Name: c.Name}}
	for _, d := range pastOf {
		pd := &v1.PastCityDistinction{Year: d.Edition.GetYear(), EditionNames: d.Edition.GetName(), Distinction: d.Distinction}
		for _, cat := range d.Edition.GetCategories() {
			if cat.GetNumber() == d.Distinction.GetCategoryNumber() {
				pd.CategoryNames = cat.GetName()
			}
		}
		resp.PastDistinctions = append(resp.PastDistinctions, pd)
	}
	// The announced editions by year: a city's practices and follow-ups name only those.
	announced, err := s.editions(ctx, nil)
	if err != nil {
		return nil, err
	}
	editionOf := map[int32]*v1.PublicEdition{}
	for _, a := range announced {
		editionOf[a.GetYear()] = a
	}
	byYear := map[int32]*v1.CityEdition{}
	year := func(y int32) (*v1.CityEdition, error) {
		if e, ok := byYear[y]; ok {
			return e, nil
		}
		a, ok := editionOf[y]
		if !ok {
			return nil, fmt.Errorf("the city's record names %d, which is not an announced edition", y)
		}
		e := &v1.CityEdition{Year: y, EditionNames: a.GetNames(), Demonstration: a.GetDemonstration()}
		byYear[y] = e
		resp.Editions = append(resp.Editions, e)
		return e, nil
	}
	r := s.rankings()
	for _, row := range rows {
		sum, err := r.summary(ctx, row)
		if err != nil {
			return nil, err
		}
		e, err := year(row.Year)
		if err != nil {
			return nil, err
		}
		e.Practices = append(e.Practices, sum)
		if sum.GetNominationId() != "" {
			resp.NominationCount++
		}
		if sum.GetDistinguished() {
			resp.DistinctionCount++
		}
	}
	for _, f := range follows {
		fu := &v1.PublicFollowUp{Outcome: outcomes[f.Outcome], Narrative: f.Narrative}
		prev, err := s.practices(ctx, archivedb.PublicPracticesParams{PracticeID: &f.PreviousPracticeID})
		if err != nil {
			return nil, err
		}
		if len(prev) == 1 {
			if fu.Previous, err = r.summary(ctx, prev[0]); err != nil {
				return nil, err
			}
		}
		e, err := year(f.Year)
		if err != nil {
			return nil, err
		}
		e.FollowUps = append(e.FollowUps, fu)
	}
	slices.SortStableFunc(resp.Editions, func(a, b *v1.CityEdition) int { return int(b.GetYear() - a.GetYear()) })
	return resp, nil
}

var outcomes = map[string]v1.FollowUpOutcome{
	"UNSPECIFIED": v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_UNSPECIFIED,
	"CONTINUED":   v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_CONTINUED,
	"EXPANDED":    v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED,
	"SHRANK":      v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_SHRANK,
	"ENDED":       v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_ENDED,
}

// Practice is a public practice whole; NOT_FOUND when it is not public. language, when not Polish,
// asks for its translation.
func (s *Service) Practice(ctx context.Context, practiceID uuid.UUID, language string) (*v1.GetPublicPracticeResponse, error) {
	d, err := s.q.PublicPracticeDetail(ctx, s.pool, practiceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fault.NotFoundf("practice_id", "no such practice")
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.practices(ctx, archivedb.PublicPracticesParams{PracticeID: &practiceID})
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fault.NotFoundf("practice_id", "no such practice")
	}
	row := rows[0]
	r := s.rankings()
	resp := &v1.GetPublicPracticeResponse{OriginalLanguage: "pl"}
	if resp.Summary, err = r.summary(ctx, row); err != nil {
		return nil, err
	}
	p := &v1.Practice{Id: d.ID.String(), Title: d.Title, Description: d.Description, CategoryId: row.CategoryID.String(),
		Partners: d.Partners, TargetGroups: d.TargetGroups, EvidenceLinks: d.EvidenceLinks}
	if d.SinceYear != nil {
		p.SinceYear = *d.SinceYear
	}
	var narr []struct {
		CriterionID string `json:"criterion_id"`
		Text        string `json:"text"`
	}
	if err := json.Unmarshal(d.Narratives, &narr); err != nil {
		return nil, fmt.Errorf("practice %s narratives: %w", d.ID, err)
	}
	for _, n := range narr {
		if n.Text != "" {
			p.Narratives = append(p.Narratives, &v1.CriterionNarrative{CriterionId: n.CriterionID, Text: n.Text})
		}
	}
	files, err := s.q.PublishedAttachments(ctx, s.pool, practiceID)
	if err != nil {
		return nil, err
	}
	for _, a := range files {
		p.Attachments = append(p.Attachments, &v1.Attachment{Id: a.ID.String(), PracticeId: a.PracticeID.String(), Filename: a.Filename,
			MediaType: a.MediaType, Kind: a.Kind, Size: a.Size, Sha256: fmt.Sprintf("%x", a.Sha256), Published: true,
			CreateTime: timestamppb.New(a.CreateTime), Url: "/attachments/" + a.ID.String()})
	}
	resp.Practice = p
	if language != "" && language != "pl" {
		if resp.Translation, err = s.translation(ctx, p, language); err != nil {
			return nil, err
		}
	}
	eds, err := s.editions(ctx, &row.Year)
	if err != nil {
		return nil, err
	}
	if len(eds) == 1 {
		resp.Edition = eds[0]
	}
	v, err := r.results(ctx, row.EditionID)
	if err != nil {
		return nil, err
	}
	for _, c := range v.Criteria {
		resp.Criteria = append(resp.Criteria, edition.CriterionToProto(c))
	}
	slices.SortFunc(resp.Criteria, func(a, b *v1.Criterion) int { return int(a.GetNumber() - b.GetNumber()) })
	if row.NominationID != nil {
		_, resp.CriterionScales = scales(v.Tally.Rule.Rule)
		nid := row.NominationID.String()
		for _, c := range results.PublicCategoryResults(v) {
			for _, n := range c.GetNominations() {
				if n.GetNomination().GetId() != nid {
					continue
				}
				trim(n)
				resp.Result, resp.CategorySize = n, int32(len(c.GetNominations()))
				for _, dec := range c.GetDecisions() {
					if slices.Contains(dec.GetNominationIds(), nid) {
						resp.Decisions = append(resp.Decisions, dec)
					}
				}
			}
		}
	}
	if resp.Similar, err = s.similar(ctx, r, row); err != nil {
		return nil, err
	}
	return resp, nil
}

// similar are public practices of the same category number (the award keeps its categories from year
// to year, so the number names the same area of integration) in other cities of the same edition or
// in other editions: distinguished ones first, then the nominated, then by how close the year is.
// The category is the one signal every practice has and the jury used; text similarity would need
// the search engineer's index, which the lead can wire in here later.
func (s *Service) similar(ctx context.Context, r *rankings, row archivedb.PublicPracticesRow) ([]*v1.PracticeSummary, error) {
	n := row.CategoryNumber
	rows, err := s.practices(ctx, archivedb.PublicPracticesParams{CategoryNumber: &n})
	if err != nil {
		return nil, err
	}
	rows = slices.DeleteFunc(rows, func(o archivedb.PublicPracticesRow) bool {
		return o.ID == row.ID || (o.CityID == row.CityID && o.Year == row.Year)
	})
	score := func(o archivedb.PublicPracticesRow) int {
		s := 0
		if o.Distinguished {
			s += 1000
		}
		if o.NominationID != nil {
			s += 500
		}
		d := int(o.Year - row.Year)
		return s - max(d, -d)
	}
	slices.SortStableFunc(rows, func(a, b archivedb.PublicPracticesRow) int { return score(b) - score(a) })
	out := []*v1.PracticeSummary{}
	for _, o := range rows[:min(len(rows), maxSimilar)] {
		sum, err := r.summary(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// translation is a practice's machine or reviewed translation into language, nil when there is none;
// a text whose original changed since it was translated is listed as outdated.
func (s *Service) translation(ctx context.Context, p *v1.Practice, language string) (*v1.PublicTranslation, error) {
	rows, err := s.q.PublicTranslation(ctx, s.pool, archivedb.PublicTranslationParams{PracticeID: uuid.MustParse(p.GetId()), Language: language})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	original := map[string]string{"title": p.GetTitle(), "description": p.GetDescription()}
	for _, n := range p.GetNarratives() {
		original["narrative."+n.GetCriterionId()] = n.GetText()
	}
	out := &v1.PublicTranslation{Language: language, Status: rows[0].Status}
	for _, t := range rows {
		src, ok := original[t.Field]
		if !ok {
			continue // a text of a narrative the practice no longer has
		}
		if verify.Hash([]byte(src)) != t.SourceSha256 {
			out.OutdatedFields = append(out.OutdatedFields, t.Field)
		}
		switch {
		case t.Field == "title":
			out.Title = t.Text
		case t.Field == "description":
			out.Description = t.Text
		default:
			out.Narratives = append(out.Narratives, &v1.CriterionNarrative{CriterionId: strings.TrimPrefix(t.Field, "narrative."), Text: t.Text})
		}
	}
	return out, nil
}
