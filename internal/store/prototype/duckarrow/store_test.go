//go:build duckdb_arrow

package duckarrow

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func fixture() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "cart")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("lib")
	for i := range 5 {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{1, 2, 3})
		sp.SetSpanID(pcommon.SpanID{byte(i + 1)})
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + i))
		sp.SetEndTimestamp(sp.StartTimestamp() + 10)
		sp.Attributes().PutStr("http.method", "GET")
		sp.Attributes().PutInt("http.status_code", 200)
		if i == 0 {
			ev := sp.Events().AppendEmpty()
			ev.SetName("exception")
			ev.Attributes().PutStr("exception.type", "E")
			sp.Links().AppendEmpty().SetTraceID(pcommon.TraceID{9})
		}
	}
	return td
}

// TestRoundTrip: spans inserted through Arrow read back with the
// exporter's columns, in both attribute layouts, after a reopen.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		layout Layout
		get    string // SQL reading SpanAttributes['http.status_code']
		ev     string // the first event's exception.type
	}{
		{LayoutMap, `SpanAttributes['http.status_code']`, `Events.Attributes[1]['exception.type']`},
		{LayoutKV, `map(SpanAttributes.keys, SpanAttributes."values")['http.status_code']`,
			`map(Events.Attributes[1].keys, Events.Attributes[1]."values")['exception.type']`},
	}
	for _, tt := range tests {
		t.Run(tt.layout.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			s, err := Open(Config{Path: path, Layout: tt.layout})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := s.InsertTraces(context.Background(), fixture()); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = Open(Config{Path: path, Layout: tt.layout})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var n int
			var code, svc, exc, tid string
			var links int
			q := `SELECT count(*), any_value(` + tt.get + `), any_value(ServiceName), max(TraceId),
				max(` + tt.ev + `), sum(len(Links.TraceId)) FROM otel_traces WHERE SpanId = '0100000000000000'`
			if err := s.DB().QueryRow(q).Scan(&n, &code, &svc, &tid, &exc, &links); err != nil {
				t.Fatal(err)
			}
			if n != 2 || code != "200" || svc != "cart" || tid != "01020300000000000000000000000000" || exc != "E" || links != 2 {
				t.Fatalf("got %d rows, code %q, service %q, trace %q, exception %q, links %d", n, code, svc, tid, exc, links)
			}
			if err := s.DB().QueryRow(`SELECT count(*) FROM otel_traces`).Scan(&n); err != nil || n != 10 {
				t.Fatalf("count %d, %v; want 10", n, err)
			}
		})
	}
}
