package promvec

import (
	"math"

	"github.com/prometheus/prometheus/util/kahansum"
)

// samples are one series' float samples in time order, stale markers
// left out (the engine leaves them out of every window).
type samples struct {
	// t are the times in units of unit ns: 1e6 (ms, as the engine's) or
	// 1 (ns as stored, whose ms are floor(t / 10⁶)).
	t    []int64
	unit int64
	f    []float64
	st   []int64 // start timestamps (ms, 0: unknown), parallel to t; nil unless Options.UseStartTimestamps
	// resets are the indexes i > 0 at which the counter restarts: f[i] <
	// f[i-1], or (with start timestamps) a new start timestamp.
	resets []int
	// ownT and ownF hold t and f when they are not a store's slices.
	ownT []int64
	ownF []float64
}

// reset empties s for samples read into its own slices, in ms.
func (s *samples) reset() {
	s.ownT, s.ownF = s.ownT[:0], s.ownF[:0]
	s.t, s.f, s.unit, s.st, s.resets = s.ownT, s.ownF, 1_000_000, s.st[:0], s.resets[:0]
}

// ms is the engine's time of sample i.
func (s *samples) ms(i int) int64 {
	if s.unit == 1_000_000 {
		return s.t[i]
	}
	return floorDiv(s.t[i], 1_000_000) // unit 1 (ns): a constant divisor
}

// bound is the time t ms in s's unit: samples before it are before t ms.
func (s *samples) bound(t int64) int64 {
	switch {
	case s.unit == 1_000_000:
		return t
	case t > math.MaxInt64/1_000_000:
		return math.MaxInt64
	case t < math.MinInt64/1_000_000:
		return math.MinInt64
	}
	return t * 1_000_000 // unit 1 (ns)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// findResets fills s.resets, as extrapolatedRate tests each pair of
// consecutive samples of a window.
func (s *samples) findResets(useStartTimestamps bool) {
	for i := 1; i < len(s.f); i++ {
		if s.f[i] < s.f[i-1] || (useStartTimestamps && isStartReset(s.st[i-1], s.t[i-1], s.st[i], s.t[i])) {
			s.resets = append(s.resets, i)
		}
	}
}

// isStartReset reports whether a sample whose start timestamp is curST
// restarts the counter of the previous sample (prevST, prevT), as the
// engine decides it with UseStartTimestamps.
func isStartReset(prevST, prevT, curST, curT int64) bool {
	switch {
	case curST == 0 || curST > curT: // unknown, or invalid
		return false
	case curST < prevT:
		return false
	case curST > prevT:
		return true
	case prevST > prevT: // invalid: as unknown
		return false
	}
	// The start points at the previous sample: a delta series (a reset)
	// or a cumulative one whose start is unknown (none).
	return prevST != 0
}

// steps are a range query's evaluation times, in ms.
type steps struct {
	start, end, interval int64
}

func (s steps) count() int { return int((s.end-s.start)/s.interval) + 1 }

// eval computes p's function of s at every step whose window (the
// samples after maxt − range and at or before maxt = step − offset) holds
// two samples or more, and calls emit with the step's index and value;
// it returns the most samples a window held. Windows only move forward,
// so the window's bounds and the next counter reset are found by moving
// indexes: O(samples + steps + resets).
func (p *plan) eval(s *samples, at steps, emit func(step int, v float64)) (maxWindow int) {
	n := len(s.t)
	lo, hi, r := 0, 0, 0 // window = s[lo:hi]; resets[r:] are after lo
	for i, ts := 0, at.start; ts <= at.end; i, ts = i+1, ts+at.interval {
		maxt := ts - p.offsetMs
		mint := maxt - p.rangeMs
		// In the window: mint < ms ≤ maxt, i.e. (mint+1) ms ≤ t < (maxt+1) ms.
		for end := s.bound(maxt + 1); hi < n && s.t[hi] < end; hi++ {
		}
		for from := s.bound(mint + 1); lo < hi && s.t[lo] < from; lo++ {
		}
		maxWindow = max(maxWindow, hi-lo)
		if p.overTime && hi > lo {
			emit(i, p.overWindow(s.f[lo:hi]))
			continue
		}
		if hi-lo < 2 {
			continue
		}
		first, last := lo, hi-1
		if p.instant {
			emit(i, p.instantValue(s, last))
			continue
		}
		result := s.f[last] - s.f[first]
		if p.isCounter {
			for r < len(s.resets) && s.resets[r] <= first {
				r++
			}
			for k := r; k < len(s.resets) && s.resets[k] <= last; k++ {
				result += s.f[s.resets[k]-1]
			}
		}
		emit(i, p.extrapolate(ts, s.ms(first), s.ms(last), last-first, s.f[first], result))
	}
	return maxWindow
}

// overWindow is the *_over_time function's value over the window's
// values, as the engine's funcSumOverTime, funcCountOverTime and
// compareOverTime compute it.
func (p *plan) overWindow(w []float64) float64 {
	switch p.fn {
	case "count_over_time":
		return float64(len(w))
	case "sum_over_time":
		var sum, c float64
		for _, f := range w {
			sum, c = kahansum.Inc(f, sum, c)
		}
		if math.IsInf(sum, 0) {
			return sum
		}
		return sum + c
	case "max_over_time":
		v := w[0]
		for _, f := range w {
			if f > v || math.IsNaN(v) {
				v = f
			}
		}
		return v
	}
	v := w[0] // min_over_time
	for _, f := range w {
		if f < v || math.IsNaN(v) {
			v = f
		}
	}
	return v
}

// instantValue is irate's or idelta's value from samples last-1 and
// last, as the engine's instantValue computes it for floats.
func (p *plan) instantValue(s *samples, last int) float64 {
	prev := last - 1
	result := s.f[last]
	reset := s.f[last] < s.f[prev] ||
		(len(s.st) > 0 && isStartReset(s.st[prev], s.ms(prev), s.st[last], s.ms(last)))
	if !p.isRate || !reset {
		// A gauge, or a counter without a reset (or with a NaN value); a
		// counter that reset starts from zero: its last value.
		result = s.f[last] - s.f[prev]
	}
	if p.isRate {
		result /= float64(s.ms(last)-s.ms(prev)) / 1000
	}
	return result
}

// extrapolate turns the change result between the window's first and
// last samples (times firstT and lastT, numSamplesMinusOne intervals
// apart, the first of value firstF) into the function's value at step ts,
// extrapolated towards the window's bounds as Prometheus's
// extrapolatedRate does it, operation for operation.
func (p *plan) extrapolate(ts, firstT, lastT int64, numSamplesMinusOne int, firstF, result float64) float64 {
	rangeStart := ts - (p.rangeMs + p.offsetMs)
	rangeEnd := ts - p.offsetMs
	durationToStart := float64(firstT-rangeStart) / 1000
	durationToEnd := float64(rangeEnd-lastT) / 1000
	sampledInterval := float64(lastT-firstT) / 1000
	averageDurationBetweenSamples := sampledInterval / float64(numSamplesMinusOne)

	// Up to 10% more than the average interval away from a bound: the
	// series covers the window up to that bound; farther: it starts or
	// ends half an interval beyond its first or last sample.
	extrapolationThreshold := averageDurationBetweenSamples * 1.1
	if durationToStart >= extrapolationThreshold {
		durationToStart = averageDurationBetweenSamples / 2
	}
	if p.isCounter {
		// A counter is not extrapolated below zero.
		durationToZero := durationToStart
		if result > 0 && firstF >= 0 {
			durationToZero = sampledInterval * (firstF / result)
		}
		if durationToZero < durationToStart {
			durationToStart = durationToZero
		}
	}
	if durationToEnd >= extrapolationThreshold {
		durationToEnd = averageDurationBetweenSamples / 2
	}
	factor := (sampledInterval + durationToStart + durationToEnd) / sampledInterval
	if p.isRate {
		factor /= p.rangeSeconds
	}
	return result * factor
}
