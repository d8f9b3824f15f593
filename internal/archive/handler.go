package archive

import (
	"context"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.ArchiveService: ids from the wire, the service's answers back.
type Handler struct{ svc *Service }

var _ miastav1connect.ArchiveServiceHandler = (*Handler)(nil)

// NewHandler returns the ArchiveService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func (h *Handler) ListPublicEditions(ctx context.Context, _ *v1.ListPublicEditionsRequest) (*v1.ListPublicEditionsResponse, error) {
	es, err := h.svc.ListEditions(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.ListPublicEditionsResponse{Editions: es}, nil
}

func (h *Handler) GetPublicEditionResults(ctx context.Context, req *v1.GetPublicEditionResultsRequest) (*v1.GetPublicEditionResultsResponse, error) {
	return h.svc.EditionResults(ctx, req.GetYear(), req.GetLanguage())
}

func (h *Handler) GetPublicCity(ctx context.Context, req *v1.GetPublicCityRequest) (*v1.GetPublicCityResponse, error) {
	id, err := wire.ID("city_id", req.GetCityId())
	if err != nil {
		return nil, err
	}
	return h.svc.City(ctx, id)
}

func (h *Handler) GetPublicPractice(ctx context.Context, req *v1.GetPublicPracticeRequest) (*v1.GetPublicPracticeResponse, error) {
	id, err := wire.ID("practice_id", req.GetPracticeId())
	if err != nil {
		return nil, err
	}
	return h.svc.Practice(ctx, id, req.GetLanguage())
}
