package clickhouse

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/series"
)

// InsertMetrics writes md's points to the five metrics tables, mapped as
// the DuckDB store maps them (internal/store/duckdb/rows_metrics.go), with
// the same series fingerprints (internal/store/series).
func (s *Store) InsertMetrics(ctx context.Context, md pmetric.Metrics) error {
	w := map[string]*tableRows{}
	get := func(t *schema.Table) *tableRows {
		if w[t.Name] == nil {
			w[t.Name] = newTableRows(t)
		}
		return w[t.Name]
	}
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource()
		rAttrs := attrs(res.Attributes())
		for _, sm := range rm.ScopeMetrics().All() {
			sc := sm.Scope()
			h := head{resAttrs: rAttrs, resHash: attrsHash(rAttrs), resURL: str(rm.SchemaUrl()), scope: sc,
				scAttrs: attrs(sc.Attributes()), scURL: str(sm.SchemaUrl()), svc: serviceName(res)}
			for _, m := range sm.Metrics().All() {
				h.name, h.desc, h.unit = str(m.Name()), str(m.Description()), str(m.Unit())
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					r := get(&schema.MetricsGauge)
					for _, p := range m.Gauge().DataPoints().All() {
						h.point(r, p.Attributes(), p.StartTimestamp(), p.Timestamp(), p.Flags(), p.Exemplars(), false, 0)
						r.set("Value", numValue(p))
						r.end()
					}
				case pmetric.MetricTypeSum:
					r := get(&schema.MetricsSum)
					sum := m.Sum()
					temp := int32(sum.AggregationTemporality())
					for _, p := range sum.DataPoints().All() {
						h.point(r, p.Attributes(), p.StartTimestamp(), p.Timestamp(), p.Flags(), p.Exemplars(), sum.IsMonotonic(), temp)
						r.set("Value", numValue(p))
						r.set("AggregationTemporality", temp)
						r.set("IsMonotonic", sum.IsMonotonic())
						r.end()
					}
				case pmetric.MetricTypeHistogram:
					r := get(&schema.MetricsHistogram)
					hg := m.Histogram()
					temp := int32(hg.AggregationTemporality())
					for _, p := range hg.DataPoints().All() {
						h.point(r, p.Attributes(), p.StartTimestamp(), p.Timestamp(), p.Flags(), p.Exemplars(), false, temp)
						r.set("Count", p.Count())
						r.set("Sum", p.Sum())
						r.set("BucketCounts", nonNil(p.BucketCounts().AsRaw()))
						r.set("ExplicitBounds", nonNilF(p.ExplicitBounds().AsRaw()))
						r.set("Min", p.Min())
						r.set("Max", p.Max())
						r.set("AggregationTemporality", temp)
						r.set("HasSum", p.HasSum())
						r.set("HasMin", p.HasMin())
						r.set("HasMax", p.HasMax())
						promExt(r, "FloatBucketCounts")
						r.end()
					}
				case pmetric.MetricTypeExponentialHistogram:
					r := get(&schema.MetricsExpHistogram)
					eh := m.ExponentialHistogram()
					temp := int32(eh.AggregationTemporality())
					for _, p := range eh.DataPoints().All() {
						h.point(r, p.Attributes(), p.StartTimestamp(), p.Timestamp(), p.Flags(), p.Exemplars(), false, temp)
						r.set("Count", p.Count())
						r.set("Sum", p.Sum())
						r.set("Scale", p.Scale())
						r.set("ZeroCount", p.ZeroCount())
						r.set("PositiveOffset", p.Positive().Offset())
						r.set("PositiveBucketCounts", nonNil(p.Positive().BucketCounts().AsRaw()))
						r.set("NegativeOffset", p.Negative().Offset())
						r.set("NegativeBucketCounts", nonNil(p.Negative().BucketCounts().AsRaw()))
						r.set("Min", p.Min())
						r.set("Max", p.Max())
						r.set("AggregationTemporality", temp)
						r.set("ZeroThreshold", p.ZeroThreshold())
						r.set("HasSum", p.HasSum())
						r.set("HasMin", p.HasMin())
						r.set("HasMax", p.HasMax())
						promExt(r, "FloatZeroCount", "FloatPositiveBucketCounts", "FloatNegativeBucketCounts")
						r.end()
					}
				case pmetric.MetricTypeSummary:
					r := get(&schema.MetricsSummary)
					for _, p := range m.Summary().DataPoints().All() {
						h.point(r, p.Attributes(), p.StartTimestamp(), p.Timestamp(), p.Flags(), pmetric.NewExemplarSlice(), false, 0)
						r.set("Count", p.Count())
						r.set("Sum", p.Sum())
						qs := p.QuantileValues()
						q, v := make([]float64, 0, qs.Len()), make([]float64, 0, qs.Len())
						for _, x := range qs.All() {
							q = append(q, x.Quantile())
							v = append(v, x.Value())
						}
						r.set("ValueAtQuantiles.Quantile", q)
						r.set("ValueAtQuantiles.Value", v)
						r.end()
					}
				}
			}
		}
	}
	var errs []error
	for _, t := range []*schema.Table{&schema.MetricsGauge, &schema.MetricsSum, &schema.MetricsHistogram, &schema.MetricsExpHistogram, &schema.MetricsSummary} {
		if r := w[t.Name]; r != nil {
			if err := s.insert(ctx, r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// head is the resource/scope/metric a point belongs to.
type head struct {
	resAttrs, scAttrs  *attrMap
	resHash            uint64
	resURL, scURL, svc string
	scope              pcommon.InstrumentationScope
	name, desc, unit   string
}

// point begins a row and sets the columns every metrics table shares.
func (h *head) point(r *tableRows, a pcommon.Map, start, t pcommon.Timestamp, flags pmetric.DataPointFlags,
	exs pmetric.ExemplarSlice, mono bool, temp int32) {
	r.begin()
	pa := attrs(a)
	r.set("ResourceAttributes", h.resAttrs)
	r.set("ResourceSchemaUrl", h.resURL)
	r.set("ScopeName", str(h.scope.Name()))
	r.set("ScopeVersion", str(h.scope.Version()))
	r.set("ScopeAttributes", h.scAttrs)
	r.set("ScopeDroppedAttrCount", h.scope.DroppedAttributesCount())
	r.set("ScopeSchemaUrl", h.scURL)
	r.set("ServiceName", h.svc)
	r.set("MetricName", h.name)
	r.set("MetricDescription", h.desc)
	r.set("MetricUnit", h.unit)
	r.set("Attributes", pa)
	r.set("StartTimeUnix", ts(start))
	r.set("TimeUnix", ts(t))
	r.set("Flags", uint32(flags))
	id := series.Identity{Name: h.name, Unit: h.unit, Scope: str(h.scope.Name()), Svc: h.svc,
		Res: h.resHash, Attrs: attrsHash(pa), Mono: mono, Temp: temp}
	r.set(schema.SeriesFingerprint, id.Fingerprint())
	if _, ok := r.pos["Exemplars.Value"]; ok {
		fa, tu, val := make([]*attrMap, 0, exs.Len()), make([]time.Time, 0, exs.Len()), make([]float64, 0, exs.Len())
		sid, tid := make([]string, 0, exs.Len()), make([]string, 0, exs.Len())
		for _, ex := range exs.All() {
			v := ex.DoubleValue()
			if ex.ValueType() == pmetric.ExemplarValueTypeInt {
				v = float64(ex.IntValue())
			}
			s, t := ex.SpanID(), ex.TraceID()
			fa = append(fa, attrs(ex.FilteredAttributes()))
			tu = append(tu, ts(ex.Timestamp()))
			val = append(val, v)
			sid = append(sid, hexID(s[:]))
			tid = append(tid, hexID(t[:]))
		}
		r.set("Exemplars.FilteredAttributes", fa)
		r.set("Exemplars.TimeUnix", tu)
		r.set("Exemplars.Value", val)
		r.set("Exemplars.SpanId", sid)
		r.set("Exemplars.TraceId", tid)
	}
}

// promExt sets the Prometheus native-histogram extension columns to the
// zero values of a point stored from OTLP.
func promExt(r *tableRows, floats ...string) {
	r.set("CounterResetHint", uint8(0))
	r.set("HasFloatCounts", false)
	r.set("FloatCount", float64(0))
	for _, f := range floats {
		if f == "FloatZeroCount" {
			r.set(f, float64(0))
		} else {
			r.set(f, []float64{})
		}
	}
}

func numValue(p pmetric.NumberDataPoint) float64 {
	if p.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(p.IntValue())
	}
	return p.DoubleValue()
}

func nonNil(v []uint64) []uint64 {
	if v == nil {
		return []uint64{}
	}
	return v
}

func nonNilF(v []float64) []float64 {
	if v == nil {
		return []float64{}
	}
	return v
}
