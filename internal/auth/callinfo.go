package auth

import (
	"context"

	"github.com/google/uuid"
)

// CallInfo collects what the authentication learned about a call for its access log line, which is
// written by an interceptor outside this one and so cannot read the context this one creates.
type CallInfo struct {
	UserID uuid.UUID
}

type callInfoKey struct{}

// WithCallInfo returns ctx carrying a CallInfo that the auth interceptor fills in.
func WithCallInfo(ctx context.Context) (context.Context, *CallInfo) {
	ci := &CallInfo{}
	return context.WithValue(ctx, callInfoKey{}, ci), ci
}

func noteCaller(ctx context.Context, p *Principal) {
	if ci, ok := ctx.Value(callInfoKey{}).(*CallInfo); ok && p != nil {
		ci.UserID = p.UserID
	}
}
