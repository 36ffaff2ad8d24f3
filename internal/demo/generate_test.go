package demo

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Now = testNow
	return cfg
}

// collect returns the backfill of cfg as sent, in batches of maxRows.
func collect(t *testing.T, cfg Config, maxRows int) ([]batch, Counts) {
	t.Helper()
	g := newGenerator(cfg, cfg.now(time.Time{}))
	var out []batch
	if err := g.backfill(maxRows, func(b batch) error { out = append(out, b); return nil }); err != nil {
		t.Fatal(err)
	}
	return out, g.counts
}

// marshal returns the OTLP encoding of every batch.
func marshal(t *testing.T, bs []batch) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, b := range bs {
		for _, f := range []func() ([]byte, error){
			func() ([]byte, error) { return (&ptrace.ProtoMarshaler{}).MarshalTraces(b.traces) },
			func() ([]byte, error) { return (&plog.ProtoMarshaler{}).MarshalLogs(b.logs) },
			func() ([]byte, error) { return (&pmetric.ProtoMarshaler{}).MarshalMetrics(b.metrics) },
		} {
			p, err := f()
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(p)
		}
	}
	return buf.Bytes()
}

func TestBackfillIsDeterministic(t *testing.T) {
	cfg := testConfig()
	cfg.Backfill = 20 * time.Minute
	a, ca := collect(t, cfg, batchRows)
	b, cb := collect(t, cfg, batchRows)
	if !bytes.Equal(marshal(t, a), marshal(t, b)) {
		t.Fatal("two backfills with the same seed and now differ")
	}
	want, from, to := Expected(cfg)
	if ca.Spans != want.Spans || ca.Logs != want.Logs || ca.Traces != want.Traces || cb.Spans != want.Spans {
		t.Fatalf("Expected() = %d traces %d spans %d logs; backfill sent %d/%d/%d", want.Traces, want.Spans, want.Logs, ca.Traces, ca.Spans, ca.Logs)
	}
	if got := to.Sub(from); got != cfg.Backfill {
		t.Fatalf("backfill range %s, want %s", got, cfg.Backfill)
	}
	var spans, logs, points int
	for _, x := range a {
		spans += x.traces.SpanCount()
		logs += x.logs.LogRecordCount()
		points += x.metrics.DataPointCount()
	}
	if spans != want.Spans || logs != want.Logs || points != sum(want.Points) {
		t.Fatalf("batches hold %d spans %d logs %d points; Expected says %d/%d/%d", spans, logs, points, want.Spans, want.Logs, sum(want.Points))
	}

	// The batch size does not change the data: slots are seeded alone.
	small, _ := collect(t, cfg, 200)
	if got, want := spanIDs(small), spanIDs(a); !slices.Equal(got, want) {
		t.Fatalf("batching changed the spans: %d vs %d", len(got), len(want))
	}
	// Another seed, or another now, is other data.
	for name, mod := range map[string]func(*Config){
		"seed": func(c *Config) { c.Seed = 2 },
		"now":  func(c *Config) { c.Now = testNow.Add(time.Second) },
	} {
		c := cfg
		mod(&c)
		other, _ := collect(t, c, batchRows)
		if bytes.Equal(marshal(t, other), marshal(t, a)) {
			t.Errorf("changing %s did not change the data", name)
		}
	}
}

func spanIDs(bs []batch) []string {
	var ids []string
	for _, b := range bs {
		eachSpan(b.traces, func(_ pcommon.Resource, s ptrace.Span) { ids = append(ids, s.SpanID().String()) })
	}
	slices.Sort(ids)
	return ids
}

func eachSpan(td ptrace.Traces, f func(pcommon.Resource, ptrace.Span)) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				f(rs.Resource(), s)
			}
		}
	}
}

func eachLog(ld plog.Logs, f func(pcommon.Resource, plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, l := range sl.LogRecords().All() {
				f(rl.Resource(), l)
			}
		}
	}
}

func eachGauge(md pmetric.Metrics, name string, f func(pcommon.Resource, pmetric.NumberDataPoint)) {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name && m.Type() == pmetric.MetricTypeGauge {
					for _, dp := range m.Gauge().DataPoints().All() {
						f(rm.Resource(), dp)
					}
				}
			}
		}
	}
}

func str(m pcommon.Map, k string) string {
	v, _ := m.Get(k)
	return v.AsString()
}

func TestResourcesAndRUM(t *testing.T) {
	cfg := testConfig()
	cfg.Backfill = 10 * time.Minute
	bs, _ := collect(t, cfg, batchRows)
	k8sServices := map[string]bool{}
	rum := 0
	for _, b := range bs {
		eachSpan(b.traces, func(r pcommon.Resource, s ptrace.Span) {
			a := r.Attributes()
			svc := str(a, "service.name")
			if svc == "frontend-web" {
				rum++
				if s.Kind() != ptrace.SpanKindClient || str(s.Attributes(), "userEmail") == "" {
					t.Fatalf("RUM span %q: kind %s, userEmail %q; want a client span with userEmail", s.Name(), s.Kind(), str(s.Attributes(), "userEmail"))
				}
				return
			}
			for _, k := range []string{"k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.node.name", "k8s.deployment.name", "host.name", "service.version"} {
				if str(a, k) == "" {
					t.Fatalf("span of %s lacks resource attribute %s", svc, k)
				}
			}
			k8sServices[svc] = true
		})
	}
	if len(k8sServices) < 10 {
		t.Fatalf("%d services with k8s attributes, want ≥ 10: %v", len(k8sServices), k8sServices)
	}
	if rum == 0 {
		t.Fatal("no RUM (frontend-web) spans")
	}
	// Every resource metric of the contract is there, with the resource
	// attributes the Infrastructure tab matches on.
	want := map[string]string{
		MetricPodCPU: "k8s.pod.uid", MetricPodMemory: "k8s.pod.name", MetricPodWorkingSet: "k8s.pod.name",
		MetricContainerCPU: "k8s.pod.name", MetricContainerMem: "k8s.pod.name",
		MetricNodeCPU: "k8s.node.name", MetricNodeMemory: "k8s.node.name",
		MetricHostCPU: "host.name", CacheMetric: "k8s.pod.name",
	}
	for name, attr := range want {
		n := 0
		for _, b := range bs {
			eachGauge(b.metrics, name, func(r pcommon.Resource, _ pmetric.NumberDataPoint) {
				n++
				if str(r.Attributes(), attr) == "" {
					t.Fatalf("%s point lacks resource attribute %s", name, attr)
				}
			})
		}
		if n == 0 {
			t.Errorf("no %s points", name)
		}
	}
}

// A high rate is cut into batches of about maxRows rows, whole traces
// each, so no export outgrows the receiver's message limit.
func TestHighRateIsBatched(t *testing.T) {
	cfg := testConfig()
	cfg.Backfill, cfg.BackfillRate = 10*time.Second, 500
	const maxRows = 1000
	bs, c := collect(t, cfg, maxRows)
	spans, traces := 0, map[string]int{}
	for _, b := range bs {
		n := b.traces.SpanCount() + b.logs.LogRecordCount()
		if n > maxRows+200 {
			t.Fatalf("a batch of %d rows, want about %d", n, maxRows)
		}
		spans += b.traces.SpanCount()
		seen := map[string]bool{}
		eachSpan(b.traces, func(_ pcommon.Resource, s ptrace.Span) { seen[s.TraceID().String()] = true })
		for id := range seen {
			traces[id]++
		}
	}
	if len(bs) < c.Spans/maxRows || spans != c.Spans {
		t.Fatalf("%d batches with %d spans; want ≥ %d batches and %d spans", len(bs), spans, c.Spans/maxRows, c.Spans)
	}
	for id, n := range traces {
		if n != 1 {
			t.Fatalf("trace %s split over %d batches", id, n)
		}
	}
}
