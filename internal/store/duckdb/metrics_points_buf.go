package duckdb

import (
	"slices"
	"sync"

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

// grow reserves room for n rows.
func (b *pointColumnsBuf) grow(k store.MetricKind, n int) {
	if b.series == nil && (k == store.MetricGauge || k == store.MetricSum) {
		if sc, ok := rowScratchPool.Get().(*rowScratch); ok && cap(sc.series) >= n {
			b.series, b.times, b.values = sc.series[:0], sc.times[:0], sc.values[:0]
		}
	}
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
	// A counting sort by series, stable: each series' points keep the
	// order read, which is the order they were written in (the points
	// statement runs with insertion order preserved: SelectMetrics).
	if starts == nil && flags == nil && values != nil {
		placeFloats(b.series, b.times, b.values, pos, times, values)
	} else {
		for r, s := range b.series {
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

// placeFloats moves row r's time and value (bt[r], bv[r]) to the next
// place of its series series[r] (pos: the next place of each series,
// advanced), in the common case of floats without start times or flags.
// Rows of one series that follow each other (a batch written series by
// series) are moved as one copy.
func placeFloats(series []int32, bt []int64, bv []float64, pos []int, times []int64, values []float64) {
	for r := 0; r < len(series); {
		s := series[r]
		e := r + 1
		for e < len(series) && series[e] == s {
			e++
		}
		j := pos[s]
		if e-r == 1 {
			times[j], values[j] = bt[r], bv[r]
		} else {
			copy(times[j:j+e-r], bt[r:e])
			copy(values[j:j+e-r], bv[r:e])
		}
		pos[s] = j + e - r
		r = e
	}
}

// rowScratch is the row-order columns of a float points read (series,
// times, values), kept for the next read once split has copied them out:
// fresh buffers of a 5.76M-point read (115 MB) cost more to fault in and
// zero than to fill (≈ 40–100 CPU-ms; docs/benchmarks.md, session 10).
// sync.Pool drops them after two garbage collections without a read.
type rowScratch struct {
	series []int32
	times  []int64
	values []float64
}

var rowScratchPool sync.Pool

// maxScratchRows bounds the rows of a buffer kept for the next read
// (≈ 20 bytes a row, ≈ 80 MB at the bound; each of promsplit's parallel
// parts may keep one): larger reads are rare, their buffers are left to
// the garbage collector.
const maxScratchRows = 1 << 22

// release hands the row-order float columns to the next read; b must not
// be used afterwards.
func (b *pointColumnsBuf) release() {
	if b.values != nil && cap(b.series) <= maxScratchRows {
		rowScratchPool.Put(&rowScratch{series: b.series[:0], times: b.times[:0], values: b.values[:0]})
	}
	b.series, b.times, b.values = nil, nil, nil
}
