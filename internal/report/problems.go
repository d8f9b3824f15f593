package report

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// What a report may hold to be submitted. A draft holds more (the hard limits below): an expert
// writing is never stopped from saving, only told, beside the field, what to fix before submitting.
const (
	MaxTitle     = 300
	MaxLongText  = 100_000 // introduction, description, narratives
	MaxShortText = 2_000   // partners, target groups
	MaxLinks     = 20
	MaxLink      = 2_000
	FirstYear    = 1989
	LastYear     = 2100
)

// The hard limits: what a draft may hold at all (the API's field comments give the same numbers).
const (
	hardTitle     = 10_000
	hardLongText  = 1_000_000
	hardShortText = 100_000
	hardLinks     = 200
	hardLink      = 10_000
	hardPractices = 100
)

// Problem is one thing that stops a report from being submitted, with the field where it is.
type Problem struct {
	PracticeID           uuid.UUID
	PreviousNominationID uuid.UUID
	Field                string
	CriterionID          uuid.UUID
	Link                 int // from 1; 0 for the field as a whole
	*fault.Error
}

// Problems lists what must be fixed before the report can be submitted, in the order of the form.
func Problems(c Content) []Problem {
	var out []Problem
	tooLong := func(p Problem, s string, max int) {
		if n := utf8.RuneCountInString(s); n > max {
			p.Error = fault.Invalidf(p.Field, "is %d characters long; at most %d can be submitted", n, max)
			out = append(out, p)
		}
	}
	tooLong(Problem{Field: "introduction"}, c.Introduction, MaxLongText)
	if len(c.Practices) == 0 {
		out = append(out, Problem{Field: "practices", Error: fault.Preconditionf("practices", "a report needs at least one practice")})
	}
	for _, p := range c.Practices {
		at := func(field string) Problem { return Problem{PracticeID: p.ID, Field: field} }
		if strings.TrimSpace(p.Title) == "" {
			pr := at("title")
			pr.Error = fault.Invalidf("title", "a practice needs a title")
			out = append(out, pr)
		}
		tooLong(at("title"), p.Title, MaxTitle)
		tooLong(at("description"), p.Description, MaxLongText)
		if p.SinceYear != 0 && (p.SinceYear < FirstYear || p.SinceYear > LastYear) {
			pr := at("since_year")
			pr.Error = fault.Invalidf("since_year", "must be a year from %d to %d (or empty)", FirstYear, LastYear)
			out = append(out, pr)
		}
		tooLong(at("partners"), p.Partners, MaxShortText)
		tooLong(at("target_groups"), p.TargetGroups, MaxShortText)
		if len(p.EvidenceLinks) > MaxLinks {
			pr := at("evidence_links")
			pr.Error = fault.Invalidf("evidence_links", "%d links; at most %d can be submitted", len(p.EvidenceLinks), MaxLinks)
			out = append(out, pr)
		}
		for i, l := range p.EvidenceLinks {
			pr := at("evidence_links")
			pr.Link = i + 1
			if err := linkProblem(l); err != nil {
				pr.Error = err
				out = append(out, pr)
			}
		}
		for _, n := range p.Narratives {
			pr := at("narratives")
			pr.CriterionID = n.CriterionID
			tooLong(pr, n.Text, MaxLongText)
		}
	}
	for _, f := range c.FollowUps {
		at := func(field string) Problem { return Problem{PreviousNominationID: f.PreviousNominationID, Field: field} }
		if f.Outcome == Unspecified || f.Outcome == "" {
			pr := at("outcome")
			pr.Error = fault.Preconditionf("outcome", "say what became of %q before submitting", f.PreviousTitle)
			out = append(out, pr)
		}
		tooLong(at("narrative"), f.Narrative, MaxLongText)
	}
	return out
}

// linkProblem says why a saved (normalised) link cannot be submitted, or nil.
func linkProblem(l string) *fault.Error {
	if n := utf8.RuneCountInString(l); n > MaxLink {
		return fault.Invalidf("evidence_links", "is %d characters long; at most %d can be submitted", n, MaxLink)
	}
	lower := strings.ToLower(l)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return fault.Invalidf("evidence_links", "does not begin with https:// (or http://)")
	}
	u, err := url.Parse(l)
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " \t") {
		return fault.Invalidf("evidence_links", "is not a web address")
	}
	if _, err := idna.Lookup.ToASCII(u.Hostname()); err != nil {
		return fault.Invalidf("evidence_links", "is not a web address")
	}
	return nil
}

// harmful are the schemes a link may never have: a juror's or a reader's click on one runs code or
// opens something other than a web page.
var harmful = regexp.MustCompile(`(?i)^\s*(javascript|vbscript|data|file|blob)\s*:`)

// normaliseLinks returns the links as a draft stores them: trimmed, empty ones dropped, NFC, with the
// scheme and host in lower case and an internationalised host in its Unicode form (xn--krakw-3ta.pl
// becomes kraków.pl), the rest as typed. A harmful scheme is refused: it is never stored.
func normaliseLinks(field string, links []string) ([]string, error) {
	out := make([]string, 0, len(links))
	for i, l := range links {
		l = norm.NFC.String(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		if harmful.MatchString(l) {
			return nil, fault.Invalidf(fmt.Sprintf("%s[%d]", field, i), "a link may not use %s; give the address of a web page (https://…)", strings.ToLower(strings.TrimSpace(l[:strings.Index(l, ":")+1])))
		}
		out = append(out, normaliseLink(l))
	}
	return out, nil
}

func normaliseLink(l string) string {
	i := strings.Index(l, "://")
	if i < 0 {
		return l
	}
	scheme := strings.ToLower(l[:i])
	if scheme != "http" && scheme != "https" {
		return l
	}
	rest := l[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if strings.Contains(authority, "@") {
		return scheme + "://" + authority + tail
	}
	host, port := authority, ""
	if k := strings.LastIndex(authority, ":"); k >= 0 && !strings.Contains(authority, "]") {
		host, port = authority[:k], authority[k:]
	}
	if u, err := idna.Lookup.ToUnicode(strings.ToLower(host)); err == nil {
		host = u
	} else {
		host = strings.ToLower(host)
	}
	return scheme + "://" + host + port + tail
}

// checkHard refuses content beyond what a draft may hold at all: a save of changes is checked after
// they are applied, as a whole save is by the request's validation.
func checkHard(c Content) error {
	long := func(field, s string, max int) error {
		if n := utf8.RuneCountInString(s); n > max {
			return fault.Invalidf(field, "would be %d characters long; a draft holds at most %d", n, max)
		}
		return nil
	}
	if err := long("introduction", c.Introduction, hardLongText); err != nil {
		return err
	}
	if len(c.Practices) > hardPractices {
		return fault.Invalidf("practices", "would be %d practices; a report holds at most %d", len(c.Practices), hardPractices)
	}
	for i, p := range c.Practices {
		f := fmt.Sprintf("practices[%d]", i)
		for _, t := range []struct {
			name string
			s    string
			max  int
		}{{"title", p.Title, hardTitle}, {"description", p.Description, hardLongText}, {"partners", p.Partners, hardShortText}, {"target_groups", p.TargetGroups, hardShortText}} {
			if err := long(f+"."+t.name, t.s, t.max); err != nil {
				return err
			}
		}
		if len(p.EvidenceLinks) > hardLinks {
			return fault.Invalidf(f+".evidence_links", "would be %d links; a draft holds at most %d", len(p.EvidenceLinks), hardLinks)
		}
		for j, l := range p.EvidenceLinks {
			if err := long(fmt.Sprintf("%s.evidence_links[%d]", f, j), l, hardLink); err != nil {
				return err
			}
		}
		for j, n := range p.Narratives {
			if err := long(fmt.Sprintf("%s.narratives[%d].text", f, j), n.Text, hardLongText); err != nil {
				return err
			}
		}
	}
	for i, fu := range c.FollowUps {
		if err := long(fmt.Sprintf("follow_ups[%d].narrative", i), fu.Narrative, hardLongText); err != nil {
			return err
		}
	}
	return nil
}

// characters counts the text of a report, as its version list shows it.
func characters(c Content) int64 {
	n := utf8.RuneCountInString(c.Introduction)
	for _, p := range c.Practices {
		n += utf8.RuneCountInString(p.Title) + utf8.RuneCountInString(p.Description) + utf8.RuneCountInString(p.Partners) + utf8.RuneCountInString(p.TargetGroups)
		for _, l := range p.EvidenceLinks {
			n += utf8.RuneCountInString(l)
		}
		for _, x := range p.Narratives {
			n += utf8.RuneCountInString(x.Text)
		}
	}
	for _, f := range c.FollowUps {
		n += utf8.RuneCountInString(f.Narrative)
	}
	return int64(n)
}
