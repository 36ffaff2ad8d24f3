package promstorage

import (
	"math"
	"testing"

	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/overlook-dev/overlook/internal/store"
)

// TestFloatIterMatchesList checks floatIter against the list iterator over
// the same source, for Next, Seek (forwards, backwards, past the end) and
// start times, stale markers and negative timestamps.
func TestFloatIterMatchesList(t *testing.T) {
	ms := &store.MetricSeries{
		Times:      []int64{-2_500_000, -1_000_000, 0, 1_999_999, 2_000_000, 15_000_000_000, 30_000_000_001},
		Values:     []float64{1, 2, 3, 4, 5, 6, 7},
		StartTimes: []int64{0, 0, 0, 1_000_000, 1_000_000, 0, 0},
		Flags:      []uint32{0, 0, 0, 0, 1, 0, 0},
	}
	src := &source{ms: ms, plain: true, float: func(i int) (float64, bool) { return ms.Values[i], true }}
	if !plainFloats(src) {
		t.Fatal("plainFloats: false for distinct milliseconds")
	}
	type op struct {
		seek bool
		t    int64
	}
	ops := [][]op{
		{{}, {}, {}, {}, {}, {}, {}, {}, {}},
		{{seek: true, t: -2}, {}, {seek: true, t: 2}, {seek: true, t: 1}, {}, {seek: true, t: 30_000}, {seek: true, t: 30_001}, {}},
		{{seek: true, t: math.MinInt64}, {seek: true, t: 15_000}, {seek: true, t: math.MaxInt64}, {seek: true, t: 0}},
		{{seek: true, t: 30_000}, {}, {}},
	}
	for n, seq := range ops {
		var fi floatIter[int64]
		fi.reset(ms)
		var want chunkenc.Iterator = storage.NewListSeriesIteratorWithCopy(newSourceSamples(src))
		var got chunkenc.Iterator = &fi
		for k, o := range seq {
			var vg, vw chunkenc.ValueType
			if o.seek {
				vg, vw = got.Seek(o.t), want.Seek(o.t)
			} else {
				vg, vw = got.Next(), want.Next()
			}
			if vg != vw {
				t.Fatalf("sequence %d op %d %+v: type %v, want %v", n, k, o, vg, vw)
			}
			if vg == chunkenc.ValNone {
				continue
			}
			tg, fg := got.At()
			tw, fw := want.At()
			same := fg == fw || (value.IsStaleNaN(fg) && value.IsStaleNaN(fw))
			if tg != tw || !same || got.AtT() != tw || got.AtST() != want.AtST() {
				t.Fatalf("sequence %d op %d %+v: (%d, %v, st %d), want (%d, %v, st %d)",
					n, k, o, tg, fg, got.AtST(), tw, fw, want.AtST())
			}
		}
	}
	ms.Times[1] = -2_100_000 // the same millisecond (-3) as the point before
	if plainFloats(src) {
		t.Fatal("plainFloats: true with two points in one millisecond")
	}
}
