package main

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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/overlook-dev/overlook/bench/internal/child"
)

// The API mode (-binary or -api): the read-path targets of issue 10 timed
// through a server's HTTP API, so that the same command measures any
// overlook binary, whatever its storage layout. The data is what bench/ingest's
// loader wrote (-rows N -spread 24h -data DIR): with -binary, this program
// starts `BIN serve --data DIR` on free 127.0.0.1 ports, waits for /ready,
// times the queries and stops it with SIGINT; with -api it queries a
// running server.
//
//	go run ./bench/ingest -binary bin/overlook -signal traces -rows 5000000 -spread 24h -data /tmp/d5m -trace-lookups 200
//	go run ./bench/query -binary bin/overlook -data /tmp/d5m -runs 5

// apiOptions are the API mode's flags.
type apiOptions struct {
	binary, api, data string
	runs              int
	end               time.Time
	endFrom           string // where end came from, when not now or -end
	sources           []string
	only              string
	metrics           bool // also the PromQL target (promql.go)
	promqlParts       int  // query::promql_parts of the server (0: its default)
	traceLookups      int  // also trace by ID for this many sampled traces (traceid.go)
	tracePasses       int  // passes over the sampled IDs; with > 1 the first is a warm-up
	ingestCmd         string
	ingestRate        int // with ingestCmd: the lookups run while it offers this many spans/s
}

// apiQuery is one timed request.
type apiQuery struct {
	name, path string
	body       map[string]any // POST path with this JSON body
	get        string         // or GET this path and query
	// getRun, if set, is the GET of the n-th call (0: the warm-up), for
	// measurements that must not repeat a request (a results cache).
	getRun func(n int) string
	note   func(body []byte) string
}

func apiQueries(sources []string, end time.Time) []apiQuery {
	rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	hourAgo, dayAgo := rfc(end.Add(-time.Hour)), rfc(end.Add(-24*time.Hour))
	count := func(b []byte) string {
		var r struct {
			Rows  []json.RawMessage `json:"rows"`
			Count int64             `json:"count"`
		}
		if json.Unmarshal(b, &r) != nil {
			return "?"
		}
		return fmt.Sprintf("%d rows of %d", len(r.Rows), r.Count)
	}
	series := func(b []byte) string {
		var r struct {
			Series []json.RawMessage `json:"series"`
		}
		if json.Unmarshal(b, &r) != nil {
			return "?"
		}
		return fmt.Sprintf("%d series", len(r.Series))
	}
	var qs []apiQuery
	for _, src := range sources {
		qs = append(qs,
			apiQuery{name: src + ": search last hour, no filter", path: "/api/search", note: count,
				body: map[string]any{"source": src, "query": "", "limit": 100, "start": hourAgo, "end": rfc(end)}},
			apiQuery{name: src + ": search last hour, ServiceName:frontend", path: "/api/search", note: count,
				body: map[string]any{"source": src, "query": "ServiceName:frontend", "limit": 100, "start": hourAgo, "end": rfc(end)}},
			apiQuery{name: src + ": count by ServiceName over 24 h (table)", path: "/api/chart", note: series,
				body: map[string]any{"source": src, "select": []map[string]any{{"aggFn": "count"}}, "groupBy": "ServiceName",
					"displayType": "table", "limit": 100, "start": dayAgo, "end": rfc(end)}},
			apiQuery{name: src + ": count per minute by ServiceName over 24 h", path: "/api/chart", note: series,
				body: map[string]any{"source": src, "select": []map[string]any{{"aggFn": "count"}}, "groupBy": "ServiceName",
					"granularity": "1 minute", "limit": 100, "start": dayAgo, "end": rfc(end)}},
		)
	}
	return qs
}

func runAPI(o apiOptions) error {
	api := o.api
	var qs []apiQuery
	var promEnd time.Time
	if len(o.sources) > 0 && o.sources[0] != "" {
		qs = apiQueries(o.sources, o.end)
	}
	var pid int
	var grpcAddr string
	if o.binary != "" {
		srv, err := startOverlook(o.binary, o.data, o.promqlParts)
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.stop(); err != nil {
				logf("stop: %v", err)
			}
		}()
		api, pid, grpcAddr = srv.api, srv.cmd.Process.Pid, srv.grpc
		logf("overlook started: pid %d, API %s, data %s", pid, api, o.data)
		if o.metrics {
			end, err := promqlEnd(context.Background(), o.data, srv.grpc)
			if err != nil {
				return err
			}
			qs = append(qs, promqlQueries(end)...)
			promEnd = end
		}
	}
	var results []result
	for _, q := range qs {
		if o.only != "" && !strings.Contains(q.name, o.only) {
			continue
		}
		body, err := json.Marshal(q.body)
		if err != nil {
			return err
		}
		var srvCPU []time.Duration
		call := 0
		r, err := measure(q.name, o.runs, func() (string, error) {
			c0 := procCPU(pid)
			var b []byte
			var err error
			path := q.get
			if q.getRun != nil {
				path = q.getRun(call)
			}
			call++
			if path != "" {
				b, err = get(api, path)
			} else {
				b, err = post(api, q.path, body)
			}
			srvCPU = append(srvCPU, procCPU(pid)-c0)
			if err != nil {
				return "", err
			}
			return q.note(b), nil
		})
		if err != nil {
			return err
		}
		srvCPU = srvCPU[1:] // the warm-up
		slices.Sort(srvCPU)
		r.cpu = srvCPU[len(srvCPU)/2]
		results = append(results, r)
	}
	if o.traceLookups > 0 {
		ids, err := sampleTraceIDs(api, o.traceLookups, o.end)
		if err != nil {
			return err
		}
		logf("timing %d trace lookups", len(ids))
		if o.tracePasses > 1 {
			logf("warm-up: %d trace lookups, not timed", len(ids))
			if _, err := timeTraceLookups(api, pid, ids, 1); err != nil {
				return err
			}
		}
		r, err := timeTraceLookups(api, pid, ids, max(1, o.tracePasses-1))
		if err != nil {
			return err
		}
		if o.tracePasses > 1 {
			r.name = fmt.Sprintf("traces: trace by ID, %d sampled traces, %d timed passes after a warm-up pass (p50; range p99–max; CPU per lookup)", len(ids), o.tracePasses-1)
		}
		results = append(results, r)
		if o.ingestCmd != "" {
			if o.binary == "" {
				return fmt.Errorf("-ingest-cmd needs -binary (the OTLP address of the server it starts)")
			}
			stop, err := startIngest(o.ingestCmd, grpcAddr, api, o.ingestRate)
			if err != nil {
				return err
			}
			logf("timing %d trace lookups during ingest at %d spans/s", len(ids), o.ingestRate)
			r, err := timeTraceLookups(api, pid, ids, 1)
			if serr := stop(); err == nil && serr != nil {
				err = fmt.Errorf("bench/ingest: %w", serr)
			}
			if err != nil {
				return err
			}
			r.name = fmt.Sprintf("traces: trace by ID during ingest (%d spans/s offered), the same %d traces (CPU: server's, ingest included)", o.ingestRate, len(ids))
			results = append(results, r)
		}
	}
	from := ""
	if o.endFrom != "" {
		from = " (" + o.endFrom + ")"
	}
	fmt.Printf("\nHTTP API of %s%s, data %s; median of %d runs after a warm-up run; end of the range %s%s\n",
		o.binary, o.api, o.data, o.runs, o.end.UTC().Format(time.RFC3339Nano), from)
	if !promEnd.IsZero() {
		fmt.Printf("PromQL ranges end at %s (when the metrics were loaded)\n", promEnd.UTC().Format(time.RFC3339))
	}
	fmt.Printf("load average at the end: %s\n\n", loadAvg())
	cpuHead := "server CPU (median)"
	if pid == 0 {
		cpuHead = "server CPU (not measured with -api)"
	}
	fmt.Printf("| measurement | median | range | %s | result |\n", cpuHead)
	fmt.Println("|---|---:|---|---:|---|")
	for _, r := range results {
		fmt.Printf("| %s | %s | %s–%s | %s | %s |\n", r.name, ms(r.median), ms(r.min), ms(r.max), ms(r.cpu), r.note)
	}
	return nil
}

func post(api, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return do(req)
}

// do sends req and returns the body of a 200 answer.
func do(req *http.Request) ([]byte, error) {
	what := req.Method + " " + req.URL.Path
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %.300s", what, resp.Status, b)
	}
	return b, nil
}

// procCPU is a process's utime+stime (0 for pid 0 or when unreadable).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)        // field 14
	st, _ := strconv.ParseInt(f[12], 10, 64)        // field 15
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// overlookProc is a server this program started.
type overlookProc struct {
	work   string // config and log; removed after a clean stop
	cmd    *exec.Cmd
	api    string
	grpc   string // OTLP gRPC
	exited chan struct{}
	log    string
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startOverlook runs `binary serve --data dir` with every listener on a
// free loopback port and waits for /ready.
// promqlParts > 0 sets the server's query::promql_parts.
func startOverlook(binary, dir string, promqlParts int) (*overlookProc, error) {
	var a [3]string
	for i := range a {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		a[i] = addr
	}
	work, err := os.MkdirTemp("", "overlook-bench-query-api-")
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(work, "bench.yaml")
	query := ""
	if promqlParts > 0 {
		query = fmt.Sprintf("    query:\n      promql_parts: %d\n", promqlParts)
	}
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "extensions:\n  overlook:\n    http:\n      endpoint: %s\n%sreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: %s\n      http:\n        endpoint: %s\n",
		a[0], query, a[1], a[2]), 0o600); err != nil {
		return nil, err
	}
	p := &overlookProc{work: work, api: a[0], grpc: a[1], exited: make(chan struct{}), log: filepath.Join(work, "overlook.log")}
	logf, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(binary, "serve", "--config", cfg, "--data", dir)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	waited, err := child.Start(p.cmd)
	if err != nil {
		_ = logf.Close()
		return nil, err
	}
	go func() {
		<-waited
		_ = logf.Close()
		close(p.exited)
	}()
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("overlook exited during startup; log: %s", p.log)
		default:
		}
		if resp, err := http.Get("http://" + p.api + "/ready"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return nil, fmt.Errorf("overlook not ready after 5 min; log: %s", p.log)
}

// stop sends SIGINT and waits up to 5 minutes for the exit; after a clean
// exit it removes the work dir (otherwise it stays, for the log).
func (p *overlookProc) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return fmt.Errorf("signal overlook: %w (log: %s)", err, p.log)
	}
	select {
	case <-p.exited:
		if !p.cmd.ProcessState.Success() {
			return fmt.Errorf("overlook exited with %v after SIGINT (log: %s)", p.cmd.ProcessState, p.log)
		}
		return os.RemoveAll(p.work)
	case <-time.After(5 * time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("overlook did not stop within 5 min after SIGINT; killed (log: %s)", p.log)
	}
}
