package bench

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdpio "github.com/chromedp/cdproto/io"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
)

// The report editor's measurement (issue 18): an expert types at the end of the last narrative of a
// 30,000-word report, on the same slow phone as the pages above, and the bench reads how long each
// keystroke takes to reach the screen and how many bytes each autosave sends.
const (
	reportYear      = demo.Year + 1 // an edition of its own, in REPORTING, beside the demo's (by then announced)
	reportExpert    = "ekspert.warszawa@miasta.test"
	reportCity      = "Warszawa"
	reportPractices = 8
	reportWords     = 30_000 // over reportPractices × (description + one narrative per criterion)

	// reportTyped is what the expert types, one key at a time: 60 characters, diacritics included.
	reportTyped = " Zażółć gęślą jaźń: urząd wspiera cudzoziemców w Śródmieściu"
	// The expert types in bursts, as people do: reportBurst keys reportKeyEvery apart (a fast typist,
	// about 80 words a minute), then a pause long enough for the autosave (1.2 s after the last key)
	// to go out, so that the typing makes several autosaves of a few keys each.
	reportBurst    = 10
	reportKeyEvery = 150 * time.Millisecond
	reportPause    = 2500 * time.Millisecond
)

// The targets of issue 18.
const (
	targetSaveBytes = 20_000                // bytes sent per autosave
	targetKeyPaint  = 50 * time.Millisecond // keystroke to paint at the 4× slowdown, at the 95th percentile
)

// reportResult is the report editor's measurement.
type reportResult struct {
	err          error
	words, chars int // the report's text as saved before the browser opened
	fields       int // texts it is spread over
	narrative    int // characters of the narrative typed into, before the typing
	shown        time.Duration
	shownBytes   int64
	keys         []time.Duration // keystroke to next paint, one per key, in order
	short        int             // keys whose frame took under 50 ms (no Long Animation Frames entry): counted to the frame's start
	waiting      []time.Duration // per key: keydown to its input event (waiting for the main thread)
	handling     []time.Duration // per key: the input event to the next frame (the app's handler and re-render)
	rendering    []time.Duration // per key: that frame's rendering (animation frame callbacks, style, layout, paint)
	busy         time.Duration   // main thread busy while typing (TaskDuration), all keys
	script       time.Duration   // of which running JavaScript (ScriptDuration)
	layout       time.Duration   // layout (LayoutDuration)
	style        time.Duration   // style recalculation (RecalcStyleDuration)
	afterPause   []time.Duration // the first key of each burst: no key before it still being handled
	saves        []saveRequest
	typingTime   time.Duration
}

// saveRequest is one SaveReport the page sent.
type saveRequest struct {
	id      network.RequestID
	body    int64 // request body bytes (Connect's JSON, as the web app sends it)
	headers int64 // request line and headers as sent, approximately (names, values, separators)
	known   bool  // the body's size came with the event
	status  int64
	done    bool
	failed  string
}

// reportFixture is the edition and report set up for the measurement.
type reportFixture struct {
	edition, city           string
	words, chars, fields    int
	practiceID, criterionID string // the last practice and its last criterion: the narrative typed into
	narrative               string
}

// polishShort and polishWords make up the report's text: common words of a city's report on its work
// for migrants, with every Polish diacritic, and the short ones real prose is full of (about 6.8
// characters a word with its space, as Polish text has).
var polishShort = strings.Fields(`i w z na do że się nie od dla o po jak a to są już ze we`)

var polishWords = strings.Fields(`oraz przez jest był
	miasto miasta mieście urząd urzędu cudzoziemców cudzoziemcy imigrantów migrantów mieszkańców
	dzielnicy dzielnicach program programu pomoc pomocy wsparcie wsparcia integracja integracji
	języka polskiego kursy kursów szkoła szkoły dzieci rodzin rodziny praca pracy zatrudnienie
	mieszkanie mieszkań zdrowie zdrowia opieka opieki społecznej organizacje organizacji pozarządowych
	współpraca współpracy partnerzy partnerów fundacja fundacji stowarzyszenie rada rady miejskiej
	punkt punktu informacyjny konsultacje konsultacji tłumacz tłumaczy ukraińskim rosyjskim angielskim
	wietnamskim działania działań rok roku latach ponad około tysięcy osób osoby które który która
	również jednak także wśród między każdej każdy wszystkich nowych nowy nowe ważne ważnym
	bezpłatne dostępne świetlica świetlicy łączy łączność źródło źródła żłobek żłobków przedszkole
	przedszkoli gęsto pełną życie życia ślub spółdzielnia ósmy dziewięć zażółć gęślą jaźń
	ogólnopolski obywatelstwo ochrona przemoc równe traktowanie dyskryminacji mediacje mediatorzy
	asystent asystentów międzykulturowych edukacja edukacji biblioteka biblioteki festiwal kultury
	uchodźców uchodźcy wojny Ukrainy Białorusi Wietnamu Gruzji Indii granicy przyjazne przestrzeń`)

// polishText is n words of Polish prose in sentences of 6–18 words, the same for the same r.
func polishText(r *rand.Rand, n int) string {
	var b strings.Builder
	for left := n; left > 0; {
		m := min(left, 6+r.IntN(13))
		for i := range m {
			w := polishWords[r.IntN(len(polishWords))]
			if r.IntN(100) < 35 {
				w = polishShort[r.IntN(len(polishShort))]
			}
			if i == 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				first, size := utf8.DecodeRuneInString(w)
				w = strings.ToUpper(string(first)) + w[size:]
			} else if r.IntN(9) == 0 {
				b.WriteString(", ")
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		b.WriteByte('.')
		left -= m
	}
	return b.String()
}

// setUpReport creates, as the demo organiser, an edition in REPORTING with Warszawa's expert invited
// (as an organiser would: the edition, its categories and criteria, the city, a reporting deadline, the
// invitation; the expert's next call binds it, as testenv.ReportingEdition does), and saves through
// the API, as that expert, a whole report of about 30,000 words.
func setUpReport(ctx context.Context, clients map[string]demo.Clients) (*reportFixture, error) {
	org, expert := clients[demo.OrganiserEmail], clients[reportExpert]
	city, err := cityNamed(ctx, org, reportCity)
	if err != nil {
		return nil, err
	}
	ed, err := org.Editions.CreateEdition(ctx, &v1.CreateEditionRequest{Year: reportYear, Name: fmt.Sprintf("Miasta Otwarte %d", reportYear)})
	if err != nil {
		return nil, fmt.Errorf("create the %d edition: %w", reportYear, err)
	}
	id := ed.GetEdition().GetId()
	for i, c := range demo.Categories {
		if _, err := org.Editions.CreateCategory(ctx, &v1.CreateCategoryRequest{EditionId: id, Number: int32(i + 1), NamePl: c.PL, NameEn: c.EN}); err != nil {
			return nil, fmt.Errorf("category %d: %w", i+1, err)
		}
	}
	for i, c := range demo.Criteria {
		if _, err := org.Editions.CreateCriterion(ctx, &v1.CreateCriterionRequest{EditionId: id, Number: int32(i + 1), NamePl: c.Name.PL, NameEn: c.Name.EN, Description: c.Guidance.PL}); err != nil {
			return nil, fmt.Errorf("criterion %d: %w", i+1, err)
		}
	}
	if _, err := org.Editions.AddEditionCity(ctx, &v1.AddEditionCityRequest{EditionId: id, CityId: city}); err != nil {
		return nil, err
	}
	if _, err := org.Identity.CreateInvitation(ctx, &v1.CreateInvitationRequest{
		EditionId: id, Email: reportExpert, Role: v1.Role_ROLE_EXPERT, CityId: city, DisplayName: "Ekspertka z Warszawy", Language: "pl",
	}); err != nil {
		return nil, fmt.Errorf("invite %s: %w", reportExpert, err)
	}
	deadline := time.Now().Add(30 * 24 * time.Hour)
	if _, err := org.Editions.SetTimeline(ctx, &v1.SetTimelineRequest{EditionId: id, Timeline: &v1.Timeline{ReportingDeadline: timestamppb.New(deadline)}}); err != nil {
		return nil, err
	}
	if _, err := org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REPORTING}); err != nil {
		return nil, fmt.Errorf("open reporting: %w", err)
	}
	me, err := expert.Identity.GetMe(ctx, &v1.GetMeRequest{})
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(me.GetMe().GetAssignments(), func(a *v1.RoleAssignment) bool {
		return a.GetEditionId() == id && a.GetRole() == v1.Role_ROLE_EXPERT
	}) {
		return nil, fmt.Errorf("%s's call did not bind the expert invitation of the %d edition", reportExpert, reportYear)
	}

	cats, err := org.Editions.ListCategories(ctx, &v1.ListCategoriesRequest{EditionId: id})
	if err != nil {
		return nil, err
	}
	crits, err := org.Editions.ListCriteria(ctx, &v1.ListCriteriaRequest{EditionId: id})
	if err != nil {
		return nil, err
	}
	fx := &reportFixture{edition: id, city: city, fields: reportPractices * (1 + len(crits.GetCriteria()))}
	perField := reportWords / fx.fields
	rng := rand.New(rand.NewPCG(reportYear, 18))
	var practices []*v1.Practice
	for i := range reportPractices {
		p := &v1.Practice{
			Title:        fmt.Sprintf("Praktyka %d: %s", i+1, cats.GetCategories()[i%len(cats.GetCategories())].GetNamePl()),
			Description:  polishText(rng, perField),
			CategoryId:   cats.GetCategories()[i%len(cats.GetCategories())].GetId(),
			SinceYear:    int32(2005 + i),
			Partners:     "Fundacja „Ocalenie”, Stowarzyszenie Interwencji Prawnej",
			TargetGroups: "Cudzoziemcy mieszkający w Warszawie",
		}
		for _, c := range crits.GetCriteria() {
			p.Narratives = append(p.Narratives, &v1.CriterionNarrative{CriterionId: c.GetId(), Text: polishText(rng, perField)})
		}
		practices = append(practices, p)
	}
	saved, err := expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{
		EditionId: id, CityId: city, ExpectedVersion: 0, Introduction: "Raport miasta stołecznego Warszawy.", Practices: practices,
	})
	if err != nil {
		return nil, fmt.Errorf("%s saves the whole report: %w", reportExpert, err)
	}
	rep := saved.GetReport()
	if rep.GetVersion() < 1 || len(rep.GetPractices()) != reportPractices {
		return nil, fmt.Errorf("the saved report has version %d and %d practices", rep.GetVersion(), len(rep.GetPractices()))
	}
	for _, p := range rep.GetPractices() {
		texts := []string{p.GetDescription()}
		for _, n := range p.GetNarratives() {
			texts = append(texts, n.GetText())
		}
		for _, t := range texts {
			fx.words += len(strings.Fields(t))
			fx.chars += utf8.RuneCountInString(t)
		}
	}
	last := rep.GetPractices()[len(rep.GetPractices())-1]
	fx.practiceID, fx.criterionID = last.GetId(), crits.GetCriteria()[len(crits.GetCriteria())-1].GetId()
	fx.narrative = narrativeOf(last, fx.criterionID)
	return fx, nil
}

func narrativeOf(p *v1.Practice, criterionID string) string {
	for _, n := range p.GetNarratives() {
		if n.GetCriterionId() == criterionID {
			return n.GetText()
		}
	}
	return ""
}

// saveRecorder keeps the SaveReport requests of a tab.
type saveRecorder struct {
	mu    sync.Mutex
	saves []*saveRequest
	byID  map[network.RequestID]*saveRequest
	// what the page received loading the report, until the editor showed (every request's bytes)
	received map[network.RequestID]int64
}

const saveReportPath = "/miasta.v1.ReportService/SaveReport"

func (s *saveRecorder) on(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if !strings.HasSuffix(ev.Request.URL, saveReportPath) {
			return
		}
		q := &saveRequest{id: ev.RequestID}
		for _, e := range ev.Request.PostDataEntries {
			q.body += int64(len(e.Bytes))
			q.known = true
		}
		if !ev.Request.HasPostData {
			q.known = true
		}
		// Until the extra info says what went out, the headers the renderer knows of.
		q.headers = headerBytes(ev.Request.Method, ev.Request.URL, ev.Request.Headers)
		s.saves = append(s.saves, q)
		s.byID[ev.RequestID] = q
	case *network.EventRequestWillBeSentExtraInfo:
		if q := s.byID[ev.RequestID]; q != nil {
			q.headers = headerBytes("POST", saveReportPath, ev.Headers)
		}
	case *network.EventResponseReceived:
		if q := s.byID[ev.RequestID]; q != nil && ev.Response != nil {
			q.status = ev.Response.Status
		}
	case *network.EventLoadingFinished:
		if q := s.byID[ev.RequestID]; q != nil {
			q.done = true
		}
		s.received[ev.RequestID] = int64(ev.EncodedDataLength)
	case *network.EventLoadingFailed:
		if q := s.byID[ev.RequestID]; q != nil {
			q.done, q.failed = true, ev.ErrorText
		}
	}
}

// headerBytes is about what an HTTP/1.1 request line and headers take: "POST path HTTP/1.1\r\n",
// then "Name: value\r\n" each, then "\r\n".
func headerBytes(method, url string, h network.Headers) int64 {
	path := url
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.IndexByte(url[i+3:], '/'); j >= 0 {
			path = url[i+3+j:]
		}
	}
	n := int64(len(method) + 1 + len(path) + len(" HTTP/1.1\r\n") + 2)
	for k, v := range h {
		n += int64(len(k) + 2 + len(fmt.Sprint(v)) + 2)
	}
	return n
}

func (s *saveRecorder) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.saves {
		if !q.done {
			return true
		}
	}
	return false
}

func (s *saveRecorder) receivedBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, b := range s.received {
		n += b
	}
	return n
}

//go:embed webreport.js
var reportScript string

// typingState is what webreport.js recorded, in milliseconds on the page's clock.
type typingState struct {
	Keys []struct {
		Key     string  `json:"key"`
		Down    float64 `json:"down"`    // the keydown event's time stamp: when the browser took the key
		Input   float64 `json:"input"`   // its input event, before the app's handler; 0: the key changed nothing
		Frame   float64 `json:"frame"`   // the first animation frame after it
		Painted float64 `json:"painted"` // the end of that frame's rendering on the main thread
		Long    bool    `json:"long"`    // the frame had a Long Animation Frames entry (50 ms or more)
	} `json:"keys"`
	Tail      string `json:"tail"`      // the end of the narrative's textarea
	SaveState string `json:"saveState"` // the save indicator's class and text
}

// reportEditor opens the report in a fresh profile on the slow phone (Slow 4G, 4× slower processor,
// 390 × 844) signed in as its expert, types reportTyped at the end of the last narrative one key at
// a time, and reads the keystrokes' latency and the autosaves the typing made; then checks that the
// server holds what was typed.
func (b *browser) reportEditor(ctx context.Context, base string, fx *reportFixture, expert demo.Clients, trace string, step func(string, ...any)) (res reportResult, err error) {
	res.words, res.chars, res.fields, res.narrative = fx.words, fx.chars, fx.fields, utf8.RuneCountInString(fx.narrative)
	// Signed in in a profile of its own, whose cookies a fresh one then gets: empty cache, no
	// connection open, as for the pages above.
	sctx, cancelSignIn := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	cookies, err := signIn(sctx, base, reportExpert)
	cancelSignIn()
	if err != nil {
		return res, err
	}
	tctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	tctx, cancelTimeout := context.WithTimeout(tctx, 4*time.Minute)
	defer cancelTimeout()
	if _, err := chromedp.Call(tctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
		return res, err
	}
	step("  %s signed in; opening the report", reportExpert)
	rec := &saveRecorder{byID: map[network.RequestID]*saveRequest{}, received: map[network.RequestID]int64{}}
	if err := chromedp.Listen(tctx, rec.on); err != nil {
		return res, err
	}
	dialogs := chromedp.Events(tctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		return res, err
	}
	if err := throttle(tctx); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(tctx, performance.Enable, performance.EnableParams{}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: reportScript}); err != nil {
		return res, err
	}
	rec.mu.Lock()
	clear(rec.received)
	rec.mu.Unlock()
	if _, err := chromedp.Call(tctx, page.Navigate, page.NavigateParams{URL: fmt.Sprintf("%s/editions/%s/report/%s", base, fx.edition, fx.city)}); err != nil {
		return res, err
	}
	// The editor is shown once every practice's form is there; the new document may not be ready
	// just after the navigation is sent: retry.
	type editorShown struct {
		OK bool    `json:"ok"`
		At float64 `json:"at"` // ms since the navigation started
	}
	var shown editorShown
	for range 100 {
		shown, err = chromedp.Run(tctx, chromedp.Evaluate[editorShown](fmt.Sprintf(`window.__typing ? window.__typing.whenEditor(%d, 60000) : {ok: false}`, reportPractices), chromedp.EvalAwaitPromise))
		if err == nil && shown.OK {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || !shown.OK {
		return res, fmt.Errorf("the editor with %d practices did not show within 60 s (%v)", reportPractices, err)
	}
	res.shown, res.shownBytes = time.Duration(shown.At*float64(time.Millisecond)), rec.receivedBytes()
	step("  the editor shown after %s; typing", res.shown.Round(time.Millisecond))
	time.Sleep(2 * time.Second) // what the page does after it first shows (the history, the catalogue) settles
	if n := len(rec.saves); n > 0 {
		return res, fmt.Errorf("the page saved %d times before anything was typed", n)
	}

	focus, err := chromedp.Run(tctx, chromedp.Evaluate[int](`window.__typing.focusLast()`))
	if err != nil {
		return res, err
	}
	if focus != res.narrative {
		return res, fmt.Errorf("the last narrative's textarea holds %d characters; the report's narrative %d", focus, res.narrative)
	}
	before := mainThread(tctx)
	if trace != "" {
		if err := startTrace(tctx); err != nil {
			return res, err
		}
	}
	start := time.Now()
	for i, r := range []rune(reportTyped) {
		if i > 0 && i%reportBurst == 0 {
			time.Sleep(reportPause)
		}
		at := time.Now()
		if err := typeKey(tctx, r); err != nil {
			return res, fmt.Errorf("key %d (%q): %w", i+1, r, err)
		}
		time.Sleep(time.Until(at.Add(reportKeyEvery)))
	}
	// The last autosave, after the quiet moment: the indicator says saved and no save is on its way.
	var st typingState
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err = chromedp.Run(tctx, chromedp.Evaluate[typingState](`window.__typing.state()`))
		if err != nil {
			return res, err
		}
		if strings.Contains(st.SaveState, "save-clean") && !rec.pending() {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("not saved 30 s after the typing: the indicator says %q", st.SaveState)
		}
		time.Sleep(100 * time.Millisecond)
	}
	res.typingTime = time.Since(start)
	after := mainThread(tctx)
	res.busy, res.script = after["TaskDuration"]-before["TaskDuration"], after["ScriptDuration"]-before["ScriptDuration"]
	res.layout, res.style = after["LayoutDuration"]-before["LayoutDuration"], after["RecalcStyleDuration"]-before["RecalcStyleDuration"]
	if trace != "" {
		if err := stopTrace(tctx, trace); err != nil {
			return res, fmt.Errorf("the trace: %w", err)
		}
		step("  wrote a trace of the typing to %s", trace)
	}

	typed := []rune(reportTyped)
	if len(st.Keys) != len(typed) {
		return res, fmt.Errorf("the page saw %d keystrokes; %d were typed", len(st.Keys), len(typed))
	}
	msf := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	for i, k := range st.Keys {
		if k.Input <= 0 {
			return res, fmt.Errorf("keystroke %d (%q) changed nothing in the narrative", i+1, k.Key)
		}
		if k.Frame <= 0 {
			return res, fmt.Errorf("no frame followed keystroke %d (%q)", i+1, k.Key)
		}
		if !k.Long {
			res.short++
		}
		d := msf(k.Painted - k.Down)
		res.keys = append(res.keys, d)
		res.waiting = append(res.waiting, msf(k.Input-k.Down))
		res.handling = append(res.handling, msf(k.Frame-k.Input))
		res.rendering = append(res.rendering, msf(k.Painted-k.Frame))
		if i%reportBurst == 0 {
			res.afterPause = append(res.afterPause, d)
		}
	}
	if !strings.HasSuffix(st.Tail, reportTyped) {
		return res, fmt.Errorf("the narrative ends %q, not with what was typed", st.Tail)
	}

	rec.mu.Lock()
	saves := make([]saveRequest, 0, len(rec.saves))
	for _, q := range rec.saves {
		saves = append(saves, *q)
	}
	rec.mu.Unlock()
	for i := range saves {
		q := &saves[i]
		if !q.known {
			data, err := chromedp.Call(tctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: q.id})
			if err != nil {
				return res, fmt.Errorf("the body of save %d: %w", i+1, err)
			}
			q.body, q.known = int64(len(data.PostData)), true
		}
		if q.failed != "" || q.status != 200 {
			return res, fmt.Errorf("save %d: HTTP %d %s", i+1, q.status, q.failed)
		}
	}
	res.saves = saves
	if len(saves) == 0 {
		return res, errors.New("the typing made no SaveReport request")
	}

	// The server holds what was typed.
	got, err := expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: fx.edition, CityId: fx.city})
	if err != nil {
		return res, err
	}
	var text string
	for _, p := range got.GetReport().GetPractices() {
		if p.GetId() == fx.practiceID {
			text = narrativeOf(p, fx.criterionID)
		}
	}
	if text != fx.narrative+reportTyped {
		return res, fmt.Errorf("the server's narrative (%d characters) is not the one typed (%d)", utf8.RuneCountInString(text), utf8.RuneCountInString(fx.narrative+reportTyped))
	}
	return res, nil
}

// mainThread is the tab's Performance.getMetrics durations, by name (empty when unknown).
func mainThread(ctx context.Context) map[string]time.Duration {
	out := map[string]time.Duration{}
	m, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		return out
	}
	for _, x := range m.Metrics {
		if strings.HasSuffix(x.Name, "Duration") {
			out[x.Name] = time.Duration(x.Value * float64(time.Second))
		}
	}
	return out
}

// traceCategories are what DevTools' Performance panel records: the main thread's tasks, rendering
// and script, with JavaScript samples.
var traceCategories = []string{
	"-*", "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame",
	"v8.execute", "blink.user_timing", "latencyInfo", "toplevel", "disabled-by-default-v8.cpu_profiler",
}

// startTrace starts a Chrome trace of the tab (DevTools' Tracing domain).
func startTrace(ctx context.Context) error {
	_, err := chromedp.Call(ctx, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReturnAsStream,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: traceCategories, EnableSampling: true},
	})
	return err
}

// stopTrace ends the trace and writes it to file, in the JSON format DevTools' Performance panel
// (and ui.perfetto.dev) open.
func stopTrace(ctx context.Context, file string) error {
	done, err := chromedp.Run(ctx, chromedp.WaitEvent(tracing.TracingComplete, nil, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, tracing.End, cdp.Empty{})
		return err
	})))
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		chunk, err := chromedp.Call(ctx, cdpio.Read, cdpio.ReadParams{Handle: done.Stream, Size: 1 << 20})
		if err != nil {
			return err
		}
		if _, err := f.Write(chunk.Data); err != nil {
			return err
		}
		if chunk.EOF {
			break
		}
	}
	_, _ = chromedp.Call(ctx, cdpio.Close, cdpio.CloseParams{Handle: done.Stream})
	return f.Close()
}

// typeKey presses and releases the key of r as a keyboard would: one keyDown carrying the text
// (keydown, keypress, beforeinput, input in the page), then keyUp. Characters of the US layout get
// their key code; others (ą, ż, …) come as a Polish keyboard's text.
func typeKey(ctx context.Context, r rune) error {
	down := input.DispatchKeyEventParams{Type: kb.KeyDown, Key: string(r), Text: string(r), UnmodifiedText: string(r)}
	if k, ok := kb.Keys[r]; ok && r < 0x7f && k.Print {
		down.Key, down.Code, down.WindowsVirtualKeyCode, down.NativeVirtualKeyCode = k.Key, k.Code, k.Windows, k.Native
		if k.Shift {
			down.Modifiers = int64(kb.ModifierShift)
		}
	}
	if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, down); err != nil {
		return err
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = kb.KeyUp, "", ""
	_, err := chromedp.Call(ctx, input.DispatchKeyEvent, up)
	return err
}

// reportEditor sets up the report and measures the editor; a failure is the measurement's, not the
// browser phase's.
func (r *run) reportEditor(ctx context.Context, b *browser, base string, clients map[string]demo.Clients) (res reportResult) {
	r.step("browser phase: the report editor: a %d edition in REPORTING, %s saves a %d-word report", reportYear, reportExpert, reportWords)
	fx, err := setUpReport(ctx, clients)
	if err != nil {
		res.err = fmt.Errorf("set-up: %w", err)
		return res
	}
	r.step("  report saved: %d words, %d characters in %d texts; typing %d characters at the end of a %d-character narrative",
		fx.words, fx.chars, fx.fields, utf8.RuneCountInString(reportTyped), utf8.RuneCountInString(fx.narrative))
	res, res.err = b.reportEditor(ctx, base, fx, clients[reportExpert], r.cfg.WebReportTrace, r.step)
	if len(res.keys) > 0 {
		r.step("  keystroke to paint: p50 %s, p95 %s, max %s; %d autosaves", ms(quantile(res.keys, 0.5)), ms(quantile(res.keys, 0.95)), ms(slices.Max(res.keys)), len(res.saves))
	}
	if res.err != nil {
		r.step("  the report editor: %v", res.err)
	}
	return res
}

func quantile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	// nearest rank
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func (r reportResult) write(p func(string, ...any)) {
	p("")
	p("### The report editor")
	p("")
	if r.err != nil && (len(r.keys) == 0 || len(r.saves) == 0) {
		p("Failed: %s", oneLine(r.err))
		return
	}
	if len(r.keys) == 0 || len(r.saves) == 0 {
		p("Not measured: the browser phase stopped before it.")
		return
	}
	p("An expert's report of %d words (%d characters of Polish, diacritics included) over %d practices × (description + 4 criterion narratives), saved whole through the API; "+
		"the expert, signed in, opens it in a fresh profile on the same phone (Slow 4G, %d× processor slowdown, 390 × 844) and types %d characters at the end of the last narrative (%d characters), "+
		"one key at a time: bursts of %d keys %d ms apart, %.1f s between bursts, then waits for \"saved\".",
		r.words, r.chars, reportPractices, webCPUSlowdown, len([]rune(reportTyped)), r.narrative, reportBurst, reportKeyEvery.Milliseconds(), reportPause.Seconds())
	p("")
	p("| measurement | result | target |")
	p("|---|---|---|")
	var bodies, totals []int64
	for _, s := range r.saves {
		bodies, totals = append(bodies, s.body), append(totals, s.body+s.headers)
	}
	maxBody, maxTotal := slices.Max(bodies), slices.Max(totals)
	p("| report editor: bytes sent per autosave (%d SaveReport requests while typing) | request body median %d B, max %d B; with the request's headers median %d B, max %d B | < 20 kB: %s |",
		len(r.saves), medianInt(bodies), maxBody, medianInt(totals), maxTotal, met(maxTotal < targetSaveBytes))
	p95 := quantile(r.keys, 0.95)
	p("| report editor: keystroke to next paint, %d× slower processor (%d keys) | p50 %s, p95 %s, max %s | p95 < 50 ms: %s |",
		webCPUSlowdown, len(r.keys), ms(quantile(r.keys, 0.5)), ms(p95), ms(slices.Max(r.keys)), met(p95 < targetKeyPaint))
	p("| report editor: of which, per key (medians) | waiting for the main thread %s, the app's handler and re-render until the next frame %s, that frame's rendering %s | — |",
		ms(medianOf(r.waiting)), ms(medianOf(r.handling)), ms(medianOf(r.rendering)))
	p("| report editor: keystroke to next paint, the first key after each pause (%d keys) | p50 %s, max %s | — |", len(r.afterPause), ms(quantile(r.afterPause, 0.5)), ms(slices.Max(r.afterPause)))
	n := time.Duration(len(r.keys))
	p("| report editor: main thread busy while typing, per key | %s: JavaScript %s, style %s, layout %s (%s in all over %s) | — |",
		ms(r.busy/n), ms(r.script/n), ms(r.style/n), ms(r.layout/n), seconds(r.busy), seconds(r.typingTime))
	p("| report editor: opened cold (every practice's form on the page) | %s, %s received until then | — |", seconds(r.shown), kB(r.shownBytes))
	p("")
	short := ""
	if r.short > 0 {
		short = fmt.Sprintf(" %d of the %d keys had a frame under 50 ms, which the API does not report: they count to the frame's start.", r.short, len(r.keys))
	}
	p("Keystroke to next paint runs on the page's clock from the keydown's time stamp, when the browser took the key (so time waiting for a busy main thread counts), "+
		"to the end of the main thread's rendering (style, layout, paint) of the first frame after the key's input event, from the Long Animation Frames API.%s "+
		"What follows on other threads (raster, the display) is not in it. Keys come through DevTools' Input.dispatchKeyEvent, one keyDown carrying the text and a keyUp; "+
		"DevTools waits for the page to take each key before the next, so when the page is slower than the typing the keys come later than every %d ms. Bytes per autosave are each SaveReport's body as the browser sent it (DevTools' Network domain) and its request line and headers, cookie included; the server's copy is checked to end with what was typed.", short, reportKeyEvery.Milliseconds())
	if r.err != nil {
		p("")
		p("The measurement failed after the typing: %s", oneLine(r.err))
	}
}
