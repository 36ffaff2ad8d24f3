package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/overlook-dev/overlook/bench/internal/child"
)

// server is an overlook process this benchmark started (-binary).
type server struct {
	cmd       *exec.Cmd
	grpc, api string // host:port
	dataDir   string
	logPath   string
	exited    chan struct{}
	waitErr   error
}

// serverConfig puts every listener on the given loopback addresses.
func serverConfig(grpcAddr, httpAddr, apiAddr string) string {
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
`, apiAddr, grpcAddr, httpAddr)
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer runs `binary serve` on free loopback ports with dataDir,
// its output going to workDir/overlook.log, and waits for /ready. Each of
// sets is passed as --set.
func startServer(binary, dataDir, workDir string, sets []string) (*server, error) {
	var addrs [3]string
	for i := range addrs {
		a, err := freePort()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	s := &server{grpc: addrs[0], api: addrs[2], dataDir: dataDir,
		logPath: filepath.Join(workDir, "overlook.log"), exited: make(chan struct{})}
	cfgPath := filepath.Join(workDir, "bench.yaml")
	if err := os.WriteFile(cfgPath, []byte(serverConfig(addrs[0], addrs[1], addrs[2])), 0o600); err != nil {
		return nil, fmt.Errorf("write server config: %w", err)
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, fmt.Errorf("create server log: %w", err)
	}
	args := []string{"serve", "--config", cfgPath, "--data", dataDir}
	for _, set := range sets {
		args = append(args, "--set", set)
	}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Its own process group, so that a Ctrl-C in the terminal reaches only
	// this program, which then reports and stops the server itself; and
	// SIGTERM if this program dies first (child.Start).
	waited, err := child.Start(s.cmd)
	if err != nil {
		_ = logf.Close()
		return nil, err
	}
	go func() {
		s.waitErr = <-waited
		_ = logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("overlook exited during startup (%v):\n%s", s.waitErr, s.logTail(30))
		default:
		}
		resp, err := http.Get("http://" + s.api + "/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	return nil, fmt.Errorf("overlook not ready after 90s:\n%s", s.logTail(30))
}

// stop sends SIGINT and waits (up to timeout) for a clean exit; after that
// it kills the process.
func (s *server) stop(timeout time.Duration) (time.Duration, error) {
	t0 := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return 0, fmt.Errorf("signal overlook: %w", err)
	}
	select {
	case <-s.exited:
	case <-time.After(timeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return time.Since(t0), fmt.Errorf("overlook did not stop within %v of SIGINT; killed", timeout)
	}
	if s.waitErr != nil {
		return time.Since(t0), fmt.Errorf("overlook exited with %v:\n%s", s.waitErr, s.logTail(20))
	}
	return time.Since(t0), nil
}

// logTail returns the last n lines of the server's output.
func (s *server) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no server log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// procStats are a process's resource counters from /proc.
type procStats struct {
	PeakRSS    int64   // VmHWM, bytes
	RSS        int64   // VmRSS, bytes
	CPUSeconds float64 // utime + stime
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// readProcStats reads /proc/<pid>/status and /proc/<pid>/stat ("self" for
// this process).
func readProcStats(pid string) (procStats, error) {
	var ps procStats
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return ps, fmt.Errorf("read process status: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			ps.PeakRSS = kb << 10
		case "VmRSS:":
			ps.RSS = kb << 10
		}
	}
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return ps, fmt.Errorf("read process stat: %w", err)
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line.
	rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return ps, fmt.Errorf("short /proc/%s/stat", pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	ps.CPUSeconds = (ut + st) / clockTicks
	return ps, nil
}

func (s *server) procStats() (procStats, error) {
	return readProcStats(strconv.Itoa(s.cmd.Process.Pid))
}

// dataFilesSize is the size of the database file and its WAL in dir.
func dataFilesSize(dir string) (db, wal int64) {
	if fi, err := os.Stat(filepath.Join(dir, "overlook.duckdb")); err == nil {
		db = fi.Size()
	}
	if fi, err := os.Stat(filepath.Join(dir, "overlook.duckdb.wal")); err == nil {
		wal = fi.Size()
	}
	return db, wal
}

// dirSize is the disk space (allocated blocks, as du counts them) of every
// regular file under dir: what a store keeps on disk, whatever its layout
// (a DuckDB file and its WAL, parts, Badger's tables and value logs).
// Allocated rather than apparent size, because Badger's value log is a
// sparse file of 2 GiB until it is closed.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed while walking: not there any more
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					n += st.Blocks * 512
				} else {
					n += fi.Size()
				}
			}
		}
		return nil
	})
	return n
}

// promSample is one series of a Prometheus text exposition.
type promSample struct {
	name   string
	labels string // e.g. `signal="traces"`
	value  float64
}

// scrapeMetrics reads the server's /metrics.
func scrapeMetrics(ctx context.Context, api string) ([]promSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+api+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("scrape metrics: %s: %s", resp.Status, b)
	}
	return parseProm(resp.Body)
}

func parseProm(r io.Reader) ([]promSample, error) {
	var out []promSample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			continue
		}
		series := line[:sp]
		s := promSample{name: series, value: v}
		if i := strings.IndexByte(series, '{'); i >= 0 {
			s.name, s.labels = series[:i], strings.TrimSuffix(series[i+1:], "}")
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return out, nil
}

// promValue sums the series of name whose labels contain every one of
// want (e.g. `signal="traces"`); found is false when there is none.
func promValue(samples []promSample, name string, want ...string) (sum float64, found bool) {
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for _, w := range want {
			if !strings.Contains(s.labels, w) {
				continue next
			}
		}
		sum += s.value
		found = true
	}
	return sum, found
}

// machineBusySeconds reads the CPU time the whole machine has spent busy
// (everything but idle and iowait), summed over CPUs, from /proc/stat.
func machineBusySeconds() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var busy float64
	for i, s := range f[1:] {
		v, _ := strconv.ParseFloat(s, 64)
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest and guest_nice are already in user and nice
			break
		}
		busy += v
	}
	return busy / clockTicks, nil
}
