package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// selfSigned makes a certificate for 127.0.0.1 with the given serial number and returns its PEM
// certificate and key.
func selfSigned(t *testing.T, serial int64) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "miasta test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

// replaceFile writes b beside name and renames it over name, as certbot and Kubernetes secrets do.
func replaceFile(t *testing.T, name string, b []byte) {
	t.Helper()
	tmp := name + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		t.Fatal(err)
	}
}

// TestServeTLSReloadsTheCertificate serves with a self-signed certificate made here: HTTPS answers,
// gRPC works over HTTP/2 (chosen by ALPN), and after the files are replaced by a new certificate a
// new connection is served the new one, without a restart. A replacement that does not load (a
// certificate with another's key) leaves the last good one in use.
func TestServeTLSReloadsTheCertificate(t *testing.T) {
	t.Parallel()
	vars := serveEnv(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert1, key1 := selfSigned(t, 1001)
	cert2, key2 := selfSigned(t, 1002)
	cert3, _ := selfSigned(t, 1003)
	replaceFile(t, certFile, cert1)
	replaceFile(t, keyFile, key1)
	vars["MIASTA_TLS_CERT_FILE"], vars["MIASTA_TLS_KEY_FILE"] = certFile, keyFile
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	addr := vars["MIASTA_ADDR"]

	// served returns the serial number of the certificate a new connection is given, and the
	// protocol ALPN chose (offering h2 first, as gRPC clients do).
	served := func() (int64, string, error) {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			return 0, "", err
		}
		defer c.Close()
		st := c.ConnectionState()
		return st.PeerCertificates[0].SerialNumber.Int64(), st.NegotiatedProtocol, nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, err := served(); err == nil {
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("serve returned: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TLS handshake within 30 s:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if serial, proto, _ := served(); serial != 1001 || proto != "h2" {
		t.Fatalf("first certificate served = %d over %q; want 1001 over h2", serial, proto)
	}

	// A client that trusts the certificate: readiness over HTTPS, then a gRPC call (which needs HTTP/2).
	trusting := func(certPEM []byte) *http.Client {
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(certPEM)
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	}
	hc := trusting(cert1)
	base := "https://" + addr
	waitFor(t, 30*time.Second, func() bool {
		resp, err := hc.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	resp, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTPS /healthz answered over %s; want HTTP/2", resp.Proto)
	}
	grpc := miastav1connect.NewEditionServiceClient(hc, base, connect.WithGRPC())
	if _, err := grpc.ListEditions(ctx, &v1.ListEditionsRequest{}); err != nil {
		t.Fatalf("gRPC over TLS: %v", err)
	}
	if plain, err := http.Get("http://" + addr + "/healthz"); err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Error("plain HTTP is answered on the TLS port")
		}
	}

	// The renewal: new files in place; a new connection gets the new certificate within seconds.
	replaceFile(t, certFile, cert2)
	replaceFile(t, keyFile, key2)
	waitFor(t, 10*time.Second, func() bool {
		serial, _, err := served()
		return err == nil && serial == 1002
	})
	if _, err := miastav1connect.NewEditionServiceClient(trusting(cert2), base, connect.WithGRPC()).ListEditions(ctx, &v1.ListEditionsRequest{}); err != nil {
		t.Fatalf("gRPC over TLS with the renewed certificate: %v", err)
	}

	// A broken renewal (a certificate whose key is not in the key file) keeps the last good pair.
	replaceFile(t, certFile, cert3)
	waitFor(t, 10*time.Second, func() bool {
		_, _, _ = served() // the files are looked at on a handshake
		return strings.Contains(logs.String(), "do not load")
	})
	if serial, _, err := served(); err != nil || serial != 1002 {
		t.Fatalf("after a broken renewal the server serves %d (%v); want the last good certificate, 1002", serial, err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(logs.String(), "TLS certificate reloaded") {
		t.Errorf("the reload was not logged:\n%s", logs.String())
	}
}
