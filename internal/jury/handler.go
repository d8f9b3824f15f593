package jury

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.JuryService.
type Handler struct {
	svc *Service
}

var _ miastav1connect.JuryServiceHandler = (*Handler)(nil)

// NewHandler returns the JuryService handler.
func NewHandler(svc *Service) *Handler {
	return &Handler{svc: svc}
}

func (h *Handler) ListBallotNominations(ctx context.Context, req *v1.ListBallotNominationsRequest) (*v1.ListBallotNominationsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	var cat *uuid.UUID
	if s := req.GetCategoryId(); s != "" {
		id, err := wire.ID("category_id", s)
		if err != nil {
			return nil, err
		}
		cat = &id
	}
	ns, next, err := h.svc.BallotNominations(ctx, auth.FromContext(ctx), eid, cat, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListBallotNominationsResponse{NextPageToken: next}
	for _, n := range ns {
		bn := &v1.BallotNomination{Nomination: report.NominationToProto(n.Nomination)}
		if n.Recusal != nil {
			bn.Recusal = recusalToProto(*n.Recusal)
		}
		resp.Nominations = append(resp.Nominations, bn)
	}
	return resp, nil
}

// replyBallot converts a ballot result, turning a conflict's current ballot into BallotConflict.
func replyBallot(b Ballot, err error) (*v1.Ballot, error) {
	if err != nil {
		return nil, fault.MapDetail(err, ballotConflict)
	}
	return ballotToProto(b), nil
}

// ballotConflict is the wire detail of a stale ballot version: the ballot as it is now.
func ballotConflict(current Ballot) any { return &v1.BallotConflict{Current: ballotToProto(current)} }

func (h *Handler) GetBallot(ctx context.Context, req *v1.GetBallotRequest) (*v1.GetBallotResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	b, err := replyBallot(h.svc.Get(ctx, auth.FromContext(ctx), eid))
	if err != nil {
		return nil, err
	}
	return &v1.GetBallotResponse{Ballot: b}, nil
}

func (h *Handler) SaveBallot(ctx context.Context, req *v1.SaveBallotRequest) (*v1.SaveBallotResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	scores := make([]Score, 0, len(req.GetScores()))
	for _, s := range req.GetScores() { // ids are validated as UUIDs
		scores = append(scores, Score{NominationID: uuid.MustParse(s.GetNominationId()), CriterionID: uuid.MustParse(s.GetCriterionId()), Value: s.GetValue()})
	}
	comments := make([]Comment, 0, len(req.GetComments()))
	for _, c := range req.GetComments() {
		comments = append(comments, Comment{NominationID: uuid.MustParse(c.GetNominationId()), Text: c.GetText()})
	}
	b, err := replyBallot(h.svc.Save(ctx, auth.FromContext(ctx), eid, req.GetExpectedVersion(), scores, comments))
	if err != nil {
		return nil, err
	}
	return &v1.SaveBallotResponse{Ballot: b}, nil
}

func (h *Handler) CastBallot(ctx context.Context, req *v1.CastBallotRequest) (*v1.CastBallotResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	rid, err := wire.ID("request_id", req.GetRequestId())
	if err != nil {
		return nil, err
	}
	var reads []TranslationRead
	for i, r := range req.GetTranslationsRead() {
		pid, err := wire.ID(fmt.Sprintf("translations_read[%d].practice_id", i), r.GetPracticeId())
		if err != nil {
			return nil, err
		}
		reads = append(reads, TranslationRead{PracticeID: pid, Language: r.GetLanguage(), Version: r.GetVersion()})
	}
	c, err := h.svc.CastBallot(ctx, auth.FromContext(ctx), eid, req.GetExpectedVersion(), rid, reads)
	if err != nil {
		return nil, fault.MapDetail(err, ballotConflict)
	}
	return &v1.CastBallotResponse{Cast: castToProto(&c)}, nil
}

func (h *Handler) DeclareConflict(ctx context.Context, req *v1.DeclareConflictRequest) (*v1.DeclareConflictResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	nid, err := wire.ID("nomination_id", req.GetNominationId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.DeclareConflict(ctx, auth.FromContext(ctx), eid, nid, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &v1.DeclareConflictResponse{Recusal: recusalToProto(r)}, nil
}

func (h *Handler) Abstain(ctx context.Context, req *v1.AbstainRequest) (*v1.AbstainResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	nid, err := wire.ID("nomination_id", req.GetNominationId())
	if err != nil {
		return nil, err
	}
	r, err := h.svc.Abstain(ctx, auth.FromContext(ctx), eid, nid, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &v1.AbstainResponse{Recusal: recusalToProto(r)}, nil
}

func (h *Handler) GetJuryProgress(ctx context.Context, req *v1.GetJuryProgressRequest) (*v1.GetJuryProgressResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	ps, next, err := h.svc.Progress(ctx, eid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.GetJuryProgressResponse{NextPageToken: next}
	for _, p := range ps {
		jp := &v1.JurorProgress{AssignmentId: p.AssignmentID.String(), DisplayName: p.DisplayName}
		if p.RevokeTime != nil {
			jp.RevokeTime = timestamppb.New(*p.RevokeTime)
		}
		for _, c := range p.Categories {
			jp.Categories = append(jp.Categories, &v1.CategoryProgress{CategoryId: c.CategoryID.String(), State: progressStates[c.State]})
		}
		for _, r := range p.Declared {
			jp.DeclaredConflicts = append(jp.DeclaredConflicts, recusalToProto(r))
		}
		for _, r := range p.Reads {
			jp.TranslationsRead = append(jp.TranslationsRead, &v1.TranslationRead{PracticeId: r.PracticeID.String(), Language: r.Language, Version: r.Version})
		}
		resp.Jurors = append(resp.Jurors, jp)
	}
	return resp, nil
}

var progressStates = map[string]v1.ProgressState{
	NotStarted: v1.ProgressState_PROGRESS_STATE_NOT_STARTED,
	Drafted:    v1.ProgressState_PROGRESS_STATE_DRAFT,
	CastState:  v1.ProgressState_PROGRESS_STATE_CAST,
	Recused:    v1.ProgressState_PROGRESS_STATE_RECUSED,
}

var recusalProto = map[string]v1.RecusalKind{
	"HOME_CITY": v1.RecusalKind_RECUSAL_KIND_HOME_CITY,
	"DECLARED":  v1.RecusalKind_RECUSAL_KIND_DECLARED,
	"ABSTAINED": v1.RecusalKind_RECUSAL_KIND_ABSTAINED,
}

func recusalToProto(r Recusal) *v1.Recusal {
	return &v1.Recusal{NominationId: r.NominationID.String(), Kind: recusalProto[r.Kind], Reason: r.Reason}
}

func scoreToProto(s Score) *v1.Score {
	return &v1.Score{NominationId: s.NominationID.String(), CriterionId: s.CriterionID.String(), Value: s.Value}
}

func ballotToProto(b Ballot) *v1.Ballot {
	out := &v1.Ballot{EditionId: b.EditionID.String(), Version: b.Version, LastCast: castToProto(b.LastCast)}
	if b.UpdateTime != nil {
		out.UpdateTime = timestamppb.New(*b.UpdateTime)
	}
	for _, s := range b.Scores {
		out.Scores = append(out.Scores, scoreToProto(s))
	}
	for _, c := range b.Comments {
		out.Comments = append(out.Comments, &v1.NominationComment{NominationId: c.NominationID.String(), Text: c.Text})
	}
	for _, r := range b.Recusals {
		out.Recusals = append(out.Recusals, recusalToProto(r))
	}
	return out
}

func castToProto(c *Cast) *v1.BallotCast {
	if c == nil {
		return nil
	}
	return &v1.BallotCast{
		Id: c.ID.String(), Version: c.Version, CastTime: timestamppb.New(c.CastTime),
		Receipt: &v1.Receipt{BallotHash: c.BallotHash, LeafIndex: c.LeafIndex},
	}
}
