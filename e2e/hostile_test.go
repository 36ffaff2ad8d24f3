package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// hostileKnownFailing lists categories whose failures are reported but do
// not fail the test, each with the open finding that explains it. It is
// empty: every category of the suite must pass.
var hostileKnownFailing = map[string]string{}

// hReq is one generated hostile request. target "otlp" and "api" are HTTP
// (OTLP receiver / API port); "grpc" is a raw gRPC call of method path.
type hReq struct {
	cat, target  string
	method, path string
	ctype, enc   string
	body         []byte
	desc         string
}

func (q hReq) String() string {
	s := fmt.Sprintf("%s %s %s [%s] %d B: %s", q.target, q.method, q.path, q.ctype, len(q.body), q.desc)
	if q.enc != "" {
		s += " (Content-Encoding " + q.enc + ")"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// hostileCategories are the categories with their share of the requests
// (per 10,000) and generator.
var hostileCategories = []struct {
	name  string
	share int
	gen   func(*rand.Rand) hReq
}{
	{"otlp-http-protobuf", 1800, func(r *rand.Rand) hReq { return genOTLPHTTP(r, false) }},
	{"otlp-http-json", 1200, func(r *rand.Rand) hReq { return genOTLPHTTP(r, true) }},
	{"otlp-grpc", 1500, genOTLPGRPC},
	{"remote-write", 1000, genRemoteWrite},
	{"search-lucene", 1000, func(r *rand.Rand) hReq { return genSearch(r, false) }},
	{"search-sql", 1000, func(r *rand.Rand) hReq { return genSearch(r, true) }},
	{"chart", 700, genChart},
	{"lookups", 500, genLookup}, // categories values/fields and traces/{id}
	{"promql", 1000, genPromQL},
	{"static", 300, genStatic},
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type catStats struct {
	tried, passed, overload, timeouts, failures int
	example                                     string
}

// TestHostileInput sends OVERLOOK_HOSTILE_N (default 10,000) generated
// malformed or abusive requests (seed OVERLOOK_HOSTILE_SEED) to a real
// server, 6 at a time, while a watchdog samples its RSS. It asserts that
// the process lives, that client input never gets a 5xx (503 on ingest
// and 504 on queries are counted apart), that RSS stays under
// OVERLOOK_HOSTILE_RSS_MB (default 768) and that the server still ingests
// and searches at the end.
func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile-input suite: not in -short")
	}
	n := envInt("OVERLOOK_HOSTILE_N", 10_000)
	seed := uint64(envInt("OVERLOOK_HOSTILE_SEED", 20261206))
	rssLimit := int64(envInt("OVERLOOK_HOSTILE_RSS_MB", 768)) << 20
	budget := time.Duration(envInt("OVERLOOK_HOSTILE_SECONDS", 180)) * time.Second
	t.Logf("hostile-input suite: seed %d, %d requests, RSS bound %d MiB, time budget %s "+
		"(OVERLOOK_HOSTILE_SEED, _N, _RSS_MB, _SECONDS)", seed, n, rssLimit>>20, budget)

	heavy(t)
	s := newServer(t, `extensions:
  overlook:
    query_timeout: 5s
    storage:
      # The server's own limits, summed, sit under the RSS bound (768 MiB):
      # Go heap ≈ 448 MiB (GOMEMLIMIT below; the memory_limiter refuses
      # ingest above 384 MiB), DuckDB 256 MB (+ ≈ 100
      # MiB it uses past its limit), the traces' and logs' parts buffers
      # 2 × 32 MiB (outside the Go heap; from a 24 GiB host's budget they
      # would be 2 × 128 MiB) and the binary's pages. With DuckDB at 512 MB
      # and 128 MiB buffers one CI run on a loaded machine peaked at
      # 940 MiB; the requests in flight at the peak are now logged.
      memory_limit: 256MB
      parts:
        max_buffered_bytes: 32MiB
processors:
  # Ingest is refused (503) once the Go heap passes 384 MiB and a GC is
  # forced at 512 MiB: the server's own limits sit under the RSS bound.
  # (With 1024/256 the heap was allowed to 768 MiB — the bound itself —
  # before a refusal: under a busy machine ingest outran the store and RSS
  # reached 871 MiB.)
  memory_limiter:
    check_interval: 200ms
    limit_mib: 512
    spike_limit_mib: 128
`)
	// The Go runtime's soft limit a deployment with a memory limit gets
	// (the budget sets it from the cgroup): without it, on a large host,
	// the heap may grow to twice what is live (GOGC 100) while a few
	// expensive requests are in flight (one CI run: 812 MiB obtained by
	// Go with 22 MiB in use a moment later).
	s.env = append(s.env, "GOMEMLIMIT=448MiB")
	s.launcher = heavyLauncher // nice execs overlook: the pid is the server's
	s.start()
	pid := s.cmd.Process.Pid

	// A few normal records so that queries have something to scan.
	for i := 0; i < 3; i++ {
		b, _ := smallLogs(50).MarshalProto()
		post(t, "http://"+s.http+"/v1/logs", b)
	}

	// The requests: category by share, shuffled with the seed; request i
	// is generated from its own stream (seed, i), so the run is
	// deterministic at any concurrency and requests are built lazily.
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var plan []int // index into hostileCategories
	for ci, c := range hostileCategories {
		for i := 0; i < c.share*n/10_000; i++ {
			plan = append(plan, ci)
		}
	}
	r.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })

	// The requests in flight, so that a peak of RSS names its suspects.
	var (
		flightMu sync.Mutex
		inFlight = map[int]string{}
	)
	watch := startRSSWatch(pid, rssLimit, func(rss int64) []string {
		flightMu.Lock()
		out := make([]string, 0, len(inFlight)+1)
		for _, d := range inFlight {
			out = append(out, d)
		}
		flightMu.Unlock()
		sort.Strings(out)
		if rss > rssLimit/2 {
			// Where the resident memory is: Go's share (from /metrics)
			// against the anonymous total; the rest is DuckDB, the parts
			// buffers' mappings and the binary's pages.
			gm := goMemory(s.api)
			out = append(out, fmt.Sprintf("(RSS %d MiB: anonymous %d MiB; Go heap in use %.0f MiB, all Go memory %.0f MiB)",
				rss>>20, anonMemory(pid)>>20, gm["go_memstats_heap_inuse_bytes"]/(1<<20), gm["go_memstats_sys_bytes"]/(1<<20)))
		}
		return out
	})
	defer watch.stop()

	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := &http.Client{Timeout: 30 * time.Second}

	var (
		mu    sync.Mutex
		stats = map[string]*catStats{}
		jobs  = make(chan int)
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(budget)
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				c := hostileCategories[plan[i]]
				q := c.gen(rand.New(rand.NewPCG(seed, uint64(i))))
				if q.cat == "" {
					q.cat = c.name
				}
				flightMu.Lock()
				inFlight[i] = q.cat + ": " + q.String()
				flightMu.Unlock()
				verdict := hostileSend(client, conn, s, q)
				flightMu.Lock()
				delete(inFlight, i)
				flightMu.Unlock()
				mu.Lock()
				st := stats[q.cat]
				if st == nil {
					st = &catStats{}
					stats[q.cat] = st
				}
				st.tried++
				switch verdict {
				case "":
					st.passed++
				case "503":
					st.overload++
				case "504":
					st.timeouts++
				default:
					st.failures++
					if st.example == "" {
						st.example = verdict + " ← " + q.String()
					}
				}
				mu.Unlock()
			}
		}()
	}
	sent := 0
	for i := range plan {
		if time.Now().After(deadline) || watch.dead() {
			break
		}
		jobs <- i
		sent++
	}
	close(jobs)
	wg.Wait()
	watch.stop()

	// The table.
	var names []string
	for k := range stats {
		names = append(names, k)
	}
	sort.Strings(names)
	var tb strings.Builder
	fmt.Fprintf(&tb, "\n%-20s %7s %7s %5s %5s %8s  %s\n", "category", "tried", "passed", "503", "504", "failures", "example failure")
	total := catStats{}
	var failed []string
	for _, k := range names {
		st := stats[k]
		fmt.Fprintf(&tb, "%-20s %7d %7d %5d %5d %8d  %s\n", k, st.tried, st.passed, st.overload, st.timeouts, st.failures, st.example)
		total.tried += st.tried
		total.passed += st.passed
		total.overload += st.overload
		total.timeouts += st.timeouts
		total.failures += st.failures
		if st.failures > 0 {
			if why, known := hostileKnownFailing[k]; known {
				fmt.Fprintf(&tb, "%-20s (known failing: %s)\n", "", why)
			} else {
				failed = append(failed, k)
			}
		}
	}
	fmt.Fprintf(&tb, "%-20s %7d %7d %5d %5d %8d\n", "total", total.tried, total.passed, total.overload, total.timeouts, total.failures)
	maxRSS, hwm := watch.peak()
	fmt.Fprintf(&tb, "peak RSS %d MiB (sampled), VmHWM %d MiB, bound %d MiB; %d of %d requests sent\n",
		maxRSS>>20, hwm>>20, rssLimit>>20, sent, len(plan))
	fmt.Fprintf(&tb, "in flight at the sampled peak:\n")
	for _, d := range watch.atPeak() {
		fmt.Fprintf(&tb, "  %s\n", d)
	}
	t.Log(tb.String())

	if watch.dead() {
		t.Fatalf("overlook died during the suite:\n%s", tail(s.out.String(), 3000))
	}
	if why, known := hostileKnownFailing["rss"]; known && (hwm > rssLimit || maxRSS > rssLimit) {
		t.Logf("RSS over the bound: known failing (%s)", why)
	} else if hwm > rssLimit || maxRSS > rssLimit {
		t.Errorf("RSS peaked at %d MiB (VmHWM %d MiB), over the %d MiB bound", maxRSS>>20, hwm>>20, rssLimit>>20)
	}
	if sent < len(plan) {
		t.Logf("time budget %s reached after %d of %d requests", budget, sent, len(plan))
	}
	if len(failed) > 0 {
		t.Errorf("categories with failures (not known-failing): %v", failed)
	}

	// The server still answers and works.
	resp, err := http.Get("http://" + s.api + "/ready")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/ready after the suite: %v %v", resp, err)
	}
	resp.Body.Close()
	marker := fmt.Sprintf("hostile-suite-survivor-%d", seed)
	b, _ := logWithBody(marker).MarshalProto()
	post(t, "http://"+s.http+"/v1/logs", b)
	eventually(t, "the survivor log", func() bool { return s.search("logs", `"`+marker+`"`).Count == 1 })
}

// hostileSend sends q and returns "" when the answer is acceptable for
// client input, "503" or "504" for the counted exceptions, otherwise a
// short description of the failure.
func hostileSend(client *http.Client, conn *grpc.ClientConn, s *server, q hReq) string {
	if q.target == "grpc" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		in, out := hostileMsg(q.body), hostileMsg(nil)
		err := conn.Invoke(ctx, q.path, &in, &out, grpc.ForceCodec(hostileCodec{}))
		switch status.Code(err) {
		case codes.OK, codes.InvalidArgument, codes.ResourceExhausted, codes.Unimplemented:
			return ""
		case codes.Unavailable:
			if strings.Contains(err.Error(), "connection") {
				return "no answer: " + err.Error()
			}
			return "503"
		default:
			return "gRPC " + status.Code(err).String() + ": " + trunc(status.Convert(err).Message(), 120)
		}
	}
	host := s.api
	if q.target == "otlp" {
		host = s.http
	}
	req, err := http.NewRequest(q.method, "http://"+host+q.path, bytes.NewReader(q.body))
	if err != nil {
		return "" // the client refuses to send it (e.g. a method with a bad token): nothing to test
	}
	if q.ctype != "" {
		req.Header.Set("Content-Type", q.ctype)
	}
	if q.enc != "" {
		req.Header.Set("Content-Encoding", q.enc)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "no answer: " + trunc(err.Error(), 120)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if strings.Contains(string(body), "root:x:0:0") {
		return "path traversal: served /etc/passwd"
	}
	switch {
	case resp.StatusCode < 500:
		return ""
	case resp.StatusCode == http.StatusServiceUnavailable && (q.target == "otlp" || strings.HasSuffix(q.path, "/write")):
		return "503"
	case resp.StatusCode == http.StatusGatewayTimeout && q.target == "api":
		return "504"
	case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(q.path, "/prometheus/api/") &&
		strings.Contains(string(body), `"errorType":"timeout"`):
		// Prometheus's API answers a query timeout 503 with errorType
		// "timeout" (Grafana relies on it); counted with the timeouts.
		return "504"
	}
	return fmt.Sprintf("HTTP %d: %s", resp.StatusCode, trunc(string(body), 120))
}

func logWithBody(body string) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Body().SetStr(body)
	return plogotlp.NewExportRequestFromLogs(ld)
}

func trunc(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "?")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// hostileMsg and hostileCodec send arbitrary bytes as a gRPC message.
type hostileMsg []byte

type hostileCodec struct{}

func (hostileCodec) Marshal(v any) ([]byte, error) { return *(v.(*hostileMsg)), nil }
func (hostileCodec) Unmarshal(data []byte, v any) error {
	*(v.(*hostileMsg)) = append([]byte(nil), data...)
	return nil
}
func (hostileCodec) Name() string { return "proto" }

// rssWatch samples a process's VmRSS and VmHWM every 100 ms and keeps
// what inFlight returned when the sampled RSS last rose to a new peak.
type rssWatch struct {
	mu       sync.Mutex
	max, hwm int64
	peakAt   []string
	gone     bool
	done     chan struct{}
	stopOnce sync.Once
}

func startRSSWatch(pid int, limit int64, inFlight func(rss int64) []string) *rssWatch {
	w := &rssWatch{done: make(chan struct{})}
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			rss, hwm, err := readRSS(pid)
			var flying []string
			if err == nil && rss > w.peak1() && inFlight != nil {
				flying = inFlight(rss)
			}
			w.mu.Lock()
			if err != nil {
				w.gone = true
			} else {
				if rss > w.max {
					w.peakAt = flying
				}
				w.max, w.hwm = max(w.max, rss), max(w.hwm, hwm)
			}
			w.mu.Unlock()
			if err != nil {
				return
			}
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) stop() { w.stopOnce.Do(func() { close(w.done) }) }

func (w *rssWatch) dead() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.gone }

func (w *rssWatch) peak() (int64, int64) { w.mu.Lock(); defer w.mu.Unlock(); return w.max, w.hwm }

func (w *rssWatch) peak1() int64 { m, _ := w.peak(); return m }

// atPeak is what was in flight when the sampled RSS reached its peak.
func (w *rssWatch) atPeak() []string { w.mu.Lock(); defer w.mu.Unlock(); return w.peakAt }

// anonMemory is the process's anonymous resident memory (bytes) from
// /proc/PID/smaps_rollup, 0 when unknown.
func anonMemory(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Anonymous:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// readRSS reads VmRSS and VmHWM (bytes) from /proc/PID/status. A zombie
// (exited, not yet reaped) has neither: that is an error too.
func readRSS(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("process gone")
	}
	return rss, hwm, nil
}
