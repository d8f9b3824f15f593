package report

import (
	"context"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.ReportService.
type Handler struct {
	svc *Service
}

var _ miastav1connect.ReportServiceHandler = (*Handler)(nil)

// NewHandler returns the ReportService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// ids parses a request's edition and city ids.
func ids(editionID, cityID string) (uuid.UUID, uuid.UUID, error) {
	e, err := wire.ID("edition_id", editionID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	c, err := wire.ID("city_id", cityID)
	return e, c, err
}

// reply converts a report result for the wire, turning a conflict's current report into the
// ReportConflict detail the API promises.
func reply(r Report, err error) (*v1.Report, error) {
	if err != nil {
		return nil, fault.MapDetail(err, func(current Report) any { return &v1.ReportConflict{Current: reportToProto(current)} })
	}
	return reportToProto(r), nil
}

func (h *Handler) GetReport(ctx context.Context, req *v1.GetReportRequest) (*v1.GetReportResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.Get(ctx, auth.FromContext(ctx), eid, cid))
	if err != nil {
		return nil, err
	}
	return &v1.GetReportResponse{Report: r}, nil
}

func (h *Handler) SaveReport(ctx context.Context, req *v1.SaveReportRequest) (*v1.SaveReportResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	edit := Edit{ExpectedVersion: req.GetExpectedVersion(), Introduction: req.GetIntroduction()}
	if req.GetChanges() != nil {
		if edit.Introduction != "" || len(req.GetPractices()) > 0 || len(req.GetFollowUps()) > 0 {
			return nil, fault.Invalidf("changes", "a save of changes sends no introduction, practices or follow-ups besides them")
		}
		edit.Changes = changesFromProto(req.GetChanges().GetChanges())
	}
	for _, p := range req.GetPractices() {
		edit.Practices = append(edit.Practices, practiceFromProto(p))
	}
	for _, f := range req.GetFollowUps() {
		edit.FollowUps = append(edit.FollowUps, FollowUp{
			PreviousNominationID: uuid.MustParse(f.GetPreviousNominationId()), // validated as a UUID
			Outcome:              outcomeFromProto(f.GetOutcome()),
			Narrative:            f.GetNarrative(),
		})
	}
	saved, added, err := h.svc.SaveAdding(ctx, auth.FromContext(ctx), eid, cid, edit)
	r, err := reply(saved, err)
	if err != nil {
		return nil, err
	}
	if edit.Changes == nil {
		return &v1.SaveReportResponse{Report: r, Version: r.GetVersion(), Problems: r.GetProblems(), UpdateTime: r.GetUpdateTime()}, nil
	}
	// A save of changes answers small: a long report's text does not travel back on every autosave.
	resp := &v1.SaveReportResponse{Version: r.GetVersion(), Problems: r.GetProblems(), UpdateTime: r.GetUpdateTime()}
	for _, c := range req.GetChanges().GetChanges() {
		if k := c.GetPractice().GetKey(); k != "" && c.GetPractice().GetId() == "" {
			resp.Added = append(resp.Added, &v1.AddedPractice{Key: k, Id: added[k].String()})
		}
	}
	return resp, nil
}

func (h *Handler) ListReportVersions(ctx context.Context, req *v1.ListReportVersionsRequest) (*v1.ListReportVersionsResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	vs, next, err := h.svc.Versions(ctx, auth.FromContext(ctx), eid, cid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListReportVersionsResponse{NextPageToken: next}
	for _, v := range vs {
		by := "expert"
		if v.ByOrganiser {
			by = "organiser"
		}
		resp.Versions = append(resp.Versions, &v1.ReportVersion{
			Version: v.Version, Kind: versionKinds[v.Kind], Status: statusToProto(v.Status), CreateTime: timestamppb.New(v.CreateTime),
			By: by, RestoredFrom: v.RestoredFrom, PracticeCount: v.PracticeCount, Characters: v.Characters,
		})
	}
	return resp, nil
}

var versionKinds = map[VersionKind]v1.ReportVersionKind{
	versionSave:    v1.ReportVersionKind_REPORT_VERSION_KIND_SAVE,
	versionRestore: v1.ReportVersionKind_REPORT_VERSION_KIND_RESTORE,
	versionStatus:  v1.ReportVersionKind_REPORT_VERSION_KIND_STATUS,
}

func (h *Handler) GetReportVersion(ctx context.Context, req *v1.GetReportVersionRequest) (*v1.GetReportVersionResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.VersionContent(ctx, auth.FromContext(ctx), eid, cid, req.GetVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.GetReportVersionResponse{Report: r}, nil
}

func (h *Handler) RestoreReportVersion(ctx context.Context, req *v1.RestoreReportVersionRequest) (*v1.RestoreReportVersionResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.Restore(ctx, auth.FromContext(ctx), eid, cid, req.GetVersion(), req.GetExpectedVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.RestoreReportVersionResponse{Report: r}, nil
}

func (h *Handler) ExportReportPdf(ctx context.Context, req *v1.ExportReportPdfRequest) (*v1.ExportReportPdfResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	pdf, name, err := h.svc.PDF(ctx, auth.FromContext(ctx), eid, cid, req.GetVersion(), req.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &v1.ExportReportPdfResponse{ContentType: "application/pdf", Filename: name, Content: pdf}, nil
}

func (h *Handler) UploadAttachment(ctx context.Context, req *v1.UploadAttachmentRequest) (*v1.UploadAttachmentResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	pid, err := wire.ID("practice_id", req.GetPracticeId())
	if err != nil {
		return nil, err
	}
	a, err := h.svc.Upload(ctx, auth.FromContext(ctx), eid, cid, pid, req.GetFilename(), req.GetContent())
	if err != nil {
		return nil, err
	}
	return &v1.UploadAttachmentResponse{Attachment: AttachmentToProto(a)}, nil
}

func (h *Handler) DeleteAttachment(ctx context.Context, req *v1.DeleteAttachmentRequest) (*v1.DeleteAttachmentResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	id, err := wire.ID("attachment_id", req.GetAttachmentId())
	if err != nil {
		return nil, err
	}
	if err := h.svc.DeleteAttachment(ctx, auth.FromContext(ctx), eid, cid, id); err != nil {
		return nil, err
	}
	return &v1.DeleteAttachmentResponse{}, nil
}

func (h *Handler) PublishAttachment(ctx context.Context, req *v1.PublishAttachmentRequest) (*v1.PublishAttachmentResponse, error) {
	id, err := wire.ID("attachment_id", req.GetAttachmentId())
	if err != nil {
		return nil, err
	}
	a, err := h.svc.Publish(ctx, auth.FromContext(ctx), id, req.GetPublished())
	if err != nil {
		return nil, err
	}
	return &v1.PublishAttachmentResponse{Attachment: AttachmentToProto(a)}, nil
}

// AttachmentToProto converts an attachment for the wire, with the path a browser reads it at.
func AttachmentToProto(a Attachment) *v1.Attachment {
	return &v1.Attachment{Id: a.ID.String(), PracticeId: a.PracticeID.String(), Filename: a.Filename, MediaType: a.MediaType,
		Kind: a.Kind, Size: a.Size, Sha256: a.SHA256, Published: a.Published, CreateTime: timestamppb.New(a.CreateTime),
		Url: "/attachments/" + a.ID.String()}
}

// changesFromProto converts validated changes (ids are UUIDs or empty, oneofs set).
func changesFromProto(in []*v1.ReportChange) []Change {
	out := make([]Change, 0, len(in))
	for _, c := range in {
		var ch Change
		switch c.GetChange().(type) {
		case *v1.ReportChange_Introduction:
			ch.Introduction = textEditFromProto(c.GetIntroduction())
		case *v1.ReportChange_Practice:
			p := c.GetPractice()
			pc := PracticeChange{Key: p.GetKey(), Title: textEditFromProto(p.GetTitle()), Description: textEditFromProto(p.GetDescription()),
				Partners: textEditFromProto(p.GetPartners()), TargetGroups: textEditFromProto(p.GetTargetGroups())}
			if p.GetId() != "" {
				pc.ID = uuid.MustParse(p.GetId())
			}
			if p.CategoryId != nil {
				id := uuid.MustParse(p.GetCategoryId())
				pc.CategoryID = &id
			}
			if p.SinceYear != nil {
				y := p.GetSinceYear()
				pc.SinceYear = &y
			}
			if p.GetEvidenceLinks() != nil {
				pc.SetLinks, pc.EvidenceLinks = true, orEmpty(p.GetEvidenceLinks().GetLinks())
			}
			for _, n := range p.GetNarratives() {
				pc.Narratives = append(pc.Narratives, NarrativeChange{CriterionID: uuid.MustParse(n.GetCriterionId()), Text: *textEditFromProto(n.GetText())})
			}
			ch.Practice = &pc
		case *v1.ReportChange_RemovePractice:
			id := uuid.MustParse(c.GetRemovePractice())
			ch.Remove = &id
		case *v1.ReportChange_Order:
			ch.Order = []PracticeRef{}
			for _, r := range c.GetOrder().GetPractices() {
				if r.GetId() != "" {
					ch.Order = append(ch.Order, PracticeRef{ID: uuid.MustParse(r.GetId())})
				} else {
					ch.Order = append(ch.Order, PracticeRef{Key: r.GetKey()})
				}
			}
		case *v1.ReportChange_FollowUp:
			f := c.GetFollowUp()
			fc := FollowUpChange{PreviousNominationID: uuid.MustParse(f.GetPreviousNominationId()), Narrative: textEditFromProto(f.GetNarrative())}
			if f.Outcome != nil {
				o := outcomeFromProto(f.GetOutcome())
				fc.Outcome = &o
			}
			ch.FollowUp = &fc
		}
		out = append(out, ch)
	}
	return out
}

func textEditFromProto(e *v1.TextEdit) *TextEdit {
	if e == nil {
		return nil
	}
	return &TextEdit{Start: int(e.GetStart()), End: int(e.GetEnd()), OldLength: int(e.GetOldLength()), Text: e.GetText()}
}

func (h *Handler) SubmitReport(ctx context.Context, req *v1.SubmitReportRequest) (*v1.SubmitReportResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.Submit(ctx, auth.FromContext(ctx), eid, cid, req.GetExpectedVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.SubmitReportResponse{Report: r}, nil
}

func (h *Handler) ListReportStatuses(ctx context.Context, req *v1.ListReportStatusesRequest) (*v1.ListReportStatusesResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	sums, next, err := h.svc.Statuses(ctx, eid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListReportStatusesResponse{NextPageToken: next}
	for _, s := range sums {
		resp.Reports = append(resp.Reports, &v1.ReportStatusSummary{
			City: edition.CityToProto(s.City), Status: statusToProto(s.Status), Version: s.Version,
			PracticeCount: s.PracticeCount, UpdateTime: ts(s.UpdateTime), SubmitTime: ts(s.SubmitTime),
			ReturnTime: ts(s.ReturnTime), AcceptTime: ts(s.AcceptTime),
		})
	}
	return resp, nil
}

func (h *Handler) ReturnReport(ctx context.Context, req *v1.ReturnReportRequest) (*v1.ReturnReportResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.Return(ctx, auth.FromContext(ctx), eid, cid, req.GetExpectedVersion(), req.GetComment()))
	if err != nil {
		return nil, err
	}
	return &v1.ReturnReportResponse{Report: r}, nil
}

func (h *Handler) AcceptReport(ctx context.Context, req *v1.AcceptReportRequest) (*v1.AcceptReportResponse, error) {
	eid, cid, err := ids(req.GetEditionId(), req.GetCityId())
	if err != nil {
		return nil, err
	}
	r, err := reply(h.svc.Accept(ctx, auth.FromContext(ctx), eid, cid, req.GetExpectedVersion()))
	if err != nil {
		return nil, err
	}
	return &v1.AcceptReportResponse{Report: r}, nil
}

func (h *Handler) ListNominations(ctx context.Context, req *v1.ListNominationsRequest) (*v1.ListNominationsResponse, error) {
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
	ns, next, err := h.svc.Nominations(ctx, auth.FromContext(ctx), eid, cat, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListNominationsResponse{NextPageToken: next}
	for _, n := range ns {
		resp.Nominations = append(resp.Nominations, NominationToProto(n))
	}
	return resp, nil
}

func (h *Handler) Nominate(ctx context.Context, req *v1.NominateRequest) (*v1.NominateResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	pid, err := wire.ID("practice_id", req.GetPracticeId())
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
	n, err := h.svc.Nominate(ctx, auth.FromContext(ctx), eid, pid, cat, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &v1.NominateResponse{Nomination: NominationToProto(n)}, nil
}

func (h *Handler) Unnominate(ctx context.Context, req *v1.UnnominateRequest) (*v1.UnnominateResponse, error) {
	id, err := wire.ID("nomination_id", req.GetNominationId())
	if err != nil {
		return nil, err
	}
	if err := h.svc.Unnominate(ctx, auth.FromContext(ctx), id, req.GetReason()); err != nil {
		return nil, err
	}
	return &v1.UnnominateResponse{}, nil
}

func reportToProto(r Report) *v1.Report {
	out := &v1.Report{
		EditionId: r.EditionID.String(), City: edition.CityToProto(r.City), Status: statusToProto(r.Status),
		Version: r.Version, Introduction: r.Introduction, ReturnComment: r.ReturnComment,
		CreateTime: ts(r.CreateTime), UpdateTime: ts(r.UpdateTime), SubmitTime: ts(r.SubmitTime),
		ReturnTime: ts(r.ReturnTime), AcceptTime: ts(r.AcceptTime),
	}
	if r.ID != uuid.Nil {
		out.Id = r.ID.String()
	}
	for _, p := range r.Practices {
		out.Practices = append(out.Practices, practiceWithFiles(p, r.Attachments))
	}
	var problems []Problem
	if r.Status != NotStarted { // nothing written yet: nothing to mark
		problems = Problems(contentOf(r))
	}
	for _, p := range problems {
		fp := &v1.FieldProblem{Field: p.Field, Link: int32(p.Link), Reason: p.Message, ReasonId: p.Reason(), ReasonArgs: p.ArgMap()}
		if p.PracticeID != uuid.Nil {
			fp.PracticeId = p.PracticeID.String()
		}
		if p.PreviousNominationID != uuid.Nil {
			fp.PreviousNominationId = p.PreviousNominationID.String()
		}
		if p.CriterionID != uuid.Nil {
			fp.CriterionId = p.CriterionID.String()
		}
		out.Problems = append(out.Problems, fp)
	}
	for _, f := range r.FollowUps {
		out.FollowUps = append(out.FollowUps, &v1.FollowUp{
			PreviousNominationId: f.PreviousNominationID.String(), PreviousTitle: f.PreviousTitle,
			PreviousCategoryName: f.PreviousCategoryName, Outcome: outcomeToProto(f.Outcome), Narrative: f.Narrative,
		})
	}
	return out
}

func practiceToProto(p Practice) *v1.Practice {
	out := &v1.Practice{
		Id: p.ID.String(), Title: p.Title, Description: p.Description, CategoryId: p.CategoryID.String(),
		SinceYear: p.SinceYear, Partners: p.Partners, TargetGroups: p.TargetGroups, EvidenceLinks: p.EvidenceLinks,
	}
	for _, n := range p.Narratives {
		out.Narratives = append(out.Narratives, &v1.CriterionNarrative{CriterionId: n.CriterionID.String(), Text: n.Text})
	}
	return out
}

// practiceWithFiles is practiceToProto with those of files that are the practice's.
func practiceWithFiles(p Practice, files []Attachment) *v1.Practice {
	out := practiceToProto(p)
	for _, a := range files {
		if a.PracticeID == p.ID {
			out.Attachments = append(out.Attachments, AttachmentToProto(a))
		}
	}
	return out
}

// practiceFromProto converts a validated practice (its ids are UUIDs or empty).
func practiceFromProto(p *v1.Practice) Practice {
	out := Practice{
		Title: p.GetTitle(), Description: p.GetDescription(), CategoryID: uuid.MustParse(p.GetCategoryId()),
		SinceYear: p.GetSinceYear(), Partners: p.GetPartners(), TargetGroups: p.GetTargetGroups(), EvidenceLinks: p.GetEvidenceLinks(),
	}
	if p.GetId() != "" {
		out.ID = uuid.MustParse(p.GetId())
	}
	for _, n := range p.GetNarratives() {
		out.Narratives = append(out.Narratives, Narrative{CriterionID: uuid.MustParse(n.GetCriterionId()), Text: n.GetText()})
	}
	return out
}

// NominationToProto converts a nomination for the wire.
func NominationToProto(n Nomination) *v1.Nomination {
	return &v1.Nomination{
		Id: n.ID.String(), EditionId: n.EditionID.String(), CategoryId: n.CategoryID.String(),
		City: edition.CityToProto(n.City), Practice: practiceWithFiles(n.Practice, n.Attachments),
		RecategoriseReason: n.RecategoriseReason, CreateTime: timestamppb.New(n.CreateTime),
	}
}

var statuses = map[Status]v1.ReportStatus{
	NotStarted: v1.ReportStatus_REPORT_STATUS_NOT_STARTED,
	Draft:      v1.ReportStatus_REPORT_STATUS_DRAFT,
	Submitted:  v1.ReportStatus_REPORT_STATUS_SUBMITTED,
	Returned:   v1.ReportStatus_REPORT_STATUS_RETURNED,
	Accepted:   v1.ReportStatus_REPORT_STATUS_ACCEPTED,
}

func statusToProto(s Status) v1.ReportStatus { return statuses[s] }

var outcomes = map[Outcome]v1.FollowUpOutcome{
	Unspecified: v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_UNSPECIFIED,
	Continued:   v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_CONTINUED,
	Expanded:    v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_EXPANDED,
	Shrank:      v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_SHRANK,
	Ended:       v1.FollowUpOutcome_FOLLOW_UP_OUTCOME_ENDED,
}

func outcomeToProto(o Outcome) v1.FollowUpOutcome { return outcomes[o] }

func outcomeFromProto(o v1.FollowUpOutcome) Outcome {
	for k, v := range outcomes {
		if v == o {
			return k
		}
	}
	return Unspecified
}

func ts(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}
