package inflight

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// BenchmarkDecodeAllocation measures what decoding an OTLP request
// allocates per byte of its body (the "alloc/body" metric), the basis of
// DecodeFactor.
func BenchmarkDecodeAllocation(b *testing.B) {
	now := pcommon.NewTimestampFromTime(time.Now())
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i := range 2000 {
		sp := ss.Spans().AppendEmpty()
		sp.SetName("GET /api/checkout/{id}")
		sp.SetTraceID(pcommon.TraceID{1, byte(i), byte(i >> 8)})
		sp.SetSpanID(pcommon.SpanID{2, byte(i), byte(i >> 8)})
		sp.SetStartTimestamp(now)
		sp.SetEndTimestamp(now)
		a := sp.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("url.path", fmt.Sprintf("/api/checkout/%d", i))
		a.PutInt("http.response.status_code", 200)
		a.PutStr("server.address", "checkout.internal")
		a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)")
		a.PutDouble("app.cart.total", float64(i)*1.25)
		a.PutBool("app.cart.empty", i%3 == 0)
	}
	ld := plog.NewLogs()
	ls := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for i := range 2000 {
		lr := ls.LogRecords().AppendEmpty()
		lr.Body().SetStr(fmt.Sprintf("user %d checked out a cart of %d items", i, i%17))
		lr.SetTimestamp(now)
		lr.Attributes().PutStr("k8s.pod.name", "checkout-7d9f8c-x2x7q")
		lr.Attributes().PutInt("seq", int64(i))
	}
	tiny := ptrace.NewTraces()
	ts := tiny.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for range 2000 {
		a := ts.Spans().AppendEmpty().Attributes()
		for k := range 20 {
			a.PutInt(string(rune('a'+k)), 1)
		}
	}
	treq := ptraceotlp.NewExportRequestFromTraces(td)
	lreq := plogotlp.NewExportRequestFromLogs(ld)
	tinyReq := ptraceotlp.NewExportRequestFromTraces(tiny)
	tracesPB, _ := treq.MarshalProto()
	tracesJSON, _ := treq.MarshalJSON()
	logsPB, _ := lreq.MarshalProto()
	tinyPB, _ := tinyReq.MarshalProto()
	for _, c := range []struct {
		name   string
		body   []byte
		decode func([]byte) error
	}{
		{"traces-proto", tracesPB, func(p []byte) error { r := ptraceotlp.NewExportRequest(); return r.UnmarshalProto(p) }},
		{"traces-json", tracesJSON, func(p []byte) error { r := ptraceotlp.NewExportRequest(); return r.UnmarshalJSON(p) }},
		{"logs-proto", logsPB, func(p []byte) error { r := plogotlp.NewExportRequest(); return r.UnmarshalProto(p) }},
		{"tiny-attributes-proto", tinyPB, func(p []byte) error { r := ptraceotlp.NewExportRequest(); return r.UnmarshalProto(p) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n := 0
			for b.Loop() {
				if err := c.decode(c.body); err != nil {
					b.Fatal(err)
				}
				n++
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/float64(len(c.body)), "alloc/body")
		})
	}
}
