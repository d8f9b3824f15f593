package testenv

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/miasta-otwarte/miasta/internal/demo"
)

// ServerProcess runs the real binary as `miasta serve` against an Env's database and provider, for
// tests that crash it (SIGKILL) and start it again.
type ServerProcess struct {
	t *testing.T
	// Environ is the process's environment; a test may append settings before Start.
	Environ []string
	bin     string
	url     string
	cmd     *exec.Cmd
	done    chan error
}

// Binary builds the real `miasta` binary into the test's temporary directory and returns its path.
func Binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "miasta")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/miasta-otwarte/miasta/cmd/miasta").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// NewServerProcess builds the binary and prepares a process serving e's database on a free port; it
// is killed, if still running, when the test ends.
func (e *Env) NewServerProcess(t *testing.T) *ServerProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &ServerProcess{t: t, bin: Binary(t), url: "http://" + addr, Environ: append(os.Environ(),
		"DATABASE_URL="+e.Config.DatabaseURL, "MIASTA_ADDR="+addr, "OIDC_ISSUER="+e.Issuer,
		"OIDC_CLIENT_ID="+ClientID, "MIASTA_ORGANISERS="+demo.OrganiserEmail,
		"MIASTA_METRICS_ADDR=", "MIASTA_LOG_LEVEL=error", "MIASTA_WRITE_RATE=0", "MIASTA_LOG_INTERVAL=100ms",
		"MIASTA_AUDIT_KEY_FILE="+e.AuditKeyFile(t), "MIASTA_AUDIT_KEY=",
	)}
	t.Cleanup(func() {
		if p.cmd != nil && p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// URL is the process's base URL.
func (p *ServerProcess) URL() string { return p.url }

// Start launches the process and waits until it is ready.
func (p *ServerProcess) Start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "serve")
	p.cmd.Env = p.Environ
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-p.done:
			p.t.Fatalf("miasta serve exited: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.t.Fatal("miasta serve never became ready")
}

// Kill ends the process with SIGKILL: no shutdown, no flushing, as a crash would.
func (p *ServerProcess) Kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	<-p.done
}
