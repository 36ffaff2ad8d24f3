package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Fast flushes and a short pairing TTL so the test sees the derived metrics
// (and the virtual-node edges, made when an unpaired client span expires)
// within seconds; the rest is the default configuration.
const traceMetricsConfig = `connectors:
  span_metrics:
    metrics_flush_interval: 500ms
  service_graph:
    metrics_flush_interval: 500ms
    store:
      ttl: 1s
    store_expiration_loop: 200ms
`

// TestSpanMetricsAndServiceGraph sends traces of a known topology through
// the real binary and reads the span metrics and service graph back with
// PromQL under Tempo's names and labels, with exact values:
//
//	frontend → checkout → payment (2 of 5 charges fail)
//	checkout → postgres database "orders" (db.system, db.name)
//	checkout → currency-api (uninstrumented: peer.service only)
func TestSpanMetricsAndServiceGraph(t *testing.T) {
	s := newServer(t, traceMetricsConfig)
	s.start()
	ctx := context.Background()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(s.grpc), otlptracegrpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tracers := map[string]trace.Tracer{}
	var providers []*sdktrace.TracerProvider
	for _, svc := range []string{"frontend", "checkout", "payment"} {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
			sdktrace.WithResource(resource.NewWithAttributes(schemaURL, attribute.String("service.name", svc))))
		providers = append(providers, tp)
		tracers[svc] = tp.Tracer("e2e/topology")
	}
	const traces, failures = 5, 2
	base := time.Now().Add(-10 * time.Second)
	at := func(ms float64) time.Time { return base.Add(time.Duration(ms * float64(time.Millisecond))) }
	for i := range traces {
		base = base.Add(time.Second)
		fail := i < failures
		fctx, root := tracers["frontend"].Start(ctx, "GET /", trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(at(0)))
		fctx, call := tracers["frontend"].Start(fctx, "POST /checkout", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(at(1)))
		cctx, srv := tracers["checkout"].Start(fctx, "POST /checkout", trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(at(2)))
		pctx, charge := tracers["checkout"].Start(cctx, "charge", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(at(3)))
		_, pay := tracers["payment"].Start(pctx, "Charge", trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(at(4)))
		if fail {
			pay.SetStatus(codes.Error, "card declined")
			charge.SetStatus(codes.Error, "payment failed")
		}
		pay.End(trace.WithTimestamp(at(24)))    // 20 ms
		charge.End(trace.WithTimestamp(at(25))) // 22 ms
		_, db := tracers["checkout"].Start(cctx, "SELECT orders", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(at(26)),
			trace.WithAttributes(attribute.String("db.system", "postgresql"), attribute.String("db.name", "orders")))
		db.End(trace.WithTimestamp(at(29)))
		_, rates := tracers["checkout"].Start(cctx, "GET /rates", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(at(30)),
			trace.WithAttributes(attribute.String("peer.service", "currency-api")))
		rates.End(trace.WithTimestamp(at(40)))
		srv.End(trace.WithTimestamp(at(64.5))) // 62.5 ms: sums are exact in binary
		call.End(trace.WithTimestamp(at(126))) // 125 ms
		root.End(trace.WithTimestamp(at(130)))
	}
	for _, tp := range providers {
		if err := tp.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown SDK: %v", err)
		}
	}
	sendSizedSpans(t, s)

	want := map[string]string{
		// Span metrics: one series per service, span name, kind and status.
		`traces_spanmetrics_calls_total{service="frontend",span_name="GET /",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}`: "5",
		`traces_spanmetrics_calls_total{service="payment",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}`:                    "2",
		`traces_spanmetrics_calls_total{service="payment",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"}`:                    "3",
		`sum(traces_spanmetrics_calls_total{service="checkout"})`:                                                                           "20",
		// Span sizes (sendSizedSpans): 3 spans of 59 bytes, 2 of 67.
		`traces_spanmetrics_size_total{service="sizes",span_name="GET /",span_kind="SPAN_KIND_INTERNAL",status_code="STATUS_CODE_UNSET"}`: "177",
		`traces_spanmetrics_size_total{service="sizes",span_name="GET /",span_kind="SPAN_KIND_INTERNAL",status_code="STATUS_CODE_ERROR"}`: "134",
		// One size series per calls series.
		`count(traces_spanmetrics_size_total{service="checkout"})`:                                             "5",
		`count(traces_spanmetrics_calls_total{service="checkout"})`:                                            "5",
		`sum by (span_kind) (traces_spanmetrics_calls_total{service="checkout",span_kind="SPAN_KIND_CLIENT"})`: "15",
		`traces_spanmetrics_latency_count{service="checkout",span_kind="SPAN_KIND_SERVER"}`:                    "5",
		`traces_spanmetrics_latency_bucket{service="checkout",span_kind="SPAN_KIND_SERVER",le="0.032"}`:        "0",
		`traces_spanmetrics_latency_bucket{service="checkout",span_kind="SPAN_KIND_SERVER",le="0.064"}`:        "5",
		`traces_spanmetrics_latency_sum{service="checkout",span_kind="SPAN_KIND_SERVER"}`:                      "0.3125",
		// Service graph: instrumented edges, the database, the
		// uninstrumented peer and the root's caller as virtual nodes.
		`traces_service_graph_request_total{client="frontend",server="checkout",connection_type=""}`: "5",
		// The connector splits an edge's series by a `failed` label that
		// Tempo does not have; Grafana's service-graph queries sum by
		// client and server, so they read the same.
		`sum by (client, server, connection_type) (traces_service_graph_request_total{client="checkout",server="payment",connection_type=""})`: "5",
		`traces_service_graph_request_total{client="checkout",server="payment",failed="true"}`:                                                 "2",
		`traces_service_graph_request_failed_total{client="checkout",server="payment"}`:                                                        "2",
		`traces_service_graph_request_total{client="checkout",server="orders",connection_type="database"}`:                                     "5",
		`traces_service_graph_request_total{client="checkout",server="currency-api",connection_type="virtual_node"}`:                           "5",
		`traces_service_graph_request_total{client="user",server="frontend",connection_type="virtual_node"}`:                                   "5",
		// The pairing store: the 10 client-less or server-less edges
		// expired (and became virtual-node edges); nothing was dropped.
		`traces_service_graph_unpaired_spans_total`:                                                                     "10",
		`traces_service_graph_dropped_spans_total`:                                                                      "0",
		`count(traces_service_graph_request_failed_total)`:                                                              "1",
		`sum(traces_service_graph_request_server_seconds_count{client="checkout",server="payment"})`:                    "5",
		`sum by (le) (traces_service_graph_request_server_seconds_bucket{client="checkout",server="payment",le="0.1"})`: "5",
		`traces_service_graph_request_client_seconds_sum{client="frontend",server="checkout"}`:                          "0.625",
		`sum(traces_service_graph_request_failed_total) / sum(traces_service_graph_request_total{server="payment"})`:    "0.4",
	}
	got := func() map[string]string {
		out := map[string]string{}
		for q := range want {
			vec := s.instant(q, time.Now())
			var vals []string
			for _, smp := range vec {
				vals = append(vals, fmt.Sprint(smp.Value[1]))
			}
			sort.Strings(vals)
			out[q] = strings.Join(vals, ",")
		}
		return out
	}
	matches := func(g map[string]string) bool {
		for q, w := range want {
			if g[q] != w {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(20 * time.Second)
	last := got()
	for !matches(last) && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		last = got()
	}
	// Several more flushes later the cumulative values have not moved:
	// every span was counted exactly once.
	time.Sleep(1500 * time.Millisecond)
	last = got()
	for q, w := range want {
		if last[q] != w {
			t.Errorf("%s = %q, want %q", q, last[q], w)
		}
	}

	// Tempo's self-metrics: six traces created (five and sendSizedSpans'); the PromQL queries above
	// timed under Tempo's request-duration name.
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`tempo_ingester_traces_created_total{tenant="single-tenant"} 6`,
		`tempo_ingester_live_traces{tenant="single-tenant"}`,
		`tempo_request_duration_seconds_count{method="GET",route="prom_query",status_code="200",ws="false"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// sendSizedSpans sends spans whose OTLP protobuf sizes are known (worked
// out field by field in internal/distro/spansize_test.go) for the service
// "sizes", all in one trace: 3 of 59 bytes (trace and span ID, empty
// parent, name "GET /", kind internal (2 bytes, as server), start, end,
// empty status) and 2 of 67 (status error with message "boom"). Internal
// spans stay out of the service graph.
func sendSizedSpans(t *testing.T, s *server) {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "sizes")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	start := time.Now().Add(-5 * time.Second)
	for i := range 5 {
		sp := spans.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{0x5e, 1})
		sp.SetSpanID(pcommon.SpanID{0x5e, byte(i + 1)})
		sp.SetName("GET /")
		sp.SetKind(ptrace.SpanKindInternal)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		if i >= 3 {
			sp.Status().SetCode(ptrace.StatusCodeError)
			sp.Status().SetMessage("boom")
		}
	}
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(t.Context(), ptraceotlp.NewExportRequestFromTraces(td)); err != nil {
		t.Fatalf("export the sized spans: %v", err)
	}
}
