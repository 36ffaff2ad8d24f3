// Package targetinfo serves Prometheus's target_info series over stored
// OTLP metrics. Prometheus's OTLP translation turns the resource
// attributes that are not job and instance (service.name,
// service.namespace, service.instance.id) into the labels of a
// `target_info` gauge of value 1, one series per resource, so that queries
// can join them to the resource's series on job and instance:
//
//	rate(x[5m]) * on(job, instance) group_left(k8s_pod_name) target_info
//
// NewQueryable merges these series into another storage.Queryable. A
// resource's series has one sample for every minute in which the resource
// has metric points (at its last point in that minute), so target_info is
// present wherever the resource's series are, within the lookback.
package targetinfo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// MetricName is the name of the series.
const MetricName = "target_info"

// NewQueryable returns next with the target_info series of r's resources
// merged in; next itself when r is nil.
func NewQueryable(next storage.Queryable, r store.MetricResourceReader) storage.Queryable {
	if r == nil {
		return next
	}
	return queryable{next: next, r: r}
}

type queryable struct {
	next storage.Queryable
	r    store.MetricResourceReader
}

// Querier implements storage.Queryable.
func (q queryable) Querier(mint, maxt int64) (storage.Querier, error) {
	n, err := q.next.Querier(mint, maxt)
	if err != nil {
		return nil, err
	}
	ti := &querier{r: q.r, mint: mint, maxt: maxt}
	return storage.NewMergeQuerier([]storage.Querier{n, ti}, nil, storage.ChainedSeriesMerge), nil
}

var (
	_ storage.Queryable = queryable{}
	_ storage.Querier   = (*querier)(nil)
)

// querier serves the target_info series alone.
type querier struct {
	r          store.MetricResourceReader
	mint, maxt int64
}

// Select implements storage.Querier; the series come sorted by labels.
func (q *querier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	if hints != nil {
		start, end = hints.Start, hints.End
	}
	ss, err := q.series(ctx, start, end, ms)
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	if hints != nil && hints.Limit > 0 && len(ss) > hints.Limit {
		ss = ss[:hints.Limit]
	}
	return &seriesSet{ss: ss, i: -1}
}

// LabelValues implements storage.Querier.
func (q *querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	ss, err := q.series(ctx, q.mint, q.maxt, ms)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, s := range ss {
		if v := s.Labels().Get(name); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return limit(out, hints), nil, nil
}

// LabelNames implements storage.Querier.
func (q *querier) LabelNames(ctx context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	ss, err := q.series(ctx, q.mint, q.maxt, ms)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, s := range ss {
		s.Labels().Range(func(l labels.Label) {
			if !slices.Contains(out, l.Name) {
				out = append(out, l.Name)
			}
		})
	}
	slices.Sort(out)
	return limit(out, hints), nil, nil
}

func limit(vs []string, hints *storage.LabelHints) []string {
	if hints != nil && hints.Limit > 0 && len(vs) > hints.Limit {
		return vs[:hints.Limit]
	}
	return vs
}

// Close implements storage.Querier.
func (q *querier) Close() error { return nil }

// series returns the target_info series with samples in [start, end] (ms)
// that match ms, sorted by labels. The store is not read when the
// matchers exclude the name.
func (q *querier) series(ctx context.Context, start, end int64, ms []*labels.Matcher) ([]storage.Series, error) {
	for _, m := range ms {
		if m.Name == labels.MetricName && !m.Matches(MetricName) {
			return nil, nil
		}
	}
	res, err := q.r.MetricResources(ctx, time.UnixMilli(start), time.UnixMilli(end).Add(time.Millisecond-time.Nanosecond))
	if err != nil {
		return nil, fmt.Errorf("target_info: %w", err)
	}
	type entry struct {
		lset labels.Labels
		ts   []int64
	}
	byKey := map[string]*entry{}
	for _, r := range res {
		lset, ok := Labels(r.Attributes)
		if !ok || !matchesAll(ms, lset) {
			continue
		}
		// Resources that differ only in attributes without a label name
		// give one series.
		key := lset.String()
		e := byKey[key]
		if e == nil {
			e = &entry{lset: lset}
			byKey[key] = e
		}
		for _, t := range r.Times {
			e.ts = append(e.ts, t.UnixMilli())
		}
	}
	out := make([]storage.Series, 0, len(byKey))
	for _, e := range byKey {
		slices.Sort(e.ts)
		e.ts = slices.Compact(e.ts)
		smps := make([]chunks.Sample, len(e.ts))
		for i, t := range e.ts {
			smps[i] = sample{t: t}
		}
		out = append(out, storage.NewListSeries(e.lset, smps))
	}
	slices.SortFunc(out, func(a, b storage.Series) int { return labels.Compare(a.Labels(), b.Labels()) })
	return out, nil
}

func matchesAll(ms []*labels.Matcher, lset labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(lset.Get(m.Name)) {
			return false
		}
	}
	return true
}

// Labels returns the labels of a resource's target_info series: job and
// instance as for its metrics (naming.JobInstance), and every other
// attribute under its label name (naming.Label; values of attributes that
// share a label name are joined with ";" in key order, as Prometheus's
// translator does). Attributes named like job, instance or __name__ after
// translation are left out. ok is false when no attribute remains: such
// a resource has no target_info.
func Labels(attrs map[string]string) (lset labels.Labels, ok bool) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		switch k {
		case naming.AttrServiceName, naming.AttrServiceNamespace, naming.AttrServiceInstanceID:
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := map[string][]string{}
	var names []string
	for _, k := range keys {
		n := naming.Label(k)
		switch n {
		case "", labels.MetricName, "job", "instance":
			continue
		}
		if _, seen := vals[n]; !seen {
			names = append(names, n)
		}
		vals[n] = append(vals[n], attrs[k])
	}
	if len(names) == 0 {
		return labels.EmptyLabels(), false
	}
	var b labels.ScratchBuilder
	b.Add(labels.MetricName, MetricName)
	job, instance := naming.JobInstance(attrs[naming.AttrServiceName], attrs[naming.AttrServiceNamespace], attrs[naming.AttrServiceInstanceID])
	if job != "" {
		b.Add("job", job)
	}
	if instance != "" {
		b.Add("instance", instance)
	}
	for _, n := range names {
		b.Add(n, strings.Join(vals[n], ";"))
	}
	b.Sort()
	return b.Labels(), true
}
