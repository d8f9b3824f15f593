package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/miasta-otwarte/miasta/internal/mail/maildb"
)

// selfSigned returns a server certificate for 127.0.0.1 and a client configuration trusting only it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp.miasta.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// authServer is an SMTP server (emersion/go-smtp) that wants AUTH PLAIN and records what it accepts
// and whether the connection was encrypted.
type authServer struct {
	mu        sync.Mutex
	delivered []string // the recipients of accepted messages
	tls       []bool
}

func (s *authServer) got() ([]string, []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.delivered...), append([]bool(nil), s.tls...)
}

type authSession struct {
	s      *authServer
	conn   *smtp.Conn
	authed bool
	to     string
}

func (a *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (a *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "miasta" || pass != "tajne-hasło" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		a.authed = true
		return nil
	}), nil
}
func (a *authSession) Reset()        {}
func (a *authSession) Logout() error { return nil }
func (a *authSession) Mail(string, *smtp.MailOptions) error {
	if !a.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	return nil
}
func (a *authSession) Rcpt(to string, _ *smtp.RcptOptions) error { a.to = to; return nil }
func (a *authSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	_, isTLS := a.conn.TLSConnectionState()
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	a.s.delivered = append(a.s.delivered, a.to)
	a.s.tls = append(a.s.tls, isTLS)
	return nil
}

// startAuthServer listens on 127.0.0.1: with implicit TLS, or offering STARTTLS when starttls, or in
// the clear without STARTTLS when serverTLS is nil.
func startAuthServer(t *testing.T, serverTLS *tls.Config, implicit bool) (*authServer, int) {
	t.Helper()
	as := &authServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &authSession{s: as, conn: c}, nil }))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = serverTLS
	srv.ErrorLog = logger{}
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return as, ln.Addr().(*net.TCPAddr).Port
}

type logger struct{}

func (logger) Printf(string, ...any) {}
func (logger) Println(...any)        {}

// TestDeliverOverTLS sends through each TLS mode with AUTH PLAIN, verifying the server's
// certificate; STARTTLS is required, never skipped, when the server does not offer it.
func TestDeliverOverTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	row := maildb.MailOutbox{ID: uuid.New(), MessageID: uuid.NewString() + "@miasta.test", Kind: string(Invitation),
		RecipientEmail: "olena@miasta.test", RecipientName: "Олена Коваленко", Language: "uk", Subject: "Запрошення", Body: "Вітаємо!\n"}
	service := func(port int, mode TLSMode, client *tls.Config, password string) *Service {
		s, err := NewService(nil, slog.New(slog.DiscardHandler), Config{PublicURL: "https://miasta.test", SMTP: SMTP{
			Host: "127.0.0.1", Port: port, TLS: mode, Username: "miasta", Password: password, TLSConfig: client,
		}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range []struct {
		mode     TLSMode
		implicit bool
	}{{TLSStartTLS, false}, {TLSImplicit, true}} {
		t.Run(string(c.mode), func(t *testing.T) {
			as, port := startAuthServer(t, serverTLS, c.implicit)
			if err := service(port, c.mode, clientTLS, "tajne-hasło").deliver(ctx, row); err != nil {
				t.Fatalf("deliver: %v", err)
			}
			if to, enc := as.got(); len(to) != 1 || to[0] != row.RecipientEmail || !enc[0] {
				t.Fatalf("delivered %v over TLS %v; want one message, encrypted", to, enc)
			}
			err := service(port, c.mode, clientTLS, "złe").deliver(ctx, row)
			// Our settings are wrong, not the mail: retried, so that fixing them is enough.
			if o, code, _ := classify(err); o != OutcomeTemporary || code != 535 {
				t.Fatalf("wrong password: %v (%s %d); want a retried 535", err, o, code)
			}
			// A certificate nobody vouches for is refused (the default configuration verifies it).
			if err := service(port, c.mode, &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}, "tajne-hasło").deliver(ctx, row); err == nil ||
				!strings.Contains(err.Error(), "certificate") {
				t.Fatalf("an untrusted certificate: %v; want a certificate error", err)
			}
		})
	}
	t.Run("no STARTTLS on offer", func(t *testing.T) {
		as, port := startAuthServer(t, nil, false)
		err := service(port, TLSStartTLS, clientTLS, "tajne-hasło").deliver(ctx, row)
		if to, _ := as.got(); err == nil || !strings.Contains(err.Error(), "STARTTLS") || len(to) != 0 {
			t.Fatalf("deliver = %v, delivered %v; want a refusal to send in the clear", err, to)
		}
		if o, _, _ := classify(err); o != OutcomeTemporary {
			t.Fatalf("a missing STARTTLS is %s; want it retried (the server may be fixed)", o)
		}
	})
}
