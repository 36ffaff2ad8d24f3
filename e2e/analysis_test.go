package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TestAnalysisEndpoints sends a small payment incident with the OTel SDK
// over OTLP/gRPC and checks the exact answers of /api/patterns,
// /api/deltas, /api/facets and /api/infrastructure through the binary:
//
//	logs: 3 × frontend "Failed to place order: … order=N" (ERROR),
//	  2 × payment "Visa cache full: cannot add new item." (ERROR),
//	  1 × payment "charged card" (INFO);
//	spans of payment: 4 slow (300 ms) visa, 2 of them Error; 6 fast
//	  (50 ms): 2 visa, 4 mastercard;
//	a k8s.pod.memory.usage gauge of the payment pod.
func TestAnalysisEndpoints(t *testing.T) {
	s := newServer(t, "")
	s.start()
	ctx := context.Background()
	exp := newExporters(t, ctx, s, "grpc")
	res := func(svc string) *resource.Resource {
		r, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", svc),
			attribute.String("k8s.pod.name", svc+"-e2e"), attribute.String("k8s.node.name", "node-e2e")))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)

	// Logs, one provider (and exporter: shutting a provider down shuts
	// its exporter) per service.
	for _, svc := range []string{"frontend", "payment"} {
		le := newExporters(t, ctx, s, "grpc").logs
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(le)), sdklog.WithResource(res(svc)))
		logger := lp.Logger("e2e/analysis")
		emit := func(i int, sev otellog.Severity, body string) {
			var rec otellog.Record
			rec.SetTimestamp(base.Add(time.Duration(i) * time.Second))
			rec.SetSeverity(sev)
			rec.SetSeverityText(map[bool]string{true: "ERROR", false: "INFO"}[sev == otellog.SeverityError])
			rec.SetBody(attribute.StringValue(body))
			logger.Emit(ctx, rec)
		}
		if svc == "frontend" {
			for i := range 3 {
				emit(i, otellog.SeverityError, fmt.Sprintf("Failed to place order: rpc error: code = Unknown desc = Visa cache full order=%d", 5000+i))
			}
		} else {
			emit(10, otellog.SeverityError, "Visa cache full: cannot add new item.")
			emit(11, otellog.SeverityError, "Visa cache full: cannot add new item.")
			emit(12, otellog.SeverityInfo, "charged card")
		}
		if err := lp.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Spans.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp.traces), sdktrace.WithResource(res("payment")))
	tracer := tp.Tracer("e2e/payment")
	for i := range 10 {
		start := base.Add(time.Duration(i) * time.Second)
		dur, card := 50*time.Millisecond, "mastercard"
		switch {
		case i < 4:
			dur, card = 300*time.Millisecond, "visa"
		case i < 6:
			card = "visa"
		}
		_, sp := tracer.Start(ctx, "charge", trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(start),
			trace.WithAttributes(attribute.String("app.payment.card_type", card)))
		if i < 2 {
			sp.SetStatus(codes.Error, "Visa cache full")
		}
		sp.End(trace.WithTimestamp(start.Add(dur)))
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	// The pod's memory, one point (at the collection time).
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res("payment")),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp.metrics, sdkmetric.WithInterval(time.Hour))))
	gauge, _ := mp.Meter("e2e/infra").Int64Gauge("k8s.pod.memory.usage", metric.WithUnit("By"))
	gauge.Record(ctx, 123456789)
	if err := mp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	metricTime := time.Now()

	rng := map[string]any{"start": base.Add(-time.Minute).UTC().Format(time.RFC3339), "end": time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}
	req := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range rng {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	// Patterns of the logs: exact counts, errors and services.
	var pat struct {
		Patterns []struct {
			Pattern    string           `json:"pattern"`
			Count      int              `json:"count"`
			ErrorCount int              `json:"errorCount"`
			Services   []string         `json:"services"`
			Samples    []map[string]any `json:"samples"`
		} `json:"patterns"`
		RowsScanned int  `json:"rowsScanned"`
		Sampled     bool `json:"sampled"`
	}
	if code := s.postJSON("/api/patterns", req(map[string]any{"source": "logs"}), &pat); code != http.StatusOK {
		t.Fatalf("patterns: status %d", code)
	}
	var got []string
	for _, p := range pat.Patterns {
		got = append(got, fmt.Sprintf("%s | %d/%d | %s | %d samples", p.Pattern, p.Count, p.ErrorCount, strings.Join(p.Services, ","), len(p.Samples)))
	}
	want := []string{
		"Failed to place order: rpc error: code = Unknown desc = Visa cache full order=<*> | 3/3 | frontend | 3 samples",
		"Visa cache full: cannot add new item. | 2/2 | payment | 2 samples",
		"charged card | 1/0 | payment | 1 samples",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || pat.RowsScanned != 6 || pat.Sampled {
		t.Errorf("patterns:\n%s\nrows %d sampled %v; want\n%s\nrows 6 sampled false", strings.Join(got, "\n"), pat.RowsScanned, pat.Sampled, strings.Join(want, "\n"))
	}

	// Deltas of the spans slower than 200 ms: visa on top.
	var deltas struct {
		SelectionCount  int `json:"selectionCount"`
		BackgroundCount int `json:"backgroundCount"`
		Attributes      []struct {
			Field  string          `json:"field"`
			Values json.RawMessage `json:"values"`
			Score  float64         `json:"score"`
		} `json:"attributes"`
	}
	body := req(map[string]any{"source": "traces", "selection": map[string]any{"durationMinMs": 200}})
	if code := s.postJSON("/api/deltas", body, &deltas); code != http.StatusOK {
		t.Fatalf("deltas: status %d", code)
	}
	if deltas.SelectionCount != 4 || deltas.BackgroundCount != 6 || len(deltas.Attributes) == 0 {
		t.Fatalf("deltas: %+v", deltas)
	}
	top := deltas.Attributes[0]
	if top.Field != "SpanAttributes.app.payment.card_type" || top.Score != 0.6667 ||
		string(top.Values) != `[{"value":"visa","selection":1,"background":0.3333},{"value":"mastercard","selection":0,"background":0.6667}]` {
		t.Errorf("top delta: %s %v %s", top.Field, top.Score, top.Values)
	}

	// Facets of the logs, with a duration query on the spans too.
	var facets struct {
		Facets []struct {
			Field  string          `json:"field"`
			Values json.RawMessage `json:"values"`
		} `json:"facets"`
		RowsScanned int `json:"rowsScanned"`
	}
	if code := s.postJSON("/api/facets", req(map[string]any{"source": "logs", "fields": []string{"ServiceName", "SeverityText"}}), &facets); code != http.StatusOK {
		t.Fatalf("facets: status %d", code)
	}
	if len(facets.Facets) != 2 || facets.RowsScanned != 6 ||
		string(facets.Facets[0].Values) != `[{"value":"frontend","count":3},{"value":"payment","count":3}]` ||
		string(facets.Facets[1].Values) != `[{"value":"ERROR","count":5},{"value":"INFO","count":1}]` {
		t.Errorf("facets: %d rows, %s", facets.RowsScanned, mustJSON(facets.Facets))
	}
	if code := s.postJSON("/api/facets", req(map[string]any{"source": "traces", "query": "Duration:>200ms", "fields": []string{"SpanAttributes.app.payment.card_type"}}), &facets); code != http.StatusOK {
		t.Fatalf("facets: status %d", code)
	}
	if facets.RowsScanned != 4 || string(facets.Facets[0].Values) != `[{"value":"visa","count":4}]` {
		t.Errorf("facets of Duration:>200ms: %d rows, %s", facets.RowsScanned, mustJSON(facets.Facets))
	}

	// Infrastructure of the payment pod around the metric's time.
	var infra struct {
		Matches []map[string]string `json:"matches"`
		Panels  []struct {
			Kind, Title, Metric, Unit string
			Series                    []struct {
				Name   string       `json:"name"`
				Points [][2]float64 `json:"points"`
			}
		} `json:"panels"`
		Missing []string `json:"missing"`
	}
	ib := map[string]any{"resource": map[string]string{"k8s.pod.name": "payment-e2e"}, "time": metricTime.UTC().Format(time.RFC3339), "window": "1h"}
	if code := s.postJSON("/api/infrastructure", ib, &infra); code != http.StatusOK {
		t.Fatalf("infrastructure: status %d", code)
	}
	if len(infra.Panels) != 1 || infra.Panels[0].Title != "Pod memory" || infra.Panels[0].Unit != "By" ||
		len(infra.Panels[0].Series) != 1 || len(infra.Panels[0].Series[0].Points) != 1 || infra.Panels[0].Series[0].Points[0][1] != 123456789 ||
		strings.Join(infra.Missing, ",") != "k8s.node.name,host.name" {
		t.Errorf("infrastructure: %+v", infra)
	}

	// Bad input: 400s that name the field.
	for _, c := range []struct {
		path string
		body map[string]any
		want string
	}{
		{"/api/patterns", req(map[string]any{"source": "logs", "limit": -3}), "limit -3 is out of range"},
		{"/api/deltas", req(map[string]any{"source": "traces"}), "selection is required"},
		{"/api/facets", req(map[string]any{"source": "logs", "fields": []string{"NoSuch['x']"}}), `invalid field "NoSuch['x']" in fields`},
		{"/api/infrastructure", map[string]any{"resource": map[string]string{}}, "time is required"},
		{"/api/search", req(map[string]any{"source": "logs", "query": "SeverityNumber:>5ms"}), `field "SeverityNumber" is not a duration`},
	} {
		var e struct{ Error string }
		if code := s.postJSON(c.path, c.body, &e); code != http.StatusBadRequest || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s %v: %d %q, want 400 containing %q", c.path, c.body, code, e.Error, c.want)
		}
	}
	// Durations with units in search, through the binary.
	if res := s.search("traces", "Duration:[100ms TO 1s]"); res.Count != 4 {
		t.Errorf("Duration:[100ms TO 1s] matched %d spans, want 4", res.Count)
	}
	s.stop()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
