package parts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// Benchmarks: CPU per 1k rows (process CPU, so the background part
// writer and merger count) and bytes on disk per row after Close, on
// synthetic data with ~10 attributes per row. bench/ingest's
// BenchmarkPartsInsert* measure the same on its realistic generator.
//
//	go test ./internal/store/parts -run '^$' -bench BenchmarkInsert -benchtime 200x

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var (
	benchServices = []string{"frontend", "cart", "checkout", "payment", "shipping", "email", "ads", "currency"}
	benchRoutes   = []string{"/", "/cart", "/product/{id}", "/checkout", "/api/ads", "/api/recommendations"}
)

func benchResource(r *rand.Rand, res pcommon.Resource, svc string) {
	a := res.Attributes()
	a.PutStr("service.name", svc)
	a.PutStr("service.version", "1.4.2")
	a.PutStr("k8s.namespace.name", "shop")
	a.PutStr("k8s.pod.name", fmt.Sprintf("%s-7d9f-%d", svc, r.IntN(3)))
	a.PutStr("host.name", fmt.Sprintf("node-%d", r.IntN(4)))
	a.PutStr("telemetry.sdk.language", "go")
}

func benchTraces(r *rand.Rand, n int, at time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	for len(benchServices) > 0 && n > 0 {
		svc := benchServices[r.IntN(len(benchServices))]
		rs := td.ResourceSpans().AppendEmpty()
		benchResource(r, rs.Resource(), svc)
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
		for range min(n, 100) {
			n--
			sp := ss.Spans().AppendEmpty()
			var tid pcommon.TraceID
			var sid pcommon.SpanID
			for i := range tid {
				tid[i] = byte(r.Uint32())
			}
			for i := range sid {
				sid[i] = byte(r.Uint32())
			}
			sp.SetTraceID(tid)
			sp.SetSpanID(sid)
			sp.SetParentSpanID(pcommon.SpanID{byte(r.Uint32()), byte(r.Uint32()), 3, 4, 5, 6, 7, 8})
			route := benchRoutes[r.IntN(len(benchRoutes))]
			sp.SetName("GET " + route)
			sp.SetKind(ptrace.SpanKindServer)
			start := at.Add(time.Duration(r.IntN(1e9)))
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(r.ExpFloat64() * 2e7))))
			a := sp.Attributes()
			a.PutStr("http.request.method", "GET")
			a.PutStr("http.route", route)
			a.PutInt("http.response.status_code", []int64{200, 200, 200, 404, 500}[r.IntN(5)])
			a.PutStr("url.path", route)
			a.PutStr("user_agent.original", "Mozilla/5.0")
			a.PutStr("network.peer.address", fmt.Sprintf("10.0.%d.%d", r.IntN(4), r.IntN(255)))
			a.PutInt("http.response.body.size", int64(r.IntN(20000)))
			a.PutStr("session.id", fmt.Sprintf("%016x", r.Uint64()%5000))
			if r.IntN(20) == 0 {
				sp.Status().SetCode(ptrace.StatusCodeError)
				ev := sp.Events().AppendEmpty()
				ev.SetName("exception")
				ev.SetTimestamp(sp.EndTimestamp())
				ev.Attributes().PutStr("exception.type", "TimeoutError")
			}
		}
	}
	return td
}

func benchLogs(r *rand.Rand, n int, at time.Time) plog.Logs {
	ld := plog.NewLogs()
	for n > 0 {
		svc := benchServices[r.IntN(len(benchServices))]
		rl := ld.ResourceLogs().AppendEmpty()
		benchResource(r, rl.Resource(), svc)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("app")
		for range min(n, 100) {
			n--
			lr := sl.LogRecords().AppendEmpty()
			lr.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(r.IntN(1e9)))))
			lr.SetObservedTimestamp(lr.Timestamp() + 1000)
			if r.IntN(2) == 0 {
				var tid pcommon.TraceID
				for i := range tid {
					tid[i] = byte(r.Uint32())
				}
				lr.SetTraceID(tid)
				lr.SetSpanID(pcommon.SpanID{byte(r.Uint32()), 2, 3, 4, 5, 6, 7, 8})
			}
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.SetSeverityText("INFO")
			route := benchRoutes[r.IntN(len(benchRoutes))]
			lr.Body().SetStr(fmt.Sprintf("handled GET %s in %d ms for user %d", route, r.IntN(300), r.IntN(10000)))
			a := lr.Attributes()
			a.PutStr("http.route", route)
			a.PutInt("http.status_code", 200)
			a.PutStr("request.id", fmt.Sprintf("%016x", r.Uint64()))
			a.PutStr("user.id", fmt.Sprint(r.IntN(10000)))
		}
	}
	return ld
}

func benchInsert(b *testing.B, kind Kind, insert func(tb *Table, i int) error) {
	dir := b.TempDir()
	tb, err := Open(context.Background(), Config{Dir: dir, Kind: kind, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := processCPU()
	refused := 0
	for i := range b.N {
		for {
			err := insert(tb, i)
			if errors.Is(err, store.ErrOverloaded) {
				refused++ // part writing is behind: retry, as a client does
				time.Sleep(10 * time.Millisecond)
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	if err := tb.Close(); err != nil {
		b.Fatal(err)
	}
	used := processCPU() - cpu
	b.StopTimer()
	rows := float64(b.N) * 1000
	b.ReportMetric(float64(used.Microseconds())/1000/(rows/1000), "cpu-ms/1k")
	tb, err = Open(context.Background(), Config{Dir: dir, Kind: kind, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	st := tb.Stats()
	if err := tb.Close(); err != nil {
		b.Fatal(err)
	}
	if st.Rows != int64(rows) {
		b.Fatalf("stored %d rows, want %d", st.Rows, int64(rows))
	}
	b.ReportMetric(float64(st.DiskBytes)/rows, "B/row")
	b.ReportMetric(float64(refused), "refusals")
}

// BenchmarkInsertTraces inserts b.N requests of 1000 spans (60 distinct
// pregenerated ones, more than a part holds).
func BenchmarkInsertTraces(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([]ptrace.Traces, 60)
	for i := range batches {
		batches[i] = benchTraces(r, 1000, base.Add(time.Duration(i)*time.Second))
	}
	benchInsert(b, Traces, func(tb *Table, i int) error {
		return tb.InsertTraces(context.Background(), batches[i%len(batches)])
	})
}

// BenchmarkInsertLogs is BenchmarkInsertTraces for log records.
func BenchmarkInsertLogs(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([]plog.Logs, 60)
	for i := range batches {
		batches[i] = benchLogs(r, 1000, base.Add(time.Duration(i)*time.Second))
	}
	benchInsert(b, Logs, func(tb *Table, i int) error {
		return tb.InsertLogs(context.Background(), batches[i%len(batches)])
	})
}

// BenchmarkTraceLookup: one trace by ID over OVERLOOK_BENCH_SPANS spans
// (default 200k; parts of 50k rows, merged in the background), written
// with pages of OVERLOOK_PAGE_BYTES (default parquet-go's 256 KiB):
// "go" reads it with TraceSpans (reported: p50 and p99 per lookup, row
// groups searched per lookup, and the bytes on disk per span);
// "go-all-row-groups" the same without the parts' row-group filters (as
// before them: every row group of a part searched); the others count its spans through DuckDB
// over the parts SnapshotTrace picks (bloom), filtering ViewSQL on the
// hex TraceId or ViewSQLTrace (on the stored BLOB), the latter also with
// DuckDB's parquet_metadata_cache on.
//
//	OVERLOOK_BENCH_SPANS=1000000 go test ./internal/store/parts -run '^$' -bench 'TraceLookup/go' -benchtime 500x
func BenchmarkTraceLookup(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	n, _ := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_SPANS"))
	pageBytes, _ := strconv.Atoi(os.Getenv("OVERLOOK_PAGE_BYTES"))
	tb, err := Open(ctx, Config{Dir: dir, Kind: Traces, PageBytes: pageBytes, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var ids []string
	for i := range cmp.Or(n, 200_000) / 1000 {
		td := benchTraces(r, 1000, base.Add(time.Duration(i)*time.Second))
		if i%10 == 0 {
			id := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
			ids = append(ids, hexID(id))
		}
		if err := tb.InsertTraces(ctx, td); err != nil {
			b.Fatal(err)
		}
	}
	defer tb.Close()
	sn, err := tb.Snapshot(ctx, time.Time{}, time.Time{}) // every row in a part
	if err != nil {
		b.Fatal(err)
	}
	sn.Release()
	// Merges done before the lookups, so that the process CPU measured
	// around them is theirs.
	if err := tb.mergeAll(); err != nil {
		b.Fatal(err)
	}
	// "go" and "go-serial" (the column pages decoded one after the
	// other, as before the parallel decode) alternate, so that both see
	// the same machine load.
	// "go-parquet": every row group read by parquet-go, as before the
	// direct reader (trace_direct.go).
	for _, mode := range []string{"go", "go-serial", "go-parquet", "go", "go-serial", "go-parquet", "parallel-vs-serial", "go-all-row-groups", "view-hex", "blob", "blob-metadata-cache"} {
		b.Run(mode, func(b *testing.B) {
			if mode == "parallel-vs-serial" {
				benchParallelVsSerial(b, tb, ids)
				return
			}
			if mode == "go-serial" {
				tb.files.serial.Store(true)
				defer tb.files.serial.Store(false)
			}
			if mode == "go-parquet" {
				tb.files.noDirect.Store(true)
				defer tb.files.noDirect.Store(false)
			}
			if mode == "go-all-row-groups" {
				// As before the row-group filters: every row group of a
				// part the part's filter picks is searched.
				kept := map[*livePart][]bloomWords{}
				tb.mu.Lock()
				for _, p := range tb.parts {
					kept[p], p.meta.RowGroupBlooms = p.meta.RowGroupBlooms, nil
				}
				tb.mu.Unlock()
				defer func() {
					tb.mu.Lock()
					for p, f := range kept {
						p.meta.RowGroupBlooms = f
					}
					tb.mu.Unlock()
				}()
			}
			if strings.HasPrefix(mode, "go") {
				took := make([]time.Duration, 0, b.N)
				groups := tb.files.groupsRead.Load()
				cpu0 := processCPU()
				for i := range b.N {
					t0 := time.Now()
					rows, err := tb.TraceSpans(ctx, ids[i%len(ids)])
					took = append(took, time.Since(t0))
					if err != nil || len(rows) != 1 {
						b.Fatalf("trace %s: %d spans, %v; want 1", ids[i%len(ids)], len(rows), err)
					}
				}
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				st := tb.Stats()
				b.ReportMetric(float64(st.DiskBytes)/float64(st.Rows), "B/span")
				b.ReportMetric(float64(st.Parts), "parts")
				b.ReportMetric(float64(tb.files.groupsRead.Load()-groups)/float64(b.N), "groups/lookup")
				return
			}
			if mode == "blob-metadata-cache" {
				if _, err := db(b).Exec("SET parquet_metadata_cache = true"); err != nil {
					b.Fatal(err)
				}
				defer db(b).Exec("SET parquet_metadata_cache = false")
			}
			for i := range b.N {
				id := ids[i%len(ids)]
				s, err := tb.SnapshotTrace(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				q := "SELECT count(*) FROM (" + ViewSQLTrace(Traces, nil, s.Files, id) + ")"
				if mode == "view-hex" {
					q = "SELECT count(*) FROM (" + ViewSQL(Traces, nil, s.Files) + ") WHERE TraceId = '" + id + "'"
				}
				var n int
				if err := db(b).QueryRow(q).Scan(&n); err != nil {
					b.Fatal(err)
				}
				s.Release()
				if n != 1 {
					b.Fatalf("trace %s: %d spans, want 1", id, n)
				}
			}
		})
	}
}

// BenchmarkRecoverFullSegment: Open after a crash that left one full WAL
// segment (PartRows = 50k spans): the replay and the part write.
func BenchmarkRecoverFullSegment(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([]ptrace.Traces, 50)
	for i := range batches {
		batches[i] = benchTraces(r, 1000, base.Add(time.Duration(i)*time.Second))
	}
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		cfg := Config{Dir: dir, Kind: Traces, PartRows: 50_001, FlushInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)}
		tb, err := Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, td := range batches {
			if err := tb.InsertTraces(context.Background(), td); err != nil {
				b.Fatal(err)
			}
		}
		crash(tb)
		b.StartTimer()
		tb, err = Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if st := tb.Stats(); st.Rows != 50_000 {
			b.Fatalf("recovered %d rows", st.Rows)
		}
		tb.Close()
	}
}

// BenchmarkMerge: merging three parts of 50k spans into one.
func BenchmarkMerge(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([]ptrace.Traces, 150)
	for i := range batches {
		batches[i] = benchTraces(r, 1000, base.Add(time.Duration(i)*time.Second))
	}
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		cfg := Config{Dir: dir, Kind: Traces, MergeRows: 1 << 30, FlushInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)}
		tb, err := Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		tb.mergeMu.Lock() // no background merge
		for _, td := range batches {
			if err := tb.InsertTraces(context.Background(), td); err != nil {
				b.Fatal(err)
			}
		}
		s, _ := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
		s.Release()
		tb.mergeMu.Unlock()
		b.StartTimer()
		if err := tb.mergeAll(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if st := tb.Stats(); st.Merges != 1 || st.Parts != 1 {
			b.Fatalf("stats %+v", st)
		}
		tb.Close()
	}
}

// benchParallelVsSerial looks up the same traces with the column pages
// decoded in parallel and one after the other, alternating lookup by
// lookup so that both see the same machine load, and reports each's p50
// and their ratio.
func benchParallelVsSerial(b *testing.B, tb *Table, ids []string) {
	var took [2][]time.Duration // parallel, serial
	for i := range b.N {
		serial := i%2 == 1
		tb.files.serial.Store(serial)
		id := ids[(i/2)%len(ids)]
		t0 := time.Now()
		rows, err := tb.TraceSpans(context.Background(), id)
		d := time.Since(t0)
		if err != nil || len(rows) != 1 {
			b.Fatalf("trace %s: %d spans, %v; want 1", id, len(rows), err)
		}
		took[i%2] = append(took[i%2], d)
	}
	tb.files.serial.Store(false)
	if b.N < 2 {
		return // testing's first run of one lookup
	}
	p50 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	par, ser := p50(took[0]), p50(took[1])
	b.ReportMetric(par, "parallel-p50-ms")
	b.ReportMetric(ser, "serial-p50-ms")
	b.ReportMetric(par/ser, "ratio")
}
