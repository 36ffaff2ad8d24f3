package overrides

import (
	"math"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store/series"
)

// FilterSeries removes from md the points of series tenant may not start
// (max_active_series) and returns the refusal, or nil. A series is what the
// store calls one (schema.SeriesFingerprint): metric name, unit, scope,
// service, resource and point attributes, monotonicity and temporality,
// and the metric type (its table).
// Metrics left without points are removed.
func (l *Limiter) FilterSeries(tenant string, md pmetric.Metrics) *SeriesLimitError {
	a := l.Series(tenant)
	if a.set == nil {
		return a.Done()
	}
	var h attrHasher
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource().Attributes()
		svc := ""
		if v, ok := res.Get("service.name"); ok {
			svc = v.AsString()
		}
		resHash := h.hash(res)
		for _, sm := range rm.ScopeMetrics().All() {
			scope := sm.Scope().Name()
			sm.Metrics().RemoveIf(func(m pmetric.Metric) bool {
				id := series.Identity{Name: m.Name(), Unit: m.Unit(), Scope: scope, Svc: svc, Res: resHash}
				before := pointCount(m)
				admit := func(attrs pcommon.Map) bool {
					id.Attrs = h.hash(attrs)
					// Each metric type is its own table, so its own
					// series: the type is part of the key.
					return !a.Admit(series.Mix64(id.Fingerprint() + uint64(m.Type())))
				}
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					m.Gauge().DataPoints().RemoveIf(func(p pmetric.NumberDataPoint) bool { return admit(p.Attributes()) })
				case pmetric.MetricTypeSum:
					id.Mono, id.Temp = m.Sum().IsMonotonic(), int32(m.Sum().AggregationTemporality())
					m.Sum().DataPoints().RemoveIf(func(p pmetric.NumberDataPoint) bool { return admit(p.Attributes()) })
				case pmetric.MetricTypeHistogram:
					id.Temp = int32(m.Histogram().AggregationTemporality())
					m.Histogram().DataPoints().RemoveIf(func(p pmetric.HistogramDataPoint) bool { return admit(p.Attributes()) })
				case pmetric.MetricTypeExponentialHistogram:
					id.Temp = int32(m.ExponentialHistogram().AggregationTemporality())
					m.ExponentialHistogram().DataPoints().RemoveIf(func(p pmetric.ExponentialHistogramDataPoint) bool { return admit(p.Attributes()) })
				case pmetric.MetricTypeSummary:
					m.Summary().DataPoints().RemoveIf(func(p pmetric.SummaryDataPoint) bool { return admit(p.Attributes()) })
				}
				return before > 0 && pointCount(m) == 0
			})
		}
	}
	return a.Done()
}

func pointCount(m pmetric.Metric) int {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return m.Gauge().DataPoints().Len()
	case pmetric.MetricTypeSum:
		return m.Sum().DataPoints().Len()
	case pmetric.MetricTypeHistogram:
		return m.Histogram().DataPoints().Len()
	case pmetric.MetricTypeExponentialHistogram:
		return m.ExponentialHistogram().DataPoints().Len()
	case pmetric.MetricTypeSummary:
		return m.Summary().DataPoints().Len()
	}
	return 0
}

// attrHasher hashes attribute maps as series.AttrsHash, reusing its
// buffers.
type attrHasher struct{ keys, vals []string }

func (h *attrHasher) hash(m pcommon.Map) uint64 {
	h.keys, h.vals = h.keys[:0], h.vals[:0]
	for k, v := range m.All() {
		h.keys = append(h.keys, k)
		h.vals = append(h.vals, v.AsString())
	}
	return series.AttrsHash(h.keys, h.vals)
}

// TrimMetrics keeps at most max attributes in every resource, scope and
// data point map of md (max <= 0: no limit) and returns how many it
// dropped. The kept attributes are the first max keys in byte order, not in
// the order sent: a point's attributes make its series, and a series must
// trim to the same series however a client orders its attributes. Dropped
// resource and scope attributes are added to their DroppedAttributesCount;
// data points have no such field (OTLP), the drop is only counted.
func TrimMetrics(md pmetric.Metrics, max int) int {
	if max <= 0 {
		return 0
	}
	dropped := 0
	var keys []string
	trim := func(m pcommon.Map) uint32 {
		if m.Len() <= max {
			return 0
		}
		keys = keys[:0]
		for k := range m.All() {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		cut := keys[max-1] // the last key kept
		before := m.Len()
		m.RemoveIf(func(k string, _ pcommon.Value) bool { return k > cut })
		if m.Len() > max { // duplicate keys (the wire allows them)
			i := 0
			m.RemoveIf(func(string, pcommon.Value) bool { i++; return i > max })
		}
		n := before - m.Len()
		dropped += n
		return uint32(min(n, math.MaxUint32))
	}
	for _, rm := range md.ResourceMetrics().All() {
		r := rm.Resource()
		r.SetDroppedAttributesCount(addDropped(r.DroppedAttributesCount(), trim(r.Attributes())))
		for _, sm := range rm.ScopeMetrics().All() {
			sc := sm.Scope()
			sc.SetDroppedAttributesCount(addDropped(sc.DroppedAttributesCount(), trim(sc.Attributes())))
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					for _, p := range m.Gauge().DataPoints().All() {
						trim(p.Attributes())
					}
				case pmetric.MetricTypeSum:
					for _, p := range m.Sum().DataPoints().All() {
						trim(p.Attributes())
					}
				case pmetric.MetricTypeHistogram:
					for _, p := range m.Histogram().DataPoints().All() {
						trim(p.Attributes())
					}
				case pmetric.MetricTypeExponentialHistogram:
					for _, p := range m.ExponentialHistogram().DataPoints().All() {
						trim(p.Attributes())
					}
				case pmetric.MetricTypeSummary:
					for _, p := range m.Summary().DataPoints().All() {
						trim(p.Attributes())
					}
				}
			}
		}
	}
	return dropped
}

// addDropped adds n to a Dropped*Count without wrapping around.
func addDropped(cur, n uint32) uint32 {
	if cur > math.MaxUint32-n {
		return math.MaxUint32
	}
	return cur + n
}
