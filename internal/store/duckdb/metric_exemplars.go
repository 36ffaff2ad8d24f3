package duckdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.ExemplarReader = (*Store)(nil)

// exemplarFields are the fields of the Exemplars Nested column.
var exemplarFields = func() map[string]schema.Column {
	c, _ := schema.MetricsSum.Column("Exemplars")
	out := map[string]schema.Column{}
	for _, f := range c.Fields {
		out[f.Name] = f
	}
	return out
}()

// SelectExemplars reads the rows of p's metrics in [p.Start, p.End +
// store.ExemplarSlack] that have exemplars, newest first, and keeps the
// exemplars in [p.Start, p.End] of the series passing p.Filters, up to
// p.Limit; see store.ExemplarReader. The same exemplar carried by several
// points of a series (cumulative exports repeat them) is kept once.
func (s *Store) SelectExemplars(ctx context.Context, p store.ExemplarSelectParams) ([]store.SeriesExemplars, error) {
	t, err := metricTable(p.Kind)
	if err != nil {
		return nil, err
	}
	if _, ok := t.Column("Exemplars"); !ok {
		return nil, nil // summaries have none
	}
	if len(p.Names) == 0 {
		return nil, fmt.Errorf("%w: no metric names", store.ErrInvalidArgument)
	}
	if p.Start.IsZero() || p.End.IsZero() {
		return nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	match, err := seriesFilter(p.Filters)
	if err != nil {
		return nil, err
	}
	cols := identity(p.Kind)
	var b strings.Builder
	args := []any{p.Start.UTC(), p.End.Add(store.ExemplarSlack).UTC()}
	b.WriteString("TimeUnix >= ? AND TimeUnix <= ? AND len(Exemplars.TimeUnix) > 0")
	args = writeNameIn(&b, args, p.Names)
	if args, err = writeServiceFilters(&b, args, p.Filters); err != nil {
		return nil, err
	}
	bounds := "NULL"
	if p.Kind == store.MetricHistogram {
		bounds = "ExplicitBounds"
	}
	q := fmt.Sprintf("SELECT %s, Exemplars, %s FROM %s WHERE %s ORDER BY TimeUnix DESC",
		strings.Join(cols, ", "), bounds, quoteIdent(t.Name), b.String())
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("select exemplars of %s: %w", t.Name, err)
	}
	defer rows.Close()
	var (
		vals  = make([]any, len(cols)+2)
		ptrs  = make([]any, len(vals))
		out   []store.SeriesExemplars
		index = map[string]int{}
		seen  = map[exemplarKey]bool{}
		n     int
		lo    = p.Start.UnixNano()
		hi    = p.End.UnixNano()
	)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() && (p.Limit <= 0 || n < p.Limit) {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("scan exemplars of %s: %w", t.Name, err)
		}
		ms := exemplarSeries(p.Kind, cols, vals)
		if match != nil && !match(&ms) {
			continue
		}
		key := attrsKey(ms.ResourceAttributes) + "\x00" + attrsKey(ms.Attributes) + "\x00" +
			fmt.Sprint(ms.ServiceName, "\x00", ms.Info)
		nested, _ := vals[len(cols)].(map[string]any)
		exs := decodeExemplars(nested)
		if p.Kind == store.MetricHistogram {
			bs, _ := listValue(schema.Column{Type: schema.Float64}, vals[len(cols)+1]).([]float64)
			for i := range exs {
				exs[i].Bounds = bs
			}
		}
		for _, ex := range exs {
			if ex.Time < lo || ex.Time > hi || (p.Limit > 0 && n >= p.Limit) {
				continue
			}
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				out = append(out, store.SeriesExemplars{Series: ms})
			}
			k := exemplarKey{series: i, time: ex.Time, value: ex.Value, trace: ex.TraceID, span: ex.SpanID}
			if seen[k] {
				continue
			}
			seen[k] = true
			out[i].Exemplars = append(out[i].Exemplars, ex)
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read exemplars of %s: %w", t.Name, err)
	}
	for i := range out {
		slices.SortStableFunc(out[i].Exemplars, func(a, b store.Exemplar) int { return cmp.Compare(a.Time, b.Time) })
	}
	return out, nil
}

type exemplarKey struct {
	series      int
	time        int64
	value       float64
	trace, span string
}

// exemplarSeries builds a series' identity from the scanned columns cols
// (identity(kind)).
func exemplarSeries(kind store.MetricKind, cols []string, vals []any) store.MetricSeries {
	ms := store.MetricSeries{Info: store.MetricInfo{Kind: kind}}
	for i, c := range cols {
		switch c {
		case "MetricName":
			ms.Info.Name, _ = vals[i].(string)
		case "MetricUnit":
			ms.Info.Unit, _ = vals[i].(string)
		case "ScopeName":
			ms.Info.ScopeName, _ = vals[i].(string)
		case "ServiceName":
			ms.ServiceName, _ = vals[i].(string)
		case "ResourceAttributes":
			ms.ResourceAttributes = toStringMap(vals[i])
		case "Attributes":
			ms.Attributes = toStringMap(vals[i])
		case "IsMonotonic":
			ms.Info.IsMonotonic, _ = vals[i].(bool)
		case "AggregationTemporality":
			ms.Info.Temporality = int32(toInt64(vals[i]))
		}
	}
	return ms
}

// decodeExemplars converts a scanned Exemplars STRUCT of LISTs.
func decodeExemplars(m map[string]any) []store.Exemplar {
	times, _ := listValue(exemplarFields["TimeUnix"], m["TimeUnix"]).([]time.Time)
	values, _ := listValue(exemplarFields["Value"], m["Value"]).([]float64)
	traces, _ := listValue(exemplarFields["TraceId"], m["TraceId"]).([]string)
	spans, _ := listValue(exemplarFields["SpanId"], m["SpanId"]).([]string)
	attrs, _ := listValue(exemplarFields["FilteredAttributes"], m["FilteredAttributes"]).([]map[string]string)
	out := make([]store.Exemplar, len(times))
	for i, t := range times {
		ex := store.Exemplar{Time: t.UnixNano()}
		if i < len(values) {
			ex.Value = values[i]
		}
		if i < len(traces) {
			ex.TraceID = traces[i]
		}
		if i < len(spans) {
			ex.SpanID = spans[i]
		}
		if i < len(attrs) {
			ex.Attributes = attrs[i]
		}
		out[i] = ex
	}
	return out
}
