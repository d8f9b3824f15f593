package results

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/page"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/tally"
	"github.com/miasta-otwarte/miasta/internal/verify"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.ResultsService: it turns requests into calls of the jury service and
// its answers into protos, nothing more.
type Handler struct {
	svc         *jury.Service
	checkpoints Checkpoints
}

// Checkpoints gives the audit log's signed checkpoint that published results cite.
type Checkpoints interface {
	// AnnouncementCheckpoint is the first checkpoint whose tree holds the edition's (last)
	// results.announced, or "" before the log has integrated it.
	AnnouncementCheckpoint(ctx context.Context, editionID uuid.UUID) (string, error)
}

var _ miastav1connect.ResultsServiceHandler = (*Handler)(nil)

// NewHandler returns the ResultsService handler; published results cite checkpoints' latest.
func NewHandler(svc *jury.Service, checkpoints Checkpoints) *Handler {
	return &Handler{svc: svc, checkpoints: checkpoints}
}

var (
	methodNames = map[v1.AggregationMethod]string{
		v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN:     string(tally.WeightedMean),
		v1.AggregationMethod_AGGREGATION_METHOD_MEDIAN:            string(tally.Median),
		v1.AggregationMethod_AGGREGATION_METHOD_TRIMMED_MEAN:      string(tally.TrimmedMean),
		v1.AggregationMethod_AGGREGATION_METHOD_MAJORITY_JUDGMENT: string(tally.MajorityJudgment),
	}
	tieBreakNames = map[v1.TieBreak]string{
		v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS:    string(tally.MoreTopMarks),
		v1.TieBreak_TIE_BREAK_HIGHER_MEDIAN:     string(tally.HigherMedian),
		v1.TieBreak_TIE_BREAK_CRITERIA_IN_ORDER: string(tally.CriteriaInOrder),
		v1.TieBreak_TIE_BREAK_JURY_DECISION:     string(tally.JuryDecision),
	}
)

func ruleFromProto(p *v1.TallyRule) verify.Rule {
	r := verify.Rule{Method: methodNames[p.GetMethod()], Quorum: int(p.GetQuorum()), Winners: int(p.GetWinnersPerCategory()), TrimCount: int(p.GetTrimCount()), TieBreaks: []string{}}
	for _, c := range p.GetCriteria() {
		cr := verify.CriterionRule{CriterionID: c.GetCriterionId(), Min: int(c.GetMinScore()), Max: int(c.GetMaxScore()), Weight: int(c.GetWeight()), NonRanking: c.GetNonRanking(), Labels: []verify.Label{}}
		for _, l := range c.GetLabels() {
			cr.Labels = append(cr.Labels, verify.Label{Value: int(l.GetValue()), Text: maps.Clone(l.GetText())})
		}
		r.Criteria = append(r.Criteria, cr)
	}
	for _, t := range p.GetTieBreaks() {
		r.TieBreaks = append(r.TieBreaks, tieBreakNames[t])
	}
	if m := p.GetMinimumScore(); m != nil {
		s := big.NewRat(m.GetNumerator(), m.GetDenominator()).String()
		r.MinimumScore = &s
	}
	return r
}

func ruleToProto(s jury.StoredRule) *v1.TallyRule {
	out := &v1.TallyRule{Quorum: int32(s.Rule.Quorum), WinnersPerCategory: int32(s.Rule.Winners), TrimCount: int32(s.Rule.TrimCount), Frozen: s.Frozen, Version: s.Version, RuleHash: s.Hash}
	for k, v := range methodNames {
		if v == s.Rule.Method {
			out.Method = k
		}
	}
	for _, c := range s.Rule.Criteria {
		cr := &v1.CriterionRule{CriterionId: c.CriterionID, MinScore: int32(c.Min), MaxScore: int32(c.Max), Weight: int32(c.Weight), NonRanking: c.NonRanking}
		for _, l := range c.Labels {
			cr.Labels = append(cr.Labels, &v1.ScoreLabel{Value: int32(l.Value), Text: l.Text})
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
	if s.Rule.MinimumScore != nil {
		if m, err := verify.ParseRational(*s.Rule.MinimumScore); err == nil {
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

func (h *Handler) GetTallyRule(ctx context.Context, req *v1.GetTallyRuleRequest) (*v1.GetTallyRuleResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.GetRule(ctx, auth.FromContext(ctx), eid)
	if err != nil {
		return nil, err
	}
	return &v1.GetTallyRuleResponse{Rule: ruleToProto(r)}, nil
}

func (h *Handler) SetTallyRule(ctx context.Context, req *v1.SetTallyRuleRequest) (*v1.SetTallyRuleResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.SetRule(ctx, auth.FromContext(ctx), eid, ruleFromProto(req.GetRule()), req.GetExpectedVersion())
	if err != nil {
		return nil, err
	}
	return &v1.SetTallyRuleResponse{Rule: ruleToProto(r)}, nil
}

// jury.Results joins a tally with the shortlist and categories for the wire.
func categoryResults(v jury.Results, winnersOnly, organiser bool) []*v1.CategoryResult {
	var out []*v1.CategoryResult
	for _, c := range v.Tally.Result.Categories {
		cr := &v1.CategoryResult{Category: edition.CategoryToProto(v.Categories[c.CategoryID])}
		for _, n := range c.Nominations {
			if winnersOnly && !n.Winner {
				continue
			}
			cr.Nominations = append(cr.Nominations, nominationResult(v, n, organiser))
		}
		for _, d := range v.Tally.Decisions {
			if d.CategoryID.String() != c.CategoryID {
				continue
			}
			jd := &v1.JuryDecision{Reason: d.Reason}
			if !d.RecordTime.IsZero() {
				jd.RecordTime = timestamppb.New(d.RecordTime)
			}
			for _, id := range d.Nominations {
				jd.NominationIds = append(jd.NominationIds, id.String())
			}
			cr.Decisions = append(cr.Decisions, jd)
		}
		out = append(out, cr)
	}
	return out
}

func nominationResult(v jury.Results, n tally.Ranked, organiser bool) *v1.NominationResult {
	out := &v1.NominationResult{
		Nomination: report.NominationToProto(v.Nominations[n.NominationID]),
		Rank:       int32(n.Rank), Score: ratToProto(n.Score), ScoreText: ratText(n.Score),
		Winner: n.Winner, QuorumMet: n.QuorumMet,
	}
	for _, it := range n.Explanation {
		out.Explanation = append(out.Explanation, tally.English(it, v.Name))
		args, err := structpb.NewStruct(jsonArgs(it.Args))
		if err != nil {
			args = &structpb.Struct{}
		}
		out.ExplanationItems = append(out.ExplanationItems, &v1.ExplanationItem{Code: it.Code, Args: args})
	}
	for i, c := range n.Criteria {
		_ = i
		out.Criteria = append(out.Criteria, &v1.CriterionBreakdown{CriterionId: c.CriterionID, Score: ratToProto(c.Score), NonRanking: c.NonRanking})
	}
	if !v.PerJuror(organiser) {
		for kind, count := range map[v1.RecusalKind]int{
			v1.RecusalKind_RECUSAL_KIND_HOME_CITY: n.Recusals.HomeCity, v1.RecusalKind_RECUSAL_KIND_DECLARED: n.Recusals.Declared, v1.RecusalKind_RECUSAL_KIND_ABSTAINED: n.Recusals.Abstained,
		} {
			for range count {
				out.Recusals = append(out.Recusals, &v1.Recusal{NominationId: n.NominationID, Kind: kind})
			}
		}
		slices.SortFunc(out.Recusals, func(a, b *v1.Recusal) int { return int(a.GetKind() - b.GetKind()) })
		return out
	}
	keys := make([]string, 0, len(v.Tally.Counted))
	for k := range v.Tally.Counted {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c := v.Tally.Counted[k]
		for _, m := range c.Marks {
			if m.NominationID != n.NominationID {
				continue
			}
			jb := &v1.JurorBreakdown{Juror: v.JurorLabel(k, organiser)}
			var sum int64
			for i, val := range m.Values {
				cr := v.Tally.Rule.Rule.Criteria[i]
				jb.Scores = append(jb.Scores, &v1.Score{NominationId: n.NominationID, CriterionId: cr.CriterionID, Value: int32(val)})
				if !cr.NonRanking {
					sum += int64(cr.Weight) * int64(val)
				}
			}
			jb.WeightedSum = &v1.Rational{Numerator: sum, Denominator: 1}
			out.Jurors = append(out.Jurors, jb)
		}
		for _, r := range c.Recusals {
			if r.NominationID == n.NominationID {
				out.Recusals = append(out.Recusals, &v1.Recusal{NominationId: n.NominationID, Kind: recusalProto[strings.ToUpper(r.Kind)]})
			}
		}
	}
	return out
}

// jsonArgs turns an item's arguments into what structpb takes: nested Args into maps, lists into
// []any, integers into float64 (the JSON number a client reads; every one is far below 2^53).
func jsonArgs(a tally.Args) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = jsonValue(v)
	}
	return out
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case tally.Args:
		return jsonArgs(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

func (h *Handler) RecordJuryDecision(ctx context.Context, req *v1.RecordJuryDecisionRequest) (*v1.RecordJuryDecisionResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	cid, err := wire.ID("category_id", req.GetCategoryId())
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

func (h *Handler) GetTally(ctx context.Context, req *v1.GetTallyRequest) (*v1.GetTallyResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	v, err := h.svc.Results(ctx, eid)
	if err != nil {
		return nil, err
	}
	return &v1.GetTallyResponse{Tally: &v1.Tally{
		EditionId: eid.String(), Rule: ruleToProto(v.Tally.Rule), Categories: categoryResults(v, false, true),
		ComputeTime: timestamppb.Now(), TallyHash: v.Tally.Hash,
	}}, nil
}

// announced returns the view of an announced edition by year; anything else is not public.
func (h *Handler) GetPublicResults(ctx context.Context, req *v1.GetPublicResultsRequest) (*v1.GetPublicResultsResponse, error) {
	v, err := h.svc.AnnouncedResults(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	// The checkpoint that first covers the announcement: the same for everyone from the second the log
	// integrates it, so that the press and the public save one and the same.
	checkpoint, err := h.checkpoints.AnnouncementCheckpoint(ctx, v.Edition.ID)
	if err != nil {
		return nil, err
	}
	history, err := h.history(ctx, v)
	if err != nil {
		return nil, err
	}
	resp := &v1.GetPublicResultsResponse{Edition: edition.EditionToProto(v.Edition), Categories: categoryResults(v, true, false), Checkpoint: checkpoint, History: history}
	for _, c := range v.Criteria {
		resp.Criteria = append(resp.Criteria, edition.CriterionToProto(c))
	}
	slices.SortFunc(resp.Criteria, func(a, b *v1.Criterion) int { return cmp.Compare(a.GetNumber(), b.GetNumber()) })
	return resp, nil
}

func (h *Handler) ListPublicBallots(ctx context.Context, req *v1.ListPublicBallotsRequest) (*v1.ListPublicBallotsResponse, error) {
	v, err := h.svc.AnnouncedResults(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	if !v.PerJuror(false) {
		return nil, fault.Preconditionf("year", "the edition of %d publishes the jury's marks as aggregates only, not ballot by ballot", req.GetYear())
	}
	keys := make([]string, 0, len(v.Tally.Counted))
	for k := range v.Tally.Counted {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys, next, err := page.Slice(keys, req.GetPageSize(), 20, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListPublicBallotsResponse{NextPageToken: next}
	for _, k := range keys {
		c := v.Tally.Counted[k]
		body, err := canon.Encode(c)
		if err != nil {
			return nil, err
		}
		pb := &v1.PublicBallot{Juror: v.JurorLabel(k, false), BallotHash: verify.Hash(body)}
		for _, m := range c.Marks {
			for i, val := range m.Values {
				pb.Scores = append(pb.Scores, &v1.Score{NominationId: m.NominationID, CriterionId: v.Tally.Rule.Rule.Criteria[i].CriterionID, Value: int32(val)})
			}
		}
		for _, r := range c.Recusals {
			pb.Recusals = append(pb.Recusals, &v1.Recusal{NominationId: r.NominationID, Kind: recusalProto[strings.ToUpper(r.Kind)]})
		}
		resp.Ballots = append(resp.Ballots, pb)
	}
	return resp, nil
}

func (h *Handler) ExportResults(ctx context.Context, req *v1.ExportResultsRequest) (*v1.ExportResultsResponse, error) {
	v, err := h.svc.AnnouncedResults(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	history, err := h.history(ctx, v)
	if err != nil {
		return nil, err
	}
	full := &v1.GetPublicResultsResponse{Edition: edition.EditionToProto(v.Edition), Categories: categoryResults(v, false, false), History: history}
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

// history is the edition's moves back and overrides, as the results publish them.
func (h *Handler) history(ctx context.Context, v jury.Results) ([]*v1.StageStep, error) {
	steps, err := h.svc.StageSteps(ctx, v)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.StageStep, 0, len(steps))
	for _, s := range steps {
		st := &v1.StageStep{From: edition.StageToProto(s.From), To: edition.StageToProto(s.To), Reason: s.Reason,
			ChangeTime: timestamppb.New(s.Time), Organiser: s.Organiser, Override: s.Override, SetAsideTallyHash: s.SetAsideTallyHash}
		for _, n := range s.SetAsideWinners {
			st.SetAsideWinners = append(st.SetAsideWinners, report.NominationToProto(n))
		}
		out = append(out, st)
	}
	return out, nil
}

var recusalProto = map[string]v1.RecusalKind{
	"HOME_CITY": v1.RecusalKind_RECUSAL_KIND_HOME_CITY,
	"DECLARED":  v1.RecusalKind_RECUSAL_KIND_DECLARED,
	"ABSTAINED": v1.RecusalKind_RECUSAL_KIND_ABSTAINED,
}

// CSVCell is csvCell for the other CSV exports (internal/share's open data), so that every CSV the
// platform writes escapes formula-like cells the same way.
func CSVCell(s string) string { return csvCell(s) }

// PublicCategoryResults is an announced edition's full ranking as the public reads it: every
// nomination of every category with its explanation, juror breakdown (as the edition publishes
// ballots) and the jury's decisions. The archive's pages show it.
func PublicCategoryResults(v jury.Results) []*v1.CategoryResult {
	return categoryResults(v, false, false)
}

// PublicHistory is the edition's moves back and overrides, as the results publish them.
func PublicHistory(ctx context.Context, svc *jury.Service, v jury.Results) ([]*v1.StageStep, error) {
	return (&Handler{svc: svc}).history(ctx, v)
}

// RuleToProto converts a stored tally rule for the wire.
func RuleToProto(s jury.StoredRule) *v1.TallyRule { return ruleToProto(s) }
