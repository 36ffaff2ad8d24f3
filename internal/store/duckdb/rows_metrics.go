package duckdb

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// metricHead is what every metrics table row starts with: the columns of
// the resource, scope and metric, and of the point's attributes and times.
type metricHead struct {
	resAttrs, resURL, scName, scVer, scAttrs, scDropped, scURL, svc int
	name, desc, unit, attrs, start, time, flags, fp                 int
	exemplars                                                       int
	exIdx                                                           []int // FilteredAttributes, TimeUnix, Value, SpanId, TraceId
}

func newMetricHead(l *chunkLayout) metricHead {
	h := metricHead{
		resAttrs: l.col("ResourceAttributes"), resURL: l.col("ResourceSchemaUrl"),
		scName: l.col("ScopeName"), scVer: l.col("ScopeVersion"), scAttrs: l.col("ScopeAttributes"),
		scDropped: l.col("ScopeDroppedAttrCount"), scURL: l.col("ScopeSchemaUrl"), svc: l.col("ServiceName"),
		name: l.col("MetricName"), desc: l.col("MetricDescription"), unit: l.col("MetricUnit"),
		attrs: l.col("Attributes"), start: l.col("StartTimeUnix"), time: l.col("TimeUnix"),
		flags: l.col("Flags"), fp: l.col(schema.SeriesFingerprint), exemplars: -1,
	}
	if _, ok := l.index["Exemplars"]; ok {
		h.exemplars = l.col("Exemplars")
		h.exIdx = l.fields(h.exemplars, "FilteredAttributes", "TimeUnix", "Value", "SpanId", "TraceId")
	}
	return h
}

// metricCtx is the resource/scope/metric a data point belongs to.
type metricCtx struct {
	res                pcommon.Resource
	scope              pcommon.InstrumentationScope
	resURL, scURL, svc string
	scName, scVer      string
	name, desc, unit   string
}

// point writes the head columns, flags, exemplars and series fingerprint
// of one data point; mono and temp are the point's IsMonotonic and
// AggregationTemporality (false/0 for tables without them).
func (b *chunkBuilder) point(h *metricHead, m *metricCtx, attrs pcommon.Map, start, t pcommon.Timestamp,
	flags pmetric.DataPointFlags, exs pmetric.ExemplarSlice, mono bool, temp int32) {
	b.attrs(h.resAttrs, m.res.Attributes())
	b.str(h.resURL, m.resURL)
	b.str(h.scName, m.scName)
	b.str(h.scVer, m.scVer)
	b.attrs(h.scAttrs, m.scope.Attributes())
	b.u32(h.scDropped, m.scope.DroppedAttributesCount())
	b.str(h.scURL, m.scURL)
	b.str(h.svc, m.svc)
	b.str(h.name, m.name)
	b.str(h.desc, m.desc)
	b.str(h.unit, m.unit)
	b.attrs(h.attrs, attrs)
	b.ts(h.start, start)
	b.ts(h.time, t)
	b.u32(h.flags, uint32(flags))
	id := seriesIdentity{name: m.name, unit: m.unit, scope: m.scName, svc: m.svc,
		res: b.attrsHashOf(h.resAttrs), attrs: b.attrsHashOf(h.attrs), mono: mono, temp: temp}
	b.u64(h.fp, id.fingerprint())
	if h.exemplars >= 0 {
		var f [5]*vec
		var offs [5]uint64
		b.nested(h.exemplars, uint64(exs.Len()), h.exIdx, f[:], offs[:])
		for i, ex := range exs.All() {
			k := uint64(i)
			v := ex.DoubleValue()
			if ex.ValueType() == pmetric.ExemplarValueTypeInt {
				v = float64(ex.IntValue())
			}
			b.setMap(f[0], offs[0]+k, ex.FilteredAttributes())
			f[1].setI64(offs[1]+k, nanos(ex.Timestamp()))
			f[2].setF64(offs[2]+k, v)
			f[3].setStr(offs[3]+k, spanID(ex.SpanID()))
			f[4].setStr(offs[4]+k, traceID(ex.TraceID()))
		}
	}
}

// histExt are the extension columns of a histogram table (schema's
// promHistogramExt) and the HistogramExt of its points, in order.
type histExt struct {
	hint, has, count, zero, pos, neg, buckets int
	ext                                       []store.HistogramExt
	next                                      int
}

func newHistExt(l *chunkLayout, exp bool, ext []store.HistogramExt) histExt {
	e := histExt{hint: l.col("CounterResetHint"), has: l.col("HasFloatCounts"), count: l.col("FloatCount"),
		zero: -1, pos: -1, neg: -1, buckets: -1, ext: ext}
	if exp {
		e.zero, e.pos, e.neg = l.col("FloatZeroCount"), l.col("FloatPositiveBucketCounts"), l.col("FloatNegativeBucketCounts")
	} else {
		e.buckets = l.col("FloatBucketCounts")
	}
	return e
}

// write sets the extension columns of the current row from the next
// HistogramExt (zero values without any).
func (e *histExt) write(b *chunkBuilder) {
	if e.ext == nil {
		return
	}
	x := &e.ext[e.next]
	e.next++
	b.u8(e.hint, x.CounterResetHint)
	fc := x.FloatCounts
	if fc == nil {
		return
	}
	b.bool(e.has, true)
	b.f64(e.count, fc.Count)
	if e.zero >= 0 {
		b.f64(e.zero, fc.ZeroCount)
		b.floats(e.pos, fc.Positive)
		b.floats(e.neg, fc.Negative)
	} else {
		b.floats(e.buckets, fc.Buckets)
	}
}

// countHistogramPoints returns the explicit and exponential histogram
// points of md.
func countHistogramPoints(md pmetric.Metrics) (hist, exp int) {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, mt := range sm.Metrics().All() {
				switch mt.Type() {
				case pmetric.MetricTypeHistogram:
					hist += mt.Histogram().DataPoints().Len()
				case pmetric.MetricTypeExponentialHistogram:
					exp += mt.ExponentialHistogram().DataPoints().Len()
				}
			}
		}
	}
	return hist, exp
}

// checkExt validates ext against md (see store.MetricsExt).
func checkExt(md pmetric.Metrics, ext store.MetricsExt) error {
	if ext.Histograms == nil && ext.ExpHistograms == nil {
		return nil
	}
	hist, exp := countHistogramPoints(md)
	if ext.Histograms != nil && len(ext.Histograms) != hist {
		return fmt.Errorf("%w: %d histogram extensions for %d histogram points", store.ErrInvalidArgument, len(ext.Histograms), hist)
	}
	if ext.ExpHistograms != nil && len(ext.ExpHistograms) != exp {
		return fmt.Errorf("%w: %d exponential histogram extensions for %d points", store.ErrInvalidArgument, len(ext.ExpHistograms), exp)
	}
	return nil
}

// metricChunks converts every data point of md to rows of the five
// metrics tables, with the native-histogram details of ext (checked by
// checkExt). Integer values (number points, exemplars) are stored as
// float64; AggregationTemporality as its OTLP enum number; absent
// histogram Sum/Min/Max as 0, as the ClickHouse exporter does.
func metricChunks(md pmetric.Metrics, ext store.MetricsExt) []tableChunks {
	ls := chunkLayouts()
	gl, sl, hl, el, ql := ls[tblGauge], ls[tblSum], ls[tblHistogram], ls[tblExpHistogram], ls[tblSummary]
	gb, sb, hb, eb, qb := newChunkBuilder(gl), newChunkBuilder(sl), newChunkBuilder(hl), newChunkBuilder(el), newChunkBuilder(ql)
	gh, sh, hh, eh, qh := newMetricHead(gl), newMetricHead(sl), newMetricHead(hl), newMetricHead(el), newMetricHead(ql)
	hx, ex := newHistExt(hl, false, ext.Histograms), newHistExt(el, true, ext.ExpHistograms)
	var (
		gValue                         = gl.col("Value")
		sValue, sTemp, sMono           = sl.col("Value"), sl.col("AggregationTemporality"), sl.col("IsMonotonic")
		hCount, hSum, hBuckets, hBound = hl.col("Count"), hl.col("Sum"), hl.col("BucketCounts"), hl.col("ExplicitBounds")
		hMin, hMax, hTemp              = hl.col("Min"), hl.col("Max"), hl.col("AggregationTemporality")
		hHas                           = [3]int{hl.col("HasSum"), hl.col("HasMin"), hl.col("HasMax")}
		eHas                           = [3]int{el.col("HasSum"), el.col("HasMin"), el.col("HasMax")}
		eCount, eSum, eScale, eZero    = el.col("Count"), el.col("Sum"), el.col("Scale"), el.col("ZeroCount")
		ePosOff, ePos, eNegOff, eNeg   = el.col("PositiveOffset"), el.col("PositiveBucketCounts"), el.col("NegativeOffset"), el.col("NegativeBucketCounts")
		eMin, eMax, eTemp, eZeroThr    = el.col("Min"), el.col("Max"), el.col("AggregationTemporality"), el.col("ZeroThreshold")
		qCount, qSum, qQuantiles       = ql.col("Count"), ql.col("Sum"), ql.col("ValueAtQuantiles")
	)
	qIdx := ql.fields(qQuantiles, "Quantile", "Value")
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource()
		m := metricCtx{res: res, resURL: str(rm.SchemaUrl()), svc: serviceName(res)}
		for _, smx := range rm.ScopeMetrics().All() {
			m.scope = smx.Scope()
			m.scURL, m.scName, m.scVer = str(smx.SchemaUrl()), str(m.scope.Name()), str(m.scope.Version())
			for _, mt := range smx.Metrics().All() {
				m.name, m.desc, m.unit = str(mt.Name()), str(mt.Description()), str(mt.Unit())
				switch mt.Type() {
				case pmetric.MetricTypeGauge:
					for _, dp := range mt.Gauge().DataPoints().All() {
						gb.begin()
						gb.point(&gh, &m, dp.Attributes(), dp.StartTimestamp(), dp.Timestamp(), dp.Flags(), dp.Exemplars(), false, 0)
						gb.f64(gValue, numberValue(dp))
						gb.next()
					}
				case pmetric.MetricTypeSum:
					s := mt.Sum()
					temp := int32(s.AggregationTemporality())
					for _, dp := range s.DataPoints().All() {
						sb.begin()
						sb.point(&sh, &m, dp.Attributes(), dp.StartTimestamp(), dp.Timestamp(), dp.Flags(), dp.Exemplars(), s.IsMonotonic(), temp)
						sb.f64(sValue, numberValue(dp))
						sb.i32(sTemp, temp)
						sb.bool(sMono, s.IsMonotonic())
						sb.next()
					}
				case pmetric.MetricTypeHistogram:
					h := mt.Histogram()
					temp := int32(h.AggregationTemporality())
					for _, dp := range h.DataPoints().All() {
						hb.begin()
						hb.point(&hh, &m, dp.Attributes(), dp.StartTimestamp(), dp.Timestamp(), dp.Flags(), dp.Exemplars(), false, temp)
						hb.u64(hCount, dp.Count())
						hb.f64(hSum, dp.Sum())
						hb.u64s(hBuckets, dp.BucketCounts())
						hb.f64s(hBound, dp.ExplicitBounds())
						hb.f64(hMin, dp.Min())
						hb.f64(hMax, dp.Max())
						hb.i32(hTemp, temp)
						hb.bool(hHas[0], dp.HasSum())
						hb.bool(hHas[1], dp.HasMin())
						hb.bool(hHas[2], dp.HasMax())
						hx.write(hb)
						hb.next()
					}
				case pmetric.MetricTypeExponentialHistogram:
					h := mt.ExponentialHistogram()
					temp := int32(h.AggregationTemporality())
					for _, dp := range h.DataPoints().All() {
						eb.begin()
						eb.point(&eh, &m, dp.Attributes(), dp.StartTimestamp(), dp.Timestamp(), dp.Flags(), dp.Exemplars(), false, temp)
						eb.u64(eCount, dp.Count())
						eb.f64(eSum, dp.Sum())
						eb.i32(eScale, dp.Scale())
						eb.u64(eZero, dp.ZeroCount())
						eb.i32(ePosOff, dp.Positive().Offset())
						eb.u64s(ePos, dp.Positive().BucketCounts())
						eb.i32(eNegOff, dp.Negative().Offset())
						eb.u64s(eNeg, dp.Negative().BucketCounts())
						eb.f64(eMin, dp.Min())
						eb.f64(eMax, dp.Max())
						eb.i32(eTemp, temp)
						eb.f64(eZeroThr, dp.ZeroThreshold())
						eb.bool(eHas[0], dp.HasSum())
						eb.bool(eHas[1], dp.HasMin())
						eb.bool(eHas[2], dp.HasMax())
						ex.write(eb)
						eb.next()
					}
				case pmetric.MetricTypeSummary:
					for _, dp := range mt.Summary().DataPoints().All() {
						qb.begin()
						qb.point(&qh, &m, dp.Attributes(), dp.StartTimestamp(), dp.Timestamp(), dp.Flags(), pmetric.NewExemplarSlice(), false, 0)
						qb.u64(qCount, dp.Count())
						qb.f64(qSum, dp.Sum())
						qs := dp.QuantileValues()
						var f [2]*vec
						var offs [2]uint64
						qb.nested(qQuantiles, uint64(qs.Len()), qIdx, f[:], offs[:])
						for i, qv := range qs.All() {
							f[0].setF64(offs[0]+uint64(i), qv.Quantile())
							f[1].setF64(offs[1]+uint64(i), qv.Value())
						}
						qb.next()
					}
				}
			}
		}
	}
	return []tableChunks{gb.result(tblGauge), sb.result(tblSum), hb.result(tblHistogram),
		eb.result(tblExpHistogram), qb.result(tblSummary)}
}

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}
