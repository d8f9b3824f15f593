package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Interceptor authenticates every call and applies its procedure's rule before the handler runs.
type Interceptor struct {
	authn    *Authenticator
	rules    map[string]Rule
	editions EditionResolver
}

// EditionResolver finds which edition the rows a request names belong to.
type EditionResolver interface {
	// EditionsOf maps every id it finds to its edition; ids it cannot find are absent. refs maps a
	// request field's name (one of ScopeFields) to the ids it holds.
	EditionsOf(ctx context.Context, refs map[string][]uuid.UUID) (map[uuid.UUID]uuid.UUID, error)
}

// ScopeFields are the request fields through which a call names an edition or rows of one. An
// edition's organiser or observer acts as an organiser only in a call whose request names, through
// these fields alone, rows of that one edition; a call that names none (platform-wide: creating an
// edition or a city, the whole outbox) or rows of another edition gets no organiser's powers.
var ScopeFields = map[string]bool{
	"edition_id": true, "report_id": true, "practice_id": true, "attachment_id": true,
	"nomination_id": true, "nomination_ids": true, "category_id": true, "criterion_id": true,
	"invitation_id": true, "assignment_id": true, "mail_id": true,
}

// NewInterceptor returns the interceptor for the given rule table (normally Rules). editions scopes
// the calls of editions' own organisers and observers; without it they are never organisers.
func NewInterceptor(authn *Authenticator, rules map[string]Rule, editions EditionResolver) *Interceptor {
	return &Interceptor{authn: authn, rules: rules, editions: editions}
}

// authorize returns ctx carrying the caller, or the error to answer with. msg is the request (nil for
// a stream, whose messages come later: streams give no edition-wide powers).
func (i *Interceptor) authorize(ctx context.Context, spec connect.Spec, header http.Header, msg any) (context.Context, error) {
	procedure := spec.Procedure
	rule, ok := i.rules[procedure]
	if !ok {
		return nil, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("%s has no authorization rule", procedure))
	}
	p, err := i.authn.Authenticate(ctx, header)
	if err != nil {
		var ce *connect.Error
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, err
	}
	noteCaller(ctx, p)
	if p != nil && !p.Organiser && p.editionWide() && i.editions != nil {
		if m, ok := msg.(proto.Message); ok {
			if p, err = i.scope(ctx, p, spec, m); err != nil {
				return nil, err
			}
		}
	}
	if !rule.admits(p) {
		if p == nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("sign in to call "+procedure))
		}
		return nil, connect.NewError(connect.CodePermissionDenied, errors.New("your roles do not allow "+procedure))
	}
	return NewContext(ctx, p), nil
}

// scope returns p acting as an organiser for this call when the request names rows of one edition only
// and p organises it, or observes it and the call is read-only; otherwise p as it is.
func (i *Interceptor) scope(ctx context.Context, p *Principal, spec connect.Spec, m proto.Message) (*Principal, error) {
	refs, ok := requestRefs(m.ProtoReflect())
	if !ok {
		return p, nil
	}
	found, err := i.editions.EditionsOf(ctx, refs)
	if err != nil {
		return nil, err
	}
	edition := uuid.Nil
	for _, ids := range refs {
		for _, id := range ids {
			e, ok := found[id]
			if !ok || (edition != uuid.Nil && e != edition) {
				return p, nil // an unknown row (the handler says so) or rows of two editions
			}
			edition = e
		}
	}
	if _, ok := p.Holds(edition, RoleOrganiser); ok {
		return p.scopedTo(edition), nil
	}
	if _, ok := p.Holds(edition, RoleObserver); ok && spec.IdempotencyLevel == connect.IdempotencyNoSideEffects {
		return p.scopedTo(edition), nil
	}
	return p, nil
}

// requestRefs collects the ids of the request's ScopeFields; false when there are none, or one is not
// a uuid (the request's validation refuses it then).
func requestRefs(m protoreflect.Message) (map[string][]uuid.UUID, bool) {
	refs := map[string][]uuid.UUID{}
	bad := false
	add := func(name, v string) {
		if v == "" {
			return
		}
		id, err := uuid.Parse(v)
		if err != nil {
			bad = true
			return
		}
		refs[name] = append(refs[name], id)
	}
	fields := m.Descriptor().Fields()
	for k := range fields.Len() {
		f := fields.Get(k)
		name := string(f.Name())
		if !ScopeFields[name] || f.Kind() != protoreflect.StringKind {
			continue
		}
		if f.IsList() {
			l := m.Get(f).List()
			for j := range l.Len() {
				add(name, l.Get(j).String())
			}
			continue
		}
		add(name, m.Get(f).String())
	}
	return refs, !bad && len(refs) > 0
}

// WrapUnary implements connect.Interceptor.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.authorize(ctx, req.Spec(), req.Header(), req.Any())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor; clients are not intercepted.
func (i *Interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (i *Interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.authorize(ctx, conn.Spec(), conn.RequestHeader(), nil)
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
