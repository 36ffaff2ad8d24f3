// Package storetest is the conformance suite every storage backend must
// pass (Run), plus generators of realistic telemetry for tests, end-to-end
// runs and benchmarks (Sample*).
package storetest

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Services are the service names the samples use (OpenTelemetry demo).
var Services = []string{"frontend", "checkout", "payment", "cart", "shipping", "ad", "email", "quote"}

var (
	routes  = []string{"/api/cart", "/api/checkout", "/api/products/{id}", "/api/recommendations", "/api/shipping", "/healthz"}
	methods = []string{"GET", "POST", "PUT", "DELETE"}
	cards   = []string{"visa", "mastercard", "amex"}
	bodies  = []string{
		"request completed", "Failed to place order", "Visa cache full: cache is full",
		"charging card", "user logged in", "connection reset by peer", "retrying payment",
		"order %d placed with %d items", "GET /api/products took %d ms",
	}
	severities = []struct {
		text string
		num  plog.SeverityNumber
	}{{"INFO", plog.SeverityNumberInfo}, {"WARN", plog.SeverityNumberWarn},
		{"ERROR", plog.SeverityNumberError}, {"DEBUG", plog.SeverityNumberDebug}}
)

// resourceFor fills a resource the way an instrumented k8s service does.
func resourceFor(res pcommon.Resource, svc string, i int) {
	a := res.Attributes()
	a.PutStr("service.name", svc)
	a.PutStr("service.version", "1.12.0")
	a.PutStr("service.namespace", "opentelemetry-demo")
	a.PutStr("host.name", fmt.Sprintf("node-%d", i%3))
	a.PutStr("k8s.namespace.name", "otel-demo")
	a.PutStr("k8s.pod.name", fmt.Sprintf("%s-7c9f8d-%05d", svc, i%7))
	a.PutStr("telemetry.sdk.language", "go")
	a.PutStr("telemetry.sdk.name", "opentelemetry")
}

// ids derives deterministic trace and span IDs.
func ids(seed uint64, trace, span int) (pcommon.TraceID, pcommon.SpanID) {
	var t pcommon.TraceID
	var s pcommon.SpanID
	binary.BigEndian.PutUint64(t[:8], seed^0x9e3779b97f4a7c15)
	binary.BigEndian.PutUint64(t[8:], uint64(trace)+1)
	binary.BigEndian.PutUint64(s[:], uint64(trace)<<16|uint64(span)+1)
	return t, s
}

// SampleLogs returns n log records spread over the last n milliseconds.
func SampleLogs(n int) plog.Logs {
	return SampleLogsAt(time.Now().Add(-time.Duration(n)*time.Millisecond), n)
}

// SampleLogsAt returns n realistic log records, one millisecond apart from
// start: a few services (resources) with k8s attributes, ~10 record
// attributes each, severities, bodies with numbers, and trace context on
// most records (trace i/8 of SampleTracesAt with the same start).
func SampleLogsAt(start time.Time, n int) plog.Logs {
	r := rand.New(rand.NewPCG(uint64(start.UnixNano()), 1))
	ld := plog.NewLogs()
	per := (n + len(Services) - 1) / len(Services)
	i := 0
	for si := 0; i < n; si++ {
		rl := ld.ResourceLogs().AppendEmpty()
		svc := Services[si%len(Services)]
		resourceFor(rl.Resource(), svc, si)
		rl.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("go.opentelemetry.io/contrib/bridges/otelslog")
		sl.Scope().SetVersion("0.9.0")
		for j := 0; j < per && i < n; j, i = j+1, i+1 {
			lr := sl.LogRecords().AppendEmpty()
			t := start.Add(time.Duration(i) * time.Millisecond)
			lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
			lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(t.Add(3 * time.Millisecond)))
			sev := severities[r.IntN(len(severities))]
			lr.SetSeverityText(sev.text)
			lr.SetSeverityNumber(sev.num)
			b := bodies[r.IntN(len(bodies))]
			if containsVerb(b) {
				b = fmt.Sprintf(b, r.IntN(10000), r.IntN(20))
			}
			lr.Body().SetStr(b)
			if i%10 != 9 {
				tid, sid := ids(uint64(start.UnixNano()), i/8, i%8)
				lr.SetTraceID(tid)
				lr.SetSpanID(sid)
				lr.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
			}
			a := lr.Attributes()
			a.PutStr("http.method", methods[r.IntN(len(methods))])
			a.PutStr("http.route", routes[r.IntN(len(routes))])
			a.PutInt("http.status_code", int64([]int{200, 200, 200, 201, 404, 500}[r.IntN(6)]))
			a.PutStr("user.id", fmt.Sprintf("user-%d", r.IntN(5000)))
			a.PutStr("session.id", fmt.Sprintf("%016x", r.Uint64()))
			a.PutStr("app.payment.card_type", cards[r.IntN(len(cards))])
			a.PutDouble("app.order.amount", float64(r.IntN(100000))/100)
			a.PutStr("code.function", "handle"+svc)
			a.PutStr("net.peer.name", Services[r.IntN(len(Services))])
			a.PutBool("app.cache.hit", r.IntN(2) == 0)
		}
	}
	return ld
}

func containsVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == 'd' {
			return true
		}
	}
	return false
}

// SampleTraces returns n spans spread over the last n milliseconds.
func SampleTraces(n int) ptrace.Traces {
	return SampleTracesAt(time.Now().Add(-time.Duration(n)*time.Millisecond), n)
}

// SampleTracesAt returns n realistic spans in traces of 8 spans (a server
// root and children across services), one millisecond apart from start,
// ~10 span attributes each; every 4th span has an event, every 16th a
// link, every 10th is an error.
func SampleTracesAt(start time.Time, n int) ptrace.Traces {
	r := rand.New(rand.NewPCG(uint64(start.UnixNano()), 2))
	td := ptrace.NewTraces()
	scopes := map[string]ptrace.ScopeSpans{}
	for i := 0; i < n; i++ {
		svc := Services[(i%8)%len(Services)]
		ss, ok := scopes[svc]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			resourceFor(rs.Resource(), svc, i)
			rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
			ss = rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
			ss.Scope().SetVersion("0.53.0")
			scopes[svc] = ss
		}
		sp := ss.Spans().AppendEmpty()
		tid, sid := ids(uint64(start.UnixNano()), i/8, i%8)
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		if i%8 != 0 {
			_, parent := ids(uint64(start.UnixNano()), i/8, 0)
			sp.SetParentSpanID(parent)
			sp.SetKind(ptrace.SpanKindClient)
		} else {
			sp.SetKind(ptrace.SpanKindServer)
		}
		route := routes[r.IntN(len(routes))]
		method := methods[r.IntN(len(methods))]
		sp.SetName(method + " " + route)
		t := start.Add(time.Duration(i) * time.Millisecond)
		dur := time.Duration(200+r.IntN(50000)) * time.Microsecond
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t.Add(dur)))
		sp.SetFlags(1)
		a := sp.Attributes()
		a.PutStr("http.method", method)
		a.PutStr("http.route", route)
		a.PutStr("http.url", "http://frontend:8080"+route)
		a.PutInt("http.status_code", 200)
		a.PutStr("net.peer.name", Services[r.IntN(len(Services))])
		a.PutInt("net.peer.port", 8080)
		a.PutStr("rpc.system", "grpc")
		a.PutStr("app.payment.card_type", cards[r.IntN(len(cards))])
		a.PutStr("user.id", fmt.Sprintf("user-%d", r.IntN(5000)))
		a.PutInt("app.cart.items", int64(r.IntN(20)))
		if i%10 == 7 {
			sp.Status().SetCode(ptrace.StatusCodeError)
			sp.Status().SetMessage("payment declined")
			a.PutInt("http.status_code", 500)
		}
		if i%4 == 1 {
			ev := sp.Events().AppendEmpty()
			ev.SetName("exception")
			ev.SetTimestamp(pcommon.NewTimestampFromTime(t.Add(dur / 2)))
			ev.Attributes().PutStr("exception.type", "io.EOF")
			ev.Attributes().PutStr("exception.message", "unexpected EOF")
		}
		if i%16 == 3 {
			l := sp.Links().AppendEmpty()
			ltid, lsid := ids(uint64(start.UnixNano())+1, i, 0)
			l.SetTraceID(ltid)
			l.SetSpanID(lsid)
			l.Attributes().PutStr("link.kind", "follows_from")
		}
	}
	return td
}

// SampleMetrics returns one resource with data points of all five metric
// kinds at the current time.
func SampleMetrics() pmetric.Metrics { return SampleMetricsAt(time.Now()) }

// SampleMetricsAt returns, at time t, a gauge (double and int points, an
// exemplar), a monotonic cumulative sum, a delta histogram with min/max and
// an exemplar, an exponential histogram and a summary, for two services.
func SampleMetricsAt(t time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	startT := pcommon.NewTimestampFromTime(t.Add(-time.Minute))
	now := pcommon.NewTimestampFromTime(t)
	for si, svc := range Services[:2] {
		rm := md.ResourceMetrics().AppendEmpty()
		resourceFor(rm.Resource(), svc, si)
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("go.opentelemetry.io/otel/sdk/metric")
		sm.Scope().SetVersion("1.28.0")

		g := sm.Metrics().AppendEmpty()
		g.SetName("visa_validation_cache.size")
		g.SetUnit("{entries}")
		g.SetDescription("entries in the visa validation cache")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetDoubleValue(1234.5 + float64(si))
		dp.Attributes().PutStr("cache", "visa")
		ex := dp.Exemplars().AppendEmpty()
		ex.SetTimestamp(now)
		ex.SetDoubleValue(1200)
		tid, sid := ids(7, si, 0)
		ex.SetTraceID(tid)
		ex.SetSpanID(sid)
		ex.FilteredAttributes().PutStr("user.id", "user-1")
		idp := g.Gauge().DataPoints().AppendEmpty()
		idp.SetTimestamp(now)
		idp.SetIntValue(42)
		idp.Attributes().PutStr("cache", "amex")

		s := sm.Metrics().AppendEmpty()
		s.SetName("http.server.request.count")
		s.SetUnit("{request}")
		sum := s.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		sdp := sum.DataPoints().AppendEmpty()
		sdp.SetStartTimestamp(startT)
		sdp.SetTimestamp(now)
		sdp.SetIntValue(int64(1000 + si))
		sdp.Attributes().PutStr("http.route", "/api/cart")

		h := sm.Metrics().AppendEmpty()
		h.SetName("http.server.duration")
		h.SetUnit("ms")
		hist := h.SetEmptyHistogram()
		hist.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		hdp := hist.DataPoints().AppendEmpty()
		hdp.SetStartTimestamp(startT)
		hdp.SetTimestamp(now)
		hdp.SetCount(10)
		hdp.SetSum(123.5)
		hdp.SetMin(0.5)
		hdp.SetMax(80)
		hdp.ExplicitBounds().FromRaw([]float64{1, 10, 100})
		hdp.BucketCounts().FromRaw([]uint64{2, 5, 3, 0})
		hdp.Attributes().PutStr("http.route", "/api/checkout")
		hex := hdp.Exemplars().AppendEmpty()
		hex.SetTimestamp(now)
		hex.SetIntValue(75)

		e := sm.Metrics().AppendEmpty()
		e.SetName("rpc.server.latency")
		e.SetUnit("s")
		eh := e.SetEmptyExponentialHistogram()
		eh.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		edp := eh.DataPoints().AppendEmpty()
		edp.SetStartTimestamp(startT)
		edp.SetTimestamp(now)
		edp.SetCount(12)
		edp.SetSum(3.25)
		edp.SetScale(3)
		edp.SetZeroCount(1)
		edp.SetZeroThreshold(1e-9)
		edp.SetMin(0.01)
		edp.SetMax(1.5)
		edp.Positive().SetOffset(-2)
		edp.Positive().BucketCounts().FromRaw([]uint64{1, 4, 6})
		edp.Negative().SetOffset(1)
		edp.Negative().BucketCounts().FromRaw([]uint64{0})
		edp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(false))

		q := sm.Metrics().AppendEmpty()
		q.SetName("gc.pause")
		q.SetUnit("ms")
		qdp := q.SetEmptySummary().DataPoints().AppendEmpty()
		qdp.SetStartTimestamp(startT)
		qdp.SetTimestamp(now)
		qdp.SetCount(100)
		qdp.SetSum(250)
		for _, qv := range [][2]float64{{0.5, 2}, {0.99, 9.5}} {
			v := qdp.QuantileValues().AppendEmpty()
			v.SetQuantile(qv[0])
			v.SetValue(qv[1])
		}
	}
	return md
}
