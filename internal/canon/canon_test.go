package canon_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"

	"github.com/miasta-otwarte/miasta/internal/canon"
)

func TestParseAcceptsCanonical(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `0`, `-1`, `9007199254740991`, `-9007199254740991`, `true`, `false`, `null`, `""`,
		`{"a":1,"b":[true,false,null],"c":{"d":"e"}}`,
		`"\"\\\b\t\n\f\r\u0000\u001f"`, "\"\u007f\"", "\"\u2028é\U0001F600\"",
		`{"a":1,"aa":2,"b":3}`,
		// UTF-16 order: U+E000 (one unit E000) sorts after U+1F600 (surrogates D83D DE00).
		"{\"\U0001F600\":1,\"\ue000\":2}",
	} {
		v, err := canon.Parse([]byte(s))
		if err != nil {
			t.Errorf("Parse(%s): %v", s, err)
			continue
		}
		if got := string(v.Raw()); got != s {
			t.Errorf("Raw() = %s, want %s", got, s)
		}
		if out, err := jcs.Transform([]byte(s)); err != nil || !bytes.Equal(out, []byte(s)) {
			t.Errorf("RFC 8785 writes %s as %s (%v)", s, out, err)
		}
	}
}

func TestParseRejectsNonCanonical(t *testing.T) {
	for _, s := range []string{
		``, ` {}`, `{} `, `{ }`, `[1, 2]`, `{"a" :1}`, "{}\n",
		`{"b":1,"a":2}`, `{"a":1,"a":2}`, "{\"\ue000\":2,\"\U0001F600\":1}",
		`01`, `-0`, `1.0`, `1e3`, `+1`, `9007199254740992`, `-9007199254740992`, `12345678901234567890`,
		`"\/"`, `"\u00e9"`, `"\u0041"`, `"\u001F"`, `"\u000a"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\x"`,
		"\"\x01\"", "\"\xff\"", "\"\xed\xa0\x80\"", `"abc`, `[1,]`, `{"a":}`, `{"a":1,}`, `tru`, `nul`, `[`, `{"a"`,
		strings.Repeat("[", 200) + strings.Repeat("]", 200),
	} {
		if _, err := canon.Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) accepted non-canonical input", s)
		}
	}
}

func TestValues(t *testing.T) {
	v, err := canon.Parse([]byte(`{"a":[1,"x\ny",null],"b":{"c":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	v.Members(func(name string, m canon.Value) bool {
		names = append(names, name+"="+m.Kind().String())
		return true
	})
	if strings.Join(names, ",") != "a=array,b=object" {
		t.Fatalf("members: %v", names)
	}
	var elems []string
	v.Members(func(name string, m canon.Value) bool {
		if name == "a" {
			m.Elems(func(i int, e canon.Value) bool {
				switch e.Kind() {
				case canon.Number:
					elems = append(elems, "n"+string(rune('0'+e.Int())))
				case canon.String:
					elems = append(elems, e.Str())
				default:
					elems = append(elems, e.Kind().String())
				}
				return true
			})
		}
		return true
	})
	if strings.Join(elems, "|") != "n1|x\ny|null" {
		t.Fatalf("elements: %q", elems)
	}
}

func TestMembersAndElements(t *testing.T) {
	src := []byte(`{"a":[{"x":"}]"},2],"b":"c\"d","e":null}`)
	ms, err := canon.Members(src)
	if err != nil || len(ms) != 3 || string(ms[0].Raw) != `[{"x":"}]"},2]` || string(ms[1].Raw) != `"c\"d"` || ms[2].Name != "e" {
		t.Fatalf("Members: %v %q", err, ms)
	}
	es, err := canon.Elements(ms[0].Raw)
	if err != nil || len(es) != 2 || string(es[0]) != `{"x":"}]"}` || string(es[1]) != "2" {
		t.Fatalf("Elements: %v %q", err, es)
	}
	for _, bad := range []string{`{"b":1,"a":2}`, `{"a":1,"a":1}`, `{"a":1} `, `{"a":1`, `{"a"1}`} {
		if _, err := canon.Members([]byte(bad)); err == nil {
			t.Errorf("Members(%s) accepted it", bad)
		}
	}
}

func TestEncode(t *testing.T) {
	got, err := canon.Encode(struct {
		Z string `json:"z"`
		A []int  `json:"a"`
		M string `json:"m"`
	}{"<&>", []int{3, 1}, "é\u2028"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"a\":[3,1],\"m\":\"é\u2028\",\"z\":\"<&>\"}"; string(got) != want {
		t.Fatalf("Encode = %s, want %s", got, want)
	}
	if _, err := canon.Encode(1.5); err == nil {
		t.Fatal("Encode accepted a fraction")
	}
}

// FuzzParse checks Parse against an independent implementation of RFC 8785: it accepts a text exactly
// when the text is JSON without duplicate names, holds only integers within ±(2^53−1), and RFC 8785
// rewrites it to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[true,null]}`, `"\u0001"`, `[-5,"é"]`, `{"a":{"a":"a"}}`, `{"a":1,"a":1}`, `1.5`,
		`{"log":["abcdefgh\\ijklmnop\"qr","zażółć gęślą jaźń ........"],"x":"0123456789abcdef\n"}`, "\"0123456789\x01abc\"", "\"01234567\xc3\x28abcdefgh\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := canon.Parse(b)
		want := json.Valid(b) && !hasDuplicates(b) && integersOnly(b)
		if want {
			out, terr := jcs.Transform(b)
			want = terr == nil && bytes.Equal(out, b)
		}
		if (err == nil) != want {
			t.Fatalf("Parse(%q) = %v; RFC 8785 and the integer rule say canonical=%v", b, err, want)
		}
		if err != nil {
			return
		}
		// The splitters agree with the parser on every canonical document.
		switch v.Kind() {
		case canon.Object:
			var names []string
			var raws, elems [][]byte
			v.Members(func(name string, m canon.Value) bool {
				names, raws = append(names, name), append(raws, m.Raw())
				if len(names) == 1 && m.Kind() == canon.Array {
					m.Elems(func(_ int, e canon.Value) bool { elems = append(elems, e.Raw()); return true })
				}
				return true
			})
			first := ""
			if len(names) > 0 {
				first = names[0]
			}
			var split [][]byte
			ms, err := canon.MembersSplitting(b, 3, map[string]func(int, [][]byte){first: func(at int, es [][]byte) {
				if at != len(split) || len(es) == 0 || len(es) > 3 {
					t.Fatalf("MembersSplitting(%q) handed %d elements from %d after %d", b, len(es), at, len(split))
				}
				split = append(split, es...)
			}})
			if err != nil || len(ms) != len(names) {
				t.Fatalf("MembersSplitting(%q) = %d members, %v; Parse found %d", b, len(ms), err, len(names))
			}
			for i, m := range ms {
				if m.Name != names[i] || !bytes.Equal(m.Raw, raws[i]) {
					t.Fatalf("MembersSplitting(%q): member %d is %q %q; Parse says %q %q", b, i, m.Name, m.Raw, names[i], raws[i])
				}
			}
			if len(split) != len(elems) {
				t.Fatalf("MembersSplitting(%q) split the first member into %d elements; Parse found %d", b, len(split), len(elems))
			}
			for i, e := range elems {
				if !bytes.Equal(split[i], e) {
					t.Fatalf("MembersSplitting(%q): element %d is %q; Parse says %q", b, i, split[i], e)
				}
			}
		case canon.Array:
			es, err := canon.Elements(b)
			if err != nil || len(es) != v.Len() {
				t.Fatalf("Elements(%q) = %d, %v; Parse found %d", b, len(es), err, v.Len())
			}
			v.Elems(func(i int, e canon.Value) bool {
				if !bytes.Equal(es[i], e.Raw()) {
					t.Fatalf("Elements(%q): element %d is %q; Parse says %q", b, i, es[i], e.Raw())
				}
				return true
			})
		}
	})
}

// hasDuplicates reports a repeated name in any object of valid JSON.
func hasDuplicates(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []map[string]bool
	var expectKey []bool
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, map[string]bool{})
				expectKey = append(expectKey, true)
				continue
			case '[':
				stack = append(stack, nil)
				expectKey = append(expectKey, false)
				continue
			default:
				stack, expectKey = stack[:len(stack)-1], expectKey[:len(expectKey)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1] != nil && expectKey[n-1] {
				if stack[n-1][t] {
					return true
				}
				stack[n-1][t] = true
				expectKey[n-1] = false
				continue
			}
		}
		if n := len(stack); n > 0 && stack[n-1] != nil {
			expectKey[n-1] = true
		}
	}
}

// integersOnly reports whether every number of valid JSON is an integer within ±(2^53−1) written
// without fraction or exponent.
func integersOnly(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		if n, ok := tok.(json.Number); ok {
			i, err := n.Int64()
			if err != nil || strings.ContainsAny(string(n), ".eE") || i > canon.MaxInt || i < -canon.MaxInt {
				return false
			}
		}
	}
}
