package promstorage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// exemplarKinds are the kinds with exemplars: those Prometheus's OTLP
// translation keeps (sums on the sum's series, explicit-bucket histograms
// on a `_bucket` series, exponential histograms on the native histogram),
// and gauges, which that translation drops but which hold the exemplars of
// remote-written gauge, `_bucket` and untyped series. Summaries have none.
var exemplarKinds = []store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram, store.MetricExpHistogram}

// Exemplar label names and the bound on their runes, as in Prometheus's
// OTLP translation (and OpenMetrics): filtered attributes are only kept
// when all labels fit in 128 runes.
const (
	traceIDLabel     = "trace_id"
	spanIDLabel      = "span_id"
	maxExemplarRunes = 128
)

// Exemplars returns the exemplars in [start, end] (ms, inclusive) of the
// Prometheus series matching any of sets, read from r: one result per
// series, sorted by labels, exemplars oldest first. At most limit
// exemplars are returned (zero: no cap); the store keeps the newest of
// each read, and reads stop once limit are kept.
func (q *Queryable) Exemplars(ctx context.Context, r store.ExemplarReader, start, end int64, sets [][]*labels.Matcher, limit int) ([]exemplar.QueryResult, error) {
	st, en := msRange(start, end)
	infos, err := q.r.MetricInfos(ctx, st, en.Add(store.ExemplarSlack))
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	var (
		out   []exemplar.QueryResult
		index = map[string]int{}
		seen  = map[string]map[exemplarID]bool{}
		e     expander
		kept  int
	)
	for _, ms := range sets {
		names, _ := selectedNames(infos, ms)
		for _, k := range exemplarKinds {
			if len(names[k]) == 0 || (limit > 0 && kept >= limit) {
				continue
			}
			budget := 0
			if limit > 0 {
				budget = limit - kept
			}
			stored, err := r.SelectExemplars(ctx, store.ExemplarSelectParams{Kind: k, Names: names[k],
				Start: st, End: en, Filters: pushdown(ms), Limit: budget})
			if err != nil {
				return nil, fmt.Errorf("select exemplars: %w", err)
			}
			for i := range stored {
				for _, ex := range stored[i].Exemplars {
					lset, ok := e.exemplarSeries(&stored[i].Series, ex)
					if !ok || !matchesSet(ms, lset) || (limit > 0 && kept >= limit) {
						continue
					}
					key := seriesKey(lset)
					j, ok := index[key]
					if !ok {
						j = len(out)
						index[key] = j
						out = append(out, exemplar.QueryResult{SeriesLabels: lset})
						seen[key] = map[exemplarID]bool{}
					}
					id := exemplarID{time: ex.Time, value: ex.Value, trace: ex.TraceID, span: ex.SpanID}
					if seen[key][id] {
						continue
					}
					seen[key][id] = true
					kept++
					out[j].Exemplars = append(out[j].Exemplars, promExemplar(ex))
				}
			}
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Exemplars, func(a, b exemplar.Exemplar) int { return cmp.Compare(a.Ts, b.Ts) })
	}
	slices.SortFunc(out, func(a, b exemplar.QueryResult) int { return labels.Compare(a.SeriesLabels, b.SeriesLabels) })
	return out, nil
}

type exemplarID struct {
	time        int64
	value       float64
	trace, span string
}

// exemplarSeries returns the labels of the Prometheus series an exemplar
// of ms attaches to: the series of a gauge, sum or native histogram; for a
// classic histogram the `_bucket` series of the first bound at least the
// exemplar's value (`le="+Inf"` above them all).
func (e *expander) exemplarSeries(ms *store.MetricSeries, ex store.Exemplar) (labels.Labels, bool) {
	family, _ := naming.Family(ms.Info)
	if family == "" {
		return labels.EmptyLabels(), false
	}
	base := e.baseLabels(ms)
	if ms.Info.Kind != store.MetricHistogram || ms.Info.ScopeName == naming.NHCBScopeName {
		return e.labels(base, family), true
	}
	le := "+Inf"
	for _, b := range ex.Bounds {
		if ex.Value <= b {
			le = naming.FormatFloat(b)
			break
		}
	}
	return e.labels(base, family+naming.SuffixBucket, labels.BucketLabel, le), true
}

// promExemplar converts a stored exemplar as Prometheus's OTLP
// translation does: trace_id and span_id (when set) and the filtered
// attributes under their own names, unless all of them exceed
// maxExemplarRunes.
func promExemplar(ex store.Exemplar) exemplar.Exemplar {
	var b labels.ScratchBuilder
	runes := 0
	if ex.TraceID != "" {
		runes += utf8.RuneCountInString(traceIDLabel) + utf8.RuneCountInString(ex.TraceID)
		b.Add(traceIDLabel, ex.TraceID)
	}
	if ex.SpanID != "" {
		runes += utf8.RuneCountInString(spanIDLabel) + utf8.RuneCountInString(ex.SpanID)
		b.Add(spanIDLabel, ex.SpanID)
	}
	for k, v := range ex.Attributes {
		runes += utf8.RuneCountInString(k) + utf8.RuneCountInString(v)
	}
	if runes <= maxExemplarRunes {
		for k, v := range ex.Attributes {
			b.Add(k, v)
		}
	}
	b.Sort()
	ts := ex.Time / 1e6
	return exemplar.Exemplar{Labels: b.Labels(), Value: ex.Value, Ts: ts, HasTs: ts != 0}
}
