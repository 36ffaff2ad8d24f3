// Package promotlp converts Prometheus native histograms to OTLP points;
// the scrape receiver and the remote-write appender share it.
package promotlp

import (
	"errors"
	"math"

	"github.com/prometheus/prometheus/model/histogram"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// ErrNonInteger is returned for native histograms with non-integer counts,
// which OTLP's integer bucket counts cannot hold.
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

// SetExponential fills dp from an exponential native histogram (integral
// counts, see CheckIntegral). Prometheus bucket index k+1 covers what OTLP
// index k covers, (base^k, base^(k+1)]. The zero bucket width is not kept.
func SetExponential(dp pmetric.ExponentialHistogramDataPoint, fh *histogram.FloatHistogram) {
	dp.SetScale(fh.Schema)
	dp.SetCount(uint64(fh.Count))
	dp.SetSum(fh.Sum)
	dp.SetZeroCount(uint64(fh.ZeroCount))
	dp.SetZeroThreshold(fh.ZeroThreshold)
	off, counts := dense(fh.PositiveBucketIterator())
	dp.Positive().SetOffset(off - 1)
	dp.Positive().BucketCounts().FromRaw(counts)
	off, counts = dense(fh.NegativeBucketIterator())
	dp.Negative().SetOffset(off - 1)
	dp.Negative().BucketCounts().FromRaw(counts)
}

// SetCustomBuckets fills dp from a native histogram with custom buckets.
func SetCustomBuckets(dp pmetric.HistogramDataPoint, fh *histogram.FloatHistogram) {
	dp.SetCount(uint64(fh.Count))
	dp.SetSum(fh.Sum)
	dp.ExplicitBounds().FromRaw(fh.CustomValues)
	counts := make([]uint64, len(fh.CustomValues)+1)
	it := fh.PositiveBucketIterator()
	for it.Next() {
		if b := it.At(); b.Index >= 0 && int(b.Index) < len(counts) {
			counts[b.Index] = uint64(b.Count)
		}
	}
	dp.BucketCounts().FromRaw(counts)
}

// dense returns the buckets of it as counts from the first non-empty
// bucket's index to the last's.
func dense(it histogram.BucketIterator[float64]) (int32, []uint64) {
	var (
		first  int32
		counts []uint64
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
		counts = append(counts, uint64(b.Count))
	}
	return first, counts
}
