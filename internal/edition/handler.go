package edition

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.EditionService: proto in, domain call, proto out.
type Handler struct {
	svc *Service
}

var _ miastav1connect.EditionServiceHandler = (*Handler)(nil)

// NewHandler returns the EditionService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func (h *Handler) CreateEdition(ctx context.Context, req *v1.CreateEditionRequest) (*v1.CreateEditionResponse, error) {
	n := NewEdition{
		Year:     req.GetYear(),
		Name:     req.GetName(),
		Timeline: timelineFromProto(req.GetTimeline()),
	}
	switch req.GetBallotPublication() {
	case v1.BallotPublication_BALLOT_PUBLICATION_NAMES:
		n.BallotPublication = PublishNames
	case v1.BallotPublication_BALLOT_PUBLICATION_AGGREGATES:
		n.BallotPublication = PublishAggregates
	default:
		n.BallotPublication = PublishPseudonyms
	}
	if s := req.GetPreviousEditionId(); s != "" {
		id, err := wire.ID("previous_edition_id", s)
		if err != nil {
			return nil, err
		}
		n.PreviousEditionID = &id
	}
	n.Languages = req.GetLanguages()
	n.Demonstration = req.GetDemonstration()
	e, err := h.svc.Create(ctx, auth.FromContext(ctx), n)
	if err != nil {
		return nil, err
	}
	return &v1.CreateEditionResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) GetEdition(ctx context.Context, req *v1.GetEditionRequest) (*v1.GetEditionResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.Get(ctx, auth.FromContext(ctx), id)
	if err != nil {
		return nil, err
	}
	return &v1.GetEditionResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) ListEditions(ctx context.Context, req *v1.ListEditionsRequest) (*v1.ListEditionsResponse, error) {
	es, next, err := h.svc.List(ctx, auth.FromContext(ctx), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListEditionsResponse{NextPageToken: next}
	for _, e := range es {
		resp.Editions = append(resp.Editions, EditionToProto(e))
	}
	return resp, nil
}

func (h *Handler) SetTimeline(ctx context.Context, req *v1.SetTimelineRequest) (*v1.SetTimelineResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.SetTimeline(ctx, auth.FromContext(ctx), id, timelineFromProto(req.GetTimeline()))
	if err != nil {
		return nil, err
	}
	return &v1.SetTimelineResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) ChangeStage(ctx context.Context, req *v1.ChangeStageRequest) (*v1.ChangeStageResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.ChangeStage(ctx, auth.FromContext(ctx), id, StageChange{
		Target:      stageFromProto(req.GetStage()),
		Reason:      req.GetReason(),
		Override:    req.GetOverrideUnacceptedReports(),
		Acknowledge: req.GetAcknowledgeWarnings(),
	})
	if err != nil {
		return nil, fault.MapDetail(fault.MapDetail(err, MissingToProto), WarningsToProto)
	}
	return &v1.ChangeStageResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) CreateCity(ctx context.Context, req *v1.CreateCityRequest) (*v1.CreateCityResponse, error) {
	c, err := h.svc.CreateCity(ctx, auth.FromContext(ctx), req.GetName())
	if err != nil {
		return nil, err
	}
	return &v1.CreateCityResponse{City: CityToProto(c)}, nil
}

func (h *Handler) ListCities(ctx context.Context, req *v1.ListCitiesRequest) (*v1.ListCitiesResponse, error) {
	cs, next, err := h.svc.ListCities(ctx, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListCitiesResponse{NextPageToken: next}
	for _, c := range cs {
		resp.Cities = append(resp.Cities, CityToProto(c))
	}
	return resp, nil
}

func (h *Handler) AddEditionCity(ctx context.Context, req *v1.AddEditionCityRequest) (*v1.AddEditionCityResponse, error) {
	e, err := h.editionCity(ctx, req.GetEditionId(), req.GetCityId(), h.svc.AddCity)
	if err != nil {
		return nil, err
	}
	return &v1.AddEditionCityResponse{Edition: e}, nil
}

func (h *Handler) RemoveEditionCity(ctx context.Context, req *v1.RemoveEditionCityRequest) (*v1.RemoveEditionCityResponse, error) {
	e, err := h.editionCity(ctx, req.GetEditionId(), req.GetCityId(), h.svc.RemoveCity)
	if err != nil {
		return nil, err
	}
	return &v1.RemoveEditionCityResponse{Edition: e}, nil
}

func (h *Handler) editionCity(ctx context.Context, editionID, cityID string,
	change func(context.Context, *auth.Principal, uuid.UUID, uuid.UUID) (Edition, error),
) (*v1.Edition, error) {
	eid, err := wire.ID("edition_id", editionID)
	if err != nil {
		return nil, err
	}
	cid, err := wire.ID("city_id", cityID)
	if err != nil {
		return nil, err
	}
	e, err := change(ctx, auth.FromContext(ctx), eid, cid)
	if err != nil {
		return nil, err
	}
	return EditionToProto(e), nil
}

func (h *Handler) CreateCategory(ctx context.Context, req *v1.CreateCategoryRequest) (*v1.CreateCategoryResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	c, err := h.svc.CreateCategory(ctx, auth.FromContext(ctx), Category{
		EditionID: id, Number: req.GetNumber(), NamePL: req.GetNamePl(), NameEN: req.GetNameEn(), Description: req.GetDescription(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.CreateCategoryResponse{Category: CategoryToProto(c)}, nil
}

func (h *Handler) ListCategories(ctx context.Context, req *v1.ListCategoriesRequest) (*v1.ListCategoriesResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	cs, next, err := h.svc.ListCategories(ctx, auth.FromContext(ctx), id, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListCategoriesResponse{NextPageToken: next}
	for _, c := range cs {
		resp.Categories = append(resp.Categories, CategoryToProto(c))
	}
	return resp, nil
}

func (h *Handler) CreateCriterion(ctx context.Context, req *v1.CreateCriterionRequest) (*v1.CreateCriterionResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	c, err := h.svc.CreateCriterion(ctx, auth.FromContext(ctx), Criterion{
		EditionID: id, Number: req.GetNumber(), NamePL: req.GetNamePl(), NameEN: req.GetNameEn(), Description: req.GetDescription(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.CreateCriterionResponse{Criterion: CriterionToProto(c)}, nil
}

func (h *Handler) ListCriteria(ctx context.Context, req *v1.ListCriteriaRequest) (*v1.ListCriteriaResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	cs, next, err := h.svc.ListCriteria(ctx, auth.FromContext(ctx), id, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListCriteriaResponse{NextPageToken: next}
	for _, c := range cs {
		resp.Criteria = append(resp.Criteria, CriterionToProto(c))
	}
	return resp, nil
}

func (h *Handler) SetLanguages(ctx context.Context, req *v1.SetLanguagesRequest) (*v1.SetLanguagesResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.SetLanguages(ctx, auth.FromContext(ctx), id, req.GetLanguages())
	if err != nil {
		return nil, err
	}
	return &v1.SetLanguagesResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) SetDataLicence(ctx context.Context, req *v1.SetDataLicenceRequest) (*v1.SetDataLicenceResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.SetDataLicence(ctx, auth.FromContext(ctx), id, req.GetDataLicence())
	if err != nil {
		return nil, err
	}
	return &v1.SetDataLicenceResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) SetDeliberationNames(ctx context.Context, req *v1.SetDeliberationNamesRequest) (*v1.SetDeliberationNamesResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	e, err := h.svc.SetDeliberationNames(ctx, id, req.GetNames())
	if err != nil {
		return nil, err
	}
	return &v1.SetDeliberationNamesResponse{Edition: EditionToProto(e)}, nil
}

func (h *Handler) SetTexts(ctx context.Context, req *v1.SetTextsRequest) (*v1.SetTextsResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	ts := make([]Text, 0, len(req.GetTexts()))
	for i, t := range req.GetTexts() {
		sid, err := wire.ID(fmt.Sprintf("texts[%d].subject_id", i), t.GetSubjectId())
		if err != nil {
			return nil, err
		}
		f := FieldName
		if t.GetField() == v1.TextField_TEXT_FIELD_DESCRIPTION {
			f = FieldDescription
		}
		ts = append(ts, Text{SubjectID: sid, Field: f, Language: t.GetLanguage(), Text: t.GetText()})
	}
	e, cats, crit, err := h.svc.SetTexts(ctx, auth.FromContext(ctx), id, ts)
	if err != nil {
		return nil, err
	}
	resp := &v1.SetTextsResponse{Edition: EditionToProto(e)}
	for _, c := range cats {
		resp.Categories = append(resp.Categories, CategoryToProto(c))
	}
	for _, c := range crit {
		resp.Criteria = append(resp.Criteria, CriterionToProto(c))
	}
	return resp, nil
}

// MissingToProto is the wire form of the texts an edition still lacks before its jury opens.
func MissingToProto(m MissingTexts) any {
	out := &errdetails.PreconditionFailure{}
	for _, x := range m {
		out.Violations = append(out.Violations, &errdetails.PreconditionFailure_Violation{
			Type:        "TEXT_MISSING",
			Subject:     x.SubjectID.String() + "/" + x.What + "/" + x.Language,
			Description: fmt.Sprintf("the %s has no text in %q", x.What, x.Language),
		})
	}
	return out
}

// EditionToProto converts an edition for the wire.
func EditionToProto(e Edition) *v1.Edition {
	out := &v1.Edition{
		Id:    e.ID.String(),
		Year:  e.Year,
		Name:  e.Name,
		Stage: StageToProto(e.Stage),
		Timeline: &v1.Timeline{
			ReportingDeadline: ts(e.Timeline.ReportingDeadline),
			JuryDeadline:      ts(e.Timeline.JuryDeadline),
			CeremonyTime:      ts(e.Timeline.CeremonyTime),
		},
		BallotPublication: v1.BallotPublication_BALLOT_PUBLICATION_PSEUDONYMS,
		CreateTime:        timestamppb.New(e.CreateTime),
		UpdateTime:        timestamppb.New(e.UpdateTime),
		Names:             e.Names,
		Languages:         e.Languages,
		Demonstration:     e.Demonstration,
		DataLicence:       e.DataLicence,
		DeliberationNames: e.DeliberationNames,
	}
	switch e.BallotPublication {
	case PublishNames:
		out.BallotPublication = v1.BallotPublication_BALLOT_PUBLICATION_NAMES
	case PublishAggregates:
		out.BallotPublication = v1.BallotPublication_BALLOT_PUBLICATION_AGGREGATES
	}
	if e.PreviousEditionID != nil {
		out.PreviousEditionId = e.PreviousEditionID.String()
	}
	for _, c := range e.Cities {
		out.Cities = append(out.Cities, CityToProto(c))
	}
	return out
}

// CityToProto converts a city for the wire.
func CityToProto(c City) *v1.City { return &v1.City{Id: c.ID.String(), Name: c.Name} }

// CategoryToProto converts a category for the wire.
func CategoryToProto(c Category) *v1.Category {
	return &v1.Category{Id: c.ID.String(), EditionId: c.EditionID.String(), Number: c.Number, NamePl: c.NamePL, NameEn: c.NameEN, Description: c.Description, Names: c.Names, Descriptions: c.Descriptions}
}

// CriterionToProto converts a criterion for the wire.
func CriterionToProto(c Criterion) *v1.Criterion {
	return &v1.Criterion{Id: c.ID.String(), EditionId: c.EditionID.String(), Number: c.Number, NamePl: c.NamePL, NameEn: c.NameEN, Description: c.Description, Names: c.Names, Descriptions: c.Descriptions}
}

// StageToProto maps a stage to its wire enum.
func StageToProto(s Stage) v1.Stage {
	return v1.Stage(s.Index() + 1) // the enum lists the stages in process order from 1
}

func stageFromProto(s v1.Stage) Stage {
	if i := int(s) - 1; i >= 0 && i < len(Stages) {
		return Stages[i]
	}
	return ""
}

func ts(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func timelineFromProto(t *v1.Timeline) Timeline {
	at := func(p *timestamppb.Timestamp) *time.Time {
		if p == nil {
			return nil
		}
		v := p.AsTime()
		return &v
	}
	return Timeline{
		ReportingDeadline: at(t.GetReportingDeadline()),
		JuryDeadline:      at(t.GetJuryDeadline()),
		CeremonyTime:      at(t.GetCeremonyTime()),
	}
}

// WarningsToProto is the wire form of the warnings a move was refused for.
func WarningsToProto(ws Warnings) any {
	out := &errdetails.PreconditionFailure{}
	for _, w := range ws {
		out.Violations = append(out.Violations, &errdetails.PreconditionFailure_Violation{Type: w.Type, Subject: w.Subject, Description: w.Name})
	}
	return out
}

func (h *Handler) GetEditionDashboard(ctx context.Context, req *v1.GetEditionDashboardRequest) (*v1.GetEditionDashboardResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Dashboard(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &v1.EditionDashboard{
		Edition: EditionToProto(d.Edition), Cities: d.Cities, ReportsByStatus: map[string]int32{},
		CitiesWithoutExpert: d.CitiesWithoutExpert, Nominations: d.Nominations,
		MailHeld: d.MailByStatus["HELD"], MailFailed: d.MailByStatus["FAILED"], RuleSet: d.RuleSet, RuleFrozen: d.RuleFrozen,
	}
	if d.Next != "" {
		out.NextStage = StageToProto(d.Next)
	}
	if d.Deadline != nil {
		out.StageDeadline = timestamppb.New(*d.Deadline)
	}
	for i, b := range d.Blockers {
		out.Blockers = append(out.Blockers, &v1.Blocker{Field: b.Field, Message: b.Message, Reason: b.Reason(), Args: b.ArgMap(), Overridable: d.Overridable[i]})
	}
	for _, w := range d.Warnings {
		out.Warnings = append(out.Warnings, &v1.StageWarning{Type: w.Type, Subject: w.Subject, Description: w.Name})
	}
	for _, st := range []string{"NOT_STARTED", "DRAFT", "SUBMITTED", "RETURNED", "ACCEPTED"} {
		out.ReportsByStatus[st] = d.ReportsByStatus[st]
	}
	out.ReportsSubmitted = d.ReportsByStatus["SUBMITTED"] + d.ReportsByStatus["ACCEPTED"]
	for _, p := range d.People {
		out.People = append(out.People, &v1.DashboardPerson{
			InvitationId: p.InvitationID.String(), Role: p.Role, DisplayName: p.Name, CityName: p.City,
			SignedIn: p.SignedIn, Progress: p.Progress, AssignmentId: p.AssignmentID,
		})
		switch p.Role {
		case "EXPERT":
			out.Experts++
			if !p.SignedIn {
				out.ExpertsNotSignedIn++
			}
		case "JUROR":
			out.Jurors++
			if !p.SignedIn {
				out.JurorsNotSignedIn++
			}
			switch p.Progress {
			case "CAST":
				out.JurorsCast++
			case "DRAFT":
				out.JurorsDrafting++
			}
		}
	}
	return &v1.GetEditionDashboardResponse{Dashboard: out}, nil
}
