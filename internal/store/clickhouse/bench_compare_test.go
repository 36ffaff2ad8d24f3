package clickhouse

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// TestCompareBackends measures, for docs/benchmarks.md, ingest and reads
// of the same rows in ClickHouse (chDB through chdbserver) and DuckDB:
// rows/s, CPU per 1k rows (client and server processes), bytes per row on
// disk, trace-by-ID and search latency. It runs only with
// OVERLOOK_BENCH_ROWS set (e.g. 1000000): it is a measurement, not a test.
func TestCompareBackends(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_ROWS"))
	if n <= 0 {
		t.Skip("set OVERLOOK_BENCH_ROWS (e.g. 1000000) to measure ClickHouse against DuckDB")
	}
	const batch = 10000
	base := time.Now().UTC().Add(-time.Duration(n) * time.Millisecond).Truncate(time.Second)
	srv := chdb.Start(t, chdb.Options{})
	ctx := context.Background()
	chs, err := Open(ctx, Config{Endpoint: "http://" + srv.Endpoint}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer chs.Close()
	dds, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer dds.Close()
	type backend struct {
		name string
		st   store.Store
		pid  int
	}
	var report []string
	for _, b := range []backend{{"clickhouse (chDB)", chs, srv.PID()}, {"duckdb", dds, 0}} {
		for _, sig := range []string{"logs", "traces"} {
			cpu0, srv0 := selfCPU(), procCPU(b.pid)
			t0 := time.Now()
			for i := 0; i < n; i += batch {
				at := base.Add(time.Duration(i) * time.Millisecond)
				if sig == "logs" {
					err = b.st.InsertLogs(ctx, storetest.SampleLogsAt(at, batch))
				} else {
					err = b.st.InsertTraces(ctx, storetest.SampleTracesAt(at, batch))
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			el := time.Since(t0)
			client, server := selfCPU()-cpu0, procCPU(b.pid)-srv0
			report = append(report, fmt.Sprintf("| %s | ingest %s | %.0f rows/s | %.1f ms CPU/1k rows (client %.1f, server %.1f) |", b.name, sig,
				float64(n)/el.Seconds(), float64((client+server).Milliseconds())/float64(n)*1000,
				float64(client.Milliseconds())/float64(n)*1000, float64(server.Milliseconds())/float64(n)*1000))
		}
	}
	bytesCH, rowsCH := chBytes(t, chs)
	report = append(report, fmt.Sprintf("| clickhouse (chDB) | disk | %.0f B/row (logs+traces, %d rows, active parts) | |", float64(bytesCH)/float64(rowsCH), rowsCH))
	report = append(report, fmt.Sprintf("| duckdb | disk | %.0f B/row (logs+traces, %d rows, store files) | |", float64(dds.Stats().DiskBytes)/float64(2*n), 2*n))

	lo, hi := base.Add(-time.Minute), base.Add(time.Duration(n)*time.Millisecond+time.Minute)
	some, err := chs.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Start: lo, End: hi, Limit: 50})
	if err != nil || len(some.Rows) == 0 {
		t.Fatalf("no spans: %v", err)
	}
	var ids []string
	for _, r := range some.Rows {
		ids = append(ids, r["TraceId"].(string))
	}
	filter, _ := query.Parse(`ServiceName:checkout AND SpanAttributes.http.route:"/api/cart"`)
	for _, b := range []backend{{"clickhouse (chDB)", chs, 0}, {"duckdb", dds, 0}} {
		var tr, se []time.Duration
		for i, id := range ids[:20] {
			t0 := time.Now()
			spans, err := b.st.Trace(ctx, id)
			if err != nil || len(spans) == 0 {
				t.Fatalf("%s trace %s: %v, %d spans", b.name, id, err, len(spans))
			}
			tr = append(tr, time.Since(t0))
			if i < 5 {
				t0 = time.Now()
				if _, err := b.st.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Filter: filter, Start: lo, End: hi, Limit: 100}); err != nil {
					t.Fatal(err)
				}
				se = append(se, time.Since(t0))
			}
		}
		report = append(report, fmt.Sprintf("| %s | trace by ID | median %s | |", b.name, median(tr)))
		report = append(report, fmt.Sprintf("| %s | search (filter, newest 100 + count) | median %s | |", b.name, median(se)))
	}
	t.Logf("%d rows per signal, batches of %d:\n%s", n, batch, strings.Join(report, "\n"))
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2].Round(100 * time.Microsecond)
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the user+system CPU time of process pid (0: none).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ = 100
}

func chBytes(t *testing.T, s *Store) (bytes, rows uint64) {
	t.Helper()
	err := s.conn.QueryRow(context.Background(), "SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE database = ? AND active AND table IN ('otel_logs', 'otel_traces')", s.db).Scan(&bytes, &rows)
	if err != nil {
		t.Fatal(err)
	}
	return bytes, rows
}
