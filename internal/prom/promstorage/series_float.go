package promstorage

import (
	"math"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/overlook-dev/overlook/internal/store"
)

// floatIter iterates over a gauge's or sum's stored points in place: the
// timestamps are converted to milliseconds as they are read, nothing is
// copied or allocated per sample. It serves series whose points fall into
// distinct milliseconds (see plainFloats); sourceSamples handles the rest.
// Samples are exactly those sourceSamples yields: stale points as
// StaleNaN, start timestamps when stored (> 0).
//
// T is always int64: Seek's argument has a type parameter only because go
// vet's stdmethods check takes every Seek(int64) method for io.Seeker's.
type floatIter[T ~int64] struct {
	ms *store.MetricSeries
	i  int // current point; -1 before the first Next
}

var _ chunkenc.Iterator = (*floatIter[int64])(nil)

// plainFloats reports whether src is a gauge's or sum's only source whose
// points all have distinct milliseconds, so that floatIter can serve it.
func plainFloats(src *source) bool {
	if !src.plain {
		return false
	}
	times := src.ms.Times
	for i := 1; i < len(times); i++ {
		if msOf(times[i]) <= msOf(times[i-1]) {
			return false
		}
	}
	return true
}

func (it *floatIter[T]) reset(ms *store.MetricSeries) {
	it.ms, it.i = ms, -1
}

func (it *floatIter[T]) Next() chunkenc.ValueType {
	if it.i+1 >= len(it.ms.Times) {
		it.i = len(it.ms.Times)
		return chunkenc.ValNone
	}
	it.i++
	return chunkenc.ValFloat
}

// Seek advances to the first sample at or after t (ms); it never moves
// backwards.
func (it *floatIter[T]) Seek(at T) chunkenc.ValueType {
	t := int64(at)
	times := it.ms.Times
	if it.i >= len(times) {
		return chunkenc.ValNone
	}
	if it.i >= 0 && msOf(times[it.i]) >= t {
		return chunkenc.ValFloat
	}
	from := max(it.i, 0)
	// msOf(ns) >= t ⇔ ns >= t·10⁶ (msOf floors); clamp t·10⁶ to int64.
	var minNS int64
	switch {
	case t > math.MaxInt64/1_000_000:
		it.i = len(times)
		return chunkenc.ValNone
	case t < math.MinInt64/1_000_000:
		minNS = math.MinInt64
	default:
		minNS = t * 1_000_000
	}
	it.i = from + sort.Search(len(times)-from, func(j int) bool { return times[from+j] >= minNS })
	if it.i >= len(times) {
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}

func (it *floatIter[T]) At() (int64, float64) {
	ms := it.ms
	if len(ms.Flags) > 0 && ms.Flags[it.i]&1 != 0 {
		return msOf(ms.Times[it.i]), math.Float64frombits(value.StaleNaN)
	}
	return msOf(ms.Times[it.i]), ms.Values[it.i]
}

// AtHistogram and AtFloatHistogram are never called: Next and Seek
// report floats only.
func (it *floatIter[T]) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return it.AtT(), nil
}

func (it *floatIter[T]) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.AtT(), nil
}

func (it *floatIter[T]) AtT() int64 { return msOf(it.ms.Times[it.i]) }

func (it *floatIter[T]) AtST() int64 {
	if st := it.ms.StartTimes; len(st) > 0 && st[it.i] > 0 {
		return msOf(st[it.i])
	}
	return 0
}

func (*floatIter[T]) Err() error { return nil }
