// Package promvec evaluates the commonest shapes of dashboard PromQL range
// query — an aggregation of a rate over a selector, such as
// `sum by (job) (rate(http_requests_total[5m]))`, and a latency quantile
// over one, `histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))`
// — one series at a time over plain slices, instead of through
// Prometheus's evaluator.
//
// Prometheus's engine evaluates `rate(x[5m])` at every step of a range
// query by refilling a ring of the window's samples through the storage
// iterator and then walking the window again in extrapolatedRate; with
// 15 s scrapes, 5 m windows and a 60 s step every sample is copied and
// read five times, and that is most of the query's CPU. Here each
// series' samples are read once into a slice; at each step two indexes
// move forward to the window's first and last sample and a third walks
// the series' counter resets, so the step costs O(1) beyond its resets.
// The aggregation adds each series' value into its group's Kahan sum per
// step, in the order the engine adds them, so results are bit-for-bit the
// engine's.
//
// Only what is exactly the engine's is evaluated here (see plan.go): any
// other query, and any evaluation that meets something outside that set
// (a native histogram sample, an annotation the engine would attach, a
// storage error or warning, labels that collide once the metric name is
// dropped, more samples than the engine's limit), is evaluated by the
// engine itself, as if this package were not there.
package promvec

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
)

// Options are the settings of the engine a query would otherwise be
// evaluated by; they decide what the engine's answer is.
type Options struct {
	// MaxSamples is the engine's EngineOpts.MaxSamples: an evaluation
	// that would hold more samples is left to the engine (and its error).
	MaxSamples int
	// Timeout is the engine's EngineOpts.Timeout.
	Timeout time.Duration
	// UseStartTimestamps is EngineOpts.UseStartTimestamps: counter resets
	// are also detected from samples' start timestamps.
	UseStartTimestamps bool
	// DelayedNameRemoval is EngineOpts.EnableDelayedNameRemoval.
	DelayedNameRemoval bool
	// TypeAndUnitLabels is EngineOpts.EnableTypeAndUnitLabels: queries
	// are then left to the engine.
	TypeAndUnitLabels bool
	// Observe, if set, is told each range query's outcome: "vectorized"
	// (evaluated here), "fell_back" or "engine" (declined).
	Observe func(outcome string)
}

// Counts are how range queries were evaluated since the Engine was made.
type Counts struct {
	// Evaluated here.
	Evaluated atomic.Int64
	// Declined: the query is not of a shape evaluated here.
	Declined atomic.Int64
	// FellBack: the query's shape is, but its evaluation met something
	// that only the engine answers (see the package comment).
	FellBack atomic.Int64
}

// Engine is a range-query engine over a *promql.Engine: queries of the
// shapes in plan.go are evaluated here, all others by the engine.
type Engine struct {
	ng     *promql.Engine
	opts   Options
	counts *Counts
}

// New returns an Engine over ng, whose options opts must describe.
// counts may be nil.
func New(ng *promql.Engine, opts Options, counts *Counts) *Engine {
	if counts == nil {
		counts = &Counts{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	return &Engine{ng: ng, opts: opts, counts: counts}
}

// Counts returns the Engine's counts.
func (e *Engine) Counts() *Counts { return e.counts }

func (e *Engine) declined() {
	e.counts.Declined.Add(1)
	if e.opts.Observe != nil {
		e.opts.Observe("engine")
	}
}

func (e *Engine) evaluated() {
	e.counts.Evaluated.Add(1)
	if e.opts.Observe != nil {
		e.opts.Observe("vectorized")
	}
}

func (e *Engine) fellBack() {
	e.counts.FellBack.Add(1)
	if e.opts.Observe != nil {
		e.opts.Observe("fell_back")
	}
}

// NewRangeQuery returns the engine's range query qs, evaluated here when
// its shape allows.
func (e *Engine) NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
	start, end time.Time, step time.Duration) (promql.Query, error) {
	inner, err := e.ng.NewRangeQuery(ctx, q, opts, qs, start, end, step)
	if err != nil {
		return nil, err
	}
	if e.opts.TypeAndUnitLabels || (opts != nil && opts.EnablePerStepStats()) {
		e.declined()
		return inner, nil
	}
	stmt, ok := inner.Statement().(*parser.EvalStmt)
	if !ok {
		e.declined()
		return inner, nil
	}
	p, ok := compile(stmt.Expr, e.opts)
	if !ok || stmt.Interval <= 0 {
		e.declined()
		return inner, nil
	}
	return &query{Query: inner, e: e, q: q, stmt: stmt, plan: p}, nil
}

// NewInstantQuery returns the engine's own instant query.
func (e *Engine) NewInstantQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
	ts time.Time) (promql.Query, error) {
	return e.ng.NewInstantQuery(ctx, q, opts, qs, ts)
}
