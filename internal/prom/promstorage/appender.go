package promstorage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/prometheus/common/model"
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

// ErrUnsupportedSample is wrapped by Append for samples the OTLP tables
// cannot hold: native histograms with non-integer counts.
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
//   - native histograms become exponential histograms (the zero bucket
//     width and counter reset hints other than "gauge" are not kept),
//     custom-bucket ones explicit-bucket histograms in the scope
//     naming.NHCBScopeName, which reads back as custom-bucket native
//     histograms; gauge histogram samples become delta points;
//   - stale markers become points flagged "no recorded value";
//   - start timestamps become StartTimeUnix.
type Appendable struct {
	ins store.MetricInserter
}

var _ storage.AppendableV2 = (*Appendable)(nil)

// NewAppendable returns an Appendable inserting into ins.
func NewAppendable(ins store.MetricInserter) *Appendable { return &Appendable{ins: ins} }

// AppenderV2 implements storage.AppendableV2.
func (a *Appendable) AppenderV2(ctx context.Context) storage.AppenderV2 {
	return &appender{ctx: ctx, ins: a.ins, series: map[uint64]*pending{}}
}

type appender struct {
	ctx    context.Context
	ins    store.MetricInserter
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
}

type histSample struct {
	st, t int64
	fh    *histogram.FloatHistogram
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
	if fh != nil && !value.IsStaleNaN(fh.Sum) {
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
		p.hists = append(p.hists, histSample{st: st, t: t, fh: fh.Copy()})
	} else {
		p.floats = append(p.floats, floatSample{st: st, t: t, v: v})
	}
	return storage.SeriesRef(hash), nil
}

// Commit converts the appended samples and inserts them.
func (a *appender) Commit() error {
	defer a.Rollback()
	if len(a.order) == 0 {
		return nil
	}
	md := a.metrics()
	if md.DataPointCount() == 0 {
		return nil
	}
	if err := a.ins.InsertMetrics(a.ctx, md); err != nil {
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

// metrics builds one OTLP metric per series (two if it has floats and
// histograms), grouped into one resource per job and instance.
func (a *appender) metrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	type scopes struct{ ms, nhcb pmetric.MetricSlice }
	byRes := map[resKey]scopes{}
	for _, p := range a.order {
		key := resKey{p.lset.Get("job"), p.lset.Get("instance")}
		sc, ok := byRes[key]
		if !ok {
			rm := md.ResourceMetrics().AppendEmpty()
			if key.job != "" {
				rm.Resource().Attributes().PutStr(naming.AttrServiceName, key.job)
			}
			if key.instance != "" {
				rm.Resource().Attributes().PutStr(naming.AttrServiceInstanceID, key.instance)
			}
			sm := rm.ScopeMetrics().AppendEmpty()
			sm.Scope().SetName(ScopeName)
			nm := rm.ScopeMetrics().AppendEmpty()
			nm.Scope().SetName(naming.NHCBScopeName)
			sc = scopes{sm.Metrics(), nm.Metrics()}
			byRes[key] = sc
		}
		p.appendTo(sc.ms, sc.nhcb)
	}
	// Drop empty scopes (pdata keeps them otherwise).
	for _, rm := range md.ResourceMetrics().All() {
		rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool { return sm.Metrics().Len() == 0 })
	}
	return md
}

func (p *pending) appendTo(ms, nhcb pmetric.MetricSlice) {
	name := p.lset.Get(labels.MetricName)
	newMetric := func(ms pmetric.MetricSlice) pmetric.Metric {
		m := ms.AppendEmpty()
		m.SetName(name)
		m.SetDescription(p.help)
		if p.unit != "" && strings.HasSuffix(name, "_"+p.unit) {
			m.SetUnit(p.unit)
		}
		return m
	}
	if len(p.floats) > 0 {
		m := newMetric(ms)
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
			if value.IsStaleNaN(s.v) {
				dp.SetDoubleValue(math.NaN())
				dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
			}
		}
	}
	// One metric per kind of histogram and per temporality: a gauge
	// histogram sample becomes a delta point, others cumulative ones.
	var exp, custom [2][]histSample
	for _, s := range p.hists {
		g := 0
		if s.fh.CounterResetHint == histogram.GaugeType {
			g = 1
		}
		if s.fh.UsesCustomBuckets() {
			custom[g] = append(custom[g], s)
		} else {
			exp[g] = append(exp[g], s)
		}
	}
	for _, ss := range exp {
		if len(ss) > 0 {
			p.appendExponential(newMetric(ms), ss)
		}
	}
	for _, ss := range custom {
		if len(ss) > 0 {
			p.appendCustom(newMetric(nhcb), ss)
		}
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

func (p *pending) appendExponential(m pmetric.Metric, ss []histSample) {
	eh := m.SetEmptyExponentialHistogram()
	eh.SetAggregationTemporality(promotlp.Temporality(ss[0].fh))
	for _, s := range ss {
		dp := eh.DataPoints().AppendEmpty()
		p.attrs(dp.Attributes())
		dp.SetTimestamp(msTimestamp(s.t))
		dp.SetStartTimestamp(msTimestamp(s.st))
		if value.IsStaleNaN(s.fh.Sum) {
			dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
			continue
		}
		promotlp.SetExponential(dp, s.fh)
	}
}

func (p *pending) appendCustom(m pmetric.Metric, ss []histSample) {
	hm := m.SetEmptyHistogram()
	hm.SetAggregationTemporality(promotlp.Temporality(ss[0].fh))
	for _, s := range ss {
		dp := hm.DataPoints().AppendEmpty()
		p.attrs(dp.Attributes())
		dp.SetTimestamp(msTimestamp(s.t))
		dp.SetStartTimestamp(msTimestamp(s.st))
		if value.IsStaleNaN(s.fh.Sum) {
			dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
			continue
		}
		promotlp.SetCustomBuckets(dp, s.fh)
	}
}
