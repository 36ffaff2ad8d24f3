package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.MetricReader = (*Store)(nil)

// metricTable returns the table of a metric kind.
func metricTable(k store.MetricKind) (*schema.Table, error) {
	switch k {
	case store.MetricGauge:
		return &schema.MetricsGauge, nil
	case store.MetricSum:
		return &schema.MetricsSum, nil
	case store.MetricHistogram:
		return &schema.MetricsHistogram, nil
	case store.MetricExpHistogram:
		return &schema.MetricsExpHistogram, nil
	case store.MetricSummary:
		return &schema.MetricsSummary, nil
	}
	return nil, fmt.Errorf("%w: unknown metric kind %d", store.ErrInvalidArgument, k)
}

// identity lists the columns that, with the kind, identify a series:
// series are read in two passes (labels once per series, then points) and
// joined on hash(identity...).
func identity(k store.MetricKind) []string {
	cols := []string{"MetricName", "MetricUnit", "ServiceName", "ResourceAttributes", "Attributes"}
	switch k {
	case store.MetricSum:
		cols = append(cols, "IsMonotonic", "AggregationTemporality")
	case store.MetricHistogram, store.MetricExpHistogram:
		cols = append(cols, "AggregationTemporality")
	}
	return cols
}

// MetricInfos lists the metrics with points in [start, end]: one entry per
// table, MetricName, MetricUnit and (sums) monotonicity and temporality.
func (s *Store) MetricInfos(ctx context.Context, start, end time.Time) ([]store.MetricInfo, error) {
	if start.IsZero() || end.IsZero() {
		return nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	type part struct {
		kind  store.MetricKind
		extra string // the monotonic and temporality columns, or constants
	}
	parts := []part{
		{store.MetricGauge, "false, 0"},
		{store.MetricSum, "IsMonotonic, AggregationTemporality"},
		{store.MetricHistogram, "false, AggregationTemporality"},
		{store.MetricExpHistogram, "false, AggregationTemporality"},
		{store.MetricSummary, "false, 0"},
	}
	var out []store.MetricInfo
	for _, p := range parts {
		t, _ := metricTable(p.kind)
		q := fmt.Sprintf(`SELECT MetricName, MetricUnit, any_value(MetricDescription), %s
FROM %s WHERE TimeUnix >= ? AND TimeUnix <= ? GROUP BY ALL`, p.extra, quoteIdent(t.Name))
		rs, err := s.db.QueryContext(ctx, q, start.UTC(), end.UTC())
		if err != nil {
			return nil, fmt.Errorf("list metrics of %s: %w", t.Name, err)
		}
		for rs.Next() {
			m := store.MetricInfo{Kind: p.kind}
			if err := rs.Scan(&m.Name, &m.Unit, &m.Description, &m.IsMonotonic, &m.Temporality); err != nil {
				rs.Close()
				return nil, fmt.Errorf("list metrics of %s: %w", t.Name, err)
			}
			out = append(out, m)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, fmt.Errorf("list metrics of %s: %w", t.Name, err)
		}
	}
	return out, nil
}

// metricWhere renders the WHERE clause of p with its arguments.
func metricWhere(p store.MetricSelectParams) (string, []any, error) {
	if len(p.Names) == 0 {
		return "", nil, fmt.Errorf("%w: no metric names", store.ErrInvalidArgument)
	}
	if p.Start.IsZero() || p.End.IsZero() {
		return "", nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	var b strings.Builder
	args := make([]any, 0, len(p.Names)+2+2*len(p.Filters))
	b.WriteString("TimeUnix >= ? AND TimeUnix <= ? AND MetricName IN (")
	args = append(args, p.Start.UTC(), p.End.UTC())
	for i, n := range p.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		args = append(args, n)
	}
	b.WriteByte(')')
	for _, f := range p.Filters {
		var target string
		switch {
		case f.Column == "ServiceName":
			target = "ServiceName"
		case f.Column == "ResourceAttributes" || (f.Column == "Attributes" && f.Key != ""):
			target = "coalesce(map_extract_value(" + f.Column + ", ?), '')"
			args = append(args, f.Key)
		case f.Column == "Attributes":
			// Any attribute's value.
			if f.Regex {
				b.WriteString(" AND list_bool_or(list_transform(map_values(Attributes), lambda x: regexp_full_match(x, ?)))")
			} else {
				b.WriteString(" AND list_contains(map_values(Attributes), ?)")
			}
			args = append(args, f.Value)
			continue
		default:
			return "", nil, fmt.Errorf("%w: cannot filter metrics on %q", store.ErrInvalidArgument, f.Column)
		}
		if f.Regex {
			b.WriteString(" AND regexp_full_match(" + target + ", ?)")
		} else {
			b.WriteString(" AND " + target + " = ?")
		}
		args = append(args, f.Value)
	}
	return b.String(), args, nil
}

// SelectMetrics reads the series of p in one snapshot, in two steps:
//
//  1. every point in the range with hash(identity columns) as its series
//     key, read from the result vectors directly (rawread.go);
//  2. each series' name and attribute maps, from rows at the series' first
//     timestamps only.
//
// Reading the MAP columns costs ≈ 60 ns per row (DuckDB decompresses the
// nested strings), ten times the rest of a point, so step 2 reads them for
// about one row per series instead of every row: scrapes and exports put
// many series at the same timestamps, and the time filter lets DuckDB skip
// the other row groups.
func (s *Store) SelectMetrics(ctx context.Context, p store.MetricSelectParams) ([]store.MetricSeries, error) {
	t, err := metricTable(p.Kind)
	if err != nil {
		return nil, err
	}
	where, args, err := metricWhere(p)
	if err != nil {
		return nil, err
	}
	id := "hash(" + strings.Join(identity(p.Kind), ", ") + ")"
	pointsQ := fmt.Sprintf("SELECT %s AS sid, TimeUnix, StartTimeUnix, Flags, %s FROM %s WHERE %s",
		id, pointColumns(p.Kind), quoteIdent(t.Name), where)
	var out []store.MetricSeries
	err = s.rawRead(ctx, func(r *rawReader) error {
		index := map[uint64]int{}
		var sids []uint64 // by index
		points := 0
		err := r.query(pointsQ, args, func(ch *rawChunk) error {
			if points += ch.n; p.MaxPoints > 0 && points > p.MaxPoints {
				return fmt.Errorf("%w: more than %d points in the range", store.ErrTooManyPoints, p.MaxPoints)
			}
			return appendPoints(p.Kind, ch, index, &out, &sids)
		})
		if err != nil {
			return fmt.Errorf("read points: %w", err)
		}
		if err := readSeriesLabels(r, t, p, id, index, sids, out); err != nil {
			return fmt.Errorf("read series: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", t.Name, err)
	}
	for i := range out {
		sortPoints(&out[i])
	}
	return out, nil
}

// appendPoints adds the points of one chunk of the points statement to
// their series, creating series on first sight.
func appendPoints(k store.MetricKind, ch *rawChunk, index map[uint64]int, out *[]store.MetricSeries, sids *[]uint64) error {
	keys := fixed[uint64](ch.vec(0), ch.n)
	times, starts := fixed[int64](ch.vec(1), ch.n), fixed[int64](ch.vec(2), ch.n)
	flags := fixed[uint32](ch.vec(3), ch.n)
	var vals []float64
	if k == store.MetricGauge || k == store.MetricSum {
		vals = fixed[float64](ch.vec(4), ch.n)
	}
	last, ms := uint64(0), (*store.MetricSeries)(nil)
	for i := range ch.n {
		if ms == nil || keys[i] != last {
			idx, ok := index[keys[i]]
			if !ok {
				idx = len(*out)
				index[keys[i]] = idx
				*out = append(*out, store.MetricSeries{Info: store.MetricInfo{Kind: k}})
				*sids = append(*sids, keys[i])
			}
			last, ms = keys[i], &(*out)[idx]
		}
		ms.Times = append(ms.Times, times[i])
		ms.StartTimes = append(ms.StartTimes, starts[i])
		ms.Flags = append(ms.Flags, flags[i])
		if vals != nil {
			ms.Values = append(ms.Values, vals[i])
		} else {
			ms.Histograms = append(ms.Histograms, histogramAt(k, ch, i))
		}
	}
	return nil
}

// maxTimesPerLookup bounds the timestamps of one label lookup statement.
const maxTimesPerLookup = 256

// readSeriesLabels fills in the identity columns of every series in out
// (keyed by sids) from rows at the series' first timestamps.
func readSeriesLabels(r *rawReader, t *schema.Table, p store.MetricSelectParams, id string,
	index map[uint64]int, sids []uint64, out []store.MetricSeries) error {
	firsts := make([]int64, 0, len(out))
	for i := range out {
		firsts = append(firsts, slices.Min(out[i].Times))
	}
	slices.Sort(firsts)
	firsts = slices.Compact(firsts)
	found := make([]bool, len(out))
	extra := "false, 0"
	switch p.Kind {
	case store.MetricSum:
		extra = "IsMonotonic, AggregationTemporality"
	case store.MetricHistogram, store.MetricExpHistogram:
		extra = "false, AggregationTemporality"
	}
	for len(firsts) > 0 {
		batch := firsts[:min(len(firsts), maxTimesPerLookup)]
		firsts = firsts[len(batch):]
		q := p
		q.Start, q.End = time.Unix(0, batch[0]), time.Unix(0, batch[len(batch)-1])
		where, args, err := metricWhere(q)
		if err != nil {
			return err
		}
		where += " AND epoch_ns(TimeUnix) IN (" + strings.Repeat("?, ", len(batch)-1) + "?)"
		for _, ns := range batch {
			args = append(args, ns)
		}
		sq := fmt.Sprintf(`SELECT %s AS sid, MetricName, MetricUnit, ServiceName, ResourceAttributes, Attributes, %s
FROM %s WHERE %s`, id, extra, quoteIdent(t.Name), where)
		err = r.query(sq, args, func(ch *rawChunk) error {
			keys := fixed[uint64](ch.vec(0), ch.n)
			names, units, svcs := ch.vec(1), ch.vec(2), ch.vec(3)
			mono, temp := fixed[bool](ch.vec(6), ch.n), fixed[int32](ch.vec(7), ch.n)
			for i := range ch.n {
				idx, ok := index[keys[i]]
				if !ok || found[idx] {
					continue
				}
				found[idx] = true
				ms := &out[idx]
				ms.Info.Name, ms.Info.Unit = stringAt(names, i), stringAt(units, i)
				ms.Info.IsMonotonic, ms.Info.Temporality = mono[i], temp[i]
				ms.ServiceName = stringAt(svcs, i)
				ms.ResourceAttributes, ms.Attributes = mapAt(ch.vec(4), i), mapAt(ch.vec(5), i)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i, ok := range found {
		if !ok {
			return fmt.Errorf("BUG: no identity row found for series %x", sids[i])
		}
	}
	return nil
}

// histogramAt reads the histogram, exponential histogram or summary point
// in row i of a points chunk.
func histogramAt(k store.MetricKind, ch *rawChunk, i int) store.HistogramPoint {
	h := store.HistogramPoint{Count: fixed[uint64](ch.vec(4), ch.n)[i], Sum: fixed[float64](ch.vec(5), ch.n)[i]}
	switch k {
	case store.MetricHistogram:
		h.Bounds = listAt[float64](ch.vec(6), i)
		h.Buckets = listAt[uint64](ch.vec(7), i)
	case store.MetricExpHistogram:
		h.Scale = fixed[int32](ch.vec(6), ch.n)[i]
		h.ZeroCount = fixed[uint64](ch.vec(7), ch.n)[i]
		h.PositiveOffset = fixed[int32](ch.vec(8), ch.n)[i]
		h.Positive = listAt[uint64](ch.vec(9), i)
		h.NegativeOffset = fixed[int32](ch.vec(10), ch.n)[i]
		h.Negative = listAt[uint64](ch.vec(11), i)
	case store.MetricSummary:
		q := ch.vec(6)
		h.Quantiles = listAt[float64](bindings.StructVectorGetChild(q, 0), i)
		h.QuantileValues = listAt[float64](bindings.StructVectorGetChild(q, 1), i)
	}
	return h
}

// pointColumns are the value columns read per point of a kind, after
// sid, TimeUnix, StartTimeUnix and Flags.
func pointColumns(k store.MetricKind) string {
	switch k {
	case store.MetricHistogram:
		return "Count, Sum, ExplicitBounds, BucketCounts"
	case store.MetricExpHistogram:
		return "Count, Sum, Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts"
	case store.MetricSummary:
		return "Count, Sum, ValueAtQuantiles"
	}
	return "Value"
}

// sortPoints orders a series' points by time; they usually arrive sorted.
func sortPoints(ms *store.MetricSeries) {
	if slices.IsSorted(ms.Times) {
		return
	}
	idx := make([]int, len(ms.Times))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case ms.Times[a] < ms.Times[b]:
			return -1
		case ms.Times[a] > ms.Times[b]:
			return 1
		}
		return 0
	})
	ms.Times = permute(ms.Times, idx)
	ms.StartTimes = permute(ms.StartTimes, idx)
	ms.Flags = permute(ms.Flags, idx)
	ms.Values = permute(ms.Values, idx)
	ms.Histograms = permute(ms.Histograms, idx)
}

func permute[T any](s []T, idx []int) []T {
	if len(s) == 0 {
		return s
	}
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
