package jury

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/tally"
)

// ResultsHandler serves miasta.v1.ResultsService.
type ResultsHandler struct {
	svc         *Service
	checkpoints Checkpoints
}

// Checkpoints gives the audit log's latest signed checkpoint, which published results cite.
type Checkpoints interface {
	LatestCheckpoint(ctx context.Context) (string, error)
}

var _ miastav1connect.ResultsServiceHandler = (*ResultsHandler)(nil)

// NewResultsHandler returns the ResultsService handler; published results cite checkpoints' latest.
func NewResultsHandler(svc *Service, checkpoints Checkpoints) *ResultsHandler {
	return &ResultsHandler{svc: svc, checkpoints: checkpoints}
}

var (
	methodNames = map[v1.AggregationMethod]string{
		v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN:     "WEIGHTED_MEAN",
		v1.AggregationMethod_AGGREGATION_METHOD_MEDIAN:            "MEDIAN",
		v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN:      "TRIMMED_MEAN",
		v1.AggregationMethod_AGGREGATION_METHOD_MAJORITY_JUDGMENT: "MAJORITY_JUDGMENT",
	}
	tieBreakNames = map[v1.TieBreak]string{
		v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS:    "MORE_TOP_MARKS",
		v1.TieBreak_TIE_BREAK_HIGHER_MEDIAN:     "HIGHER_MEDIAN",
		v1.TieBreak_TIE_BREAK_CRITERIA_IN_ORDER: "CRITERIA_IN_ORDER",
		v1.TieBreak_TIE_BREAK_JURY_DECISION:     "JURY_DECISION",
	}
)

func ruleFromProto(p *v1.TallyRule) Rule {
	r := Rule{Method: methodNames[p.GetMethod()], Quorum: int(p.GetQuorum()), Winners: int(p.GetWinnersPerCategory()), TrimCount: int(p.GetTrimCount())}
	for _, c := range p.GetCriteria() {
		cr := CriterionRule{CriterionID: uuid.MustParse(c.GetCriterionId()), Min: c.GetMinScore(), Max: c.GetMaxScore(), Weight: int64(c.GetWeight()), NonRanking: c.GetNonRanking()}
		for _, l := range c.GetLabels() {
			cr.Labels = append(cr.Labels, ScoreLabel{Value: l.GetValue(), LabelPL: l.GetLabelPl(), LabelEN: l.GetLabelEn()})
		}
		r.Criteria = append(r.Criteria, cr)
	}
	for _, t := range p.GetTieBreaks() {
		r.TieBreaks = append(r.TieBreaks, tieBreakNames[t])
	}
	if m := p.GetMinimumScore(); m != nil {
		r.MinimumScore = big.NewRat(m.GetNumerator(), m.GetDenominator()).RatString()
	}
	return r
}

func ruleToProto(s StoredRule) *v1.TallyRule {
	out := &v1.TallyRule{Quorum: int32(s.Rule.Quorum), WinnersPerCategory: int32(s.Rule.Winners), TrimCount: int32(s.Rule.TrimCount), Frozen: s.Frozen, Version: s.Version, RuleHash: s.Hash}
	for k, v := range methodNames {
		if v == s.Rule.Method {
			out.Method = k
		}
	}
	for _, c := range s.Rule.Criteria {
		cr := &v1.CriterionRule{CriterionId: c.CriterionID.String(), MinScore: c.Min, MaxScore: c.Max, Weight: int32(c.Weight), NonRanking: c.NonRanking}
		for _, l := range c.Labels {
			cr.Labels = append(cr.Labels, &v1.ScoreLabel{Value: l.Value, LabelPl: l.LabelPL, LabelEn: l.LabelEN})
		}
		out.Criteria = append(out.Criteria, cr)
	}
	for _, t := range s.Rule.TieBreaks {
		for k, v := range tieBreakNames {
			if v == t {
				out.TieBreaks = append(out.TieBreaks, k)
			}
		}
	}
	if s.Rule.MinimumScore != "" {
		if m, ok := new(big.Rat).SetString(s.Rule.MinimumScore); ok {
			out.MinimumScore = ratToProto(m)
		}
	}
	return out
}

func ratToProto(r *big.Rat) *v1.Rational {
	if r == nil {
		return nil
	}
	return &v1.Rational{Numerator: r.Num().Int64(), Denominator: r.Denom().Int64()}
}

func ratText(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return tally.FormatRat(r)
}

func (h *ResultsHandler) GetTallyRule(ctx context.Context, req *v1.GetTallyRuleRequest) (*v1.GetTallyRuleResponse, error) {
	eid, err := edition.ParseID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.GetRule(ctx, auth.FromContext(ctx), eid)
	if err != nil {
		return nil, err
	}
	return &v1.GetTallyRuleResponse{Rule: ruleToProto(r)}, nil
}

func (h *ResultsHandler) SetTallyRule(ctx context.Context, req *v1.SetTallyRuleRequest) (*v1.SetTallyRuleResponse, error) {
	eid, err := edition.ParseID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.SetRule(ctx, auth.FromContext(ctx), eid, ruleFromProto(req.GetRule()), req.GetExpectedVersion())
	if err != nil {
		return nil, err
	}
	return &v1.SetTallyRuleResponse{Rule: ruleToProto(r)}, nil
}

// tallyView joins a tally with the shortlist and categories for the wire.
type tallyView struct {
	edition     edition.Edition
	tally       Tally
	categories  map[string]edition.Category
	nominations map[string]report.Nomination
	criteria    []edition.Criterion
}

// readable rewrites the tally's explanations, which name criteria, jurors and nominations by id, with
// the names a reader knows (Polish criterion names, juror labels as published, practice titles).
func (v tallyView) readable(organiser bool) *strings.Replacer {
	var pairs []string
	for _, c := range v.criteria {
		pairs = append(pairs, c.ID.String(), c.NamePL)
	}
	for key := range v.tally.Jurors {
		pairs = append(pairs, key, v.jurorLabel(key, organiser))
	}
	for id, n := range v.nominations {
		pairs = append(pairs, id, fmt.Sprintf("%q (%s)", n.Practice.Title, n.City.Name))
	}
	return strings.NewReplacer(pairs...)
}

func (h *ResultsHandler) view(ctx context.Context, editionID uuid.UUID) (tallyView, error) {
	t, e, err := h.svc.GetTally(ctx, editionID)
	if err != nil {
		return tallyView{}, err
	}
	v := tallyView{edition: e, tally: t, categories: map[string]edition.Category{}, nominations: map[string]report.Nomination{}}
	cats, err := edition.Categories(ctx, h.svc.pool, editionID)
	if err != nil {
		return tallyView{}, err
	}
	for _, c := range cats {
		v.categories[c.ID.String()] = c
	}
	if v.criteria, err = edition.Criteria(ctx, h.svc.pool, editionID); err != nil {
		return tallyView{}, err
	}
	noms, err := report.AllNominations(ctx, h.svc.pool, editionID)
	if err != nil {
		return tallyView{}, err
	}
	for _, n := range noms {
		v.nominations[n.ID.String()] = n
	}
	return v, nil
}

// jurorLabel names a juror as the edition publishes ballots (organisers see names).
func (v tallyView) jurorLabel(key string, organiser bool) string {
	j := v.tally.Jurors[key]
	if organiser || v.edition.BallotPublication == edition.PublishNames {
		return j.DisplayName
	}
	return j.Pseudonym
}

func (v tallyView) categoryResults(winnersOnly, organiser bool) []*v1.CategoryResult {
	names := v.readable(organiser)
	var out []*v1.CategoryResult
	for _, c := range v.tally.Result.Categories {
		cr := &v1.CategoryResult{Category: edition.CategoryToProto(v.categories[c.CategoryID])}
		for _, n := range c.Nominations {
			if winnersOnly && !n.Winner {
				continue
			}
			cr.Nominations = append(cr.Nominations, v.nominationResult(n, organiser, names))
		}
		out = append(out, cr)
	}
	return out
}

func (v tallyView) nominationResult(n tally.Ranked, organiser bool, names *strings.Replacer) *v1.NominationResult {
	out := &v1.NominationResult{
		Nomination: report.NominationToProto(v.nominations[n.NominationID]),
		Rank:       int32(n.Rank), Score: ratToProto(n.Score), ScoreText: ratText(n.Score),
		Winner: n.Winner, QuorumMet: n.QuorumMet,
	}
	for _, line := range n.Explanation {
		out.Explanation = append(out.Explanation, names.Replace(line))
	}
	for _, c := range n.Criteria {
		out.Criteria = append(out.Criteria, &v1.CriterionBreakdown{CriterionId: c.CriterionID, Score: ratToProto(c.Score), NonRanking: c.NonRanking})
	}
	for _, j := range n.PerJuror {
		jb := &v1.JurorBreakdown{Juror: v.jurorLabel(j.Juror, organiser), WeightedSum: ratToProto(j.WeightedSum)}
		for crit, val := range j.Scores {
			jb.Scores = append(jb.Scores, &v1.Score{NominationId: n.NominationID, CriterionId: crit, Value: int32(val)})
		}
		slices.SortFunc(jb.Scores, func(a, b *v1.Score) int { return strings.Compare(a.GetCriterionId(), b.GetCriterionId()) })
		out.Jurors = append(out.Jurors, jb)
	}
	for _, r := range n.Recusals {
		kind := v1.RecusalKind_RECUSAL_KIND_DECLARED
		switch r.Kind {
		case tally.HomeCity:
			kind = v1.RecusalKind_RECUSAL_KIND_HOME_CITY
		case tally.Abstained:
			kind = v1.RecusalKind_RECUSAL_KIND_ABSTAINED
		}
		out.Recusals = append(out.Recusals, &v1.Recusal{NominationId: n.NominationID, Kind: kind})
	}
	return out
}

func (h *ResultsHandler) RecordJuryDecision(ctx context.Context, req *v1.RecordJuryDecisionRequest) (*v1.RecordJuryDecisionResponse, error) {
	eid, err := edition.ParseID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	cid, err := edition.ParseID("category_id", req.GetCategoryId())
	if err != nil {
		return nil, err
	}
	order := make([]uuid.UUID, 0, len(req.GetNominationIds()))
	for _, id := range req.GetNominationIds() {
		order = append(order, uuid.MustParse(id)) // validated as UUIDs
	}
	if _, err := h.svc.RecordDecision(ctx, auth.FromContext(ctx), eid, cid, order, req.GetReason()); err != nil {
		return nil, err
	}
	t, err := h.GetTally(ctx, &v1.GetTallyRequest{EditionId: req.GetEditionId()})
	if err != nil {
		return nil, err
	}
	return &v1.RecordJuryDecisionResponse{Tally: t.GetTally()}, nil
}

func (h *ResultsHandler) GetTally(ctx context.Context, req *v1.GetTallyRequest) (*v1.GetTallyResponse, error) {
	eid, err := edition.ParseID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	v, err := h.view(ctx, eid)
	if err != nil {
		return nil, err
	}
	return &v1.GetTallyResponse{Tally: &v1.Tally{
		EditionId: eid.String(), Rule: ruleToProto(v.tally.Rule), Categories: v.categoryResults(false, true),
		ComputeTime: timestamppb.Now(), TallyHash: v.tally.Hash,
	}}, nil
}

// announced returns the view of an announced edition by year; anything else is not public.
func (h *ResultsHandler) announced(ctx context.Context, year int32) (tallyView, error) {
	id, err := edition.IDForYear(ctx, h.svc.pool, year)
	if err != nil {
		return tallyView{}, err
	}
	e, err := edition.Load(ctx, h.svc.pool, id)
	if err != nil {
		return tallyView{}, err
	}
	if e.Stage != edition.Announced {
		return tallyView{}, fault.Preconditionf("year", "the results of %d are not announced yet", year)
	}
	return h.view(ctx, id)
}

func (h *ResultsHandler) GetPublicResults(ctx context.Context, req *v1.GetPublicResultsRequest) (*v1.GetPublicResultsResponse, error) {
	v, err := h.announced(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	// The latest checkpoint covers the announcement once the log has integrated it (within the log
	// interval); before the log's first checkpoint there is none to cite.
	checkpoint, err := h.checkpoints.LatestCheckpoint(ctx)
	if err != nil && !fault.Is(err, fault.FailedPrecondition) {
		return nil, err
	}
	return &v1.GetPublicResultsResponse{Edition: edition.EditionToProto(v.edition), Categories: v.categoryResults(true, false), Checkpoint: checkpoint}, nil
}

func (h *ResultsHandler) ListPublicBallots(ctx context.Context, req *v1.ListPublicBallotsRequest) (*v1.ListPublicBallotsResponse, error) {
	v, err := h.announced(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(v.tally.Ballots))
	for k := range v.tally.Ballots {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys, next, err := page.Slice(keys, req.GetPageSize(), 20, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListPublicBallotsResponse{NextPageToken: next}
	for _, k := range keys {
		c := v.tally.Ballots[k]
		pb := &v1.PublicBallot{Juror: v.jurorLabel(k, false)}
		body, _ := canonicalCast(c)
		pb.BallotHash = hashOf(body)
		for _, s := range c.Scores {
			pb.Scores = append(pb.Scores, scoreToProto(s))
		}
		for _, r := range c.Recusals {
			pb.Recusals = append(pb.Recusals, recusalToProto(r))
		}
		resp.Ballots = append(resp.Ballots, pb)
	}
	return resp, nil
}

func (h *ResultsHandler) ExportResults(ctx context.Context, req *v1.ExportResultsRequest) (*v1.ExportResultsResponse, error) {
	v, err := h.announced(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	full := &v1.GetPublicResultsResponse{Edition: edition.EditionToProto(v.edition), Categories: v.categoryResults(false, false)}
	contentType, body, err := EncodeResults(full, req.GetFormat())
	if err != nil {
		return nil, err
	}
	return &v1.ExportResultsResponse{ContentType: contentType, Content: body}, nil
}

// CSVHeader names the columns of the CSV export, one row per nomination.
var CSVHeader = []string{"category_number", "category_pl", "category_en", "rank", "winner", "city", "practice", "score", "score_decimal", "quorum_met", "explanation"}

// EncodeResults renders full results as JSON (protojson, field names as in the proto) or CSV. Every
// CSV cell goes through csvCell, so no name or title a person typed opens as a formula.
func EncodeResults(full *v1.GetPublicResultsResponse, format v1.ExportFormat) (contentType string, body []byte, err error) {
	if format == v1.ExportFormat_EXPORT_FORMAT_JSON {
		body, err := protojson.MarshalOptions{Multiline: true, Indent: "  ", UseProtoNames: true}.Marshal(full)
		return "application/json", body, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		_ = w.Write(cells)
	}
	write(slices.Clone(CSVHeader)...)
	for _, c := range full.GetCategories() {
		for _, n := range c.GetNominations() {
			score, dec := "", ""
			if s := n.GetScore(); s != nil && s.GetDenominator() != 0 {
				r := big.NewRat(s.GetNumerator(), s.GetDenominator())
				score, dec = r.RatString(), r.FloatString(4)
			}
			write(
				strconv.Itoa(int(c.GetCategory().GetNumber())), c.GetCategory().GetNamePl(), c.GetCategory().GetNameEn(),
				strconv.Itoa(int(n.GetRank())), strconv.FormatBool(n.GetWinner()), n.GetNomination().GetCity().GetName(),
				n.GetNomination().GetPractice().GetTitle(), score, dec, strconv.FormatBool(n.GetQuorumMet()),
				strings.Join(n.GetExplanation(), " "),
			)
		}
	}
	w.Flush()
	return "text/csv; charset=utf-8", buf.Bytes(), w.Error()
}

// plainNumber is a cell that is only a number, as the export writes ranks and scores: -3, 2.5000,
// -37/2. Spreadsheets read it as the number it is.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?(/[0-9]+)?$`)

// csvCell escapes a cell a spreadsheet would read as a formula (CSV injection, OWASP): one that
// starts with =, +, -, @, tab, carriage return or line feed, unless it is a plain number, gets a
// leading apostrophe, which spreadsheets show as text and do not evaluate.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r\n", rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}
