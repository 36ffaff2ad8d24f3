package promstorage

import (
	"math"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// source is the samples one stored series contributes to one Prometheus
// series: a classic histogram's `_bucket{le="0.5"}`, a gauge's only
// series, ... Points of the stored series without a sample for this
// Prometheus series (a bucket bound missing at that time) are skipped.
type source struct {
	ms *store.MetricSeries
	// float returns the float sample of point i; ok is false when the
	// point has none.
	float func(i int) (v float64, ok bool)
	// hist, for native histograms, returns the histogram of point i.
	hist func(i int) *histogram.FloatHistogram
	// plain: the samples are ms.Values (a gauge or sum), so floatIter
	// may read them in place.
	plain bool
}

func (s *source) stale(i int) bool { return len(s.ms.Flags) > 0 && s.ms.Flags[i]&1 != 0 }

// promSeries is one Prometheus series: its labels and the sources whose
// samples it merges (usually one).
type promSeries struct {
	lset    labels.Labels
	sources []*source
}

// expander turns stored series into Prometheus series.
type expander struct {
	b labels.ScratchBuilder
}

// baseLabels returns the labels every series expanded from ms shares,
// without __name__: the attributes (translated names; values of keys that
// translate to the same name are joined with ";" in key order, as
// Prometheus does) plus job and instance from the resource.
func (e *expander) baseLabels(ms *store.MetricSeries) map[string]string {
	out := make(map[string]string, len(ms.Attributes)+2)
	keys := make([]string, 0, len(ms.Attributes))
	for k := range ms.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := ms.Attributes[k]
		l := naming.Label(k)
		if l == "" || v == "" || l == labels.MetricName {
			continue
		}
		if prev, ok := out[l]; ok {
			v = prev + ";" + v
		}
		out[l] = v
	}
	job, instance := naming.JobInstance(ms.ServiceName, ms.ResourceAttributes[naming.AttrServiceNamespace],
		ms.ResourceAttributes[naming.AttrServiceInstanceID])
	if job != "" {
		out["job"] = job
	}
	if instance != "" {
		out["instance"] = instance
	}
	return out
}

func (e *expander) labels(base map[string]string, name string, extra ...string) labels.Labels {
	e.b.Reset()
	e.b.Add(labels.MetricName, name)
	for k, v := range base {
		if len(extra) == 2 && k == extra[0] {
			continue // le / quantile from the point win over an attribute
		}
		e.b.Add(k, v)
	}
	if len(extra) == 2 {
		e.b.Add(extra[0], extra[1])
	}
	e.b.Sort()
	return e.b.Labels()
}

// expand returns the Prometheus series of ms (see naming.Family).
func (e *expander) expand(ms *store.MetricSeries) []promSeries {
	family, _ := naming.Family(ms.Info)
	if family == "" {
		return nil
	}
	base := e.baseLabels(ms)
	one := func(name string, src *source, extra ...string) promSeries {
		return promSeries{lset: e.labels(base, name, extra...), sources: []*source{src}}
	}
	switch ms.Info.Kind {
	case store.MetricGauge, store.MetricSum:
		return []promSeries{one(family, &source{ms: ms, plain: true, float: func(i int) (float64, bool) { return ms.Values[i], true }})}
	case store.MetricExpHistogram:
		delta := ms.Info.Temporality == naming.TemporalityDelta
		return []promSeries{one(family, &source{ms: ms, hist: func(i int) *histogram.FloatHistogram {
			return nativeHistogram(&ms.Histograms[i], delta)
		}})}
	case store.MetricHistogram:
		if ms.Info.ScopeName == naming.NHCBScopeName {
			delta := ms.Info.Temporality == naming.TemporalityDelta
			return []promSeries{one(family, &source{ms: ms, hist: func(i int) *histogram.FloatHistogram {
				return customBucketsHistogram(&ms.Histograms[i], delta)
			}})}
		}
		return e.expandHistogram(ms, family, one)
	case store.MetricSummary:
		return e.expandSummary(ms, family, one)
	}
	return nil
}

type oneFunc func(name string, src *source, extra ...string) promSeries

func countSum(ms *store.MetricSeries, family string, one oneFunc) []promSeries {
	return []promSeries{
		one(family+naming.SuffixCount, &source{ms: ms, float: func(i int) (float64, bool) {
			return float64(ms.Histograms[i].Count), true
		}}),
		one(family+naming.SuffixSum, &source{ms: ms, float: func(i int) (float64, bool) {
			// A point without a sum has no _sum sample, as in
			// Prometheus's OTLP translation.
			return ms.Histograms[i].Sum, !ms.Histograms[i].NoSum
		}}),
	}
}

// expandHistogram returns `_count`, `_sum` and one `_bucket` series per
// bound seen (plus `le="+Inf"`); bucket values are cumulative.
func (e *expander) expandHistogram(ms *store.MetricSeries, family string, one oneFunc) []promSeries {
	out := countSum(ms, family, one)
	var bounds []float64
	for i := range ms.Histograms {
		for _, b := range ms.Histograms[i].Bounds {
			if !slices.Contains(bounds, b) {
				bounds = append(bounds, b)
			}
		}
	}
	slices.Sort(bounds)
	for _, b := range bounds {
		out = append(out, one(family+naming.SuffixBucket, &source{ms: ms, float: func(i int) (float64, bool) {
			h := &ms.Histograms[i]
			var cum uint64
			for j, bb := range h.Bounds {
				if j < len(h.Buckets) {
					cum += h.Buckets[j]
				}
				if bb == b {
					return float64(cum), true
				}
			}
			return 0, false
		}}, labels.BucketLabel, naming.FormatFloat(b)))
	}
	out = append(out, one(family+naming.SuffixBucket, &source{ms: ms, float: func(i int) (float64, bool) {
		return float64(ms.Histograms[i].Count), true
	}}, labels.BucketLabel, "+Inf"))
	return out
}

// expandSummary returns `_count`, `_sum` and one series per quantile.
func (e *expander) expandSummary(ms *store.MetricSeries, family string, one oneFunc) []promSeries {
	out := countSum(ms, family, one)
	var qs []float64
	for i := range ms.Histograms {
		for _, q := range ms.Histograms[i].Quantiles {
			if !slices.Contains(qs, q) {
				qs = append(qs, q)
			}
		}
	}
	slices.Sort(qs)
	for _, q := range qs {
		out = append(out, one(family, &source{ms: ms, float: func(i int) (float64, bool) {
			h := &ms.Histograms[i]
			for j, qq := range h.Quantiles {
				if qq == q && j < len(h.QuantileValues) {
					return h.QuantileValues[j], true
				}
			}
			return 0, false
		}}, model.QuantileLabel, naming.FormatFloat(q)))
	}
	return out
}

// nativeHistogram converts an exponential histogram point. OTLP bucket
// index k covers (base^k, base^(k+1)], Prometheus index k+1 the same
// range, hence the +1. Scales above 8 are reduced to 8; below -4 the
// point is dropped.
func nativeHistogram(p *store.HistogramPoint, delta bool) *histogram.FloatHistogram {
	if p.Scale < histogram.ExponentialSchemaMin {
		return nil
	}
	fh := &histogram.FloatHistogram{
		Schema:           p.Scale,
		ZeroThreshold:    p.ZeroThreshold,
		ZeroCount:        float64(p.ZeroCount),
		Count:            float64(p.Count),
		Sum:              p.Sum,
		CounterResetHint: resetHint(p, delta),
	}
	if fc := p.FloatCounts; fc != nil {
		fh.Count, fh.ZeroCount = fc.Count, fc.ZeroCount
		fh.PositiveSpans, fh.PositiveBuckets = sparse(fc.Positive, p.PositiveOffset+1)
		fh.NegativeSpans, fh.NegativeBuckets = sparse(fc.Negative, p.NegativeOffset+1)
	} else {
		fh.PositiveSpans, fh.PositiveBuckets = sparse(p.Positive, p.PositiveOffset+1)
		fh.NegativeSpans, fh.NegativeBuckets = sparse(p.Negative, p.NegativeOffset+1)
	}
	if fh.Schema > histogram.ExponentialSchemaMax {
		if err := fh.ReduceResolution(histogram.ExponentialSchemaMax); err != nil {
			return nil
		}
	}
	return fh
}

// customBucketsHistogram converts an explicit-bucket histogram point to a
// native histogram with custom buckets (schema -53).
func customBucketsHistogram(p *store.HistogramPoint, delta bool) *histogram.FloatHistogram {
	if len(p.Buckets) != len(p.Bounds)+1 {
		return nil
	}
	fh := &histogram.FloatHistogram{
		Schema:           histogram.CustomBucketsSchema,
		Count:            float64(p.Count),
		Sum:              p.Sum,
		CustomValues:     slices.Clone(p.Bounds),
		CounterResetHint: resetHint(p, delta),
	}
	if fc := p.FloatCounts; fc != nil && len(fc.Buckets) == len(p.Buckets) {
		fh.Count = fc.Count
		fh.PositiveSpans, fh.PositiveBuckets = sparse(fc.Buckets, 0)
	} else {
		fh.PositiveSpans, fh.PositiveBuckets = sparse(p.Buckets, 0)
	}
	return fh
}

// resetHint is the counter reset hint of a point: gauge for delta points,
// else the stored hint (unknown for points from OTLP).
func resetHint(p *store.HistogramPoint, delta bool) histogram.CounterResetHint {
	if delta {
		return histogram.GaugeType
	}
	return histogram.CounterResetHint(p.CounterResetHint)
}

// sparse converts dense bucket counts starting at index first into
// Prometheus spans and absolute counts, leaving out runs of more than two
// empty buckets (as client_golang does).
func sparse[T uint64 | float64](counts []T, first int32) ([]histogram.Span, []float64) {
	var (
		spans   []histogram.Span
		buckets []float64
		next    int32 // index after the last bucket added
	)
	for i, c := range counts {
		if c == 0 {
			continue
		}
		idx := first + int32(i)
		switch gap := idx - next; {
		case len(spans) == 0:
			spans = append(spans, histogram.Span{Offset: idx})
		case gap > 2:
			spans = append(spans, histogram.Span{Offset: gap})
		default:
			for range gap {
				buckets = append(buckets, 0)
				spans[len(spans)-1].Length++
			}
		}
		buckets = append(buckets, float64(c))
		spans[len(spans)-1].Length++
		next = idx + 1
	}
	return spans, buckets
}

// staleHistogram is the stale marker of a native histogram series.
var staleHistogram = &histogram.FloatHistogram{Sum: math.Float64frombits(value.StaleNaN)}

// seriesKey is a map key for a label set.
func seriesKey(ls labels.Labels) string {
	var b strings.Builder
	ls.Range(func(l labels.Label) {
		b.WriteString(l.Name)
		b.WriteByte(0xff)
		b.WriteString(l.Value)
		b.WriteByte(0xfe)
	})
	return b.String()
}
