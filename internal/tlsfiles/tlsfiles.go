// Package tlsfiles serves a TLS certificate from a certificate file and a key file, read again when
// either changes, so that a renewed certificate (certbot, an ACME client, a secret update) is taken
// up by the next connection without a restart.
package tlsfiles

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Certificate holds the pair loaded last and the files' state at that load.
type Certificate struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]fileStamp
	checked time.Time
}

// fileStamp is what tells a changed file: its modification time, size and (where the system has
// them) inode change time and number are all compared, so that a replacement by rename, which need
// not change the modification time, is seen too.
type fileStamp struct {
	mod, size int64
	inode     [3]int64
}

// checkEvery bounds how often the files are looked at: at most once a second, however many
// connections arrive.
const checkEvery = time.Second

// Load reads the pair once, failing when it does not load, and returns the Certificate serving it.
func Load(certFile, keyFile string, log *slog.Logger) (*Certificate, error) {
	c := &Certificate{certFile: certFile, keyFile: keyFile, log: log}
	stamp, err := c.stamps()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, time.Now()
	return c, nil
}

func (c *Certificate) stamps() ([2]fileStamp, error) {
	var out [2]fileStamp
	for i, name := range []string{c.certFile, c.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return out, fmt.Errorf("TLS certificate: %w", err)
		}
		out[i] = fileStamp{mod: fi.ModTime().UnixNano(), size: fi.Size(), inode: changeTime(fi)}
	}
	return out, nil
}

// GetCertificate is tls.Config's GetCertificate: the pair in force, read again first when a file has
// changed since it was loaded. A pair that does not load (a half-written renewal, a key that does
// not match) leaves the previous one in use, and is logged; it is tried again once a file changes
// again.
func (c *Certificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) < checkEvery {
		return c.cert, nil
	}
	c.checked = time.Now()
	stamp, err := c.stamps()
	if err != nil {
		c.log.Error("TLS certificate files unreadable; serving the one loaded before", "error", err)
		return c.cert, nil
	}
	if stamp == c.stamp {
		return c.cert, nil
	}
	c.stamp = stamp
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.log.Error("TLS certificate files changed but do not load; serving the one loaded before", "cert_file", c.certFile, "key_file", c.keyFile, "error", err)
		return c.cert, nil
	}
	c.cert = &cert
	c.log.Info("TLS certificate reloaded", "cert_file", c.certFile, "not_after", cert.Leaf.NotAfter)
	return c.cert, nil
}

// Config returns a server TLS configuration serving the certificate, offering HTTP/2 (which gRPC
// needs) and HTTP/1.1.
func (c *Certificate) Config() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: c.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}
