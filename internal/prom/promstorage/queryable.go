// Package promstorage adapts the store's metrics tables to Prometheus's
// storage interfaces: a storage.Queryable that the promql engine and the
// Prometheus HTTP API read through, and a storage.AppendableV2 that turns
// Prometheus samples into OTLP metrics for the store (remote write,
// promqltest). Names and labels follow internal/prom/naming.
package promstorage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// DefaultMaxPoints bounds the stored points one Select reads (≈ 1.5 GB of
// decoded points at most).
const DefaultMaxPoints = 50_000_000

// Options configure a Queryable. Zero values select the defaults.
type Options struct {
	// MaxPoints bounds the stored points one Select may read; beyond it the
	// query fails. Zero: DefaultMaxPoints.
	MaxPoints int
}

// Queryable reads metrics from a store.MetricReader as Prometheus series.
// It is safe for concurrent use.
type Queryable struct {
	r    store.MetricReader
	opts Options
}

var _ storage.Queryable = (*Queryable)(nil)

// NewQueryable returns a Queryable over r.
func NewQueryable(r store.MetricReader, opts Options) *Queryable {
	if opts.MaxPoints <= 0 {
		opts.MaxPoints = DefaultMaxPoints
	}
	return &Queryable{r: r, opts: opts}
}

// Querier implements storage.Queryable; mint and maxt are milliseconds.
func (q *Queryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{q: q, mint: mint, maxt: maxt}, nil
}

type querier struct {
	q          *Queryable
	mint, maxt int64
}

// Select implements storage.Querier. The time range (the hints', else the
// querier's) and the matchers are pushed down to the store; the result is
// always sorted by labels.
func (q *querier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	seriesOnly := false
	if hints != nil {
		start, end = hints.Start, hints.End
		seriesOnly = hints.Func == "series"
	}
	ps, err := q.q.selectSeries(ctx, start, end, ms, seriesOnly)
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	if hints != nil && hints.Limit > 0 && len(ps) > hints.Limit {
		ps = ps[:hints.Limit]
	}
	return newSeriesSet(ps, nil)
}

// msRange converts a Prometheus [start, end] in ms to the stored instants
// whose milliseconds fall into it.
func msRange(start, end int64) (time.Time, time.Time) {
	return time.UnixMilli(start), time.UnixMilli(end).Add(time.Millisecond - time.Nanosecond)
}

// kinds lists the metric kinds in the order they are read.
var kinds = []store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram,
	store.MetricExpHistogram, store.MetricSummary}

// selectSeries reads and expands the series matching ms in [start, end].
func (q *Queryable) selectSeries(ctx context.Context, start, end int64, ms []*labels.Matcher, seriesOnly bool) ([]promSeries, error) {
	st, en := msRange(start, end)
	infos, err := q.r.MetricInfos(ctx, st, en)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	names, allNames := selectedNames(infos, ms)
	filters := pushdown(ms)
	var (
		out    []promSeries
		index  = map[string]int{}
		e      expander
		budget = q.opts.MaxPoints
	)
	for _, k := range kinds {
		if len(names[k]) == 0 {
			continue
		}
		stored, err := q.r.SelectMetrics(ctx, store.MetricSelectParams{Kind: k, Names: names[k],
			AllNames: allNames[k], Start: st, End: en, Filters: filters, MaxPoints: budget, SeriesOnly: seriesOnly})
		if err != nil {
			if errors.Is(err, store.ErrTooManyPoints) {
				return nil, fmt.Errorf("the query reads more than %d stored points (extensions::overlook::query::promql_max_points): "+
					"narrow the time range or the selectors: %w", q.opts.MaxPoints, err)
			}
			return nil, err
		}
		for i := range stored {
			budget -= len(stored[i].Times)
			for _, p := range e.expand(&stored[i]) {
				if !matchesSet(ms, p.lset) {
					continue
				}
				key := seriesKey(p.lset)
				if j, ok := index[key]; ok {
					out[j].sources = append(out[j].sources, p.sources...)
					continue
				}
				index[key] = len(out)
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b promSeries) int { return labels.Compare(a.lset, b.lset) })
	return out, nil
}

// selectedNames returns, per kind, the MetricNames of infos having a
// Prometheus series name matched by the __name__ matchers of ms, and
// whether that is every metric of the kind (which is then read without a
// name filter; extra series of metrics written since are dropped by the
// caller).
func selectedNames(infos []store.MetricInfo, ms []*labels.Matcher) (map[store.MetricKind][]string, map[store.MetricKind]bool) {
	var nameMs []*labels.Matcher
	for _, m := range ms {
		if m.Name == labels.MetricName {
			nameMs = append(nameMs, m)
		}
	}
	names := map[store.MetricKind][]string{}
	for _, info := range infos {
		fam, _ := naming.Family(info)
		if fam == "" {
			continue
		}
		for _, n := range naming.SeriesNames(fam, info.Kind, info.ScopeName) {
			if matchesAll(nameMs, labels.MetricName, n) {
				if !slices.Contains(names[info.Kind], info.Name) {
					names[info.Kind] = append(names[info.Kind], info.Name)
				}
				break
			}
		}
	}
	allNames := map[store.MetricKind]bool{}
	for _, k := range kinds {
		allNames[k] = true
	}
	for _, info := range infos {
		if !slices.Contains(names[info.Kind], info.Name) {
			allNames[info.Kind] = false
		}
	}
	return names, allNames
}

func matchesAll(ms []*labels.Matcher, name, value string) bool {
	for _, m := range ms {
		if m.Name == name && !m.Matches(value) {
			return false
		}
	}
	return true
}

func matchesSet(ms []*labels.Matcher, ls labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

// pushdown returns store filters implied by ms that keep every row of a
// matching series (the matchers are applied exactly afterwards):
//
//   - job="x" (no "/"): ServiceName = x (job is service.namespace/service.name);
//   - instance="x": ResourceAttributes['service.instance.id'] = x;
//   - other labels, ="v" or =~"re" not matching "": some attribute value
//     equals v / matches re (the label name may stem from any key that
//     translates to it, e.g. `http.method` → http_method).
func pushdown(ms []*labels.Matcher) []store.MetricFilter {
	var fs []store.MetricFilter
	for _, m := range ms {
		if m.Matches("") {
			continue
		}
		switch {
		case m.Name == labels.MetricName, m.Name == labels.BucketLabel, m.Name == model.QuantileLabel:
		case m.Type == labels.MatchEqual && m.Name == "job":
			if !strings.Contains(m.Value, "/") {
				fs = append(fs, store.MetricFilter{Column: "ServiceName", Value: m.Value})
			}
		case m.Type == labels.MatchEqual && m.Name == "instance":
			fs = append(fs, store.MetricFilter{Column: "ResourceAttributes", Key: naming.AttrServiceInstanceID, Value: m.Value})
		case m.Name == "job" || m.Name == "instance":
		case m.Type == labels.MatchEqual && !strings.Contains(m.Value, ";"):
			fs = append(fs, store.MetricFilter{Column: "Attributes", Value: m.Value})
		case m.Type == labels.MatchRegexp && !strings.Contains(m.Value, ";"):
			// Prometheus matches with "." matching newlines; DuckDB uses
			// RE2 too, whose syntax Go's regexp implements.
			fs = append(fs, store.MetricFilter{Column: "Attributes", Value: "(?s:" + m.Value + ")", Regex: true})
		}
	}
	return fs
}

// LabelValues implements storage.LabelQuerier over the series in the
// querier's range.
func (q *querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	if name == labels.MetricName && onlyNameMatchers(ms) {
		vals, err := q.q.metricNames(ctx, q.mint, q.maxt, ms)
		return limit(vals, hints), nil, err
	}
	ps, err := q.q.selectSeries(ctx, q.mint, q.maxt, ms, true)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]struct{}{}
	for i := range ps {
		if v := ps[i].lset.Get(name); v != "" {
			seen[v] = struct{}{}
		}
	}
	return limit(sortedKeys(seen), hints), nil, nil
}

// LabelNames implements storage.LabelQuerier.
func (q *querier) LabelNames(ctx context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	ps, err := q.q.selectSeries(ctx, q.mint, q.maxt, ms, true)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]struct{}{}
	for i := range ps {
		ps[i].lset.Range(func(l labels.Label) { seen[l.Name] = struct{}{} })
	}
	return limit(sortedKeys(seen), hints), nil, nil
}

func (*querier) Close() error { return nil }

func onlyNameMatchers(ms []*labels.Matcher) bool {
	for _, m := range ms {
		if m.Name != labels.MetricName {
			return false
		}
	}
	return true
}

// metricNames lists the __name__ values of every metric in the range,
// from the metric list alone (no series are read).
func (q *Queryable) metricNames(ctx context.Context, start, end int64, ms []*labels.Matcher) ([]string, error) {
	st, en := msRange(start, end)
	infos, err := q.r.MetricInfos(ctx, st, en)
	if err != nil {
		return nil, fmt.Errorf("list metrics: %w", err)
	}
	seen := map[string]struct{}{}
	for _, info := range infos {
		fam, _ := naming.Family(info)
		if fam == "" {
			continue
		}
		for _, n := range naming.SeriesNames(fam, info.Kind, info.ScopeName) {
			if matchesAll(ms, labels.MetricName, n) {
				seen[n] = struct{}{}
			}
		}
	}
	return sortedKeys(seen), nil
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func limit(vals []string, hints *storage.LabelHints) []string {
	if hints != nil && hints.Limit > 0 && len(vals) > hints.Limit {
		return vals[:hints.Limit]
	}
	return vals
}
