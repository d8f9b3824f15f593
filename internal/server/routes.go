package server

import (
	"net/http"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/miasta-otwarte/miasta/internal/archive"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/identity"
	"github.com/miasta-otwarte/miasta/internal/jury"
	"github.com/miasta-otwarte/miasta/internal/mail"
	"github.com/miasta-otwarte/miasta/internal/past"
	"github.com/miasta-otwarte/miasta/internal/privacy"
	"github.com/miasta-otwarte/miasta/internal/report"
	"github.com/miasta-otwarte/miasta/internal/results"
	"github.com/miasta-otwarte/miasta/internal/search"
	"github.com/miasta-otwarte/miasta/internal/translation"
)

// Services are the fully-qualified names of every API service, for health checking and reflection.
var Services = []string{
	miastav1connect.EditionServiceName,
	miastav1connect.IdentityServiceName,
	miastav1connect.ReportServiceName,
	miastav1connect.JuryServiceName,
	miastav1connect.ResultsServiceName,
	miastav1connect.AuditServiceName,
	miastav1connect.MailServiceName,
	miastav1connect.TranslationServiceName,
	miastav1connect.SearchServiceName,
	miastav1connect.PastEditionServiceName,
	miastav1connect.ArchiveServiceName,
	miastav1connect.PrivacyServiceName,
}

// addRoutes lists the whole API.
func addRoutes(mux *http.ServeMux, d Deps, opts connect.HandlerOption) {
	mux.Handle(miastav1connect.NewEditionServiceHandler(edition.NewHandler(d.Editions), opts))
	mux.Handle(miastav1connect.NewIdentityServiceHandler(identity.NewHandler(d.Identity), opts))
	mux.Handle(miastav1connect.NewReportServiceHandler(report.NewHandler(d.Reports), opts))
	mux.Handle(miastav1connect.NewJuryServiceHandler(jury.NewHandler(d.Jury), opts))
	mux.Handle(miastav1connect.NewResultsServiceHandler(results.NewHandler(d.Jury, d.Audit), opts))
	audit := auditlog.NewHandler(d.Audit, d.Bundles)
	mux.Handle(miastav1connect.NewAuditServiceHandler(audit, opts))
	// ExportBundle answers without compression: compressing a 30 MB bundle per download would cost
	// every download a compressor and the server its processors. The same bytes, compressed once, are
	// at GET /audit/{year}/bundle.json.
	_, uncompressed := miastav1connect.NewAuditServiceHandler(audit, connect.WithHandlerOptions(opts, connect.WithCompression("gzip", nil, nil)))
	mux.Handle(miastav1connect.AuditServiceExportBundleProcedure, uncompressed)
	mux.Handle(miastav1connect.NewMailServiceHandler(mail.NewHandler(d.Mail), opts))
	mux.Handle(miastav1connect.NewTranslationServiceHandler(translation.NewHandler(d.Translations), opts))
	mux.Handle(miastav1connect.NewSearchServiceHandler(search.NewHandler(d.Search), opts))
	mux.Handle(miastav1connect.NewPastEditionServiceHandler(past.NewHandler(d.Past), opts))
	mux.Handle(miastav1connect.NewArchiveServiceHandler(archive.NewHandler(archive.NewService(d.Pool, d.Jury, d.Audit)), opts))
	mux.Handle(miastav1connect.NewPrivacyServiceHandler(privacy.NewHandler(d.Privacy), opts))

	mux.Handle(grpchealth.NewHandler(dbChecker{pool: d.Pool}))
	reflector := grpcreflect.NewStaticReflector(Services...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))

	// An attachment upload is one message of up to 25 MiB (base64 in JSON: 34 MiB); no other call needs
	// more than the configured limit.
	_, uploads := miastav1connect.NewReportServiceHandler(report.NewHandler(d.Reports), connect.WithHandlerOptions(opts, connect.WithReadMaxBytes(max(d.Limits.MaxRequestBytes, 36<<20))))
	mux.Handle(miastav1connect.ReportServiceUploadAttachmentProcedure, uploads)
	mux.Handle("GET /attachments/{id}", report.AttachmentHandler(d.Reports, d.Authn, d.Log))
	mux.Handle("GET /audit/{year}/bundle.json", d.Bundles) // the same bytes as AuditService/ExportBundle
	mux.Handle("/auth/", d.Authn.LoginHandler())
	if d.SignIn != nil {
		mux.Handle("/signin/", d.SignIn)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("GET /readyz", readyHandler(d.Pool, d.Audit))
	if d.Share != nil {
		d.Share.Routes(mux) // GET /open-data/…, /feed.atom, /certificates/…, /badges/…
	}
	if d.Web != nil {
		mux.Handle("/", d.Web)
	}
}
