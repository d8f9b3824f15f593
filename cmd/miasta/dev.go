package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/app"
	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/demo"
	"github.com/miasta-otwarte/miasta/internal/devdb"
	"github.com/miasta-otwarte/miasta/internal/devidp"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/mail"
	"github.com/miasta-otwarte/miasta/internal/mailcapture"
)

// The development provider's client registration for this server.
const (
	devClientID     = "miasta-dev"
	devClientSecret = "miasta-dev-secret"
)

// dev runs the zero-configuration demo: a database (DATABASE_URL or the local cluster), migrations,
// the archive's past edition of 2015, the seeded demonstration edition, a development OpenID provider with one account per demo person, a mail
// capture that writes every mail to a directory, and the server. Everything it started stops on Ctrl-C.
//
// The database is the demo's and persists between runs (the edition stays where it was taken); it
// must be one miasta dev created or found empty (devdb.Claim), and -reset empties it first.
func dev(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	addr := fs.String("addr", "127.0.0.1:8080", "host:port to serve on")
	idpAddr := fs.String("idp-addr", "127.0.0.1:5556", "host:port of the development OpenID provider")
	tokenDir := fs.String("token-dir", filepath.Join(os.TempDir(), "miasta-dev"), "where to write the demo users' ID tokens")
	smtpAddr := fs.String("smtp-addr", "127.0.0.1:2525", "host:port of the local mail capture (an SMTP server) all mail goes to")
	mailDir := fs.String("mail-dir", filepath.Join(os.TempDir(), "miasta-dev", "mail"), "where the mail capture writes each message as an .eml file")
	keyFile := fs.String("audit-key-file", filepath.Join(os.TempDir(), "miasta-dev", "audit.key"), "the demo log's signing key (made there when missing)")
	reset := fs.Bool("reset", false, "start the demo again: empty the demo database (only one miasta dev made) and the mail directory first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	dbURL, stopDB, err := devdb.Ensure(ctx, getenv("DATABASE_URL"), log)
	if stopDB != nil {
		defer func() {
			if err := stopDB(); err != nil {
				log.Error("stopping the local PostgreSQL cluster", "error", err)
			}
		}()
	}
	if err != nil {
		return err
	}
	if *reset {
		if err := devdb.Reset(ctx, dbURL); err != nil {
			return err
		}
		old, _ := filepath.Glob(filepath.Join(*mailDir, "*.eml"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
		log.Info("demo database and mail directory emptied; the demo starts again")
	} else if err := devdb.Claim(ctx, dbURL); err != nil {
		return err
	}

	if _, err := os.Stat(*keyFile); errors.Is(err, os.ErrNotExist) {
		key, err := auditlog.NewKey()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(*keyFile), 0o700); err != nil {
			return err
		}
		if err := writeKeyFile(*keyFile, key); err != nil {
			return err
		}
		log.Info("made the demo log's signing key", "file", *keyFile, "key", key.Verifier)
	}

	serverLn, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer serverLn.Close()
	idpLn, err := net.Listen("tcp", *idpAddr)
	if err != nil {
		return err
	}
	publicURL := "http://" + serverLn.Addr().String()
	issuer := "http://" + idpLn.Addr().String()

	users := make([]devidp.User, 0, len(demo.People))
	for _, p := range demo.People {
		users = append(users, devidp.User{Subject: demo.Subject(p.Email), Email: p.Email, EmailVerified: true, Name: p.Name})
	}
	idp, err := devidp.New(devidp.Config{
		Issuer:          issuer,
		Users:           users,
		Clients:         []devidp.Client{{ID: devClientID, Secret: devClientSecret, RedirectURIs: []string{publicURL + "/auth/callback"}}},
		IDTokenLifetime: 12 * time.Hour,
		Logger:          log.With("component", "devidp"),
	})
	if err != nil {
		return err
	}
	idpSrv := &http.Server{Handler: idp.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := idpSrv.Serve(idpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("development provider stopped", "error", err)
		}
	}()
	defer idpSrv.Close()

	// No mail leaves the machine: it all goes to an SMTP server in this process that writes files.
	capture, err := mailcapture.Start(*smtpAddr, *mailDir, log.With("component", "mailcapture"))
	if err != nil {
		return fmt.Errorf("mail capture: %w", err)
	}
	defer capture.Close()
	smtpHost, smtpPort, _ := net.SplitHostPort(capture.Addr)
	port, _ := strconv.Atoi(smtpPort)

	cfg := config.Config{
		Addr:             serverLn.Addr().String(),
		DatabaseURL:      dbURL,
		AuditKeyFile:     *keyFile,
		Migrate:          true,
		PublicURL:        publicURL,
		OIDCIssuer:       issuer,
		OIDCClientID:     devClientID,
		OIDCClientSecret: devClientSecret,
		OIDCTrustEmail:   true,
		OIDCRedirectURL:  publicURL + "/auth/callback",
		Organisers:       []string{demo.OrganiserEmail},
		ShutdownTimeout:  5 * time.Second,
		SMTPHost:         smtpHost,
		SMTPPort:         port,
		SMTPTLS:          "none",
		MailFrom:         "Miasta Otwarte <noreply@miasta.test>",
		MailPollInterval: time.Second,
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()

	organiser := demo.People[0]
	principal, err := a.Identity.SignIn(ctx, auth.Claims{
		Issuer: issuer, Subject: demo.Subject(organiser.Email), Email: organiser.Email, EmailVerified: true, Name: organiser.Name,
	})
	if err != nil {
		return err
	}
	// In the demo every kind of mail goes out without review (unless someone chose otherwise), so the
	// capture shows what people would receive; production holds mail for review by default.
	policies, err := a.Mail.Policies(ctx, uuid.Nil)
	if err != nil {
		return err
	}
	for _, p := range policies {
		if p.Source == mail.SourceDefault {
			if _, err := a.Mail.SetPolicy(ctx, principal, uuid.Nil, p.Kind, mail.Automatic); err != nil {
				return err
			}
		}
	}
	// The archive's past editions first (2015, as its announcement states it), then the demo edition,
	// the year after.
	if _, err := a.Past.ImportPublished(ctx, principal); err != nil {
		return fmt.Errorf("import the past editions: %w", err)
	}
	demoEdition, err := demo.Seed(ctx, a.Editions, a.Identity, principal, time.Now())
	if err != nil {
		return fmt.Errorf("seed the demo edition: %w", err)
	}

	if err := os.MkdirAll(*tokenDir, 0o700); err != nil {
		return err
	}
	tokenFiles := map[string]string{}
	for _, p := range demo.People {
		tok, err := idp.Login(ctx, devClientID, devClientSecret, publicURL+"/auth/callback", demo.Subject(p.Email))
		if err != nil {
			return fmt.Errorf("demo token for %s: %w", p.Email, err)
		}
		file := filepath.Join(*tokenDir, strings.SplitN(p.Email, "@", 2)[0]+".token")
		if err := os.WriteFile(file, []byte(tok.Extra("id_token").(string)), 0o600); err != nil {
			return err
		}
		tokenFiles[p.Email] = file
	}

	printBanner(stdout, publicURL, issuer, demoEdition, tokenFiles, capture)
	return a.Serve(ctx, serverLn)
}

func printBanner(w io.Writer, publicURL, issuer string, e edition.Edition, tokenFiles map[string]string, capture *mailcapture.Server) {
	fmt.Fprintf(w, "\nMiasta Otwarte — development server\n\n")
	fmt.Fprintf(w, "  Web app         %s/   (open it in a browser; sign in as any demo user)\n", publicURL)
	fmt.Fprintf(w, "  API and login   %s   (sign in: %s/auth/login)\n", publicURL, publicURL)
	fmt.Fprintf(w, "  OpenID provider %s   (one click per demo user)\n", issuer)
	fmt.Fprintf(w, "  Demo edition    %d, id %s, stage %s (kept between runs; miasta dev -reset starts again)\n", e.Year, e.ID, e.Stage)
	fmt.Fprintf(w, "  Mail capture    smtp://%s → %s (each mail an .eml file; sent without review in dev)\n\n", capture.Addr, capture.Dir())
	fmt.Fprintf(w, "  Demo users (ID tokens valid 12h):\n")
	for _, p := range demo.People {
		role := p.Role
		if p.City != "" {
			role += ", " + p.City
		}
		fmt.Fprintf(w, "    %-30s %-24s %s\n", p.Email, role, tokenFiles[p.Email])
	}
	fmt.Fprintf(w, "\n  Try it (as the organiser; buf and grpcurl: make tools, then export PATH=\"$PWD/bin:$PATH\"):\n")
	fmt.Fprintf(w, "    buf curl --http2-prior-knowledge -H \"Authorization: Bearer $(cat %s)\" %s/miasta.v1.IdentityService/GetMe\n", tokenFiles[demo.OrganiserEmail], publicURL)
	fmt.Fprintf(w, "    grpcurl -plaintext -H \"Authorization: Bearer $(cat %s)\" %s miasta.v1.EditionService/ListEditions\n\n", tokenFiles[demo.OrganiserEmail], strings.TrimPrefix(publicURL, "http://"))
	fmt.Fprintf(w, "  Ctrl-C stops everything this command started.\n\n")
}
