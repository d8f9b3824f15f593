package privacy

import (
	"context"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Handler serves PrivacyService.
type Handler struct{ svc *Service }

var _ miastav1connect.PrivacyServiceHandler = (*Handler)(nil)

// NewHandler returns the PrivacyService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func personOf(r *v1.PersonRef) Person {
	var p Person
	if id := r.GetUserId(); id != "" {
		p.UserID = uuid.MustParse(id) // validated: a UUID
	}
	if id := r.GetInvitationId(); id != "" {
		p.InvitationID = uuid.MustParse(id)
	}
	return p
}

func nilString(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// ErasePerson implements PrivacyService.
func (h *Handler) ErasePerson(ctx context.Context, req *v1.ErasePersonRequest) (*v1.ErasePersonResponse, error) {
	e, err := h.svc.Erase(ctx, auth.FromContext(ctx), personOf(req.GetPerson()))
	if err != nil {
		return nil, err
	}
	return &v1.ErasePersonResponse{Erasure: &v1.Erasure{
		Id: e.ID.String(), UserId: nilString(e.UserID), InvitationId: nilString(e.InvitationID), ErasedBy: nilString(e.ErasedBy),
		EraseTime: timestamppb.New(e.EraseTime), Counts: e.Counts,
	}}, nil
}

// ExportPersonData implements PrivacyService.
func (h *Handler) ExportPersonData(ctx context.Context, req *v1.ExportPersonDataRequest) (*v1.ExportPersonDataResponse, error) {
	doc, err := h.svc.Export(ctx, auth.FromContext(ctx), personOf(req.GetPerson()))
	if err != nil {
		return nil, err
	}
	return &v1.ExportPersonDataResponse{Json: string(doc)}, nil
}

// GetPrivacyNotice implements PrivacyService.
func (h *Handler) GetPrivacyNotice(ctx context.Context, req *v1.GetPrivacyNoticeRequest) (*v1.GetPrivacyNoticeResponse, error) {
	n, err := h.svc.Notice(ctx, req.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &v1.GetPrivacyNoticeResponse{Notice: noticeToProto(n)}, nil
}

// SetPrivacyNotice implements PrivacyService.
func (h *Handler) SetPrivacyNotice(ctx context.Context, req *v1.SetPrivacyNoticeRequest) (*v1.SetPrivacyNoticeResponse, error) {
	n, err := h.svc.SetNotice(ctx, auth.FromContext(ctx), req.GetLanguage(), req.GetText())
	if err != nil {
		return nil, err
	}
	return &v1.SetPrivacyNoticeResponse{Notice: noticeToProto(n)}, nil
}

func noticeToProto(n Notice) *v1.PrivacyNotice {
	out := &v1.PrivacyNotice{Language: n.Language, Text: n.Text, Edited: n.Edited}
	if n.Edited {
		out.UpdateTime = timestamppb.New(n.UpdateTime)
	}
	return out
}
