package duckdb

import (
	"cmp"
	"slices"

	"github.com/overlook-dev/overlook/internal/store"
)

// sortPoints orders a series' points by time, stably (points with equal
// times keep the order read). SelectMetrics reads points in insertion
// order, which is each series' time order unless batches of it were
// written out of order (late or backfilled data, commits racing) or by a
// version whose writer did not keep a batch's order (before session 10);
// such a series arrives as sorted runs. Runs that do not overlap in time are put
// in order whole (a copy per column); otherwise the points are sorted one
// by one.
func sortPoints(ms *store.MetricSeries) {
	t := ms.Times
	if slices.IsSorted(t) {
		return
	}
	var runs []pointRun
	lo := 0
	for i := 1; i <= len(t); i++ {
		if i == len(t) || t[i] < t[i-1] {
			runs = append(runs, pointRun{lo, i})
			lo = i
		}
	}
	if orderRuns(t, runs) {
		ms.Times = moveRuns(ms.Times, runs)
		ms.StartTimes = moveRuns(ms.StartTimes, runs)
		ms.Flags = moveRuns(ms.Flags, runs)
		ms.Values = moveRuns(ms.Values, runs)
		ms.Histograms = moveRuns(ms.Histograms, runs)
		return
	}
	type key struct {
		t int64
		i int32
	}
	keys := make([]key, len(t))
	for i, v := range t {
		keys[i] = key{v, int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	idx := make([]int32, len(keys))
	for i, k := range keys {
		idx[i] = k.i
	}
	ms.Times = permute(ms.Times, idx)
	ms.StartTimes = permute(ms.StartTimes, idx)
	ms.Flags = permute(ms.Flags, idx)
	ms.Values = permute(ms.Values, idx)
	ms.Histograms = permute(ms.Histograms, idx)
}

// pointRun is the points [lo, hi) of a series, in time order.
type pointRun struct{ lo, hi int }

// orderRuns sorts runs by their first time and reports whether each then
// ends strictly before the next begins: their concatenation is then what
// a stable sort of the points gives.
func orderRuns(t []int64, runs []pointRun) bool {
	slices.SortFunc(runs, func(a, b pointRun) int { return cmp.Compare(t[a.lo], t[b.lo]) })
	for i := 1; i < len(runs); i++ {
		if t[runs[i-1].hi-1] >= t[runs[i].lo] {
			return false
		}
	}
	return true
}

// moveRuns returns s's runs concatenated in the order given.
func moveRuns[T any](s []T, runs []pointRun) []T {
	if len(s) == 0 {
		return s
	}
	out := make([]T, 0, len(s))
	for _, r := range runs {
		out = append(out, s[r.lo:r.hi]...)
	}
	return out
}

func permute[T any](s []T, idx []int32) []T {
	if len(s) == 0 {
		return s
	}
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
