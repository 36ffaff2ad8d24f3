package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
	cols := []string{"MetricName", "MetricUnit", "ScopeName", "ServiceName", "ResourceAttributes", "Attributes"}
	switch k {
	case store.MetricSum:
		cols = append(cols, "IsMonotonic", "AggregationTemporality")
	case store.MetricHistogram, store.MetricExpHistogram:
		cols = append(cols, "AggregationTemporality")
	}
	return cols
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
	b.WriteString("TimeUnix >= ? AND TimeUnix <= ?")
	args = append(args, p.Start.UTC(), p.End.UTC())
	// The name filter costs ≈ 4 ns per row (a string comparison each,
	// 20 ms of a 5.76M-point read); it is left out when it would keep
	// every row.
	if !p.AllNames {
		args = writeNameIn(&b, args, p.Names)
	}
	args, err := writeServiceFilters(&b, args, p.Filters)
	if err != nil {
		return "", nil, err
	}
	return b.String(), args, nil
}

// writeNameIn writes " AND MetricName IN (?, …)" for names (nothing for
// none) and returns args with the names appended.
func writeNameIn(b *strings.Builder, args []any, names []string) []any {
	for i, n := range names {
		if i == 0 {
			b.WriteString(" AND MetricName IN (")
		} else {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		args = append(args, n)
	}
	if len(names) > 0 {
		b.WriteByte(')')
	}
	return args
}

// writeServiceFilters writes the SQL predicates of the filters on
// ServiceName and returns args with their values appended. Filters on the
// attribute maps are applied per series in Go (seriesFilter): in SQL they
// would decode the maps of every row.
func writeServiceFilters(b *strings.Builder, args []any, fs []store.MetricFilter) ([]any, error) {
	for _, f := range fs {
		switch f.Column {
		case "ServiceName":
			if f.Regex {
				b.WriteString(" AND regexp_full_match(ServiceName, ?)")
			} else {
				b.WriteString(" AND ServiceName = ?")
			}
			args = append(args, f.Value)
		case "ResourceAttributes", "Attributes":
		default:
			return nil, fmt.Errorf("%w: cannot filter metrics on %q", store.ErrInvalidArgument, f.Column)
		}
	}
	return args, nil
}

// SelectMetrics reads the series of p in one snapshot. A series is
// identified by its rows' SeriesFingerprint (fingerprint.go), so points are
// read and grouped without touching the attribute MAP columns, which
// DuckDB decompresses whole (≈ 60–100 ns per row, ten times the rest of a
// point); the maps are read for about one row per series: at the series'
// first timestamp (scrapes and exports put many series at the same
// timestamps, and the time filter lets DuckDB skip the other row groups).
//
// Without filters on the maps: the points first (fingerprint as series
// key, read from the result vectors directly: rawread.go), then each
// series' labels. With them, or for SeriesOnly: the series first
// (fingerprints and first timestamps, then labels), the filters applied
// to each series in Go, then the points of the series kept.
func (s *Store) SelectMetrics(ctx context.Context, p store.MetricSelectParams) ([]store.MetricSeries, error) {
	t, err := metricTable(p.Kind)
	if err != nil {
		return nil, err
	}
	where, args, err := metricWhere(p)
	if err != nil {
		return nil, err
	}
	match, err := seriesFilter(p.Filters)
	if err != nil {
		return nil, err
	}
	var out []store.MetricSeries
	err = s.rawRead(ctx, func(r *rawReader) error {
		var known []store.MetricSeries
		var cols pointColumnsBuf
		if p.SeriesOnly || match != nil {
			var fps []uint64
			if known, fps, err = readSeries(r, t, p, where, args, match); err != nil {
				return fmt.Errorf("read series: %w", err)
			}
			if p.SeriesOnly || len(known) == 0 {
				out = known
				return nil
			}
			cols.only(fps)
			if len(known) <= maxFingerprintsInSQL {
				where += " AND SeriesFingerprint IN (" + fingerprintList(cols.sids) + ")"
			}
		}
		n, err := countRows(r, t, where, args)
		if err != nil {
			return fmt.Errorf("count points: %w", err)
		}
		exact := known == nil || len(known) <= maxFingerprintsInSQL
		if exact && p.MaxPoints > 0 && n > p.MaxPoints {
			return fmt.Errorf("%w: %d points in the range, more than %d", store.ErrTooManyPoints, n, p.MaxPoints)
		}
		// Counting without reading the MAP columns is cheap: it sizes the
		// buffers and fails oversized reads before reading them.
		cols.grow(p.Kind, n)
		// Start times and flags are read only when some row has one (each
		// costs ≈ 10 % of the read otherwise); DuckDB answers "none" from
		// its row groups' min/max statistics.
		starts, err := anyRow(r, t, where+" AND StartTimeUnix <> TIMESTAMP_NS '1970-01-01'", args)
		if err != nil {
			return fmt.Errorf("read start times: %w", err)
		}
		flags, err := anyRow(r, t, where+" AND Flags <> 0", args)
		if err != nil {
			return fmt.Errorf("read flags: %w", err)
		}
		cols.optionalColumns(p.Kind, starts, flags)
		// The points in insertion order, which is each series' time order
		// as written (the metrics writer keeps each batch's order:
		// store.go; sortPoints orders the rest: late points, data written
		// by older versions). DuckDB's parallel scan otherwise hands out
		// row groups in any order, and putting them back in order in Go
		// cost ≈ 50 CPU-ms of a 5.76M-point read (docs/benchmarks.md,
		// sessions 9 and 10).
		if err := r.c.exec("SET SESSION preserve_insertion_order = true"); err != nil {
			return fmt.Errorf("read points in insertion order: %w", err)
		}
		pointsQ := fmt.Sprintf("SELECT SeriesFingerprint, TimeUnix, %s%s%s FROM %s WHERE %s",
			pointColumns(p.Kind), cond(starts, ", StartTimeUnix"), cond(flags, ", Flags"), quoteIdent(t.Name), where)
		err = r.query(pointsQ, args, func(ch *rawChunk) error {
			cols.add(p.Kind, ch)
			if p.MaxPoints > 0 && len(cols.series) > p.MaxPoints {
				return fmt.Errorf("%w: more than %d points in the range", store.ErrTooManyPoints, p.MaxPoints)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read points: %w", err)
		}
		out = cols.split(p.Kind)
		cols.release()
		if known != nil {
			for i := range out {
				withLabels(&out[i], &known[i])
			}
			return nil
		}
		if err := readSeriesLabels(r, t, p, cols.index, cols.sids, out); err != nil {
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

// anyRow reports whether t has a row matching where.
func anyRow(r *rawReader, t *schema.Table, where string, args []any) (bool, error) {
	found := false
	err := r.query("SELECT 1 FROM "+quoteIdent(t.Name)+" WHERE "+where+" LIMIT 1", args, func(ch *rawChunk) error {
		found = found || ch.n > 0
		return nil
	})
	return found, err
}

func cond(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// maxFingerprintsInSQL bounds the fingerprints listed in a points
// statement; with more series kept, the others' rows are skipped in Go.
const maxFingerprintsInSQL = 2048

func fingerprintList(fps []uint64) string {
	var b strings.Builder
	for i, fp := range fps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(fp, 10))
	}
	return b.String()
}

// withLabels copies the identity of series from into ms.
func withLabels(ms, from *store.MetricSeries) {
	ms.Info = from.Info
	ms.ServiceName = from.ServiceName
	ms.ResourceAttributes, ms.Attributes = from.ResourceAttributes, from.Attributes
}

// readSeries returns the series of p with their identity and one point
// without values, at their first timestamp, keeping those match accepts
// (all with a nil match), and their fingerprints.
func readSeries(r *rawReader, t *schema.Table, p store.MetricSelectParams, where string, args []any,
	match func(*store.MetricSeries) bool) ([]store.MetricSeries, []uint64, error) {
	var cols pointColumnsBuf
	q := fmt.Sprintf("SELECT SeriesFingerprint, min(TimeUnix), 0::DOUBLE FROM %s WHERE %s GROUP BY 1",
		quoteIdent(t.Name), where)
	if err := r.query(q, args, func(ch *rawChunk) error {
		cols.add(store.MetricGauge, ch) // one zero value per series
		return nil
	}); err != nil {
		return nil, nil, err
	}
	series := cols.split(p.Kind)
	if err := readSeriesLabels(r, t, p, cols.index, cols.sids, series); err != nil {
		return nil, nil, err
	}
	fps := cols.sids
	if match != nil {
		w := 0
		for i := range series {
			if match(&series[i]) {
				series[w], fps[w] = series[i], fps[i]
				w++
			}
		}
		series, fps = series[:w], fps[:w]
	}
	return series, fps, nil
}

// countRows counts the rows of t matching where.
func countRows(r *rawReader, t *schema.Table, where string, args []any) (int, error) {
	n := 0
	err := r.query("SELECT count(*) FROM "+quoteIdent(t.Name)+" WHERE "+where, args, func(ch *rawChunk) error {
		if ch.n > 0 {
			n = int(fixed[int64](ch.vec(0), ch.n)[0])
		}
		return nil
	})
	return n, err
}

// maxTimesPerLookup bounds the timestamps of one label lookup statement.
const maxTimesPerLookup = 256

// readSeriesLabels fills in the identity columns of every series in out
// (keyed by sids) from rows at the series' first timestamps.
func readSeriesLabels(r *rawReader, t *schema.Table, p store.MetricSelectParams,
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
		sq := fmt.Sprintf(`SELECT SeriesFingerprint, MetricName, MetricUnit, ServiceName, ResourceAttributes, Attributes, %s, ScopeName
FROM %s WHERE %s`, extra, quoteIdent(t.Name), where)
		err = r.query(sq, args, func(ch *rawChunk) error {
			// Each vector's memory is looked up once per chunk, not per
			// row (≈ 30 cgo calls a row otherwise).
			keys := fixed[uint64](ch.vec(0), ch.n)
			names, units, svcs := stringColOf(ch.vec(1)), stringColOf(ch.vec(2)), stringColOf(ch.vec(3))
			res, attrs, scopes := mapColOf(ch.vec(4)), mapColOf(ch.vec(5)), stringColOf(ch.vec(8))
			mono, temp := fixed[bool](ch.vec(6), ch.n), fixed[int32](ch.vec(7), ch.n)
			for i := range ch.n {
				idx, ok := index[keys[i]]
				if !ok || found[idx] {
					continue
				}
				found[idx] = true
				ms := &out[idx]
				ms.Info.Name, ms.Info.Unit = names.at(i), units.at(i)
				ms.Info.ScopeName = scopes.at(i)
				ms.Info.IsMonotonic, ms.Info.Temporality = mono[i], temp[i]
				ms.ServiceName = svcs.at(i)
				ms.ResourceAttributes, ms.Attributes = res.at(i), attrs.at(i)
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
	h := store.HistogramPoint{Count: fixed[uint64](ch.vec(2), ch.n)[i], Sum: fixed[float64](ch.vec(3), ch.n)[i]}
	switch k {
	case store.MetricHistogram:
		h.Bounds = listAt[float64](ch.vec(4), i)
		h.Buckets = listAt[uint64](ch.vec(5), i)
		h.CounterResetHint = fixed[uint8](ch.vec(6), ch.n)[i]
		if fixed[bool](ch.vec(7), ch.n)[i] {
			h.FloatCounts = &store.FloatCounts{Count: fixed[float64](ch.vec(8), ch.n)[i], Buckets: listAt[float64](ch.vec(9), i)}
		}
		h.NoSum = !fixed[bool](ch.vec(10), ch.n)[i]
	case store.MetricExpHistogram:
		h.Scale = fixed[int32](ch.vec(4), ch.n)[i]
		h.ZeroCount = fixed[uint64](ch.vec(5), ch.n)[i]
		h.PositiveOffset = fixed[int32](ch.vec(6), ch.n)[i]
		h.Positive = listAt[uint64](ch.vec(7), i)
		h.NegativeOffset = fixed[int32](ch.vec(8), ch.n)[i]
		h.Negative = listAt[uint64](ch.vec(9), i)
		h.ZeroThreshold = fixed[float64](ch.vec(10), ch.n)[i]
		h.CounterResetHint = fixed[uint8](ch.vec(11), ch.n)[i]
		if fixed[bool](ch.vec(12), ch.n)[i] {
			h.FloatCounts = &store.FloatCounts{Count: fixed[float64](ch.vec(13), ch.n)[i],
				ZeroCount: fixed[float64](ch.vec(14), ch.n)[i],
				Positive:  listAt[float64](ch.vec(15), i), Negative: listAt[float64](ch.vec(16), i)}
		}
		h.NoSum = !fixed[bool](ch.vec(17), ch.n)[i]
	case store.MetricSummary:
		q := ch.vec(4)
		h.Quantiles = listAt[float64](bindings.StructVectorGetChild(q, 0), i)
		h.QuantileValues = listAt[float64](bindings.StructVectorGetChild(q, 1), i)
	}
	return h
}

// pointColumns are the value columns read per point of a kind, after
// SeriesFingerprint and TimeUnix (StartTimeUnix and Flags, when read,
// follow them).
func pointColumns(k store.MetricKind) string {
	switch k {
	case store.MetricHistogram:
		return "Count, Sum, ExplicitBounds, BucketCounts, CounterResetHint, HasFloatCounts, FloatCount, FloatBucketCounts, HasSum"
	case store.MetricExpHistogram:
		return "Count, Sum, Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, " +
			"ZeroThreshold, CounterResetHint, HasFloatCounts, FloatCount, FloatZeroCount, FloatPositiveBucketCounts, FloatNegativeBucketCounts, HasSum"
	case store.MetricSummary:
		return "Count, Sum, ValueAtQuantiles"
	}
	return "Value"
}

// valueColumns is the number of pointColumns of a kind.
func valueColumns(k store.MetricKind) int {
	return strings.Count(pointColumns(k), ",") + 1
}
