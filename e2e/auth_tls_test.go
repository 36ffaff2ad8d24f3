package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "overlook e2e"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestAuthTLSAPI: the API listener serves TLS from the collector's
// confighttp `tls` keys; plain HTTP is refused there, the session cookie
// is Secure and HSTS is sent.
func TestAuthTLSAPI(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	s := newServer(t, fmt.Sprintf(`extensions:
  overlook:
    http:
      tls:
        cert_file: %s
        key_file: %s
`, certFile, keyFile))
	// The harness waits on plain-HTTP /ready; this server answers TLS only.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	args := append([]string{"serve", "--config", s.configPath, "--data", s.dataDir}, s.extraArgs...)
	s.cmd = exec.Command(binary, args...)
	s.out = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	base := "https://" + s.api
	eventuallyWithin(t, 90*time.Second, "the TLS API to be ready", func() bool {
		resp, err := client.Get(base + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	if resp, err := http.Get("http://" + s.api + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP answered 200 on the TLS listener")
		}
	}
	c := &apiClient{t: t, base: base, c: client}
	code, hdr, body := c.do("POST", "/api/setup", "application/json", `{"email":"tls@example.com","password":"tls-password"}`)
	want(t, "setup over TLS", code, body, 201, "tls@example.com")
	cookie := hdr.Get("Set-Cookie")
	for _, w := range []string{"overlook_session=", "Secure", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, w) {
			t.Errorf("cookie %q lacks %s", cookie, w)
		}
	}
	if hsts := hdr.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", hsts)
	}
	code, body = c.json("GET", "/api/users", "")
	want(t, "session over TLS", code, body, 200, "tls@example.com")
}

// eventuallyWithin retries f until it returns true or d passes.
func eventuallyWithin(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
