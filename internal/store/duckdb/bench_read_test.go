package duckdb

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// BenchmarkRead loads OVERLOOK_BENCH_SPANS spans (default 1M) and as many
// logs, checkpoints, and measures the read paths:
//
//	OVERLOOK_BENCH_SPANS=5000000 go test ./internal/store/duckdb -run '^$' -bench Read -benchtime 50x
func BenchmarkRead(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("OVERLOOK_BENCH_SPANS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s, err := Open(Config{Dir: b.TempDir()}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const batch = 5000
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).Truncate(time.Second)
	t0 := time.Now()
	for i := 0; i < n; i += batch {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if err := s.InsertTraces(ctx, storetest.SampleTracesAt(at, batch)); err != nil {
			b.Fatal(err)
		}
		if err := s.InsertLogs(ctx, storetest.SampleLogsAt(at, batch)); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Checkpoint(); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d spans + %d logs in %v, %d B on disk", n, n, time.Since(t0), s.Stats().DiskBytes)
	// A trace in the middle of the data.
	mid := base.Add(time.Duration(n/2/batch*batch) * time.Millisecond)
	ids := storetest.SampleTracesAt(mid, 8).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	tid := ids.String()
	end := base.Add(time.Duration(n) * time.Millisecond)

	b.Run("Trace", func(b *testing.B) {
		took := make([]time.Duration, 0, b.N)
		for range b.N {
			t0 := time.Now()
			rows, err := s.Trace(ctx, tid)
			took = append(took, time.Since(t0))
			if err != nil || len(rows) != 8 {
				b.Fatalf("Trace: %d rows, %v", len(rows), err)
			}
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	})
	b.Run("TraceLogs", func(b *testing.B) {
		for range b.N {
			if _, err := s.TraceLogs(ctx, tid, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SearchLast15m", func(b *testing.B) {
		for range b.N {
			if _, err := s.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: end.Add(-15 * time.Minute), End: end}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SearchAll", func(b *testing.B) {
		for range b.N {
			if _, err := s.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Start: base, End: end}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Count by service over the whole range (24 h at 86M spans; all of it
	// here): from the parts' per-minute counts, and with SQL only.
	for _, c := range []struct {
		name string
		sql  bool
		req  query.ChartRequest
	}{
		{"CountByServiceTable", false, query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "count"}},
			GroupBy: query.GroupByList{"ServiceName"}, DisplayType: "table", Limit: 100}},
		{"CountByServiceTableSQL", true, query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "count"}},
			GroupBy: query.GroupByList{"ServiceName"}, DisplayType: "table", Limit: 100}},
		{"CountByServicePerMinute", false, query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "count"}},
			GroupBy: query.GroupByList{"ServiceName"}, Granularity: "1 minute", Limit: 100}},
		{"CountByServicePerMinuteSQL", true, query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "count"}},
			GroupBy: query.GroupByList{"ServiceName"}, Granularity: "1 minute", Limit: 100}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s.noCountIndex = c.sql
			defer func() { s.noCountIndex = false }()
			for range b.N {
				res, err := s.Chart(ctx, store.ChartParams{Request: &c.req, Start: base.Add(-time.Minute), End: end.Add(time.Minute)})
				if err != nil || len(res.Series) == 0 {
					b.Fatalf("chart: %v", err)
				}
			}
		})
	}
	b.Run("FieldsLastHour", func(b *testing.B) {
		for range b.N {
			if _, err := s.Fields(ctx, store.FieldsParams{Source: &schema.TracesSource, Start: end.Add(-time.Hour), End: end}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
