package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/promapi"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// benchScale is the benchmark's size: OVERLOOK_BENCH_SERIES series (default
// 100000) in jobs of 1000, OVERLOOK_BENCH_RULES rules (default 1000) in
// groups of 10.
func benchScale() (series, rules int) {
	series, rules = 100_000, 1000
	if n, err := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_SERIES")); err == nil && n >= 1000 {
		series = n
	}
	if n, err := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_RULES")); err == nil && n >= 10 {
		rules = n
	}
	return series, rules
}

// benchRulesStore holds 10 minutes of bench_requests_total scraped every
// 15s: series/1000 jobs × 1000 pods. OVERLOOK_BENCH_DIR keeps it between
// runs.
func benchRulesStore(b *testing.B, series int) (*duckdb.Store, time.Time) {
	b.Helper()
	end := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	dir := os.Getenv("OVERLOOK_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, fmt.Sprintf("rules%d", series))
	_, statErr := os.Stat(filepath.Join(dir, "complete"))
	if statErr != nil {
		_ = os.RemoveAll(dir) // a partial load
	}
	st, err := duckdb.Open(duckdb.Config{Dir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if statErr == nil {
		return st, end
	}
	const step = 15 * time.Second
	start := end.Add(-10 * time.Minute)
	loadStart := time.Now()
	for job := range series / 1000 {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("job-%d", job))
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("bench_requests_total")
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for pod := range 1000 {
			for i := range 41 {
				ts := start.Add(time.Duration(i) * step)
				dp := s.DataPoints().AppendEmpty()
				dp.Attributes().PutStr("pod", fmt.Sprintf("pod-%d", pod))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				dp.SetDoubleValue(float64(i * (pod%7 + 1)))
			}
		}
		for {
			err := st.InsertMetrics(context.Background(), md)
			if errors.Is(err, store.ErrOverloaded) {
				time.Sleep(time.Second) // retry, as a collector would
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	b.Logf("loaded %d series × 41 points in %s", series, time.Since(loadStart).Round(time.Second))
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return st, end
}

// benchRuleFile writes n rules in groups of 10, over the jobs round-robin:
// even rules record `sum by (job) (rate(...[5m]))` of one job, odd ones
// alert on it (`for: 1m`; a third of them fire).
func benchRuleFile(b *testing.B, n, jobs int) string {
	var sb strings.Builder
	sb.WriteString("groups:\n")
	for i := range n {
		if i%10 == 0 {
			fmt.Fprintf(&sb, "  - name: g%d\n    interval: 15s\n    rules:\n", i/10)
		}
		sel := fmt.Sprintf(`bench_requests_total{job="job-%d"}`, i%jobs)
		if i%2 == 0 {
			fmt.Fprintf(&sb, "      - record: job:bench_requests:rate5m_%d\n        expr: sum by (job) (rate(%s[5m]))\n", i, sel)
			continue
		}
		threshold := 1e9
		if i%3 == 0 {
			threshold = 1
		}
		fmt.Fprintf(&sb, "      - alert: BenchHigh%d\n        expr: sum by (job) (rate(%s[5m])) > %g\n        for: 1m\n", i, sel, threshold)
	}
	p := filepath.Join(b.TempDir(), "bench.yml")
	if err := os.WriteFile(p, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkRuleEvaluation is issue 13's target: 1,000 rules every 15s
// over 100k series. One op is one evaluation round: every group evaluated
// once, concurrently (as the rules manager runs them), each rule reading
// its job's 1000 series over 5m and writing its output (recorded series,
// ALERTS, ALERTS_FOR_STATE) into the store. It reports the round's wall
// time (lag-ms: how far past the 15s interval a round ends, when it does),
// process CPU per round, and the cores that keeps busy at a 15s interval.
// OVERLOOK_BENCH_DISCARD=1 drops the output instead (queries only).
//
//	OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/alerting/rules -run '^$' -bench RuleEvaluation -benchtime 5x
func BenchmarkRuleEvaluation(b *testing.B) {
	series, nrules := benchScale()
	st, end := benchRulesStore(b, series)
	h := promapi.New(promapi.Options{Prefix: "/prometheus", Reader: st, Logger: slog.New(slog.DiscardHandler)})
	defer h.Close()
	env := &testEnv{st: st, api: h}
	path := benchRuleFile(b, nrules, series/1000)
	opts, groups := env.manager(b, &recorder{}, time.Minute, 15*time.Second, path)
	if os.Getenv("OVERLOOK_BENCH_DISCARD") != "" {
		// Queries only: the output is not written (to tell the two apart).
		opts.Appendable = discardAppendable{}
	}
	for _, g := range groups {
		for _, r := range g.AlertingRules() {
			r.SetRestored(true)
		}
	}
	round := func(ts time.Time) {
		var wg sync.WaitGroup
		for _, g := range groups {
			wg.Go(func() { g.Eval(context.Background(), ts) })
		}
		wg.Wait()
	}
	round(end) // warm up
	for _, g := range groups {
		for _, r := range g.Rules() {
			if err := r.LastError(); err != nil {
				b.Fatalf("%s: %v", r.Name(), err)
			}
		}
	}
	var worst time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		round(end.Add(time.Duration(i+1) * time.Second))
		worst = max(worst, time.Since(start))
	}
	b.StopTimer()
	cpu := (cpuTime() - cpu0) / time.Duration(b.N)
	b.ReportMetric(float64(cpu.Milliseconds()), "cpu-ms/round")
	b.ReportMetric(cpu.Seconds()/15, "cores@15s")
	b.ReportMetric(float64(max(0, worst-15*time.Second).Milliseconds()), "lag-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms/round")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardAppendable drops what it is given.
type discardAppendable struct{}

func (discardAppendable) Appender(context.Context) storage.Appender { return discardAppender{} }

type discardAppender struct{ storage.Appender }

func (discardAppender) Append(ref storage.SeriesRef, _ labels.Labels, _ int64, _ float64) (storage.SeriesRef, error) {
	return ref, nil
}
func (discardAppender) SetOptions(*storage.AppendOptions) {}
func (discardAppender) Commit() error                     { return nil }
func (discardAppender) Rollback() error                   { return nil }
