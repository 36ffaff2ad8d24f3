package duckdb

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/overlook-dev/overlook/internal/store"
)

// TestSortPoints: sortPoints gives what a stable sort by time gives, for
// every column, whether the runs it finds can be moved whole (apart in
// time) or not (overlapping, or equal times at their edges).
func TestSortPoints(t *testing.T) {
	for _, tc := range []struct {
		name  string
		times []int64
	}{
		{"empty", nil},
		{"one", []int64{5}},
		{"sorted", []int64{1, 2, 2, 3}},
		{"two runs apart", []int64{7, 8, 9, 1, 2, 3}},
		{"three runs apart", []int64{20, 21, 1, 2, 10, 11}},
		{"runs overlapping", []int64{5, 9, 1, 6, 7}},
		{"equal at the edges", []int64{3, 4, 1, 3}},
		{"equal firsts", []int64{1, 5, 1, 2}},
		{"duplicates inside a run", []int64{4, 4, 5, 1, 1, 2}},
		{"descending", []int64{5, 4, 3, 2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkSortPoints(t, tc.times) })
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		// Batches of a series' points, written in a shuffled order, some
		// overlapping or repeating times.
		var times []int64
		for range 1 + rng.IntN(6) {
			base := int64(rng.IntN(50))
			for j := range 1 + rng.IntN(8) {
				times = append(times, base+int64(j*rng.IntN(3)))
			}
		}
		if !t.Run("random", func(t *testing.T) { checkSortPoints(t, times) }) {
			t.Fatalf("case %d: %v", i, times)
		}
	}
}

func checkSortPoints(t *testing.T, times []int64) {
	t.Helper()
	n := len(times)
	ms := store.MetricSeries{Times: slices.Clone(times), StartTimes: make([]int64, n), Flags: make([]uint32, n),
		Values: make([]float64, n), Histograms: make([]store.HistogramPoint, n)}
	for i := range n {
		ms.StartTimes[i], ms.Flags[i], ms.Values[i] = int64(-i), uint32(i), float64(i)
		ms.Histograms[i].Count = uint64(i)
	}
	// The reference: the original positions, stably sorted by time.
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	slices.SortStableFunc(want, func(a, b int) int { return int(times[a] - times[b]) })
	sortPoints(&ms)
	for i, j := range want {
		if ms.Times[i] != times[j] || ms.StartTimes[i] != int64(-j) || ms.Flags[i] != uint32(j) ||
			ms.Values[i] != float64(j) || ms.Histograms[i].Count != uint64(j) {
			t.Fatalf("point %d: time %d from %v (start %d, flags %d, value %v), want time %d from %d",
				i, ms.Times[i], ms.Values[i], ms.StartTimes[i], ms.Flags[i], ms.Values[i], times[j], j)
		}
	}
}

// TestSeriesAfter: the successor guess never changes which series a row
// is given: indexes in first-seen order, as a map alone gives them, for
// rows in a repeating order (the guess right), shuffled (mostly wrong)
// and mixed; with only, rows of other series get -1.
func TestSeriesAfter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var scrape, shuffled []uint64
	for range 5 {
		for k := range 7 {
			scrape = append(scrape, uint64(100+k))
		}
	}
	for range 60 {
		shuffled = append(shuffled, uint64(100+rng.IntN(9)))
	}
	mixed := append(append(slices.Clone(scrape), shuffled...), scrape...)
	for name, keys := range map[string][]uint64{"scrape order": scrape, "shuffled": shuffled, "mixed": mixed} {
		t.Run(name, func(t *testing.T) {
			var b pointColumnsBuf
			b.index = map[uint64]int{}
			ref := map[uint64]int{}
			prev := -1
			for i, key := range keys {
				want, ok := ref[key]
				if !ok {
					want = len(ref)
					ref[key] = want
				}
				got := b.seriesAfter(prev, key)
				if got != want {
					t.Fatalf("row %d (key %d after series %d): series %d, want %d", i, key, prev, got, want)
				}
				prev = got
			}
			var only pointColumnsBuf
			only.only([]uint64{104, 101, 107})
			keep := map[uint64]int{104: 0, 101: 1, 107: 2}
			prev = -1
			for i, key := range keys {
				want, ok := keep[key]
				if !ok {
					want = -1
				}
				got := only.seriesAfter(prev, key)
				if got != want {
					t.Fatalf("only, row %d (key %d): series %d, want %d", i, key, got, want)
				}
				if got >= 0 {
					prev = got
				}
			}
		})
	}
}
