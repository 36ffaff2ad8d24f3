package overrides

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestConcurrent: Allow, Series and FilterSeries from many goroutines
// (run with -race); the bucket hands out exactly its burst with a frozen
// clock.
func TestConcurrent(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	l := New(Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 1, SpansBurst: 1000}, MaxActiveSeries: 50}},
		Options{Now: func() time.Time { return now }})
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if l.Allow("t", Spans, 1) == nil {
					mu.Lock()
					taken++
					mu.Unlock()
				}
				_ = l.FilterSeries(fmt.Sprint("t", g%2), gauge(10, fmt.Sprint("k", g)))
			}
		}()
	}
	wg.Wait()
	if taken != 1000 {
		t.Fatalf("%d spans taken, want exactly the burst of 1000", taken)
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 1e12, SpansBurst: 1e12}}}, Options{})
	b.ReportAllocs()
	for b.Loop() {
		_ = l.Allow("default", Spans, 100)
	}
}

// BenchmarkFilterSeries: one batch of 1000 gauge points of 1000 known
// series with 5 attributes each (the steady state).
func BenchmarkFilterSeries(b *testing.B) {
	l := New(Config{Defaults: Limits{MaxActiveSeries: 10_000}}, Options{})
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for i := range 1000 {
		m := ms.AppendEmpty()
		m.SetName("http.server.duration")
		p := m.SetEmptyGauge().DataPoints().AppendEmpty()
		for a := range 4 {
			p.Attributes().PutStr(fmt.Sprint("k", a), "value")
		}
		p.Attributes().PutInt("i", int64(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.FilterSeries("default", md); err != nil {
			b.Fatal(err)
		}
	}
}
