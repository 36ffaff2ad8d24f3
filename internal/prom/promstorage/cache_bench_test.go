package promstorage

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/prom/promsplit"
)

// BenchmarkRateByJob24hCache is BenchmarkRateByJob24h's query through the
// results cache (internal/prom/promcache) over the split path, as the API
// evaluates it:
//
//   - cold: every query shifted by another second (a new step alignment):
//     nothing cached applies, the first evaluation of a query;
//
//   - repeated: the same range, every hour cached;
//
//   - sliding: the range ends 6m30s before the data's end (another step
//     alignment) and every query moves it one step later, as a dashboard's
//     range moves with now: the hour holding its end (≈ 55 steps) is
//     evaluated, the others are cached;
//
//   - open_hour: the same range ending a minute before the data's end,
//     with the clock at the data's end: its newest hour (60 steps) is open
//     and evaluated every time, 23 hours come from the cache (a dashboard
//     with end = now, at the end of an hour: the most it evaluates).
//
//     OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/prom/promstorage -run '^$' -bench RateByJob24hCache -benchtime 5x
func BenchmarkRateByJob24hCache(b *testing.B) {
	st, end := benchStore(b)
	q := NewQueryable(st, Options{})
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	defer engine.Close()
	split := promsplit.New(engine, promsplit.Options{})
	const qs = `sum by (job) (rate(x_total[5m]))`
	for _, tc := range []struct {
		name  string
		now   time.Time
		shift func(i int) time.Duration
	}{
		{"cold", end.Add(24 * time.Hour), func(i int) time.Duration { return time.Duration(i%59+1) * time.Second }},
		{"repeated", end.Add(24 * time.Hour), func(int) time.Duration { return 0 }},
		{"sliding", end.Add(24 * time.Hour), func(i int) time.Duration { return 390*time.Second - time.Duration(i+1)*time.Minute }},
		{"open_hour", end, func(int) time.Duration { return time.Minute }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cache := promcache.New(promcache.Options{MaxBytes: 64 << 20, Now: func() time.Time { return tc.now }})
			ce := promcache.NewEngine(split, cache, st.MetricGenerations(), "bench", nil)
			query := func(shift time.Duration) {
				qry, err := ce.NewRangeQuery(context.Background(), q, nil, qs, end.Add(-24*time.Hour-shift), end.Add(-shift), time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				res := qry.Exec(context.Background())
				if m, ok := res.Value.(promql.Matrix); res.Err != nil || !ok || len(m) != 10 || len(m[0].Floats) < 1400 {
					b.Fatalf("result: %v %v", res.Err, res.Value)
				}
				qry.Close()
			}
			query(tc.shift(-1)) // the cache's first evaluation, untimed
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				query(tc.shift(i))
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
