package parquetparts

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fixture: two services, n spans each; span i of trace i/3; every
// seventh span has an event with an attribute and a link.
func fixture(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	for s, svc := range []string{"checkout", "cart"} {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", svc)
		rs.Resource().Attributes().PutStr("k8s.pod.name", svc+"-0")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("lib")
		ss.Scope().SetVersion("1.0")
		for i := range n {
			sp := ss.Spans().AppendEmpty()
			sp.SetTraceID(pcommon.TraceID{byte(s + 1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(i / 3)})
			sp.SetSpanID(pcommon.SpanID{byte(s + 1), 0, 0, 0, 0, 0, 0, byte(i + 1)})
			sp.SetName("op")
			sp.SetKind(ptrace.SpanKindServer)
			sp.SetStartTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + int64(n-i)*1000))
			sp.SetEndTimestamp(sp.StartTimestamp() + 500)
			sp.Attributes().PutStr("http.method", "GET")
			sp.Attributes().PutInt("http.status_code", int64(200+i))
			if i%7 == 0 {
				sp.Status().SetCode(ptrace.StatusCodeError)
				sp.Status().SetMessage("boom")
				ev := sp.Events().AppendEmpty()
				ev.SetName("exception")
				ev.SetTimestamp(sp.StartTimestamp() + 1)
				ev.Attributes().PutStr("exception.type", "E")
				l := sp.Links().AppendEmpty()
				l.SetTraceID(pcommon.TraceID{9})
				l.SetSpanID(pcommon.SpanID{9})
			}
		}
	}
	return td
}

// expected is what the parts must hold: the conversion, sorted as parts are.
func expected(td ptrace.Traces) []SpanRow {
	in := interner{m: map[string]string{}}
	rows := in.Convert(nil, td)
	slices.SortFunc(rows, func(a, b SpanRow) int { return compareRows(a, b) })
	return rows
}

func compareRows(a, b SpanRow) int {
	if a.ServiceName != b.ServiceName {
		if a.ServiceName < b.ServiceName {
			return -1
		}
		return 1
	}
	return int(a.Timestamp - b.Timestamp)
}

func readAll(t *testing.T, s *Store) []SpanRow {
	t.Helper()
	var all []SpanRow
	for _, f := range s.Files("") {
		rows, err := parquet.ReadFile[SpanRow](f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rows...)
	}
	slices.SortFunc(all, compareRows)
	return all
}

// normalise makes nil and empty slices compare equal.
func normalise(rows []SpanRow) {
	for i := range rows {
		r := &rows[i]
		for _, id := range []*[]byte{&r.TraceId, &r.SpanId, &r.ParentSpanId} {
			if len(*id) == 0 {
				*id = nil
			}
		}
		for _, kv := range []*KV{&r.ResourceAttributes, &r.SpanAttributes, &r.ScopeAttributes} {
			if len(kv.Keys) == 0 {
				*kv = KV{}
			}
		}
		if len(r.Events) == 0 {
			r.Events = nil
		}
		for j := range r.Events {
			if len(r.Events[j].Attributes.Keys) == 0 {
				r.Events[j].Attributes = KV{}
			}
		}
		if len(r.Links) == 0 {
			r.Links = nil
		}
		for j := range r.Links {
			if len(r.Links[j].Attributes.Keys) == 0 {
				r.Links[j].Attributes = KV{}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		partRows int
		batches  int
		order    SortOrder
	}{
		{"one part on close", 1000, 1, ByServiceTime},
		{"parts by rotation", 25, 3, ByServiceTime},
		{"parts sorted by trace ID", 25, 3, ByTraceID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(Config{Dir: dir, PartRows: tt.partRows, RowGroupRows: 10, Order: tt.order})
			if err != nil {
				t.Fatal(err)
			}
			var want []SpanRow
			for range tt.batches {
				td := fixture(20)
				want = append(want, expected(td)...)
				if err := s.InsertTraces(context.Background(), td); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(want, compareRows)
			got := readAll(t, s)
			normalise(got)
			normalise(want)
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				if !rowsEqual(got[i], want[i]) {
					t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
			if wal, _ := filepath.Glob(filepath.Join(dir, "wal-*")); len(wal) != 0 {
				t.Errorf("WAL left after a clean close: %v", wal)
			}
		})
	}
}

func rowsEqual(a, b SpanRow) bool {
	eqKV := func(x, y KV) bool { return slices.Equal(x.Keys, y.Keys) && slices.Equal(x.Values, y.Values) }
	if !eqKV(a.ResourceAttributes, b.ResourceAttributes) || !eqKV(a.SpanAttributes, b.SpanAttributes) ||
		!eqKV(a.ScopeAttributes, b.ScopeAttributes) || len(a.Events) != len(b.Events) || len(a.Links) != len(b.Links) {
		return false
	}
	for i := range a.Events {
		x, y := a.Events[i], b.Events[i]
		if !eqKV(x.Attributes, y.Attributes) || x.Name != y.Name || x.Timestamp != y.Timestamp {
			return false
		}
	}
	for i := range a.Links {
		x, y := a.Links[i], b.Links[i]
		if !slices.Equal(x.TraceId, y.TraceId) || !slices.Equal(x.SpanId, y.SpanId) || x.Flags != y.Flags {
			return false
		}
	}
	a.ResourceAttributes, a.SpanAttributes, a.ScopeAttributes, a.Events, a.Links = KV{}, KV{}, KV{}, nil, nil
	b.ResourceAttributes, b.SpanAttributes, b.ScopeAttributes, b.Events, b.Links = KV{}, KV{}, KV{}, nil, nil
	return reflect.DeepEqual(a, b)
}

// TestRecoverFromWAL: rows acknowledged but not yet in a part (the
// process died) are in a part after the next Open, and only once.
func TestRecoverFromWAL(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, PartRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	td := fixture(10)
	if err := s.InsertTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	// Crash: the WAL is durable, no part was written, Close never runs.
	s.mu.Lock()
	if err := s.seg.close(); err != nil {
		t.Fatal(err)
	}
	s.closed = true
	s.mu.Unlock()

	s2, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	got := readAll(t, s3)
	if want := td.SpanCount(); len(got) != want {
		t.Fatalf("after recovery and a reopen: %d rows, want %d", len(got), want)
	}
}

// TestDuckDBReadsParts: DuckDB's Parquet scanner reads a part through
// ViewSQL with the exporter's column names, and the part index prunes.
func TestDuckDBReadsParts(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, PartRows: 40})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.InsertTraces(context.Background(), fixture(20)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const id = "02000000000000000000000000000003" // cart, spans 9, 10, 11
	files := s.Files(id)
	if all := s.Files(""); len(all) != 2 || len(files) != 2 {
		// both parts hold the trace (the fixture repeats its IDs)
		t.Fatalf("parts %d, parts that may hold %s: %d", len(all), id, len(files))
	}
	var n int
	var method, svc string
	var tid string
	q := "SELECT count(*), any_value(SpanAttributes['http.method']), any_value(ServiceName), any_value(TraceId) FROM (" +
		ViewSQL(files, "TraceId = unhex(?)") + ")"
	if err := db.QueryRow(q, id).Scan(&n, &method, &svc, &tid); err != nil {
		t.Fatal(err)
	}
	if n != 6 || method != "GET" || svc != "cart" || tid != id {
		t.Fatalf("trace %s: %d spans, method %q, service %q, id %q; want 6, GET, cart, the ID", id, n, method, svc, tid)
	}
	if s.Parts()[0].MayContain("ff000000000000000000000000000000") && s.Parts()[1].MayContain("ff000000000000000000000000000000") {
		t.Error("bloom filter of both parts claims an absent trace ID (possible but unlikely at 1%)")
	}
}

// TestRecoverAfterPublish: a crash after a part is published but before
// its WAL segment is deleted stores the rows once, not twice.
func TestRecoverAfterPublish(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, PartRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	td := fixture(10)
	if err := s.InsertTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	// Crash between the flusher's publish and its segment removal.
	s.mu.Lock()
	if err := s.seg.close(); err != nil {
		t.Fatal(err)
	}
	s.closed = true
	rows, name := s.mem, fmt.Sprintf("part-%08d", fileNo(filepath.Base(s.seg.path)))
	s.mu.Unlock()
	if _, err := writePart(dir, name, rows, 1000, 0, ByServiceTime); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(readAll(t, s2)), td.SpanCount(); got != want {
		t.Fatalf("%d rows after recovery, want %d (each once)", got, want)
	}
}

// TestEncodedPartBuffer: rows encoded as they arrive and decoded at part
// time are exactly the reference conversion, in both orders, with row
// groups and batches smaller and larger than each other, and a resource
// with duplicate attribute keys and non-string values.
func TestEncodedPartBuffer(t *testing.T) {
	odd := fixture(5)
	rs := odd.ResourceSpans().At(0)
	rs.SetSchemaUrl("https://schema/1")
	rs.Resource().SetDroppedAttributesCount(3)
	rs.Resource().Attributes().PutBool("flag", true)
	rs.Resource().Attributes().PutDouble("ratio", 0.5)
	sp := rs.ScopeSpans().At(0).Spans().At(1)
	sp.TraceState().FromRaw("a=b")
	sp.Attributes().PutEmptySlice("list").AppendEmpty().SetStr("x")
	sp.SetTraceID(pcommon.TraceID{}) // all-zero: stored empty
	tests := []struct {
		name     string
		rowGroup int
		order    SortOrder
		batches  []ptrace.Traces
	}{
		{"service order, small row groups", 7, ByServiceTime, []ptrace.Traces{fixture(20), odd, fixture(3)}},
		{"trace order, one row group", 1000, ByTraceID, []ptrace.Traces{fixture(20), odd}},
		{"trace order, row group of one", 1, ByTraceID, []ptrace.Traces{odd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := newPartBuf(0)
			var want []SpanRow
			for _, td := range tt.batches {
				var b encBatch
				b.encode(td)
				if err := p.add(&b); err != nil {
					t.Fatal(err)
				}
				want = append(want, expected(td)...)
			}
			_, err := writePart(dir, "part-00000001", p, tt.rowGroup, 0, tt.order)
			if err = errors.Join(err, p.free()); err != nil {
				t.Fatal(err)
			}
			got, err := parquet.ReadFile[SpanRow](filepath.Join(dir, "part-00000001.parquet"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.order == ByTraceID {
				for i := 1; i < len(got); i++ {
					if string(got[i-1].TraceId) > string(got[i].TraceId) {
						t.Fatalf("row %d not in TraceId order", i)
					}
				}
			}
			sortFull(got)
			sortFull(want)
			normalise(got)
			normalise(want)
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				if !rowsEqual(got[i], want[i]) || got[i].TraceState != want[i].TraceState {
					t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// sortFull orders rows by every key that tells the fixture's rows apart.
func sortFull(rows []SpanRow) {
	slices.SortStableFunc(rows, func(a, b SpanRow) int {
		if c := compareRows(a, b); c != 0 {
			return c
		}
		if c := slices.Compare(a.SpanId, b.SpanId); c != 0 {
			return c
		}
		return slices.Compare(a.TraceId, b.TraceId)
	})
}

// TestTraceLookup: Store.Trace (parquet-go, page index) returns exactly
// a trace's spans, also when the trace crosses pages, row groups and
// parts, in both orders; and DuckDB finds the same rows with BETWEEN.
func TestTraceLookup(t *testing.T) {
	tests := []struct {
		name      string
		order     SortOrder
		rowGroup  int
		pageBytes int
		openParts int
	}{
		{"trace order, tiny pages and row groups", ByTraceID, 4, 64, 0},
		{"trace order, defaults", ByTraceID, 0, 0, 0},
		{"service order, tiny pages", ByServiceTime, 5, 64, 0},
		{"trace order, one part open at a time", ByTraceID, 4, 64, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(Config{Dir: dir, PartRows: 40, RowGroupRows: tt.rowGroup, PageBytes: tt.pageBytes, Order: tt.order, OpenParts: tt.openParts})
			if err != nil {
				t.Fatal(err)
			}
			var all []SpanRow
			for range 3 {
				td := fixture(20)
				all = append(all, expected(td)...)
				if err := s.InsertTraces(context.Background(), td); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if n := len(s.Parts()); n < 2 {
				t.Fatalf("%d parts, want several", n)
			}
			for _, id := range []string{
				"02000000000000000000000000000003", // cart, 3 spans × 3 batches
				"01000000000000000000000000000000", // the first ID
				"01000000000000000000000000000006", // the last checkout trace (spans 18, 19)
				"ff000000000000000000000000000000", // absent
			} {
				var want []SpanRow
				for _, r := range all {
					if hex.EncodeToString(r.TraceId) == id {
						want = append(want, r)
					}
				}
				got, err := s.Trace(id)
				if err != nil {
					t.Fatal(err)
				}
				sortFull(got)
				sortFull(want)
				normalise(got)
				normalise(want)
				if len(got) != len(want) {
					t.Fatalf("trace %s: %d spans, want %d", id, len(got), len(want))
				}
				for i := range want {
					if !rowsEqual(got[i], want[i]) {
						t.Fatalf("trace %s row %d:\n got %+v\nwant %+v", id, i, got[i], want[i])
					}
				}
			}
			if tt.openParts > 0 {
				if n := len(s.readers.parts); n > tt.openParts {
					t.Errorf("%d parts open, bound %d", n, tt.openParts)
				}
			}
			if err := s.readers.close(); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := (&Store{}).Trace("xyz"); err == nil {
		t.Error("a malformed trace ID was accepted")
	}
}

// TestDuckDBBetweenOnBlob: DuckDB finds a trace in a part through
// TraceId BETWEEN unhex(x) AND unhex(x) (what a lookup uses to let the
// row-group statistics prune), in parts sorted by trace ID with several
// row groups.
func TestDuckDBBetweenOnBlob(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, PartRows: 1000, RowGroupRows: 8, Order: ByTraceID})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InsertTraces(context.Background(), fixture(30)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		id   string
		want int
	}{
		{"02000000000000000000000000000009", 3},
		{"01000000000000000000000000000000", 3},
		{"ff000000000000000000000000000000", 0},
	} {
		var n, dur int
		// Duration is delta-encoded and every page zstd-compressed by
		// our own codec: DuckDB must decode both.
		q := "SELECT count(*), coalesce(sum(Duration), 0) FROM (" + ViewSQL(s.Files(""), "TraceId BETWEEN unhex(?) AND unhex(?)") + ")"
		if err := db.QueryRow(q, tc.id, tc.id).Scan(&n, &dur); err != nil {
			t.Fatal(err)
		}
		if n != tc.want || dur != 500*tc.want {
			t.Errorf("trace %s: %d rows, total duration %d; want %d, %d", tc.id, n, dur, tc.want, 500*tc.want)
		}
	}
}
