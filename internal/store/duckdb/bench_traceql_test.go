package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
//
// OVERLOOK_BENCH_DIR keeps the loaded data in that directory and reuses it
// in later runs with the same OVERLOOK_BENCH_SPANS (loading 5M spans takes
// minutes on a shared machine).
func BenchmarkTraceQL(b *testing.B) {
	n := 200_000
	if v := os.Getenv("OVERLOOK_BENCH_SPANS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	dir, base, loaded := benchTraceQLDir(b, n)
	// Bulk load: a batch may wait for the commit queue as long as it takes.
	s, err := Open(Config{Dir: dir, MaxQueueWait: -1}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const batch = 8000
	if !loaded {
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
		benchTraceQLDirDone(b, dir, n, base)
	}
	start, end := base.Add(-time.Minute), base.Add(time.Duration(n)*time.Millisecond+time.Minute)
	for _, c := range []struct{ name, q string }{
		{"filter", `{ status = error && span.http.method = "POST" }`},
		{"resource_duration", `{ resource.service.name = "frontend" && duration > 40ms }`},
		{"regex", `{ name =~ "GET /api/.*" && span.app.payment.card_type = "visa" }`},
		{"child", `{ kind = server } > { status = error }`},
		{"descendant", `{ kind = server } >> { status = error && span.app.cart.items > 15 }`},
		{"count", `{ span.http.method = "POST" } | count() > 2`},
		{"by_avg", `{ } | by(resource.service.name) | avg(duration) > 45ms`},
		// No trace matches: every slice is read, the last the whole range.
		{"count_none", `{ } | count() > 8`},
		{"by_avg_none", `{ } | by(resource.service.name) | avg(duration) > 1s`},
	} {
		q, err := traceql.Parse(c.q)
		if err != nil {
			b.Fatal(err)
		}
		run := func(name string, hex bool) {
			b.Run(name, func(b *testing.B) {
				s.tqHexIDs = hex
				defer func() { s.tqHexIDs = false }()
				for range b.N {
					res, err := s.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: q, Start: start, End: end, Limit: 20, SpansPerSet: 3})
					if err != nil || (len(res) == 0) != strings.HasSuffix(c.name, "_none") {
						b.Fatalf("%s: %d traces, %v", c.q, len(res), err)
					}
				}
			})
		}
		if !q.Sliceable() {
			// Before and after reading the stored ID bytes (the bound of the
			// slice's traces and the search statements), in one run.
			run(c.name+"/hex_ids", true)
		}
		run(c.name, false)
	}
	since := end.Add(-end.Sub(start) / traceQLFirstSlice)
	for _, hex := range []bool{true, false} {
		b.Run(fmt.Sprintf("bound/hex=%v", hex), func(b *testing.B) {
			s.tqHexIDs = hex
			defer func() { s.tqHexIDs = false }()
			for range b.N {
				if _, ok, err := s.traceQLTracesFrom(ctx, start, since, end); err != nil || !ok {
					b.Fatalf("bound: %v, %v", ok, err)
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

// benchTraceQLDir returns the directory BenchmarkTraceQL's store lives in,
// the start of its spans, and whether n spans are loaded there already
// (OVERLOOK_BENCH_DIR, see BenchmarkTraceQL).
func benchTraceQLDir(b *testing.B, n int) (string, time.Time, bool) {
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).Truncate(time.Second)
	dir := os.Getenv("OVERLOOK_BENCH_DIR")
	if dir == "" {
		return b.TempDir(), base, false
	}
	mark, err := os.ReadFile(filepath.Join(dir, "bench-traceql"))
	if err == nil {
		var m, ns int64
		if _, err := fmt.Sscan(string(mark), &m, &ns); err == nil && m == int64(n) {
			return dir, time.Unix(0, ns), true
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	return dir, base, false
}

// benchTraceQLDirDone marks dir as holding n spans from base.
func benchTraceQLDirDone(b *testing.B, dir string, n int, base time.Time) {
	if os.Getenv("OVERLOOK_BENCH_DIR") == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "bench-traceql"), fmt.Appendf(nil, "%d %d", n, base.UnixNano()), 0o644); err != nil {
		b.Fatal(err)
	}
}
