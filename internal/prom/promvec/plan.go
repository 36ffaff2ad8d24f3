package promvec

import (
	"math"
	"slices"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/schema"
)

// plan is a query of the shape evaluated here:
//
//	fn(selector[range] offset d)
//	op [by|without (labels)] (fn(selector[range] offset d))
//
// fn is rate, increase, delta, irate, idelta, sum_over_time,
// count_over_time, min_over_time or max_over_time; op is sum, avg, min, max, count or group,
// without a parameter; parentheses may surround either level. Either may
// be inside histogram_quantile(φ, …) with a literal φ in [0, 1]
// (quantile.go). The
// selector has no `@`, and neither `anchored` nor `smoothed`. Grouping by
// (or without) a metadata label (__name__, __type__, __unit__) is left to
// the engine: whether the label is still there depends on the engine's
// name-removal setting.
type plan struct {
	fn        string
	isCounter bool // counter resets are corrected (rate, increase)
	isRate    bool // per second (rate, irate)
	instant   bool // from the window's last two samples (irate, idelta)
	overTime  bool // over every sample of the window (sum, count, min, max _over_time)

	ms      *parser.MatrixSelector
	vs      *parser.VectorSelector
	rangeMs int64 // the window's length
	// rangeSeconds is ms.Range.Seconds(), which rate divides by.
	rangeSeconds float64
	offsetMs     int64 // its end before the step

	agg      *parser.AggregateExpr // nil: the function's series are the result
	grouping []string              // agg's labels, sorted

	quantile    float64 // histogram_quantile's φ
	hasQuantile bool    // the result is histogram_quantile(quantile, …)
}

// compile returns the plan of expr (the engine's statement, after its
// preprocessing), or false when expr is not of a shape evaluated here.
func compile(expr parser.Expr, _ Options) (plan, bool) {
	var p plan
	expr = unparen(expr)
	if call, ok := expr.(*parser.Call); ok && call.Func != nil && call.Func.Name == "histogram_quantile" && len(call.Args) == 2 {
		lit, ok := literal(call.Args[0]).(*parser.NumberLiteral)
		if !ok || math.IsNaN(lit.Val) || lit.Val < 0 || lit.Val > 1 {
			return plan{}, false // the engine's warning
		}
		p.quantile, p.hasQuantile = lit.Val, true
		expr = unparen(call.Args[1])
	}
	if agg, ok := expr.(*parser.AggregateExpr); ok {
		switch agg.Op {
		case parser.SUM, parser.AVG, parser.MIN, parser.MAX, parser.COUNT, parser.GROUP:
		default:
			return plan{}, false
		}
		if agg.Param != nil || slices.ContainsFunc(agg.Grouping, schema.IsMetadataLabel) {
			return plan{}, false
		}
		p.agg = agg
		p.grouping = slices.Sorted(slices.Values(agg.Grouping))
		expr = unparen(agg.Expr)
	}
	call, ok := expr.(*parser.Call)
	if !ok || call.Func == nil || len(call.Args) != 1 {
		return plan{}, false
	}
	switch call.Func.Name {
	case "rate":
		p.isCounter, p.isRate = true, true
	case "increase":
		p.isCounter = true
	case "delta":
	case "irate":
		p.instant, p.isRate = true, true
	case "idelta":
		p.instant = true
	case "sum_over_time", "count_over_time", "min_over_time", "max_over_time":
		p.overTime = true
	default:
		return plan{}, false
	}
	p.fn = call.Func.Name
	ms, ok := call.Args[0].(*parser.MatrixSelector)
	if !ok {
		return plan{}, false
	}
	vs, ok := ms.VectorSelector.(*parser.VectorSelector)
	if !ok || vs.Timestamp != nil || vs.StartOrEnd != 0 || vs.Anchored || vs.Smoothed || ms.Range <= 0 {
		return plan{}, false
	}
	p.ms, p.vs = ms, vs
	p.rangeMs = ms.Range.Milliseconds()
	p.rangeSeconds = ms.Range.Seconds()
	p.offsetMs = vs.OriginalOffset.Milliseconds() // Offset is set when the engine executes
	if p.rangeMs <= 0 || ms.Range%time.Millisecond != 0 {
		return plan{}, false
	}
	return p, true
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// literal strips parentheses and the engine's step-invariant wrappers
// from a constant argument.
func literal(e parser.Expr) parser.Expr {
	for {
		switch n := e.(type) {
		case *parser.ParenExpr:
			e = n.Expr
		case *parser.StepInvariantExpr:
			e = n.Expr
		default:
			return e
		}
	}
}
