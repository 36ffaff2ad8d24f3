package promstorage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchStore opens a store holding 24 h of `x`, a counter of 1000 series
// (10 jobs × 100 instances) scraped every 15 s: 5.76M points. Set
// OVERLOOK_BENCH_DIR to keep the data between runs.
func benchStore(b *testing.B) (*duckdb.Store, time.Time) {
	b.Helper()
	end := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	dir := os.Getenv("OVERLOOK_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, "rate24h")
	// The marker is written once every point is stored: a directory
	// without it (an interrupted load) is loaded again.
	marker := filepath.Join(dir, "bench-loaded")
	_, statErr := os.Stat(marker)
	if statErr != nil {
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
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
	start := end.Add(-24 * time.Hour)
	for t := start; t.Before(end); {
		md := pmetric.NewMetrics()
		for job := range 10 {
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("job-%d", job))
			sm := rm.ScopeMetrics().AppendEmpty()
			for inst := range 100 {
				m := sm.Metrics().AppendEmpty()
				m.SetName("x_total")
				s := m.SetEmptySum()
				s.SetIsMonotonic(true)
				s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				for i := range 40 { // 10 minutes per batch
					ts := t.Add(time.Duration(i) * step)
					dp := s.DataPoints().AppendEmpty()
					dp.Attributes().PutStr("pod", fmt.Sprintf("pod-%d-%d", job, inst))
					dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
					dp.SetDoubleValue(float64(ts.Sub(start)/step) * float64(inst%7+1))
				}
			}
		}
		for {
			err := st.InsertMetrics(context.Background(), md)
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrOverloaded) {
				b.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // a busy machine: retry
		}
		t = t.Add(40 * step)
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return st, end
}

// BenchmarkRateByJob24h is the PromQL target: `sum by (job) (rate(x[5m]))`
// over 24 h of 1000 series at a 60 s step (1440 points per result series).
// It reports wall time and process CPU per query.
//
//	OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/prom/promstorage -run '^$' -bench RateByJob24h -benchtime 5x
func BenchmarkRateByJob24h(b *testing.B) {
	st, end := benchStore(b)
	q := NewQueryable(st, Options{})
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	defer engine.Close()
	// split evaluates range queries as the API does: in parts on
	// GOMAXPROCS cores (internal/prom/promsplit).
	split := promsplit.New(engine, promsplit.Options{})
	for _, tc := range []struct {
		name, query string
		step        time.Duration
		split       bool
	}{
		{"range_step60s", `sum by (job) (rate(x_total[5m]))`, time.Minute, false},
		{"range_step60s_split", `sum by (job) (rate(x_total[5m]))`, time.Minute, true},
		{"range_step5m", `sum by (job) (rate(x_total[5m]))`, 5 * time.Minute, false},
		{"range_step5m_split", `sum by (job) (rate(x_total[5m]))`, 5 * time.Minute, true},
		{"instant", `sum by (job) (rate(x_total[5m]))`, 0, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			b.ResetTimer()
			for range b.N {
				var qry promql.Query
				var err error
				if tc.step == 0 {
					qry, err = engine.NewInstantQuery(context.Background(), q, nil, tc.query, end)
				} else if tc.split {
					qry, err = split.NewRangeQuery(context.Background(), q, nil, tc.query, end.Add(-24*time.Hour), end, tc.step)
				} else {
					qry, err = engine.NewRangeQuery(context.Background(), q, nil, tc.query, end.Add(-24*time.Hour), end, tc.step)
				}
				if err != nil {
					b.Fatal(err)
				}
				res := qry.Exec(context.Background())
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				if m, ok := res.Value.(promql.Matrix); ok && (len(m) != 10 || len(m[0].Floats) < 280) {
					b.Fatalf("result: %d series", len(m))
				}
				qry.Close()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
