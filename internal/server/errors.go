package server

import (
	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// codes maps each domain error kind to its one Connect code.
var codes = map[fault.Kind]connect.Code{
	fault.Invalid:            connect.CodeInvalidArgument,
	fault.NotFound:           connect.CodeNotFound,
	fault.AlreadyExists:      connect.CodeAlreadyExists,
	fault.FailedPrecondition: connect.CodeFailedPrecondition,
	fault.Aborted:            connect.CodeAborted,
	fault.PermissionDenied:   connect.CodePermissionDenied,
	fault.Unauthenticated:    connect.CodeUnauthenticated,
}

// errorInterceptor is the one place errors become wire errors: domain faults get their code, the field
// at fault (as a BadRequest detail) and any attached detail; everything unexpected is logged and
// answered with a bare "internal error", so no SQL or stack ever reaches a client.
type errorInterceptor struct {
	log *slog.Logger
}

func (i *errorInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(ctx, req)
		if err != nil {
			return nil, i.toWire(ctx, req.Spec().Procedure, err)
		}
		return resp, nil
	}
}

func (i *errorInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *errorInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := next(ctx, conn); err != nil {
			return i.toWire(ctx, conn.Spec().Procedure, err)
		}
		return nil
	}
}

func (i *errorInterceptor) toWire(ctx context.Context, procedure string, err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		fieldViolations(ce)
		return ce // already a wire error: auth, validation, unimplemented
	}
	if f, ok := fault.As(err); ok {
		out := connect.NewError(codes[f.Kind], errors.New(f.Error()))
		if f.Field != "" {
			addDetail(out, &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: f.Field, Description: f.Message}}})
		}
		if m, ok := f.Detail.(proto.Message); ok {
			addDetail(out, m)
		}
		if f.Format != "" {
			// The message's identity and arguments, for clients that show it in another language.
			addDetail(out, &errdetails.ErrorInfo{Reason: f.Reason(), Domain: messageDomain, Metadata: f.ArgMap()})
		}
		return out
	}
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(context.Cause(ctx), ErrShuttingDown):
		return connect.NewError(connect.CodeUnavailable, errors.New("the server is shutting down; retry"))
	case errors.As(err, &pgErr) && pgErr.Code == "57014": // query_canceled: the statement timeout
		i.log.WarnContext(ctx, "statement timeout", "procedure", procedure, "error", err)
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("the request took too long; retry later"))
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		// The call's own deadline has not passed, so a bounded wait inside the call ran out: the
		// pool's wait for a free connection (MIASTA_DB_ACQUIRE_TIMEOUT).
		i.log.WarnContext(ctx, "no free database connection in time", "procedure", procedure, "error", err)
		return connect.NewError(connect.CodeUnavailable, errors.New("the service is busy; retry in a moment"))
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("request deadline exceeded"))
	case databaseUnavailable(err):
		i.log.ErrorContext(ctx, "database unavailable", "procedure", procedure, "error", err)
		return connect.NewError(connect.CodeUnavailable, errors.New("service temporarily unavailable; retry"))
	}
	i.log.ErrorContext(ctx, "internal error", "procedure", procedure, "error", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error"))
}

// messageDomain is the ErrorInfo domain of the platform's own messages (web/src/i18n/server.*.json).
const messageDomain = "miasta-otwarte"

// fieldViolations gives a request validation error (protovalidate's Violations) the BadRequest detail
// every other refused field carries, so that clients read the field at fault in one way.
func fieldViolations(e *connect.Error) {
	var fvs []*errdetails.BadRequest_FieldViolation
	for _, d := range e.Details() {
		v, err := d.Value()
		if err != nil {
			continue
		}
		switch v := v.(type) {
		case *errdetails.BadRequest:
			return // it has one already
		case *validate.Violations:
			// Each field's rule (e.g. "string.max_len"), for clients that explain it in their user's
			// language.
			info := &errdetails.ErrorInfo{Reason: "VALIDATION", Domain: messageDomain, Metadata: map[string]string{}}
			for _, viol := range v.GetViolations() {
				field := protovalidate.FieldPathString(viol.GetField())
				fvs = append(fvs, &errdetails.BadRequest_FieldViolation{Field: field, Description: viol.GetMessage()})
				if _, seen := info.Metadata[field]; !seen {
					info.Metadata[field] = viol.GetRuleId()
				}
			}
			defer addDetail(e, info)
		}
	}
	if len(fvs) > 0 {
		addDetail(e, &errdetails.BadRequest{FieldViolations: fvs})
	}
}

func addDetail(e *connect.Error, m proto.Message) {
	if d, err := connect.NewErrorDetail(m); err == nil {
		e.AddDetail(d)
	}
}

// databaseUnavailable reports errors that mean PostgreSQL cannot be reached or is shutting down, which
// a client should retry rather than treat as a bug.
func databaseUnavailable(err error) bool {
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "57": // connection exception, operator intervention (shutdown)
			return true
		}
	}
	return pgconn.SafeToRetry(err)
}

// ErrShuttingDown is the cause with which the server cancels calls still running when its shutdown
// timeout is nearly spent; such calls answer Unavailable, which clients retry on another replica.
var ErrShuttingDown = errors.New("the server is shutting down")
