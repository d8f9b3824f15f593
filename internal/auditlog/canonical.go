package auditlog

import (
	"strconv"
	"unicode/utf8"
)

// decodeCanonical reads a leaf body written exactly as EncodeLeaf writes it: the six keys in order,
// no white space between them, strings without escapes. It reports false for anything else, and then
// the caller decodes with encoding/json; for what it accepts it returns what json.Unmarshal would,
// which FuzzDecodeLeaf checks. It exists because a verifier decodes every leaf of a large log, and
// reflection-driven decoding was most of that time.
func decodeCanonical(body []byte) (Event, bool) {
	var e Event
	p := canonParser{b: body}
	if !p.lit(`{"id":`) {
		return e, false
	}
	id, ok := p.int64()
	if !ok || !p.lit(`,"edition_id":`) {
		return e, false
	}
	// One string conversion for the whole body; the string fields are substrings of it.
	p.s = string(body)
	var edition, kind, actor, at string
	if edition, ok = p.str(); !ok || !p.lit(`,"kind":`) {
		return e, false
	}
	if kind, ok = p.str(); !ok || !p.lit(`,"actor_id":`) {
		return e, false
	}
	if actor, ok = p.str(); !ok || !p.lit(`,"payload":`) {
		return e, false
	}
	start := p.i
	if !p.value(0) {
		return e, false
	}
	payload := body[start:p.i:p.i]
	if !p.lit(`,"time":`) {
		return e, false
	}
	if at, ok = p.str(); !ok || !p.lit(`}`) || p.i != len(body) {
		return e, false
	}
	return Event{ID: id, EditionID: edition, Kind: kind, ActorID: actor, Payload: payload, Time: at}, true
}

// canonParser is a cursor over a leaf body. Its value method accepts a subset of the JSON that
// encoding/json accepts (it never accepts more), so falling back on a false answer loses nothing.
type canonParser struct {
	b []byte
	s string // string(b), once the strings are read
	i int
}

func (p *canonParser) lit(l string) bool {
	if len(p.b)-p.i < len(l) || string(p.b[p.i:p.i+len(l)]) != l {
		return false
	}
	p.i += len(l)
	return true
}

// int64 reads a JSON integer (-?(0|[1-9][0-9]*)) that fits an int64.
func (p *canonParser) int64() (int64, bool) {
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == digits || p.b[digits] == '0' && p.i-digits > 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return n, err == nil
}

// str reads a string without escapes or control characters whose bytes are valid UTF-8, the only
// strings whose decoded value is their bytes.
func (p *canonParser) str() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	p.i++
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(p.b[start:p.i]) {
				return "", false
			}
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// maxDepth bounds the nesting value accepts; deeper values are left to encoding/json.
const maxDepth = 64

// value skips one JSON value, checking its grammar as RFC 8259 states it (what json.Valid accepts);
// it accepts no white space outside strings, escapes only of the forms JSON allows, and any bytes
// other than '"', '\\' and control characters inside strings, as encoding/json does.
func (p *canonParser) value(depth int) bool {
	if p.i >= len(p.b) || depth > maxDepth {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return true
		}
		for {
			if !p.skipString() || !p.lit(":") || !p.value(depth+1) {
				return false
			}
			if p.i >= len(p.b) {
				return false
			}
			switch p.b[p.i] {
			case ',':
				p.i++
			case '}':
				p.i++
				return true
			default:
				return false
			}
		}
	case c == '[':
		p.i++
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return true
		}
		for {
			if !p.value(depth + 1) {
				return false
			}
			if p.i >= len(p.b) {
				return false
			}
			switch p.b[p.i] {
			case ',':
				p.i++
			case ']':
				p.i++
				return true
			default:
				return false
			}
		}
	case c == '"':
		return p.skipString()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'n':
		return p.lit("null")
	}
	return false
}

func (p *canonParser) skipString() bool {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	p.i++
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return false
			}
			switch p.b[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				p.i++
				for range 4 {
					if p.i >= len(p.b) || !isHex(p.b[p.i]) {
						return false
					}
					p.i++
				}
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *canonParser) number() bool {
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

func (p *canonParser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
