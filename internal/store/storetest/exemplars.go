package storetest

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// ExemplarMetrics returns metrics with exemplars, the newest points at t,
// for service "checkout" (instance "i-1"):
//
//   - "requests", a monotonic cumulative sum with http.route="/pay": a
//     point at t-60s with exemplar A (t-70s, 1, trace 0x01…, span 0x02…,
//     user="u1") and one at t repeating A plus exemplar B (t-10s, integer
//     2, trace 0x03…, span 0x04…);
//   - "latency", a delta histogram with bounds [0.1, 1] and, at t,
//     exemplars of 0.05 (t-30s, trace 0x05…, span 0x06…), 0.5 (t-20s,
//     trace 0x07…, span 0x08…) and 5 (t-5s, no trace);
//   - "temperature", a gauge at t with an exemplar of 21 (t-1s).
func ExemplarMetrics(t time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	rm.Resource().Attributes().PutStr("service.instance.id", "i-1")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	ts := func(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t.Add(d)) }
	add := func(exs pmetric.ExemplarSlice, at time.Duration, v float64, trace, span byte, attrs ...string) {
		ex := exs.AppendEmpty()
		ex.SetTimestamp(ts(at))
		if v == float64(int64(v)) && v > 1 {
			ex.SetIntValue(int64(v))
		} else {
			ex.SetDoubleValue(v)
		}
		if trace != 0 {
			ex.SetTraceID(pcommon.TraceID{trace, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, trace})
			ex.SetSpanID(pcommon.SpanID{span, 0, 0, 0, 0, 0, 0, span})
		}
		for i := 0; i+1 < len(attrs); i += 2 {
			ex.FilteredAttributes().PutStr(attrs[i], attrs[i+1])
		}
	}

	m := ms.AppendEmpty()
	m.SetName("requests")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i, at := range []time.Duration{-time.Minute, 0} {
		dp := sum.DataPoints().AppendEmpty()
		dp.Attributes().PutStr("http.route", "/pay")
		dp.SetStartTimestamp(ts(-time.Hour))
		dp.SetTimestamp(ts(at))
		dp.SetDoubleValue(float64(10 * (i + 1)))
		add(dp.Exemplars(), -70*time.Second, 1, 1, 2, "user", "u1")
		if i == 1 {
			add(dp.Exemplars(), -10*time.Second, 2, 3, 4)
		}
	}

	m = ms.AppendEmpty()
	m.SetName("latency")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	hp := h.DataPoints().AppendEmpty()
	hp.SetStartTimestamp(ts(-time.Minute))
	hp.SetTimestamp(ts(0))
	hp.SetCount(3)
	hp.SetSum(5.55)
	hp.ExplicitBounds().FromRaw([]float64{0.1, 1})
	hp.BucketCounts().FromRaw([]uint64{1, 1, 1})
	add(hp.Exemplars(), -30*time.Second, 0.05, 5, 6)
	add(hp.Exemplars(), -20*time.Second, 0.5, 7, 8)
	add(hp.Exemplars(), -5*time.Second, 5, 0, 0)

	m = ms.AppendEmpty()
	m.SetName("temperature")
	gp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	gp.SetTimestamp(ts(0))
	gp.SetDoubleValue(21)
	add(gp.Exemplars(), -time.Second, 21, 9, 9)
	return md
}
