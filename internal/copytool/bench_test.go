package copytool

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// TestCopyThroughput measures `overlook copy` (docs/benchmarks.md):
// OVERLOOK_BENCH_COPY rows each of logs and spans (storetest samples) are
// copied from DuckDB into ClickHouse (chDB through chdbserver, in this
// process's machine) in pages of 10000; it logs rows/s and the copying
// process's CPU per 1000 rows. Skipped unless the variable is set.
//
//	OVERLOOK_BENCH_COPY=200000 go test ./internal/copytool -run TestCopyThroughput -v
func TestCopyThroughput(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_COPY"))
	if n <= 0 {
		t.Skip("set OVERLOOK_BENCH_COPY=rows to measure")
	}
	ch := chdb.Start(t, chdb.Options{})
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	src, err := duckdb.Open(duckdb.Config{Dir: filepath.Join(t.TempDir(), "data")}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += 10000 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if err := src.InsertLogs(ctx, storetest.SampleLogsAt(at, min(10000, n-i))); err != nil {
			t.Fatal(err)
		}
		if err := src.InsertTraces(ctx, storetest.SampleTracesAt(at, min(10000, n-i))); err != nil {
			t.Fatal(err)
		}
	}
	dst, err := clickhouse.Open(ctx, clickhouse.Config{Endpoint: "http://" + ch.Endpoint, Database: "default"}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, tb := range []*schema.Table{&schema.Logs, &schema.Traces} {
		cpu0, t0 := cpuTime(), time.Now()
		reps, err := Copy(ctx, src, dst, []*schema.Table{tb}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wall, cpu := time.Since(t0), cpuTime()-cpu0
		t.Logf("%s: %d rows in %v: %.0f rows/s, %.1f ms CPU (this process) per 1000 rows",
			tb.Name, reps[0].Rows, wall.Round(time.Millisecond), float64(reps[0].Rows)/wall.Seconds(),
			float64(cpu.Milliseconds())/float64(reps[0].Rows)*1000)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
