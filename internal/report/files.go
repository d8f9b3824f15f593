package report

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// AttachmentHandler serves GET /attachments/{id}: the file itself, to whoever may read it (the
// session's cookie or bearer token says who; without one, only published files of distinguished
// practices). PDFs and images open in the browser, office documents download. The bytes are checked
// against their SHA-256 as they are sent; a mismatch cuts the response short rather than finishing it.
func AttachmentHandler(svc *Service, authn *auth.Authenticator, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			http.Error(w, "no such attachment", http.StatusNotFound)
			return
		}
		var viewer *auth.Principal
		if p, err := authn.Authenticate(r.Context(), r.Header); err == nil {
			viewer = p
		}
		body, a, err := svc.OpenAttachment(r.Context(), viewer, id)
		if err != nil {
			f, ok := fault.As(err)
			switch {
			case ok && f.Kind == fault.NotFound:
				http.Error(w, "no such attachment", http.StatusNotFound)
			case ok && (f.Kind == fault.PermissionDenied || f.Kind == fault.Unauthenticated):
				http.Error(w, "no such attachment", http.StatusNotFound) // the same answer: ids are not probed
			case ok:
				http.Error(w, f.Message, http.StatusServiceUnavailable)
			default:
				log.ErrorContext(r.Context(), "attachment", "id", id, "error", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
			return
		}
		defer func() { _ = body.Close() }()
		disposition := "attachment"
		if a.Kind == "pdf" || a.Kind == "image" {
			disposition = "inline"
		}
		h := w.Header()
		h.Set("Content-Type", a.MediaType)
		h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, max-age=0, must-revalidate")
		h.Set("ETag", `"`+a.SHA256+`"`)
		if a.Kind != "pdf" {
			h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		}
		if _, err := io.Copy(w, body); err != nil && !errors.Is(err, r.Context().Err()) {
			// Headers and part of the body are out: end the connection so the client sees a broken
			// download, not a complete one.
			log.ErrorContext(r.Context(), "attachment read", "id", id, "sha256", a.SHA256, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}
