package promstorage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/prom/promotlp"
	"github.com/overlook-dev/overlook/internal/store"
)

// ScopeName is the instrumentation scope of metrics written by Appendable.
const ScopeName = "github.com/overlook-dev/overlook/prometheus"

// ErrUnsupportedSample is wrapped by Append for samples the store cannot
// hold: native histograms with non-integer counts, when the store is not a
// store.MetricExtInserter.
var ErrUnsupportedSample = errors.New("unsupported sample")

// Appendable turns Prometheus samples into OTLP metrics and inserts them
// into a store on Commit, so that they read back unchanged through
// Queryable:
//
//   - job and instance become the resource's service.name and
//     service.instance.id, the other labels (but __name__) attributes;
//   - float series named *_total whose type is counter or unknown become
//     monotonic cumulative sums, all other float series gauges (a counter
//     without _total stays a gauge: as a sum it would read back renamed);
//   - native histograms become exponential histograms (with OTLP's zero
//     threshold), custom-bucket ones explicit-bucket histograms in the
//     scope naming.NHCBScopeName, which reads back as custom-bucket native
//     histograms; gauge histogram samples become delta points. When the
//     store is a store.MetricExtInserter, the counter reset hint and
//     non-integer counts are stored in its extension columns; otherwise
//     other hints are lost and non-integer counts refused;
//   - stale markers become points flagged "no recorded value";
//   - start timestamps become StartTimeUnix.
type Appendable struct {
	ins store.MetricInserter
	ext store.MetricExtInserter // ins, if it has the capability
}

var _ storage.AppendableV2 = (*Appendable)(nil)

// NewAppendable returns an Appendable inserting into ins.
func NewAppendable(ins store.MetricInserter) *Appendable {
	ext, _ := ins.(store.MetricExtInserter)
	return &Appendable{ins: ins, ext: ext}
}

// AppenderV2 implements storage.AppendableV2.
func (a *Appendable) AppenderV2(ctx context.Context) storage.AppenderV2 {
	return &appender{ctx: ctx, ins: a.ins, ext: a.ext, series: map[uint64]*pending{}}
}

type appender struct {
	ctx    context.Context
	ins    store.MetricInserter
	ext    store.MetricExtInserter
	series map[uint64]*pending
	order  []*pending
}

type pending struct {
	lset   labels.Labels
	meta   model.MetricType
	help   string
	unit   string
	floats []floatSample
	hists  []histSample
}

type floatSample struct {
	st, t int64
	v     float64
	exs   []exemplar.Exemplar
}

type histSample struct {
	st, t int64
	fh    *histogram.FloatHistogram
	exs   []exemplar.Exemplar
}

// Append implements storage.AppenderV2. The returned reference is the
// labels' hash.
func (a *appender) Append(_ storage.SeriesRef, ls labels.Labels, st, t int64, v float64,
	h *histogram.Histogram, fh *histogram.FloatHistogram, opts storage.AppendV2Options) (storage.SeriesRef, error) {
	if ls.Get(labels.MetricName) == "" {
		return 0, fmt.Errorf("sample without a metric name (%s)", ls)
	}
	if dup, ok := ls.HasDuplicateLabelNames(); ok {
		return 0, fmt.Errorf("series %s: duplicate label %q", ls, dup)
	}
	if h != nil {
		fh = h.ToFloat(nil)
	}
	if fh != nil && a.ext == nil && !value.IsStaleNaN(fh.Sum) {
		if err := promotlp.CheckIntegral(fh); err != nil {
			return 0, fmt.Errorf("series %s at %d: %w: %w", ls, t, ErrUnsupportedSample, err)
		}
	}
	hash := ls.Hash()
	p := a.series[hash]
	if p == nil {
		p = &pending{lset: ls.Copy()}
		a.series[hash] = p
		a.order = append(a.order, p)
	}
	if opts.Metadata.Type != "" {
		p.meta, p.help, p.unit = opts.Metadata.Type, opts.Metadata.Help, opts.Metadata.Unit
	}
	if fh != nil {
		p.hists = append(p.hists, histSample{st: st, t: t, fh: fh.Copy(), exs: slices.Clone(opts.Exemplars)})
	} else {
		p.floats = append(p.floats, floatSample{st: st, t: t, v: v, exs: slices.Clone(opts.Exemplars)})
	}
	return storage.SeriesRef(hash), nil
}

// Commit converts the appended samples and inserts them.
func (a *appender) Commit() error {
	defer a.Rollback()
	if len(a.order) == 0 {
		return nil
	}
	if a.ext != nil {
		for _, p := range a.order {
			p.inferResetHints()
		}
	}
	md, ext := a.metrics()
	if md.DataPointCount() == 0 {
		return nil
	}
	var err error
	if a.ext != nil {
		err = a.ext.InsertMetricsExt(a.ctx, md, ext)
	} else {
		err = a.ins.InsertMetrics(a.ctx, md)
	}
	if err != nil {
		return fmt.Errorf("store samples: %w", err)
	}
	return nil
}

// Rollback drops the appended samples.
func (a *appender) Rollback() error {
	a.series, a.order = map[uint64]*pending{}, nil
	return nil
}

type resKey struct{ job, instance string }

// metrics builds one OTLP metric per series (more if it has floats and
// histograms of several kinds), grouped into one resource per job and
// instance, and the native-histogram details of its histogram points in
// md's order (store.MetricsExt).
func (a *appender) metrics() (pmetric.Metrics, store.MetricsExt) {
	md := pmetric.NewMetrics()
	var ext store.MetricsExt
	var keys []resKey
	byRes := map[resKey][]*pending{}
	for _, p := range a.order {
		key := resKey{p.lset.Get("job"), p.lset.Get("instance")}
		if _, ok := byRes[key]; !ok {
			keys = append(keys, key)
		}
		byRes[key] = append(byRes[key], p)
	}
	for _, key := range keys {
		rm := md.ResourceMetrics().AppendEmpty()
		if key.job != "" {
			rm.Resource().Attributes().PutStr(naming.AttrServiceName, key.job)
		}
		if key.instance != "" {
			rm.Resource().Attributes().PutStr(naming.AttrServiceInstanceID, key.instance)
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(ScopeName)
		for _, p := range byRes[key] {
			p.appendTo(sm.Metrics(), &ext)
		}
		nm := rm.ScopeMetrics().AppendEmpty()
		nm.Scope().SetName(naming.NHCBScopeName)
		for _, p := range byRes[key] {
			p.appendCustomBuckets(nm.Metrics(), &ext)
		}
		// Drop empty scopes (pdata keeps them otherwise).
		rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool { return sm.Metrics().Len() == 0 })
	}
	if a.ext == nil {
		ext = store.MetricsExt{}
	}
	return md, ext
}

func (p *pending) newMetric(ms pmetric.MetricSlice) pmetric.Metric {
	name := p.lset.Get(labels.MetricName)
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetDescription(p.help)
	if p.unit != "" && strings.HasSuffix(name, "_"+p.unit) {
		m.SetUnit(p.unit)
	}
	return m
}

// appendTo appends the float and exponential histogram metrics of p.
func (p *pending) appendTo(ms pmetric.MetricSlice, ext *store.MetricsExt) {
	name := p.lset.Get(labels.MetricName)
	if len(p.floats) > 0 {
		m := p.newMetric(ms)
		var dps pmetric.NumberDataPointSlice
		if strings.HasSuffix(name, "_total") && (p.meta == "" || p.meta == model.MetricTypeCounter || p.meta == model.MetricTypeUnknown) {
			s := m.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dps = s.DataPoints()
		} else {
			dps = m.SetEmptyGauge().DataPoints()
		}
		dps.EnsureCapacity(len(p.floats))
		for _, s := range p.floats {
			dp := dps.AppendEmpty()
			p.attrs(dp.Attributes())
			dp.SetTimestamp(msTimestamp(s.t))
			dp.SetStartTimestamp(msTimestamp(s.st))
			dp.SetDoubleValue(s.v)
			setExemplars(dp.Exemplars(), s.exs, s.t)
			if value.IsStaleNaN(s.v) {
				dp.SetDoubleValue(math.NaN())
				dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
			}
		}
	}
	for _, ss := range p.histGroups(false) {
		p.appendExponential(p.newMetric(ms), ss, ext)
	}
}

// histGroups returns p's exponential (custom: custom-bucket) histogram
// samples in one group per temporality: a gauge histogram sample becomes a
// delta point, others cumulative ones.
func (p *pending) histGroups(custom bool) [][]histSample {
	var gs [2][]histSample
	for _, s := range p.hists {
		if s.fh.UsesCustomBuckets() != custom {
			continue
		}
		g := 0
		if s.fh.CounterResetHint == histogram.GaugeType {
			g = 1
		}
		gs[g] = append(gs[g], s)
	}
	var out [][]histSample
	for _, g := range gs {
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// appendCustomBuckets appends the custom-bucket histogram metrics of p.
func (p *pending) appendCustomBuckets(ms pmetric.MetricSlice, ext *store.MetricsExt) {
	for _, ss := range p.histGroups(true) {
		p.appendCustom(p.newMetric(ms), ss, ext)
	}
}

func (p *pending) attrs(m pcommon.Map) {
	m.EnsureCapacity(p.lset.Len())
	p.lset.Range(func(l labels.Label) {
		switch l.Name {
		case labels.MetricName, "job", "instance":
		default:
			m.PutStr(l.Name, l.Value)
		}
	})
}

func msTimestamp(ms int64) pcommon.Timestamp {
	if ms <= 0 {
		return 0
	}
	return pcommon.Timestamp(ms * 1_000_000)
}

func (p *pending) appendExponential(m pmetric.Metric, ss []histSample, ext *store.MetricsExt) {
	eh := m.SetEmptyExponentialHistogram()
	eh.SetAggregationTemporality(promotlp.Temporality(ss[0].fh))
	ext.ExpHistograms = appendHistPoints(p, ss, ext.ExpHistograms, eh.DataPoints().AppendEmpty,
		promotlp.SetExponential, promotlp.ExponentialFloatCounts)
}

func (p *pending) appendCustom(m pmetric.Metric, ss []histSample, ext *store.MetricsExt) {
	hm := m.SetEmptyHistogram()
	hm.SetAggregationTemporality(promotlp.Temporality(ss[0].fh))
	ext.Histograms = appendHistPoints(p, ss, ext.Histograms, hm.DataPoints().AppendEmpty,
		promotlp.SetCustomBuckets, promotlp.CustomFloatCounts)
}

// histPoint is what appendHistPoints needs of an OTLP histogram point
// (pmetric.HistogramDataPoint, pmetric.ExponentialHistogramDataPoint).
type histPoint interface {
	Attributes() pcommon.Map
	SetTimestamp(pcommon.Timestamp)
	SetStartTimestamp(pcommon.Timestamp)
	Exemplars() pmetric.ExemplarSlice
	SetFlags(pmetric.DataPointFlags)
}

// appendHistPoints appends one point per sample (a stale marker as a point
// with no recorded value) with add, filled by set, and each point's
// extension record (reset hint, float counts when not integral) to exts.
func appendHistPoints[DP histPoint](p *pending, ss []histSample, exts []store.HistogramExt, add func() DP,
	set func(DP, *histogram.FloatHistogram), floatCounts func(*histogram.FloatHistogram) *store.FloatCounts) []store.HistogramExt {
	for _, s := range ss {
		dp := add()
		p.attrs(dp.Attributes())
		dp.SetTimestamp(msTimestamp(s.t))
		dp.SetStartTimestamp(msTimestamp(s.st))
		setExemplars(dp.Exemplars(), s.exs, s.t)
		x := store.HistogramExt{CounterResetHint: uint8(s.fh.CounterResetHint)}
		if value.IsStaleNaN(s.fh.Sum) {
			dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
		} else {
			set(dp, s.fh)
			if promotlp.CheckIntegral(s.fh) != nil {
				x.FloatCounts = floatCounts(s.fh)
			}
		}
		exts = append(exts, x)
	}
	return exts
}
