package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
)

// benchJurorHome is the simulated jurors' home city: one of the twelve without an expert, so no
// nomination is theirs and every juror scores every nomination.
const benchJurorHome = "Wrocław"

// Marks run from minScore to maxScore on every criterion, as in the demo rule.
const minScore, maxScore = 0, 5

func jurorEmail(i int) string { return fmt.Sprintf("lawnik.bench.%03d@miasta.test", i+1) }

// seeded is an edition in JURY with its signed-in jurors.
type seeded struct {
	id          string
	org         demo.Clients
	jurors      []*juror
	nominations int
}

// seed builds the demo 2015 edition with demo.Seed, plays stage 1 through the API as demo.Walk does
// (every expert reports two practices, the organiser accepts and shortlists them all, sets the demo's
// weighted-mean rule), invites and signs in the simulated jurors, opens the jury, and has every juror
// save a complete first ballot.
func (r *run) seed(ctx context.Context, p *platform) (*seeded, error) {
	principal, err := organiser(ctx, p.app, p.issuer)
	if err != nil {
		return nil, err
	}
	ed, err := demo.Seed(ctx, p.app.Editions, p.app.Identity, principal, time.Now())
	if err != nil {
		return nil, fmt.Errorf("demo.Seed: %w", err)
	}
	s := &seeded{id: ed.ID.String()}
	if s.org, err = p.clients(ctx, demo.OrganiserEmail); err != nil {
		return nil, err
	}
	org, id := s.org, s.id
	e, err := org.Editions.GetEdition(ctx, &v1.GetEditionRequest{EditionId: id})
	if err != nil {
		return nil, err
	}
	cats, err := org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: id})
	if err != nil {
		return nil, err
	}
	crits, err := org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: id})
	if err != nil {
		return nil, err
	}
	cityID := map[string]string{}
	for _, c := range e.GetEdition().GetCities() {
		cityID[c.GetName()] = c.GetId()
	}

	// Stage 1, as demo.Walk plays it.
	for i, person := range demo.People {
		if person.Role != "expert" {
			continue
		}
		c, err := p.clients(ctx, person.Email)
		if err != nil {
			return nil, err
		}
		var practices []*v1.Practice
		for k := range 2 {
			cat := cats.GetCategories()[(i*2+k)%len(cats.GetCategories())]
			practices = append(practices, &v1.Practice{
				Title:       fmt.Sprintf("%s: %s", person.City, cat.GetNamePl()),
				Description: "Praktyka miasta " + person.City + " na rzecz cudzoziemców.",
				CategoryId:  cat.GetId(),
				SinceYear:   2010 + int32(i),
				Narratives:  []*v1.CriterionNarrative{{CriterionId: crits.GetCriteria()[0].GetId(), Text: "Działania obejmują wiele obszarów."}},
			})
		}
		rep, err := c.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: cityID[person.City], Introduction: "Raport miasta " + person.City, Practices: practices})
		if err != nil {
			return nil, fmt.Errorf("%s saves the report: %w", person.Email, err)
		}
		sub, err := c.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: cityID[person.City], ExpectedVersion: rep.GetReport().GetVersion()})
		if err != nil {
			return nil, fmt.Errorf("%s submits: %w", person.Email, err)
		}
		if _, err := org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: cityID[person.City], ExpectedVersion: sub.GetReport().GetVersion()}); err != nil {
			return nil, fmt.Errorf("accept %s: %w", person.City, err)
		}
	}
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW}); err != nil {
		return nil, err
	}
	for _, person := range demo.People {
		if person.Role != "expert" {
			continue
		}
		rep, err := org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: cityID[person.City]})
		if err != nil {
			return nil, err
		}
		for _, pr := range rep.GetReport().GetPractices() {
			if _, err := org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: pr.GetId()}); err != nil {
				return nil, fmt.Errorf("nominate %q: %w", pr.GetTitle(), err)
			}
			s.nominations++
		}
	}
	rule := &v1.TallyRule{
		Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 2, WinnersPerCategory: 1,
		TieBreaks: []v1.TieBreak{v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS, v1.TieBreak_TIE_BREAK_HIGHER_MEDIAN, v1.TieBreak_TIE_BREAK_CRITERIA_IN_ORDER},
	}
	for i, c := range crits.GetCriteria() {
		rule.Criteria = append(rule.Criteria, &v1.CriterionRule{CriterionId: c.GetId(), MinScore: minScore, MaxScore: maxScore, Weight: int32(len(crits.GetCriteria()) - i)})
	}
	if _, err := org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: id, Rule: rule}); err != nil {
		return nil, fmt.Errorf("set the rule: %w", err)
	}

	// The simulated jurors: invited with a home city that has no nomination, then signed in, which
	// binds the invitation on their first call.
	home, err := cityNamed(ctx, org, benchJurorHome)
	if err != nil {
		return nil, err
	}
	for i := range r.cfg.Jurors {
		if _, err := org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
			EditionId: id, Email: jurorEmail(i), Role: v1.Role_ROLE_JUROR, CityId: home, DisplayName: fmt.Sprintf("Ławnik %03d", i+1), Language: "pl",
		}); err != nil {
			return nil, fmt.Errorf("invite %s: %w", jurorEmail(i), err)
		}
	}
	s.jurors = make([]*juror, r.cfg.Jurors)
	if err := parallel(ctx, r.cfg.Jurors, min(r.cfg.Concurrency, 8), func(i int) error {
		c, err := p.clients(ctx, jurorEmail(i))
		if err != nil {
			return err
		}
		me, err := c.Identity.GetMe(ctx, &v1.GetMeRequest{})
		if err != nil {
			return fmt.Errorf("%s's first call: %w", jurorEmail(i), err)
		}
		for _, a := range me.GetMe().GetAssignments() {
			if a.GetEditionId() == id && a.GetRole() == v1.Role_ROLE_JUROR {
				s.jurors[i] = &juror{email: jurorEmail(i), c: c, edition: id, rng: rand.New(rand.NewPCG(uint64(i), 2015))}
				return nil
			}
		}
		return fmt.Errorf("%s's first call did not bind the juror invitation", jurorEmail(i))
	}); err != nil {
		return nil, err
	}
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_JURY}); err != nil {
		return nil, fmt.Errorf("open the jury: %w", err)
	}

	// Every juror learns what to score and saves a complete first ballot (version 1).
	if err := parallel(ctx, len(s.jurors), min(r.cfg.Concurrency, 8), func(i int) error {
		j := s.jurors[i]
		noms, err := j.c.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: id, PageSize: 100})
		if err != nil {
			return fmt.Errorf("%s lists nominations: %w", j.email, err)
		}
		for _, bn := range noms.GetNominations() {
			if bn.GetRecusal() != nil {
				continue
			}
			for _, c := range crits.GetCriteria() {
				j.scores = append(j.scores, [2]string{bn.GetNomination().GetId(), c.GetId()})
			}
		}
		if len(j.scores) == 0 {
			return fmt.Errorf("%s has nothing to score", j.email)
		}
		_, err = j.save(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// cityNamed finds a city's id by name.
func cityNamed(ctx context.Context, org demo.Clients, name string) (string, error) {
	token := ""
	for range 100 {
		resp, err := org.Editions.ListCities(ctx, &v1.ListCitiesRequest{PageSize: 500, PageToken: token})
		if err != nil {
			return "", err
		}
		for _, c := range resp.GetCities() {
			if c.GetName() == name {
				return c.GetId(), nil
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	return "", fmt.Errorf("no city %q", name)
}

// parallel calls f(0..n-1) with at most width calls at once and returns the first error.
func parallel(ctx context.Context, n, width int, f func(i int) error) error {
	sem := make(chan struct{}, max(1, width))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
