package duckdb

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// Benchmarks of the insert path, end to end from pdata (pdata → data
// chunks → appender → commit with WAL fsync), on realistic data
// (storetest.Sample*: ~10 attributes per record, 8 resource attributes).
//
// BenchmarkInsert* report rows/s (wall) and cpu-µs/row (process CPU time,
// DuckDB's threads included; robust when other processes share the
// cores). Each writer goroutine reuses a few pre-built batches, shifting
// their timestamps, so generating data is not measured. Disk usage is
// measured on fresh data by BenchmarkDiskUsage.
//
//	go test ./internal/store/duckdb -run '^$' -bench . -benchtime 200x

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type benchData interface {
	shift(d time.Duration)
	insert(s *Store) error
}

type logData struct{ ld plog.Logs }

func (l logData) shift(d time.Duration) {
	for _, rl := range l.ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.SetTimestamp(lr.Timestamp() + pcommon.Timestamp(d))
				lr.SetObservedTimestamp(lr.ObservedTimestamp() + pcommon.Timestamp(d))
			}
		}
	}
}
func (l logData) insert(s *Store) error { return s.InsertLogs(context.Background(), l.ld) }

type traceData struct{ td ptrace.Traces }

func (t traceData) shift(d time.Duration) {
	for _, rs := range t.td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				sp.SetStartTimestamp(sp.StartTimestamp() + pcommon.Timestamp(d))
				sp.SetEndTimestamp(sp.EndTimestamp() + pcommon.Timestamp(d))
			}
		}
	}
}
func (t traceData) insert(s *Store) error { return s.InsertTraces(context.Background(), t.td) }

const poolPerWriter = 4

func benchInsert(b *testing.B, batch, writers int, gen func(at time.Time, n int) benchData) {
	if rows := os.Getenv("OVERLOOK_BENCH_ROWS"); rows != "" && b.N > 1 {
		// Fixed total rows instead of b.N batches, for comparing batch sizes.
		n, _ := strconv.Atoi(rows)
		b.N = max(1, n/batch)
	}
	cfg := Config{Dir: b.TempDir()}
	if v := os.Getenv("OVERLOOK_BENCH_WRITER_CONNS"); v != "" {
		cfg.WriterConns, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("OVERLOOK_BENCH_THREADS"); v != "" {
		cfg.Threads, _ = strconv.Atoi(v)
	}
	s, err := Open(cfg, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	base := time.Now().Add(-24 * time.Hour)
	pools := make([][]benchData, writers)
	for w := range pools {
		for i := range poolPerWriter {
			pools[w] = append(pools[w], gen(base.Add(time.Duration((w*poolPerWriter+i)*batch)*time.Millisecond), batch))
		}
	}
	step := time.Duration(writers*poolPerWriter*batch) * time.Millisecond
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	for w := range writers {
		wg.Go(func() {
			for k := 0; ; k++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				d := pools[w][k%poolPerWriter]
				if k >= poolPerWriter {
					d.shift(step)
				}
				if err := d.insert(s); err != nil {
					failed.Store(err)
				}
			}
		})
	}
	wg.Wait()
	el, cpu := time.Since(t0), cpuTime()-c0
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	rows := float64(b.N * batch)
	b.ReportMetric(rows/el.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Microseconds())/rows, "cpu-µs/row")
	for _, w := range []*writer{s.logs, s.traces} {
		if st := w.statsSnapshot(); st.Rows > 0 {
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(st.Rows) }
			b.Logf("%s: %d commits of %.0f batches avg; µs/row: gate %.2f append %.2f flush %.2f commit %.2f",
				w.name, st.Commits, float64(st.Batches)/float64(st.Commits), per(st.GateWait), per(st.Append), per(st.Flush), per(st.Commit))
		}
	}
}

func genLogs(at time.Time, n int) benchData   { return logData{storetest.SampleLogsAt(at, n)} }
func genTraces(at time.Time, n int) benchData { return traceData{storetest.SampleTracesAt(at, n)} }

func BenchmarkInsertLogs(b *testing.B) {
	for _, batch := range benchBatches {
		for _, w := range []int{1, 4} {
			b.Run(fmt.Sprintf("batch=%d/writers=%d", batch, w), func(b *testing.B) { benchInsert(b, batch, w, genLogs) })
		}
	}
}

func BenchmarkInsertTraces(b *testing.B) {
	for _, batch := range benchBatches {
		for _, w := range []int{1, 4} {
			b.Run(fmt.Sprintf("batch=%d/writers=%d", batch, w), func(b *testing.B) { benchInsert(b, batch, w, genTraces) })
		}
	}
}

// BenchmarkDiskUsage inserts b.N fresh batches of 5000 rows and reports
// the database size per row after a checkpoint (run with -benchtime 200x
// or more: DuckDB allocates in 256 KiB blocks and 122880-row groups).
func BenchmarkDiskUsage(b *testing.B) {
	for _, kind := range []string{"logs", "traces"} {
		b.Run(kind, func(b *testing.B) {
			s, err := Open(Config{Dir: b.TempDir()}, testLogger(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			base := time.Now().Add(-24 * time.Hour)
			const batch = 5000
			for i := range b.N {
				at := base.Add(time.Duration(i*batch) * time.Millisecond)
				var d benchData = logData{storetest.SampleLogsAt(at, batch)}
				if kind == "traces" {
					d = traceData{storetest.SampleTracesAt(at, batch)}
				}
				if err := d.insert(s); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Checkpoint(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(s.Stats().DiskBytes)/float64(b.N*batch), "disk-B/row")
		})
	}
}

// BenchmarkConvert measures filling data chunks from pdata alone, with
// the schema's columns only and with the default materialised columns.
func BenchmarkConvert(b *testing.B) {
	ld := storetest.SampleLogsAt(time.Now(), 1000)
	td := storetest.SampleTracesAt(time.Now(), 1000)
	for _, mat := range []bool{false, true} {
		ls := chunkLayouts()
		if mat {
			ls = materializedLayouts(schema.Default())
		}
		b.Run(fmt.Sprintf("logs/materialized=%v", mat), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				c := logChunks(ls, ld)
				freeChunks(c.chunks)
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("traces/materialized=%v", mat), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				s, i := traceChunks(ls, td)
				freeChunks(s.chunks)
				freeChunks(i.chunks)
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

var benchBatches = []int{1000, 5000}

func init() {
	if v := os.Getenv("OVERLOOK_BENCH_BATCHES"); v != "" {
		benchBatches = nil
		for _, f := range strings.Split(v, ",") {
			n, _ := strconv.Atoi(f)
			benchBatches = append(benchBatches, n)
		}
	}
}
