package parts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// richSpans: n traces of 1 to 12 spans each (seeded), with attributes,
// events and links of varying sizes, so that every leaf column (lists
// included) holds values and, with small pages, a trace's rows cross
// page boundaries.
func richSpans(seed uint64, n int) (ptrace.Traces, map[string]int) {
	r := rand.New(rand.NewPCG(seed, 7))
	td := ptrace.NewTraces()
	want := map[string]int{}
	for k := range n {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc%d", r.IntN(4)))
		rs.Resource().Attributes().PutStr("host.name", fmt.Sprintf("host-%d", r.IntN(50)))
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("scope")
		ss.Scope().SetVersion(fmt.Sprint(r.IntN(3)))
		var id pcommon.TraceID
		for i := range id {
			id[i] = byte(r.Uint32())
		}
		id[0] = byte(k) | 1 // never all-zero
		spans := 1 + r.IntN(12)
		want[fmt.Sprintf("%x", id[:])] = spans
		for i := range spans {
			sp := ss.Spans().AppendEmpty()
			sp.SetTraceID(id)
			sp.SetSpanID(pcommon.SpanID{byte(k), byte(k >> 8), byte(i), 1})
			sp.SetName(fmt.Sprintf("op-%d", r.IntN(20)))
			sp.SetKind(ptrace.SpanKind(r.IntN(5)))
			start := base.Add(time.Duration(r.IntN(3_600_000)) * time.Millisecond)
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(r.IntN(1e6)))))
			for a := range r.IntN(6) {
				sp.Attributes().PutStr(fmt.Sprintf("k%d", a), fmt.Sprintf("v%d", r.IntN(1000)))
			}
			for range r.IntN(3) {
				ev := sp.Events().AppendEmpty()
				ev.SetName(fmt.Sprintf("ev%d", r.IntN(5)))
				ev.SetTimestamp(pcommon.NewTimestampFromTime(start))
				ev.Attributes().PutInt("n", int64(r.IntN(9)))
			}
			if r.IntN(4) == 0 {
				l := sp.Links().AppendEmpty()
				l.SetTraceID(id)
				l.SetSpanID(pcommon.SpanID{9, byte(i)})
				l.Attributes().PutStr("why", "retry")
			}
			if r.IntN(5) == 0 {
				sp.Status().SetCode(ptrace.StatusCodeError)
				sp.Status().SetMessage("boom")
			}
		}
	}
	return td, want
}

// TestReadRowsParallel: assembling rows with the column pages decoded in
// parallel (prefetch) gives exactly the rows the serial row reader
// gives, for row sets that start at row 0, at the last row, in the
// middle of a page, and in several runs (one seek each: the prefetched
// pages serve only the first), with pages of a few rows and of the
// default size.
func TestReadRowsParallel(t *testing.T) {
	for _, pageBytes := range []int{256, 0} {
		t.Run(fmt.Sprintf("page-bytes-%d", pageBytes), func(t *testing.T) {
			tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 2000, RowGroupRows: 700, PageBytes: pageBytes, FlushInterval: time.Hour})
			defer tb.Close()
			td, _ := richSpans(1, 300)
			if err := tb.InsertTraces(context.Background(), td); err != nil {
				t.Fatal(err)
			}
			sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Release()
			r := rand.New(rand.NewPCG(3, 4))
			checked := 0
			for _, path := range sn.Files {
				pf := openParquet(t, path)
				for g, rg := range pf.RowGroups() {
					n := rg.NumRows()
					sets := [][]int64{{0}, {n - 1}, {0, 1, 2}, {n / 2, n/2 + 1}, {1, n / 3, n / 3 * 2, n - 1}}
					for range 20 {
						set := map[int64]bool{}
						for range 1 + r.IntN(8) {
							first := r.Int64N(n)
							for i := range 1 + r.Int64N(6) {
								if first+i < n {
									set[first+i] = true
								}
							}
						}
						rows := make([]int64, 0, len(set))
						for row := range set {
							rows = append(rows, row)
						}
						slices.Sort(rows)
						sets = append(sets, rows)
					}
					for _, rows := range sets {
						serial, err := readRows(rg, rows, nil, false)
						if err != nil {
							t.Fatal(err)
						}
						par, err := readRows(rg, rows, nil, true)
						if err != nil {
							t.Fatal(err)
						}
						if len(serial) != len(rows) || !reflect.DeepEqual(par, serial) {
							t.Fatalf("row group %d, rows %v: parallel decode gave %d rows, serial %d, want %d; equal: %v",
								g, rows, len(par), len(serial), len(rows), reflect.DeepEqual(par, serial))
						}
						// Pages prefetched for another row than the reader
						// seeks first: dropped, and the column re-read.
						other, err := readPrefetchedAt(rg, (rows[0]+n/2)%n, rows[0])
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(other, serial[:1]) {
							t.Fatalf("row group %d, row %d with pages prefetched for row %d: differs from the serial read", g, rows[0], (rows[0]+n/2)%n)
						}
						checked++
					}
				}
			}
			if checked == 0 {
				t.Fatal("no row group checked")
			}
		})
	}
}

// TestTraceSpansParallelMatchesSerial: every trace of generated data
// (1–12 spans, events, links, attributes; small pages so traces cross
// pages) read with TraceSpans, parallel and serial decode, gives the
// same rows and exactly the trace's span count.
func TestTraceSpansParallelMatchesSerial(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 400, RowGroupRows: 128, MergeRows: 1500, PageBytes: 512, FlushInterval: time.Hour})
	defer tb.Close()
	want := map[string]int{}
	for seed := range uint64(6) {
		td, w := richSpans(seed+10, 80)
		for id, n := range w {
			want[id] += n
		}
		if err := tb.InsertTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
	}
	if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	} else {
		sn.Release()
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	for id, n := range want {
		par, err := tb.TraceSpans(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		tb.files.serial.Store(true)
		serial, err := tb.TraceSpans(context.Background(), id)
		tb.files.serial.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		if len(par) != n || !reflect.DeepEqual(par, serial) {
			t.Fatalf("trace %s: parallel %d spans, serial %d, want %d; equal %v", id, len(par), len(serial), n, reflect.DeepEqual(par, serial))
		}
	}
}

func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, fi.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// readPrefetchedAt reads row `row` of rg through pages prefetched for row
// at.
func readPrefetchedAt(rg parquet.RowGroup, at, row int64) (_ []SpanRow, err error) {
	pg, err := prefetch(rg, at)
	if err != nil {
		return nil, err
	}
	defer pg.release()
	r := parquet.NewGenericRowGroupReader[SpanRow](pg)
	defer r.Close()
	if err := r.SeekToRow(row); err != nil {
		return nil, err
	}
	buf := make([]SpanRow, 1)
	if n, err := r.Read(buf); n != 1 {
		return nil, fmt.Errorf("read row %d: %d rows, %w", row, n, err)
	}
	return []SpanRow{buf[0].clone()}, nil
}

// TestTraceSpansMorePartsThanOpenFiles: with more parts than part files
// kept open (here 2), lookups cycling over every part, four at a time
// (a file evicted while another lookup reads it is closed only after
// that lookup), return exactly each trace's spans, and no more than the
// bound stay open.
func TestTraceSpansMorePartsThanOpenFiles(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 30, MergeRows: 30, FlushInterval: time.Hour})
	defer tb.Close()
	const seeds = 12 // a part each: 30 spans, 10 traces of 3
	for seed := 1; seed <= seeds; seed++ {
		if err := insert(t, tb, seed, 30); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, tb); n != seeds*30 {
		t.Fatalf("%d rows, want %d", n, seeds*30)
	}
	if st := tb.Stats(); st.Parts < seeds {
		t.Fatalf("%d parts, want %d (one per insert, none merged)", st.Parts, seeds)
	}
	tb.files.mu.Lock()
	tb.files.max = 2
	tb.files.mu.Unlock()
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for round := range 3 {
				for k := range 10 {
					for s := range seeds {
						seed := 1 + (s+w+round)%seeds
						id := traceID(seed, k)
						got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:]))
						if err != nil {
							errs <- err
							return
						}
						if len(got) != 3 {
							errs <- fmt.Errorf("trace (%d, %d): %d spans, want 3", seed, k, len(got))
							return
						}
						for _, r := range got {
							if string(r.TraceId) != string(id[:]) || r.ServiceName != fmt.Sprintf("svc%d", seed%3) {
								errs <- fmt.Errorf("trace (%d, %d): wrong span %+v", seed, k, r)
								return
							}
						}
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	tb.files.mu.Lock()
	defer tb.files.mu.Unlock()
	if n := len(tb.files.files); n > 2 {
		t.Errorf("%d part files open, want at most 2", n)
	}
	for p, f := range tb.files.files {
		if f.refs != 0 {
			t.Errorf("%s: %d lookups still hold it", p, f.refs)
		}
	}
}

// TestPrefetchOrder: prefetch starts with the column whose dictionary page
// is largest — SpanAttributes.values when every span has an attribute of
// its own (a high-cardinality value, as IDs and URLs are) — and covers
// every column once; a row group that is not a file's keeps column order.
func TestPrefetchOrder(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 2000, FlushInterval: time.Hour})
	defer tb.Close()
	td := ptrace.NewTraces()
	r := rand.New(rand.NewPCG(3, 4))
	for k := range 300 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "svc")
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(k), byte(k >> 8), 1})
		sp.SetSpanID(pcommon.SpanID{byte(k), 1})
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + k))
		sp.Attributes().PutStr("http.method", "GET")
		sp.Attributes().PutStr("request.id", fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()))
	}
	if err := tb.InsertTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Release()
	if len(sn.Files) != 1 {
		t.Fatalf("%d parts, want 1", len(sn.Files))
	}
	pf := openParquet(t, sn.Files[0])
	leaf, ok := pf.Schema().Lookup("SpanAttributes", "values", "list", "element")
	if !ok {
		t.Fatalf("no SpanAttributes values leaf in %v", pf.Schema())
	}
	rg := pf.RowGroups()[0]
	order := prefetchOrder(rg)
	if order[0] != leaf.ColumnIndex {
		t.Errorf("first column %d, want SpanAttributes' values (%d)", order[0], leaf.ColumnIndex)
	}
	if got := slices.Sorted(slices.Values(order)); len(got) != len(rg.ColumnChunks()) || got[0] != 0 || got[len(got)-1] != len(got)-1 ||
		len(slices.Compact(got)) != len(rg.ColumnChunks()) {
		t.Errorf("order %v is not a permutation of %d columns", order, len(rg.ColumnChunks()))
	}
	// Not a file's row group: column order.
	buf := parquet.NewGenericBuffer[SpanRow]()
	if _, err := buf.Write([]SpanRow{{TraceId: []byte{1}}}); err != nil {
		t.Fatal(err)
	}
	if o := prefetchOrder(buf); !slices.Equal(o, slices.Collect(func(yield func(int) bool) {
		for i := range len(o) {
			if !yield(i) {
				return
			}
		}
	})) {
		t.Errorf("buffer order %v, want column order", o)
	}
}
