// Package mailcapture is an SMTP server (emersion/go-smtp) that delivers nowhere: it keeps every
// message it accepts and writes each to a directory as an .eml file. `miasta dev` routes mail to it,
// and tests use it as the real SMTP server the sender talks to, refusing messages on demand.
package mailcapture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From     string
	To       []string
	Raw      []byte
	Header   gomail.Header
	Subject  string
	Body     string // the decoded text of the first part
	Received time.Time
	// File is where the message was written; empty without a directory.
	File string
}

// MessageID returns the message's Message-ID without angle brackets.
func (m Message) MessageID() string {
	id, _ := m.Header.MessageID()
	return id
}

// Server is a running capture server.
type Server struct {
	// Addr is the host:port it listens on.
	Addr string
	dir  string
	srv  *smtp.Server
	log  *slog.Logger

	mu   sync.Mutex
	msgs []Message
	// check, when set, decides about every message before it is accepted.
	check func(Message) error
}

// Start listens on addr (e.g. "127.0.0.1:0") and, when dir is not empty, writes each accepted message
// there as an .eml file (the directory is created).
func Start(addr, dir string, log *slog.Logger) (*Server, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), dir: dir, log: log}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 100
	s.srv.ErrorLog = logger{log}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("mail capture stopped", "error", err)
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Dir is where messages are written.
func (s *Server) Dir() string { return s.dir }

// Check makes f decide about every further message before it is accepted: a non-nil error (an
// *smtp.SMTPError to choose the reply) refuses it. f may block, as a slow server would.
func (s *Server) Check(f func(Message) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.check = f
}

// Messages returns every accepted message, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) accept(m Message) error {
	s.mu.Lock()
	check := s.check
	s.mu.Unlock()
	if check != nil {
		if err := check(m); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		name := fmt.Sprintf("%s-%04d-%s.eml", m.Received.UTC().Format("20060102T150405"), len(s.msgs)+1, unsafeChars.ReplaceAllString(m.MessageID(), "_"))
		file := filepath.Join(s.dir, name)
		// Written aside and renamed, so that whoever watches the directory never reads half a message.
		if err := os.WriteFile(file+".tmp", m.Raw, 0o640); err != nil {
			return err
		}
		if err := os.Rename(file+".tmp", file); err != nil {
			return err
		}
		m.File = file
	}
	s.msgs = append(s.msgs, m)
	s.log.Info("mail captured", "to", m.To, "subject", m.Subject, "file", m.File)
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: x.from, To: append([]string(nil), x.to...), Raw: raw, Received: time.Now()}
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m.Header = mr.Header
	m.Subject, _ = mr.Header.Subject()
	if p, err := mr.NextPart(); err == nil {
		body, _ := io.ReadAll(p.Body)
		m.Body = string(body)
	}
	return x.s.accept(m)
}

// logger sends the SMTP server's complaints to slog.
type logger struct{ log *slog.Logger }

func (l logger) Printf(format string, v ...any) { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l logger) Println(v ...any)               { l.log.Warn(fmt.Sprint(v...)) }
