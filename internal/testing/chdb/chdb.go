// Package chdb starts a ClickHouse engine for tests: chdbserver (the
// ClickHouse HTTP interface over chDB's libchdb.so, ./chdbserver) on a free
// loopback port with a temporary data directory.
//
// libchdb.so comes from the npm package @chdb/lib-linux-x64-gnu, installed
// by `make chdb` into ~/.cache/overlook/chdb (OVERLOOK_CHDB_LIB names
// another file). Without it tests skip with a message saying how to install
// it — except under CI (CI=true), where a missing engine fails the test.
package chdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// LibPath is where libchdb.so is looked for: $OVERLOOK_CHDB_LIB, else the
// cache `make chdb` installs into.
func LibPath() string {
	if p := os.Getenv("OVERLOOK_CHDB_LIB"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "overlook", "chdb", "node_modules", "@chdb", "lib-linux-x64-gnu", "libchdb.so")
}

// Require skips t (or fails it under CI) when libchdb.so is missing, and
// returns its path.
func Require(t testing.TB) string {
	t.Helper()
	p := LibPath()
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("chDB (libchdb.so) not found at %s: run `make chdb` (npm install of @chdb/lib-linux-x64-gnu into ~/.cache/overlook/chdb) or set OVERLOOK_CHDB_LIB", p)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds chdbserver once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func build() (string, error) {
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		dir, err := os.MkdirTemp("", "chdbserver-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "chdbserver")
		cmd := exec.Command("go", "build", "-o", binPath, "./chdbserver")
		cmd.Dir = filepath.Dir(file)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build chdbserver: %v\n%s", err, out)
		}
	})
	return binPath, buildErr
}

// Options configure a Server.
type Options struct {
	// Dir is the data directory; empty: a new temporary one.
	Dir string
	// Listen is the address; empty: a free loopback port.
	Listen string
	// User and Password clients must send; empty: default, no password.
	User, Password string
}

// Server is a running chdbserver.
type Server struct {
	// Endpoint is host:port of its HTTP interface.
	Endpoint string
	Dir      string
	opts     Options
	cmd      *exec.Cmd
	done     chan struct{}
	out      *strings.Builder
	mu       sync.Mutex
}

// Launch starts a chdbserver outside a test (TestMain); the caller stops
// it. It returns ErrMissing (wrapped) when libchdb.so is not installed.
func Launch(o Options) (*Server, error) {
	lib := LibPath()
	if _, err := os.Stat(lib); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMissing, lib)
	}
	bin, err := build()
	if err != nil {
		return nil, err
	}
	if o.Dir == "" {
		if o.Dir, err = os.MkdirTemp("", "chdb-data"); err != nil {
			return nil, err
		}
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	s := &Server{Dir: o.Dir, opts: o}
	if err := s.start(bin, lib); err != nil {
		return nil, err
	}
	return s, nil
}

// ErrMissing is wrapped by Launch when libchdb.so is missing.
var ErrMissing = errors.New("chDB (libchdb.so) not found: run `make chdb` or set OVERLOOK_CHDB_LIB")

// Start starts a chdbserver, stopped when t ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	lib := Require(t)
	bin := Binary(t)
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	s := &Server{Dir: o.Dir, opts: o}
	if err := s.start(bin, lib); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(bin, lib string) error {
	args := []string{"-lib", lib, "-path", s.opts.Dir, "-listen", s.opts.Listen}
	if s.opts.User != "" {
		args = append(args, "-user", s.opts.User)
	}
	if s.opts.Password != "" {
		args = append(args, "-password", s.opts.Password)
	}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	out := &strings.Builder{}
	cmd.Stderr = &lockedWriter{b: out, mu: &s.mu}
	if os.Getenv("CHDBSERVER_TRACE") != "" {
		cmd.Stderr = os.Stderr // per-request timings (chdbserver -h)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start chdbserver: %w", err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
	}()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case a := <-addr:
		s.Endpoint, s.cmd, s.done, s.out = a, cmd, done, out
		// The port is fixed from now on, so a restart serves the same
		// endpoint.
		s.opts.Listen = a
		return nil
	case <-done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return fmt.Errorf("chdbserver exited at start: %s", out.String())
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		return fmt.Errorf("chdbserver did not start within 2m")
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 20s); a stopped
// server may be restarted.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart starts the server again on the same endpoint and data.
func (s *Server) Restart() error {
	s.Stop()
	bin, err := build()
	if err != nil {
		return err
	}
	return s.start(bin, LibPath())
}

// WaitReady waits until the server answers /ping.
func (s *Server) WaitReady(ctx context.Context) error {
	for {
		c, err := net.DialTimeout("tcp", s.Endpoint, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// PID is the server process's id (0 when stopped), e.g. to read its CPU
// time in benchmarks.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
