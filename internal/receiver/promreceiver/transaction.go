package promreceiver

import (
	"context"
	"log/slog"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/storage"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/prom/promotlp"
)

// ScopeName is the instrumentation scope of scraped metrics.
const ScopeName = "github.com/overlook-dev/overlook/receiver/prometheus"

// appendable is the scrape manager's storage: every scrape of a target
// gets a transaction that groups the samples into metric families and on
// Commit sends them down the pipeline as OTLP metrics, like the contrib
// receiver does.
type appendable struct {
	next    consumer.Metrics
	log     *slog.Logger
	version string
}

var _ storage.AppendableV2 = (*appendable)(nil)

func (a *appendable) AppenderV2(ctx context.Context) storage.AppenderV2 {
	return &transaction{ctx: ctx, a: a, resources: map[resKey]*resource{}}
}

type resKey struct{ job, instance string }

type resource struct {
	key      resKey
	families []*family
	byName   map[string]*family
	up       float64
	hasUp    bool
}

// family is one metric family of one resource: its samples grouped into
// points (one per label set without le/quantile, and timestamp).
type family struct {
	name       string
	typ        model.MetricType
	help, unit string
	native     bool
	points     map[uint64]*point
	order      []*point
}

type point struct {
	attrs     labels.Labels
	t, st     int64
	value     float64
	hasValue  bool
	stale     bool
	buckets   map[float64]float64 // le → cumulative count
	quantiles map[float64]float64
	sum       float64
	count     float64
	hasSum    bool
	hasCount  bool
	fh        *histogram.FloatHistogram
}

type transaction struct {
	ctx       context.Context
	a         *appendable
	resources map[resKey]*resource
	order     []*resource
}

// Append implements storage.AppenderV2.
func (t *transaction) Append(_ storage.SeriesRef, ls labels.Labels, st, ts int64, v float64,
	h *histogram.Histogram, fh *histogram.FloatHistogram, opts storage.AppendV2Options) (storage.SeriesRef, error) {
	name := ls.Get(labels.MetricName)
	res := t.resource(ls)
	// Prometheus suffixes its report samples' (up, scrape_*) family names
	// with "\xff" to keep them apart in its cache.
	famName, typ := strings.TrimSuffix(opts.MetricFamilyName, "\xff"), opts.Metadata.Type
	if famName == "" || (name != famName && !suffixOf(typ, famName, name)) {
		famName, typ = name, model.MetricTypeUnknown
	}
	if h != nil {
		fh = h.ToFloat(nil)
	}
	if fh != nil && !value.IsStaleNaN(fh.Sum) && fh.Validate() != nil {
		return 0, nil // an invalid native histogram: drop the sample, keep the scrape
	}
	f := res.byName[famName]
	if f == nil {
		f = &family{name: famName, typ: typ, help: opts.Metadata.Help, unit: opts.Metadata.Unit, points: map[uint64]*point{}}
		res.byName[famName] = f
		res.families = append(res.families, f)
	}
	f.native = f.native || fh != nil
	attrs := labels.NewBuilder(ls).Del(labels.MetricName, model.JobLabel, model.InstanceLabel,
		labels.BucketLabel, model.QuantileLabel).Labels()
	key := attrs.Hash() ^ uint64(ts)*0x9e3779b97f4a7c15
	p := f.points[key]
	if p == nil {
		p = &point{attrs: attrs, t: ts}
		f.points[key] = p
		f.order = append(f.order, p)
	}
	if st > 0 {
		p.st = st
	}
	if fh != nil {
		if value.IsStaleNaN(fh.Sum) {
			p.stale = true
		} else {
			p.fh = fh.Copy()
		}
		return storage.SeriesRef(ls.Hash()), nil
	}
	if value.IsStaleNaN(v) {
		p.stale = true
	}
	if name == "up" && famName == "up" {
		res.up, res.hasUp = v, true
	}
	switch suffix := strings.TrimPrefix(name, famName); {
	case (typ == model.MetricTypeHistogram || typ == model.MetricTypeGaugeHistogram) && suffix == "_bucket":
		le, err := strconv.ParseFloat(ls.Get(labels.BucketLabel), 64)
		if err == nil {
			if p.buckets == nil {
				p.buckets = map[float64]float64{}
			}
			p.buckets[le] = v
		}
	case typ == model.MetricTypeSummary && suffix == "" && ls.Has(model.QuantileLabel):
		q, err := strconv.ParseFloat(ls.Get(model.QuantileLabel), 64)
		if err == nil {
			if p.quantiles == nil {
				p.quantiles = map[float64]float64{}
			}
			p.quantiles[q] = v
		}
	case suffix == "_sum" && isComplex(typ):
		p.sum, p.hasSum = v, true
	case suffix == "_count" && isComplex(typ):
		p.count, p.hasCount = v, true
	case suffix == "_created":
		// A start time; ParseST delivers it as st already.
	default:
		p.value, p.hasValue = v, true
	}
	return storage.SeriesRef(ls.Hash()), nil
}

func isComplex(t model.MetricType) bool {
	return t == model.MetricTypeHistogram || t == model.MetricTypeGaugeHistogram || t == model.MetricTypeSummary
}

// suffixOf reports whether sample name belongs to family fam of type typ.
func suffixOf(typ model.MetricType, fam, name string) bool {
	suffix, ok := strings.CutPrefix(name, fam)
	if !ok {
		return false
	}
	switch typ {
	case model.MetricTypeCounter:
		return suffix == "_total" || suffix == "_created"
	case model.MetricTypeHistogram, model.MetricTypeGaugeHistogram:
		return suffix == "_bucket" || suffix == "_sum" || suffix == "_count" || suffix == "_created"
	case model.MetricTypeSummary:
		return suffix == "_sum" || suffix == "_count" || suffix == "_created"
	}
	return false
}

// resource returns the resource of a sample: its job and instance labels,
// or the target's.
func (t *transaction) resource(ls labels.Labels) *resource {
	key := resKey{ls.Get(model.JobLabel), ls.Get(model.InstanceLabel)}
	if tg, ok := scrape.TargetFromContext(t.ctx); ok {
		if key.job == "" {
			key.job = tg.GetValue(model.JobLabel)
		}
		if key.instance == "" {
			key.instance = tg.GetValue(model.InstanceLabel)
		}
	}
	r := t.resources[key]
	if r == nil {
		r = &resource{key: key, byName: map[string]*family{}}
		t.resources[key] = r
		t.order = append(t.order, r)
	}
	return r
}

// Commit implements storage.AppenderV2: it sends the scrape's metrics down
// the pipeline and logs a failed scrape with its target and error.
func (t *transaction) Commit() error {
	target, _ := scrape.TargetFromContext(t.ctx)
	md := pmetric.NewMetrics()
	for _, r := range t.order {
		if r.hasUp && r.up == 0 && target != nil {
			t.a.log.Warn("scrape failed: the target is down (up 0)", "job", r.key.job, "instance", r.key.instance,
				"target", target.URL().String(), "err", target.LastError())
		}
		rm := md.ResourceMetrics().AppendEmpty()
		setResource(rm.Resource(), r.key, target)
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(ScopeName)
		sm.Scope().SetVersion(t.a.version)
		for _, f := range r.families {
			f.appendTo(sm.Metrics())
		}
	}
	if md.DataPointCount() == 0 {
		return nil
	}
	return t.a.next.ConsumeMetrics(t.ctx, md)
}

// Rollback implements storage.AppenderV2.
func (*transaction) Rollback() error { return nil }

// setResource sets the resource attributes the contrib receiver sets.
func setResource(res pcommon.Resource, k resKey, target *scrape.Target) {
	attrs := res.Attributes()
	attrs.PutStr("service.name", k.job)
	attrs.PutStr("service.instance.id", k.instance)
	host, port, err := net.SplitHostPort(k.instance)
	if err != nil {
		host = k.instance
	}
	if ip := net.ParseIP(host); (ip == nil && host != "localhost") || (ip != nil && !ip.IsLoopback() && !ip.IsUnspecified()) {
		attrs.PutStr("server.address", host)
	}
	attrs.PutStr("server.port", port)
	if target != nil {
		attrs.PutStr("url.scheme", target.URL().Scheme)
	}
}

func (f *family) appendTo(ms pmetric.MetricSlice) {
	m := ms.AppendEmpty()
	m.SetName(f.name)
	m.SetDescription(f.help)
	if f.unit != "" && strings.HasSuffix(f.name, "_"+f.unit) {
		m.SetUnit(f.unit)
	}
	switch {
	case f.native:
		f.appendNative(m)
	case f.typ == model.MetricTypeCounter:
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		f.numbers(s.DataPoints())
	case f.typ == model.MetricTypeHistogram || f.typ == model.MetricTypeGaugeHistogram:
		f.appendHistogram(m)
	case f.typ == model.MetricTypeSummary:
		f.appendSummary(m)
	default:
		f.numbers(m.SetEmptyGauge().DataPoints())
	}
}

func (p *point) common(attrs pcommon.Map, set func(ts, st pcommon.Timestamp), flags func(pmetric.DataPointFlags)) {
	attrs.EnsureCapacity(p.attrs.Len())
	p.attrs.Range(func(l labels.Label) { attrs.PutStr(l.Name, l.Value) })
	st := pcommon.Timestamp(0)
	if p.st > 0 {
		st = pcommon.Timestamp(p.st * 1e6)
	}
	set(pcommon.Timestamp(p.t*1e6), st)
	if p.stale {
		flags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	}
}

func (f *family) numbers(dps pmetric.NumberDataPointSlice) {
	for _, p := range f.order {
		if !p.hasValue && !p.stale {
			continue
		}
		dp := dps.AppendEmpty()
		p.common(dp.Attributes(), func(ts, st pcommon.Timestamp) { dp.SetTimestamp(ts); dp.SetStartTimestamp(st) }, dp.SetFlags)
		v := p.value
		if p.stale {
			v = math.NaN()
		}
		dp.SetDoubleValue(v)
	}
}

// appendHistogram builds explicit-bucket points from `_bucket` (cumulative
// per `le`), `_sum` and `_count`.
func (f *family) appendHistogram(m pmetric.Metric) {
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, p := range f.order {
		dp := h.DataPoints().AppendEmpty()
		p.common(dp.Attributes(), func(ts, st pcommon.Timestamp) { dp.SetTimestamp(ts); dp.SetStartTimestamp(st) }, dp.SetFlags)
		if p.stale {
			continue
		}
		bounds := make([]float64, 0, len(p.buckets))
		for le := range p.buckets {
			if !math.IsInf(le, 1) {
				bounds = append(bounds, le)
			}
		}
		slices.Sort(bounds)
		count := p.count
		if !p.hasCount {
			count = p.buckets[math.Inf(1)]
		}
		counts := make([]uint64, 0, len(bounds)+1)
		var prev float64
		for _, b := range bounds {
			counts = append(counts, uint64(max(p.buckets[b]-prev, 0)))
			prev = p.buckets[b]
		}
		if len(p.buckets) > 0 {
			counts = append(counts, uint64(max(count-prev, 0)))
		}
		dp.ExplicitBounds().FromRaw(bounds)
		dp.BucketCounts().FromRaw(counts)
		dp.SetCount(uint64(count))
		if p.hasSum {
			dp.SetSum(p.sum)
		}
	}
}

func (f *family) appendSummary(m pmetric.Metric) {
	s := m.SetEmptySummary()
	for _, p := range f.order {
		dp := s.DataPoints().AppendEmpty()
		p.common(dp.Attributes(), func(ts, st pcommon.Timestamp) { dp.SetTimestamp(ts); dp.SetStartTimestamp(st) }, dp.SetFlags)
		if p.stale {
			continue
		}
		dp.SetCount(uint64(p.count))
		dp.SetSum(p.sum)
		qs := make([]float64, 0, len(p.quantiles))
		for q := range p.quantiles {
			qs = append(qs, q)
		}
		slices.Sort(qs)
		for _, q := range qs {
			qv := dp.QuantileValues().AppendEmpty()
			qv.SetQuantile(q)
			qv.SetValue(p.quantiles[q])
		}
	}
}

// appendNative converts native histograms: exponential ones to
// exponential histograms, custom-bucket ones to explicit-bucket ones.
// Points with non-integer counts are dropped (OTLP counts are integers).
func (f *family) appendNative(m pmetric.Metric) {
	custom := false
	for _, p := range f.order {
		if p.fh != nil {
			custom = p.fh.UsesCustomBuckets()
			break
		}
	}
	if custom {
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for _, p := range f.order {
			if p.fh != nil && (!p.fh.UsesCustomBuckets() || promotlp.CheckIntegral(p.fh) != nil) {
				continue
			}
			dp := h.DataPoints().AppendEmpty()
			p.common(dp.Attributes(), func(ts, st pcommon.Timestamp) { dp.SetTimestamp(ts); dp.SetStartTimestamp(st) }, dp.SetFlags)
			if p.fh != nil {
				promotlp.SetCustomBuckets(dp, p.fh)
			}
		}
		return
	}
	e := m.SetEmptyExponentialHistogram()
	e.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, p := range f.order {
		if p.fh != nil && (p.fh.UsesCustomBuckets() || promotlp.CheckIntegral(p.fh) != nil) {
			continue
		}
		dp := e.DataPoints().AppendEmpty()
		p.common(dp.Attributes(), func(ts, st pcommon.Timestamp) { dp.SetTimestamp(ts); dp.SetStartTimestamp(st) }, dp.SetFlags)
		if p.fh != nil {
			e.SetAggregationTemporality(promotlp.Temporality(p.fh))
			promotlp.SetExponential(dp, p.fh)
		}
	}
}
