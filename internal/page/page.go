// Package page encodes the opaque page tokens of list RPCs and picks page sizes, so that no listing is
// unbounded.
package page

import (
	"encoding/base64"
	"encoding/json"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Size returns the page size to use: def when the client sent 0, else what it asked (the request
// validation already bounds it).
func Size(requested, def int32) int32 {
	if requested <= 0 {
		return def
	}
	return requested
}

// Encode turns a cursor into a page token.
func Encode(cursor any) string {
	b, err := json.Marshal(cursor)
	if err != nil {
		panic("page: cursor does not marshal: " + err.Error()) // cursors are plain structs
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a page token into cursor; an empty token leaves cursor as it is (the first page).
func Decode(token string, cursor any) error {
	if token == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || json.Unmarshal(b, cursor) != nil {
		return fault.Invalidf("page_token", "is not a token from a previous response")
	}
	return nil
}

// Cut trims a page that was fetched with one row more than size (to learn whether another page
// follows) and returns the kept items and the next page's token, made from the last kept item.
func Cut[T any](items []T, size int32, cursor func(last T) any) ([]T, string) {
	if int32(len(items)) <= size {
		return items, ""
	}
	items = items[:size]
	return items, Encode(cursor(items[len(items)-1]))
}

type offsetCursor struct {
	Offset int `json:"o"`
}

// Slice pages through a list that is already in memory (a short, bounded one: the cities, an
// edition's reports or jurors), with an offset token.
func Slice[T any](items []T, size, def int32, token string) ([]T, string, error) {
	var cur offsetCursor
	if err := Decode(token, &cur); err != nil {
		return nil, "", err
	}
	if cur.Offset < 0 || cur.Offset > len(items) {
		return nil, "", fault.Invalidf("page_token", "is not a token from a previous response")
	}
	end := min(cur.Offset+int(Size(size, def)), len(items))
	next := ""
	if end < len(items) {
		next = Encode(offsetCursor{Offset: end})
	}
	return items[cur.Offset:end], next, nil
}
