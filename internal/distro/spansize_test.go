package distro

import (
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// sizeSpans appends spans whose OTLP protobuf sizes are worked out by hand:
//
//	trace_id 1+1+16 = 18, span_id 1+1+8 = 10, parent_span_id (empty: still
//	written) 1+1 = 2, name "GET /" 1+1+5 = 7, kind 1+1 = 2, start and end
//	fixed64 9+9 = 18, status (empty) 1+1 = 2  → 59 bytes.
//
// The error span adds to that a status with code 2 (1+1) and message
// "boom" (1+1+4): status 1+1+8 = 10 instead of 2 → 67 bytes. The span with
// attribute http.route="/x" adds a KeyValue: key 1+1+10, value
// AnyValue{string "/x"} 1+1+(1+1+2) → KeyValue 18 bytes, field 1+1+18 = 20
// → 79 bytes.
func sizeSpans(spans ptrace.SpanSlice, n int, status ptrace.StatusCode, route string) {
	for i := range n {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1, byte(i + 1)})
		s.SetSpanID(pcommon.SpanID{2, byte(i + 1)})
		s.SetName("GET /")
		s.SetKind(ptrace.SpanKindServer)
		s.SetStartTimestamp(pcommon.Timestamp(1_000_000_000))
		s.SetEndTimestamp(pcommon.Timestamp(2_000_000_000))
		if status == ptrace.StatusCodeError {
			s.Status().SetCode(status)
			s.Status().SetMessage("boom")
		}
		if route != "" {
			s.Attributes().PutStr("http.route", route)
		}
	}
}

// TestSpanSizes: traces_spanmetrics_size_total is the sum of the spans'
// protobuf sizes per series (service, span name, kind, status, configured
// dimensions); a span without service.name is not counted; the counter is
// cumulative over flushes; the cardinality limit folds further series into
// one overflow series.
func TestSpanSizes(t *testing.T) {
	route := "/x"
	tests := []struct {
		name    string
		dims    []spanmetricsconnector.Dimension
		exclude []string
		limit   int
		want    map[string]int64 // series → bytes after two identical batches
	}{
		{
			name: "default labels",
			want: map[string]int64{
				"checkout|GET /|SPAN_KIND_SERVER|STATUS_CODE_UNSET|": 2 * (3*59 + 79),
				"checkout|GET /|SPAN_KIND_SERVER|STATUS_CODE_ERROR|": 2 * (2 * 67),
			},
		},
		{
			name: "dimension with default",
			dims: []spanmetricsconnector.Dimension{{Name: "http.route", Default: &route}},
			want: map[string]int64{
				// 3 spans without the attribute take the default "/x",
				// the span with http.route=/x joins them.
				"checkout|GET /|SPAN_KIND_SERVER|STATUS_CODE_UNSET|/x": 2 * (3*59 + 79),
				"checkout|GET /|SPAN_KIND_SERVER|STATUS_CODE_ERROR|/x": 2 * (2 * 67),
			},
		},
		{
			name:    "exclude_dimensions",
			exclude: []string{"status.code"},
			want: map[string]int64{
				"checkout|GET /|SPAN_KIND_SERVER||": 2 * (3*59 + 79 + 2*67),
			},
		},
		{
			name:  "cardinality limit",
			limit: 1,
			want: map[string]int64{
				"checkout|GET /|SPAN_KIND_SERVER|STATUS_CODE_UNSET|": 2 * (3*59 + 79),
				"overflow": 2 * (2 * 67),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withSpanSizes(spanmetricsconnector.NewFactory(), component.MustNewType("spanmetrics"))
			cfg := f.CreateDefaultConfig().(*spanmetricsconnector.Config)
			cfg.Namespace = "traces.spanmetrics"
			cfg.Dimensions = tt.dims
			cfg.AggregationCardinalityLimit = tt.limit
			cfg.ExcludeDimensions = tt.exclude
			cfg.MetricsFlushInterval = time.Hour // flushed by the test
			sink := new(consumertest.MetricsSink)
			c, err := f.CreateTracesToMetrics(t.Context(), connectortest.NewNopSettings(f.Type()), cfg, sink)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(t.Context(), componenttest.NewNopHost()); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Shutdown(t.Context()) }()

			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", "checkout")
			spans := rs.ScopeSpans().AppendEmpty().Spans()
			sizeSpans(spans, 3, ptrace.StatusCodeUnset, "")
			sizeSpans(spans, 2, ptrace.StatusCodeError, "")
			sizeSpans(spans, 1, ptrace.StatusCodeUnset, "/x")
			// No service.name: not counted (as the connector does).
			sizeSpans(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans(), 4, ptrace.StatusCodeUnset, "")

			var m ptrace.ProtoMarshaler
			for i, want := range map[int]int{0: 59, 3: 67, 5: 79} {
				if got := m.SpanSize(spans.At(i)); got != want {
					t.Fatalf("span %d: protobuf size %d, worked out %d", i, got, want)
				}
			}
			sc := c.(*spanSizeConnector)
			for range 2 {
				if err := c.ConsumeTraces(t.Context(), td); err != nil {
					t.Fatal(err)
				}
			}
			md := pmetric.NewMetrics()
			sc.sizes.appendTo(md, time.Now())
			got := sizeSeriesValues(t, md)
			if len(got) != len(tt.want) {
				t.Errorf("series = %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s = %d, want %d (all: %v)", k, got[k], w, got)
				}
			}
		})
	}
}

// TestSpanSizesResourceCap: at most resource_metrics_cache_size resources
// are kept, the least recently seen forgotten first.
func TestSpanSizesResourceCap(t *testing.T) {
	cfg := spanmetricsconnector.Config{Namespace: "traces.spanmetrics", ResourceMetricsCacheSize: 2}
	s := newSpanSizes(&cfg, time.Unix(0, 0))
	for i, svc := range []string{"a", "b", "a", "c"} {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", svc)
		sizeSpans(rs.ScopeSpans().AppendEmpty().Spans(), 1, ptrace.StatusCodeUnset, "")
		s.add(td, time.Unix(int64(i+1), 0))
	}
	md := pmetric.NewMetrics()
	s.appendTo(md, time.Unix(10, 0))
	got := map[string]int64{}
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		svc, _ := rm.Resource().Attributes().Get("service.name")
		got[svc.Str()] = rm.ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).IntValue()
	}
	// b was seen least recently when c came.
	if want := map[string]int64{"a": 2 * 59, "c": 59}; len(got) != 2 || got["a"] != want["a"] || got["c"] != want["c"] {
		t.Errorf("resources = %v, want %v", got, want)
	}
}

func sizeSeriesValues(t *testing.T, md pmetric.Metrics) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		if sn, _ := rm.Resource().Attributes().Get("service.name"); sn.Str() != "checkout" {
			t.Errorf("resource %v: want the spans' resource", rm.Resource().Attributes().AsRaw())
		}
		ms := rm.ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			m := ms.At(j)
			if m.Name() != "traces.spanmetrics.size" {
				continue
			}
			if !m.Sum().IsMonotonic() || m.Sum().AggregationTemporality() != pmetric.AggregationTemporalityCumulative || m.Unit() != "" {
				t.Errorf("size metric: want a cumulative monotonic sum without unit")
			}
			for k := 0; k < m.Sum().DataPoints().Len(); k++ {
				dp := m.Sum().DataPoints().At(k)
				a := dp.Attributes()
				key := "overflow"
				if _, ok := a.Get(overflowAttr); !ok {
					get := func(n string) string {
						if v, ok := a.Get(n); ok {
							return v.AsString()
						}
						return ""
					}
					key = get("service.name") + "|" + get("span.name") + "|" + get("span.kind") + "|" + get("status.code") + "|" + get("http.route")
				}
				out[key] += dp.IntValue()
			}
		}
	}
	return out
}

// BenchmarkSpanMetricsConnector: a 2000-span batch (10 attributes a span,
// 20 services) through the span-metrics connector, alone and wrapped with
// the size counter: the wrapper's share of the connector's cost.
func BenchmarkSpanMetricsConnector(b *testing.B) {
	td := ptrace.NewTraces()
	for svc := range 20 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "svc-"+string(rune('a'+svc)))
		rs.Resource().Attributes().PutStr("k8s.pod.name", "pod-"+string(rune('a'+svc)))
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := range 100 {
			s := spans.AppendEmpty()
			s.SetTraceID(pcommon.TraceID{byte(svc), byte(i)})
			s.SetSpanID(pcommon.SpanID{byte(svc), byte(i)})
			s.SetName("GET /api/" + string(rune('a'+i%5)))
			s.SetKind(ptrace.SpanKindServer)
			s.SetStartTimestamp(1_000_000_000)
			s.SetEndTimestamp(1_020_000_000)
			for a := range 10 {
				s.Attributes().PutStr("attr."+string(rune('a'+a)), "value-of-some-length")
			}
		}
	}
	for _, wrapped := range []bool{false, true} {
		name := "connector"
		f := spanmetricsconnector.NewFactory()
		if wrapped {
			name = "connector+size"
			f = withSpanSizes(f, component.MustNewType("spanmetrics"))
		}
		b.Run(name, func(b *testing.B) {
			cfg := f.CreateDefaultConfig().(*spanmetricsconnector.Config)
			cfg.MetricsFlushInterval = time.Hour
			c, err := f.CreateTracesToMetrics(b.Context(), connectortest.NewNopSettings(f.Type()), cfg, new(consumertest.MetricsSink))
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Start(b.Context(), componenttest.NewNopHost()); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = c.Shutdown(b.Context()) }()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.ConsumeTraces(b.Context(), td); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/span")
		})
	}
}
