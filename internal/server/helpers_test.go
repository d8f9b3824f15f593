package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/devidp"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// startPlain serves h on 127.0.0.1 for the test and returns its base URL.
func startPlain(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// devUser is a provider account whose subject testenv.Token knows.
func devUser(email string, verified bool) devidp.User {
	return devidp.User{Subject: testenv.Subject(email), Email: email, EmailVerified: verified, Name: email}
}

var seeded int32

// seedEdition creates, as the organiser behind c, a DRAFT edition of a fresh year with one reporting
// city, one category and one criterion.
func seedEdition(t *testing.T, c testenv.Clients) *v1.Edition {
	t.Helper()
	ctx := context.Background()
	year := 2040 + atomic.AddInt32(&seeded, 1)
	city := must(c.Editions.CreateCity(ctx, &v1.CreateCityRequest{Name: fmt.Sprintf("Miasto %d", year)})).GetCity()
	e := must(c.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: year, Name: fmt.Sprintf("Edycja %d", year)})).GetEdition()
	must(c.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: e.GetId(), Number: 1, NamePl: "Przestrzeń przyjazna imigrantom", NameEn: "Immigrant-friendly space"}))
	must(c.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: e.GetId(), Number: 1, NamePl: "Skuteczność", NameEn: "Effectiveness"}))
	return must(c.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: e.GetId(), CityId: city.GetId()})).GetEdition()
}

// setSimpleRule gives an edition a weighted-mean rule over its criteria (0–5, weight 1, quorum 1, one
// winner per category), as the organiser behind c.
func setSimpleRule(t *testing.T, c testenv.Clients, editionID string, criteria []*v1.Criterion) *v1.TallyRule {
	t.Helper()
	rule := &v1.TallyRule{Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 1, WinnersPerCategory: 1}
	for _, cr := range criteria {
		rule.Criteria = append(rule.Criteria, &v1.CriterionRule{CriterionId: cr.GetId(), MinScore: 0, MaxScore: 5, Weight: 1})
	}
	return must(c.Results.SetTallyRule(context.Background(), &v1.SetTallyRuleRequest{EditionId: editionID, Rule: rule})).GetRule()
}
