package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/series"
)

var _ store.MetricReader = (*Store)(nil)

// metricTables are the metrics tables by kind.
var metricTables = map[store.MetricKind]*schema.Table{
	store.MetricGauge: &schema.MetricsGauge, store.MetricSum: &schema.MetricsSum,
	store.MetricHistogram: &schema.MetricsHistogram, store.MetricExpHistogram: &schema.MetricsExpHistogram,
	store.MetricSummary: &schema.MetricsSummary,
}

var metricKinds = []store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram, store.MetricExpHistogram, store.MetricSummary}

// monoTemp are the SQL of a table's IsMonotonic and AggregationTemporality
// (constants for the tables without them).
func (s *Store) monoTemp(k store.MetricKind) (string, string) {
	t := metricTables[k].Name
	mono, temp := "false", "toInt32(0)"
	if s.has(t, "IsMonotonic") {
		mono = "IsMonotonic"
	}
	if s.has(t, "AggregationTemporality") {
		temp = "AggregationTemporality"
	}
	return mono, temp
}

// mapHash is series.AttrsHash of a map read back.
func mapHash(m map[string]string) uint64 {
	keys := make([]string, 0, len(m))
	vals := make([]string, 0, len(m))
	for k, v := range m {
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return series.AttrsHash(keys, vals)
}

// MetricInfos lists the metrics with points in [start, end], one entry
// per table, name, unit, scope, monotonicity and temporality.
func (s *Store) MetricInfos(ctx context.Context, start, end time.Time) ([]store.MetricInfo, error) {
	if start.IsZero() || end.IsZero() {
		return nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	var out []store.MetricInfo
	for _, k := range metricKinds {
		t := metricTables[k]
		if s.columns[t.Name] == nil {
			continue
		}
		mono, temp := s.monoTemp(k)
		q := fmt.Sprintf(`SELECT MetricName, MetricUnit, ScopeName, any(MetricDescription), %s AS m, %s AS t
FROM %s WHERE TimeUnix >= ? AND TimeUnix <= ? GROUP BY MetricName, MetricUnit, ScopeName, m, t`, mono, temp, s.table(t.Name))
		err := s.scan(ctx, q, []any{clamp(start), clamp(end)}, func(_ []string, v []any) error {
			out = append(out, store.MetricInfo{Kind: k, Name: v[0].(string), Unit: v[1].(string), ScopeName: v[2].(string),
				Description: v[3].(string), IsMonotonic: v[4].(bool), Temporality: v[5].(int32)})
			return nil
		})
		if err != nil {
			return nil, readErr(fmt.Errorf("list metrics of %s: %w", t.Name, err))
		}
	}
	return out, nil
}

// metricFilters renders p's filters (exact predicates, regexes anchored
// to the whole value as Prometheus matchers are).
func metricFilters(fs []store.MetricFilter) (string, []any, error) {
	var where []string
	var args []any
	for _, f := range fs {
		cmp := func(x string) string {
			if f.Regex {
				return "match(" + x + ", ?)"
			}
			return x + " = ?"
		}
		val := any(f.Value)
		if f.Regex {
			val = "^(?:" + f.Value + ")$"
		}
		switch {
		case f.Column == "ServiceName":
			where = append(where, cmp("ServiceName"))
			args = append(args, val)
		case (f.Column == "ResourceAttributes" || f.Column == "Attributes") && f.Key != "":
			where = append(where, cmp(f.Column+"[?]"))
			args = append(args, f.Key, val)
		case f.Column == "Attributes":
			where = append(where, "arrayExists(v -> "+cmp("v")+", mapValues(Attributes))")
			args = append(args, val)
		default:
			return "", nil, fmt.Errorf("%w: metric filter on %q", store.ErrInvalidArgument, f.Column)
		}
	}
	return strings.Join(where, " AND "), args, nil
}

// SelectMetrics returns the series of p.Names with points in [p.Start,
// p.End] passing p.Filters. Points are read in time order and grouped by
// the series fingerprint, computed here from the identity columns (so a
// database written by another writer, without the SeriesFingerprint
// column, reads the same).
func (s *Store) SelectMetrics(ctx context.Context, p store.MetricSelectParams) (_ []store.MetricSeries, err error) {
	// A column of an unexpected type (a table altered by hand) fails the
	// read, not the process.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("select metrics: BUG or unexpected column type: %v", r)
		}
	}()
	t, ok := metricTables[p.Kind]
	if !ok || len(p.Names) == 0 || p.Start.IsZero() || p.End.IsZero() {
		return nil, fmt.Errorf("%w: a metric kind, names and a time range are required", store.ErrInvalidArgument)
	}
	if s.columns[t.Name] == nil {
		return nil, nil
	}
	mono, temp := s.monoTemp(p.Kind)
	col := func(name, zero string) string {
		if s.has(t.Name, name) {
			return ident(name)
		}
		return zero
	}
	cols := []string{"ServiceName", "ResourceAttributes", "Attributes", "MetricName", "MetricUnit", "ScopeName",
		mono, temp, "toUnixTimestamp64Nano(TimeUnix)", "toUnixTimestamp64Nano(StartTimeUnix)", col("Flags", "toUInt32(0)")}
	switch p.Kind {
	case store.MetricGauge, store.MetricSum:
		cols = append(cols, "Value")
	case store.MetricHistogram:
		cols = append(cols, "Count", "Sum", "ExplicitBounds", "BucketCounts", col("HasSum", "true"),
			col("CounterResetHint", "toUInt8(0)"), col("HasFloatCounts", "false"), col("FloatCount", "toFloat64(0)"),
			col("FloatBucketCounts", "CAST([] AS Array(Float64))"))
	case store.MetricExpHistogram:
		cols = append(cols, "Count", "Sum", "Scale", "ZeroCount", "PositiveOffset", "PositiveBucketCounts",
			"NegativeOffset", "NegativeBucketCounts", col("ZeroThreshold", "toFloat64(0)"), col("HasSum", "true"),
			col("CounterResetHint", "toUInt8(0)"))
	case store.MetricSummary:
		cols = append(cols, "Count", "Sum", "`ValueAtQuantiles.Quantile`", "`ValueAtQuantiles.Value`")
	}
	where := "TimeUnix >= ? AND TimeUnix <= ?"
	args := []any{clamp(p.Start), clamp(p.End)}
	if !p.AllNames {
		where += " AND MetricName IN (?)"
		args = append(args, p.Names)
	}
	fw, fargs, ferr := metricFilters(p.Filters)
	if ferr != nil {
		return nil, ferr
	}
	if fw != "" {
		where += " AND " + fw
		args = append(args, fargs...)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY TimeUnix", strings.Join(cols, ", "), s.table(t.Name), where)
	if p.MaxPoints > 0 {
		q += fmt.Sprintf(" LIMIT %d", p.MaxPoints+1)
	}
	bySeries := map[uint64]*store.MetricSeries{}
	var order []uint64
	n := 0
	err = s.scan(ctx, q, args, func(_ []string, v []any) error {
		n++
		if p.MaxPoints > 0 && n > p.MaxPoints {
			return fmt.Errorf("%w: more than %d points", store.ErrTooManyPoints, p.MaxPoints)
		}
		svc, res, attrs := v[0].(string), v[1].(map[string]string), v[2].(map[string]string)
		info := store.MetricInfo{Kind: p.Kind, Name: v[3].(string), Unit: v[4].(string), ScopeName: v[5].(string),
			IsMonotonic: v[6].(bool), Temporality: v[7].(int32)}
		id := series.Identity{Name: info.Name, Unit: info.Unit, Scope: info.ScopeName, Svc: svc,
			Res: mapHash(res), Attrs: mapHash(attrs), Mono: info.IsMonotonic, Temp: info.Temporality}
		fp := id.Fingerprint()
		ms := bySeries[fp]
		if ms == nil {
			ms = &store.MetricSeries{Info: info, ServiceName: svc, ResourceAttributes: res, Attributes: attrs}
			bySeries[fp] = ms
			order = append(order, fp)
		} else if p.SeriesOnly {
			return nil
		}
		if p.SeriesOnly {
			// One point, the first, without values (as the DuckDB
			// store answers: a zero value, no start time or flags).
			ms.Times, ms.Values = []int64{v[8].(int64)}, []float64{0}
			return nil
		}
		tm, st, flags := v[8].(int64), v[9].(int64), v[10].(uint32)
		if st != 0 && ms.StartTimes == nil {
			ms.StartTimes = make([]int64, len(ms.Times), len(ms.Times)+1)
		}
		if ms.StartTimes != nil {
			ms.StartTimes = append(ms.StartTimes, st)
		}
		if flags != 0 && ms.Flags == nil {
			ms.Flags = make([]uint32, len(ms.Times), len(ms.Times)+1)
		}
		if ms.Flags != nil {
			ms.Flags = append(ms.Flags, flags)
		}
		ms.Times = append(ms.Times, tm)
		h := store.HistogramPoint{}
		switch p.Kind {
		case store.MetricGauge, store.MetricSum:
			ms.Values = append(ms.Values, v[11].(float64))
			return nil
		case store.MetricHistogram:
			h.Count, h.Sum, h.Bounds, h.Buckets, h.NoSum = v[11].(uint64), v[12].(float64), v[13].([]float64), v[14].([]uint64), !v[15].(bool)
			h.CounterResetHint = v[16].(uint8)
			if v[17].(bool) {
				h.FloatCounts = &store.FloatCounts{Count: v[18].(float64), Buckets: v[19].([]float64)}
			}
		case store.MetricExpHistogram:
			h.Count, h.Sum, h.Scale, h.ZeroCount = v[11].(uint64), v[12].(float64), v[13].(int32), v[14].(uint64)
			h.PositiveOffset, h.Positive, h.NegativeOffset, h.Negative = v[15].(int32), v[16].([]uint64), v[17].(int32), v[18].([]uint64)
			h.ZeroThreshold, h.NoSum, h.CounterResetHint = v[19].(float64), !v[20].(bool), v[21].(uint8)
		case store.MetricSummary:
			h.Count, h.Sum, h.Quantiles, h.QuantileValues = v[11].(uint64), v[12].(float64), v[13].([]float64), v[14].([]float64)
		}
		ms.Histograms = append(ms.Histograms, h)
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("select %s: %w", t.Name, err))
	}
	out := make([]store.MetricSeries, 0, len(order))
	for _, fp := range order {
		out = append(out, *bySeries[fp])
	}
	return out, nil
}
