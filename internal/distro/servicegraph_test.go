package distro

import (
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/servicegraphconnector"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestPairingCountersBoundedStore: with a pairing store of max_items 2, three
// client spans waiting for their servers leave one dropped, and the drop is
// written as traces_service_graph_dropped_spans_total next to the
// connector's own metrics.
func TestPairingCountersBoundedStore(t *testing.T) {
	f := withPairingCounters(servicegraphconnector.NewFactory(), component.MustNewType("servicegraph"))
	cfg := f.CreateDefaultConfig().(*servicegraphconnector.Config)
	cfg.Store.MaxItems = 2
	cfg.Store.TTL = time.Hour
	zero := time.Duration(0)
	cfg.MetricsFlushInterval = &zero // flush after every batch
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
	for i := range 3 {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(i + 1)})
		s.SetSpanID(pcommon.SpanID{byte(i + 1)})
		s.SetKind(ptrace.SpanKindClient)
		s.SetName("call")
	}
	// One server span pairs with the first client span: an edge to flush.
	s := spans.AppendEmpty()
	s.SetTraceID(pcommon.TraceID{1})
	s.SetSpanID(pcommon.SpanID{9})
	s.SetParentSpanID(pcommon.SpanID{1})
	s.SetKind(ptrace.SpanKindServer)
	if err := c.ConsumeTraces(t.Context(), td); err != nil {
		t.Fatal(err)
	}
	all := sink.AllMetrics()
	if len(all) == 0 {
		t.Fatal("no metrics flushed")
	}
	got := map[string]int64{}
	last := all[len(all)-1]
	for i := 0; i < last.ResourceMetrics().Len(); i++ {
		sms := last.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				if m := ms.At(k); m.Type() == pmetric.MetricTypeSum {
					got[m.Name()] += m.Sum().DataPoints().At(0).IntValue()
				}
			}
		}
	}
	want := map[string]int64{
		"traces_service_graph_request_total":        1,
		"traces_service_graph_dropped_spans_total":  1,
		"traces_service_graph_unpaired_spans_total": 0,
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %d, want %d (all: %v)", name, got[name], w, got)
		}
	}
}

// BenchmarkPairingStoreFull reports the heap the service graph's pairing
// store holds when full of unpaired edges (root spans waiting for a parent
// that never comes, clients of uninstrumented peers): docs/benchmarks.md.
func BenchmarkPairingStoreFull(b *testing.B) {
	const items = 10000
	for range b.N {
		f := withPairingCounters(servicegraphconnector.NewFactory(), component.MustNewType("servicegraph"))
		cfg := f.CreateDefaultConfig().(*servicegraphconnector.Config)
		cfg.Store.MaxItems = items
		cfg.Store.TTL = time.Hour
		cfg.VirtualNodePeerAttributes = []string{"peer.service", "db.name", "db.system", "server.address"}
		c, err := f.CreateTracesToMetrics(b.Context(), connectortest.NewNopSettings(f.Type()), cfg, new(consumertest.MetricsSink))
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Start(b.Context(), componenttest.NewNopHost()); err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for batch := range items / 1000 {
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", "checkout")
			spans := rs.ScopeSpans().AppendEmpty().Spans()
			for i := range 1000 {
				s := spans.AppendEmpty()
				n := batch*1000 + i
				s.SetTraceID(pcommon.TraceID{byte(n), byte(n >> 8), byte(n >> 16), 1})
				s.SetSpanID(pcommon.SpanID{byte(n), byte(n >> 8), byte(n >> 16), 1})
				s.SetKind(ptrace.SpanKindClient)
				s.Attributes().PutStr("peer.service", "currency-api")
			}
			if err := c.ConsumeTraces(b.Context(), td); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/items, "heap-bytes/edge")
		runtime.KeepAlive(c)
		_ = c.Shutdown(b.Context())
	}
}
