package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The PromQL compliance test runs Debian's Prometheus as the reference:
// it scrapes local targets every second and remote-writes everything to
// overlook; then every query of testdata/promcompliance/queries.txt runs
// as an instant and as a range query against both, and the answers are
// compared as the PromQL compliance tester compares them.
const (
	prometheusBinary = "/usr/bin/prometheus"
	complianceDir    = "testdata/promcompliance"
	// scrapeSpan is how long Prometheus collects before the queries.
	scrapeSpan = 85 * time.Second
	// rangeSpan and rangeStep shape the range queries, which end where
	// the instant queries are evaluated.
	rangeSpan = 30 * time.Second
	rangeStep = 3 * time.Second
	// longSpan and longStep shape range queries that start before the
	// first sample.
	longSpan = 150 * time.Second
	longStep = 7 * time.Second
	// lookahead is how far past the evaluation time queries read: the
	// most negative offset in queries.txt (readQueries refuses more).
	lookahead = 5 * time.Second
)

// metadataFamilies are the metric families whose metadata is compared.
var metadataFamilies = []string{
	"demo_requests_total", "demo_temperature_celsius", "demo_balance_total", "demo:requests:rate1m",
	"demo_request_duration_seconds", "demo_rpc_duration_seconds", "go_goroutines", "prometheus_http_requests_total",
}

// TestPromQLCompliance compares overlook's PromQL answers with
// Prometheus's over the same remote-written data. A query that differs
// fails the test unless known_differences.txt lists it with a reason; a
// listed query that agrees fails it too, so that the list stays true.
func TestPromQLCompliance(t *testing.T) {
	if _, err := os.Stat(prometheusBinary); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not found (apt-get install prometheus); the PromQL compliance test needs it", prometheusBinary)
		}
		t.Fatalf("%s not found: .ci/run installs Debian's prometheus package", prometheusBinary)
	}
	t.Parallel()
	queries := readQueries(t, filepath.Join(complianceDir, "queries.txt"))
	known := readKnownDifferences(t, filepath.Join(complianceDir, "known_differences.txt"))

	began := time.Now()
	s := newServer(t, "")
	s.start()
	dataStart := time.Now()
	demo := []string{serveDemoTarget(t, 0, dataStart), serveDemoTarget(t, 1, dataStart), serveDemoTarget(t, 2, dataStart)}
	prom := startPrometheus(t, "http://"+s.api+"/prometheus/api/v1/write", demo)
	time.Sleep(time.Until(dataStart.Add(scrapeSpan)))

	ref := &promClient{base: "http://" + prom.addr + "/api/v1/"}
	sut := &promClient{base: "http://" + s.api + "/prometheus/api/v1/"}
	end := evalTime(t, ref, time.Now().Add(-5*time.Second))
	// Queries with a negative offset read up to end+lookahead: wait until
	// Prometheus has scraped past it, then until overlook holds the same.
	time.Sleep(time.Until(end.Add(lookahead + 2*time.Second)))
	waitCaughtUp(t, ref, sut, end.Add(lookahead))
	checkDiscovery(t, ref, sut, end)

	results := append(runQueries(ref, sut, queries, end), compareMetadata(ref, sut, metadataFamilies)...)
	pass := map[string]int{}
	total := map[string]int{}
	withData := 0
	for _, r := range results {
		total[r.kind]++
		if r.data {
			withData++
		}
		id := r.kind + " " + r.query
		reason, listed := known[id]
		delete(known, id)
		switch {
		case r.diff == "" && listed:
			t.Errorf("FIXED %s: agrees now; remove it from known_differences.txt (%s)", id, reason)
		case r.diff == "":
			pass[r.kind]++
			t.Logf("PASS  %s", id)
		case listed:
			t.Logf("KNOWN %s: %s [%s]", id, r.diff, reason)
		default:
			t.Errorf("FAIL  %s: %s", id, r.diff)
		}
	}
	for id := range known {
		t.Errorf("known_differences.txt lists %q, which is not in queries.txt", id)
	}
	// Most queries select data: a run in which the reference answers
	// mostly empty results compared nothing.
	if withData < len(results)*8/10 {
		t.Errorf("only %d of %d reference answers hold data", withData, len(results))
	}
	t.Logf("compliance: instant %d/%d, range %d/%d, long range %d/%d, metadata %d/%d passed; %d answers with data; %s of data, wall time %s",
		pass["instant"], total["instant"], pass["range"], total["range"], pass["longrange"], total["longrange"],
		pass["metadata"], total["metadata"], withData,
		end.Sub(dataStart).Round(time.Second), time.Since(began).Round(time.Second))
}

// negativeOffset finds "offset -5s" in a query.
var negativeOffset = regexp.MustCompile(`offset\s+-\s*([0-9a-z]+)`)

// readQueries reads one query per line, skipping blank lines and # comments.
func readQueries(t *testing.T, path string) []string {
	t.Helper()
	var qs []string
	for _, l := range readLines(t, path) {
		if slices.Contains(qs, l) {
			t.Fatalf("%s: %q twice", path, l)
		}
		for _, m := range negativeOffset.FindAllStringSubmatch(l, -1) {
			if d, err := time.ParseDuration(m[1]); err != nil || d > lookahead {
				t.Fatalf("%s: %q reads %s ahead of the evaluation time; the test waits for data %s ahead (lookahead)", path, l, m[1], lookahead)
			}
		}
		qs = append(qs, l)
	}
	if len(qs) == 0 {
		t.Fatalf("%s: no queries", path)
	}
	return qs
}

// readKnownDifferences reads "kind ## query ## reason" lines into a map
// from "kind query" to the reason. Kinds: instant, range and longrange
// queries, and metadata (the query is a metric family).
func readKnownDifferences(t *testing.T, path string) map[string]string {
	t.Helper()
	known := map[string]string{}
	for _, l := range readLines(t, path) {
		f := strings.Split(l, " ## ")
		if len(f) != 3 || !slices.Contains([]string{"instant", "range", "longrange", "metadata"}, f[0]) || strings.TrimSpace(f[2]) == "" {
			t.Fatalf("%s: %q: want \"instant|range|longrange|metadata ## query ## reason\"", path, l)
		}
		known[f[0]+" "+f[1]] = f[2]
	}
	return known
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return out
}

// promProcess is a running Prometheus.
type promProcess struct {
	addr string
	out  *syncBuffer
}

// startPrometheus starts Prometheus on a free port with its own storage:
// it scrapes itself and the demo targets every second and remote-writes
// to writeURL. The test's cleanup stops it.
func startPrometheus(t *testing.T, writeURL string, demo []string) *promProcess {
	t.Helper()
	dir := t.TempDir()
	p := &promProcess{addr: freePort(t), out: &syncBuffer{}}
	quote := func(ss []string) string { return `"` + strings.Join(ss, `", "`) + `"` }
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["%s"]
  - job_name: demo
    static_configs:
      - targets: [%s]
        labels: {env: test}
  - job_name: shop/edge
    static_configs:
      - targets: [%s]
        labels: {env: test, zone: eu-1}
remote_write:
  - url: %s
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    # Prometheus 2 sends metadata apart from the samples, first after one
    # interval: it arrives in the middle of the test's data, after samples
    # that carry none, as it does in production (default 1m).
    metadata_config:
      send_interval: 20s
`, p.addr, quote(demo[:2]), quote(demo[2:]), writeURL)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prometheusBinary, "--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+p.addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("prometheus output:\n%s", p.out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("prometheus exited during startup:\n%s", p.out.String())
		default:
		}
		if resp, err := http.Get("http://" + p.addr + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("prometheus not ready after 30s:\n%s", p.out.String())
	return nil
}

// promClient queries one Prometheus API.
type promClient struct {
	base string
}

var complianceHTTP = &http.Client{Timeout: 60 * time.Second}

// get returns the decoded answer, or one with status "transport" when the
// request itself failed.
func (c *promClient) get(path string, params url.Values) apiAnswer {
	resp, err := complianceHTTP.Get(c.base + path + "?" + params.Encode())
	if err != nil {
		return apiAnswer{Status: "transport", Error: err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiAnswer{Status: "transport", Error: err.Error()}
	}
	var a apiAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return apiAnswer{Status: "transport", Error: fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, raw)}
	}
	var qd struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if len(a.Data) > 0 && a.Data[0] == '{' && json.Unmarshal(a.Data, &qd) == nil {
		a.ResultType, a.Result = qd.ResultType, qd.Result
	}
	return a
}

func formatTime(t time.Time) string {
	return fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)
}

// evalTime picks the instant-query time near `near`, at a millisecond
// offset within the second at least 50 ms away from every target's
// scrape timestamps: Prometheus 2 selects ranges closed at the start
// ([t-r, t]), Prometheus 3 (overlook's engine) open ((t-r, t]), so a sample
// exactly on a range's start would differ for reasons of the reference's
// version, not overlook's. Subquery steps (whole seconds) never fall on
// such a boundary either.
func evalTime(t *testing.T, ref *promClient, near time.Time) time.Time {
	t.Helper()
	a := ref.get("query", url.Values{"query": {"timestamp(up)"}, "time": {formatTime(near)}})
	var ss []apiSeries
	if a.Status != "success" || json.Unmarshal(a.Result, &ss) != nil || len(ss) == 0 {
		t.Fatalf("timestamp(up) on Prometheus: %+v", a)
	}
	var offsets []int64
	for _, s := range ss {
		p, err := decodePoint(s.Value)
		if err != nil {
			t.Fatal(err)
		}
		offsets = append(offsets, int64(math.Round(p.v*1000))%1000)
	}
	for _, ms := range []int64{500, 250, 750, 125, 375, 625, 875} {
		clear := true
		for _, o := range offsets {
			if d := (ms - o + 1000) % 1000; d < 50 || d > 950 {
				clear = false
			}
		}
		if clear {
			return near.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
		}
	}
	t.Fatalf("no evaluation offset clear of the scrape offsets %v", offsets)
	return time.Time{}
}

// waitCaughtUp waits until overlook holds as many samples up to end as
// Prometheus (remote write sends with a delay of a second or two).
func waitCaughtUp(t *testing.T, ref, sut *promClient, end time.Time) {
	t.Helper()
	q := url.Values{"query": {`count_over_time({__name__=~".+"}[10m])`}, "time": {formatTime(end)}}
	deadline := time.Now().Add(30 * time.Second)
	var msg string
	for time.Now().Before(deadline) {
		msg = compareAnswers(ref.get("query", q), sut.get("query", q), false)
		if msg == "" {
			return
		}
		time.Sleep(time.Second)
	}
	t.Errorf("overlook's samples still differ from Prometheus's after 30s: %s", msg)
}

// checkDiscovery checks that every remote-written series reads back
// from the series API with exactly Prometheus's labels, and that the
// labels and label values APIs list the same names and values.
func checkDiscovery(t *testing.T, ref, sut *promClient, end time.Time) {
	t.Helper()
	checkParamForms(t, ref, sut, end)
	window := func(extra ...string) url.Values {
		v := url.Values{"start": {formatTime(end.Add(-scrapeSpan))}, "end": {formatTime(end)}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Add(extra[i], extra[i+1])
		}
		return v
	}
	for _, c := range []struct {
		path   string
		params url.Values
	}{
		{"series", window("match[]", `{__name__=~".+"}`)},
		{"series", window("match[]", `{job="shop/edge"}`, "match[]", `up`)},
		{"labels", window()},
		{"labels", window("match[]", `demo_labels`)},
		{"label/__name__/values", window()},
		{"label/job/values", window()},
		{"label/instance/values", window("match[]", `{job="demo"}`)},
		{"label/path/values", window()},
		{"label/le/values", window("match[]", `demo_request_duration_seconds_bucket`)},
	} {
		want, wantErr := listData(ref.get(c.path, c.params))
		got, gotErr := listData(sut.get(c.path, c.params))
		switch {
		case wantErr != nil:
			t.Errorf("%s %v on Prometheus: %v", c.path, c.params, wantErr)
		case gotErr != nil:
			t.Errorf("%s %v: %v", c.path, c.params, gotErr)
		case !slices.Equal(want, got):
			missing, extra := setDiff(want, got), setDiff(got, want)
			t.Errorf("%s %v: %d entries, Prometheus %d; missing %d %v; extra %d %v", c.path, c.params,
				len(got), len(want), len(missing), missing[:min(5, len(missing))], len(extra), extra[:min(5, len(extra))])
		default:
			t.Logf("PASS  %s %v: %d entries", c.path, c.params.Get("match[]"), len(want))
		}
	}
}

// checkParamForms compares answers to the other spellings of the query
// APIs' parameters: RFC 3339 times, duration steps, bad ranges.
func checkParamForms(t *testing.T, ref, sut *promClient, end time.Time) {
	t.Helper()
	rfc := func(d time.Duration) string { return end.Add(d).UTC().Format(time.RFC3339Nano) }
	for _, c := range []struct {
		path   string
		params url.Values
	}{
		{"query", url.Values{"query": {"demo_queue_length"}, "time": {rfc(0)}}},
		{"query", url.Values{"query": {"rate(demo_requests_total[30s])"}, "time": {rfc(-10 * time.Second)}}},
		{"query", url.Values{"query": {"up"}, "time": {"not a time"}}},
		{"query_range", url.Values{"query": {"demo_queue_length"}, "start": {rfc(-20 * time.Second)}, "end": {rfc(0)}, "step": {"2s"}}},
		{"query_range", url.Values{"query": {"up"}, "start": {rfc(0)}, "end": {rfc(-time.Minute)}, "step": {"1"}}},
		{"query_range", url.Values{"query": {"up"}, "start": {rfc(-time.Minute)}, "end": {rfc(0)}, "step": {"0"}}},
		{"query_range", url.Values{"query": {"up"}, "start": {rfc(-time.Hour)}, "end": {rfc(0)}, "step": {"0.1"}}},
	} {
		if diff := compareAnswers(ref.get(c.path, c.params), sut.get(c.path, c.params), false); diff != "" {
			t.Errorf("FAIL  %s %v: %s", c.path, c.params, diff)
			continue
		}
		t.Logf("PASS  %s %v", c.path, c.params)
	}
}

// listData decodes the list a series, labels or label values answer
// holds, each entry as canonical JSON (maps with sorted keys), sorted.
func listData(a apiAnswer) ([]string, error) {
	if a.Status != "success" {
		return nil, fmt.Errorf("%s %s: %s", a.Status, a.ErrorType, a.Error)
	}
	var entries []any
	if err := json.Unmarshal(a.Data, &entries); err != nil {
		return nil, fmt.Errorf("decode %.200s: %w", a.Data, err)
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode %v: %w", e, err)
		}
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out, nil
}

// setDiff returns the entries of sorted a that sorted b lacks.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

// queryResult is the outcome of one query of one kind.
type queryResult struct {
	kind, query, diff string
	// data: the reference answered a non-empty result.
	data bool
}

// runQueries runs every query as an instant query at end, as a range
// query over [end-rangeSpan, end] and as one over [end-longSpan, end],
// which starts before the first sample, on both APIs, four at a time.
func runQueries(ref, sut *promClient, queries []string, end time.Time) []queryResult {
	mid := end.Add(-rangeSpan / 2)
	var jobs []queryResult
	for _, q := range queries {
		for _, kind := range []string{"instant", "range", "longrange"} {
			jobs = append(jobs, queryResult{kind: kind, query: q})
		}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				j := &jobs[i]
				expr := strings.ReplaceAll(j.query, "$MID", formatTime(mid))
				params := url.Values{"query": {expr}}
				path := "query"
				switch j.kind {
				case "instant":
					params.Set("time", formatTime(end))
				case "range":
					path = "query_range"
					params.Set("start", formatTime(end.Add(-rangeSpan)))
					params.Set("end", formatTime(end))
					params.Set("step", fmt.Sprint(rangeStep.Seconds()))
				case "longrange":
					path = "query_range"
					params.Set("start", formatTime(end.Add(-longSpan)))
					params.Set("end", formatTime(end))
					params.Set("step", fmt.Sprint(longStep.Seconds()))
				}
				want := ref.get(path, params)
				got := sut.get(path, params)
				if want.Status == "transport" {
					j.diff = "reference: " + want.Error
					continue
				}
				j.data = want.Status == "success" && len(want.Result) > 2
				j.diff = compareAnswers(want, got, j.kind == "instant" && ordered(expr))
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return jobs
}

// compareMetadata compares /api/v1/metadata?metric=family for each family.
func compareMetadata(ref, sut *promClient, families []string) []queryResult {
	var out []queryResult
	for _, fam := range families {
		r := queryResult{kind: "metadata", query: fam}
		params := url.Values{"metric": {fam}}
		want, wantErr := canonicalData(ref.get("metadata", params))
		got, gotErr := canonicalData(sut.get("metadata", params))
		switch {
		case wantErr != nil:
			r.diff = "reference: " + wantErr.Error()
		case gotErr != nil:
			r.diff = gotErr.Error()
		case want != got:
			r.diff = fmt.Sprintf("%s, want %s", got, want)
		}
		r.data = len(want) > 2
		out = append(out, r)
	}
	return out
}

// canonicalData returns an answer's data as JSON with sorted keys.
func canonicalData(a apiAnswer) (string, error) {
	if a.Status != "success" {
		return "", fmt.Errorf("%s %s: %s", a.Status, a.ErrorType, a.Error)
	}
	var v any
	if err := json.Unmarshal(a.Data, &v); err != nil {
		return "", fmt.Errorf("decode %.200s: %w", a.Data, err)
	}
	b, err := json.Marshal(v)
	return string(b), err
}
