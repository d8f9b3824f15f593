// Package fault defines the kinds of error the domain packages return, so that one place (the
// server) turns them into Connect codes and anything else into a bare "internal error".
package fault

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Kind classifies a domain error.
type Kind int

// The kinds, each of which has exactly one Connect code.
const (
	Invalid            Kind = iota + 1 // the request is malformed: InvalidArgument
	NotFound                           // a named thing does not exist: NotFound
	AlreadyExists                      // a unique thing exists already: AlreadyExists
	FailedPrecondition                 // not allowed in the current state, e.g. the stage: FailedPrecondition
	Aborted                            // a concurrent change won (stale version): Aborted
	PermissionDenied                   // the caller may not do this: PermissionDenied
	Unauthenticated                    // the caller is not signed in: Unauthenticated
)

// Error is a domain error a client may see: its message is safe to show and names the field at
// fault, if there is one.
type Error struct {
	Kind Kind
	// Field is the request field at fault, as a proto field path (e.g. "practices[2].title").
	Field   string
	Message string
	// Detail, when set, is a proto message attached to the wire error (e.g. the current version of a
	// report after a conflicting save).
	Detail any
	// Format and Args are what Message was made from: clients show the message in their user's
	// language from a catalogue keyed by Reason (the format's identity), filling in the arguments.
	Format string
	Args   []any
}

// Reason identifies the message's format for clients' catalogues: "m" and 10 hex digits of the
// SHA-256 of the English format string, so that a reworded message is a new entry to translate.
func (e *Error) Reason() string { return ReasonOf(e.Format) }

// ReasonOf is the catalogue key of an English format string.
func ReasonOf(format string) string {
	h := sha256.Sum256([]byte(format))
	return "m" + hex.EncodeToString(h[:5])
}

// ArgMap is Args by placeholder name (a0, a1, …), as clients fill the catalogue's message with them.
func (e *Error) ArgMap() map[string]string {
	m := make(map[string]string, len(e.Args))
	for i, a := range e.Args {
		m[fmt.Sprintf("a%d", i)] = fmt.Sprint(a)
	}
	return m
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

func newf(kind Kind, field, format string, args ...any) *Error {
	return &Error{Kind: kind, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Invalidf reports a bad value in field.
func Invalidf(field, format string, args ...any) *Error {
	return newf(Invalid, field, format, args...)
}

// NotFoundf reports that the thing field names does not exist.
func NotFoundf(field, format string, args ...any) *Error {
	return newf(NotFound, field, format, args...)
}

// Existsf reports a duplicate of a unique value in field.
func Existsf(field, format string, args ...any) *Error {
	return newf(AlreadyExists, field, format, args...)
}

// Preconditionf reports a request the current state does not allow.
func Preconditionf(field, format string, args ...any) *Error {
	return newf(FailedPrecondition, field, format, args...)
}

// Abortedf reports a lost race, e.g. a stale version; detail is attached for the client.
func Abortedf(detail any, format string, args ...any) *Error {
	e := newf(Aborted, "", format, args...)
	e.Detail = detail
	return e
}

// Deniedf reports that the caller may not do what they asked.
func Deniedf(format string, args ...any) *Error {
	return newf(PermissionDenied, "", format, args...)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is a domain error of the given kind.
func Is(err error, kind Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == kind
}

// MapDetail replaces the domain value a fault carries as its detail (say, the current report after a
// conflicting save) with its wire form, when the detail is a T; any other error passes unchanged.
func MapDetail[T any](err error, wire func(T) any) error {
	f, ok := As(err)
	if !ok {
		return err
	}
	d, ok := f.Detail.(T)
	if !ok {
		return err
	}
	c := *f
	c.Detail = wire(d)
	return &c
}
