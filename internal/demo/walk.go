package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Clients are the API clients of one demo person.
type Clients struct {
	Editions miastav1connect.EditionServiceClient
	Identity miastav1connect.IdentityServiceClient
	Reports  miastav1connect.ReportServiceClient
	Jury     miastav1connect.JuryServiceClient
	Results  miastav1connect.ResultsServiceClient
	// Translations is TranslationService's client.
	Translations miastav1connect.TranslationServiceClient
}

// NewClients returns clients for baseURL that send token as a bearer token.
func NewClients(httpClient *http.Client, baseURL, token string) Clients {
	auth := connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}))
	return Clients{
		Editions: miastav1connect.NewEditionServiceClient(httpClient, baseURL, auth),
		Identity: miastav1connect.NewIdentityServiceClient(httpClient, baseURL, auth),
		Reports:  miastav1connect.NewReportServiceClient(httpClient, baseURL, auth),
		Jury:     miastav1connect.NewJuryServiceClient(httpClient, baseURL, auth),
		Results:  miastav1connect.NewResultsServiceClient(httpClient, baseURL, auth),

		Translations: miastav1connect.NewTranslationServiceClient(httpClient, baseURL, auth),
	}
}

// Walk takes the demo edition from REPORTING to ANNOUNCED through the public API, as each demo person
// would: every expert reports one practice per category their city is strong in, the organiser accepts
// and shortlists them all, the translator translates the shortlist into the jurors' languages (the
// English one as a machine translation), the organiser sets a weighted-mean rule and opens the jury
// (OpenJury); every juror scores, reading their language, and casts; the organiser closes the round
// and announces (CastAndAnnounce). clients maps each demo e-mail to its clients. It prints what it
// does to w and returns the public results.
func Walk(ctx context.Context, clients map[string]Clients, w io.Writer) (*v1.GetPublicResultsResponse, error) {
	e, err := OpenJury(ctx, clients, w)
	if err != nil {
		return nil, err
	}
	return CastAndAnnounce(ctx, clients, e, w)
}

// OpenJury is Walk's first half: it takes the demo edition from REPORTING to an open jury round and
// returns the edition.
func OpenJury(ctx context.Context, clients map[string]Clients, w io.Writer) (*v1.Edition, error) {
	org := clients[OrganiserEmail]
	list, err := org.Editions.ListEditions(ctx, &v1.ListEditionsRequest{})
	if err != nil {
		return nil, err
	}
	var e *v1.Edition
	for _, ed := range list.GetEditions() {
		if ed.GetYear() == Year {
			e = ed
		}
	}
	if e == nil || e.GetStage() != v1.Stage_STAGE_REPORTING {
		return nil, fmt.Errorf("the demo edition must be in REPORTING (a fresh `miasta dev` database)")
	}
	cats, err := org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: e.GetId()})
	if err != nil {
		return nil, err
	}
	crits, err := org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: e.GetId()})
	if err != nil {
		return nil, err
	}
	cityID := map[string]string{}
	for _, c := range e.GetCities() {
		cityID[c.GetName()] = c.GetId()
	}

	// Stage 1: each expert reports two practices in categories spread over the eleven.
	for i, p := range People {
		if p.Role != "expert" {
			continue
		}
		c := clients[p.Email]
		var practices []*v1.Practice
		for k := range 2 {
			cat := cats.GetCategories()[(i*2+k)%len(cats.GetCategories())]
			practices = append(practices, &v1.Practice{
				Title:       fmt.Sprintf("%s: %s", p.City, cat.GetNamePl()),
				Description: "Praktyka miasta " + p.City + " na rzecz cudzoziemców.",
				CategoryId:  cat.GetId(),
				SinceYear:   2010 + int32(i),
				Narratives:  []*v1.CriterionNarrative{{CriterionId: crits.GetCriteria()[0].GetId(), Text: "Działania obejmują wiele obszarów."}},
			})
		}
		r, err := c.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: e.GetId(), CityId: cityID[p.City], Introduction: "Raport miasta " + p.City, Practices: practices})
		if err != nil {
			return nil, fmt.Errorf("%s saves: %w", p.Email, err)
		}
		s, err := c.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: e.GetId(), CityId: cityID[p.City], ExpectedVersion: r.GetReport().GetVersion()})
		if err != nil {
			return nil, fmt.Errorf("%s submits: %w", p.Email, err)
		}
		if _, err := org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: e.GetId(), CityId: cityID[p.City], ExpectedVersion: s.GetReport().GetVersion()}); err != nil {
			return nil, fmt.Errorf("accept %s: %w", p.City, err)
		}
		fmt.Fprintf(w, "report of %s submitted and accepted\n", p.City)
	}
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_REVIEW}); err != nil {
		return nil, err
	}
	for _, p := range People {
		if p.Role != "expert" {
			continue
		}
		r, err := org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: e.GetId(), CityId: cityID[p.City]})
		if err != nil {
			return nil, err
		}
		for _, pr := range r.GetReport().GetPractices() {
			if _, err := org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: e.GetId(), PracticeId: pr.GetId()}); err != nil {
				return nil, fmt.Errorf("nominate %q: %w", pr.GetTitle(), err)
			}
		}
	}
	if err := translate(ctx, clients[TranslatorEmail], e.GetId(), cats.GetCategories()); err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "the shortlist translated into English, Ukrainian, Spanish and Vietnamese")
	rule := &v1.TallyRule{
		Method: v1.AggregationMethod_AGGREGATION_METHOD_WEIGHTED_MEAN, Quorum: 2, WinnersPerCategory: 1,
		TieBreaks: []v1.TieBreak{v1.TieBreak_TIE_BREAK_MORE_TOP_MARKS, v1.TieBreak_TIE_BREAK_HIGHER_MEDIAN, v1.TieBreak_TIE_BREAK_CRITERIA_IN_ORDER},
	}
	var labels []*v1.ScoreLabel
	for v, l := range ScoreLabels {
		labels = append(labels, &v1.ScoreLabel{Value: int32(v), Text: l.Map()})
	}
	for i, c := range crits.GetCriteria() {
		rule.Criteria = append(rule.Criteria, &v1.CriterionRule{
			CriterionId: c.GetId(), MinScore: 0, MaxScore: 5, Weight: int32(len(crits.GetCriteria()) - i),
			Labels: labels,
		})
	}
	if _, err := org.Results.SetTallyRule(ctx, &v1.SetTallyRuleRequest{EditionId: e.GetId(), Rule: rule}); err != nil {
		return nil, fmt.Errorf("set rule: %w", err)
	}
	// The translator translates once the round is open: the organiser opens it knowing that.
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_JURY,
		AcknowledgeWarnings: true, Reason: "Tłumaczenia powstaną w trakcie głosowania; oryginał jest zawsze pod ręką."}); err != nil {
		return nil, fmt.Errorf("open the jury: %w", err)
	}
	fmt.Fprintln(w, "shortlist made, rule frozen, jury round open")
	return e, nil
}

// CastAndAnnounce is Walk's second half: every juror scores every nomination they are not recused
// from and casts (over any draft they saved meanwhile, e.g. in a browser), then the organiser closes
// the round and announces. It returns the public results.
func CastAndAnnounce(ctx context.Context, clients map[string]Clients, e *v1.Edition, w io.Writer) (*v1.GetPublicResultsResponse, error) {
	org := clients[OrganiserEmail]
	crits, err := org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: e.GetId()})
	if err != nil {
		return nil, err
	}
	for j, p := range People {
		if p.Role != "juror" {
			continue
		}
		c := clients[p.Email]
		noms, err := c.Jury.ListBallotNominations(ctx, &v1.ListBallotNominationsRequest{EditionId: e.GetId(), PageSize: 100})
		if err != nil {
			return nil, fmt.Errorf("%s lists nominations: %w", p.Email, err)
		}
		var scores []*v1.Score
		for n, bn := range noms.GetNominations() {
			if bn.GetRecusal() != nil {
				continue
			}
			for k, cr := range crits.GetCriteria() {
				scores = append(scores, &v1.Score{NominationId: bn.GetNomination().GetId(), CriterionId: cr.GetId(), Value: int32((n*7 + j*3 + k) % 6)})
			}
		}
		draft, err := c.Jury.GetBallot(ctx, &v1.GetBallotRequest{EditionId: e.GetId()})
		if err != nil {
			return nil, fmt.Errorf("%s reads the ballot: %w", p.Email, err)
		}
		b, err := c.Jury.SaveBallot(ctx, &v1.SaveBallotRequest{EditionId: e.GetId(), ExpectedVersion: draft.GetBallot().GetVersion(), Scores: scores})
		if err != nil {
			return nil, fmt.Errorf("%s saves the ballot: %w", p.Email, err)
		}
		// A juror who does not read Polish reads the translations into their language, and the cast
		// records which (for the organisers only).
		var read []*v1.TranslationRead
		if p.Language != "pl" {
			ts, err := c.Translations.ListBallotTranslations(ctx, &v1.ListBallotTranslationsRequest{EditionId: e.GetId(), Language: p.Language})
			if err != nil {
				return nil, fmt.Errorf("%s reads the translations: %w", p.Email, err)
			}
			for _, t := range ts.GetTranslations() {
				read = append(read, &v1.TranslationRead{PracticeId: t.GetPracticeId(), Language: t.GetLanguage(), Version: t.GetVersion()})
			}
		}
		cast, err := c.Jury.CastBallot(ctx, &v1.CastBallotRequest{EditionId: e.GetId(), ExpectedVersion: b.GetBallot().GetVersion(), RequestId: uuid.NewString(), TranslationsRead: read})
		if err != nil {
			return nil, fmt.Errorf("%s casts: %w", p.Email, err)
		}
		fmt.Fprintf(w, "%s cast, receipt %s\n", p.Name, cast.GetCast().GetReceipt().GetBallotHash())
	}
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_TALLIED}); err != nil {
		return nil, fmt.Errorf("move to %v: %w", v1.Stage_STAGE_TALLIED, err)
	}
	if err := juryTexts(ctx, org, e.GetId(), w); err != nil {
		return nil, err
	}
	// Most of the demo's eleven categories have no nomination, so no winner: announced knowingly.
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: e.GetId(), Stage: v1.Stage_STAGE_ANNOUNCED,
		AcknowledgeWarnings: true, Reason: "W tym roku nie było zgłoszeń w pozostałych kategoriach."}); err != nil {
		return nil, fmt.Errorf("move to %v: %w", v1.Stage_STAGE_ANNOUNCED, err)
	}
	results, err := org.Results.GetPublicResults(ctx, &v1.GetPublicResultsRequest{Year: Year})
	if err != nil {
		return nil, err
	}
	for _, c := range results.GetCategories() {
		for _, n := range c.GetNominations() {
			fmt.Fprintf(w, "%2d. %s — %s (%s)\n", c.GetCategory().GetNumber(), c.GetCategory().GetNamePl(), n.GetNomination().GetCity().GetName(), n.GetScoreText())
		}
	}
	return results, nil
}

// juryTexts has the organiser record, for the jury, a justification of every distinction and the
// recommendations to city governments, in all five languages, before the announcement.
func juryTexts(ctx context.Context, org Clients, editionID string, w io.Writer) error {
	t, err := org.Results.GetTally(ctx, &v1.GetTallyRequest{EditionId: editionID})
	if err != nil {
		return fmt.Errorf("the organiser reads the tally: %w", err)
	}
	n := 0
	for _, c := range t.GetTally().GetCategories() {
		for _, nr := range c.GetNominations() {
			if !nr.GetWinner() {
				continue
			}
			text := map[string]string{}
			for lang, format := range Justification.Map() {
				text[lang] = fmt.Sprintf(format, nr.GetNomination().GetPractice().GetTitle(), nr.GetNomination().GetCity().GetName())
			}
			if _, err := org.Results.SetDistinctionJustification(ctx, &v1.SetDistinctionJustificationRequest{EditionId: editionID, NominationId: nr.GetNomination().GetId(), Text: text}); err != nil {
				return fmt.Errorf("the organiser records a justification: %w", err)
			}
			n++
		}
	}
	if _, err := org.Results.SetJuryRecommendations(ctx, &v1.SetJuryRecommendationsRequest{EditionId: editionID, Text: Recommendations.Map()}); err != nil {
		return fmt.Errorf("the organiser records the recommendations: %w", err)
	}
	fmt.Fprintf(w, "the jury's justifications of %d distinctions and its recommendations recorded\n", n)
	return nil
}

// translate has the demo translator translate every nominated practice into every language: reviewed
// translations into Ukrainian, Spanish and Vietnamese, a machine one into English.
func translate(ctx context.Context, c Clients, editionID string, cats []*v1.Category) error {
	list, err := c.Translations.ListTranslatablePractices(ctx, &v1.ListTranslatablePracticesRequest{EditionId: editionID, PageSize: 200})
	if err != nil {
		return fmt.Errorf("the translator lists the practices: %w", err)
	}
	index := map[string]int{}
	for i, cat := range cats {
		index[cat.GetId()] = i
	}
	for _, s := range list.GetPractices() {
		pr := s.GetPractice()
		if !pr.GetNominated() {
			continue
		}
		var fields []string
		for _, t := range pr.GetTexts() {
			fields = append(fields, t.GetField())
		}
		for _, l := range TranslatorLanguages {
			status := v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED
			if l == "en" {
				status = v1.TranslationStatus_TRANSLATION_STATUS_MACHINE
			}
			texts := demoTexts(l, pr.GetCity().GetName(), index[pr.GetCategoryId()], fields)
			req := &v1.SavePracticeTranslationRequest{PracticeId: pr.GetPracticeId(), Language: l, Status: status}
			for _, t := range pr.GetTexts() {
				req.Texts = append(req.Texts, &v1.NewTranslatedText{Field: t.GetField(), Text: texts[t.GetField()], SourceSha256: t.GetSha256()})
			}
			if _, err := c.Translations.SavePracticeTranslation(ctx, req); err != nil {
				return fmt.Errorf("translate %q into %s: %w", pr.GetTitle(), l, err)
			}
		}
	}
	return nil
}
