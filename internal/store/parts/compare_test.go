package parts_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// putEdgeAttrs adds attributes of every value type, and a key and a
// value that are not valid UTF-8.
func putEdgeAttrs(m pcommon.Map, i int) {
	m.PutStr("s", fmt.Sprintf("v%d", i%3))
	m.PutInt("i", int64(i*1000-7))
	m.PutInt("small", int64(i%5))
	m.PutDouble("d", 1.5+float64(i))
	m.PutBool("b", i%2 == 0)
	m.PutEmptyBytes("bytes").FromRaw([]byte{0, 1, byte(i)})
	m.PutEmptyMap("map").PutStr("k", "v")
	sl := m.PutEmptySlice("slice")
	sl.AppendEmpty().SetInt(1)
	sl.AppendEmpty().SetStr("x")
	m.PutStr("bad\xffkey", "bad\xfevalue")
	m.PutEmpty("empty")
}

// edgeTraces has every span field set in some span and left empty in
// another: empty IDs, all kinds and status codes, events and links with
// attributes, a resource without service.name, clamped timestamps.
func edgeTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	for r := range 3 {
		rs := td.ResourceSpans().AppendEmpty()
		if r < 2 {
			rs.Resource().Attributes().PutStr("service.name", []string{"checkout", "cart\xff"}[r])
			rs.Resource().Attributes().PutStr("k8s.pod.name", fmt.Sprintf("pod-%d", r))
			rs.SetSchemaUrl("https://schema/" + fmt.Sprint(r))
			rs.Resource().SetDroppedAttributesCount(uint32(r))
		}
		putEdgeAttrs(rs.Resource().Attributes(), r)
		for s := range 2 {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(fmt.Sprintf("lib%d", s))
			ss.Scope().SetVersion("1.0")
			ss.SetSchemaUrl("scope-url")
			ss.Scope().SetDroppedAttributesCount(uint32(s))
			if s == 1 {
				ss.Scope().Attributes().PutStr("scope.attr", "x")
			}
			for i := range 9 {
				sp := ss.Spans().AppendEmpty()
				if i != 0 {
					sp.SetTraceID(pcommon.TraceID{byte(r + 1), byte(s), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, byte(i / 3)})
					sp.SetSpanID(pcommon.SpanID{byte(r + 1), byte(s), 0, 0, 0, 0, 0xcd, byte(i + 1)})
				}
				if i%2 == 1 {
					sp.SetParentSpanID(pcommon.SpanID{7, byte(i)})
				}
				sp.TraceState().FromRaw("k=v")
				sp.SetName(fmt.Sprintf("op%d", i%4))
				sp.SetKind(ptrace.SpanKind(i % 6))
				sp.Status().SetCode(ptrace.StatusCode(i % 3))
				if i%3 == 2 {
					sp.Status().SetMessage("boom\xff")
				}
				start := pcommon.Timestamp(1_700_000_000_000_000_000 + int64(r*100+s*10+i)*1_000_000)
				switch i {
				case 7:
					start = pcommon.Timestamp(1<<63 + 5) // clamped
				case 8:
					start = 0
				}
				sp.SetStartTimestamp(start)
				end := start + pcommon.Timestamp(i*1000)
				if i == 5 {
					end = start - 10 // before start: Duration 0
				}
				sp.SetEndTimestamp(end)
				sp.SetFlags(uint32(i))
				sp.SetDroppedAttributesCount(uint32(i))
				sp.SetDroppedEventsCount(uint32(i + 1))
				sp.SetDroppedLinksCount(uint32(i + 2))
				if i%2 == 0 {
					putEdgeAttrs(sp.Attributes(), i)
				}
				sp.Attributes().PutStr("http.route", fmt.Sprintf("/r/%d", i%2))
				for e := range i % 3 {
					ev := sp.Events().AppendEmpty()
					ev.SetName(fmt.Sprintf("ev%d", e))
					ev.SetTimestamp(start + pcommon.Timestamp(e))
					ev.SetDroppedAttributesCount(uint32(e))
					if e == 1 {
						putEdgeAttrs(ev.Attributes(), e)
					}
				}
				for l := range i % 2 * 2 {
					ln := sp.Links().AppendEmpty()
					if l == 1 {
						ln.SetTraceID(pcommon.TraceID{9, byte(i)})
						ln.SetSpanID(pcommon.SpanID{9, byte(l)})
						ln.TraceState().FromRaw("a=b")
						ln.Attributes().PutInt("n", int64(l))
					}
					ln.SetDroppedAttributesCount(uint32(l))
					ln.SetFlags(uint32(l + 1))
				}
			}
		}
	}
	return td
}

// edgeLogs has records with and without Timestamp, IDs, bodies of every
// type, severities, event names.
func edgeLogs() plog.Logs {
	ld := plog.NewLogs()
	for r := range 2 {
		rl := ld.ResourceLogs().AppendEmpty()
		if r == 0 {
			rl.Resource().Attributes().PutStr("service.name", "api")
			rl.SetSchemaUrl("res-url")
		}
		putEdgeAttrs(rl.Resource().Attributes(), r)
		rl.Resource().SetDroppedAttributesCount(3)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("logger")
		sl.Scope().SetVersion("2")
		sl.SetSchemaUrl("scope-url")
		sl.Scope().Attributes().PutStr("a", "b")
		sl.Scope().SetDroppedAttributesCount(1)
		for i := range 12 {
			lr := sl.LogRecords().AppendEmpty()
			ts := pcommon.Timestamp(1_700_000_000_123_456_789 + int64(r*100+i)*1_000_000_007)
			if i%4 != 3 {
				lr.SetTimestamp(ts)
			}
			lr.SetObservedTimestamp(ts + 5)
			if i%3 != 0 {
				lr.SetTraceID(pcommon.TraceID{byte(r + 1), 0xee, byte(i)})
				lr.SetSpanID(pcommon.SpanID{byte(r + 1), byte(i)})
			}
			lr.SetFlags(plog.LogRecordFlags(i * 37))
			lr.SetSeverityNumber(plog.SeverityNumber(i * 2))
			lr.SetSeverityText([]string{"INFO", "WARN", "", "ERROR\xff"}[i%4])
			switch i % 6 {
			case 0:
				lr.Body().SetStr(fmt.Sprintf("hello %d", i))
			case 1:
				lr.Body().SetInt(int64(i))
			case 2:
				lr.Body().SetEmptyMap().PutStr("msg", "m")
			case 3:
				lr.Body().SetEmptyBytes().FromRaw([]byte("raw"))
			case 4:
				lr.Body().SetStr("bad \xff utf8")
			}
			if i%5 == 0 {
				lr.SetEventName("evt")
			}
			lr.SetDroppedAttributesCount(uint32(i))
			putEdgeAttrs(lr.Attributes(), i)
			lr.Attributes().PutStr("http.route", "/x")
		}
	}
	return ld
}

// TestViewMatchesDuckDBStore inserts the same pdata into today's DuckDB
// store and into a parts table, and checks that ViewSQL over the parts
// has exactly the table's columns (names, order, types) and rows.
func TestViewMatchesDuckDBStore(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		kind  parts.Kind
		table *schema.Table
	}{
		{parts.Traces, &schema.Traces},
		{parts.Logs, &schema.Logs},
	}
	ref := t.TempDir()
	st, err := duckdb.Open(duckdb.Config{Dir: ref, Layout: duckdb.LayoutDuckDB}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	td, ld := edgeTraces(), edgeLogs()
	if err := st.InsertTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("ATTACH '%s' AS ref (READ_ONLY)", filepath.Join(ref, duckdb.FileName))); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			mat := schema.Default()[tt.table.Name]
			tbl, err := parts.Open(ctx, parts.Config{Dir: t.TempDir(), Kind: tt.kind, Materialized: mat, PartRows: 10, RowGroupRows: 7})
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			// One request per resource: several parts.
			if tt.kind == parts.Traces {
				for _, rs := range td.ResourceSpans().All() {
					one := ptrace.NewTraces()
					rs.CopyTo(one.ResourceSpans().AppendEmpty())
					if err := tbl.InsertTraces(ctx, one); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				for _, rl := range ld.ResourceLogs().All() {
					one := plog.NewLogs()
					rl.CopyTo(one.ResourceLogs().AppendEmpty())
					if err := tbl.InsertLogs(ctx, one); err != nil {
						t.Fatal(err)
					}
				}
			}
			snap, err := tbl.Snapshot(ctx, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Release()
			if len(snap.Files) < 2 {
				t.Fatalf("want several parts (PartRows 10), got %d", len(snap.Files))
			}
			refSQL := "SELECT * FROM ref." + tt.table.Name
			want := describe(t, db, refSQL)
			for _, files := range [][]string{nil, snap.Files} {
				if got := describe(t, db, parts.ViewSQL(tt.kind, mat, files)); got != want {
					t.Errorf("ViewSQL over %d files: columns\n%s\nwant (the DuckDB store's table)\n%s", len(files), got, want)
				}
			}
			view := parts.ViewSQL(tt.kind, mat, snap.Files)
			var nref, nview int
			if err := db.QueryRow("SELECT count(*) FROM (" + refSQL + ")").Scan(&nref); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow("SELECT count(*) FROM (" + view + ")").Scan(&nview); err != nil {
				t.Fatal(err)
			}
			if nref == 0 || nref != nview {
				t.Fatalf("rows: view %d, table %d", nview, nref)
			}
			for _, q := range []string{
				"SELECT * FROM (" + refSQL + ") EXCEPT ALL SELECT * FROM (" + view + ")",
				"SELECT * FROM (" + view + ") EXCEPT ALL SELECT * FROM (" + refSQL + ")",
			} {
				rows, err := db.Query("SELECT to_json(x)::VARCHAR FROM (" + q + ") x LIMIT 3")
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					t.Errorf("row in one side only:\n%s\n(query %.60s…)", s, q)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				rows.Close()
			}
		})
	}
}

// describe lists the columns of query q as "name type" lines.
func describe(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query("DESCRIBE " + q)
	if err != nil {
		t.Fatalf("DESCRIBE %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%v %v\n", vals[0], vals[1])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestViewSQLTrace(t *testing.T) {
	ctx := context.Background()
	tbl, err := parts.Open(ctx, parts.Config{Dir: t.TempDir(), Kind: parts.Traces, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	if err := tbl.InsertTraces(ctx, edgeTraces()); err != nil {
		t.Fatal(err)
	}
	s, err := tbl.Snapshot(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := "0201000000000000000000000000ab01"
	var want, got, upper, bad, none int
	for _, c := range []struct {
		q   string
		dst *int
	}{
		{"SELECT count(*) FROM (" + parts.ViewSQL(parts.Traces, nil, s.Files) + ") WHERE TraceId = '" + id + "'", &want},
		{"SELECT count(*) FROM (" + parts.ViewSQLTrace(parts.Traces, nil, s.Files, id) + ")", &got},
		{"SELECT count(*) FROM (" + parts.ViewSQLTrace(parts.Traces, nil, s.Files, strings.ToUpper(id)) + ")", &upper},
		{"SELECT count(*) FROM (" + parts.ViewSQLTrace(parts.Traces, nil, s.Files, "nothex") + ")", &bad},
		{"SELECT count(*) FROM (" + parts.ViewSQLTrace(parts.Traces, nil, nil, id) + ")", &none},
	} {
		if err := db.QueryRow(c.q).Scan(c.dst); err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
	}
	if want != 3 || got != want || upper != want || bad != 0 || none != 0 {
		t.Fatalf("trace rows: view filter %d, ViewSQLTrace %d, upper case %d, malformed %d, no files %d; want 3, 3, 3, 0, 0",
			want, got, upper, bad, none)
	}
}
