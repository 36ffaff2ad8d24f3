package promreceiver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// exposition10k is a target with 10,000 series: 50 counter and 50 gauge
// families of 100 series each, 3 labels per series.
func exposition10k(round int) string {
	var b strings.Builder
	for f := range 100 {
		typ := "counter"
		name := fmt.Sprintf("bench_family_%d_total", f)
		if f%2 == 1 {
			typ, name = "gauge", fmt.Sprintf("bench_family_%d", f)
		}
		fmt.Fprintf(&b, "# HELP %s Benchmark family %d.\n# TYPE %s %s\n", name, f, name, typ)
		for s := range 100 {
			fmt.Fprintf(&b, "%s{pod=\"pod-%d\",container=\"app\",code=\"%d\"} %d\n", name, s, 200+s%5, round*s)
		}
	}
	return b.String()
}

// BenchmarkScrape10kSeries scrapes a 10,000-series target (Prometheus text
// format) through the receiver into the DuckDB store, end to end, once
// per second, and reports process CPU per scrape and what that is as a
// share of one core at a 15 s interval.
//
//	go test ./internal/receiver/promreceiver -run '^$' -bench Scrape10k -benchtime 20x
func BenchmarkScrape10kSeries(b *testing.B) {
	var round atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(exposition10k(int(round.Add(1)))))
	}))
	defer srv.Close()
	st, err := duckdb.Open(duckdb.Config{Dir: b.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var scrapes, points atomic.Int64
	sink, _ := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		points.Add(int64(md.DataPointCount()))
		err := st.InsertMetrics(ctx, md)
		scrapes.Add(1)
		return err
	})
	cfg, err := loadConfig(b, map[string]any{"config": map[string]any{"scrape_configs": []any{map[string]any{
		"job_name": "bench", "scrape_interval": "1s", "scrape_timeout": "1s",
		"static_configs": []any{map[string]any{"targets": []any{strings.TrimPrefix(srv.URL, "http://")}}},
	}}}})
	if err != nil {
		b.Fatal(err)
	}
	r := startBenchReceiver(b, cfg, sink)
	defer func() { _ = r.Shutdown(context.Background()) }()
	for scrapes.Load() < 2 { // warm up: series caches, first appends
		time.Sleep(20 * time.Millisecond)
	}
	b.ResetTimer()
	cpu0, s0, p0 := cpuTime(), scrapes.Load(), points.Load()
	for scrapes.Load() < s0+int64(b.N) {
		time.Sleep(5 * time.Millisecond)
	}
	n := float64(scrapes.Load() - s0)
	cpu := (cpuTime() - cpu0).Seconds() / n
	b.ReportMetric(cpu*1000, "cpu-ms/scrape")
	b.ReportMetric(100*cpu/15, "%core@15s")
	b.ReportMetric(float64(points.Load()-p0)/n, "points/scrape")
}
