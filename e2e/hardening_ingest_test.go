package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// defaultMaxDepth is extensions::overlook::ingest::max_nesting_depth's default.
const defaultMaxDepth = 64

// nestedLog is one log record whose body is an array nested depth levels.
func nestedLog(service string, depth int) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	v := r.Body()
	for range depth {
		v = v.SetEmptySlice().AppendEmpty()
	}
	v.SetStr("leaf")
	return plogotlp.NewExportRequestFromLogs(ld)
}

func exportGRPC(t *testing.T, addr string, req plogotlp.ExportRequest) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := grpcLogs(t, addr).Export(ctx, req)
	return err
}

// wantRefused checks an HTTP answer is 400 with a message naming key.
func wantRefused(t *testing.T, what string, code int, body, key string) {
	t.Helper()
	if code != http.StatusBadRequest || !strings.Contains(body, key) {
		t.Errorf("%s: status %d (%.300s), want 400 naming %s", what, code, body, key)
	}
}

// TestIngestNestingDepth: a value nested one level deeper than the limit is
// refused before decoding on every transport (the decoder recurses per
// level; ~850k levels overflowed the stack and killed the process), one at
// the limit is stored, and the server lives on.
func TestIngestNestingDepth(t *testing.T) {
	s := newServer(t, "")
	s.start()
	url := "http://" + s.http + "/v1/logs"
	const key = "extensions::overlook::ingest::max_nesting_depth"

	deep := nestedLog("deep", defaultMaxDepth+1)
	pb, _ := deep.MarshalProto()
	js, _ := deep.MarshalJSON()
	code, body := postRaw(t, url, "application/x-protobuf", pb)
	wantRefused(t, "HTTP protobuf, depth limit+1", code, body, key)
	code, body = postRaw(t, url, "application/json", js)
	wantRefused(t, "HTTP JSON, depth limit+1", code, body, key)
	err := exportGRPC(t, s.grpc, deep)
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), key) {
		t.Errorf("gRPC, depth limit+1: %v, want InvalidArgument naming %s", err, key)
	}

	ok := nestedLog("at-limit", defaultMaxDepth)
	pb, _ = ok.MarshalProto()
	if code, body := postRaw(t, url, "application/x-protobuf", pb); code != http.StatusOK {
		t.Errorf("depth at the limit over HTTP: status %d (%s), want 200", code, body)
	}
	if err := exportGRPC(t, s.grpc, ok); err != nil {
		t.Errorf("depth at the limit over gRPC: %v", err)
	}
	eventually(t, "both at-limit logs stored", func() bool { return s.search("logs", `ServiceName:"at-limit"`).Count == 2 })
	if n := s.search("logs", `ServiceName:"deep"`).Count; n != 0 {
		t.Errorf("%d refused logs were stored", n)
	}
	if m := s.metrics(); !strings.Contains(m, `overlook_ingest_refused_total{reason="nesting_depth",transport="http"} 2`) ||
		!strings.Contains(m, `overlook_ingest_refused_total{reason="nesting_depth",transport="grpc"} 1`) {
		t.Errorf("refusals not counted:\n%s", grepLines(m, "overlook_ingest_refused"))
	}
}

// TestIngestStatusCodes: client mistakes get 400 / InvalidArgument with a
// message, never 500 / Internal.
func TestIngestStatusCodes(t *testing.T) {
	s := newServer(t, "")
	s.start()
	url := "http://" + s.http + "/v1/logs"

	// Not a protobuf message: grpc-go reports decoding errors as Internal.
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, out := rawMessage{0xff, 0xff, 0xff, 0x01}, rawMessage{}
	err = conn.Invoke(ctx, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", &in, &out, grpc.ForceCodec(rawCodec{}))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("malformed gRPC payload: %v, want InvalidArgument", err)
	}

	// Protobuf sent as JSON, and a negative uint64: the JSON decoder's
	// message is not valid UTF-8, which the receiver answered with 500.
	pb, _ := smallLogs(2).MarshalProto()
	code, body := postRaw(t, url, "application/json", pb)
	if code != http.StatusBadRequest {
		t.Errorf("protobuf as application/json: status %d (%s), want 400", code, body)
	}
	code, body = postRaw(t, url, "application/json",
		[]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-5,"body":{"stringValue":"x"}}]}]}]}`))
	if code != http.StatusBadRequest {
		t.Errorf("timeUnixNano -5: status %d (%s), want 400", code, body)
	}

	// Past 2262 (int64 nanoseconds) the store cannot hold the time: refused,
	// naming the field, instead of silently clamped.
	code, body = postRaw(t, url, "application/json",
		[]byte(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"future"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"9300000000000000000","body":{"stringValue":"x"}}]}]}]}`))
	wantRefused(t, "timeUnixNano past 2262 over HTTP", code, body, "logRecords[0].timeUnixNano")
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	sp.SetEndTimestamp(pcommon.Timestamp(9_300_000_000_000_000_000))
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "spans[0].endTimeUnixNano") {
		t.Errorf("endTimeUnixNano past 2262 over gRPC: %v, want InvalidArgument naming the field", err)
	}
	if n := s.search("logs", `ServiceName:"future"`).Count; n != 0 {
		t.Errorf("%d logs with a time past 2262 stored", n)
	}
	if err := exportGRPC(t, s.grpc, smallLogs(1)); err != nil {
		t.Errorf("valid export after the bad ones: %v", err)
	}
}

// TestIngestAttributeLimits: a huge span name and a log with 1000
// attributes are stored truncated, with exact dropped counts.
func TestIngestAttributeLimits(t *testing.T) {
	s := newServer(t, "")
	s.start()

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "long-name")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, 2, 3})
	sp.SetSpanID(pcommon.SpanID{4, 5, 6})
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	sp.SetName(strings.Repeat("n", 100_000))
	pb, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if code, body := postRaw(t, "http://"+s.http+"/v1/traces", "application/x-protobuf", pb); code != http.StatusOK {
		t.Fatalf("span export: %d %s", code, body)
	}

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "many-attrs")
	r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(now))
	r.Body().SetStr("many attributes")
	for i := range 1000 {
		r.Attributes().PutStr(fmt.Sprintf("a%04d", i), "v")
	}
	if err := exportGRPC(t, s.grpc, plogotlp.NewExportRequestFromLogs(ld)); err != nil {
		t.Fatalf("log export: %v", err)
	}

	var spans searchResult
	eventually(t, "span stored", func() bool { spans = s.search("traces", `ServiceName:"long-name"`); return spans.Count == 1 })
	if name, _ := spans.Rows[0]["SpanName"].(string); name != strings.Repeat("n", 4096) {
		t.Errorf("SpanName stored with %d bytes, want 4096 (max_span_name_length)", len(name))
	}
	var logs searchResult
	eventually(t, "log stored", func() bool { logs = s.search("logs", `ServiceName:"many-attrs"`); return logs.Count == 1 })
	row := logs.Rows[0]
	attrs, _ := row["LogAttributes"].(map[string]any)
	if len(attrs) != 128 || attrs["a0000"] != "v" || attrs["a0127"] != "v" || attrs["a0128"] != nil {
		t.Errorf("stored %d attributes (a0127 %v, a0128 %v), want the first 128", len(attrs), attrs["a0127"], attrs["a0128"])
	}
	if got := fmt.Sprint(row["DroppedAttributesCount"]); got != "872" {
		t.Errorf("DroppedAttributesCount %s, want 872", got)
	}
	m := s.metrics()
	for _, want := range []string{
		`overlook_ingest_truncated_total{signal="logs",what="attributes"} 872`,
		`overlook_ingest_truncated_total{signal="traces",what="name"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "overlook_ingest"))
		}
	}
}

// TestIngestGuardCustomReceiver: a receiver the user defines is guarded
// too, with the configured limits.
func TestIngestGuardCustomReceiver(t *testing.T) {
	extra := freePort(t)
	s := newServer(t, fmt.Sprintf(`extensions:
  overlook:
    ingest:
      max_nesting_depth: 8
      max_request_items: 50
receivers:
  otlp/extra:
    protocols: {http: {endpoint: %s}}
service:
  pipelines:
    logs/extra:
      receivers: [otlp/extra]
      exporters: [overlook]
`, extra))
	s.start()
	url := "http://" + extra + "/v1/logs"

	pb, _ := nestedLog("extra", 9).MarshalProto()
	code, body := postRaw(t, url, "application/x-protobuf", pb)
	wantRefused(t, "otlp/extra, depth 9 over a limit of 8", code, body, "max_nesting_depth")
	ld := plog.NewLogs()
	r := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	for i := range 60 {
		r.Attributes().PutInt(fmt.Sprint(i), int64(i))
	}
	pb, _ = plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	code, body = postRaw(t, url, "application/x-protobuf", pb)
	wantRefused(t, "otlp/extra, 121 elements over a limit of 50", code, body, "max_request_items")

	pb, _ = nestedLog("extra", 8).MarshalProto()
	if code, body := postRaw(t, url, "application/x-protobuf", pb); code != http.StatusOK {
		t.Errorf("otlp/extra, depth 8: status %d (%s), want 200", code, body)
	}
	eventually(t, "log via otlp/extra stored", func() bool { return s.search("logs", `ServiceName:"extra"`).Count >= 1 })
}

func (s *server) metrics() string {
	s.t.Helper()
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
