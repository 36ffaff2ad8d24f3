package clickhouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.ExemplarReader = (*Store)(nil)

// SelectExemplars reads the points of p's metrics in [p.Start, p.End +
// store.ExemplarSlack] that carry exemplars, newest first, and keeps the
// exemplars in [p.Start, p.End] of the series passing p.Filters, up to
// p.Limit, each once (cumulative exports repeat them) — as the DuckDB
// store answers (store.ExemplarReader).
func (s *Store) SelectExemplars(ctx context.Context, p store.ExemplarSelectParams) (_ []store.SeriesExemplars, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("select exemplars: BUG or unexpected column type: %v", r)
		}
	}()
	t, ok := metricTables[p.Kind]
	if !ok || len(p.Names) == 0 || p.Start.IsZero() || p.End.IsZero() {
		return nil, fmt.Errorf("%w: a metric kind, names and a time range are required", store.ErrInvalidArgument)
	}
	if !s.has(t.Name, "Exemplars.TimeUnix") {
		return nil, nil // summaries have none
	}
	mono, temp := s.monoTemp(p.Kind)
	bounds := "CAST([] AS Array(Float64))"
	if p.Kind == store.MetricHistogram {
		bounds = "ExplicitBounds"
	}
	where := "TimeUnix >= ? AND TimeUnix <= ? AND length(`Exemplars.TimeUnix`) > 0 AND MetricName IN (?)"
	args := []any{clamp(p.Start), clamp(p.End.Add(store.ExemplarSlack)), p.Names}
	fw, fargs, ferr := metricFilters(p.Filters)
	if ferr != nil {
		return nil, ferr
	}
	if fw != "" {
		where += " AND " + fw
		args = append(args, fargs...)
	}
	q := fmt.Sprintf("SELECT ServiceName, ResourceAttributes, Attributes, MetricName, MetricUnit, ScopeName, %s, %s, "+
		"`Exemplars.FilteredAttributes`, arrayMap(x -> toUnixTimestamp64Nano(x), `Exemplars.TimeUnix`), `Exemplars.Value`, "+
		"`Exemplars.SpanId`, `Exemplars.TraceId`, %s FROM %s WHERE %s ORDER BY TimeUnix DESC",
		mono, temp, bounds, s.table(t.Name), where)
	var (
		out    []store.SeriesExemplars
		index  = map[string]int{}
		seen   = map[exKey]bool{}
		n      int
		lo, hi = p.Start.UnixNano(), p.End.UnixNano()
	)
	err = s.scan(ctx, q, args, func(_ []string, v []any) error {
		if p.Limit > 0 && n >= p.Limit {
			return nil
		}
		ms := store.MetricSeries{ServiceName: v[0].(string), ResourceAttributes: v[1].(map[string]string),
			Attributes: v[2].(map[string]string), Info: store.MetricInfo{Kind: p.Kind, Name: v[3].(string),
				Unit: v[4].(string), ScopeName: v[5].(string), IsMonotonic: v[6].(bool), Temporality: v[7].(int32)}}
		key := attrsKey(ms.ResourceAttributes) + "\x00" + attrsKey(ms.Attributes) + "\x00" + fmt.Sprint(ms.ServiceName, "\x00", ms.Info)
		fa, times, vals := v[8].([]map[string]string), v[9].([]int64), v[10].([]float64)
		sids, tids, bs := v[11].([]string), v[12].([]string), v[13].([]float64)
		if p.Kind != store.MetricHistogram {
			bs = nil
		}
		for j := range times {
			if times[j] < lo || times[j] > hi || (p.Limit > 0 && n >= p.Limit) {
				continue
			}
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				out = append(out, store.SeriesExemplars{Series: ms})
			}
			k := exKey{series: i, time: times[j], value: vals[j], trace: tids[j], span: sids[j]}
			if seen[k] {
				continue
			}
			seen[k] = true
			out[i].Exemplars = append(out[i].Exemplars, store.Exemplar{Time: times[j], Value: vals[j],
				TraceID: tids[j], SpanID: sids[j], Attributes: fa[j], Bounds: bs})
			n++
		}
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("select exemplars of %s: %w", t.Name, err))
	}
	for i := range out {
		slices.SortStableFunc(out[i].Exemplars, func(a, b store.Exemplar) int { return cmp.Compare(a.Time, b.Time) })
	}
	return out, nil
}

type exKey struct {
	series      int
	time        int64
	value       float64
	trace, span string
}
