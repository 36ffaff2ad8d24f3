// Package promsplit evaluates long PromQL range queries in parallel.
//
// Prometheus's engine evaluates a query on one goroutine. A range query's
// steps are independent of each other: the value at step t reads only the
// samples its selectors select around t (range, lookback, offset), and a
// subquery's inner steps are aligned to absolute multiples of its step. So
// Engine cuts a long range query into consecutive parts on the same step
// grid, evaluates them in parallel with the same engine (each part reads
// only its own time range from the storage) and joins the parts' series.
// A query whose value depends on its own range (`@ start()`, `@ end()`) or
// that asks for per-step statistics is not split; a split query that fails
// is evaluated again whole, so errors are exactly the unsplit engine's.
package promsplit

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/prometheus/prometheus/util/stats"
)

// DefaultMinStepsPerPart is the fewest steps a part of a split query has:
// below it the per-part overhead (listing metrics, reading labels) outweighs
// the parallelism.
const DefaultMinStepsPerPart = 64

// DefaultMaxParts bounds the parts of one query.
const DefaultMaxParts = 8

// Options configure an Engine. Zero values select the defaults.
type Options struct {
	// MaxParts bounds the parts of one query; zero: GOMAXPROCS, at most
	// DefaultMaxParts. 1 disables splitting.
	MaxParts int
	// MinStepsPerPart is the fewest steps of a part; zero:
	// DefaultMinStepsPerPart; at least 2.
	MinStepsPerPart int
	// Parser parses queries as the engine does (to find functions of the
	// query's own range); nil: parser.NewParser with default options.
	Parser parser.Parser
	// Ranges creates the whole query and its parts (internal/prom/promvec
	// over the engine); nil: the engine.
	Ranges RangeEngine
}

// RangeEngine creates range queries.
type RangeEngine interface {
	NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
		start, end time.Time, step time.Duration) (promql.Query, error)
}

// Engine is a promql.QueryEngine over a *promql.Engine whose long range
// queries are evaluated in parts in parallel. Instant queries are the
// engine's own.
type Engine struct {
	*promql.Engine
	opts Options
}

var _ promql.QueryEngine = (*Engine)(nil)

// New returns an Engine over ng.
func New(ng *promql.Engine, opts Options) *Engine {
	if opts.MaxParts <= 0 {
		opts.MaxParts = min(runtime.GOMAXPROCS(0), DefaultMaxParts)
	}
	if opts.MinStepsPerPart <= 0 {
		opts.MinStepsPerPart = DefaultMinStepsPerPart
	}
	opts.MinStepsPerPart = max(opts.MinStepsPerPart, 2)
	if opts.Parser == nil {
		opts.Parser = parser.NewParser(parser.Options{})
	}
	if opts.Ranges == nil {
		opts.Ranges = ng
	}
	return &Engine{Engine: ng, opts: opts}
}

// parts returns how many parts a range query of steps steps is cut into
// (1: not split).
func (e *Engine) parts(steps int64) int {
	n := min(int64(e.opts.MaxParts), steps/int64(e.opts.MinStepsPerPart))
	return int(max(n, 1))
}

// Splittable reports whether the value at a step of expr (as parsed) is
// independent of the range query's start and end, so that the query may
// be evaluated in parts (and its parts' results reused: promcache).
func Splittable(expr parser.Expr) bool { return splittable(expr) }

// splittable reports whether the value at a step of expr, as parsed
// (before the engine folds the query's own times into it), is independent
// of the query's start and end: no `@ start()` / `@ end()`, no start(),
// end() or range() (as functions or in duration expressions).
func splittable(expr parser.Expr) bool {
	ok := true
	var durations func(d *parser.DurationExpr)
	durations = func(d *parser.DurationExpr) {
		if d == nil {
			return
		}
		if d.Op == parser.RANGE {
			ok = false
		}
		for _, sub := range []parser.Expr{d.LHS, d.RHS} {
			if sd, isD := sub.(*parser.DurationExpr); isD {
				durations(sd)
			}
		}
	}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			ok = ok && n.StartOrEnd == 0
			durations(n.OriginalOffsetExpr)
		case *parser.MatrixSelector:
			durations(n.RangeExpr)
		case *parser.SubqueryExpr:
			ok = ok && n.StartOrEnd == 0
			durations(n.RangeExpr)
			durations(n.StepExpr)
			durations(n.OriginalOffsetExpr)
		case *parser.DurationExpr:
			durations(n)
		case *parser.Call:
			switch n.Func.Name {
			case "start", "end", "range":
				ok = false
			}
		}
		return nil
	})
	return ok
}

// NewRangeQuery returns the range query qs: the engine's own, or, when
// it has enough steps, a query evaluated in parts.
func (e *Engine) NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
	start, end time.Time, step time.Duration) (promql.Query, error) {
	whole, err := e.opts.Ranges.NewRangeQuery(ctx, q, opts, qs, start, end, step)
	if err != nil {
		return nil, err
	}
	// The engine evaluates at startMs + k·stepMs ≤ endMs, in whole
	// milliseconds (truncated as it truncates them); a step with a
	// fraction of a millisecond is not split.
	startMs, endMs, stepMs := start.UnixNano()/1e6, end.UnixNano()/1e6, step.Milliseconds()
	if step%time.Millisecond != 0 || stepMs <= 0 {
		return whole, nil
	}
	steps := (endMs-startMs)/stepMs + 1
	n := e.parts(steps)
	if n < 2 || (opts != nil && opts.EnablePerStepStats()) {
		return whole, nil
	}
	// The statement's expression has the query's times folded in: parse
	// qs again.
	expr, err := e.opts.Parser.ParseExpr(qs)
	if err != nil || !splittable(expr) {
		return whole, nil //nolint:nilerr // not split: the engine parsed qs
	}
	sq := &splitQuery{Query: whole}
	// Parts of steps/n or steps/n+1 steps, at least MinStepsPerPart (≥ 2:
	// a part of one step would be evaluated as an instant query).
	for i, from := int64(0), int64(0); i < int64(n); i++ {
		size := steps / int64(n)
		if i < steps%int64(n) {
			size++
		}
		to := from + size - 1
		part, err := e.opts.Ranges.NewRangeQuery(ctx, q, opts, qs,
			time.UnixMilli(startMs+from*stepMs), time.UnixMilli(startMs+to*stepMs), step)
		if err != nil {
			// The whole query was accepted: evaluate it unsplit.
			sq.closeParts()
			return whole, nil //nolint:nilerr
		}
		sq.parts = append(sq.parts, part)
		from = to + 1
	}
	return sq, nil
}

// splitQuery is a range query evaluated as parts (consecutive sub-ranges
// of its steps). The embedded Query is the whole query: its statement and
// string, and its evaluation when a part fails.
type splitQuery struct {
	promql.Query
	parts  []promql.Query
	whole  bool // the whole query was executed
	mu     sync.Mutex
	cancel context.CancelFunc
}

// Exec evaluates the parts in parallel and joins their series; if one
// fails, the whole query is evaluated instead, for the engine's own error
// (or answer).
func (s *splitQuery) Exec(ctx context.Context) *promql.Result {
	pctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	defer cancel()
	res := make([]*promql.Result, len(s.parts))
	var wg sync.WaitGroup
	for i, p := range s.parts {
		wg.Go(func() { res[i] = p.Exec(pctx) })
	}
	wg.Wait()
	for _, r := range res {
		if r.Err != nil {
			var timeout promql.ErrQueryTimeout
			var canceled promql.ErrQueryCanceled
			if ctx.Err() != nil || errors.As(r.Err, &timeout) || errors.As(r.Err, &canceled) {
				// Evaluating it whole would time out as well.
				return &promql.Result{Err: r.Err, Warnings: r.Warnings}
			}
			s.whole = true
			return s.Query.Exec(ctx)
		}
		if _, ok := r.Value.(promql.Matrix); !ok {
			s.whole = true
			return s.Query.Exec(ctx)
		}
	}
	return joinParts(res)
}

// joinParts joins the matrices of consecutive parts: each series' points
// in part order, the series sorted by labels as the engine sorts a range
// query's. Series found in one part keep that part's slices (released
// when the parts are closed).
func joinParts(res []*promql.Result) *promql.Result {
	var (
		out   promql.Matrix
		index = map[uint64][]int{} // labels hash → indexes in out
		warns annotations.Annotations
		owned []bool // out[i]'s slices were allocated here
	)
	for _, r := range res {
		warns.Merge(r.Warnings)
		for _, se := range r.Value.(promql.Matrix) {
			h := se.Metric.Hash()
			j := -1
			for _, k := range index[h] {
				if labels.Equal(out[k].Metric, se.Metric) && out[k].DropName == se.DropName {
					j = k
					break
				}
			}
			if j < 0 {
				index[h] = append(index[h], len(out))
				out = append(out, se)
				owned = append(owned, false)
				continue
			}
			if !owned[j] {
				out[j].Floats = append([]promql.FPoint(nil), out[j].Floats...)
				out[j].Histograms = append([]promql.HPoint(nil), out[j].Histograms...)
				owned[j] = true
			}
			out[j].Floats = append(out[j].Floats, se.Floats...)
			out[j].Histograms = append(out[j].Histograms, se.Histograms...)
		}
	}
	for i := range out {
		if owned[i] && len(out[i].Floats) == 0 {
			out[i].Floats = nil
		}
		if owned[i] && len(out[i].Histograms) == 0 {
			out[i].Histograms = nil
		}
	}
	sort.Sort(out)
	return &promql.Result{Value: out, Warnings: warns}
}

// Stats returns the whole query's statistics (splitQuery is not used when
// they are asked for).
func (s *splitQuery) Stats() *stats.Statistics { return s.Query.Stats() }

// Cancel stops the running parts (or the whole query).
func (s *splitQuery) Cancel() {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	s.Query.Cancel()
}

// Close releases the parts' and the whole query's memory.
func (s *splitQuery) Close() {
	s.closeParts()
	s.Query.Close()
}

func (s *splitQuery) closeParts() {
	for _, p := range s.parts {
		p.Close()
	}
	s.parts = nil
}
