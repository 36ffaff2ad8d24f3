package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func testShop() (*rand.Rand, *shop) {
	return rand.New(rand.NewPCG(1, 2)), newShop(rand.New(rand.NewPCG(3, 4)))
}

func allSpans(td ptrace.Traces, f func(res pcommon.Resource, sp ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				f(rs.Resource(), sp)
			}
		}
	}
}

func allLogs(ld plog.Logs, f func(res pcommon.Resource, lr plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				f(rl.Resource(), lr)
			}
		}
	}
}

func TestGenTraces(t *testing.T) {
	r, sh := testShop()
	base := time.Unix(templateBaseUnix, 0)
	for _, n := range []int{1, 1000, 5000} {
		td, infos := genTraces(r, sh, n, base, templateWindow)
		if td.SpanCount() != n {
			t.Fatalf("batch %d: got %d spans", n, td.SpanCount())
		}
		want := map[pcommon.TraceID]int{}
		total := 0
		for _, in := range infos {
			want[pcommon.TraceID(in.id)] += in.spans
			total += in.spans
		}
		if total != n || len(want) != len(infos) {
			t.Fatalf("batch %d: infos cover %d spans in %d traces (%d distinct IDs)", n, total, len(infos), len(want))
		}
		got := map[pcommon.TraceID]int{}
		spanIDs := map[pcommon.SpanID]bool{}
		attrs, errs, events := 0, 0, 0
		allSpans(td, func(res pcommon.Resource, sp ptrace.Span) {
			got[sp.TraceID()]++
			spanIDs[sp.SpanID()] = true
			attrs += sp.Attributes().Len()
			if sp.Status().Code() == ptrace.StatusCodeError {
				errs++
			}
			events += sp.Events().Len()
			if res.Attributes().Len() < 10 {
				t.Fatalf("resource has %d attributes, want ≥ 10", res.Attributes().Len())
			}
			if _, ok := res.Attributes().Get("service.name"); !ok {
				t.Fatal("resource without service.name")
			}
			if sp.EndTimestamp() < sp.StartTimestamp() || sp.StartTimestamp().AsTime().Before(base) {
				t.Fatalf("span %s: bad times %v..%v", sp.Name(), sp.StartTimestamp(), sp.EndTimestamp())
			}
		})
		for id, c := range want {
			if got[id] != c {
				t.Fatalf("trace %s: %d spans in the batch, infos say %d", id, got[id], c)
			}
		}
		// Every parent of a complete trace is in the batch.
		allSpans(td, func(_ pcommon.Resource, sp ptrace.Span) {
			if p := sp.ParentSpanID(); !p.IsEmpty() && !spanIDs[p] && n > 100 && got[sp.TraceID()] > 1 {
				// only the last, truncated trace may miss a parent
				if sp.TraceID() != pcommon.TraceID(infos[len(infos)-1].id) {
					t.Fatalf("span %s: parent %s not in the batch", sp.Name(), p)
				}
			}
		})
		if n < 1000 {
			continue
		}
		if per := float64(attrs) / float64(n); per < 8 || per > 13 {
			t.Errorf("batch %d: %.1f attributes per span, want ~10", n, per)
		}
		if per := float64(n) / float64(len(infos)); per < 4 {
			t.Errorf("batch %d: %.1f spans per trace, want several", n, per)
		}
		if share := float64(errs) / float64(n); share < 0.002 || share > 0.08 {
			t.Errorf("batch %d: %.3f of spans are errors", n, share)
		}
		if events == 0 {
			t.Errorf("batch %d: no span events", n)
		}
	}
}

func TestGenLogs(t *testing.T) {
	r, sh := testShop()
	base := time.Unix(templateBaseUnix, 0)
	for _, n := range []int{1, 1000, 5000} {
		ld := genLogs(r, sh, n, base, templateWindow)
		if ld.LogRecordCount() != n {
			t.Fatalf("batch %d: got %d records", n, ld.LogRecordCount())
		}
		attrs, traced := 0, 0
		sev := map[string]int{}
		bodies := map[string]bool{}
		allLogs(ld, func(res pcommon.Resource, lr plog.LogRecord) {
			attrs += lr.Attributes().Len()
			if !lr.TraceID().IsEmpty() {
				traced++
				if lr.SpanID().IsEmpty() {
					t.Fatal("record with a trace but no span")
				}
			}
			sev[lr.SeverityText()]++
			bodies[lr.Body().Str()] = true
			if res.Attributes().Len() < 10 {
				t.Fatalf("resource has %d attributes", res.Attributes().Len())
			}
		})
		if n < 1000 {
			continue
		}
		if per := float64(attrs) / float64(n); per < 8 || per > 13 {
			t.Errorf("batch %d: %.1f attributes per record, want ~10", n, per)
		}
		if share := float64(traced) / float64(n); share < 0.75 || share > 0.95 {
			t.Errorf("batch %d: %.2f of records have a trace, want ~%.2f", n, share, logTraced)
		}
		for _, s := range []string{"DEBUG", "INFO", "WARN", "ERROR"} {
			if sev[s] == 0 {
				t.Errorf("batch %d: no %s records: %v", n, s, sev)
			}
		}
		if sev["INFO"] < n/2 {
			t.Errorf("batch %d: INFO should dominate: %v", n, sev)
		}
		if len(bodies) < n/2 {
			t.Errorf("batch %d: only %d distinct bodies", n, len(bodies))
		}
	}
}

func TestPregenerateSizes(t *testing.T) {
	for _, sig := range []signal{sigTraces, sigLogs} {
		ts, err := pregenerate(sig, 3, 1500, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 3 {
			t.Fatalf("%s: %d templates", sig, len(ts))
		}
		for _, tp := range ts {
			if tp.rows != 1500 || len(tp.raw) == 0 || len(tp.sites.times) < 1500 {
				t.Fatalf("%s: template rows=%d bytes=%d times=%d", sig, tp.rows, len(tp.raw), len(tp.sites.times))
			}
		}
		if string(ts[0].raw) == string(ts[1].raw) {
			t.Fatalf("%s: templates are identical", sig)
		}
	}
}

// TestRenderTraces checks that a rendered template decodes, with trace IDs
// masked consistently (spans keep sharing them, parent links intact) and
// the newest timestamp moved to the send time.
func TestRenderTraces(t *testing.T) {
	ts, err := pregenerate(sigTraces, 1, 2000, 11)
	if err != nil {
		t.Fatal(err)
	}
	tp := ts[0]
	now := time.Now().Truncate(time.Microsecond)
	m := masksFor(42, 9)
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(tp.render(nil, m, now)); err != nil {
		t.Fatal(err)
	}
	want := map[pcommon.TraceID]int{}
	for _, in := range tp.traces {
		want[pcommon.TraceID(maskTraceID(in.id, m))] = in.spans
	}
	got := map[pcommon.TraceID]int{}
	ids := map[pcommon.SpanID]bool{}
	var newest pcommon.Timestamp
	allSpans(req.Traces(), func(_ pcommon.Resource, sp ptrace.Span) {
		got[sp.TraceID()]++
		ids[sp.SpanID()] = true
		newest = max(newest, sp.EndTimestamp())
	})
	for id, n := range want {
		if got[id] != n {
			t.Fatalf("masked trace %s: %d spans, want %d", id, got[id], n)
		}
	}
	orphans := 0
	allSpans(req.Traces(), func(_ pcommon.Resource, sp ptrace.Span) {
		if p := sp.ParentSpanID(); !p.IsEmpty() && !ids[p] {
			orphans++
		}
	})
	if orphans > 40 { // only the truncated last trace may have some
		t.Fatalf("%d spans lost their parent", orphans)
	}
	if !newest.AsTime().Equal(now) {
		t.Fatalf("newest timestamp %v, want %v", newest.AsTime(), now)
	}
	// The template itself is untouched.
	if err := ptraceotlp.NewExportRequest().UnmarshalProto(tp.raw); err != nil {
		t.Fatal(err)
	}
}

func TestRenderLogs(t *testing.T) {
	ts, err := pregenerate(sigLogs, 1, 1000, 11)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Microsecond)
	a := plogotlp.NewExportRequest()
	b := plogotlp.NewExportRequest()
	if err := a.UnmarshalProto(ts[0].render(nil, masksFor(1, 1), now)); err != nil {
		t.Fatal(err)
	}
	if err := b.UnmarshalProto(ts[0].render(nil, masksFor(1, 2), now.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	var ta, tb []plog.LogRecord
	allLogs(a.Logs(), func(_ pcommon.Resource, lr plog.LogRecord) { ta = append(ta, lr) })
	allLogs(b.Logs(), func(_ pcommon.Resource, lr plog.LogRecord) { tb = append(tb, lr) })
	for i := range ta {
		if tb[i].Timestamp()-ta[i].Timestamp() != pcommon.Timestamp(time.Second) {
			t.Fatalf("record %d: times %v and %v are not 1s apart", i, ta[i].Timestamp(), tb[i].Timestamp())
		}
		if !ta[i].TraceID().IsEmpty() && ta[i].TraceID() == tb[i].TraceID() {
			t.Fatalf("record %d: two sends share trace ID %s", i, ta[i].TraceID())
		}
		if ta[i].Body().Str() != tb[i].Body().Str() {
			t.Fatalf("record %d: body changed", i)
		}
	}
}

func TestMasksDistinct(t *testing.T) {
	seen := map[[16]byte]bool{}
	var id [16]byte
	for seq := range uint64(100000) {
		x := maskTraceID(id, masksFor(5, seq))
		if seen[x] {
			t.Fatalf("seq %d: mask repeats", seq)
		}
		seen[x] = true
	}
}

// TestShapeTen checks the -shape ten traces: exactly 10 spans each, and the
// issue's ~439 OTLP bytes per span (within 5%).
func TestShapeTen(t *testing.T) {
	ts, err := pregenerateShape(sigTraces, shapeTen, 2, 2000, 3)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, tm := range ts {
		size += len(tm.raw)
		for i, tr := range tm.traces {
			if tr.spans != 10 && i != len(tm.traces)-1 {
				t.Fatalf("trace %d has %d spans, want 10", i, tr.spans)
			}
		}
		if len(tm.traces) != 200 {
			t.Errorf("%d traces in a batch of 2000 spans, want 200", len(tm.traces))
		}
	}
	per := float64(size) / 4000
	t.Logf("%.1f OTLP bytes per span", per)
	if per < 439*0.95 || per > 439*1.05 {
		t.Errorf("%.1f OTLP bytes per span, want 439 ± 5%%", per)
	}
}
