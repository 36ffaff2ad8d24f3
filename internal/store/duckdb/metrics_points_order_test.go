package duckdb

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

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

// TestSelectMetricsSessionOrder: SelectMetrics reads points in insertion
// order on its own connection only; the store's global setting (no
// insertion order, which the writers' INSERT … SELECT rely on) stays.
func TestSelectMetricsSessionOrder(t *testing.T) {
	s := openMetricStore(t)
	ctx := context.Background()
	insertGauge(t, s, "x", 3, 10)
	got, err := s.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"x"},
		Start: t0, End: t0.Add(time.Hour)})
	if err != nil || len(got) != 3 {
		t.Fatalf("select: %d series, %v", len(got), err)
	}
	var v bool
	if err := s.db.QueryRowContext(ctx, "SELECT current_setting('preserve_insertion_order')").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v {
		t.Fatal("preserve_insertion_order is true on the store's connections after SelectMetrics")
	}
}

// insertGauge writes gauge name: series series with points points each,
// one a minute from t0 (value: the minute), one batch per point time.
func insertGauge(t *testing.T, s *Store, name string, series, points int) {
	t.Helper()
	for i := range points {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName(name)
		dps := m.SetEmptyGauge().DataPoints()
		for k := range series {
			dp := dps.AppendEmpty()
			dp.Attributes().PutInt("k", int64(k))
			dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Minute)))
			dp.SetDoubleValue(float64(i))
		}
		if err := s.InsertMetrics(context.Background(), md); err != nil {
			t.Fatal(err)
		}
	}
}
