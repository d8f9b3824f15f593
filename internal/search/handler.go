package search

import (
	"context"

	"github.com/google/uuid"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.SearchService: proto in, Service.Search, proto out.
type Handler struct {
	svc *Service
}

var _ miastav1connect.SearchServiceHandler = (*Handler)(nil)

// NewHandler returns the SearchService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// SearchPractices finds public practices.
func (h *Handler) SearchPractices(ctx context.Context, req *v1.SearchPracticesRequest) (*v1.SearchPracticesResponse, error) {
	q := Query{
		Text: req.GetQuery(), EditionYear: req.GetEditionYear(), DistinguishedOnly: req.GetDistinguishedOnly(),
		TargetGroup: req.GetTargetGroup(), PageSize: req.GetPageSize(), PageToken: req.GetPageToken(),
	}
	var err error
	if q.CategoryID, err = optionalID("category_id", req.GetCategoryId()); err != nil {
		return nil, err
	}
	if q.CityID, err = optionalID("city_id", req.GetCityId()); err != nil {
		return nil, err
	}
	res, err := h.svc.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &v1.SearchPracticesResponse{
		NextPageToken: res.NextPageToken, TotalCount: res.Total, TotalIsLowerBound: res.TotalIsLowerBound,
		FacetsCounted: res.FacetsCounted, Order: v1.SearchOrder_SEARCH_ORDER_NEWEST,
	}
	if res.Order == Relevance {
		out.Order = v1.SearchOrder_SEARCH_ORDER_RELEVANCE
	}
	for _, hit := range res.Hits {
		p := &v1.SearchHit{
			PracticeId: hit.PracticeID.String(), Title: hit.Title, City: cityToProto(hit.City), EditionYear: hit.EditionYear,
			Category: categoryToProto(hit.Category), Distinguished: hit.Distinguished, SnippetTruncated: hit.Truncated,
		}
		for _, part := range hit.Snippet {
			p.Snippet = append(p.Snippet, &v1.SnippetPart{Text: part.Text, Match: part.Match})
		}
		out.Hits = append(out.Hits, p)
	}
	for _, e := range res.Facets.Editions {
		out.Editions = append(out.Editions, &v1.EditionFacet{Year: e.Year, Count: e.Count})
	}
	for _, c := range res.Facets.Categories {
		out.Categories = append(out.Categories, &v1.CategoryFacet{Category: categoryToProto(c.Category), EditionYear: c.EditionYear, Count: c.Count})
	}
	for _, c := range res.Facets.Cities {
		out.Cities = append(out.Cities, &v1.CityFacet{City: cityToProto(c.City), Count: c.Count})
	}
	return out, nil
}

func optionalID(field, s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := wire.ID(field, s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func cityToProto(c City) *v1.SearchCity { return &v1.SearchCity{Id: c.ID.String(), Name: c.Name} }

func categoryToProto(c Category) *v1.SearchCategory {
	return &v1.SearchCategory{Id: c.ID.String(), Number: c.Number, Names: c.Names}
}
