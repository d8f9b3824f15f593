package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

// Type is a value type of the specification (§3.3), as payload tables use it.
type Type int

// The types of payload members.
const (
	TUUID           Type = iota + 1 // a uuid
	TUUIDOrNull                     // a uuid or null
	TText                           // any string
	TTextNonEmpty                   // a string that is not empty
	TIntPositive                    // an int ≥ 1
	TIntNonNeg                      // an int ≥ 0
	TYear                           // an int 2014–2100
	THash                           // a hash string
	TTime                           // a time
	TTimeOrNull                     // a time or null
	TStage                          // a stage
	TInviteRole                     // expert or juror
	TPublication                    // names, pseudonyms or aggregates
	TBool                           // true or false
	TReportStatus                   // DRAFT, SUBMITTED, RETURNED, ACCEPTED
	TDeliveryOrNull                 // REVIEW, AUTOMATIC or null
	TUUIDList2                      // an array of at least 2 distinct uuids
	TUUIDList                       // an array of uuids
	THashList                       // an array of distinct hashes in increasing order
	TJuryText                       // a jury text: language tags to non-empty texts, "pl" among them
	TJustifications                 // an array of {nomination_id, text}, in strictly increasing nomination id
)

var typeNames = map[Type]string{
	TUUID: "uuid", TUUIDOrNull: "uuid or null", TText: "text", TTextNonEmpty: "text, not empty", TIntPositive: "int ≥ 1",
	TIntNonNeg: "int ≥ 0", TYear: "int, 2014–2100", THash: "hash", TTime: "time", TTimeOrNull: "time or null", TStage: "stage",
	TInviteRole: "expert or juror", TPublication: "publication", TBool: "boolean", TReportStatus: "report status",
	TDeliveryOrNull: "REVIEW, AUTOMATIC or null", TUUIDList2: "array of at least 2 distinct uuids", TUUIDList: "array of uuids", THashList: "array of distinct hashes in increasing order",
	TJuryText: "jury text", TJustifications: "array of justifications in increasing nomination id",
}

func (t Type) String() string { return typeNames[t] }

// Field is one payload member: its name, type, and whether it may be absent.
type Field struct {
	Name     string
	Type     Type
	Optional bool
}

// Schemas lists every event kind of §6 with its payload members, in name order. Code that writes
// events and the specification's tables are both checked against it.
var Schemas = map[string][]Field{
	"city.created":             {{"city_id", TUUID, false}, {"name", TTextNonEmpty, false}},
	"log.key_rotated":          {{"signature", TText, false}, {"verifier_key", TText, false}},
	"edition.created":          {{"name", TTextNonEmpty, false}, {"previous_edition_id", TUUIDOrNull, false}, {"publication", TPublication, false}, {"year", TYear, false}},
	"edition.timeline_set":     {{"ceremony_time", TTimeOrNull, false}, {"jury_deadline", TTimeOrNull, false}, {"reporting_deadline", TTimeOrNull, false}},
	"edition.stage_changed":    {{"from", TStage, false}, {"override", TBool, false}, {"reason", TText, false}, {"to", TStage, false}},
	"edition.city_added":       {{"city_id", TUUID, false}, {"name", TText, false}},
	"edition.city_removed":     {{"city_id", TUUID, false}, {"name", TText, false}},
	"category.created":         {{"category_id", TUUID, false}, {"description", TText, false}, {"name_en", TText, false}, {"name_pl", TTextNonEmpty, false}, {"number", TIntPositive, false}},
	"criterion.created":        {{"criterion_id", TUUID, false}, {"description", TText, false}, {"name_en", TText, false}, {"name_pl", TTextNonEmpty, false}, {"number", TIntPositive, false}},
	"invitation.created":       {{"city_commitment", THash, true}, {"city_id", TUUID, true}, {"invitation_id", TUUID, false}, {"role", TInviteRole, false}},
	"invitation.revoked":       {{"invitation_id", TUUID, false}},
	"assignment.revoked":       {{"assignment_id", TUUID, false}, {"reason_commitment", THash, false}, {"role", TInviteRole, false}},
	"invitation.accepted":      {{"city_commitment", THash, true}, {"city_id", TUUID, true}, {"invitation_id", TUUID, false}, {"person", THash, true}, {"person_commitment", THash, true}, {"role", TInviteRole, false}},
	"report.saved":             reportFields(false, false),
	"report.submitted":         reportFields(false, true),
	"report.returned":          reportFields(true, false),
	"report.accepted":          reportFields(false, false),
	"shortlist.nominated":      {{"category_id", TUUID, false}, {"city_id", TUUID, false}, {"nomination_id", TUUID, false}, {"practice_id", TUUID, false}, {"reason", TText, false}},
	"shortlist.unnominated":    {{"nomination_id", TUUID, false}, {"practice_id", TUUID, false}, {"reason", TText, false}},
	"tally_rule.set":           {{"rule_sha256", THash, false}, {"version", TIntPositive, false}},
	"tally_rule.frozen":        {{"rule_sha256", THash, false}},
	"ballot.cast":              {{"ballot_sha256", THash, false}, {"cast_id", TUUID, false}, {"request_id", TUUID, false}, {"rule_sha256", THash, false}, {"version", TIntPositive, false}},
	"ballot.conflict_declared": {{"nomination_id", TUUID, false}, {"reason_commitment", THash, false}},
	"ballot.abstained":         {{"nomination_id", TUUID, false}, {"reason_commitment", THash, false}},
	"tally.computed":           {{"ballots", TIntNonNeg, false}, {"rule_sha256", THash, false}, {"tally_sha256", THash, false}},
	"tally.jury_decision":      {{"category_id", TUUID, false}, {"nomination_ids", TUUIDList2, false}, {"reason", TTextNonEmpty, false}, {"tally_sha256", THash, false}},
	"results.announced":        {{"justifications", TJustifications, true}, {"recommendations", TJuryText, true}, {"tally_sha256", THash, false}, {"winners", TUUIDList, false}},
	"mail.edited":              mailFields,
	"mail.released":            mailFields,
	"mail.discarded":           mailFields,
	"mail.policy_set":          {{"delivery", TDeliveryOrNull, false}, {"kind", TTextNonEmpty, false}},
}

var mailFields = []Field{{"content_commitment", THash, false}, {"kind", TTextNonEmpty, false}, {"mail_id", TUUID, false}, {"version", TIntPositive, false}}

func reportFields(comment, attachments bool) []Field {
	var f []Field
	if attachments {
		f = append(f, Field{"attachments", THashList, true})
	}
	f = append(f, Field{"city_id", TUUID, false})
	if comment {
		f = append(f, Field{"comment_commitment", THash, false})
	}
	return append(f, Field{"content_sha256", THash, false}, Field{"report_id", TUUID, false}, Field{"status", TReportStatus, false}, Field{"version", TIntPositive, false})
}

// The stages, in order.
var stages = []string{"DRAFT", "REPORTING", "REVIEW", "JURY", "TALLIED", "ANNOUNCED"}

func stageIndex(s string) int { return slices.Index(stages, s) }

// val is one decoded payload member: 32 bytes, as a million-event log holds millions of them.
type val struct {
	s             string // a string; an array of uuids as its canonical text (List splits it)
	n             int64
	present, null bool
	b             bool
}

// Event is one of the edition's events, decoded and checked against its schema.
type Event struct {
	Index     int // the leaf index
	ID        int64
	EditionID string // "" when null
	Kind      string
	Time      string
	ActorRole string // "" when the actor is null
	ActorID   string
	fields    []Field
	vals      []val
}

func (e *Event) get(name string) val {
	for i, f := range e.fields {
		if f.Name == name {
			return e.vals[i]
		}
	}
	panic("verify: " + e.Kind + " has no member " + name) // a bug in the checks, not in a bundle
}

// Str returns a string member ("" when absent or null).
func (e *Event) Str(name string) string { return e.get(name).s }

// Int returns an integer member.
func (e *Event) Int(name string) int64 { return e.get(name).n }

// Bool returns a boolean member.
func (e *Event) Bool(name string) bool { return e.get(name).b }

// List returns an array member (of uuids, which hold no comma or escape).
func (e *Event) List(name string) []string {
	raw := e.get(name).s
	if len(raw) <= 2 {
		return nil
	}
	list := strings.Split(raw[1:len(raw)-1], ",")
	for i, q := range list {
		list[i] = q[1 : len(q)-1]
	}
	return list
}

// Justification is a justification of a distinction in an announcement (§6, results.announced).
type Justification struct {
	NominationID string            `json:"nomination_id"`
	Text         map[string]string `json:"text"`
}

// Justifications returns an announcement's justifications (none when the member is absent).
func (e *Event) Justifications() []Justification {
	var out []Justification
	if raw := e.get("justifications").s; raw != "" {
		_ = json.Unmarshal([]byte(raw), &out) // S3 checked its form
	}
	return out
}

// Recommendations returns an announcement's recommendations (nil when absent).
func (e *Event) Recommendations() map[string]string {
	var out map[string]string
	if raw := e.get("recommendations").s; raw != "" {
		_ = json.Unmarshal([]byte(raw), &out)
	}
	return out
}

// Has reports whether a member is present and not null.
func (e *Event) Has(name string) bool { v := e.get(name); return v.present && !v.null }

// actor renders the event's actor for messages.
func (e *Event) actor() string {
	if e.ActorRole == "" {
		return "the platform"
	}
	return e.ActorRole + " " + e.ActorID
}

func (e *Event) String() string { return fmt.Sprintf("event %d (leaf %d, %s)", e.ID, e.Index, e.Kind) }

// members checks that an object has exactly the named members (required ones present, no others) and
// calls f for each present one with its index in fields. fields must be sorted by name, and at most 64.
// The object's members are sorted too (§2), so one walk through both finds each name.
func members(v canon.Value, what string, fields []Field, f func(i int, m canon.Value) error) error {
	return membersOf(v, func() string { return what }, fields, f)
}

// membersOf is members for a caller whose description of the object costs something to make: it is
// made only for an error.
func membersOf(v canon.Value, whatOf func() string, fields []Field, f func(i int, m canon.Value) error) error {
	if v.Kind() != canon.Object {
		return fmt.Errorf("%s is not an object", whatOf())
	}
	var seen uint64
	j := 0
	var err error
	v.Members(func(name string, m canon.Value) bool {
		for j < len(fields) && fields[j].Name < name {
			j++
		}
		if j == len(fields) || fields[j].Name != name {
			err = fmt.Errorf("%s has a member %q that the specification does not define", whatOf(), name)
			return false
		}
		seen |= 1 << j
		if err = f(j, m); err != nil {
			err = fmt.Errorf("%s: %s: %w", whatOf(), name, err)
			return false
		}
		j++
		return true
	})
	if err != nil {
		return err
	}
	for i, fl := range fields {
		if seen&(1<<i) == 0 && !fl.Optional {
			return fmt.Errorf("%s lacks the member %q", whatOf(), fl.Name)
		}
	}
	return nil
}

// decode reads a member of type t.
func decode(t Type, m canon.Value) (val, error) {
	out := val{present: true}
	if m.Kind() == canon.Null {
		switch t {
		case TUUIDOrNull, TTimeOrNull, TDeliveryOrNull:
			out.null = true
			return out, nil
		}
		return out, fmt.Errorf("is null; want %s", t)
	}
	switch t {
	case TUUID, TUUIDOrNull, TText, TTextNonEmpty, THash, TTime, TTimeOrNull, TStage, TInviteRole, TPublication, TReportStatus, TDeliveryOrNull:
		if m.Kind() != canon.String {
			return out, fmt.Errorf("is a %s; want %s", m.Kind(), t)
		}
		out.s = m.Str()
		if !validString(t, out.s) {
			return out, fmt.Errorf("%q is not a %s", out.s, t)
		}
	case TIntPositive, TIntNonNeg, TYear:
		if m.Kind() != canon.Number {
			return out, fmt.Errorf("is a %s; want %s", m.Kind(), t)
		}
		out.n = m.Int()
		if t == TIntPositive && out.n < 1 || t == TIntNonNeg && out.n < 0 || t == TYear && (out.n < 2014 || out.n > 2100) {
			return out, fmt.Errorf("%d is not an %s", out.n, t)
		}
	case TBool:
		switch m.Kind() {
		case canon.True:
			out.b = true
		case canon.False:
		default:
			return out, fmt.Errorf("is a %s; want a boolean", m.Kind())
		}
	case THashList:
		if m.Kind() != canon.Array {
			return out, fmt.Errorf("is a %s; want an array", m.Kind())
		}
		var err error
		prev := ""
		m.Elems(func(i int, e canon.Value) bool {
			switch {
			case e.Kind() != canon.String || !IsHash(e.Str()):
				err = fmt.Errorf("element %d is not a hash", i)
			case i > 0 && e.Str() <= prev:
				err = fmt.Errorf("element %d is not after element %d: the hashes are distinct, in increasing order", i, i-1)
			}
			prev = e.Str()
			return err == nil
		})
		if err != nil {
			return out, err
		}
		out.s = string(m.Raw())
	case TJuryText:
		if err := juryText(m); err != nil {
			return out, err
		}
		out.s = string(m.Raw())
	case TJustifications:
		if m.Kind() != canon.Array {
			return out, fmt.Errorf("is a %s; want an array", m.Kind())
		}
		var err error
		var ids []string
		m.Elems(func(i int, e canon.Value) bool {
			id := ""
			err = members(e, fmt.Sprintf("element %d", i), justificationFields, func(k int, v canon.Value) error {
				if k == 0 {
					if v.Kind() != canon.String || !IsUUID(v.Str()) {
						return fmt.Errorf("is not a uuid")
					}
					id = v.Str()
					return nil
				}
				return juryText(v)
			})
			if err == nil && len(ids) > 0 && id <= ids[len(ids)-1] {
				err = fmt.Errorf("element %d is not after element %d: the nomination ids are distinct, in increasing order", i, i-1)
			}
			ids = append(ids, id)
			return err == nil
		})
		if err != nil {
			return out, err
		}
		out.s = string(m.Raw())
	case TUUIDList, TUUIDList2:
		if m.Kind() != canon.Array {
			return out, fmt.Errorf("is a %s; want an array", m.Kind())
		}
		var err error
		var list []string
		m.Elems(func(i int, e canon.Value) bool {
			if e.Kind() != canon.String || !IsUUID(e.Str()) {
				err = fmt.Errorf("element %d is not a uuid", i)
				return false
			}
			list = append(list, e.Str())
			return true
		})
		if err != nil {
			return out, err
		}
		out.s = string(m.Raw())
		if t == TUUIDList2 {
			if len(list) < 2 {
				return out, fmt.Errorf("has %d elements; want at least 2", len(list))
			}
			slices.Sort(list)
			if len(slices.Compact(list)) != m.Len() {
				return out, fmt.Errorf("repeats a uuid")
			}
		}
	}
	return out, nil
}

var justificationFields = []Field{{"nomination_id", TUUID, false}, {"text", TJuryText, false}}

// juryText checks a jury text (§6, results.announced): an object whose member names are language
// tags and whose values are non-empty strings, with a member "pl".
func juryText(m canon.Value) error {
	if m.Kind() != canon.Object {
		return fmt.Errorf("is a %s; want an object of texts by language", m.Kind())
	}
	var err error
	polish := false
	m.Members(func(lang string, t canon.Value) bool {
		switch {
		case !languageTag.MatchString(lang):
			err = fmt.Errorf("%q is not a language tag", lang)
		case t.Kind() != canon.String || t.Str() == "":
			err = fmt.Errorf("%s: is not a non-empty text", lang)
		}
		polish = polish || lang == "pl"
		return err == nil
	})
	if err == nil && !polish {
		err = fmt.Errorf("has no Polish text (pl)")
	}
	return err
}

func validString(t Type, s string) bool {
	switch t {
	case TUUID, TUUIDOrNull:
		return IsUUID(s)
	case TTextNonEmpty:
		return s != ""
	case THash:
		return IsHash(s)
	case TTime, TTimeOrNull:
		return IsTime(s)
	case TStage:
		return stageIndex(s) >= 0
	case TInviteRole:
		return s == "expert" || s == "juror"
	case TPublication:
		return s == "names" || s == "pseudonyms" || s == "aggregates"
	case TReportStatus:
		return s == "DRAFT" || s == "SUBMITTED" || s == "RETURNED" || s == "ACCEPTED"
	case TDeliveryOrNull:
		return s == "REVIEW" || s == "AUTOMATIC"
	}
	return true
}

// IsUUID reports whether s is the lowercase hyphenated form of a UUID.
func IsUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	return lowerHex(s[0:8]) && lowerHex(s[9:13]) && lowerHex(s[14:18]) && lowerHex(s[19:23]) && lowerHex(s[24:36])
}

// IsHash reports whether s is a hash string (§3.1).
func IsHash(s string) bool { return len(s) == 71 && s[:7] == "sha256:" && lowerHex(s[7:]) }

// lowerHex reports whether s is made of lowercase hexadecimal digits only (without a branch per byte:
// a log has hundreds of millions of them).
func lowerHex(s string) bool {
	var bad byte
	for i := 0; i < len(s); i++ {
		bad |= notLowerHex[s[i]]
	}
	return bad == 0
}

var notLowerHex = func() (t [256]byte) {
	for c := range t {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			t[c] = 1
		}
	}
	return
}()

// TimeLayout is the form of every time in the audit data (§3.3).
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// IsTime reports whether s is a time in the fixed form of §3.3: a real UTC date and time of day, with
// six digits of fraction.
func IsTime(s string) bool {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, second, frac := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || frac < 0 {
		return false
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FormatTime writes an instant as the audit data does.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(TimeLayout) }

var (
	eventFields = []Field{{"actor", TText, false}, {"edition_id", TUUIDOrNull, false}, {"id", TIntPositive, false}, {"kind", TText, false}, {"payload", TText, false}, {"time", TTime, false}}
	actorFields = []Field{{"id", TUUID, false}, {"role", TText, false}}
)

// decodeEvent checks an event entry against §5 and §6 (check S3) and decodes it into e. Its payload's
// values are taken from the front of *slab, which it refills when short (one allocation for many
// events).
func decodeEvent(v canon.Value, index int, e *Event, slab *[]val) error {
	*e = Event{Index: index}
	var payload canon.Value
	err := members(v, "the event", eventFields, func(i int, m canon.Value) error {
		switch i { // eventFields' order
		case 0: // actor
			if m.Kind() == canon.Null {
				return nil
			}
			return members(m, "the actor", actorFields, func(j int, a canon.Value) error {
				if a.Kind() != canon.String {
					return fmt.Errorf("is not a string")
				}
				if j == 0 {
					if e.ActorID = a.Str(); !IsUUID(e.ActorID) {
						return fmt.Errorf("%q is not a uuid", e.ActorID)
					}
				} else if e.ActorRole = a.Str(); e.ActorRole != "organiser" && e.ActorRole != "expert" && e.ActorRole != "juror" {
					return fmt.Errorf("%q is not a role", e.ActorRole)
				}
				return nil
			})
		case 1: // edition_id
			x, err := decode(TUUIDOrNull, m)
			e.EditionID = x.s
			return err
		case 2: // id
			x, err := decode(TIntPositive, m)
			e.ID = x.n
			return err
		case 3: // kind
			if m.Kind() != canon.String {
				return fmt.Errorf("is not a string")
			}
			e.Kind = m.Str()
			var ok bool
			if e.fields, ok = Schemas[e.Kind]; !ok {
				return fmt.Errorf("%q is not a kind of the specification", e.Kind)
			}
		case 4: // payload
			payload = m
		case 5: // time
			x, err := decode(TTime, m)
			e.Time = x.s
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(*slab) < len(e.fields) {
		*slab = make([]val, max(1024, len(e.fields)))
	}
	e.vals, *slab = (*slab)[:len(e.fields):len(e.fields)], (*slab)[len(e.fields):]
	err = membersOf(payload, func() string { return "the " + e.Kind + " payload" }, e.fields, func(i int, m canon.Value) error {
		x, err := decode(e.fields[i].Type, m)
		e.vals[i] = x
		return err
	})
	if err == nil {
		err = checkPairs(e.Kind, func(name string) bool { return e.get(name).present })
	}
	if err == nil && e.Kind == "log.key_rotated" && (e.EditionID != "" || e.ActorRole != "") {
		err = fmt.Errorf("a log.key_rotated has actor and edition_id null")
	}
	return err
}

// checkPairs checks the members that stand in for each other: exactly one of each pair is present.
func checkPairs(kind string, present func(string) bool) error {
	var pairs [][2]string
	switch kind {
	case "invitation.created":
		pairs = [][2]string{{"city_id", "city_commitment"}}
	case "invitation.accepted":
		pairs = [][2]string{{"city_id", "city_commitment"}, {"person", "person_commitment"}}
	}
	for _, p := range pairs {
		if present(p[0]) == present(p[1]) {
			return fmt.Errorf("the %s payload must have exactly one of %q and %q", kind, p[0], p[1])
		}
	}
	if kind == "invitation.accepted" && present("city_id") != present("person") {
		return fmt.Errorf("the invitation.accepted payload has city_id and person, or city_commitment and person_commitment")
	}
	return nil
}

// CheckPayload checks one payload, given as JSON, against its kind's schema: the test that the
// platform writes only what the specification defines.
func CheckPayload(kind string, payload []byte) error {
	fields, ok := Schemas[kind]
	if !ok {
		return fmt.Errorf("%q is not a kind of the specification", kind)
	}
	b, err := canon.Canonicalize(payload)
	if err != nil {
		return err
	}
	v, err := canon.Parse(b)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	err = members(v, "the "+kind+" payload", fields, func(i int, m canon.Value) error {
		present[fields[i].Name] = true
		_, err := decode(fields[i].Type, m)
		return err
	})
	if err != nil {
		return err
	}
	return checkPairs(kind, func(name string) bool { return present[name] })
}
