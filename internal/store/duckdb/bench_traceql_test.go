package duckdb

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// BenchmarkTraceQL loads OVERLOOK_BENCH_SPANS spans (default 200k; the
// documented figure is at 5M: traces of 8 spans, one span per ms, 10% of
// spans in error), checkpoints, and times TraceQL searches (limit 20,
// spss 3) and a metrics query over all of them:
//
//	OVERLOOK_BENCH_SPANS=5000000 go test ./internal/store/duckdb -run '^$' -bench TraceQL -benchtime 5x
func BenchmarkTraceQL(b *testing.B) {
	n := 200_000
	if v := os.Getenv("OVERLOOK_BENCH_SPANS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	// Bulk load: a batch may wait for the commit queue as long as it takes.
	s, err := Open(Config{Dir: b.TempDir(), MaxQueueWait: -1}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const batch = 8000
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).Truncate(time.Second)
	t0 := time.Now()
	for i := 0; i < n; i += batch {
		if err := s.InsertTraces(ctx, storetest.SampleTracesAt(base.Add(time.Duration(i)*time.Millisecond), batch)); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Checkpoint(); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d spans in %v", n, time.Since(t0))
	start, end := base.Add(-time.Minute), base.Add(time.Duration(n)*time.Millisecond+time.Minute)
	for _, c := range []struct{ name, q string }{
		{"filter", `{ status = error && span.http.method = "POST" }`},
		{"resource_duration", `{ resource.service.name = "frontend" && duration > 40ms }`},
		{"regex", `{ name =~ "GET /api/.*" && span.app.payment.card_type = "visa" }`},
		{"child", `{ kind = server } > { status = error }`},
		{"descendant", `{ kind = server } >> { status = error && span.app.cart.items > 15 }`},
		{"count", `{ span.http.method = "POST" } | count() > 2`},
		{"by_avg", `{ } | by(resource.service.name) | avg(duration) > 45ms`},
	} {
		q, err := traceql.Parse(c.q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				res, err := s.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: q, Start: start, End: end, Limit: 20, SpansPerSet: 3})
				if err != nil || len(res) == 0 {
					b.Fatalf("%s: %d traces, %v", c.q, len(res), err)
				}
			}
		})
	}
	q, err := traceql.Parse(`{ status = error } | rate() by (resource.service.name)`)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("metrics_rate", func(b *testing.B) {
		for range b.N {
			res, err := s.TraceQLMetrics(ctx, store.TraceQLMetricsParams{Query: q, Start: start, End: end, Step: time.Minute})
			if err != nil || len(res) == 0 {
				b.Fatalf("%d series, %v", len(res), err)
			}
		}
	})
}
