package duckdb

import (
	"cmp"
	"slices"

	"github.com/overlook-dev/overlook/internal/store"
)

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

