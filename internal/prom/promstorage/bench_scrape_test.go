package promstorage

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// BenchmarkRateByJob24hScrapeLayout is BenchmarkRateByJob24h in process on
// the data the server is measured on: the 5.76M points bench/query
// -metrics loads through OTLP (each timestamp across all 1000 series, as
// scrapes write them, not 40 points of a series at a time), from a copy of
// its data directory in OVERLOOK_BENCH_PROM_DIR (skipped without it). The
// server's CPU per query minus this one's is what the server adds.
//
//	rm -rf /tmp/prom-copy && cp -a /tmp/p8prom /tmp/prom-copy
//	OVERLOOK_BENCH_PROM_DIR=/tmp/prom-copy go test ./internal/prom/promstorage -run '^$' -bench RateByJob24hScrapeLayout -benchtime 5x
func BenchmarkRateByJob24hScrapeLayout(b *testing.B) {
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
	st, err := duckdb.Open(duckdb.Config{Dir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	q := NewQueryable(st, Options{})
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	defer engine.Close()
	split := promsplit.New(engine, promsplit.Options{})
	for _, tc := range []struct {
		name  string
		step  time.Duration
		split bool
	}{
		{"range_step60s", time.Minute, false},
		{"range_step60s_split", time.Minute, true},
		{"range_step5m_split", 5 * time.Minute, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			b.ResetTimer()
			for range b.N {
				var qry promql.Query
				var err error
				if tc.split {
					qry, err = split.NewRangeQuery(context.Background(), q, nil, `sum by (job) (rate(x_total[5m]))`, end.Add(-24*time.Hour), end, tc.step)
				} else {
					qry, err = engine.NewRangeQuery(context.Background(), q, nil, `sum by (job) (rate(x_total[5m]))`, end.Add(-24*time.Hour), end, tc.step)
				}
				if err != nil {
					b.Fatal(err)
				}
				res := qry.Exec(context.Background())
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				if m, ok := res.Value.(promql.Matrix); !ok || len(m) != 10 || len(m[0].Floats) < 280 {
					b.Fatalf("result: %v", res.Value)
				}
				qry.Close()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
