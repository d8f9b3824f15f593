// Package witness runs and talks to independent witnesses of the audit log, in the open C2SP formats:
// a witness (a city, a newspaper, a partner organisation, on its own machine) is sent each new signed
// checkpoint with a consistency proof from the last one it cosigned (the tlog-witness protocol), checks
// the log's signature and the proof, and returns its cosignature (tlog-cosignature, cosignature/v1).
// A witness never cosigns two checkpoints that are not consistent with each other, so once k
// witnesses have cosigned a checkpoint the platform cannot show anyone a log that forks from it
// without at least one of them refusing.
//
// The witness itself is transparency-dev's (github.com/transparency-dev/witness): this package only
// configures it for this log, keeps its state in a SQLite file, and says loudly when it refuses.
package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/witness/api"
	"github.com/transparency-dev/witness/persistence/sqlite"
	twitness "github.com/transparency-dev/witness/witness"
	"golang.org/x/mod/sumdb/note"
)

// Origin is the audit log's checkpoint origin (its first line, §4.3 of the specification).
const Origin = "miasta-otwarte/audit-log"

// GenerateKey makes a witness key named name: the private key (the note signer key format, which
// only the witness keeps) and the verifier key of its cosignatures (an Ed25519 cosignature/v1 key,
// algorithm 0x04), which the platform and verifiers are given.
func GenerateKey(name string) (signer, verifier string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("witness name %q: use a non-empty name without spaces or '+', e.g. witness.gazeta.example", name)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", err
	}
	cosig, err := fnote.VKeyToCosignatureV1(vkey)
	if err != nil {
		return "", "", err
	}
	return skey, cosig, nil
}

func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "+ \t\n\r")
}

// VerifierKey is the cosignature verifier key of a witness's signer key.
func VerifierKey(signer string) (string, error) {
	signer = strings.TrimSpace(signer)
	s, err := fnote.NewSignerForCosignatureV1(signer)
	if err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64 of the algorithm byte and the Ed25519 seed>
	parts := strings.SplitN(signer, "+", 5) // the base64 may hold '+' too
	key, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(key) != 1+ed25519.SeedSize {
		return "", errors.New("witness key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey := fmt.Sprintf("%s+%08x+%s", s.Name(), s.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{0x04}, pub...)))
	if _, err := fnote.NewVerifierForCosignatureV1(vkey); err != nil {
		return "", err
	}
	return vkey, nil
}

// Options configure a witness.
type Options struct {
	// Signer is the witness's private key (GenerateKey's signer).
	Signer string
	// LogKey is the audit log's verifier key, obtained independently of the platform (the ceremony, a
	// newspaper): the witness cosigns only checkpoints it signed. After a key rotation (§4.4) the
	// witness must be given the new key.
	LogKey string
	// State is the SQLite file that keeps the last checkpoint the witness cosigned; losing it lets
	// the witness be shown a fork, so keep it with the key.
	State string
	Log   *slog.Logger
}

// Server is a running witness: an http.Handler speaking tlog-witness.
type Server struct {
	http.Handler
	// VerifierKey is the verifier key of its cosignatures.
	VerifierKey string
	close       func() error
}

// Close releases the witness's state file.
func (s *Server) Close() error { return s.close() }

// NewServer starts a witness of the audit log.
func NewServer(ctx context.Context, o Options) (*Server, error) {
	signer, err := fnote.NewSignerForCosignatureV1(strings.TrimSpace(o.Signer))
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	vkey, err := VerifierKey(o.Signer)
	if err != nil {
		return nil, err
	}
	logVerifier, err := note.NewVerifier(strings.TrimSpace(o.LogKey))
	if err != nil {
		return nil, fmt.Errorf("the log's verifier key: %w", err)
	}
	if logVerifier.Name() != Origin {
		return nil, fmt.Errorf("the log's verifier key is named %q; this log's key is named %q", logVerifier.Name(), Origin)
	}
	if o.State == "" {
		return nil, errors.New("no state file: a witness must remember the last checkpoint it cosigned")
	}
	p, closeDB, err := sqlite.New(ctx, sqlite.Opts{Path: o.State, MaxOpenConns: 1})
	if err != nil {
		return nil, fmt.Errorf("witness state %s: %w", o.State, err)
	}
	w, err := twitness.New(ctx, twitness.Opts{
		Persistence: p,
		Signers:     []note.Signer{signer},
		VerifierForLog: func(_ context.Context, origin string) (note.Verifier, bool, error) {
			if origin != Origin {
				return nil, false, nil
			}
			return logVerifier, true, nil
		},
	})
	if err != nil {
		closeDB()
		return nil, err
	}
	h := twitness.NewHTTPHandler(w)
	mux := http.NewServeMux()
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	mux.Handle("POST "+api.HTTPAddCheckpoint, refusals(log, http.HandlerFunc(h.AddCheckpoint)))
	return &Server{Handler: mux, VerifierKey: vkey, close: closeDB}, nil
}

// refusals logs every checkpoint the witness refuses, saying why in words: an inconsistent one is an
// attempt to show a split view (or a rewritten log) and is logged as an error.
func refusals(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &status{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		switch rec.code {
		case http.StatusOK:
			log.InfoContext(r.Context(), "witness: cosigned a checkpoint", "from", r.RemoteAddr)
		case http.StatusConflict:
			if rec.Header().Get("Content-Type") == "text/x.tlog.size" {
				log.InfoContext(r.Context(), "witness: the submitter's old size is not the last one cosigned; told it the size", "size", strings.TrimSpace(rec.body.String()))
			} else {
				log.ErrorContext(r.Context(), "witness: REFUSED a checkpoint of the size it cosigned with another root hash: the log is showing a split view or was rewritten")
			}
		case http.StatusUnprocessableEntity:
			log.ErrorContext(r.Context(), "witness: REFUSED a checkpoint not consistent with the last one it cosigned: the log is showing a split view or was rewritten")
		case http.StatusForbidden:
			log.WarnContext(r.Context(), "witness: refused a checkpoint not signed by the log's key")
		case http.StatusNotFound:
			log.WarnContext(r.Context(), "witness: refused a checkpoint of another log")
		default:
			log.WarnContext(r.Context(), "witness: refused a request", "status", rec.code)
		}
	})
}

type status struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *status) Write(b []byte) (int, error) {
	s.body.Write(b)
	return s.ResponseWriter.Write(b)
}
