package duckdb

import (
	"cmp"
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

// pointColumnsBuf collects the points statement's rows column by column,
// each row tagged with its series' index, then splits them into series
// (one backing array per column instead of thousands of growing slices).
type pointColumnsBuf struct {
	index  map[uint64]int
	sids   []uint64 // series index → key
	succ   []int32  // series index → the series read after it last (-1: none)
	series []int32  // per row
	times  []int64
	starts []int64
	flags  []uint32
	values []float64
	hists  []store.HistogramPoint
	chunks []chunkSpan
	fixed  bool // only: rows of series not in index are skipped
	// startsCol and flagsCol are the result columns of StartTimeUnix and
	// Flags; 0: not read (every one is zero).
	startsCol, flagsCol int
}

// optionalColumns tells add which columns follow a kind's value columns:
// StartTimeUnix if starts, then Flags if flags.
func (b *pointColumnsBuf) optionalColumns(k store.MetricKind, starts, flags bool) {
	col := 2 + valueColumns(k)
	b.startsCol, b.flagsCol = 0, 0
	if starts {
		b.startsCol = col
		col++
	}
	if flags {
		b.flagsCol = col
	}
}

// chunkSpan is a run of rows of one result chunk in time order, and its
// first and last time.
type chunkSpan struct {
	start, n   int
	minT, maxT int64
}

// grow reserves room for n rows.
func (b *pointColumnsBuf) grow(k store.MetricKind, n int) {
	b.series = slices.Grow(b.series, n)
	b.times = slices.Grow(b.times, n)
	if k == store.MetricGauge || k == store.MetricSum {
		b.values = slices.Grow(b.values, n)
	} else {
		b.hists = slices.Grow(b.hists, n)
	}
}

// only restricts the buffer to the series with fingerprints fps (in that
// order); add skips the rows of others.
func (b *pointColumnsBuf) only(fps []uint64) {
	b.index = make(map[uint64]int, len(fps))
	for i, fp := range fps {
		b.index[fp] = i
	}
	b.sids, b.fixed = fps, true
}

// seriesAfter returns the index of the series with fingerprint key, read
// right after a row of series prev (-1: none), adding the series unless
// the buffer is restricted by only (then -1 for a series not kept).
// Scrapes and exporters write their series in the same order at every
// timestamp, so the series that followed prev last time is tried before
// the map: with one point per series and timestamp the key changes at
// every row, and a map lookup per row of 5.76M cost ≈ 20–30 ns each.
func (b *pointColumnsBuf) seriesAfter(prev int, key uint64) int {
	for len(b.succ) < len(b.sids) {
		b.succ = append(b.succ, -1)
	}
	if prev >= 0 {
		if s := b.succ[prev]; s >= 0 && b.sids[s] == key {
			return int(s)
		}
	}
	idx, ok := b.index[key]
	if !ok {
		if b.fixed {
			return -1
		}
		idx = len(b.sids)
		b.index[key] = idx
		b.sids = append(b.sids, key)
		b.succ = append(b.succ, -1)
	}
	if prev >= 0 {
		b.succ[prev] = int32(idx)
	}
	return idx
}

func (b *pointColumnsBuf) add(k store.MetricKind, ch *rawChunk) {
	if b.index == nil {
		b.index = map[uint64]int{}
	}
	keys := fixed[uint64](ch.vec(0), ch.n)
	// The series of each row; with only, rows of other series are left
	// out (sel lists the rows kept then).
	var sel []int
	first := len(b.series)
	last, idx := uint64(0), -1
	for i, key := range keys {
		if idx < 0 || key != last {
			if idx = b.seriesAfter(idx, key); idx < 0 {
				if sel == nil {
					sel = make([]int, 0, ch.n)
					for j := range i {
						sel = append(sel, j)
					}
				}
				continue
			}
			last = key
		}
		if sel != nil {
			sel = append(sel, i)
		}
		b.series = append(b.series, int32(idx))
	}
	times := fixed[int64](ch.vec(1), ch.n)
	var starts []int64
	var flags []uint32
	if b.startsCol > 0 {
		starts = fixed[int64](ch.vec(b.startsCol), ch.n)
	}
	if b.flagsCol > 0 {
		flags = fixed[uint32](ch.vec(b.flagsCol), ch.n)
	}
	var values []float64
	if k == store.MetricGauge || k == store.MetricSum {
		values = fixed[float64](ch.vec(2), ch.n)
	}
	if sel != nil {
		times, starts, flags, values = pick(times, sel), pick(starts, sel), pick(flags, sel), pick(values, sel)
	}
	// Record the chunk's runs of non-decreasing time (a chunk may join
	// the tail of one row group with the head of another).
	base, from := first, 0
	for i := 1; i <= len(times); i++ {
		if i == len(times) || times[i] < times[i-1] {
			b.chunks = append(b.chunks, chunkSpan{start: base + from, n: i - from, minT: times[from], maxT: times[i-1]})
			from = i
		}
	}
	// Start times and flags are kept only once one is not zero.
	if b.starts != nil || slices.ContainsFunc(starts, func(v int64) bool { return v != 0 }) {
		b.starts = append(slices.Grow(b.starts, len(b.times)-len(b.starts)+len(starts))[:len(b.times)], starts...)
	}
	if b.flags != nil || slices.ContainsFunc(flags, func(v uint32) bool { return v != 0 }) {
		b.flags = append(slices.Grow(b.flags, len(b.times)-len(b.flags)+len(flags))[:len(b.times)], flags...)
	}
	b.times = append(b.times, times...)
	if values != nil {
		b.values = append(b.values, values...)
		return
	}
	if sel == nil {
		for i := range ch.n {
			b.hists = append(b.hists, histogramAt(k, ch, i))
		}
		return
	}
	for _, i := range sel {
		b.hists = append(b.hists, histogramAt(k, ch, i))
	}
}

// pick returns the elements of s at sel (nil for a nil s).
func pick[T any](s []T, sel []int) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(sel))
	for i, j := range sel {
		out[i] = s[j]
	}
	return out
}

// split returns one MetricSeries per series with its points (in the order
// read), sub-slices of one backing array per column.
func (b *pointColumnsBuf) split(k store.MetricKind) []store.MetricSeries {
	n := len(b.sids)
	offs := make([]int, n+1)
	for _, s := range b.series {
		offs[s+1]++
	}
	for i := range n {
		offs[i+1] += offs[i]
	}
	pos := append([]int(nil), offs[:n]...)
	rows := len(b.series)
	times := make([]int64, rows)
	var starts []int64
	var flags []uint32
	if b.starts != nil {
		starts = make([]int64, rows)
	}
	if b.flags != nil {
		flags = make([]uint32, rows)
	}
	var values []float64
	var hists []store.HistogramPoint
	if b.hists != nil {
		hists = make([]store.HistogramPoint, rows)
	} else {
		values = make([]float64, rows)
	}
	// Runs in time order: DuckDB's parallel scan hands out row groups
	// (which hold rows in insertion order, mostly time order) in any
	// order; placing each series' rows run by run leaves it sorted unless
	// its runs overlap in time (then sortPoints sorts it). (An unstable
	// sort with a position tie-break, the same order, cost more on the
	// 576k nearly sorted runs of 10 points each of a 24 h × 1k series
	// read: 81 against ≈ 50 CPU-ms.)
	slices.SortStableFunc(b.chunks, func(x, y chunkSpan) int {
		if c := cmp.Compare(x.minT, y.minT); c != 0 {
			return c
		}
		return cmp.Compare(x.maxT, y.maxT)
	})
	plain := starts == nil && flags == nil && values != nil
	for _, c := range b.chunks {
		if plain {
			// The common case (floats without start times or flags),
			// without the optional columns' branches per row.
			bt, bv := b.times[c.start:c.start+c.n], b.values[c.start:c.start+c.n]
			for r, s := range b.series[c.start : c.start+c.n] {
				j := pos[s]
				pos[s]++
				times[j], values[j] = bt[r], bv[r]
			}
			continue
		}
		for r := c.start; r < c.start+c.n; r++ {
			s := b.series[r]
			j := pos[s]
			pos[s]++
			times[j] = b.times[r]
			if starts != nil {
				starts[j] = b.starts[r]
			}
			if flags != nil {
				flags[j] = b.flags[r]
			}
			if hists != nil {
				hists[j] = b.hists[r]
			} else {
				values[j] = b.values[r]
			}
		}
	}
	out := make([]store.MetricSeries, n)
	for i := range out {
		lo, hi := offs[i], offs[i+1]
		ms := &out[i]
		ms.Info.Kind = k
		ms.Times = times[lo:hi:hi]
		if starts != nil {
			ms.StartTimes = starts[lo:hi:hi]
		}
		if flags != nil {
			ms.Flags = flags[lo:hi:hi]
		}
		if hists != nil {
			ms.Histograms = hists[lo:hi:hi]
		} else {
			ms.Values = values[lo:hi:hi]
		}
	}
	return out
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
