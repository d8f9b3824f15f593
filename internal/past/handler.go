package past

import (
	"context"

	"github.com/miasta-otwarte/miasta/internal/auth"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Handler serves miasta.v1.PastEditionService.
type Handler struct {
	svc *Service
}

var _ miastav1connect.PastEditionServiceHandler = (*Handler)(nil)

// NewHandler returns the PastEditionService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func (h *Handler) ImportPastEdition(ctx context.Context, req *v1.ImportPastEditionRequest) (*v1.ImportPastEditionResponse, error) {
	e, err := h.svc.Import(ctx, auth.FromContext(ctx), req.GetEdition(), req.GetReplace())
	if err != nil {
		return nil, err
	}
	return &v1.ImportPastEditionResponse{Edition: e}, nil
}

func (h *Handler) ListPastEditions(ctx context.Context, _ *v1.ListPastEditionsRequest) (*v1.ListPastEditionsResponse, error) {
	all, err := h.svc.List(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.ListPastEditionsResponse{Editions: all}, nil
}

func (h *Handler) GetPastEdition(ctx context.Context, req *v1.GetPastEditionRequest) (*v1.GetPastEditionResponse, error) {
	e, err := h.svc.Get(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	return &v1.GetPastEditionResponse{Edition: e}, nil
}
