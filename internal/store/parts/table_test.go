package parts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// spans: n spans of service svc, span i of trace (seed, i/3), starting
// at base + (seed*1000+i) ms.
func spans(svc string, seed, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(traceID(seed, i/3))
		sp.SetSpanID(pcommon.SpanID{byte(seed), byte(seed >> 8), byte(i), byte(i >> 8), 1})
		sp.SetName("op")
		start := base.Add(time.Duration(seed*1000+i) * time.Millisecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		sp.Attributes().PutInt("i", int64(i))
	}
	return td
}

func traceID(seed, i int) pcommon.TraceID {
	return pcommon.TraceID{byte(seed), byte(seed >> 8), byte(i), byte(i >> 8), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
}

func logs(svc string, seed, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", svc)
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(seed*1000+i) * time.Millisecond)))
		lr.SetTraceID(traceID(seed, i/3))
		lr.Body().SetStr(fmt.Sprintf("line %d", i))
	}
	return ld
}

func insert(t testing.TB, tb *Table, seed, n int) error {
	t.Helper()
	if tb.cfg.Kind == Traces {
		return tb.InsertTraces(context.Background(), spans(fmt.Sprintf("svc%d", seed%3), seed, n))
	}
	return tb.InsertLogs(context.Background(), logs(fmt.Sprintf("svc%d", seed%3), seed, n))
}

func open(t testing.TB, cfg Config) *Table {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	tb, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// crash stops tb's goroutines without writing anything, as kill -9
// would (what is acknowledged is in fsync'd WAL segments).
func crash(tb *Table) {
	tb.mu.Lock()
	tb.closed = true
	seg, spare := tb.seg, tb.spare
	tb.mu.Unlock()
	close(tb.stop)
	tb.wg.Wait()
	if seg != nil {
		seg.f.Close() // what was not flushed is lost, as on kill -9
	}
	if spare != nil {
		spare.f.Close() // left on disk, as on kill -9
	}
}

var duck *sql.DB

func db(t testing.TB) *sql.DB {
	t.Helper()
	if duck == nil {
		var err error
		if duck, err = sql.Open("duckdb", ""); err != nil {
			t.Fatal(err)
		}
	}
	return duck
}

// count is the rows DuckDB reads through ViewSQL over a fresh snapshot.
func count(t testing.TB, tb *Table) int64 {
	t.Helper()
	s, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	var n int64
	if err := db(t).QueryRow("SELECT count(*) FROM (" + ViewSQL(tb.cfg.Kind, nil, s.Files) + ")").Scan(&n); err != nil {
		t.Fatal(err)
	}
	var distinct int64
	if err := db(t).QueryRow("SELECT count(DISTINCT (TraceId, SpanId, Timestamp)) FROM (" + ViewSQL(tb.cfg.Kind, nil, s.Files) + ")").Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	if tb.cfg.Kind == Traces && distinct != n {
		t.Fatalf("%d rows but %d distinct: rows stored twice", n, distinct)
	}
	return n
}

func walFiles(t testing.TB, dir string) []string {
	t.Helper()
	w, err := filepath.Glob(filepath.Join(dir, "wal-*.log"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestInsertSnapshotClose(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		partRows int
		batches  int
		rows     int
	}{
		{"traces one part", Traces, 1000, 3, 20},
		{"traces cut by rows", Traces, 25, 7, 10},
		{"logs one part", Logs, 1000, 3, 20},
		{"logs cut by rows", Logs, 25, 7, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tb := open(t, Config{Dir: dir, Kind: tt.kind, PartRows: tt.partRows, RowGroupRows: 8, MergeRows: 1 << 20})
			want := int64(0)
			for i := range tt.batches {
				if err := insert(t, tb, i+1, tt.rows); err != nil {
					t.Fatal(err)
				}
				want += int64(tt.rows)
				// Read your writes: every acknowledged row is visible.
				if got := count(t, tb); got != want {
					t.Fatalf("after batch %d: %d rows, want %d", i, got, want)
				}
			}
			if st := tb.Stats(); st.Rows != want || st.HeadRows != 0 || st.BufferedBytes != 0 {
				t.Fatalf("stats %+v, want %d rows, empty head, nothing buffered", st, want)
			}
			if err := tb.Close(); err != nil {
				t.Fatal(err)
			}
			if w := walFiles(t, dir); len(w) != 0 {
				t.Fatalf("WAL left after Close: %v", w)
			}
			if err := insert(t, tb, 99, 1); !errors.Is(err, store.ErrClosed) {
				t.Fatalf("insert after Close: %v, want ErrClosed", err)
			}
			tb = open(t, Config{Dir: dir, Kind: tt.kind})
			defer tb.Close()
			if got := count(t, tb); got != want {
				t.Fatalf("after reopen: %d rows, want %d", got, want)
			}
		})
	}
}

func TestFlushIntervalCuts(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, FlushInterval: 20 * time.Millisecond})
	defer tb.Close()
	if err := insert(t, tb, 1, 5); err != nil {
		t.Fatal(err)
	}
	// Wait for the effect (a part), not a time.
	for tb.Stats().Parts == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if st := tb.Stats(); st.Rows != 5 || st.HeadRows != 0 {
		t.Fatalf("stats %+v, want the 5 rows in a part", st)
	}
}

func TestRecovery(t *testing.T) {
	for _, kind := range []Kind{Traces, Logs} {
		t.Run(kind.String(), func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{Dir: dir, Kind: kind, PartRows: 30, FlushInterval: time.Hour, MergeRows: 1 << 20}
			tb := open(t, cfg)
			for i := range 5 {
				if err := insert(t, tb, i+1, 20); err != nil { // cuts at 40, 80: two parts and a head of 20
					t.Fatal(err)
				}
			}
			// Wait for the cut parts to be written, so that the crash
			// leaves parts and a WAL segment.
			for tb.Stats().PendingParts > 0 {
				time.Sleep(5 * time.Millisecond)
			}
			crash(tb)
			if len(walFiles(t, dir)) == 0 {
				t.Fatal("no WAL after the crash")
			}
			// Keep a copy of every segment: restored after their replay,
			// they model a crash between publishing a part and deleting its
			// segment.
			saved := map[string][]byte{}
			for _, w := range walFiles(t, dir) {
				b, err := os.ReadFile(w)
				if err != nil {
					t.Fatal(err)
				}
				saved[w] = b
			}
			tb = open(t, cfg)
			if got := count(t, tb); got != 100 {
				t.Fatalf("after recovery: %d rows, want 100", got)
			}
			crash(tb)
			for w, b := range saved {
				if err := os.WriteFile(w, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tb = open(t, cfg)
			defer tb.Close()
			if got := count(t, tb); got != 100 {
				t.Fatalf("after replaying already published segments: %d rows, want 100", got)
			}
			if w := walFiles(t, dir); len(w) != 1 { // the new, empty segment
				t.Fatalf("WAL segments after recovery: %v", w)
			}
		})
	}
}

func TestOverloadRefusesBeforeWAL(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Kind: Traces, PartRows: 1 << 20, FlushInterval: time.Hour, MaxBufferedBytes: 20_000}
	tb := open(t, cfg)
	acked := 0
	refused := 0
	for i := range 50 {
		err := insert(t, tb, i+1, 20)
		switch {
		case err == nil:
			acked += 20
		case errors.Is(err, store.ErrOverloaded):
			refused++
		default:
			t.Fatal(err)
		}
		if b := tb.Stats().BufferedBytes; b > cfg.MaxBufferedBytes {
			t.Fatalf("buffered %d bytes, over the limit %d", b, cfg.MaxBufferedBytes)
		}
	}
	if refused == 0 || acked == 0 {
		t.Fatalf("acked %d rows, refused %d inserts: want both", acked, refused)
	}
	if st := tb.Stats(); st.Refused != int64(refused) || st.HeadRows > acked {
		t.Fatalf("stats %+v, want %d refused and at most %d rows in the head", st, refused, acked)
	}
	// A request that could never fit is not retryable.
	if err := insert(t, tb, 99, 500); !errors.Is(err, store.ErrInvalidArgument) {
		t.Fatalf("request larger than half the buffer: %v, want ErrInvalidArgument", err)
	}
	crash(tb)
	tb = open(t, cfg)
	defer tb.Close()
	// Refused batches were never written to the WAL: exactly the
	// acknowledged rows come back.
	if got := count(t, tb); got != int64(acked) {
		t.Fatalf("after crash: %d rows, want the %d acknowledged", got, acked)
	}
}

func TestMergeAndLeases(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Kind: Traces, PartRows: 10, MergeRows: 40, RowGroupRows: 4, FlushInterval: time.Hour}
	tb := open(t, cfg)
	// Stop the background merger's effect from racing the test: it
	// merges under mergeMu, as mergeAll below.
	for i := range 4 {
		if err := insert(t, tb, i+1, 10); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	st := tb.Stats()
	if st.Merges == 0 || st.Parts >= 4 || st.Rows != 40 {
		t.Fatalf("stats %+v: want merged parts holding 40 rows", st)
	}
	// The snapshot's files survive the merge until Release.
	for _, f := range snap.Files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("leased part deleted by a merge: %v", err)
		}
	}
	var n int64
	if err := db(t).QueryRow("SELECT count(*) FROM (" + ViewSQL(Traces, nil, snap.Files) + ")").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 40 {
		t.Fatalf("leased snapshot reads %d rows, want 40", n)
	}
	snap.Release()
	snap.Release() // idempotent
	for _, f := range snap.Files {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) && !slices.Contains(liveFiles(tb), f) {
			t.Fatalf("merged input %s not deleted after Release: %v", f, err)
		}
	}
	if got := count(t, tb); got != 40 {
		t.Fatalf("after merge: %d rows, want 40", got)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
}

func liveFiles(tb *Table) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, p := range tb.parts {
		out = append(out, filepath.Join(tb.cfg.Dir, p.meta.File()))
	}
	return out
}

// TestMergeCrash: a merged part published, its inputs not yet deleted.
func TestMergeCrash(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Kind: Logs, PartRows: 10, MergeRows: 40, FlushInterval: time.Hour}
	tb := open(t, cfg)
	for i := range 4 {
		if err := insert(t, tb, i+1, 10); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(t, tb); got != 40 {
		t.Fatal(got)
	}
	saved := map[string][]byte{}
	for _, f := range liveFiles(tb) {
		for _, p := range []string{f, f[:len(f)-len(".parquet")] + ".json"} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			saved[p] = b
		}
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	if tb.Stats().Merges == 0 {
		t.Fatal("no merge")
	}
	crash(tb)
	for p, b := range saved {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tb = open(t, cfg)
	defer tb.Close()
	if got := count(t, tb); got != 40 {
		t.Fatalf("after a crash between merge and input deletion: %d rows, want 40", got)
	}
}

func TestDropBefore(t *testing.T) {
	dir := t.TempDir()
	tb := open(t, Config{Dir: dir, Kind: Traces, PartRows: 10, MergeRows: 1 << 20, FlushInterval: time.Hour})
	defer tb.Close()
	for i := range 3 { // seeds 1..3: 1 s apart
		if err := insert(t, tb, i+1, 10); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := tb.DropBefore(context.Background(), base.Add(2500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if n != 20 {
		t.Fatalf("dropped %d rows, want 20", n)
	}
	if got := count(t, tb); got != 10 {
		t.Fatalf("after drop: %d rows, want 10", got)
	}
	for _, f := range snap.Files { // leased: still there
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("leased part deleted by DropBefore: %v", err)
		}
	}
	snap.Release()
	gone := 0
	for _, f := range snap.Files {
		if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
			gone++
		}
	}
	if gone != 2 {
		t.Fatalf("%d dropped parts deleted after Release, want 2", gone)
	}
	// Time-range snapshot: only the part overlapping.
	s, err := tb.Snapshot(context.Background(), base.Add(3*time.Second), base.Add(4*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if len(s.Files) != 1 {
		t.Fatalf("time-range snapshot: %d files, want 1", len(s.Files))
	}
	s2, err := tb.Snapshot(context.Background(), base.Add(time.Hour), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Release()
	if len(s2.Files) != 0 {
		t.Fatalf("snapshot after the data: %d files", len(s2.Files))
	}
}

func TestSnapshotTrace(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 10, MergeRows: 1 << 20, FlushInterval: time.Hour})
	defer tb.Close()
	for i := range 5 {
		if err := insert(t, tb, i+1, 10); err != nil {
			t.Fatal(err)
		}
	}
	id := traceID(3, 2)
	s, err := tb.SnapshotTrace(context.Background(), fmt.Sprintf("%x", id[:]))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if len(s.Files) != 1 {
		t.Fatalf("trace in %d files, want 1", len(s.Files))
	}
	var n int64
	q := "SELECT count(*) FROM (" + ViewSQL(Traces, nil, s.Files) + ") WHERE TraceId = " + literal(fmt.Sprintf("%x", id[:]))
	if err := db(t).QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("trace has %d spans, want 3", n)
	}
	if _, err := tb.SnapshotTrace(context.Background(), "xyz"); !errors.Is(err, store.ErrInvalidArgument) {
		t.Fatalf("malformed ID: %v", err)
	}
}

func TestRowGroups(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Logs, PartRows: 50, RowGroupRows: 8, FlushInterval: time.Hour})
	defer tb.Close()
	for i := range 3 {
		if err := insert(t, tb, i+1, 50); err != nil {
			t.Fatal(err)
		}
	}
	groups := func() []int64 {
		s, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Release()
		var out []int64
		for _, f := range s.Files {
			rows, err := db(t).Query("SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(" + literal(f) + ") ORDER BY 1")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					t.Fatal(err)
				}
				out = append(out, n)
			}
			rows.Close()
		}
		return out
	}
	if got, want := groups(), []int64{8, 8, 8, 8, 8, 8, 2, 8, 8, 8, 8, 8, 8, 2, 8, 8, 8, 8, 8, 8, 2}; !slices.Equal(got, want) {
		t.Fatalf("row groups %v, want %v", got, want)
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	// Merged: the inputs' row groups, copied.
	if got, want := groups(), []int64{8, 8, 8, 8, 8, 8, 2, 8, 8, 8, 8, 8, 8, 2, 8, 8, 8, 8, 8, 8, 2}; !slices.Equal(got, want) || tb.Stats().Parts != 1 {
		t.Fatalf("merged row groups %v, want %v in one part", got, want)
	}
}

// TestMergeCoalescesSmallRowGroups: tiny parts (cut by Snapshot) merge
// into one row group, not one per part.
func TestMergeCoalescesSmallRowGroups(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, RowGroupRows: 64, FlushInterval: time.Hour})
	defer tb.Close()
	tb.mergeMu.Lock() // the background merger waits: one merge of all 8 below
	for i := range 8 {
		if err := insert(t, tb, i+1, 3); err != nil {
			t.Fatal(err)
		}
		if got := count(t, tb); got != int64(3*(i+1)) { // Snapshot: a part of 3 rows
			t.Fatal(got)
		}
	}
	tb.mergeMu.Unlock()
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	s, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if len(s.Files) != 1 {
		t.Fatalf("%d parts after merging, want 1", len(s.Files))
	}
	var groups, rows int64
	if err := db(t).QueryRow("SELECT count(DISTINCT row_group_id), sum(DISTINCT row_group_num_rows) FROM parquet_metadata("+literal(s.Files[0])+")").Scan(&groups, &rows); err != nil {
		t.Fatal(err)
	}
	if groups != 1 || rows != 24 {
		t.Fatalf("merged part: %d row groups, %d rows; want 1 of 24", groups, rows)
	}
	if got := count(t, tb); got != 24 {
		t.Fatalf("%d rows after merge, want 24", got)
	}
}
