package duckdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func openMetricStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkSelectMetrics reads 24 h of 1000 gauge series scraped every
// 15 s (5.76M points), the shape of the PromQL benchmark.
//
//	go test ./internal/store/duckdb -run '^$' -bench SelectMetrics -benchtime 3x
func BenchmarkSelectMetrics(b *testing.B) {
	s := openMetricStore(b)
	ctx := context.Background()
	const series, step = 1000, 15 * time.Second
	points := int(24 * time.Hour / step)
	for c := 0; c < points; c += 240 {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "bench")
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("x")
		dps := m.SetEmptyGauge().DataPoints()
		for i := c; i < min(c+240, points); i++ {
			for k := range series {
				dp := dps.AppendEmpty()
				dp.Attributes().PutStr("instance", fmt.Sprintf("host-%d:9100", k))
				dp.Attributes().PutStr("job", fmt.Sprintf("job-%d", k%10))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * step)))
				dp.SetDoubleValue(float64(i))
			}
		}
		if err := s.InsertMetrics(ctx, md); err != nil {
			b.Fatal(err)
		}
	}
	// Fold the WAL in now, so the background checkpoint does not run
	// during the measurement.
	if _, err := s.db.Exec("CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op") }()
	for range b.N {
		got, err := s.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"x"},
			Start: t0, End: t0.Add(24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != series || len(got[0].Times) != points {
			b.Fatalf("got %d series, %d points", len(got), len(got[0].Times))
		}
	}
}
