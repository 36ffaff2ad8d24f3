// Package promotlp converts Prometheus native histograms to OTLP points;
// the scrape receiver and the remote-write appender share it.
package promotlp

import (
	"errors"
	"math"

	"github.com/prometheus/prometheus/model/histogram"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// ErrNonInteger is returned for native histograms with non-integer counts,
// which OTLP's integer bucket counts cannot hold exactly.
var ErrNonInteger = errors.New("native histogram with non-integer counts")

// CheckIntegral reports whether every count of fh is a non-negative integer.
func CheckIntegral(fh *histogram.FloatHistogram) error {
	ok := func(f float64) bool { return f >= 0 && f == math.Trunc(f) && f < 1<<63 }
	if !ok(fh.Count) || !ok(fh.ZeroCount) {
		return ErrNonInteger
	}
	for _, bs := range [][]float64{fh.PositiveBuckets, fh.NegativeBuckets} {
		for _, b := range bs {
			if !ok(b) {
				return ErrNonInteger
			}
		}
	}
	return nil
}

// Temporality is the OTLP temporality of a native histogram sample:
// gauge histograms are delta, others cumulative.
func Temporality(fh *histogram.FloatHistogram) pmetric.AggregationTemporality {
	if fh.CounterResetHint == histogram.GaugeType {
		return pmetric.AggregationTemporalityDelta
	}
	return pmetric.AggregationTemporalityCumulative
}

// SetExponential fills dp from an exponential native histogram. Prometheus
// bucket index k+1 covers what OTLP index k covers, (base^k, base^(k+1)].
// Counts that are not non-negative integers (see CheckIntegral) are
// rounded (negative ones to 0); ExponentialFloatCounts returns them
// exactly, in the same layout.
func SetExponential(dp pmetric.ExponentialHistogramDataPoint, fh *histogram.FloatHistogram) {
	dp.SetScale(fh.Schema)
	dp.SetCount(toCount(fh.Count))
	dp.SetSum(fh.Sum)
	dp.SetZeroCount(toCount(fh.ZeroCount))
	dp.SetZeroThreshold(fh.ZeroThreshold)
	off, counts := dense(fh.PositiveBucketIterator())
	dp.Positive().SetOffset(off - 1)
	dp.Positive().BucketCounts().FromRaw(toCounts(counts))
	off, counts = dense(fh.NegativeBucketIterator())
	dp.Negative().SetOffset(off - 1)
	dp.Negative().BucketCounts().FromRaw(toCounts(counts))
}

// ExponentialFloatCounts returns the counts of fh laid out as
// SetExponential lays out the integer ones.
func ExponentialFloatCounts(fh *histogram.FloatHistogram) *store.FloatCounts {
	_, pos := dense(fh.PositiveBucketIterator())
	_, neg := dense(fh.NegativeBucketIterator())
	return &store.FloatCounts{Count: fh.Count, ZeroCount: fh.ZeroCount, Positive: pos, Negative: neg}
}

// SetCustomBuckets fills dp from a native histogram with custom buckets,
// counts rounded as by SetExponential (CustomFloatCounts: exact).
func SetCustomBuckets(dp pmetric.HistogramDataPoint, fh *histogram.FloatHistogram) {
	fc := CustomFloatCounts(fh)
	dp.SetCount(toCount(fc.Count))
	dp.SetSum(fh.Sum)
	dp.ExplicitBounds().FromRaw(fh.CustomValues)
	dp.BucketCounts().FromRaw(toCounts(fc.Buckets))
}

// CustomFloatCounts returns the counts of a custom-bucket histogram, one
// per bucket (len(CustomValues)+1), as SetCustomBuckets lays them out.
func CustomFloatCounts(fh *histogram.FloatHistogram) *store.FloatCounts {
	counts := make([]float64, len(fh.CustomValues)+1)
	it := fh.PositiveBucketIterator()
	for it.Next() {
		if b := it.At(); b.Index >= 0 && int(b.Index) < len(counts) {
			counts[b.Index] = b.Count
		}
	}
	return &store.FloatCounts{Count: fh.Count, Buckets: counts}
}

// toCount rounds a count to OTLP's unsigned integer.
func toCount(f float64) uint64 {
	switch {
	case !(f > 0): // also NaN
		return 0
	case f >= 1<<64:
		return math.MaxUint64
	}
	return uint64(math.Round(f))
}

func toCounts(fs []float64) []uint64 {
	out := make([]uint64, len(fs))
	for i, f := range fs {
		out[i] = toCount(f)
	}
	return out
}

// dense returns the buckets of it as counts from the first non-empty
// bucket's index to the last's.
func dense(it histogram.BucketIterator[float64]) (int32, []float64) {
	var (
		first  int32
		counts []float64
	)
	for it.Next() {
		b := it.At()
		if b.Count == 0 {
			continue
		}
		if counts == nil {
			first = b.Index
		}
		for int32(len(counts)) < b.Index-first {
			counts = append(counts, 0)
		}
		counts = append(counts, b.Count)
	}
	return first, counts
}
