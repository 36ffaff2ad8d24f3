package limits

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestTracesWithin: TracesWithin is true exactly when Traces changes
// nothing, and it works on read-only data (it never writes).
func TestTracesWithin(t *testing.T) {
	tests := []struct {
		name   string
		change func(rs ptrace.ResourceSpans, s ptrace.Span)
		within bool
	}{
		{"at every limit", func(ptrace.ResourceSpans, ptrace.Span) {}, true},
		{"long span name", func(_ ptrace.ResourceSpans, s ptrace.Span) { s.SetName("checkout") }, false},
		{"too many span attributes", func(_ ptrace.ResourceSpans, s ptrace.Span) {
			for _, k := range []string{"b", "c", "d"} {
				s.Attributes().PutInt(k, 1)
			}
		}, false},
		{"long resource value", func(rs ptrace.ResourceSpans, _ ptrace.Span) { rs.Resource().Attributes().PutStr("r", "0123456") }, false},
		{"long value inside a map", func(_ ptrace.ResourceSpans, s ptrace.Span) {
			s.Attributes().PutEmptyMap("m2").PutEmptySlice("l").AppendEmpty().SetStr("0123456")
		}, false},
		{"long bytes", func(_ ptrace.ResourceSpans, s ptrace.Span) {
			v, _ := s.Attributes().Get("a")
			v.SetEmptyBytes().FromRaw([]byte("0123456"))
		}, false},
		{"too many events", func(_ ptrace.ResourceSpans, s ptrace.Span) { s.Events().AppendEmpty() }, false},
		{"long event name", func(_ ptrace.ResourceSpans, s ptrace.Span) { s.Events().At(0).SetName("event-1") }, false},
		{"too many links", func(_ ptrace.ResourceSpans, s ptrace.Span) { s.Links().AppendEmpty() }, false},
		{"too many link attributes", func(_ ptrace.ResourceSpans, s ptrace.Span) {
			for _, k := range []string{"x", "y", "z"} {
				s.Links().At(0).Attributes().PutInt(k, 1)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// lim: 3 attributes, values of 5 bytes, names of 4, 2 events, 1 link.
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			s.SetName("pay")
			s.SetStartTimestamp(pcommon.Timestamp(1e18))
			s.SetEndTimestamp(pcommon.Timestamp(1e18 + 1))
			s.Attributes().PutStr("a", "01234")
			s.Events().AppendEmpty().SetName("ev")
			s.Events().AppendEmpty().SetName("ev2")
			s.Links().AppendEmpty().Attributes().PutStr("k", "v")
			tt.change(rs, s)

			td.MarkReadOnly()
			if got := lim.TracesWithin(td); got != tt.within {
				t.Errorf("TracesWithin = %v, want %v", got, tt.within)
			}
			own := ptrace.NewTraces()
			td.CopyTo(own)
			st, err := lim.Traces(own)
			if err != nil {
				t.Fatal(err)
			}
			if changed := st != (Stats{}); changed == tt.within {
				t.Errorf("Traces changed the batch: %v (stats %+v), TracesWithin said %v", changed, st, tt.within)
			}
		})
	}
}
