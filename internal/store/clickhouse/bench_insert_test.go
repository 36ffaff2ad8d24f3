package clickhouse

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// BenchmarkInsertLogs measures InsertLogs of 10k-record exports into
// ClickHouse (chDB through chdbserver); the export is built once.
func BenchmarkInsertLogs(b *testing.B) {
	srv := engine
	if srv == nil {
		b.Skip("chDB not installed (make chdb)")
	}
	st, err := Open(context.Background(), Config{Endpoint: "http://" + srv.Endpoint}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ld := storetest.SampleLogsAt(time.Now().Add(-time.Hour), 10000)
	b.ResetTimer()
	for range b.N {
		if err := st.InsertLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
