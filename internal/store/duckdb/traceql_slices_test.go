package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// TestTraceQLBoundRawBytes checks the slice bound of an aggregate search
// read from the stored TraceId bytes (traceQLRawTraces) against the bound
// over the view's hex IDs, with a trace whose earliest span is in the old
// DuckDB table (hex IDs, unhex'd) and its latest in a part, and spans
// without a trace ID.
func TestTraceQLBoundRawBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Hour)
	spans := func(list ...struct {
		trace byte
		at    time.Duration
	}) ptrace.Traces {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i, x := range list {
			sp := ss.Spans().AppendEmpty()
			if x.trace != 0 {
				sp.SetTraceID(pcommon.TraceID{x.trace, 0xff, 7})
			}
			sp.SetSpanID(pcommon.SpanID{x.trace, byte(i + 1)})
			sp.SetName("op")
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(x.at)))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(x.at + time.Millisecond)))
		}
		return td
	}
	type sp = struct {
		trace byte
		at    time.Duration
	}
	old, err := Open(Config{Dir: dir, Layout: LayoutDuckDB}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	// In the old table: A at 0:05, C at 0:10, a span without trace at 0:15.
	if err := old.InsertTraces(ctx, spans(sp{0xa, 5 * time.Minute}, sp{0xc, 10 * time.Minute}, sp{0, 15 * time.Minute})); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{Dir: dir}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.partTraces.legacy.Load() {
		t.Fatal("the DuckDB table's rows are not seen")
	}
	// In parts: B at 0:30, A at 1:50, C at 0:40, B at 1:55, no trace at 1:58.
	if err := s.InsertTraces(ctx, spans(sp{0xb, 30 * time.Minute}, sp{0xa, 110 * time.Minute}, sp{0xc, 40 * time.Minute},
		sp{0xb, 115 * time.Minute}, sp{0, 118 * time.Minute})); err != nil {
		t.Fatal(err)
	}
	start, end := base, base.Add(2*time.Hour)
	for _, tc := range []struct {
		since time.Duration
		want  time.Duration // -1: no span in [since, end)
	}{
		{119 * time.Minute, -1},
		{116 * time.Minute, 15 * time.Minute}, // the span without trace: every span without one
		{112 * time.Minute, 15 * time.Minute},
		{100 * time.Minute, 5 * time.Minute}, // A, whose first span is in the old table
		{45 * time.Minute, 5 * time.Minute},
		{0, 5 * time.Minute},
	} {
		for _, hex := range []bool{true, false} {
			s.tqHexIDs = hex
			since := base.Add(tc.since)
			if tc.since == 0 {
				since = start
			}
			from, ok, err := s.traceQLTracesFrom(ctx, start, since, end)
			if err != nil {
				t.Fatalf("since %v, hex %v: %v", tc.since, hex, err)
			}
			switch {
			case tc.want < 0 && ok:
				t.Errorf("since %v, hex %v: %v, want no span", tc.since, hex, from.Sub(base))
			case tc.want >= 0 && (!ok || !from.Equal(base.Add(tc.want))):
				t.Errorf("since %v, hex %v: %v (%v), want %v", tc.since, hex, from.Sub(base), ok, tc.want)
			}
		}
	}
	// Searches read the old table's rows with their IDs unhex'd too: A's
	// two spans (one per storage) are one trace, and its ID and span IDs
	// come back as hex.
	a := pcommon.TraceID{0xa, 0xff, 7}.String()
	for _, q := range []string{`{ } | count() = 2`, fmt.Sprintf(`{ trace:id = "%s" }`, a),
		fmt.Sprintf(`{ span:id = "%s" }`, pcommon.SpanID{0xa, 1}.String())} {
		for _, hex := range []bool{true, false} {
			s.tqHexIDs = hex
			pq, err := traceql.Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: pq, Start: start, End: end, Limit: 10, SpansPerSet: 5})
			if err != nil {
				t.Fatalf("%s, hex %v: %v", q, hex, err)
			}
			var got []string
			for _, tr := range res {
				if tr.TraceID == a {
					for _, sp := range tr.SpanSets[0].Spans {
						got = append(got, sp.SpanID)
					}
				}
			}
			want := []string{pcommon.SpanID{0xa, 1}.String(), pcommon.SpanID{0xa, 2}.String()}
			if q != `{ } | count() = 2` {
				if strings.HasPrefix(q, "{ span:id") {
					want = want[:1]
				}
				if len(res) != 1 {
					t.Errorf("%s, hex %v: %d traces, want A only", q, hex, len(res))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, hex %v: A's spans %v, want %v", q, hex, got, want)
			}
		}
	}
	s.tqHexIDs = false
}

// TestTraceQLNoParts: searches over a range without parts (and without
// old DuckDB rows) bind and find nothing, on the stored bytes and on hex.
func TestTraceQLNoParts(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	end := time.Now()
	for _, q := range []string{`{ } | count() > 1`, `{ traceDuration > 1s }`, `{ kind = server } > { }`, `{ trace:id = "0102" }`} {
		for _, hex := range []bool{false, true} {
			s.tqHexIDs = hex
			pq, err := traceql.Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.TraceQLSearch(context.Background(), store.TraceQLSearchParams{Query: pq, Start: end.Add(-time.Hour), End: end, Limit: 20, SpansPerSet: 3})
			if err != nil || len(res) != 0 {
				t.Errorf("%s, hex %v: %d traces, %v", q, hex, len(res), err)
			}
		}
	}
}
