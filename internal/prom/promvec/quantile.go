package promvec

import (
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/schema"
)

// bucketSet is one output series of histogram_quantile: the classic
// histogram of the input series that differ only in their `le` label.
type bucketSet struct {
	metric  labels.Labels
	buckets promql.Buckets // this step's
	points  []promql.FPoint
}

// quantiles evaluates histogram_quantile(φ, inner) at every step, as the
// engine's funcHistogramQuantile does over inner's values at the step:
// inner's series are its input vector in the engine's order, so each
// histogram's buckets are in its order too. Anything the engine answers
// with an annotation (an `le` that is not a number, buckets that are not
// monotonic) leaves the query to the engine.
func (e *evaluator) quantiles(inner promql.Matrix) (promql.Matrix, error) {
	sets := map[string]*bucketSet{}
	var order []*bucketSet
	type input struct {
		upper float64
		set   *bucketSet
		next  int // the next point at or after this step
	}
	in := make([]input, len(inner))
	var buf []byte
	for i, s := range inner {
		upper, err := strconv.ParseFloat(s.Metric.Get(labels.BucketLabel), 64)
		if err != nil {
			return nil, errFallBack // the engine's bad-bucket-label warning
		}
		buf = s.Metric.BytesWithoutLabels(buf, labels.BucketLabel)
		set, ok := sets[string(buf)]
		if !ok {
			set = &bucketSet{metric: labels.NewBuilder(s.Metric).Del(labels.BucketLabel).Labels()}
			sets[string(buf)] = set
			order = append(order, set)
		}
		in[i] = input{upper: upper, set: set}
	}
	for ts := e.at.start; ts <= e.at.end; ts += e.at.interval {
		for _, set := range order {
			set.buckets = set.buckets[:0]
		}
		for i := range in {
			pts := inner[i].Floats
			if n := in[i].next; n < len(pts) && pts[n].T == ts {
				in[i].set.buckets = append(in[i].set.buckets, promql.Bucket{UpperBound: in[i].upper, Count: pts[n].F})
				in[i].next++
			}
		}
		for _, set := range order {
			if len(set.buckets) == 0 {
				continue
			}
			q, forcedMonotonic, _, _, _, _ := promql.BucketQuantile(e.plan.quantile, set.buckets)
			if forcedMonotonic {
				return nil, errFallBack // the engine's info
			}
			set.points = append(set.points, promql.FPoint{T: ts, F: q})
		}
	}
	var out promql.Matrix
	for _, set := range order {
		if len(set.points) > 0 {
			out = append(out, promql.Series{Metric: set.metric.DropReserved(schema.IsMetadataLabel), Floats: set.points, DropName: true})
		}
	}
	return out, nil
}
