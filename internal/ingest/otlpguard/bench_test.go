package otlpguard

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// benchLogsRequest is an export request shaped like bench/ingest's logs:
// 8 resources of 100 records, each record with a body, trace context and
// ~10 attributes; resources with ~12.
func benchLogsRequest(tb testing.TB) []byte {
	ld := plog.NewLogs()
	for r := range 8 {
		rl := ld.ResourceLogs().AppendEmpty()
		ra := rl.Resource().Attributes()
		ra.PutStr("service.name", fmt.Sprintf("svc-%d", r))
		for i := range 11 {
			ra.PutStr(fmt.Sprintf("k8s.attr.%d", i), fmt.Sprintf("value-%d-%d", r, i))
		}
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("io.opentelemetry.logging")
		for i := range 100 {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + i))
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.SetSeverityText("INFO")
			lr.Body().SetStr(fmt.Sprintf("GET /api/products/%d 200 %d.3 ms - %d", i, i%40, 200+i))
			lr.SetTraceID(pcommon.TraceID{1, 2, 3, byte(i)})
			lr.SetSpanID(pcommon.SpanID{4, 5, byte(i)})
			a := lr.Attributes()
			a.PutStr("code.filepath", "src/main/java/Cart.java")
			a.PutStr("code.function", "addItem")
			a.PutInt("code.lineno", int64(20+i))
			a.PutInt("thread.id", int64(i%60))
			a.PutStr("thread.name", "grpc-default-executor-3")
			a.PutStr("app.user.id", fmt.Sprintf("user-%d", i*7))
			a.PutStr("app.request.id", fmt.Sprintf("5f0c%028d", i))
			a.PutStr("http.method", "GET")
			a.PutInt("http.status_code", 200)
			a.PutDouble("duration_ms", 12.5)
		}
	}
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func BenchmarkScanProtoLogs(b *testing.B) {
	req := benchLogsRequest(b)
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		if err := ScanProto(Logs, req, Limits{MaxDepth: 32, MaxItems: 1 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}
