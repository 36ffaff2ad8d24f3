package query

import (
	"math"
	"slices"
)

// histAcc adds up explicit-bucket histograms with the same bounds.
// counts has len(bounds)+1 entries, the last one being the +Inf bucket.
// Points whose bounds differ from the first point's are skipped (and
// counted in skipped): bucket counts of different layouts cannot be added.
type histAcc struct {
	bounds  []float64
	counts  []float64
	skipped int
}

func (h *histAcc) add(bounds, counts []float64) {
	if len(counts) == 0 {
		return
	}
	if h.counts == nil {
		h.bounds = slices.Clone(bounds)
		h.counts = make([]float64, len(counts))
	}
	if !slices.Equal(bounds, h.bounds) || len(counts) != len(h.counts) {
		h.skipped++
		return
	}
	for i, c := range counts {
		if c > 0 { // a negative delta is noise from a reset we could not see
			h.counts[i] += c
		}
	}
}

func (h *histAcc) merge(o *histAcc) {
	if o == nil || o.counts == nil {
		return
	}
	h.add(o.bounds, o.counts)
	h.skipped += o.skipped
}

// quantile estimates the q-quantile like Prometheus' histogram_quantile:
// find the bucket holding rank q·total and interpolate linearly inside it.
// The first bucket's lower bound is 0 when its upper bound is positive; a
// rank in the +Inf bucket returns the largest finite bound. NaN when the
// histogram is empty.
func (h *histAcc) quantile(q float64) float64 {
	if h == nil || len(h.counts) == 0 {
		return math.NaN()
	}
	total := 0.0
	for _, c := range h.counts {
		total += c
	}
	if total == 0 {
		return math.NaN()
	}
	if len(h.bounds) == 0 {
		return math.NaN() // one +Inf bucket: nothing to interpolate
	}
	rank := q * total
	cum := 0.0
	for i, c := range h.counts {
		if cum+c < rank || c == 0 {
			cum += c
			continue
		}
		if i == len(h.bounds) {
			return h.bounds[len(h.bounds)-1]
		}
		upper := h.bounds[i]
		lower := 0.0
		if i > 0 {
			lower = h.bounds[i-1]
		} else if upper <= 0 {
			return upper
		}
		return lower + (upper-lower)*(rank-cum)/c
	}
	return h.bounds[len(h.bounds)-1]
}
