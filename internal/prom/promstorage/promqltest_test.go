package promstorage

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/prom/promvec"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestPromQLBuiltin runs Prometheus's own PromQL test scripts
// (promql/promqltest/testdata/*.test, shipped in the module) with
// promqltest's runner and the real engine against the DuckDB store:
// `load` commands go through Appendable (Prometheus samples → OTLP →
// InsertMetrics), queries through Queryable (SQL on the metrics tables →
// series).
//
// promqltest runs every eval as a subtest of a *testing.T, so the scripts
// run in a child process (TestPromQLScripts) whose verbose output is
// parsed here: evals listed in testdata/promqltest_known_failures.txt
// (with the reason) may fail; any other failure fails this test, and so
// does a listed eval that passes. Counts per file are logged:
//
//	go test ./internal/prom/promstorage -run TestPromQLBuiltin -v
func TestPromQLBuiltin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every Prometheus PromQL test script")
	}
	runPromQLScripts(t, false)
}

// TestPromQLBuiltinSplit runs the scripts as TestPromQLBuiltin does, with
// every range query evaluated as the API evaluates it: in parts by
// internal/prom/promsplit, each part by internal/prom/promvec where its
// shape allows (else, or where it falls back, by the engine): the answers
// must be the same. (TestPromQLBuiltinCache covers promsplit over the
// engine alone.)
func TestPromQLBuiltinSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every Prometheus PromQL test script")
	}
	runPromQLScripts(t, true, "PROMQLTEST_VEC=1")
}

// TestPromQLBuiltinCache runs the scripts with every range query evaluated
// twice through the results cache (internal/prom/promcache) over the split
// path: once cold (its sealed hours stored), then warm — the warm answer,
// taken from the cache, is the one the script checks.
func TestPromQLBuiltinCache(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every Prometheus PromQL test script")
	}
	runPromQLScripts(t, true, "PROMQLTEST_CACHE=1")
}

func runPromQLScripts(t *testing.T, split bool, env ...string) {
	dir := promqltestDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test scripts in %s: %v", dir, err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPromQLScripts$", "-test.v", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), "PROMQLTEST_CHILD="+dir)
	if split {
		cmd.Env = append(cmd.Env, "PROMQLTEST_SPLIT=1")
	}
	cmd.Env = append(cmd.Env, env...)
	out, _ := cmd.CombinedOutput() // failures are expected; the output says which
	if os.Getenv("PROMQLTEST_OUT") != "" {
		_ = os.WriteFile(os.Getenv("PROMQLTEST_OUT"), out, 0o600)
	}
	if m := vecRE.FindSubmatch(out); m != nil {
		t.Logf("%s", m[0])
		if n, _ := strconv.Atoi(string(m[1])); n < 50 {
			t.Errorf("only %d range queries (or parts) were evaluated by promvec", n)
		}
	} else if slices.Contains(env, "PROMQLTEST_VEC=1") {
		t.Error("the child did not report promvec's outcomes")
	}
	if m := cacheRE.FindSubmatch(out); m != nil {
		t.Logf("%s", m[0])
		if hits, _ := strconv.Atoi(string(m[1])); hits < 500 {
			t.Errorf("only %d range queries were answered from the cache", hits)
		}
	} else if slices.Contains(env, "PROMQLTEST_CACHE=1") {
		t.Error("the child did not report the cache's outcomes")
	}
	results := parseResults(out)
	known := readKnownFailures(t)
	var summary []string
	var tp, tf, tn int
	for _, f := range files {
		name := filepath.Base(f)
		evals := evalLines(t, f)
		pass, fail, notRun := 0, 0, 0
		for _, line := range evals {
			key := fmt.Sprintf("%s:%d", name, line)
			ok, ran := results[key]
			_, isKnown := known[key]
			switch {
			case !ran && isKnown:
				notRun++
			case !ran:
				notRun++
				t.Errorf("%s did not run (its load failed?)", key)
			case ok && isKnown:
				pass++
				t.Errorf("%s passes now: remove it from testdata/promqltest_known_failures.txt", key)
			case ok:
				pass++
			case isKnown:
				fail++
			default:
				fail++
				t.Errorf("%s failed and is not a known failure", key)
			}
		}
		tp, tf, tn = tp+pass, tf+fail, tn+notRun
		summary = append(summary, fmt.Sprintf("%-26s %4d evals %4d passed %4d failed %4d not run", name, len(evals), pass, fail, notRun))
	}
	summary = append(summary, fmt.Sprintf("%-26s %4d evals %4d passed %4d failed %4d not run", "total", tp+tf+tn, tp, tf, tn))
	t.Log("promqltest results:\n" + strings.Join(summary, "\n"))
	if t.Failed() {
		t.Logf("child output (last 4 KiB):\n%s", tail(out, 4096))
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestPromQLScripts is the child process of TestPromQLBuiltin.
func TestPromQLScripts(t *testing.T) {
	dir := os.Getenv("PROMQLTEST_CHILD")
	if dir == "" {
		t.Skip("run by TestPromQLBuiltin")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.test"))
	var engine promql.QueryEngine = promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	if os.Getenv("PROMQLTEST_SPLIT") != "" {
		// Every range query of four steps or more in 2 or 3 parts.
		var ranges promsplit.RangeEngine
		if os.Getenv("PROMQLTEST_VEC") != "" {
			// The test engine's options (promqltest.NewTestEngine).
			vec := promvec.New(engine.(*promql.Engine), promvec.Options{MaxSamples: promqltest.DefaultMaxSamplesPerQuery,
				Timeout: 100 * time.Second, UseStartTimestamps: true, DelayedNameRemoval: true}, nil)
			ranges = vec
			defer func() {
				c := vec.Counts()
				fmt.Printf("promvec outcomes: vectorized=%d fell_back=%d engine=%d\n", c.Evaluated.Load(), c.FellBack.Load(), c.Declined.Load())
			}()
		}
		engine = promsplit.New(engine.(*promql.Engine), promsplit.Options{MaxParts: 3, MinStepsPerPart: 2,
			Parser: parser.NewParser(promqltest.TestParserOpts), Ranges: ranges})
	}
	if os.Getenv("PROMQLTEST_CACHE") != "" {
		// Over the split path (PROMQLTEST_SPLIT), as the API evaluates.
		m := telemetry.New().PromQLCache
		engine = &twiceEngine{Engine: engine.(*promsplit.Engine), cache: promcache.New(promcache.Options{MaxBytes: 256 << 20, Metrics: m}),
			parser: parser.NewParser(promqltest.TestParserOpts)}
		defer func() {
			// Read by runPromQLScripts: the warm queries must have come
			// from the cache, or the test proves nothing.
			q := func(o string) int { return int(testutil.ToFloat64(m.Queries.WithLabelValues(o))) }
			fmt.Printf("promcache outcomes: hit=%d partial=%d miss=%d uncacheable=%d\n", q("hit"), q("partial"), q("miss"), q("uncacheable"))
		}()
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			promqltest.RunTestWithStorage(t, string(src), engine, openTestStorage)
		})
	}
}

// twiceEngine evaluates each range query through a results cache twice and
// returns the second (warm) query to promqltest.
type twiceEngine struct {
	*promsplit.Engine
	cache  *promcache.Cache
	parser parser.Parser
}

func (e *twiceEngine) NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
	start, end time.Time, step time.Duration) (promql.Query, error) {
	ts, ok := q.(*testStorage)
	if !ok {
		return nil, fmt.Errorf("BUG: promqltest queried a %T", q)
	}
	ce := promcache.NewEngine(e.Engine, e.cache, ts.st.MetricGenerations(), "promqltest", e.parser)
	cold, err := ce.NewRangeQuery(ctx, q, opts, qs, start, end, step)
	if err != nil {
		return nil, err
	}
	cold.Exec(ctx)
	cold.Close()
	return ce.NewRangeQuery(ctx, q, opts, qs, start, end, step)
}

// cacheRE matches the child's cache outcomes (TestPromQLScripts).
var vecRE = regexp.MustCompile(`promvec outcomes: vectorized=(\d+) fell_back=\d+ engine=\d+`)

var cacheRE = regexp.MustCompile(`promcache outcomes: hit=(\d+) partial=\d+ miss=\d+ uncacheable=\d+`)

// resultRE matches promqltest's eval subtests in `go test -v` output.
var resultRE = regexp.MustCompile(`--- (PASS|FAIL): TestPromQLScripts/([^/]+\.test)/line_(\d+)/`)

// parseResults maps "file.test:line" to whether the eval passed.
func parseResults(out []byte) map[string]bool {
	res := map[string]bool{}
	for _, m := range resultRE.FindAllSubmatch(out, -1) {
		res[string(m[2])+":"+string(m[3])] = string(m[1]) == "PASS"
	}
	return res
}

// evalLines returns the line numbers of a script's eval commands.
func evalLines(t *testing.T, path string) []int {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for i, l := range bytes.Split(src, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("eval")) {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// promqltestDir finds promqltest's scripts in the module cache.
func promqltestDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/prometheus/prometheus").Output()
	if err != nil {
		t.Fatalf("locate the prometheus module: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "promql/promqltest/testdata")
}

// readKnownFailures reads "file.test:line  reason" lines.
func readKnownFailures(t *testing.T) map[string]string {
	f, err := os.Open("testdata/promqltest_known_failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, " ")
		if _, _, ok := strings.Cut(key, ":"); !ok {
			t.Fatalf("known failures: bad line %q", line)
		}
		out[key] = strings.TrimSpace(reason)
	}
	return out
}

// openTestStorage opens a fresh DuckDB store for a script (and again after
// each `clear`).
func openTestStorage(t testing.TB) storage.Storage {
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return &testStorage{Queryable: NewQueryable(st, Options{}), Appendable: NewAppendable(st), st: st}
}

// testStorage is the storage.Storage promqltest reads and writes.
type testStorage struct {
	*Queryable
	*Appendable
	st *duckdb.Store
}

func (*testStorage) Appender(context.Context) storage.Appender {
	panic("BUG: promqltest appends through AppenderV2")
}

func (*testStorage) ChunkQuerier(int64, int64) (storage.ChunkQuerier, error) {
	return nil, errors.ErrUnsupported
}

func (*testStorage) StartTime() (int64, error) { return 0, nil }
func (s *testStorage) Close() error            { return s.st.Close() }
