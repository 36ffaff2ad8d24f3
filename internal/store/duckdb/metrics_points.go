package duckdb

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/overlook-dev/overlook/internal/store"
)

// This file groups the points statement's rows into series. The series'
// point counts are known before the points are read (seriesStats, one
// GROUP BY SeriesFingerprint statement), so every column is one array of
// exactly the points read, cut into one sub-slice per series, and each row
// is written once, straight to its series' next slot: no intermediate
// buffer, no growing, nothing copied twice.
//
// DuckDB's parallel scan hands out row groups in any order
// (preserve_insertion_order is off), so a series' points arrive as runs in
// time order (its rows in a row group) that may come out of order; add
// records where each run starts (at every series change in a chunk, and
// where time goes back), and finish moves a series' runs into time order
// when they are not (one copy of that series), sorting only series whose
// runs overlap in time.

// seriesStats are the series of a metric selection: fingerprint, points
// in the range and first timestamp (ns) of each, in one order.
type seriesStats struct {
	fps    []uint64
	counts []int
	firsts []int64
}

// readSeriesStats lists the series of t's rows matching where.
func readSeriesStats(r *rawReader, t string, where string, args []any) (seriesStats, error) {
	var st seriesStats
	q := fmt.Sprintf("SELECT SeriesFingerprint, count(*), min(TimeUnix) FROM %s WHERE %s GROUP BY 1", quoteIdent(t), where)
	err := r.query(q, args, func(ch *rawChunk) error {
		st.fps = append(st.fps, fixed[uint64](ch.vec(0), ch.n)...)
		for _, c := range fixed[int64](ch.vec(1), ch.n) {
			st.counts = append(st.counts, int(c))
		}
		st.firsts = append(st.firsts, fixed[int64](ch.vec(2), ch.n)...)
		return nil
	})
	return st, err
}

// total returns the points of all series.
func (st *seriesStats) total() int {
	n := 0
	for _, c := range st.counts {
		n += c
	}
	return n
}

// keep keeps the series at indexes where ok(i) holds, in order.
func (st *seriesStats) keep(ok func(i int) bool) {
	w := 0
	for i := range st.fps {
		if ok(i) {
			st.fps[w], st.counts[w], st.firsts[w] = st.fps[i], st.counts[i], st.firsts[i]
			w++
		}
	}
	st.fps, st.counts, st.firsts = st.fps[:w], st.counts[:w], st.firsts[:w]
}

// pointPlacer writes the rows of a points statement (SeriesFingerprint,
// TimeUnix, the kind's value columns, then StartTimeUnix and Flags if
// read) into per-series slots.
type pointPlacer struct {
	kind  store.MetricKind
	index map[uint64]int
	// skip: rows of series not in index are left out (a selection of
	// series whose fingerprints were not all listed in SQL); otherwise
	// such a row is an error.
	skip bool
	// startsCol and flagsCol are the columns of StartTimeUnix and Flags;
	// 0: not read (all zero).
	startsCol, flagsCol int
	offs                []int // series i's points are [offs[i], offs[i+1])
	pos                 []int // series i's next slot
	times               []int64
	starts              []int64  // allocated at the first non-zero start time
	flags               []uint32 // allocated at the first non-zero flags
	values              []float64
	hists               []store.HistogramPoint
	breaks              []runBreak
}

// runBreak tells that series' points from slot at on are a new run: read
// after other series' rows, or after a later point of the series. Each
// run is in time order.
type runBreak struct {
	series int32
	at     int
}

// newPointPlacer lays out the points of the series in st.
// The statement reads StartTimeUnix if starts, Flags if flags.
func newPointPlacer(k store.MetricKind, st *seriesStats, skip, starts, flags bool) *pointPlacer {
	pl := &pointPlacer{kind: k, skip: skip, index: make(map[uint64]int, len(st.fps)),
		offs: make([]int, len(st.fps)+1), pos: make([]int, len(st.fps))}
	col := 2 + valueColumns(k)
	if starts {
		pl.startsCol = col
		col++
	}
	if flags {
		pl.flagsCol = col
	}
	for i, fp := range st.fps {
		pl.index[fp] = i
		pl.pos[i] = pl.offs[i]
		pl.offs[i+1] = pl.offs[i] + st.counts[i]
	}
	n := pl.offs[len(st.fps)]
	pl.times = make([]int64, n)
	if k == store.MetricGauge || k == store.MetricSum {
		pl.values = make([]float64, n)
	} else {
		pl.hists = make([]store.HistogramPoint, n)
	}
	return pl
}

// add places the rows of one result chunk.
func (pl *pointPlacer) add(ch *rawChunk) error {
	keys := fixed[uint64](ch.vec(0), ch.n)
	times := fixed[int64](ch.vec(1), ch.n)
	var starts []int64
	var flags []uint32
	if pl.startsCol > 0 {
		starts = fixed[int64](ch.vec(pl.startsCol), ch.n)
	}
	if pl.flagsCol > 0 {
		flags = fixed[uint32](ch.vec(pl.flagsCol), ch.n)
	}
	var values []float64
	if pl.values != nil {
		values = fixed[float64](ch.vec(2), ch.n)
	}
	last, idx := uint64(0), -1
	lo, hi := 0, 0
	for i, key := range keys {
		newRun := false
		if idx < 0 || key != last {
			var ok bool
			if idx, ok = pl.index[key]; !ok {
				if !pl.skip {
					return fmt.Errorf("BUG: points of series %x, not counted", key)
				}
				idx = -1
				continue
			}
			last, lo, hi = key, pl.offs[idx], pl.offs[idx+1]
			newRun = true
		}
		j := pl.pos[idx]
		if j >= hi {
			return fmt.Errorf("BUG: series %x has more points than counted (%d)", key, hi-lo)
		}
		pl.pos[idx]++
		t := times[i]
		if j > lo && (newRun || t < pl.times[j-1]) {
			pl.breaks = append(pl.breaks, runBreak{series: int32(idx), at: j})
		}
		pl.times[j] = t
		if starts != nil && starts[i] != 0 {
			if pl.starts == nil {
				pl.starts = make([]int64, len(pl.times))
			}
			pl.starts[j] = starts[i]
		}
		if flags != nil && flags[i] != 0 {
			if pl.flags == nil {
				pl.flags = make([]uint32, len(pl.times))
			}
			pl.flags[j] = flags[i]
		}
		if values != nil {
			pl.values[j] = values[i]
		} else {
			pl.hists[j] = histogramAt(pl.kind, ch, i)
		}
	}
	return nil
}

// finish returns one MetricSeries per series (in the order of the
// seriesStats) with its points in time order.
func (pl *pointPlacer) finish() ([]store.MetricSeries, error) {
	out := make([]store.MetricSeries, len(pl.pos))
	for i := range out {
		lo, hi := pl.offs[i], pl.offs[i+1]
		if pl.pos[i] != hi {
			return nil, fmt.Errorf("BUG: series %d has %d points, %d counted", i, pl.pos[i]-lo, hi-lo)
		}
		ms := &out[i]
		ms.Info.Kind = pl.kind
		ms.Times = pl.times[lo:hi:hi]
		if pl.starts != nil {
			ms.StartTimes = pl.starts[lo:hi:hi]
		}
		if pl.flags != nil {
			ms.Flags = pl.flags[lo:hi:hi]
		}
		if pl.values != nil {
			ms.Values = pl.values[lo:hi:hi]
		} else {
			ms.Histograms = pl.hists[lo:hi:hi]
		}
	}
	// Group the breaks by series (a counting sort: each series' breaks
	// stay in slot order).
	starts := make([]int, len(out)+1)
	for _, b := range pl.breaks {
		starts[b.series+1]++
	}
	for i := range out {
		starts[i+1] += starts[i]
	}
	at := make([]int, len(pl.breaks))
	next := slices.Clone(starts[:len(out)])
	for _, b := range pl.breaks {
		at[next[b.series]] = b.at
		next[b.series]++
	}
	pl.breaks = nil
	var sc runScratch
	for s := range out {
		bs := at[starts[s]:starts[s+1]]
		if len(bs) == 0 || slices.IsSorted(out[s].Times) {
			continue
		}
		lo := pl.offs[s]
		sc.bounds = append(sc.bounds[:0], 0)
		for _, b := range bs {
			sc.bounds = append(sc.bounds, b-lo)
		}
		sc.bounds = append(sc.bounds, pl.offs[s+1]-lo)
		orderRuns(&out[s], sc.bounds, &sc)
	}
	return out, nil
}

// pointRun is the slots [lo, hi) of a series, in time order.
type pointRun struct{ lo, hi int }

// runScratch is reused by orderRuns for the series of one selection.
type runScratch struct {
	bounds []int
	runs   []pointRun
	times  []int64
	starts []int64
	flags  []uint32
	values []float64
	hists  []store.HistogramPoint
}

// orderRuns puts the runs of ms (split at bounds) into time order: when
// they do not overlap, by moving whole runs; otherwise by a stable sort of
// the series (sortPoints).
func orderRuns(ms *store.MetricSeries, bounds []int, sc *runScratch) {
	runs := sc.runs[:0]
	for i := 0; i+1 < len(bounds); i++ {
		runs = append(runs, pointRun{bounds[i], bounds[i+1]})
	}
	sc.runs = runs
	t := ms.Times
	slices.SortStableFunc(runs, func(a, b pointRun) int {
		if c := cmp.Compare(t[a.lo], t[b.lo]); c != 0 {
			return c
		}
		return cmp.Compare(t[a.hi-1], t[b.hi-1])
	})
	for i := 1; i < len(runs); i++ {
		if t[runs[i-1].hi-1] >= t[runs[i].lo] {
			sortPoints(ms)
			return
		}
	}
	sc.times = moveRuns(ms.Times, runs, sc.times)
	sc.starts = moveRuns(ms.StartTimes, runs, sc.starts)
	sc.flags = moveRuns(ms.Flags, runs, sc.flags)
	sc.values = moveRuns(ms.Values, runs, sc.values)
	sc.hists = moveRuns(ms.Histograms, runs, sc.hists)
}

// moveRuns rewrites s with its runs in the order of runs, through
// scratch (returned for reuse).
func moveRuns[T any](s []T, runs []pointRun, scratch []T) []T {
	if len(s) == 0 {
		return scratch
	}
	scratch = append(scratch[:0], s...)
	w := 0
	for _, r := range runs {
		w += copy(s[w:], scratch[r.lo:r.hi])
	}
	return scratch
}
