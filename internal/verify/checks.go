package verify

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/miasta-otwarte/miasta/internal/canon"
	"github.com/miasta-otwarte/miasta/internal/tally"
)

// organiserKinds are the kinds §6 says an organiser makes.
var organiserKinds = map[string]bool{
	"city.created": true, "edition.created": true, "edition.timeline_set": true, "edition.stage_changed": true,
	"edition.city_added": true, "edition.city_removed": true, "category.created": true, "criterion.created": true,
	"invitation.created": true, "invitation.revoked": true, "assignment.revoked": true, "report.returned": true, "report.accepted": true,
	"shortlist.nominated": true, "shortlist.unnominated": true, "tally_rule.set": true, "tally.jury_decision": true,
	"mail.edited": true, "mail.released": true, "mail.discarded": true, "mail.policy_set": true,
}

type invitation struct {
	role, city, state string
}

type assignment struct {
	role, city, person string
	revoked            bool // an assignment.revoked named it: it acts no more
}

// people follows invitations and assignments through the log.
type people struct {
	invitations map[string]*invitation
	assignments map[string]*assignment
	expertOf    map[string][]string // person → the cities of their expert assignments
}

func newPeople() *people {
	return &people{invitations: map[string]*invitation{}, assignments: map[string]*assignment{}, expertOf: map[string][]string{}}
}

// accept records an assignment's first acceptance (a reused assignment keeps its first).
func (p *people) accept(id, role, city, person string) *assignment {
	if a := p.assignments[id]; a != nil {
		return a
	}
	a := &assignment{role: role, city: city, person: person}
	p.assignments[id] = a
	if role == "expert" && person != "" && !slices.Contains(p.expertOf[person], city) {
		p.expertOf[person] = append(p.expertOf[person], city)
	}
	return a
}

// citiesOf returns a juror's cities (their own and those they report on as an expert), or nil when the
// publication hides them.
func (p *people) citiesOf(juror string) []string {
	a := p.assignments[juror]
	if a == nil || a.city == "" {
		return nil
	}
	cities := []string{a.city}
	for _, c := range p.expertOf[a.person] {
		if !slices.Contains(cities, c) {
			cities = append(cities, c)
		}
	}
	return cities
}

func (v *verifier) hidden(role string) bool {
	return role == "juror" && v.b.publication == PublishAggregates
}

func (v *verifier) e5() *Failure {
	categories, criteria := map[string]int{}, map[string]int{}
	catNumbers, critNumbers := map[int64]bool{}, map[int64]bool{}
	reporting := map[string]bool{}
	shortlist, everNominated := map[string]nomination{}, map[string]bool{}
	pp := newPeople()
	reports := map[string]string{}
	steppedAside := map[[2]string]bool{}
	for _, e := range v.evs {
		switch {
		case e.Kind == "tally_rule.frozen" || e.Kind == "tally.computed" || e.Kind == "results.announced":
			if e.ActorRole != "" {
				if f := v.fail("E5", "%s has an actor (%s); the platform makes it", e, e.actor()); f != nil {
					return f
				}
			}
		case organiserKinds[e.Kind]:
			if e.ActorRole != "organiser" {
				if f := v.fail("E5", "%s is made by %s, not an organiser", e, e.actor()); f != nil {
					return f
				}
			}
		}
		if e.ActorRole == "expert" || e.ActorRole == "juror" {
			a := pp.assignments[e.ActorID]
			accepting := e.Kind == "invitation.accepted"
			switch {
			case (a == nil || a.role != e.ActorRole) && !accepting:
				if f := v.fail("E5", "%s is made by %s, who holds no such assignment", e, e.actor()); f != nil {
					return f
				}
			case a != nil && a.revoked:
				if f := v.fail("E5", "%s is made by %s, whose assignment was revoked", e, e.actor()); f != nil {
					return f
				}
			}
		}
		switch e.Kind {
		case "results.announced":
			winners := e.List("winners")
			for _, j := range e.Justifications() {
				if !slices.Contains(winners, j.NominationID) {
					if f := v.fail("E5", "%s justifies nomination %s, which is not among its winners", e, j.NominationID); f != nil {
						return f
					}
				}
			}
		case "category.created", "criterion.created":
			ids, numbers, idName := categories, catNumbers, "category_id"
			if e.Kind == "criterion.created" {
				ids, numbers, idName = criteria, critNumbers, "criterion_id"
			}
			id, n := e.Str(idName), e.Int("number")
			if _, dup := ids[id]; dup || numbers[n] {
				if f := v.fail("E5", "%s repeats the id %s or the number %d", e, id, n); f != nil {
					return f
				}
			}
			ids[id], numbers[n] = int(n), true
		case "edition.city_added":
			if reporting[e.Str("city_id")] {
				if f := v.fail("E5", "%s adds a city that reports already", e); f != nil {
					return f
				}
			}
			reporting[e.Str("city_id")] = true
		case "edition.city_removed":
			if !reporting[e.Str("city_id")] {
				if f := v.fail("E5", "%s removes a city that does not report", e); f != nil {
					return f
				}
			}
			delete(reporting, e.Str("city_id"))
		case "shortlist.nominated":
			id := e.Str("nomination_id")
			switch {
			case everNominated[id]:
				if f := v.fail("E5", "%s reuses the nomination id %s", e, id); f != nil {
					return f
				}
			case categories[e.Str("category_id")] == 0:
				if f := v.fail("E5", "%s names an unknown category %s", e, e.Str("category_id")); f != nil {
					return f
				}
			case !reporting[e.Str("city_id")]:
				if f := v.fail("E5", "%s nominates a practice of %s, which does not report in the edition", e, e.Str("city_id")); f != nil {
					return f
				}
			}
			everNominated[id] = true
			shortlist[id] = nomination{category: e.Str("category_id"), city: e.Str("city_id"), practice: e.Str("practice_id")}
		case "shortlist.unnominated":
			n, ok := shortlist[e.Str("nomination_id")]
			if !ok || n.practice != e.Str("practice_id") {
				if f := v.fail("E5", "%s takes off a nomination that is not on the shortlist", e); f != nil {
					return f
				}
			}
			delete(shortlist, e.Str("nomination_id"))
		case "invitation.created":
			id := e.Str("invitation_id")
			if _, dup := pp.invitations[id]; dup {
				if f := v.fail("E5", "%s reuses the invitation id %s", e, id); f != nil {
					return f
				}
			}
			if v.hidden(e.Str("role")) == e.Has("city_id") {
				if f := v.fail("E5", "%s shows or hides the city against the edition's publication setting", e); f != nil {
					return f
				}
			}
			pp.invitations[id] = &invitation{role: e.Str("role"), city: e.Str("city_id"), state: "pending"}
		case "invitation.revoked":
			inv := pp.invitations[e.Str("invitation_id")]
			if inv == nil || inv.state != "pending" {
				if f := v.fail("E5", "%s revokes an invitation that is not pending", e); f != nil {
					return f
				}
			}
			inv.state = "revoked"
		case "invitation.accepted":
			inv := pp.invitations[e.Str("invitation_id")]
			role, aid := e.Str("role"), e.ActorID
			switch {
			case inv == nil || inv.state != "pending":
				if f := v.fail("E5", "%s accepts an invitation that is not pending", e); f != nil {
					return f
				}
			case inv.role != role || inv.city != e.Str("city_id"):
				if f := v.fail("E5", "%s does not have its invitation's role and city", e); f != nil {
					return f
				}
			case v.hidden(role) == e.Has("city_id"):
				if f := v.fail("E5", "%s shows or hides the city against the edition's publication setting", e); f != nil {
					return f
				}
			case e.ActorRole != role:
				if f := v.fail("E5", "%s is made by %s, not by an assignment of the invitation's role", e, e.actor()); f != nil {
					return f
				}
			}
			inv.state = "accepted"
			// A reused assignment keeps the city and person of its first acceptance (§6): only the
			// role must agree.
			if a := pp.assignments[aid]; a != nil && a.role != role {
				if f := v.fail("E5", "%s reuses the assignment %s, created as %s, as %s", e, aid, a.role, role); f != nil {
					return f
				}
			}
			pp.accept(aid, role, e.Str("city_id"), e.Str("person"))
		case "assignment.revoked":
			a := pp.assignments[e.Str("assignment_id")]
			switch {
			case a == nil || a.role != e.Str("role"):
				if f := v.fail("E5", "%s revokes %s, which is no %s assignment of the edition", e, e.Str("assignment_id"), e.Str("role")); f != nil {
					return f
				}
			case a.revoked:
				if f := v.fail("E5", "%s revokes an assignment revoked before", e); f != nil {
					return f
				}
			}
			if a != nil {
				a.revoked = true
			}
		case "report.saved", "report.submitted", "report.returned", "report.accepted":
			id, city := e.Str("report_id"), e.Str("city_id")
			if c, ok := reports[id]; ok && c != city {
				if f := v.fail("E5", "%s moves report %s to another city", e, id); f != nil {
					return f
				}
			}
			reports[id] = city
			if e.Kind == "report.saved" || e.Kind == "report.submitted" {
				if a := pp.assignments[e.ActorID]; e.ActorRole != "expert" || a == nil || a.city != city {
					if f := v.fail("E5", "%s is not made by an expert of the report's city", e); f != nil {
						return f
					}
				}
			}
		case "ballot.conflict_declared", "ballot.abstained":
			juror, nom := e.ActorID, e.Str("nomination_id")
			a := pp.assignments[juror]
			n, onList := shortlist[nom]
			switch {
			case a == nil || a.role != "juror" || e.ActorRole != "juror":
				if f := v.fail("E5", "%s is made by %s, not by a juror", e, e.actor()); f != nil {
					return f
				}
			case !onList:
				if f := v.fail("E5", "%s names a nomination that is not on the shortlist", e); f != nil {
					return f
				}
			case steppedAside[[2]string{juror, nom}]:
				if f := v.fail("E5", "%s: the juror stepped aside from this nomination already", e); f != nil {
					return f
				}
			case slices.Contains(pp.citiesOf(juror), n.city):
				if f := v.fail("E5", "%s: the juror is recused from their own city already", e); f != nil {
					return f
				}
			}
			steppedAside[[2]string{juror, nom}] = true
		}
	}
	v.criteria = criteria
	v.categories = categories
	return nil
}

func (v *verifier) d1() *Failure {
	want := map[string]bool{}
	if stageIndex(v.final) >= stageIndex("JURY") {
		want["rule"] = true
	}
	if v.final == "ANNOUNCED" {
		want["tally"] = true
		if v.b.publication == PublishAggregates {
			want["marks"] = true
		} else {
			want["casts"] = true
		}
	}
	for _, part := range []string{"casts", "marks", "rule", "tally"} {
		switch {
		case want[part] && !v.b.has[part]:
			if f := v.fail("D1", "the edition is in %s but the bundle has no %s", v.final, part); f != nil {
				return f
			}
		case !want[part] && v.b.has[part]:
			if f := v.fail("D1", "the edition is in %s (publication %s) but the bundle discloses %s", v.final, v.b.publication, part); f != nil {
				return f
			}
		}
	}
	return nil
}

func (v *verifier) r1() *Failure {
	if !v.b.has["rule"] {
		return nil
	}
	var set, frozen *Event
	for _, e := range v.evs {
		switch e.Kind {
		case "tally_rule.set":
			set = e
		case "tally_rule.frozen":
			frozen = e
		}
	}
	h := Hash(v.b.ruleRaw)
	switch {
	case frozen == nil:
		if f := v.fail("R1", "the log never froze a rule"); f != nil {
			return f
		}
	case set == nil:
		if f := v.fail("R1", "the log never set a rule"); f != nil {
			return f
		}
	case frozen.Str("rule_sha256") != set.Str("rule_sha256"):
		if f := v.fail("R1", "the frozen rule (%s) is not the last one set (%s)", frozen.Str("rule_sha256"), set.Str("rule_sha256")); f != nil {
			return f
		}
	case h != frozen.Str("rule_sha256"):
		if f := v.fail("R1", "the bundle's rule hashes to %s, but the rule frozen at leaf %d is %s", h, frozen.Index, frozen.Str("rule_sha256")); f != nil {
			return f
		}
	}
	if err := v.b.rule.Validity(v.criteria); err != nil {
		if f := v.fail("R1", "the rule is not valid for the edition: %v", err); f != nil {
			return f
		}
	}
	r, err := v.b.rule.Engine()
	if err != nil {
		if f := v.fail("R1", "%v", err); f != nil {
			return f
		}
	}
	v.rule, v.frozenHash = r, h
	return nil
}

func (v *verifier) c1() *Failure {
	deadline := ""
	castIDs := map[string]bool{}
	requests := map[[2]string]bool{}
	jurors := map[string]bool{}
	for i, e := range v.evs {
		switch e.Kind {
		case "edition.timeline_set":
			deadline = e.Str("jury_deadline")
		case "invitation.accepted":
			if e.Str("role") == "juror" {
				jurors[e.ActorID] = true
			}
		case "ballot.cast":
			switch {
			case e.ActorRole != "juror" || !jurors[e.ActorID]:
				if f := v.fail("C1", "%s is made by %s, who is not a juror of the edition", e, e.actor()); f != nil {
					return f
				}
			case v.stageAt[i] != "JURY":
				if f := v.fail("C1", "%s is made in %s, outside the jury round", e, v.stageAt[i]); f != nil {
					return f
				}
			case deadline != "" && e.Time >= deadline:
				if f := v.fail("C1", "%s at %s is not before the jury deadline %s", e, e.Time, deadline); f != nil {
					return f
				}
			case e.Str("rule_sha256") != v.frozenHash:
				if f := v.fail("C1", "%s is made under the rule %s, not the frozen one", e, e.Str("rule_sha256")); f != nil {
					return f
				}
			case castIDs[e.Str("cast_id")]:
				if f := v.fail("C1", "%s repeats the cast id %s", e, e.Str("cast_id")); f != nil {
					return f
				}
			case requests[[2]string{e.ActorID, e.Str("request_id")}]:
				if f := v.fail("C1", "%s repeats the juror's request id %s", e, e.Str("request_id")); f != nil {
					return f
				}
			}
			castIDs[e.Str("cast_id")], requests[[2]string{e.ActorID, e.Str("request_id")}] = true, true
			v.casts = append(v.casts, castInfo{pos: i, ev: e})
		case "edition.stage_changed":
			if e.Str("from") == "JURY" && e.Str("to") == "TALLIED" {
				v.closes = append(v.closes, i)
			}
		}
	}
	return nil
}

func (v *verifier) ballotsPublished() bool {
	return v.final == "ANNOUNCED" && v.b.publication != PublishAggregates
}

func (v *verifier) c2() *Failure {
	if !v.ballotsPublished() {
		return nil
	}
	if len(v.b.casts) != len(v.casts) {
		if f := v.fail("C2", "the log has %d casts but the bundle %d", len(v.casts), len(v.b.casts)); f != nil {
			return f
		}
	}
	for i := range min(len(v.casts), len(v.b.casts)) {
		e := v.casts[i].ev
		c := v.b.casts[i].cast(v.b.editionID, e)
		raw := c.Canonical()
		if h := Hash(raw); h != e.Str("ballot_sha256") {
			if f := v.fail("C2", "cast %d, completed from %s, hashes to %s, but the event logged %s: the ballot was altered, or is another's", i+1, e, h, e.Str("ballot_sha256")); f != nil {
				return f
			}
		}
		v.casts[i].content, v.casts[i].raw = &c, raw
	}
	return nil
}

// walk calls f before each of the edition's events with the shortlist and people in force there.
func (v *verifier) walk(f func(i int, e *Event, shortlist map[string]nomination, pp *people) *Failure) *Failure {
	shortlist := map[string]nomination{}
	pp := newPeople()
	for i, e := range v.evs {
		if fl := f(i, e, shortlist, pp); fl != nil {
			return fl
		}
		switch e.Kind {
		case "shortlist.nominated":
			shortlist[e.Str("nomination_id")] = nomination{category: e.Str("category_id"), city: e.Str("city_id"), practice: e.Str("practice_id")}
		case "shortlist.unnominated":
			delete(shortlist, e.Str("nomination_id"))
		case "invitation.accepted":
			pp.accept(e.ActorID, e.Str("role"), e.Str("city_id"), e.Str("person"))
		}
	}
	return nil
}

func (v *verifier) c3() *Failure {
	if !v.ballotsPublished() {
		return nil
	}
	next := 0
	stepped := map[[2]string]string{}
	n := len(v.rule.Criteria)
	return v.walk(func(i int, e *Event, shortlist map[string]nomination, pp *people) *Failure {
		switch e.Kind {
		case "ballot.conflict_declared":
			stepped[[2]string{e.ActorID, e.Str("nomination_id")}] = RecusedDeclared
		case "ballot.abstained":
			stepped[[2]string{e.ActorID, e.Str("nomination_id")}] = RecusedAbstained
		}
		if e.Kind != "ballot.cast" {
			return nil
		}
		c := v.casts[next].content
		next++
		seen := map[string]bool{}
		cities := pp.citiesOf(c.JurorID)
		expected := func(nom string) string {
			if slices.Contains(cities, shortlist[nom].city) {
				return RecusedHomeCity
			}
			return stepped[[2]string{c.JurorID, nom}]
		}
		for _, m := range c.Marks {
			if _, ok := shortlist[m.NominationID]; !ok || seen[m.NominationID] {
				if f := v.fail("C3", "the cast of %s marks %s, which is not on the shortlist it was cast against (or is listed twice)", e, m.NominationID); f != nil {
					return f
				}
			}
			seen[m.NominationID] = true
			if len(m.Values) != n {
				if f := v.fail("C3", "the cast of %s gives %s %d marks for %d criteria", e, m.NominationID, len(m.Values), n); f != nil {
					return f
				}
			}
			for k, x := range m.Values {
				if cr := v.rule.Criteria[k]; x < cr.Min || x > cr.Max {
					if f := v.fail("C3", "the cast of %s gives %s the mark %d on criterion %s, outside %d–%d", e, m.NominationID, x, cr.ID, cr.Min, cr.Max); f != nil {
						return f
					}
				}
			}
			if want := expected(m.NominationID); want != "" {
				if f := v.fail("C3", "the cast of %s marks %s, from which the juror is recused (%s)", e, m.NominationID, want); f != nil {
					return f
				}
			}
		}
		for _, r := range c.Recusals {
			if _, ok := shortlist[r.NominationID]; !ok || seen[r.NominationID] {
				if f := v.fail("C3", "the cast of %s recuses %s, which is not on the shortlist it was cast against (or is listed twice)", e, r.NominationID); f != nil {
					return f
				}
			}
			seen[r.NominationID] = true
			if want := expected(r.NominationID); want != r.Kind {
				if f := v.fail("C3", "the cast of %s recuses %s as %s, but the log says %q", e, r.NominationID, r.Kind, want); f != nil {
					return f
				}
			}
		}
		for nom := range shortlist {
			if !seen[nom] {
				if f := v.fail("C3", "the cast of %s neither marks nor recuses %s", e, nom); f != nil {
					return f
				}
			}
		}
		return nil
	})
}

// counted returns the casts counted at the close at position p (§9.1): each juror's last cast after
// the last shortlist change before p, but none of a juror revoked before p.
func (v *verifier) counted(p int) []castInfo {
	q := -1
	for i := p - 1; i >= 0; i-- {
		if k := v.evs[i].Kind; k == "shortlist.nominated" || k == "shortlist.unnominated" {
			q = i
			break
		}
	}
	revoked := map[string]bool{}
	for _, e := range v.evs[:p] {
		if e.Kind == "assignment.revoked" {
			revoked[e.Str("assignment_id")] = true
		}
	}
	last := map[string]int{}
	for k, c := range v.casts {
		if c.pos > q && c.pos < p && !revoked[c.ev.ActorID] {
			last[c.ev.ActorID] = k
		}
	}
	out := make([]castInfo, 0, len(last))
	for _, k := range last {
		out = append(out, v.casts[k])
	}
	slices.SortFunc(out, func(a, b castInfo) int { return a.pos - b.pos })
	return out
}

// shortlistAt is the shortlist before evs[p].
func (v *verifier) shortlistAt(p int) map[string]nomination {
	s := map[string]nomination{}
	for _, e := range v.evs[:p] {
		switch e.Kind {
		case "shortlist.nominated":
			s[e.Str("nomination_id")] = nomination{category: e.Str("category_id"), city: e.Str("city_id"), practice: e.Str("practice_id")}
		case "shortlist.unnominated":
			delete(s, e.Str("nomination_id"))
		}
	}
	return s
}

func (v *verifier) m1() *Failure {
	if v.final != "ANNOUNCED" || v.b.publication != PublishAggregates {
		return nil
	}
	last := v.closes[len(v.closes)-1]
	list := v.shortlistAt(last)
	ids := make([]string, 0, len(list))
	for id := range list {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(v.b.marks) != len(ids) {
		if f := v.fail("M1", "the marks cover %d nominations, the final shortlist has %d", len(v.b.marks), len(ids)); f != nil {
			return f
		}
	}
	counted := len(v.counted(last))
	for i, me := range v.b.marks {
		if me.NominationID != ids[i] {
			if f := v.fail("M1", "marks entry %d is for %s, not %s (the final shortlist in nomination id order)", i+1, me.NominationID, ids[i]); f != nil {
				return f
			}
		}
		for j, vec := range me.Vectors {
			if len(vec) != len(v.rule.Criteria) {
				if f := v.fail("M1", "the marks of %s: vector %d has %d marks for %d criteria", me.NominationID, j+1, len(vec), len(v.rule.Criteria)); f != nil {
					return f
				}
			}
			for k, x := range vec {
				if cr := v.rule.Criteria[k]; x < cr.Min || x > cr.Max {
					if f := v.fail("M1", "the marks of %s: vector %d has %d on criterion %s, outside %d–%d", me.NominationID, j+1, x, cr.ID, cr.Min, cr.Max); f != nil {
						return f
					}
				}
			}
			if j > 0 && CompareVectors(me.Vectors[j-1], vec) > 0 {
				if f := v.fail("M1", "the marks of %s are not in order", me.NominationID); f != nil {
					return f
				}
			}
		}
		if total := len(me.Vectors) + me.Recusals.HomeCity + me.Recusals.Declared + me.Recusals.Abstained; total != counted {
			if f := v.fail("M1", "the marks of %s account for %d jurors, but %d casts were counted", me.NominationID, total, counted); f != nil {
				return f
			}
		}
	}
	return nil
}

// input builds the tally input of the close at position p (without decisions).
func (v *verifier) input(p int) tally.Input {
	in := tally.Input{Rule: v.rule}
	for id, n := range v.categories {
		in.Categories = append(in.Categories, tally.Category{ID: id, Number: n})
	}
	list := v.shortlistAt(p)
	noms := map[string]*tally.Nomination{}
	for id, n := range list {
		noms[id] = &tally.Nomination{ID: id, CategoryID: n.category}
	}
	if v.b.publication == PublishAggregates {
		for _, me := range v.b.marks {
			if n := noms[me.NominationID]; n != nil {
				n.Vectors, n.Recusals = me.Vectors, me.Recusals
			}
		}
	} else {
		for _, c := range v.counted(p) {
			for _, m := range c.content.Marks {
				if n := noms[m.NominationID]; n != nil {
					n.Vectors = append(n.Vectors, m.Values)
				}
			}
			for _, r := range c.content.Recusals {
				if n := noms[r.NominationID]; n != nil {
					switch r.Kind {
					case RecusedHomeCity:
						n.Recusals.HomeCity++
					case RecusedDeclared:
						n.Recusals.Declared++
					default:
						n.Recusals.Abstained++
					}
				}
			}
		}
	}
	for _, n := range noms {
		in.Nominations = append(in.Nominations, *n)
	}
	return in
}

// compute tallies the close at position p under the decisions; each close's input is prepared once,
// whatever number of decisions follow it.
func (v *verifier) compute(p int, decisions []tally.Decision) (tallyAt, error) {
	prep, ok := v.prepared[p]
	if !ok {
		var err error
		if prep, err = tally.Prepare(v.input(p)); err != nil {
			return tallyAt{}, err
		}
		if v.prepared == nil {
			v.prepared = map[int]*tally.Prepared{}
		}
		v.prepared[p] = prep
	}
	r, err := prep.Compute(decisions)
	if err != nil {
		return tallyAt{}, err
	}
	c := tally.Canonical(r)
	return tallyAt{result: r, canon: c, hash: Hash(c)}, nil
}

// recomputable reports whether the tally of the k-th close can be recomputed from the bundle: always
// under names and pseudonyms, only for the last close under aggregates.
func (v *verifier) recomputable(k int) bool {
	return v.b.publication != PublishAggregates || k == len(v.closes)-1
}

func (v *verifier) t1() *Failure {
	if v.final != "ANNOUNCED" {
		return nil
	}
	v.tallies = make([][]tallyAt, len(v.closes))
	for k, p := range v.closes {
		e := v.evs[p+1]
		if e.Str("rule_sha256") != v.frozenHash {
			if f := v.fail("T1", "%s names the rule %s, not the frozen one", e, e.Str("rule_sha256")); f != nil {
				return f
			}
		}
		if n := len(v.counted(p)); int64(n) != e.Int("ballots") {
			if f := v.fail("T1", "%s says %d ballots were counted, but the log has %d counted casts", e, e.Int("ballots"), n); f != nil {
				return f
			}
		}
		if !v.recomputable(k) {
			v.note("the tally of the earlier close at leaf %d cannot be recomputed: the publication setting hides the casts", v.evs[p].Index)
			continue
		}
		t, err := v.compute(p, nil)
		if err != nil {
			if f := v.fail("T1", "the counted casts of the close at leaf %d do not tally: %v", v.evs[p].Index, err); f != nil {
				return f
			}
		}
		if t.hash != e.Str("tally_sha256") {
			if f := v.fail("T1", "the counted casts tallied under the rule give %s, but %s records %s", t.hash, e, e.Str("tally_sha256")); f != nil {
				return f
			}
		}
		v.tallies[k] = []tallyAt{t}
	}
	return nil
}

func (v *verifier) t2() *Failure {
	if v.final != "ANNOUNCED" {
		return nil
	}
	k := -1
	var inForce []tally.Decision
	for i, e := range v.evs {
		if k+1 < len(v.closes) && v.closes[k+1] == i {
			k++
			inForce = nil
		}
		if e.Kind != "tally.jury_decision" {
			continue
		}
		v.decisions = append(v.decisions, e)
		if !v.rule.HasJuryDecision() {
			if f := v.fail("T2", "%s decides a tie, but the rule has no jury_decision step", e); f != nil {
				return f
			}
		}
		if v.categories[e.Str("category_id")] == 0 {
			if f := v.fail("T2", "%s names an unknown category", e); f != nil {
				return f
			}
		}
		if !v.recomputable(k) {
			continue
		}
		before := v.tallies[k][len(v.tallies[k])-1].result
		ids := slices.Clone(e.List("nomination_ids"))
		slices.Sort(ids)
		found := false
		for _, tie := range before.UnresolvedTies() {
			members := slices.Clone(tie.Members)
			slices.Sort(members)
			found = found || tie.CategoryID == e.Str("category_id") && slices.Equal(members, ids)
		}
		if !found {
			if f := v.fail("T2", "%s orders nominations that are not an unresolved tie of the category", e); f != nil {
				return f
			}
		}
		inForce = append(inForce, tally.Decision{CategoryID: e.Str("category_id"), Order: e.List("nomination_ids")})
		t, err := v.compute(v.closes[k], inForce)
		if err != nil {
			if f := v.fail("T2", "%v", err); f != nil {
				return f
			}
		}
		if t.hash != e.Str("tally_sha256") {
			if f := v.fail("T2", "the tally with the decisions so far gives %s, but %s records %s", t.hash, e, e.Str("tally_sha256")); f != nil {
				return f
			}
		}
		v.tallies[k] = append(v.tallies[k], t)
	}
	return nil
}

// last is the last tally: the last close's, with the decisions in force.
func (v *verifier) last() tallyAt {
	ts := v.tallies[len(v.tallies)-1]
	return ts[len(ts)-1]
}

func (v *verifier) t3() *Failure {
	if v.final != "ANNOUNCED" {
		return nil
	}
	var ann *Event
	for _, e := range v.evs {
		if e.Kind == "results.announced" {
			ann = e
		}
	}
	final := v.last()
	if ann.Str("tally_sha256") != final.hash {
		if f := v.fail("T3", "%s announces the tally %s, but the last tally is %s", ann, ann.Str("tally_sha256"), final.hash); f != nil {
			return f
		}
	}
	winners := final.result.Winners()
	if !slices.Equal(ann.List("winners"), winners) {
		if f := v.fail("T3", "%s announces the winners %v, but the tally's winners are %v", ann, ann.List("winners"), winners); f != nil {
			return f
		}
	}
	if v.rule.HasJuryDecision() {
		for _, tie := range final.result.UnresolvedTies() {
			if tie.Rank <= v.rule.Winners {
				if f := v.fail("T3", "the tally still has an unresolved tie at winning rank %d in category %s (%s), which the jury must decide", tie.Rank, tie.CategoryID, strings.Join(tie.Members, ", ")); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

func (v *verifier) t4() *Failure {
	if v.final != "ANNOUNCED" {
		return nil
	}
	if want := v.last().canon; !bytes.Equal(v.b.tallyRaw, want) {
		if f := v.fail("T4", "the bundle's tally is not the last tally recomputed from the log (%s)", tallyDiff(want, v.b.tallyRaw)); f != nil {
			return f
		}
	}
	return nil
}

// tallyDiff names the first category where the published tally differs from the recomputed one.
func tallyDiff(want, got []byte) string {
	w, err1 := canon.Parse(want)
	g, err2 := canon.Parse(got)
	if err1 != nil || err2 != nil {
		return "it is not a tally"
	}
	cats := func(v canon.Value) []canon.Value {
		var out []canon.Value
		v.Members(func(name string, m canon.Value) bool {
			if name == "categories" {
				m.Elems(func(_ int, c canon.Value) bool { out = append(out, c); return true })
			}
			return true
		})
		return out
	}
	wc, gc := cats(w), cats(g)
	for i := range max(len(wc), len(gc)) {
		if i >= len(wc) || i >= len(gc) {
			return fmt.Sprintf("it has %d categories, the recomputed tally %d", len(gc), len(wc))
		}
		if !bytes.Equal(wc[i].Raw(), gc[i].Raw()) {
			return fmt.Sprintf("category %d differs", i+1)
		}
	}
	return "they differ outside the categories"
}

func (v *verifier) p1() *Failure {
	if v.opts.Receipt == "" {
		return nil
	}
	var mine *castInfo
	for k := range v.casts {
		if v.casts[k].ev.Str("ballot_sha256") == v.opts.Receipt {
			mine = &v.casts[k]
		}
	}
	if mine == nil {
		if f := v.fail("P1", "no cast with the receipt %s is in the log", v.opts.Receipt); f != nil {
			return f
		}
	}
	idx := uint64(mine.ev.Index)
	p, err := InclusionProof(v.b.leafHashes, idx, v.cp.Size)
	if err == nil {
		err = VerifyInclusion(idx, v.cp.Size, v.b.leafHashes[idx], p, v.cp.Root)
	}
	if err != nil {
		if f := v.fail("P1", "the receipt's leaf %d is not proved in the tree: %v", idx, err); f != nil {
			return f
		}
	}
	status := "not yet counted: the jury round has not closed"
	if len(v.closes) > 0 {
		last := v.closes[len(v.closes)-1]
		status = "not counted: the shortlist changed after it, or it came after the last close"
		for _, c := range v.counted(last) {
			switch {
			case c.ev == mine.ev:
				status = "counted"
			case c.ev.ActorID == mine.ev.ActorID:
				status = "superseded by the juror's later cast, which is the one counted"
			}
		}
	}
	v.receipt = fmt.Sprintf("receipt %s is the cast at leaf %d (%s), included in the tree of size %d (an inclusion proof of %d hashes); %s",
		v.opts.Receipt, idx, mine.ev.Time, v.cp.Size, len(p), status)
	return nil
}
