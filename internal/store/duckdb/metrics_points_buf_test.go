package duckdb

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/overlook-dev/overlook/internal/store"
)

// testRow is a row of a points read: its series index and columns.
type testRow struct {
	s     int32
	t     int64
	v     float64
	start int64
	flags uint32
}

// bufOf fills a pointColumnsBuf as add does, from rows in read order
// (nseries series; starts and flags columns kept when some row has one).
func bufOf(nseries int, rows []testRow, hists bool) *pointColumnsBuf {
	b := &pointColumnsBuf{index: map[uint64]int{}}
	for i := range nseries {
		b.sids = append(b.sids, uint64(1000+i))
		b.index[uint64(1000+i)] = i
	}
	starts := slices.ContainsFunc(rows, func(r testRow) bool { return r.start != 0 })
	flags := slices.ContainsFunc(rows, func(r testRow) bool { return r.flags != 0 })
	for _, r := range rows {
		b.series = append(b.series, r.s)
		b.times = append(b.times, r.t)
		if hists {
			b.hists = append(b.hists, store.HistogramPoint{Count: uint64(r.v), Sum: r.v})
		} else {
			b.values = append(b.values, r.v)
		}
		if starts {
			b.starts = append(b.starts, r.start)
		}
		if flags {
			b.flags = append(b.flags, r.flags)
		}
	}
	return b
}

// wantSplit is what split then sortPoints must give: each series' rows
// in read order, then stably sorted by time.
func wantSplit(nseries int, rows []testRow) [][]testRow {
	out := make([][]testRow, nseries)
	for _, r := range rows {
		out[r.s] = append(out[r.s], r)
	}
	for _, rs := range out {
		slices.SortStableFunc(rs, func(a, b testRow) int { return cmp.Compare(a.t, b.t) })
	}
	return out
}

// checkSplit runs split and sortPoints on rows and compares every column
// of every series with wantSplit.
func checkSplit(t *testing.T, nseries int, rows []testRow, hists bool) {
	t.Helper()
	k := store.MetricGauge
	if hists {
		k = store.MetricHistogram
	}
	b := bufOf(nseries, rows, hists)
	got := b.split(k)
	for i := range got {
		sortPoints(&got[i])
	}
	want := wantSplit(nseries, rows)
	if len(got) != nseries {
		t.Fatalf("%d series, want %d", len(got), nseries)
	}
	for s, ws := range want {
		ms := got[s]
		if len(ms.Times) != len(ws) {
			t.Fatalf("series %d: %d points, want %d", s, len(ms.Times), len(ws))
		}
		for i, w := range ws {
			var v float64
			if hists {
				v = ms.Histograms[i].Sum
			} else {
				v = ms.Values[i]
			}
			if ms.Times[i] != w.t || v != w.v {
				t.Fatalf("series %d point %d: (%d, %v), want (%d, %v)", s, i, ms.Times[i], v, w.t, w.v)
			}
			if ms.StartTimes != nil && ms.StartTimes[i] != w.start {
				t.Fatalf("series %d point %d: start %d, want %d", s, i, ms.StartTimes[i], w.start)
			}
			if ms.Flags != nil && ms.Flags[i] != w.flags {
				t.Fatalf("series %d point %d: flags %d, want %d", s, i, ms.Flags[i], w.flags)
			}
		}
		if (ms.StartTimes != nil) != (b.starts != nil) || (ms.Flags != nil) != (b.flags != nil) {
			t.Fatalf("series %d: start times %v, flags %v; read: %v, %v", s, ms.StartTimes != nil, ms.Flags != nil, b.starts != nil, b.flags != nil)
		}
	}
}

// batches returns rows as written by batches of npoints timestamps of
// nseries series each, series by series (seriesMajor: a series' points
// follow each other) or timestamp by timestamp; batch b covers times
// from[b] on, the value of a point is unique.
func batches(nseries, npoints int, seriesMajor bool, from ...int64) []testRow {
	var rows []testRow
	for bi, f := range from {
		for a := range nseries * npoints {
			s, p := a/npoints, a%npoints
			if !seriesMajor {
				s, p = a%nseries, a/nseries
			}
			rows = append(rows, testRow{s: int32(s), t: f + int64(p), v: float64(bi*1_000_000 + a)})
		}
	}
	return rows
}

// TestSplit: split groups the rows of a read by series, each series' rows
// in the order read (a counting sort), moving runs of one series whole or
// row by row; sortPoints then orders what was written out of order. Every
// column of every series equals a stable sort by time of the series' rows
// in read order: out-of-order batches, duplicate timestamps (the one read
// first stays first), batches written series by series or timestamp by
// timestamp, optional columns, histograms.
func TestSplit(t *testing.T) {
	withCols := batches(3, 4, true, 0, 10)
	for i := range withCols {
		if i%3 == 0 {
			withCols[i].start = int64(i + 1)
		}
		if i%5 == 0 {
			withCols[i].flags = 1
		}
	}
	onlyFlags := batches(2, 3, false, 0)
	onlyFlags[4].flags = 1
	for _, tc := range []struct {
		name    string
		nseries int
		rows    []testRow
	}{
		{"no rows", 0, nil},
		{"one row", 1, []testRow{{0, 5, 1, 0, 0}}},
		{"series by series, in order", 4, batches(4, 10, true, 0, 10, 20)},
		{"timestamp by timestamp, in order", 4, batches(4, 10, false, 0, 10, 20)},
		{"batches out of order", 3, batches(3, 5, true, 20, 0, 10)},
		{"batches overlapping", 3, batches(3, 8, false, 0, 4, 2)},
		{"duplicate timestamps across batches", 2, batches(2, 5, true, 0, 0, 3)},
		{"duplicate timestamps in a run", 2, []testRow{{0, 1, 1, 0, 0}, {0, 1, 2, 0, 0}, {1, 1, 3, 0, 0}, {0, 0, 4, 0, 0}, {0, 1, 5, 0, 0}}},
		{"runs of mixed lengths", 3, []testRow{{2, 1, 1, 0, 0}, {2, 2, 2, 0, 0}, {0, 1, 3, 0, 0}, {1, 1, 4, 0, 0}, {1, 2, 5, 0, 0}, {1, 3, 6, 0, 0}, {0, 2, 7, 0, 0}, {2, 3, 8, 0, 0}}},
		{"a series without rows", 3, batches(2, 3, true, 0)},
		{"start times and flags", 3, withCols},
		{"flags only", 2, onlyFlags},
	} {
		t.Run(tc.name, func(t *testing.T) { checkSplit(t, tc.nseries, tc.rows, false) })
		t.Run(tc.name+" (histograms)", func(t *testing.T) { checkSplit(t, tc.nseries, tc.rows, true) })
	}
}

// FuzzSplit: any rows (series, time) in any order come out of split and
// sortPoints as a stable sort by time of each series' rows in read order.
func FuzzSplit(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 1, 0, 0})
	f.Add([]byte{3, 9, 3, 9, 2, 1, 2, 0, 1, 5, 0, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		const nseries = 4
		var rows []testRow
		for i := 0; i+1 < len(data); i += 2 {
			rows = append(rows, testRow{s: int32(data[i] % nseries), t: int64(data[i+1] % 16), v: float64(i)})
		}
		checkSplit(t, nseries, rows, false)
	})
}

// TestScratchReuse: the row-order buffers released by one read serve the
// next read of as many rows or fewer, and the series read first are not
// changed by the second read.
func TestScratchReuse(t *testing.T) {
	first := bufOf(2, batches(2, 50, false, 0), false)
	out1 := first.split(store.MetricGauge)
	first.release()
	if first.series != nil || first.times != nil || first.values != nil {
		t.Fatal("release kept the buffers")
	}
	want := fmt.Sprint(out1)
	var second pointColumnsBuf
	second.grow(store.MetricGauge, 60)
	if cap(second.series) < 60 || len(second.series) != 0 || len(second.times) != 0 || len(second.values) != 0 {
		t.Fatalf("grow: len %d cap %d", len(second.series), cap(second.series))
	}
	second.series = append(second.series, 1, 0, 1)
	second.times = append(second.times, 7, 8, 9)
	second.values = append(second.values, -1, -2, -3)
	second.sids = []uint64{1, 2}
	out2 := second.split(store.MetricGauge)
	second.release()
	if got := fmt.Sprint(out1); got != want {
		t.Fatalf("first read changed by the second: %s", got)
	}
	if fmt.Sprint(out2[0].Times, out2[0].Values, out2[1].Times, out2[1].Values) != "[8] [-2] [7 9] [-1 -3]" {
		t.Fatalf("second read: %v", out2)
	}
}
