package search

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// BenchmarkEvaluate measures one evaluation (its one chart query on the
// embedded store, the state step and the status write) of a search alert
// over OVERLOOK_BENCH_ROWS logs (default 300k, storetest's samples: 10
// services, ~15 attributes per row) spread over the last 5 minutes:
//
//	go test ./internal/alerting/search -run '^$' -bench Evaluate -benchtime 20x
//
// docs/alerting.md records the figures.
func BenchmarkEvaluate(b *testing.B) {
	n := 300_000
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
	end := time.Now()
	step := 5 * time.Minute / time.Duration(n)
	for i := 0; i < n; i += batch {
		if err := st.InsertLogs(ctx, storetest.SampleLogsAt(end.Add(-5*time.Minute+time.Duration(i)*step), batch)); err != nil {
			b.Fatal(err)
		}
	}
	as, err := meta.OpenAlerts(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s := New(Options{Store: st, Alerts: as, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), EvaluationTimeout: time.Minute})
	ch := meta.Channel{Type: "webhook", URL: "http://127.0.0.1:1/"}
	for _, c := range []struct {
		name string
		a    meta.Alert
	}{
		{"Count1m", meta.Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", Interval: "1m", Threshold: 1e12, Channel: ch}},
		{"Count5m", meta.Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", Interval: "5m", Threshold: 1e12, Channel: ch}},
		{"GroupedByService5m", meta.Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", GroupBy: []string{"ServiceName"},
			Interval: "5m", Threshold: 1e12, Channel: ch}},
		{"AttributeFilterLucene5m", meta.Alert{Name: "fn", Source: "logs", Query: "LogAttributes.code.function:handlecheckout", Interval: "5m", Threshold: 1e12, Channel: ch}},
		{"AttributeFilterSQL5m", meta.Alert{Name: "fn", Source: "logs", Query: "LogAttributes['code.function'] = 'handlecheckout'", WhereLanguage: "sql", Interval: "5m", Threshold: 1e12, Channel: ch}},
	} {
		a, err := s.Normalize(c.a)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := as.Create(a)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				got, err := s.Evaluate(ctx, rec.ID)
				if err != nil || got.State != StateOK || got.LastValue == nil {
					b.Fatalf("evaluation: %v %+v", err, got.AlertStatus)
				}
			}
		})
	}
}
