package duckdb

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store"
)

// TestTraceQLAggregateSlices: aggregate searches run newest-first over
// slices of the range but judge each trace on all its spans in the range:
// trace A has two spans in the newest slice and two an hour earlier, so
// its count() is 4, not the 2 the slice holds.
func TestTraceQLAggregateSlices(t *testing.T) {
	base := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Hour)
	end := base.Add(64 * time.Minute) // first slice: the last minute
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	add := func(trace byte, span byte, at time.Duration) {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{trace, 1})
		sp.SetSpanID(pcommon.SpanID{trace, span})
		if span > 1 {
			sp.SetParentSpanID(pcommon.SpanID{trace, 1})
		}
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(at)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(at + time.Millisecond)))
	}
	const a, b, c = 0xa, 0xb, 0xc
	add(a, 1, time.Minute)
	add(a, 2, 2*time.Minute)
	add(a, 3, 63*time.Minute+30*time.Second)
	add(a, 4, 63*time.Minute+36*time.Second)
	add(b, 1, 63*time.Minute+42*time.Second)
	add(c, 1, 10*time.Minute)
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InsertTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	id := func(trace byte) string { return pcommon.TraceID{trace, 1}.String() }
	for _, tc := range []struct {
		q     string
		limit int
		want  []string
	}{
		// A has 4 spans: never "< 3", though only 2 are in the first slice.
		{`{ } | count() < 3`, 1, []string{id(b)}},
		{`{ } | count() < 3`, 2, []string{id(b), id(c)}},
		// Found in the first slice, judged on its 4 spans.
		{`{ } | count() > 3`, 1, []string{id(a)}},
		{`{ } | count() > 3`, 5, []string{id(a)}},
		// The newest two by their latest matched span, then by start.
		{`{ } | count() >= 1`, 2, []string{id(b), id(a)}},
		{`{ } | by(name) | max(duration) >= 1ms`, 3, []string{id(b), id(c), id(a)}},
		// traceDuration is a whole-trace value too: A lasts 62.6 minutes.
		{`{ traceDuration > 1h }`, 3, []string{id(a)}},
	} {
		q, err := traceql.Parse(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.TraceQLSearch(context.Background(), store.TraceQLSearchParams{Query: q, Start: base, End: end, Limit: tc.limit, SpansPerSet: 5})
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		var got []string
		for _, tr := range res {
			got = append(got, tr.TraceID)
			if tr.TraceID == id(a) && tr.SpanSets[0].Matched != 4 && tc.q != `{ traceDuration > 1h }` {
				t.Errorf("%s: trace A matched %d spans, want 4", tc.q, tr.SpanSets[0].Matched)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s limit %d: %v, want %v", tc.q, tc.limit, got, tc.want)
		}
	}
}
