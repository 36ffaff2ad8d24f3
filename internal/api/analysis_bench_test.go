package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// BenchmarkAnalysis loads OVERLOOK_BENCH_ROWS (default 1M) logs and as many
// spans (storetest's samples: 10 services, k8s resources, ~15 attributes
// per row), checkpoints, and measures the analysis endpoints over the whole
// range, through the handler:
//
//	go test ./internal/api -run '^$' -bench Analysis -benchtime 5x
//
// docs/benchmarks.md records the figures (targets: patterns ≤ 1.5 s on
// 1M logs, deltas ≤ 1 s on 1M spans).
func BenchmarkAnalysis(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("OVERLOOK_BENCH_ROWS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	st, err := duckdb.Open(duckdb.Config{Dir: b.TempDir(), MaxQueueWait: -1}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	const batch = 5000
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t0 := time.Now()
	for i := 0; i < n; i += batch {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if err := st.InsertTraces(ctx, storetest.SampleTracesAt(at, batch)); err != nil {
			b.Fatal(err)
		}
		if err := st.InsertLogs(ctx, storetest.SampleLogsAt(at, batch)); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Checkpoint(); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d spans + %d logs in %v", n, n, time.Since(t0))
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler), QueryTimeout: time.Minute})
	rng := `"start":"` + base.Format(time.RFC3339) + `","end":"` + base.Add(time.Duration(n)*time.Millisecond+time.Minute).Format(time.RFC3339) + `"`
	for _, c := range []struct{ name, path, body string }{
		{"Patterns", "/api/patterns", `{"source":"logs",` + rng + `}`},
		{"PatternsSpans", "/api/patterns", `{"source":"traces",` + rng + `}`},
		{"Deltas", "/api/deltas", `{"source":"traces",` + rng + `,"selection":{"durationMinMs":40}}`},
		{"FacetsLogs", "/api/facets", `{"source":"logs",` + rng + `}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				rec := httptest.NewRecorder()
				a.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body)))
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}
