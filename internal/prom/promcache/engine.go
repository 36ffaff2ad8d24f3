// Package promcache caches the results of PromQL range queries per hour of
// step time, as the query-frontends of Cortex, Mimir and Thanos cache them
// per split interval, with exact invalidation instead of a TTL.
//
// A range query's value at step t depends only on the samples its
// selectors read around t: [t − before, t + after], where before is the
// largest range + offset + lookback of its selectors (and subqueries) and
// after the largest negative offset — the per-step read margins that
// promql.FindMinMaxTime gives for the whole statement. So a result can be
// cut by step into hour buckets, each kept with the store's write
// generations (internal/store/metricgen) of the hours it read: a repeated
// query (same tenant, expression, step, step alignment and lookback) takes
// the buckets still current, evaluates only the missing steps — normally
// the newest hour — through the normal path (internal/prom/promsplit) and
// joins them. Every write (insert, late data, retention) bumps the
// generation of its hours after it is visible, so a bucket over changed
// data is never served.
//
// Not cached: queries whose value depends on their own range or on fixed
// times (`@`, start(), end(), range(): those promsplit does not split
// either), per-step statistics, one-step queries (evaluated as instant
// queries), results with warnings or infos (evaluated again every time),
// failed evaluations, and buckets that read an hour not yet sealed (see
// DefaultSealMargin).
package promcache

import (
	"context"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/store/metricgen"
)

// RangeEngine creates range queries: the path results are evaluated
// through (a *promsplit.Engine, or a *promql.Engine).
type RangeEngine interface {
	NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
		start, end time.Time, step time.Duration) (promql.Query, error)
}

// Engine is a RangeEngine whose queries are answered from a Cache where
// they can be.
type Engine struct {
	next   RangeEngine
	cache  *Cache
	gens   *metricgen.Tracker
	tenant string
	parser parser.Parser
}

// NewEngine returns an Engine over next for the store whose generations
// are gens, as tenant. With a nil cache or gens (a store that cannot
// report its writes) queries are next's own.
func NewEngine(next RangeEngine, c *Cache, gens *metricgen.Tracker, tenant string, p parser.Parser) *Engine {
	if p == nil {
		p = parser.NewParser(parser.Options{})
	}
	return &Engine{next: next, cache: c, gens: gens, tenant: tenant, parser: p}
}

// NewRangeQuery implements RangeEngine.
func (e *Engine) NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
	start, end time.Time, step time.Duration) (promql.Query, error) {
	whole, err := e.next.NewRangeQuery(ctx, q, opts, qs, start, end, step)
	if err != nil || e.cache == nil || e.gens == nil {
		return whole, err
	}
	plan, ok := e.cacheable(whole, opts, qs, start, end, step)
	if !ok {
		if m := e.cache.opts.Metrics; m != nil {
			m.Queries.WithLabelValues("uncacheable").Inc()
		}
		return whole, nil
	}
	return &cachedQuery{Query: whole, e: e, q: q, opts: opts, qs: qs, plan: plan}, nil
}

// shape is what a cacheable query's evaluation needs: its key, its steps
// and its per-step read margins.
type shape struct {
	key           queryKey
	start, end    int64 // ms, end on the grid
	step          int64 // ms
	before, after int64 // ms read before / after each step
}

// cacheable reports whether the range query is cached, and its shape.
func (e *Engine) cacheable(whole promql.Query, opts promql.QueryOpts, qs string, start, end time.Time, step time.Duration) (shape, bool) {
	startMs, endMs, stepMs := start.UnixNano()/1e6, end.UnixNano()/1e6, step.Milliseconds()
	if step%time.Millisecond != 0 || stepMs <= 0 || endMs-startMs < stepMs || start.UnixNano()%1e6 != 0 {
		return shape{}, false // one step (an instant query), or sub-ms times
	}
	if opts != nil && opts.EnablePerStepStats() {
		return shape{}, false
	}
	stmt, ok := whole.Statement().(*parser.EvalStmt)
	if !ok {
		return shape{}, false
	}
	expr, err := e.parser.ParseExpr(qs)
	if err != nil || !promsplit.Splittable(expr) || fixedTimes(expr) {
		return shape{}, false
	}
	before, after := margins(stmt, startMs, endMs)
	align := startMs % stepMs
	if align < 0 {
		align += stepMs
	}
	return shape{
		key: queryKey{tenant: e.tenant, tracker: e.gens.ID(), expr: expr.String(), step: stepMs, align: align,
			lookback: stmt.LookbackDelta.Milliseconds()},
		start: startMs, end: startMs + (endMs-startMs)/stepMs*stepMs, step: stepMs, before: before, after: after,
	}, true
}

// fixedTimes reports whether expr reads at a fixed time (`@ t`): such a
// value does not depend on the samples around the step.
func fixedTimes(expr parser.Expr) bool {
	fixed := false
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			fixed = fixed || n.Timestamp != nil || n.StartOrEnd != 0
		case *parser.SubqueryExpr:
			fixed = fixed || n.Timestamp != nil || n.StartOrEnd != 0
		}
		return nil
	})
	return fixed
}

// margins are the per-step read margins of stmt: what the whole range
// [start, end] reads beyond it (promql.FindMinMaxTime: ranges, lookback,
// offsets, subqueries, anchored/smoothed selectors). Without selectors
// nothing is read.
func margins(stmt *parser.EvalStmt, start, end int64) (before, after int64) {
	selectors := false
	parser.Inspect(stmt.Expr, func(node parser.Node, _ []parser.Node) error {
		if _, ok := node.(*parser.VectorSelector); ok {
			selectors = true
		}
		return nil
	})
	if !selectors {
		return 0, 0
	}
	mint, maxt := promql.FindMinMaxTime(stmt)
	return max(start-mint, 0), max(maxt-end, 0)
}
