package promstorage

import (
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// TestChunksIter checks the benchmark's XOR-chunk iterator
// (chunks_bench_test.go) against the samples it encodes: every sample in
// order, and Seek then Next from before, inside, between and after chunks.
func TestChunksIter(t *testing.T) {
	raw := rawSeries{lset: labels.FromStrings("__name__", "x")}
	for i := range 10 {
		raw.ts = append(raw.ts, int64(i)*10)
		raw.vs = append(raw.vs, float64(i*i)+0.5)
	}
	for _, per := range []int{1, 3, 4, 10, 120} {
		cs, err := encodeChunks([]rawSeries{raw}, per)
		if err != nil {
			t.Fatal(err)
		}
		q := &chunkQueryable{series: cs}
		for _, tc := range []struct {
			name       string
			start, end int64 // the Select range
			seek       bool  // Seek(at) first, else Next
			at         int64
			want       []int64
		}{
			{"all", 0, 90, false, 0, []int64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90}},
			{"range cuts chunks, samples outside stay", 35, 55, false, 0, nil}, // filled below
			{"seek before", 0, 90, true, -5, []int64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90}},
			{"seek exact", 0, 90, true, 30, []int64{30, 40, 50, 60, 70, 80, 90}},
			{"seek between", 0, 90, true, 31, []int64{40, 50, 60, 70, 80, 90}},
			{"seek last", 0, 90, true, 90, []int64{90}},
			{"seek after", 0, 90, true, 91, nil},
			{"nothing in range", 100, 200, false, 0, nil},
		} {
			want := tc.want
			if tc.name == "range cuts chunks, samples outside stay" {
				// Whole chunks overlapping [35, 55] are returned, as a
				// store returns whole chunks; the engine cuts samples.
				for i, ts := range raw.ts {
					first := i / per * per
					last := min(first+per, len(raw.ts)) - 1
					if raw.ts[last] >= 35 && raw.ts[first] <= 55 {
						want = append(want, ts)
					}
				}
			}
			qr, _ := q.Querier(tc.start, tc.end)
			ss := qr.Select(t.Context(), true, &storage.SelectHints{Start: tc.start, End: tc.end},
				labels.MustNewMatcher(labels.MatchEqual, labels.MetricName, "x"))
			var got []int64
			for ss.Next() {
				it := ss.At().Iterator(nil)
				var vt chunkenc.ValueType
				if tc.seek {
					vt = it.Seek(tc.at)
				} else {
					vt = it.Next()
				}
				for ; vt != chunkenc.ValNone; vt = it.Next() {
					ts, v := it.At()
					if idx := ts / 10; v != raw.vs[idx] {
						t.Errorf("per %d %s: value at %d = %v, want %v", per, tc.name, ts, v, raw.vs[idx])
					}
					got = append(got, ts)
				}
				if err := it.Err(); err != nil {
					t.Fatal(err)
				}
			}
			if !slicesEqual(got, want) {
				t.Errorf("per %d %s: got %v, want %v", per, tc.name, got, want)
			}
		}
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
