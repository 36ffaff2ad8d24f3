// Package e2e tests the real overlook binary over the network: it is built
// once per run, started on free loopback ports with a temporary data
// directory, and driven with OpenTelemetry SDK exporters and the public API.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "overlook-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "overlook")
	build := exec.Command("go", "build", "-o", binary, "../cmd/overlook")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build overlook:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running overlook process.
type server struct {
	t               *testing.T
	cmd             *exec.Cmd
	dataDir         string
	configPath      string
	env             []string
	extraArgs       []string
	launcher        []string // runs the binary: launcher..., binary, args... (memcap_test.go)
	grpc, http, api string   // host:port
	out             *syncBuffer
	exited          chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// issuedPorts remembers every port freePort handed out in this process: the
// kernel may give a just-closed port again, and two listeners of one server
// on the same port make it exit at startup ("address already in use").
var issuedPorts sync.Map

// freePort returns a loopback address whose port was free a moment ago and
// was never returned before in this test process.
func freePort(t *testing.T) string {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		addr := l.Addr().String()
		l.Close()
		if _, dup := issuedPorts.LoadOrStore(addr, true); !dup {
			return addr
		}
	}
	t.Fatalf("free port: no unused port after 100 tries")
	return ""
}

// baseConfig puts every listener on a free loopback port.
func baseConfig(grpc, httpAddr, api string) string {
	return fmt.Sprintf(`extensions:
  overlook:
    http:
      endpoint: %s
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
      http:
        endpoint: %s
`, api, grpc, httpAddr)
}

// newServer prepares (but does not start) a server with a fresh data dir.
// extraConfig is merged over the port configuration.
func newServer(t *testing.T, extraConfig string) *server {
	t.Helper()
	s := &server{t: t, dataDir: t.TempDir(),
		grpc: freePort(t), http: freePort(t), api: freePort(t)}
	s.configPath = filepath.Join(t.TempDir(), "ports.yaml")
	if err := os.WriteFile(s.configPath, []byte(baseConfig(s.grpc, s.http, s.api)), 0o600); err != nil {
		t.Fatal(err)
	}
	if extraConfig != "" {
		extra := filepath.Join(t.TempDir(), "extra.yaml")
		if err := os.WriteFile(extra, []byte(extraConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		s.extraArgs = append(s.extraArgs, "--config", extra)
	}
	t.Cleanup(func() {
		if s.cmd != nil && s.cmd.ProcessState == nil {
			s.stop()
		}
		if t.Failed() && s.out != nil {
			t.Logf("overlook output:\n%s", s.out.String())
		}
	})
	return s
}

// start launches the binary and waits until /ready answers 200.
func (s *server) start() {
	s.t.Helper()
	args := append([]string{"serve", "--config", s.configPath, "--data", s.dataDir}, s.extraArgs...)
	s.cmd = exec.Command(binary, args...)
	if len(s.launcher) > 0 {
		s.cmd = exec.Command(s.launcher[0], slices.Concat(s.launcher[1:], []string{binary}, args)...)
	}
	s.cmd.Env = append(os.Environ(), s.env...)
	s.out = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start overlook: %v", err)
	}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			s.t.Fatalf("overlook exited during startup:\n%s", s.out.String())
		default:
		}
		resp, err := http.Get("http://" + s.api + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("overlook not ready after 90s:\n%s", s.out.String())
}

// stop sends SIGINT and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Errorf("overlook did not stop within 60s of SIGINT")
	}
}

// kill sends SIGKILL: no shutdown, no flush.
func (s *server) kill() {
	s.t.Helper()
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// postJSON posts body to the API and decodes the answer into out, returning
// the status code.
func (s *server) postJSON(path string, body any, out any) int {
	s.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post("http://"+s.api+path, "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	return decode(s.t, resp, out)
}

func (s *server) getJSON(path string, out any) int {
	s.t.Helper()
	resp, err := http.Get("http://" + s.api + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	return decode(s.t, resp, out)
}

func decode(t *testing.T, resp *http.Response, out any) int {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if out != nil && len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode
}

type searchResult struct {
	Rows  []map[string]any `json:"rows"`
	Count int64            `json:"count"`
	Error string           `json:"error"`
}

// search runs POST /api/search over the last hour.
func (s *server) search(source, query string) searchResult {
	s.t.Helper()
	var res searchResult
	now := time.Now().UTC()
	code := s.postJSON("/api/search", map[string]any{
		"source": source, "query": query, "limit": 1000,
		"start": now.Add(-time.Hour).Format(time.RFC3339Nano),
		"end":   now.Add(time.Minute).Format(time.RFC3339Nano),
	}, &res)
	if code != http.StatusOK {
		s.t.Fatalf("search %s %q: status %d: %s", source, query, code, res.Error)
	}
	return res
}

// eventually retries f until it returns true or 10s pass.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if f() {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitFor polls f every 100ms until it holds, failing the test after d.
func waitFor(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
