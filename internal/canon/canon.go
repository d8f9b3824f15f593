// Package canon reads and writes the canonical JSON of the audit specification (spec/audit.md §2): the
// JSON Canonicalization Scheme of RFC 8785 restricted to integer numbers. Parse accepts only canonical
// text, so every document a verifier reads has exactly one byte form: duplicate or unsorted member
// names, white space, escapes other than the minimal ones and numbers other than safe integers are
// errors, and the bytes of any value inside a document are that value's canonical form.
//
// The package imports only the standard library and an RFC 8785 implementation, which Encode uses to
// write canonical bytes. Parse is hand-written because a verifier reads millions of documents: it
// builds one flat slice of nodes per document, and strings without escapes are substrings of the
// input, never copied.
package canon

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/gowebpki/jcs"
)

// MaxInt is the largest integer canonical JSON holds (2^53 − 1), so that every implementation reads
// it exactly, ECMAScript's double-precision numbers included.
const MaxInt = 1<<53 - 1

// Kind is a JSON value's type.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota + 1
	False
	True
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case False, True:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "unknown"
}

type node struct {
	kind       Kind
	escaped    bool  // a string with escapes: its value is not its raw bytes
	ascii      bool  // a string of ASCII characters only
	start, end int32 // the value's bytes in the document; for strings, the quotes included
	first      int32 // first child of an array or object (objects: key, value, key, value …), -1 if none
	next       int32 // the next sibling, -1 if none
	count      int32 // elements of an array, members of an object
	num        int64
}

// Doc is a parsed canonical document. Its values refer to the source bytes, which must not change while
// the Doc is in use.
type Doc struct {
	src   []byte
	s     string // src as a string, sharing its memory
	nodes []node
}

// Value is one value of a Doc.
type Value struct {
	d *Doc
	i int32
}

// Error is a parse error at a byte offset.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("not canonical JSON at byte %d: %s", e.Offset, e.Msg)
}

// Parse parses src, which must be canonical JSON. A Doc may be reused by ParseInto to save allocations.
func Parse(src []byte) (Value, error) {
	return ParseInto(&Doc{}, src)
}

// ParseInto parses src into d, reusing its memory; values from an earlier parse into d become invalid.
func ParseInto(d *Doc, src []byte) (Value, error) {
	if len(src) > 1<<31-1 {
		return Value{}, &Error{0, "document larger than 2 GiB"}
	}
	d.src = src
	d.s = unsafe.String(unsafe.SliceData(src), len(src))
	d.nodes = d.nodes[:0]
	p := parser{d: d}
	root, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	if p.i != len(src) {
		return Value{}, p.fail("data after the value")
	}
	return Value{d: d, i: root}, nil
}

type parser struct {
	d *Doc
	i int
}

// maxDepth bounds nesting, so that hostile input cannot exhaust the stack.
const maxDepth = 100

func (p *parser) fail(msg string) error { return &Error{Offset: p.i, Msg: msg} }

func (p *parser) add(n node) int32 {
	p.d.nodes = append(p.d.nodes, n)
	return int32(len(p.d.nodes) - 1)
}

func (p *parser) value(depth int) (int32, error) {
	src := p.d.src
	if p.i >= len(src) {
		return 0, p.fail("unexpected end")
	}
	if depth > maxDepth {
		return 0, p.fail("nested too deeply")
	}
	start := p.i
	switch c := src[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		esc, ascii, err := p.str()
		if err != nil {
			return 0, err
		}
		return p.add(node{kind: String, escaped: esc, ascii: ascii, start: int32(start), end: int32(p.i), first: -1, next: -1}), nil
	case c == '-' || c >= '0' && c <= '9':
		n, err := p.number()
		if err != nil {
			return 0, err
		}
		return p.add(node{kind: Number, start: int32(start), end: int32(p.i), first: -1, next: -1, num: n}), nil
	case c == 't':
		return p.literal("true", True)
	case c == 'f':
		return p.literal("false", False)
	case c == 'n':
		return p.literal("null", Null)
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		return 0, p.fail("white space")
	}
	return 0, p.fail(fmt.Sprintf("unexpected byte %q", src[p.i]))
}

func (p *parser) literal(lit string, k Kind) (int32, error) {
	start := p.i
	if len(p.d.src)-p.i < len(lit) || p.d.s[p.i:p.i+len(lit)] != lit {
		return 0, p.fail("bad literal")
	}
	p.i += len(lit)
	return p.add(node{kind: k, start: int32(start), end: int32(p.i), first: -1, next: -1}), nil
}

func (p *parser) object(depth int) (int32, error) {
	src := p.d.src
	self := p.add(node{kind: Object, start: int32(p.i), first: -1, next: -1})
	p.i++
	if p.i < len(src) && src[p.i] == '}' {
		p.i++
		p.d.nodes[self].end = int32(p.i)
		return self, nil
	}
	prev := int32(-1)
	var prevKey int32 = -1
	count := int32(0)
	for {
		if p.i >= len(src) || src[p.i] != '"' {
			return 0, p.fail("expected a member name")
		}
		keyStart := p.i
		esc, ascii, err := p.str()
		if err != nil {
			return 0, err
		}
		key := p.add(node{kind: String, escaped: esc, ascii: ascii, start: int32(keyStart), end: int32(p.i), first: -1, next: -1})
		if prevKey >= 0 {
			if c := p.compareKeys(prevKey, key); c == 0 {
				p.i = keyStart
				return 0, p.fail("duplicate member name " + p.d.s[keyStart:p.d.nodes[key].end])
			} else if c > 0 {
				p.i = keyStart
				return 0, p.fail("member names out of order at " + p.d.s[keyStart:p.d.nodes[key].end])
			}
		}
		prevKey = key
		if prev < 0 {
			p.d.nodes[self].first = key
		} else {
			p.d.nodes[prev].next = key
		}
		if p.i >= len(src) || src[p.i] != ':' {
			return 0, p.fail("expected ':'")
		}
		p.i++
		val, err := p.value(depth + 1)
		if err != nil {
			return 0, err
		}
		p.d.nodes[key].next = val
		prev = val
		count++
		if p.i >= len(src) {
			return 0, p.fail("unexpected end in an object")
		}
		switch src[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.d.nodes[self].end = int32(p.i)
			p.d.nodes[self].count = count
			return self, nil
		default:
			return 0, p.fail("expected ',' or '}'")
		}
	}
}

func (p *parser) array(depth int) (int32, error) {
	src := p.d.src
	self := p.add(node{kind: Array, start: int32(p.i), first: -1, next: -1})
	p.i++
	if p.i < len(src) && src[p.i] == ']' {
		p.i++
		p.d.nodes[self].end = int32(p.i)
		return self, nil
	}
	prev := int32(-1)
	count := int32(0)
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return 0, err
		}
		if prev < 0 {
			p.d.nodes[self].first = v
		} else {
			p.d.nodes[prev].next = v
		}
		prev = v
		count++
		if p.i >= len(src) {
			return 0, p.fail("unexpected end in an array")
		}
		switch src[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.d.nodes[self].end = int32(p.i)
			p.d.nodes[self].count = count
			return self, nil
		default:
			return 0, p.fail("expected ',' or ']'")
		}
	}
}

// str checks a string at p.i (its opening quote) and moves past it; esc reports escapes, ascii that
// it holds ASCII characters only. Most of a string is plain printable ASCII, which it passes eight
// bytes at a time.
func (p *parser) str() (esc, ascii bool, err error) {
	src := p.d.src
	p.i++
	ascii = true
	high := uint64(swarHigh) // bytes ≥ 0x80 stop the fast loop until the string proved not ASCII
	start := p.i
	for {
		for p.i+8 <= len(src) {
			if m := special(binary.LittleEndian.Uint64(src[p.i:]), high); m != 0 {
				p.i += bits.TrailingZeros64(m) / 8 // the lowest marked byte is exactly the first one
				break
			}
			p.i += 8
		}
		for p.i < len(src) && plain[src[p.i]] {
			p.i++
		}
		if p.i >= len(src) {
			return false, false, p.fail("unterminated string")
		}
		switch c := src[p.i]; {
		case c == '"':
			if !ascii && !utf8.Valid(src[start:p.i]) {
				return false, false, p.fail("a string is not valid UTF-8")
			}
			p.i++
			return esc, ascii, nil
		case c == '\\':
			esc = true
			if p.i+1 >= len(src) {
				return false, false, p.fail("unexpected end in an escape")
			}
			switch src[p.i+1] {
			case '"', '\\', 'b', 't', 'n', 'f', 'r':
				p.i += 2
			case 'u':
				// Only control characters without a short escape are written as \u00xx, lowercase.
				if p.i+6 > len(src) || src[p.i+2] != '0' || src[p.i+3] != '0' || !lowerHex(src[p.i+4]) || !lowerHex(src[p.i+5]) {
					return false, false, p.fail("an escape other than \\u00xx for a control character")
				}
				v := hexVal(src[p.i+4])<<4 | hexVal(src[p.i+5])
				if v >= 0x20 || v == '\b' || v == '\t' || v == '\n' || v == '\f' || v == '\r' {
					return false, false, p.fail("a \\u escape for a character that has a shorter form")
				}
				p.i += 6
			default:
				return false, false, p.fail("an escape that canonical JSON does not use")
			}
		case c < 0x20:
			return false, false, p.fail("an unescaped control character in a string")
		default: // c ≥ 0x80: UTF-8, checked as a whole at the closing quote
			ascii, high = false, 0
			p.i++
		}
	}
}

// plain marks the bytes a string holds as they are: printable ASCII other than '"' and '\\', and the
// bytes of multi-byte UTF-8 sequences (which str checks once, at the end of the string).
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && c < 0x80
	}
	return
}()

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// special marks the bytes of x (little-endian) that are a control character, '"' or '\\', or, when high
// is swarHigh, ≥ 0x80, with their high bit. A borrow can mark a byte above a marked one wrongly, never
// below: the lowest mark is exact, and there is one when any byte is special.
func special(x, high uint64) uint64 {
	ctl := (x - swarOnes*0x20) &^ x & swarHigh
	q := x ^ swarOnes*'"'
	bs := x ^ swarOnes*'\\'
	return ctl | (q-swarOnes)&^q&swarHigh | (bs-swarOnes)&^bs&swarHigh | x&high
}

func lowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

func (p *parser) number() (int64, error) {
	src := p.d.src
	start := p.i
	if src[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(src) && src[p.i] >= '0' && src[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	switch {
	case n == 0:
		return 0, p.fail("a number without digits")
	case src[digits] == '0' && n > 1:
		return 0, p.fail("a number with a leading zero")
	case src[digits] == '0' && digits > start:
		return 0, p.fail("negative zero")
	case p.i < len(src) && (src[p.i] == '.' || src[p.i] == 'e' || src[p.i] == 'E'):
		return 0, p.fail("a number that is not an integer")
	case n > 16:
		return 0, p.fail("an integer outside ±(2^53−1)")
	}
	v, err := strconv.ParseInt(p.d.s[start:p.i], 10, 64)
	if err != nil || v > MaxInt || v < -MaxInt {
		return 0, p.fail("an integer outside ±(2^53−1)")
	}
	return v, nil
}

// compareKeys orders two member names as sequences of UTF-16 code units (RFC 8785 §3.2.3).
func (p *parser) compareKeys(a, b int32) int {
	na, nb := &p.d.nodes[a], &p.d.nodes[b]
	if !na.escaped && !nb.escaped && na.ascii && nb.ascii {
		return strings.Compare(p.d.s[na.start+1:na.end-1], p.d.s[nb.start+1:nb.end-1])
	}
	return compareUTF16(Value{p.d, a}.Str(), Value{p.d, b}.Str())
}

func compareUTF16(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

// Kind is the value's type.
func (v Value) Kind() Kind { return v.d.nodes[v.i].kind }

// Raw is the value's canonical bytes.
func (v Value) Raw() []byte {
	n := &v.d.nodes[v.i]
	return v.d.src[n.start:n.end:n.end]
}

// Offset is where the value starts in the document.
func (v Value) Offset() int { return int(v.d.nodes[v.i].start) }

// Str is a string value's text ("" for other kinds).
func (v Value) Str() string {
	n := &v.d.nodes[v.i]
	if n.kind != String {
		return ""
	}
	raw := v.d.s[n.start+1 : n.end-1]
	if !n.escaped {
		return raw
	}
	var out []byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'f':
			out = append(out, '\f')
		case 'r':
			out = append(out, '\r')
		case 'u':
			out = append(out, hexVal(raw[i+3])<<4|hexVal(raw[i+4]))
			i += 4
		default: // '"' and '\\'
			out = append(out, raw[i])
		}
	}
	return string(out)
}

// Int is a number's value.
func (v Value) Int() int64 { return v.d.nodes[v.i].num }

// Len is the number of elements of an array or members of an object.
func (v Value) Len() int { return int(v.d.nodes[v.i].count) }

// Elems calls f with each element of an array, in order, until f returns false.
func (v Value) Elems(f func(i int, e Value) bool) {
	n := &v.d.nodes[v.i]
	if n.kind != Array {
		return
	}
	for c, i := n.first, 0; c >= 0; c, i = v.d.nodes[c].next, i+1 {
		if !f(i, Value{v.d, c}) {
			return
		}
	}
}

// Members calls f with each member of an object, in order (by name), until f returns false.
func (v Value) Members(f func(name string, m Value) bool) {
	n := &v.d.nodes[v.i]
	if n.kind != Object {
		return
	}
	for k := n.first; k >= 0; {
		val := v.d.nodes[k].next
		if !f(Value{v.d, k}.Str(), Value{v.d, val}) {
			return
		}
		k = v.d.nodes[val].next
	}
}

// Encode returns the canonical JSON of v as encoding/json marshals it, with member names sorted and
// strings escaped as RFC 8785 requires. Numbers must be integers within ±MaxInt.
func Encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Canonicalize(b)
}

// Canonicalize rewrites JSON text in canonical form.
func Canonicalize(b []byte) ([]byte, error) {
	out, err := jcs.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	if _, err := Parse(out); err != nil {
		// Only numbers can get here: fractions, exponents and integers beyond 2^53 are not ours.
		return nil, errors.New("canonical JSON holds integers within ±(2^53−1) only")
	}
	return out, nil
}

// Member is an object member whose value is not parsed yet.
type Member struct {
	Name string
	Raw  []byte
}

// Members splits a canonical object into its members without parsing their values, so that a large
// document's parts can be parsed in parallel. It checks the object's own syntax (no white space,
// names unique and in order); each Raw must still be parsed, which checks it, before it is trusted.
func Members(src []byte) ([]Member, error) { return MembersSplitting(src, 0, nil) }

// MembersSplitting is Members that also splits the value of each member named in split, if it is an
// array, into its elements in the same pass over the document, and hands them to that member's
// function as it finds them: batch at a time (the last batch may be shorter), with the index of the
// batch's first element. So a caller can parse a huge array's elements while the rest is still being
// split. Each elems is the callee's to keep.
func MembersSplitting(src []byte, batch int, split map[string]func(first int, elems [][]byte)) ([]Member, error) {
	if len(src) < 2 || src[0] != '{' {
		return nil, &Error{0, "expected an object"}
	}
	d := &Doc{src: src, s: unsafe.String(unsafe.SliceData(src), len(src))}
	p := parser{d: d, i: 1}
	var out []Member
	if src[1] == '}' {
		if len(src) != 2 {
			return nil, &Error{2, "data after the value"}
		}
		return out, nil
	}
	prevKey := int32(-1)
	for {
		if p.i >= len(src) || src[p.i] != '"' {
			return nil, p.fail("expected a member name")
		}
		keyStart := p.i
		esc, ascii, err := p.str()
		if err != nil {
			return nil, err
		}
		key := p.add(node{kind: String, escaped: esc, ascii: ascii, start: int32(keyStart), end: int32(p.i), first: -1, next: -1})
		if prevKey >= 0 {
			if c := p.compareKeys(prevKey, key); c >= 0 {
				p.i = keyStart
				return nil, p.fail("duplicate or unordered member name " + d.s[keyStart:p.i])
			}
		}
		prevKey = key
		if p.i >= len(src) || src[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		m := Member{Name: Value{d, key}.Str()}
		var end int
		if each := split[m.Name]; each != nil && p.i < len(src) && src[p.i] == '[' {
			end, err = elements(src, p.i, max(batch, 1), each)
		} else {
			end, err = skip(src, p.i)
		}
		if err != nil {
			return nil, err
		}
		m.Raw = src[p.i:end:end]
		out = append(out, m)
		p.i = end
		if p.i >= len(src) {
			return nil, p.fail("unexpected end in an object")
		}
		switch src[p.i] {
		case ',':
			p.i++
		case '}':
			if p.i+1 != len(src) {
				return nil, &Error{p.i + 1, "data after the value"}
			}
			return out, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

// Elements splits a canonical array into its elements without parsing them; like Members, it checks
// only the array's own syntax, and each element must still be parsed.
func Elements(src []byte) ([][]byte, error) {
	if len(src) < 2 || src[0] != '[' {
		return nil, &Error{0, "expected an array"}
	}
	var out [][]byte
	end, err := elements(src, 0, 1024, func(_ int, elems [][]byte) { out = append(out, elems...) })
	if err != nil {
		return nil, err
	}
	if end != len(src) {
		return nil, &Error{end, "data after the value"}
	}
	return out, nil
}

// elements splits the array that starts at i, handing its elements to each batch at a time, and
// returns the array's end. A batch is handed over only once its elements' ends are found.
func elements(src []byte, i, batch int, each func(first int, elems [][]byte)) (int, error) {
	i++
	if i < len(src) && src[i] == ']' {
		return i + 1, nil
	}
	out := make([][]byte, 0, batch)
	first := 0
	for {
		end, err := skip(src, i)
		if err != nil {
			return 0, err
		}
		out = append(out, src[i:end:end])
		i = end
		if i >= len(src) {
			return 0, &Error{i, "unexpected end in an array"}
		}
		switch src[i] {
		case ',':
			i++
		case ']':
			each(first, out)
			return i + 1, nil
		default:
			return 0, &Error{i, "expected ',' or ']'"}
		}
		if len(out) == batch {
			each(first, out)
			first += batch
			out = make([][]byte, 0, batch)
		}
	}
}

// skip returns the end of the value that starts at i, reading only as much as it takes to find it:
// brackets outside strings, and strings up to their closing quote.
func skip(src []byte, i int) (int, error) {
	if i >= len(src) {
		return 0, &Error{i, "unexpected end"}
	}
	switch src[i] {
	case '"':
		return skipString(src, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(src); j++ {
			switch src[j] {
			case '"':
				end, err := skipString(src, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
				if depth > maxDepth {
					return 0, &Error{j, "nested too deeply"}
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, &Error{len(src), "unexpected end"}
	}
	j := i
	for j < len(src) && src[j] != ',' && src[j] != ']' && src[j] != '}' {
		j++
	}
	if j == i {
		return 0, &Error{i, "expected a value"}
	}
	return j, nil
}

// skipString returns the end of the string whose opening quote is at i, looking for its quotes and
// backslashes eight bytes at a time.
func skipString(src []byte, i int) (int, error) {
	j := i + 1
	for {
		for j+8 <= len(src) {
			x := binary.LittleEndian.Uint64(src[j:])
			q, bs := x^swarOnes*'"', x^swarOnes*'\\'
			m := ((q-swarOnes)&^q | (bs-swarOnes)&^bs) & swarHigh
			if m != 0 {
				j += bits.TrailingZeros64(m) / 8 // the lowest marked byte is exactly the first match
				break
			}
			j += 8
		}
		for j < len(src) && src[j] != '"' && src[j] != '\\' {
			j++
		}
		if j >= len(src) {
			return 0, &Error{len(src), "unterminated string"}
		}
		if src[j] == '"' {
			return j + 1, nil
		}
		j += 2 // an escape: the next byte is never the closing quote
	}
}

// AppendString appends s as a canonical JSON string (§2 rule 3) to b. s must be valid UTF-8.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
