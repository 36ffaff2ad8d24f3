package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// customPipelines is issue 9 finding 9's shape, widened to every signal and
// every processor kind a ClickStack user file names: a second OTLP
// receiver (HTTP and gRPC) feeding its own logs, traces and metrics
// pipelines, each with a filter (drops "drop" records), the resource
// processor (service.name upserted to "temporal"), an attributes processor
// (inserts pipeline=extra) and a debug exporter next to the store.
const customPipelines = `receivers:
  otlp/extra:
    protocols:
      http: {endpoint: %[1]s}
      grpc: {endpoint: %[2]s}
processors:
  resource:
    attributes: [{key: service.name, value: temporal, action: upsert}]
  attributes/tag:
    actions: [{key: pipeline, value: extra, action: insert}]
  filter/drop:
    error_mode: ignore
    logs: {log_record: ['body == "drop me"']}
    traces: {span: ['name == "drop-span"']}
    metrics: {metric: ['name == "drop_metric"']}
exporters:
  debug: {verbosity: detailed}
service:
  pipelines:
    logs/extra:
      receivers: [otlp/extra]
      processors: [filter/drop, resource, attributes/tag, memory_limiter, batch]
      exporters: [clickhouse, debug]
    traces/extra:
      receivers: [otlp/extra]
      processors: [filter/drop, resource, attributes/tag, memory_limiter, batch]
      exporters: [clickhouse, debug]
    metrics/extra:
      receivers: [otlp/extra]
      processors: [filter/drop, resource, attributes/tag, memory_limiter, batch]
      exporters: [clickhouse, debug]
`

// TestCustomPipelinesTakeEffect proves that data sent to a custom
// pipeline's own receiver goes through that pipeline's processors — the
// stored rows carry every processor's change and nothing the filter drops
// — and that the default pipelines stay untouched. Logs arrive over HTTP
// (protobuf), traces over gRPC, metrics over HTTP (JSON), all with
// service.name "orig"; one log goes to the default receiver.
func TestCustomPipelinesTakeEffect(t *testing.T) {
	s := newServer(t, "")
	extraHTTP, extraGRPC := freePort(t), freePort(t)
	custom := filepath.Join(t.TempDir(), "custom.yaml")
	if err := os.WriteFile(custom, []byte(fmt.Sprintf(customPipelines, extraHTTP, extraGRPC)), 0o600); err != nil {
		t.Fatal(err)
	}
	s.env = []string{"CUSTOM_OTELCOL_CONFIG_FILE=" + custom}
	s.start()
	now := time.Now()

	// Logs: two kept, one dropped by the filter, to otlp/extra over HTTP;
	// one to the default receiver.
	logs := func(bodies ...string) []byte {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "orig")
		for _, b := range bodies {
			r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			r.SetTimestamp(pcommon.NewTimestampFromTime(now))
			r.Body().SetStr(b)
		}
		body, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		return body
	}
	post(t, "http://"+extraHTTP+"/v1/logs", logs("keep-log-1", "drop me", "keep-log-2"))
	post(t, "http://"+s.http+"/v1/logs", logs("default-log"))

	// Traces over gRPC to otlp/extra.
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orig")
	for i, name := range []string{"keep-span-1", "drop-span", "keep-span-2"} {
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetName(name)
		sp.SetTraceID(pcommon.TraceID{1, 2, 3, byte(i + 1)})
		sp.SetSpanID(pcommon.SpanID{1, byte(i + 1)})
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	}
	conn, err := grpc.NewClient(extraGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td)); err != nil {
		t.Fatalf("traces over gRPC to otlp/extra: %v", err)
	}

	// Metrics over HTTP/JSON to otlp/extra.
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "orig")
	for _, name := range []string{"keep_metric", "drop_metric"} {
		g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		g.SetName(name)
		p := g.SetEmptyGauge().DataPoints().AppendEmpty()
		p.SetTimestamp(pcommon.NewTimestampFromTime(now))
		p.SetDoubleValue(7)
	}
	mbody, _ := pmetricotlp.NewExportRequestFromMetrics(md).MarshalJSON()
	if code, body := postRaw(t, "http://"+extraHTTP+"/v1/metrics", "application/json", mbody); code != http.StatusOK {
		t.Fatalf("metrics to otlp/extra: %d %s", code, body)
	}

	// Logs: exactly the two kept records, each with both processors' changes.
	var res searchResult
	eventually(t, "the custom pipeline's logs", func() bool {
		res = s.search("logs", `ServiceName:"temporal"`)
		return res.Count >= 2
	})
	checkPipelineRows(t, "logs", res, "Body", "LogAttributes", []string{"keep-log-1", "keep-log-2"})
	if n := s.search("logs", `"drop me"`).Count; n != 0 {
		t.Errorf("the filter processor's dropped log was stored %d times", n)
	}
	def := s.search("logs", `ServiceName:"orig"`)
	if def.Count != 1 || def.Rows[0]["Body"] != "default-log" {
		t.Fatalf("default pipeline: %d rows %v, want only default-log", def.Count, def.Rows)
	}
	if a, _ := def.Rows[0]["LogAttributes"].(map[string]any); a["pipeline"] != nil {
		t.Errorf("the default pipeline's log went through attributes/tag: %v", a)
	}

	// Traces: exactly the two kept spans.
	eventually(t, "the custom pipeline's spans", func() bool {
		res = s.search("traces", `ServiceName:"temporal"`)
		return res.Count >= 2
	})
	checkPipelineRows(t, "traces", res, "SpanName", "SpanAttributes", []string{"keep-span-1", "keep-span-2"})
	if n := s.search("traces", `ServiceName:"orig"`).Count; n != 0 {
		t.Errorf("%d spans kept their original service.name", n)
	}

	// Metrics: keep_metric with job (service.name) "temporal" and the
	// pipeline label; drop_metric absent.
	var got []promSample
	eventually(t, "the custom pipeline's metric", func() bool {
		got = s.instant("keep_metric", now.Add(time.Second))
		return len(got) > 0
	})
	if len(got) != 1 || got[0].Metric["job"] != "temporal" || got[0].Metric["pipeline"] != "extra" {
		t.Errorf("keep_metric = %+v, want one series with job=temporal, pipeline=extra", got)
	}
	if d := s.instant("drop_metric", now.Add(time.Second)); len(d) != 0 {
		t.Errorf("the filter processor's dropped metric was stored: %+v", d)
	}

	// The debug exporter printed what passed through the custom pipelines
	// (after the processors), and nothing else.
	out := s.out.String()
	for _, want := range []string{"Str(keep-log-1)", "Str(keep-log-2)", "Name           : keep-span-1",
		"Name           : keep-span-2", "Name: keep_metric", "-> service.name: Str(temporal)", "-> pipeline: Str(extra)"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug exporter output lacks %q", want)
		}
	}
	for _, unwanted := range []string{"drop me", "drop-span", "drop_metric", "default-log", "Str(orig)"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("debug exporter printed %q", unwanted)
		}
	}
}

// checkPipelineRows asserts that rows are exactly the records named want,
// each with service.name "temporal" and the attributes processor's tag.
func checkPipelineRows(t *testing.T, what string, res searchResult, nameCol, attrCol string, want []string) {
	t.Helper()
	var names []string
	for _, r := range res.Rows {
		names = append(names, fmt.Sprint(r[nameCol]))
		if r["ServiceName"] != "temporal" {
			t.Errorf("%s %v: ServiceName %v, want temporal (resource processor)", what, r[nameCol], r["ServiceName"])
		}
		if a, _ := r[attrCol].(map[string]any); a["pipeline"] != "extra" {
			t.Errorf("%s %v: %s %v, want pipeline=extra (attributes processor)", what, r[nameCol], attrCol, r[attrCol])
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("%s through the custom pipeline: %v, want exactly %v (filter processor)", what, names, want)
	}
}

// TestCustomReceiverPortTaken: when a custom receiver's port is held by
// another process, overlook exits at once with an error naming the
// address, instead of running while clients' data goes to the other
// process. (This is how finding 9 was seen: the port of otlp/extra was
// answered by an older overlook whose default pipeline stored the data.)
func TestCustomReceiverPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().String()
	s := newServer(t, fmt.Sprintf("receivers:\n  otlp/extra:\n    protocols: {http: {endpoint: %s}}\n"+
		"service:\n  pipelines:\n    logs/extra:\n      receivers: [otlp/extra]\n      exporters: [clickhouse]\n", taken))
	args := append([]string{"serve", "--config", s.configPath, "--data", s.dataDir}, s.extraArgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("overlook kept running with otlp/extra's port %s taken:\n%s", taken, out)
	}
	if err == nil || !strings.Contains(string(out), taken) || !strings.Contains(string(out), "address already in use") {
		t.Fatalf("exit %v; output should name %s and the bind error:\n%s", err, taken, out)
	}
}
