package promvec

import (
	"math"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/kahansum"
)

// group is one output series of an aggregation: its labels and, per
// step, the running aggregate of the values added so far.
type group struct {
	metric labels.Labels
	acc    []accumulator // per step
}

// accumulator is an aggregation's state at one step of one group, as the
// engine's groupedAggregation keeps it for floats.
type accumulator struct {
	seen        bool
	incremental bool    // avg: switched to the incremental mean (the sum overflowed)
	value       float64 // sum, min, max; avg's direct sum
	kahanC      float64 // Kahan compensation of value (or of mean)
	mean        float64 // avg's incremental mean
	count       float64 // avg's and count's number of values
}

// add adds f to a with op, in the engine's arithmetic: values of a group
// at a step arrive in the order of the selected series, as the engine's
// do, so the float results are the engine's bit for bit.
func (a *accumulator) add(op parser.ItemType, f float64) {
	if !a.seen {
		*a = accumulator{seen: true, value: f, mean: f, count: 1}
		if op == parser.GROUP {
			a.value = 1
		}
		return
	}
	switch op {
	case parser.SUM:
		a.value, a.kahanC = kahansum.Inc(f, a.value, a.kahanC)
	case parser.AVG:
		// A direct Kahan sum while it stays finite, then the incremental
		// mean (see the engine's aggregation).
		a.count++
		if !a.incremental {
			v, c := kahansum.Inc(f, a.value, a.kahanC)
			if !math.IsInf(v, 0) {
				a.value, a.kahanC = v, c
				return
			}
			a.incremental = true
			a.mean = a.value / (a.count - 1)
			a.kahanC /= a.count - 1
		}
		q := (a.count - 1) / a.count
		a.mean, a.kahanC = kahansum.Inc(f/a.count, q*a.mean, q*a.kahanC)
	case parser.MAX:
		if a.value < f || math.IsNaN(a.value) {
			a.value = f
		}
	case parser.MIN:
		if a.value > f || math.IsNaN(a.value) {
			a.value = f
		}
	case parser.COUNT:
		a.count++
	case parser.GROUP:
	}
}

// result is the aggregate's value.
func (a *accumulator) result(op parser.ItemType) float64 {
	switch op {
	case parser.SUM:
		return a.value + a.kahanC
	case parser.AVG:
		if a.incremental {
			return a.mean + a.kahanC
		}
		return a.value/a.count + a.kahanC/a.count
	case parser.COUNT:
		return a.count
	}
	return a.value
}

// groupLabels are the labels of the group of a series whose labels are
// metric (after its metric name was dropped), as the engine's
// generateGroupingLabels makes them.
func groupLabels(b *labels.Builder, metric labels.Labels, without bool, grouping []string) labels.Labels {
	b.Reset(metric)
	switch {
	case without:
		b.Del(grouping...)
		b.Del(labels.MetricName)
		return b.Labels()
	case len(grouping) > 0:
		b.Keep(grouping...)
		return b.Labels()
	}
	return labels.EmptyLabels()
}
