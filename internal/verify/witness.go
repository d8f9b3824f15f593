package verify

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// CosignatureAlg is the key data's first byte of a witness's Ed25519 cosignature/v1 key (§4.3,
// C2SP tlog-cosignature).
const CosignatureAlg = 0x04

// WitnessKey is a witness's verifier key, read as §4.3 says.
type WitnessKey struct {
	Text    string
	Name    string
	KeyHash uint32
	v       note.Verifier
}

// ParseWitnessKey checks a witness's note verifier key (§4.3, check K5): <name>+<8 lowercase hex
// digits>+<canonical base64 of 0x04 and a 32-byte Ed25519 public key>, whose key hash matches its name
// and key data. The cosignature verifier is the C2SP library's; it would also take an Ed25519 key of
// algorithm 0x01, which §4.3 does not.
func ParseWitnessKey(key string) (WitnessKey, error) {
	name, rest, ok1 := strings.Cut(key, "+")
	hash16, data64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 {
		return WitnessKey{}, errors.New("a witness key has the form <name>+<key hash>+<key data>")
	}
	if !validKeyName(name) {
		return WitnessKey{}, fmt.Errorf("the witness key's name %q is empty, longer than 255 bytes, or has white space or a +", name)
	}
	if len(hash16) != 8 || !lowerHex(hash16) {
		return WitnessKey{}, errors.New("the witness key's hash is not 8 lowercase hexadecimal digits")
	}
	data, err := base64.StdEncoding.Strict().DecodeString(data64)
	if err != nil || !canonicalBase64(data64) {
		return WitnessKey{}, errors.New("the witness key's data is not in canonical base64")
	}
	if len(data) != 33 || data[0] != CosignatureAlg {
		return WitnessKey{}, fmt.Errorf("the witness key's data is not 0x04 (an Ed25519 cosignature/v1 key) and 32 bytes")
	}
	v, err := fnote.NewVerifierForCosignatureV1(key)
	if err != nil {
		return WitnessKey{}, fmt.Errorf("not a cosignature/v1 verifier key: %w", err)
	}
	if want, _ := strconv.ParseUint(hash16, 16, 32); uint32(want) != v.KeyHash() {
		return WitnessKey{}, fmt.Errorf("the witness key's hash is %s, but its name and data hash to %08x", hash16, v.KeyHash())
	}
	return WitnessKey{Text: key, Name: name, KeyHash: v.KeyHash(), v: v}, nil
}

// validKeyName is §4.3's rule for a key's name: not empty, at most 255 bytes of UTF-8, no white space
// (Unicode's) and no +.
func validKeyName(name string) bool {
	return name != "" && len(name) <= 255 && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

// Witness is what K5 found of one given witness.
type Witness struct {
	Key      string
	Cosigned bool
	// Timestamp is the cosignature's time, in seconds since the Unix epoch (when Cosigned).
	Timestamp uint64
}

// Time is the cosignature's timestamp in UTC, as YYYY-MM-DDTHH:MM:SSZ, or the seconds in decimal for
// a time after the year 9999.
func (w Witness) Time() string {
	if w.Timestamp > 253402300799 { // 9999-12-31T23:59:59Z
		return strconv.FormatUint(w.Timestamp, 10) + " seconds after the Unix epoch"
	}
	return time.Unix(int64(w.Timestamp), 0).UTC().Format("2006-01-02T15:04:05Z")
}

// Cosignatures checks the witnesses' cosignatures of a signed note (check K5, the signature lines
// read as §4.3 says): for every given witness, the first line with its name and key hash must be a
// valid cosignature/v1 of the note's text, and the result says which witnesses cosigned and when.
// Lines of other keys are ignored.
func Cosignatures(signed string, keys []WitnessKey) ([]Witness, error) {
	verifiers := make([]note.Verifier, len(keys))
	for i, k := range keys {
		verifiers[i] = k.v
	}
	out := make([]Witness, len(keys))
	for i, k := range keys {
		out[i].Key = k.Text
	}
	n, err := note.Open([]byte(signed), note.VerifierList(verifiers...))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return out, nil // no line of a given witness
	case errors.As(err, &invalid):
		for _, k := range keys {
			if k.Name == invalid.Name && k.KeyHash == invalid.Hash {
				return nil, fmt.Errorf("the cosignature of the witness %s does not verify", k.Text)
			}
		}
		return nil, fmt.Errorf("a cosignature does not verify: %w", err)
	case err != nil:
		return nil, fmt.Errorf("the checkpoint: %w", err)
	}
	for _, s := range n.Sigs {
		for i, k := range keys {
			if k.Name != s.Name || k.KeyHash != s.Hash {
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(s.Base64)
			ts := binary.BigEndian.Uint64(raw[4:12]) // the library checked the length
			if ts > math.MaxInt64 {
				return nil, fmt.Errorf("the cosignature of the witness %s has the timestamp %d, beyond 2^63 - 1", k.Text, ts)
			}
			out[i].Cosigned, out[i].Timestamp = true, ts
		}
	}
	return out, nil
}

// k5 checks the witnesses' cosignatures of the bundle's checkpoint, when witness keys were given.
func (v *verifier) k5() *Failure {
	keys, threshold := v.opts.Witnesses, v.opts.WitnessThreshold
	if len(keys) == 0 {
		if threshold != 0 {
			return v.fail("K5", "a threshold of %d witnesses was given without any witness key", threshold)
		}
		return nil
	}
	if threshold == 0 {
		threshold = len(keys)
	}
	if threshold < 1 || threshold > len(keys) {
		return v.fail("K5", "the threshold %d is not between 1 and the %d witness keys given", threshold, len(keys))
	}
	parsed := make([]WitnessKey, 0, len(keys))
	for i, key := range keys {
		w, err := ParseWitnessKey(key)
		if err != nil {
			if f := v.fail("K5", "witness key %d (%q): %v", i+1, key, err); f != nil {
				return f
			}
			continue
		}
		for _, p := range parsed {
			if p.Name == w.Name && p.KeyHash == w.KeyHash {
				if f := v.fail("K5", "witness key %d has the name and key hash of another given witness key: the keys must be distinct", i+1); f != nil {
					return f
				}
			}
		}
		parsed = append(parsed, w)
	}
	ws, err := Cosignatures(v.b.checkpoint, parsed)
	if err != nil {
		if f := v.fail("K5", "%v", err); f != nil {
			return f
		}
		return nil
	}
	v.witnesses, v.threshold = ws, threshold
	cosigned := 0
	for _, w := range ws {
		if w.Cosigned {
			cosigned++
		}
	}
	if cosigned < threshold {
		return v.fail("K5", "the checkpoint is cosigned by %d of the %d witnesses given, fewer than the %d required", cosigned, len(keys), threshold)
	}
	return nil
}
