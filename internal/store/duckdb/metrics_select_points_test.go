package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// TestSelectMetricsOrdersPoints: series written in batches out of time
// order, interleaved with other series, come back with each point in its
// series, in time order; start times and flags are read when some row has
// them (and only then returned).
func TestSelectMetricsOrdersPoints(t *testing.T) {
	s := openMetricStore(t)
	ctx := context.Background()
	const series = 5
	// Hours written in the order 2, 0, 1; each batch holds every series.
	write := func(hour int, withStarts bool) {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "svc")
		sm := rm.ScopeMetrics().AppendEmpty()
		for k := range series {
			m := sm.Metrics().AppendEmpty()
			m.SetName("x")
			dps := m.SetEmptyGauge().DataPoints()
			for i := range 60 {
				dp := dps.AppendEmpty()
				dp.Attributes().PutStr("k", fmt.Sprint(k))
				ts := t0.Add(time.Duration(hour)*time.Hour + time.Duration(i)*time.Minute)
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				dp.SetDoubleValue(float64(k*1_000_000 + hour*60 + i))
				if withStarts {
					dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
				}
				if hour == 1 && i == 30 && k == 3 {
					dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
				}
			}
		}
		if err := s.InsertMetrics(ctx, md); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, p store.MetricSelectParams, wantStarts bool, hours ...int) {
		t.Helper()
		got, err := s.SelectMetrics(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != series {
			t.Fatalf("%d series, want %d", len(got), series)
		}
		for _, ms := range got {
			var k int
			if _, err := fmt.Sscan(ms.Attributes["k"], &k); err != nil {
				t.Fatal(err)
			}
			if len(ms.Times) != 60*len(hours) || len(ms.Values) != len(ms.Times) {
				t.Fatalf("series %d: %d times, %d values", k, len(ms.Times), len(ms.Values))
			}
			for i := range ms.Times {
				h, m := hours[0]+i/60, i%60
				wantT := t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UnixNano()
				if ms.Times[i] != wantT || ms.Values[i] != float64(k*1_000_000+h*60+m) {
					t.Fatalf("series %d point %d: (%d, %v), want (%d, %d)", k, i, ms.Times[i], ms.Values[i], wantT, k*1_000_000+h*60+m)
				}
				flagged := k == 3 && h == 1 && m == 30
				if gotFlag := ms.Flags != nil && ms.Flags[i] != 0; gotFlag != flagged {
					t.Fatalf("series %d point %d: flags %v, want flagged %v", k, i, ms.Flags, flagged)
				}
			}
			if (ms.StartTimes != nil) != wantStarts {
				t.Fatalf("series %d: start times %v, want some: %v", k, ms.StartTimes != nil, wantStarts)
			}
			for i, st := range ms.StartTimes {
				if h := hours[0] + i/60; (h == 0) != (st == t0.UnixNano()) {
					t.Fatalf("series %d point %d (hour %d): start %d", k, i, h, st)
				}
			}
		}
	}
	write(2, false)
	write(0, true)
	write(1, false)
	all := store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"x"}, Start: t0, End: t0.Add(3 * time.Hour)}
	t.Run("all", func(t *testing.T) { check(t, all, true, 0, 1, 2) })
	late := all
	late.Start = t0.Add(time.Hour)
	t.Run("no start times in range", func(t *testing.T) { check(t, late, false, 1, 2) })
	filtered := all
	filtered.Filters = []store.MetricFilter{{Column: "Attributes", Key: "k", Value: "3"}}
	got, err := s.SelectMetrics(ctx, filtered)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Attributes["k"] != "3" || len(got[0].Times) != 180 || !slices.IsSorted(got[0].Times) {
		t.Fatalf("filtered: %d series", len(got))
	}
	few := all
	few.MaxPoints = series*180 - 1
	if _, err := s.SelectMetrics(ctx, few); err == nil {
		t.Fatal("MaxPoints one below the points read: no error")
	}
}

// BenchmarkSelectMetricsRate24h reads the 24 h × 1000 series of
// internal/prom/promstorage's BenchmarkRateByJob24h (5.76M sum points,
// written 40 points of a series at a time), from the directory that
// benchmark keeps under OVERLOOK_BENCH_DIR (skipped without it). It
// reports process CPU per read.
//
//	OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/prom/promstorage -run '^$' -bench RateByJob24h -benchtime 1x
//	OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/store/duckdb -run '^$' -bench SelectMetricsRate24h -benchmem -benchtime 10x
func BenchmarkSelectMetricsRate24h(b *testing.B) {
	dir := os.Getenv("OVERLOOK_BENCH_DIR")
	if dir == "" {
		b.Skip("OVERLOOK_BENCH_DIR is not set")
	}
	dir = filepath.Join(dir, "rate24h")
	if _, err := os.Stat(filepath.Join(dir, "bench-loaded")); err != nil {
		b.Skipf("no data in %s: run promstorage's BenchmarkRateByJob24h first", dir)
	}
	benchSelectRate24h(b, dir, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
}

// BenchmarkSelectMetricsScrapeLayout reads the same 5.76M points as
// written by bench/query -metrics through OTLP (each timestamp across
// all 1000 series, as scrapes and exporters write them), from a copy of
// its data directory in OVERLOOK_BENCH_PROM_DIR (skipped without it).
//
//	go run ./bench/query -binary bin/overlook -data /tmp/prom -sources "" -metrics -runs 1
//	cp -r /tmp/prom /tmp/prom-copy
//	OVERLOOK_BENCH_PROM_DIR=/tmp/prom-copy go test ./internal/store/duckdb -run '^$' -bench SelectMetricsScrapeLayout -benchmem -benchtime 10x
func BenchmarkSelectMetricsScrapeLayout(b *testing.B) {
	dir := os.Getenv("OVERLOOK_BENCH_PROM_DIR")
	if dir == "" {
		b.Skip("OVERLOOK_BENCH_PROM_DIR is not set")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "bench-promql-end.txt"))
	if err != nil {
		b.Skipf("no bench/query -metrics data in %s: %v", dir, err)
	}
	end, err := time.Parse(time.RFC3339, strings.TrimSpace(string(raw)))
	if err != nil {
		b.Fatal(err)
	}
	benchSelectRate24h(b, dir, end)
}

func benchSelectRate24h(b *testing.B, dir string, end time.Time) {
	s, err := Open(Config{Dir: dir}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	p := store.MetricSelectParams{Kind: store.MetricSum, Names: []string{"x_total"}, AllNames: true,
		Start: end.Add(-24*time.Hour - 5*time.Minute), End: end}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		got, err := s.SelectMetrics(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 1000 {
			b.Fatalf("got %d series", len(got))
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
