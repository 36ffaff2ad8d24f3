package main

// The storage layout study of issue 10 (docs/benchmarks.md, "Storage
// layout study (session 3)"): the same pre-generated bench/ingest spans
// inserted into today's store and into the prototypes of
// internal/store/prototype, one design per process so that peak RSS is
// the design's. It lives here, as a test of package main, because it
// reuses this package's generators and patching. It is skipped unless
// -study.design is given:
//
//	go test -c -tags duckdb_arrow -o /tmp/study ./bench/ingest
//	/tmp/study -test.run TestStorageStudy -test.v -study.design parquet -study.spans 1000000
//
// Designs: today (internal/store/duckdb), arrow-map and arrow-kv
// (prototype/duckarrow; need -tags duckdb_arrow), parquet
// and parquet-traceid (prototype/parquetparts, parts sorted by
// (ServiceName, Timestamp) or by (TraceId, Timestamp)).

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/prototype/parquetparts"
)

var (
	studyDesign      = flag.String("study.design", "", "design to measure: today, arrow-map, arrow-kv, parquet, parquet-traceid (empty: skip)")
	studySpans       = flag.Int("study.spans", 1_000_000, "spans to insert")
	studyDir         = flag.String("study.dir", "", "data dir (default: a temporary one); kept when given")
	studyConcurrency = flag.Int("study.concurrency", 4, "inserting goroutines")
	studyPartRows    = flag.Int("study.part-rows", 0, "parquet: rows per part (0: the store's default, 50000)")
	studyLookupsOnly = flag.String("study.lookups-only", "", "run only the trace-by-ID lookups whose name contains this")
	studyLookups     = flag.Int("study.lookups", 20, "trace-by-ID lookups after the load")
	studyPregen      = flag.Int("study.pregen", 50, "distinct batches of 2000 spans; values repeat every pregen × 2000 spans, so keep that above the part and row-group size")
	studyRowGroup    = flag.Int("study.rowgroup", 0, "parquet: rows per row group (0: the store's default, 16384)")
	studyPageBytes   = flag.Int("study.page-bytes", 0, "parquet: page buffer size in bytes (0: parquet-go's default)")
	studyHeapProfile = flag.String("study.heapprofile", "", "write a heap profile (in use) to this file when half the spans are stored")
)

// studySink is one design under test.
type studySink interface {
	// insert stores td; payload is its OTLP protobuf bytes as received.
	insert(ctx context.Context, td ptrace.Traces, payload []byte) error
	close() error
	// query opens the stored data for reading (after close) and returns
	// one or more named trace-by-ID functions and a count-by-service one.
	query(ctx context.Context) (lookups map[string]func(id string) (int, error), countBySvc func() (int64, error), done func(), err error)
}

// openStudySink is set per design; arrow designs register themselves in
// a file built only with the duckdb_arrow tag.
var studySinks = map[string]func(dir string) (studySink, error){
	"today": func(dir string) (studySink, error) {
		st, err := duckdb.Open(duckdb.Config{Dir: dir}, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		return &todaySink{st: st, dir: dir}, err
	},
	"parquet": func(dir string) (studySink, error) {
		st, err := parquetparts.Open(parquetparts.Config{Dir: dir, PartRows: *studyPartRows,
			RowGroupRows: *studyRowGroup, PageBytes: *studyPageBytes})
		return &parquetSink{st: st}, err
	},
	"parquet-traceid": func(dir string) (studySink, error) {
		st, err := parquetparts.Open(parquetparts.Config{Dir: dir, PartRows: *studyPartRows, Order: parquetparts.ByTraceID,
			RowGroupRows: *studyRowGroup, PageBytes: *studyPageBytes})
		return &parquetSink{st: st}, err
	},
	// null stores nothing: its peak RSS is the harness's own (templates,
	// rendering, decoded batches in flight), to subtract from a design's.
	"null": func(string) (studySink, error) { return nullSink{}, nil },
}

type nullSink struct{}

func (nullSink) insert(context.Context, ptrace.Traces, []byte) error { return nil }
func (nullSink) close() error                                        { return nil }
func (nullSink) query(context.Context) (map[string]func(string) (int, error), func() (int64, error), func(), error) {
	return map[string]func(string) (int, error){}, func() (int64, error) { return 0, nil }, func() {}, nil
}

type todaySink struct {
	st  *duckdb.Store
	dir string
}

func (s *todaySink) insert(ctx context.Context, td ptrace.Traces, _ []byte) error {
	return s.st.InsertTraces(ctx, td)
}
func (s *todaySink) close() error { return s.st.Close() }
func (s *todaySink) query(ctx context.Context) (map[string]func(string) (int, error), func() (int64, error), func(), error) {
	db, err := sql.Open("duckdb", filepath.Join(s.dir, "overlook.duckdb"))
	if err != nil {
		return nil, nil, nil, err
	}
	look, count := duckLookups(ctx, db)
	// What store.Trace does: find the trace's time window in
	// otel_traces_trace_id_ts, then read its spans inside it.
	look["via trace_id_ts"] = func(id string) (int, error) {
		return studyCountRows(ctx, db, `SELECT * FROM otel_traces WHERE TraceId = $1 AND Timestamp BETWEEN
			(SELECT min(Start) FROM otel_traces_trace_id_ts WHERE TraceId = $1) AND
			(SELECT max("End") FROM otel_traces_trace_id_ts WHERE TraceId = $1)`, id)
	}
	return look, count, func() { db.Close() }, nil
}

// duckLookups are the reads of a DuckDB file with an otel_traces table.
func duckLookups(ctx context.Context, db *sql.DB) (map[string]func(string) (int, error), func() (int64, error)) {
	look := map[string]func(string) (int, error){
		"scan": func(id string) (int, error) {
			return studyCountRows(ctx, db, "SELECT * FROM otel_traces WHERE TraceId = ?", id)
		},
	}
	count := func() (int64, error) {
		return sumCounts(ctx, db, "SELECT ServiceName, count(*) FROM otel_traces GROUP BY 1")
	}
	return look, count
}

type parquetSink struct{ st *parquetparts.Store }

func (s *parquetSink) insert(ctx context.Context, td ptrace.Traces, payload []byte) error {
	return s.st.InsertTracesProto(ctx, td, payload)
}
func (s *parquetSink) close() error { return s.st.Close() }
func (s *parquetSink) query(ctx context.Context) (map[string]func(string) (int, error), func() (int64, error), func(), error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, nil, nil, err
	}
	db.SetMaxOpenConns(1)
	all := s.st.Files("")
	scan := func(files []string, id string) (int, error) {
		if len(files) == 0 {
			return 0, nil
		}
		return studyCountRows(ctx, db, parquetparts.ViewSQL(files, "TraceId = unhex(?)"), id)
	}
	look := map[string]func(string) (int, error){
		"all parts":    func(id string) (int, error) { return scan(all, id) },
		"bloom-pruned": func(id string) (int, error) { return scan(s.st.Files(id), id) },
		// BETWEEN instead of =: lets DuckDB prune row groups by their
		// min/max without the BLOB bloom-filter bug (docs/benchmarks.md).
		"between, bloom-pruned": func(id string) (int, error) {
			files := s.st.Files(id)
			if len(files) == 0 {
				return 0, nil
			}
			return studyCountRows(ctx, db, parquetparts.ViewSQL(files, "TraceId BETWEEN unhex(?) AND unhex(?)"), id, id)
		},
		// parquet-go reading only the pages the TraceId page index picks.
		"go pages": func(id string) (int, error) {
			rows, err := s.st.Trace(id)
			return len(rows), err
		},
	}
	count := func() (int64, error) {
		return sumCounts(ctx, db, "SELECT ServiceName, count(*) FROM read_parquet("+sqlList(all)+") GROUP BY 1")
	}
	return look, count, func() { db.Close() }, nil
}

func sqlList(files []string) string {
	q := make([]string, len(files))
	for i, f := range files {
		q[i] = "'" + f + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// countRows runs q and reads every row, every column.
func studyCountRows(ctx context.Context, db *sql.DB, q string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	v := make([]any, len(cols))
	p := make([]any, len(cols))
	for i := range v {
		p[i] = &v[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(p...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func sumCounts(ctx context.Context, db *sql.DB, q string) (int64, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total int64
	for rows.Next() {
		var svc string
		var n int64
		if err := rows.Scan(&svc, &n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, rows.Err()
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func vmHWM() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// studyResult is printed as one JSON line.
type studyResult struct {
	Design               string             `json:"design"`
	Spans                int64              `json:"spans"`
	WallS                float64            `json:"wall_s"`
	SpansPerS            float64            `json:"spans_per_s"`
	CPUmsPer1kTotal      float64            `json:"cpu_ms_per_1k_total"`
	CPUmsPer1kDecode     float64            `json:"cpu_ms_per_1k_decode"`
	CPUmsPer1kStore      float64            `json:"cpu_ms_per_1k_store"`
	CPUmsPer1kClose      float64            `json:"cpu_ms_per_1k_close"`
	Ceiling2Cores        float64            `json:"spans_per_s_2cores_ceiling"`
	BytesPerSpan         float64            `json:"bytes_per_span"`
	PeakRSSMiB           float64            `json:"peak_rss_mib"`
	PeakRSSBeforeLoadMiB float64            `json:"peak_rss_before_load_mib"`
	PeakRSSIngestMiB     float64            `json:"peak_rss_ingest_mib"` // VmHWM after the load and close, before any query
	TraceByIDp50ms       map[string]float64 `json:"trace_by_id_p50_ms"`
	TraceByIDp99ms       map[string]float64 `json:"trace_by_id_p99_ms"`
	TraceByIDmaxms       map[string]float64 `json:"trace_by_id_max_ms"`
	TraceSpansOK         bool               `json:"trace_spans_ok"`
	CountByServiceMs     float64            `json:"count_by_service_ms"`
	CountByServiceRows   int64              `json:"count_by_service_rows"`
	LoadAvg              string             `json:"loadavg"`
}

func TestStorageStudy(t *testing.T) {
	if *studyDesign == "" {
		t.Skip("storage study: give -study.design (see the file's comment)")
	}
	open, ok := studySinks[*studyDesign]
	if !ok {
		t.Fatalf("unknown design %q (built without -tags duckdb_arrow?)", *studyDesign)
	}
	ctx := context.Background()
	tmpls, err := pregenerate(sigTraces, *studyPregen, 2000, 1)
	if err != nil {
		t.Fatal(err)
	}
	salt := uint64(42)
	now := time.Now()
	render := func(seq uint64, buf []byte) (ptrace.Traces, []byte, error) {
		tm := tmpls[seq%uint64(len(tmpls))]
		buf = tm.render(buf, masksFor(salt, seq), now.Add(time.Duration(seq)*time.Millisecond))
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(buf)
		return td, buf, err
	}
	// Decode calibration: render + decode of 100 batches, nothing stored.
	c0 := cpuNow()
	var calSpans int
	var buf []byte
	for seq := range uint64(100) {
		var td ptrace.Traces
		if td, buf, err = render(1<<40+seq, buf); err != nil {
			t.Fatal(err)
		}
		calSpans += td.SpanCount()
	}
	decodePerSpan := float64(cpuNow()-c0) / float64(calSpans)

	dir := *studyDir
	if dir == "" {
		dir = t.TempDir()
	}
	sink, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rssBefore := vmHWM()
	var next atomic.Uint64
	var stored atomic.Int64
	var wg sync.WaitGroup
	var heapOnce sync.Once
	errs := make(chan error, *studyConcurrency)
	t0, c1 := time.Now(), cpuNow()
	for range *studyConcurrency {
		wg.Go(func() {
			var buf []byte
			for stored.Load() < int64(*studySpans) {
				seq := next.Add(1) - 1
				td, b, err := render(seq, buf)
				buf = b
				if err == nil {
					err = sink.insert(ctx, td, b)
				}
				if err != nil {
					errs <- err
					return
				}
				if n := stored.Add(int64(td.SpanCount())); *studyHeapProfile != "" && n >= int64(*studySpans)/2 {
					heapOnce.Do(func() { writeHeapProfile(t, *studyHeapProfile) })
				}
			}
		})
	}
	wg.Wait()
	wall, loadCPU := time.Since(t0), cpuNow()-c1
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c2 := cpuNow()
	if err := sink.close(); err != nil {
		t.Fatal(err)
	}
	closeCPU := cpuNow() - c2
	rssIngest := vmHWM()
	n := stored.Load()
	per1k := func(d time.Duration) float64 { return float64(d) / 1e6 / float64(n) * 1000 }
	la, _ := os.ReadFile("/proc/loadavg")
	res := studyResult{
		Design: *studyDesign, Spans: n, WallS: wall.Seconds(), SpansPerS: float64(n) / wall.Seconds(),
		CPUmsPer1kTotal:      per1k(loadCPU + closeCPU),
		CPUmsPer1kDecode:     decodePerSpan / 1e6 * 1000,
		CPUmsPer1kClose:      per1k(closeCPU),
		BytesPerSpan:         float64(dirBytes(dir)) / float64(n),
		PeakRSSMiB:           float64(vmHWM()) / (1 << 20),
		PeakRSSBeforeLoadMiB: float64(rssBefore) / (1 << 20),
		PeakRSSIngestMiB:     float64(rssIngest) / (1 << 20),
		LoadAvg:              strings.TrimSpace(string(la)),
		TraceByIDp50ms:       map[string]float64{},
		TraceByIDp99ms:       map[string]float64{},
		TraceByIDmaxms:       map[string]float64{},
	}
	res.CPUmsPer1kStore = res.CPUmsPer1kTotal - res.CPUmsPer1kDecode
	res.Ceiling2Cores = 2 * 1000 / res.CPUmsPer1kTotal * 1000

	// Lookups: traces of batches sent in the middle of the load.
	look, count, done, err := sink.query(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	r := rand.New(rand.NewPCG(7, 7))
	sent := next.Load() - uint64(*studyConcurrency) // the last ones may be unfinished
	res.TraceSpansOK = true
	for name, fn := range look {
		if *studyLookups <= 0 {
			break
		}
		if !strings.Contains(name, *studyLookupsOnly) {
			continue
		}
		var lat []float64
		for range *studyLookups {
			seq := r.Uint64N(sent)
			tm := tmpls[seq%uint64(len(tmpls))]
			tr := tm.traces[r.IntN(len(tm.traces)-1)] // not the last: it may be cut
			id := maskTraceID(tr.id, masksFor(salt, seq))
			q0 := time.Now()
			got, err := fn(hex.EncodeToString(id[:]))
			lat = append(lat, float64(time.Since(q0))/1e6)
			if err != nil {
				t.Fatalf("%s lookup: %v", name, err)
			}
			if got != tr.spans {
				t.Logf("%s: trace has %d spans, sent %d", name, got, tr.spans)
				res.TraceSpansOK = false
			}
		}
		slices.Sort(lat)
		res.TraceByIDp50ms[name] = lat[len(lat)/2]
		res.TraceByIDp99ms[name] = lat[len(lat)*99/100]
		res.TraceByIDmaxms[name] = lat[len(lat)-1]
	}
	q0 := time.Now()
	if total, err := count(); err == nil {
		res.CountByServiceMs = float64(time.Since(q0)) / 1e6
		res.CountByServiceRows = total
	} else {
		t.Logf("count by service: %v", err)
	}
	out, _ := json.Marshal(res)
	fmt.Println("STUDY " + string(out))
}

func writeHeapProfile(t *testing.T, path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		t.Error(err)
	}
}
