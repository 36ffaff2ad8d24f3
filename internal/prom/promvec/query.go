package promvec

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/schema"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"
)

// query is a range query of a plan's shape. The embedded Query is the
// engine's: its statement, string, statistics, and its evaluation when
// this one falls back.
type query struct {
	promql.Query
	e    *Engine
	q    storage.Queryable
	stmt *parser.EvalStmt
	plan plan

	mu     sync.Mutex
	cancel context.CancelFunc // the running evaluation's
}

// Cancel stops the running evaluation (or the engine's).
func (q *query) Cancel() {
	q.mu.Lock()
	if q.cancel != nil {
		q.cancel()
	}
	q.mu.Unlock()
	q.Query.Cancel()
}

// errFallBack stops an evaluation that only the engine answers.
var errFallBack = errors.New("promvec: evaluated by the engine")

// Exec evaluates the query, or has the engine evaluate it.
func (q *query) Exec(ctx context.Context) *promql.Result {
	tctx, cancel := context.WithTimeout(ctx, q.e.opts.Timeout)
	defer cancel()
	q.mu.Lock()
	q.cancel = cancel
	q.mu.Unlock()
	mat, annos, err := q.evaluate(tctx)
	switch {
	case err == nil:
		q.e.evaluated()
		return &promql.Result{Value: mat, Warnings: annos}
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return &promql.Result{Err: promql.ErrQueryTimeout("expression evaluation")}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &promql.Result{Err: promql.ErrQueryCanceled("expression evaluation")}
	}
	// errFallBack, or a storage error: the engine's answer (and error).
	q.e.fellBack()
	return q.Query.Exec(ctx)
}

// evaluate reads the selected series one at a time and evaluates the
// plan over them.
func (q *query) evaluate(ctx context.Context) (promql.Matrix, annotations.Annotations, error) {
	p, s := &q.plan, q.stmt
	at := steps{start: s.Start.UnixMilli(), end: s.End.UnixMilli(), interval: s.Interval.Milliseconds()}
	if at.interval <= 0 || at.end < at.start {
		return nil, nil, errFallBack
	}
	mint, maxt := promql.FindMinMaxTime(s)
	querier, err := q.q.Querier(mint, maxt)
	if err != nil {
		return nil, nil, err
	}
	defer querier.Close()
	// The engine's hints (populateSeries, getTimeRangesForSelector): the
	// selector's parent is the range, so no grouping is passed.
	hints := &storage.SelectHints{
		Start: at.start - p.offsetMs - (p.rangeMs - 1),
		End:   at.end - p.offsetMs,
		Step:  at.interval,
		Range: p.rangeMs,
		Func:  p.fn,
	}
	set := querier.Select(ctx, false, hints, p.vs.LabelMatchers...)
	ev := newEvaluator(q.e.opts, p, at)
	var it chunkenc.Iterator
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		series := set.At()
		if err := ev.read(series, &it); err != nil {
			return nil, nil, err
		}
		if err := ev.series(series.Labels()); err != nil {
			return nil, nil, err
		}
	}
	if err := set.Err(); err != nil {
		return nil, nil, err
	}
	if len(set.Warnings()) > 0 {
		return nil, nil, errFallBack // the engine attaches them
	}
	mat, err := ev.matrix()
	return mat, ev.annos, err
}

// evaluator evaluates a plan over the series given to it one by one.
type evaluator struct {
	opts  Options
	plan  *plan
	at    steps
	n     int // steps
	buf   samples
	lb    labels.Builder
	held  int // samples held: every output point so far, and two per step of each group
	out   promql.Matrix
	grpIx map[string]int
	inner map[string]struct{} // the function's series' labels (aggregations, without delayed name removal)
	annos annotations.Annotations
	grps  []group
	// cur series' output, before it is known to be non-empty
	floats []promql.FPoint
}

func newEvaluator(opts Options, p *plan, at steps) *evaluator {
	return &evaluator{opts: opts, plan: p, at: at, n: at.count(), grpIx: map[string]int{}, inner: map[string]struct{}{}}
}

// plainSeries is a series whose float samples can be read in place
// (internal/prom/promstorage's): times in ns, values, and flags (bit 0: a
// stale marker), or false.
type plainSeries interface {
	PlainFloats() (timesNs []int64, values []float64, flags []uint32, ok bool)
}

// read reads a series' samples into e.buf, through its iterator (*it,
// reused) unless it is a floatAppender; a histogram sample or samples out
// of time order leave the query to the engine.
func (e *evaluator) read(series storage.Series, it *chunkenc.Iterator) error {
	s := &e.buf
	s.reset()
	if ps, ok := series.(plainSeries); ok && !e.opts.UseStartTimestamps {
		if t, f, flags, ok := ps.PlainFloats(); ok && len(t) == len(f) {
			s.t, s.f, s.unit = t, f, 1
			if slices.ContainsFunc(flags, func(fl uint32) bool { return fl&1 != 0 }) {
				// Leave the stale markers out, in a copy.
				s.ownT, s.ownF = s.ownT[:0], s.ownF[:0]
				for i := range t {
					if len(flags) == len(t) && flags[i]&1 != 0 {
						continue
					}
					s.ownT, s.ownF = append(s.ownT, t[i]), append(s.ownF, f[i])
				}
				s.t, s.f = s.ownT, s.ownF
			}
			s.findResets(false)
			return nil
		}
	}
	*it = series.Iterator(*it)
	return e.readIter(*it)
}

// readIter reads the samples of it into e.buf.
func (e *evaluator) readIter(it chunkenc.Iterator) error {
	s := &e.buf
	prev := int64(math.MinInt64)
	for {
		switch it.Next() {
		case chunkenc.ValNone:
			if err := it.Err(); err != nil {
				return err
			}
			s.t, s.f = s.ownT, s.ownF
			s.findResets(e.opts.UseStartTimestamps)
			return nil
		case chunkenc.ValFloat:
			t, f := it.At()
			if t <= prev {
				return errFallBack
			}
			prev = t
			if value.IsStaleNaN(f) {
				continue
			}
			s.ownT = append(s.ownT, t)
			s.ownF = append(s.ownF, f)
			if e.opts.UseStartTimestamps {
				s.st = append(s.st, it.AtST())
			}
		default:
			return errFallBack
		}
	}
}

// series evaluates the function over the series just read, whose labels
// are lset, and adds its values to the output.
func (e *evaluator) series(lset labels.Labels) error {
	e.floats = e.floats[:0]
	window := e.plan.eval(&e.buf, e.at, func(step int, v float64) {
		e.floats = append(e.floats, promql.FPoint{T: e.at.start + int64(step)*e.at.interval, F: v})
	})
	// The engine's peak: the largest window, on top of what it holds.
	if e.opts.MaxSamples > 0 && e.held+window > e.opts.MaxSamples {
		return errFallBack
	}
	if len(e.floats) == 0 {
		return nil
	}
	e.held += len(e.floats)
	if e.opts.MaxSamples > 0 && e.held > e.opts.MaxSamples {
		return errFallBack
	}
	if name := lset.Get(labels.MetricName); e.plan.isCounter && lacksCounterSuffix(name) {
		// As the engine adds it to rate and increase.
		e.annos.Add(annotations.NewPossibleNonCounterInfo(name, e.plan.ms.PositionRange()))
	}
	dropped := lset.DropReserved(schema.IsMetadataLabel)
	if e.plan.agg == nil {
		m := dropped
		if e.plan.hasQuantile && e.opts.DelayedNameRemoval {
			m = lset // histogram_quantile's input keeps the name until the end
		}
		e.out = append(e.out, promql.Series{Metric: m, Floats: append([]promql.FPoint(nil), e.floats...), DropName: true})
		return nil
	}
	keyed := dropped
	if e.opts.DelayedNameRemoval {
		keyed = lset
	} else {
		// The engine's function result must not hold two series of the
		// same labels before it is aggregated.
		k := string(dropped.Bytes(nil))
		if _, dup := e.inner[k]; dup {
			return errFallBack
		}
		e.inner[k] = struct{}{}
	}
	gl := groupLabels(&e.lb, keyed, e.plan.agg.Without, e.plan.grouping)
	key := string(gl.Bytes(nil))
	gi, ok := e.grpIx[key]
	if !ok {
		// A group's accumulators (40 B per step) count as two samples
		// per step against the engine's limit, before they are made.
		e.held += 2 * e.n
		if e.opts.MaxSamples > 0 && e.held > e.opts.MaxSamples {
			return errFallBack
		}
		gi = len(e.grps)
		e.grpIx[key] = gi
		e.grps = append(e.grps, group{metric: gl, acc: make([]accumulator, e.n)})
	}
	acc := e.grps[gi].acc
	op := e.plan.agg.Op
	for _, pt := range e.floats {
		acc[(pt.T-e.at.start)/e.at.interval].add(op, pt.F)
	}
	return nil
}

// matrix is the query's result, sorted as the engine sorts a range
// query's.
func (e *evaluator) matrix() (promql.Matrix, error) {
	if e.plan.agg != nil {
		op := e.plan.agg.Op
		for _, g := range e.grps {
			var pts []promql.FPoint
			for i := range g.acc {
				if g.acc[i].seen {
					pts = append(pts, promql.FPoint{T: e.at.start + int64(i)*e.at.interval, F: g.acc[i].result(op)})
				}
			}
			if len(pts) > 0 {
				m := g.metric
				if !e.plan.hasQuantile {
					m = m.DropReserved(schema.IsMetadataLabel)
				}
				e.out = append(e.out, promql.Series{Metric: m, Floats: pts, DropName: true})
			}
		}
	}
	if e.plan.hasQuantile {
		// The function's (or aggregation's) series, in the engine's order.
		if e.out.ContainsSameLabelset() {
			return nil, errFallBack // the engine's error, or its merge
		}
		var err error
		if e.out, err = e.quantiles(e.out); err != nil {
			return nil, err
		}
	}
	if e.out.ContainsSameLabelset() {
		return nil, errFallBack // the engine's error, or its merge
	}
	sort.Sort(e.out)
	return e.out, nil
}

// lacksCounterSuffix reports whether rate or increase over a metric of
// this name gets the engine's "metric might not be a counter" info.
func lacksCounterSuffix(name string) bool {
	return name != "" && !strings.HasSuffix(name, "_total") && !strings.HasSuffix(name, "_sum") &&
		!strings.HasSuffix(name, "_count") && !strings.HasSuffix(name, "_bucket")
}
