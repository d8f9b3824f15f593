package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
)

// Interceptor authenticates every call and applies its procedure's rule before the handler runs.
type Interceptor struct {
	authn *Authenticator
	rules map[string]Rule
}

// NewInterceptor returns the interceptor for the given rule table (normally Rules).
func NewInterceptor(authn *Authenticator, rules map[string]Rule) *Interceptor {
	return &Interceptor{authn: authn, rules: rules}
}

// authorize returns ctx carrying the caller, or the error to answer with.
func (i *Interceptor) authorize(ctx context.Context, procedure string, header http.Header) (context.Context, error) {
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
	if !rule.admits(p) {
		if p == nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("sign in to call "+procedure))
		}
		return nil, connect.NewError(connect.CodePermissionDenied, errors.New("your roles do not allow "+procedure))
	}
	return NewContext(ctx, p), nil
}

// WrapUnary implements connect.Interceptor.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.authorize(ctx, req.Spec().Procedure, req.Header())
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
		ctx, err := i.authorize(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
