package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // read the data file after the server stops
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

const schemaURL = "https://opentelemetry.io/schemas/1.43.0" // the SDK's semconv version (otel/sdk v1.45)

// exporters builds SDK exporters for one transport.
type exporters struct {
	traces  sdktrace.SpanExporter
	logs    sdklog.Exporter
	metrics sdkmetric.Exporter
}

func newExporters(t *testing.T, ctx context.Context, s *server, transport string) exporters {
	t.Helper()
	var (
		e   exporters
		err error
	)
	switch transport {
	case "grpc":
		if e.traces, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(s.grpc), otlptracegrpc.WithInsecure()); err != nil {
			t.Fatal(err)
		}
		if e.logs, err = otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(s.grpc), otlploggrpc.WithInsecure()); err != nil {
			t.Fatal(err)
		}
		if e.metrics, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(s.grpc), otlpmetricgrpc.WithInsecure()); err != nil {
			t.Fatal(err)
		}
	case "http":
		if e.traces, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(s.http), otlptracehttp.WithInsecure()); err != nil {
			t.Fatal(err)
		}
		if e.logs, err = otlploghttp.New(ctx, otlploghttp.WithEndpoint(s.http), otlploghttp.WithInsecure()); err != nil {
			t.Fatal(err)
		}
		if e.metrics, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(s.http), otlpmetrichttp.WithInsecure()); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// TestOTLPRoundTrip sends traces, logs and metrics with the official Go SDK
// exporters over gRPC and HTTP and reads every field back through the API.
func TestOTLPRoundTrip(t *testing.T) {
	s := newServer(t, "")
	s.start()
	traceIDs := map[string]string{} // service → trace of the exemplar
	for _, transport := range []string{"grpc", "http"} {
		t.Run(transport, func(t *testing.T) {
			ctx := context.Background()
			service := "checkout-" + transport
			res, err := resource.New(ctx, resource.WithSchemaURL(schemaURL), resource.WithTelemetrySDK(), resource.WithAttributes(
				attribute.String("service.name", service),
				attribute.String("k8s.pod.name", "checkout-7d9f-"+transport),
				attribute.Int("host.cpu.count", 2),
			))
			if err != nil {
				t.Fatal(err)
			}
			exp := newExporters(t, ctx, s, transport)

			// Traces: a server span with a client child, an event, a link
			// and an error status. WithSyncer exports at End, so each End
			// returns after the export was acknowledged.
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp.traces), sdktrace.WithResource(res))
			tracer := tp.Tracer("e2e/checkout", trace.WithInstrumentationVersion("1.2.3"), trace.WithSchemaURL(schemaURL))
			linkCtx := trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{0xab, 1, 2, 3}, SpanID: trace.SpanID{0xcd, 4, 5}, TraceFlags: trace.FlagsSampled})
			spanStart := time.Now().Add(-2 * time.Second).Truncate(time.Microsecond)
			rootCtx, root := tracer.Start(ctx, "POST /api/checkout",
				trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(spanStart),
				trace.WithLinks(trace.Link{SpanContext: linkCtx, Attributes: []attribute.KeyValue{attribute.String("link.reason", "retry")}}),
				trace.WithAttributes(
					attribute.String("app.payment.card_type", "visa"),
					attribute.Int("http.status_code", 500),
					attribute.Bool("app.cache.hit", false),
				))
			_, child := tracer.Start(rootCtx, "charge card", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithTimestamp(spanStart.Add(10*time.Millisecond)))
			child.End(trace.WithTimestamp(spanStart.Add(60 * time.Millisecond)))
			root.AddEvent("Visa cache full", trace.WithTimestamp(spanStart.Add(70*time.Millisecond)),
				trace.WithAttributes(attribute.Int("cache.size", 100000)))
			root.SetStatus(codes.Error, "payment failed")

			// Logs correlated with the root span.
			lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp.logs)), sdklog.WithResource(res))
			logger := lp.Logger("e2e/checkout-logger", otellog.WithInstrumentationVersion("4.5.6"))
			logTime := spanStart.Add(80 * time.Millisecond)
			var rec otellog.Record
			rec.SetTimestamp(logTime)
			rec.SetObservedTimestamp(logTime.Add(time.Millisecond))
			rec.SetSeverity(otellog.SeverityError)
			rec.SetSeverityText("ERROR")
			rec.SetBody(attribute.StringValue("Failed to place order: Visa cache full " + transport))
			rec.AddAttributes(attribute.String("userEmail", "braulio@example.com"), attribute.Int("order.items", 3))
			logger.Emit(rootCtx, rec)
			root.End(trace.WithTimestamp(spanStart.Add(100 * time.Millisecond)))

			// Metrics: a counter, a gauge and a histogram, flushed once.
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
				sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp.metrics, sdkmetric.WithInterval(time.Hour))))
			meter := mp.Meter("e2e/meter")
			counter, _ := meter.Int64Counter("orders_placed", metric.WithUnit("{order}"))
			counter.Add(ctx, 7, metric.WithAttributes(attribute.String("card", "visa")))
			gauge, _ := meter.Float64Gauge("visa_validation_cache.size")
			gauge.Record(ctx, 99.5)
			hist, _ := meter.Float64Histogram("checkout.duration", metric.WithUnit("ms"))
			hist.Record(ctx, 12)
			// In the sampled root span's context: the SDK attaches an
			// exemplar with its trace and span.
			hist.Record(rootCtx, 250)
			// Shutdown collects and exports once (a ForceFlush before it
			// would export the cumulative points a second time).
			for _, shut := range []func(context.Context) error{tp.Shutdown, lp.Shutdown, mp.Shutdown} {
				if err := shut(ctx); err != nil {
					t.Fatalf("shutdown SDK: %v", err)
				}
			}

			traceID := root.SpanContext().TraceID().String()
			traceIDs[service] = traceID + " " + root.SpanContext().SpanID().String()
			checkSpans(t, s, service, traceID, root.SpanContext().SpanID().String(), child.SpanContext().SpanID().String(), spanStart)
			checkLogs(t, s, service, transport, traceID, root.SpanContext().SpanID().String(), logTime)
		})
	}
	checkMetricsCounter(t, s)
	checkTargetInfo(t, s)
	checkExemplars(t, s, traceIDs)
	s.stop()
	checkMetricsStored(t, s.dataDir)
}

func checkSpans(t *testing.T, s *server, service, traceID, rootID, childID string, start time.Time) {
	t.Helper()
	res := s.search("traces", "ServiceName:\""+service+"\"")
	if res.Count != 2 || len(res.Rows) != 2 {
		t.Fatalf("search spans of %s: count %d, %d rows; want 2", service, res.Count, len(res.Rows))
	}
	// Newest first: the child started after the root.
	if res.Rows[0]["SpanId"] != childID || res.Rows[1]["SpanId"] != rootID {
		t.Errorf("spans not newest first: got %v then %v", res.Rows[0]["SpanId"], res.Rows[1]["SpanId"])
	}

	var tr struct {
		TraceID string           `json:"traceId"`
		Spans   []map[string]any `json:"spans"`
	}
	if code := s.getJSON("/api/traces/"+traceID, &tr); code != http.StatusOK {
		t.Fatalf("GET trace: status %d", code)
	}
	if tr.TraceID != traceID || len(tr.Spans) != 2 {
		t.Fatalf("trace %s: got id %q with %d spans", traceID, tr.TraceID, len(tr.Spans))
	}
	root, child := tr.Spans[0], tr.Spans[1] // ordered by start time
	want := map[string]any{
		"TraceId": traceID, "SpanId": rootID, "ParentSpanId": "", "SpanName": "POST /api/checkout",
		"SpanKind": "Server", "ServiceName": service, "StatusCode": "Error", "StatusMessage": "payment failed",
		"ScopeName": "e2e/checkout", "ScopeVersion": "1.2.3", "ScopeSchemaUrl": schemaURL,
		"ResourceSchemaUrl": schemaURL, "Duration": float64(100 * time.Millisecond),
		// Sampled, plus OTLP's "has is_remote" bit (0x100) the SDK sets.
		"TraceFlags": float64(0x101),
	}
	checkFields(t, "root span", root, want)
	checkTime(t, "root span Timestamp", root["Timestamp"], start)
	checkMap(t, "root SpanAttributes", root["SpanAttributes"], map[string]string{
		"app.payment.card_type": "visa", "http.status_code": "500", "app.cache.hit": "false"})
	checkMap(t, "root ResourceAttributes", root["ResourceAttributes"], map[string]string{
		"service.name": service, "host.cpu.count": "2", "telemetry.sdk.language": "go"})
	checkFields(t, "root events", root, map[string]any{
		"Events.Name":   []any{"Visa cache full"},
		"Links.TraceId": []any{trace.TraceID{0xab, 1, 2, 3}.String()},
		"Links.SpanId":  []any{trace.SpanID{0xcd, 4, 5}.String()},
	})
	if ts, ok := root["Events.Timestamp"].([]any); !ok || len(ts) != 1 {
		t.Errorf("root Events.Timestamp = %v", root["Events.Timestamp"])
	} else {
		checkTime(t, "event time", ts[0], start.Add(70*time.Millisecond))
	}
	if attrs, ok := root["Events.Attributes"].([]any); !ok || len(attrs) != 1 {
		t.Errorf("root Events.Attributes = %v", root["Events.Attributes"])
	} else {
		checkMap(t, "event attributes", attrs[0], map[string]string{"cache.size": "100000"})
	}
	if attrs, ok := root["Links.Attributes"].([]any); !ok || len(attrs) != 1 {
		t.Errorf("root Links.Attributes = %v", root["Links.Attributes"])
	} else {
		checkMap(t, "link attributes", attrs[0], map[string]string{"link.reason": "retry"})
	}
	checkFields(t, "child span", child, map[string]any{
		"SpanId": childID, "ParentSpanId": rootID, "SpanKind": "Client", "StatusCode": "Unset",
		"Duration": float64(50 * time.Millisecond),
	})

	// An unknown trace is a 404; a malformed ID a 400.
	if code := s.getJSON("/api/traces/"+strings.Repeat("0", 31)+"1", nil); code != http.StatusNotFound {
		t.Errorf("unknown trace: status %d, want 404", code)
	}
	if code := s.getJSON("/api/traces/not-a-trace-id", nil); code != http.StatusBadRequest {
		t.Errorf("malformed trace ID: status %d, want 400", code)
	}
}

func checkLogs(t *testing.T, s *server, service, transport, traceID, spanID string, ts time.Time) {
	t.Helper()
	res := s.search("logs", `ServiceName:"`+service+`" AND LogAttributes.userEmail:braulio*`)
	if res.Count != 1 || len(res.Rows) != 1 {
		t.Fatalf("search logs: count %d, rows %d; want 1", res.Count, len(res.Rows))
	}
	row := res.Rows[0]
	checkFields(t, "log", row, map[string]any{
		"Body": "Failed to place order: Visa cache full " + transport, "SeverityText": "ERROR",
		"SeverityNumber": float64(17), "TraceId": traceID, "SpanId": spanID, "ServiceName": service,
		"ScopeName": "e2e/checkout-logger", "ScopeVersion": "4.5.6", "ResourceSchemaUrl": schemaURL,
		"TraceFlags": float64(1),
	})
	checkTime(t, "log Timestamp", row["Timestamp"], ts)
	checkTime(t, "log ObservedTimestamp", row["ObservedTimestamp"], ts.Add(time.Millisecond))
	checkMap(t, "LogAttributes", row["LogAttributes"], map[string]string{"userEmail": "braulio@example.com", "order.items": "3"})
	checkMap(t, "log ResourceAttributes", row["ResourceAttributes"], map[string]string{"k8s.pod.name": "checkout-7d9f-" + transport})

	// Free text matches the body; the trace's logs are found by TraceId.
	if r := s.search("logs", "visa "+transport); r.Count != 1 {
		t.Errorf("free-text search: count %d, want 1", r.Count)
	}
	var tl struct {
		Rows []map[string]any `json:"rows"`
	}
	if code := s.getJSON("/api/traces/"+traceID+"/logs", &tl); code != http.StatusOK || len(tl.Rows) != 1 {
		t.Errorf("trace logs: status %d, %d rows; want 1", code, len(tl.Rows))
	}
}

func checkMetricsCounter(t *testing.T, s *server) {
	t.Helper()
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`overlook_ingested_rows_total\{signal="metrics"\} (\d+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no ingested metrics counter:\n%s", body)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 6 { // 3 instruments × 2 transports
		t.Errorf("ingested metric points = %d, want ≥ 6", n)
	}
	for _, name := range []string{"overlook_ingested_rows_total{signal=\"traces\"} 4", "overlook_store_disk_bytes", "overlook_receiver_items_total"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// checkExemplars reads the histogram's exemplars through
// query_exemplars: the 250 ms one, on the le="250" bucket of each
// service, links to the root span.
func checkExemplars(t *testing.T, s *server, traceIDs map[string]string) {
	t.Helper()
	now := time.Now()
	res := s.promGet("query_exemplars", url.Values{"query": {`checkout_duration_milliseconds_bucket`},
		"start": {fmt.Sprint(now.Add(-time.Hour).Unix())}, "end": {fmt.Sprint(now.Unix() + 1)}})
	var data []struct {
		SeriesLabels map[string]string `json:"seriesLabels"`
		Exemplars    []struct {
			Labels map[string]string `json:"labels"`
			Value  string            `json:"value"`
		} `json:"exemplars"`
	}
	if err := json.Unmarshal(res.Data, &data); err != nil {
		t.Fatalf("query_exemplars: %s (%v)", res.Data, err)
	}
	got := map[string]string{}
	for _, se := range data {
		for _, ex := range se.Exemplars {
			got[se.SeriesLabels["job"]] = se.SeriesLabels["le"] + " " + ex.Value + " " + ex.Labels["trace_id"] + " " + ex.Labels["span_id"]
		}
	}
	want := map[string]string{}
	for svc, ids := range traceIDs {
		want[svc] = "250 250 " + ids
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exemplars = %v, want %v\n%s", got, want, res.Data)
	}
}

// checkTargetInfo joins the OTLP counter with target_info, which carries
// the resource attributes that are not job and instance.
func checkTargetInfo(t *testing.T, s *server) {
	t.Helper()
	got := map[string]any{}
	// Queries take whole seconds: the next one is after the points.
	at := time.Now().Add(time.Second)
	for _, smp := range s.instant(`orders_placed_total * on(job, instance) group_left(k8s_pod_name, host_cpu_count) target_info`, at) {
		if smp.Metric["host_cpu_count"] != "2" {
			t.Errorf("target_info join: %v lacks host_cpu_count=\"2\"", smp.Metric)
		}
		got[smp.Metric["job"]+" "+smp.Metric["k8s_pod_name"]] = smp.Value[1]
	}
	want := map[string]any{"checkout-grpc checkout-7d9f-grpc": "7", "checkout-http checkout-7d9f-http": "7"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("target_info join = %v, want %v", got, want)
	}
}

// checkMetricsStored opens the stopped server's data file and checks the
// metric rows' fields.
func checkMetricsStored(t *testing.T, dataDir string) {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dataDir, "overlook.duckdb")+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ query, want string }{
		{`SELECT string_agg(ServiceName || ':' || CAST(Value AS VARCHAR) || ':' || CAST(IsMonotonic AS VARCHAR) || ':' || MetricUnit, ',' ORDER BY ServiceName)
		  FROM otel_metrics_sum WHERE MetricName = 'orders_placed' AND Attributes['card'] = 'visa'`,
			"checkout-grpc:7.0:true:{order},checkout-http:7.0:true:{order}"},
		{`SELECT string_agg(CAST(Value AS VARCHAR), ',') FROM otel_metrics_gauge WHERE MetricName = 'visa_validation_cache.size'`,
			"99.5,99.5"},
		{`SELECT string_agg(CAST(Count AS VARCHAR) || ':' || CAST(Sum AS VARCHAR) || ':' || CAST(Min AS VARCHAR) || ':' || CAST(Max AS VARCHAR), ',')
		  FROM otel_metrics_histogram WHERE MetricName = 'checkout.duration'`,
			"2:262.0:12.0:250.0,2:262.0:12.0:250.0"},
		{`SELECT DISTINCT ScopeName FROM otel_metrics_gauge`, "e2e/meter"},
	} {
		var got sql.NullString
		if err := db.QueryRow(c.query).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got.String != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.query, got.String, c.want)
		}
	}
}

func checkFields(t *testing.T, what string, row map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := fmt.Sprint(row[k]); got != fmt.Sprint(v) {
			t.Errorf("%s %s = %v, want %v", what, k, row[k], v)
		}
	}
}

func checkMap(t *testing.T, what string, got any, want map[string]string) {
	t.Helper()
	m, ok := got.(map[string]any)
	if !ok {
		t.Errorf("%s is %T (%v), want an object", what, got, got)
		return
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s[%q] = %v, want %q", what, k, m[k], v)
		}
	}
}

func checkTime(t *testing.T, what string, got any, want time.Time) {
	t.Helper()
	s, _ := got.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Errorf("%s = %v: not RFC 3339: %v", what, got, err)
		return
	}
	if !ts.Equal(want) {
		t.Errorf("%s = %s, want %s", what, ts, want)
	}
}
