package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
)

// apiHeaders go with every response: the API and the login endpoints serve data and redirects, never
// pages to render, frame or sniff. The web app (internal/web) replaces the policy with its own for
// its pages.
var apiHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
}

// edge is what every HTTP request passes through before the routes: the security headers, a deadline
// for the request body (the call deadline: a slow or stalled body cannot hold a connection, and a
// handler, beyond it) and clear errors for bodies and query messages that cannot be read, which
// connect-go would otherwise answer as Unknown (HTTP 500).
func edge(next http.Handler, rpcTimeout time.Duration) http.Handler {
	errs := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range apiHeaders {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(r.URL.Path, "/auth/") || strings.HasPrefix(r.URL.Path, "/signin/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		if r.URL.Path == miastav1connect.AuditServiceExportBundleProcedure {
			// A download whose client stops reading lets go of its connection, goroutine and file
			// then (GET /audit/{year}/bundle.json sets the same itself).
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(auditlog.DownloadTimeout))
		}
		if r.Method == http.MethodGet {
			if err := checkQueryMessage(r); err != nil {
				_ = errs.Write(w, r, err)
				return
			}
		}
		if r.Body != nil && r.Body != http.NoBody && rpcTimeout > 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(rpcTimeout))
			b := bodyReader{ReadCloser: r.Body}
			if r.ProtoMajor == 1 {
				// A body that failed half-way leaves the connection unusable for another request;
				// without this net/http would keep it open, waiting for one, for the idle timeout.
				b.failed = func() { w.Header().Set("Connection", "close") }
			}
			r.Body = b
		}
		next.ServeHTTP(w, r)
	})
}

// checkQueryMessage refuses a Connect GET whose base64 message does not decode, decoding it as
// connect-go does (unpadded URL-safe base64 unless its length makes it padded).
func checkQueryMessage(r *http.Request) error {
	q := r.URL.Query()
	if q.Get("base64") != "1" || !q.Has("message") {
		return nil
	}
	msg := q.Get("message")
	enc := base64.RawURLEncoding
	if len(msg)%4 == 0 {
		enc = base64.URLEncoding
	}
	if _, err := enc.DecodeString(msg); err != nil {
		return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("the message query parameter is not URL-safe base64: %w", err))
	}
	return nil
}

// bodyReader turns errors reading a request body into Connect errors, which connect-go passes on
// as they are: a body that stopped arriving before the deadline is DeadlineExceeded, one that cannot
// be read (a malformed chunk, a truncated body) InvalidArgument.
type bodyReader struct {
	io.ReadCloser
	failed func() // called on a read error, before the error answer is written
}

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == nil || errors.Is(err, io.EOF) {
		return n, err
	}
	if b.failed != nil {
		b.failed()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return n, err
	case errors.Is(err, os.ErrDeadlineExceeded):
		return n, connect.NewError(connect.CodeDeadlineExceeded, errors.New("the request body did not arrive within the call deadline"))
	}
	return n, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("malformed request body: %w", err))
}
