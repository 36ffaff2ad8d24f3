package query

import (
	"math"
	"strings"
)

// Ratio charts: HyperDX's seriesReturnType "ratio". A chart with exactly
// two selects returns one series per group whose value in each bucket is
// select[0] / select[1] — error rate as errors / requests, cache hit ratio
// as hits / lookups.
//
// Where the division happens, deliberately: in Go, per (bucket, group)
// cell, after both selects are final — not in SQL. The planner already
// returns partial aggregates and finishes them in Go, for reasons a ratio
// inherits:
//   - "Other" is merged from the partials of the groups beyond the limit
//     (or aggregated under NULL keys by SQL on the rank path); its ratio
//     must be Σ errors / Σ requests of those groups, which only exists
//     after that merge — a ratio column in SQL would have to be averaged;
//   - avg is (sum, count), rate is the increase divided by the bucket's
//     seconds and a histogram quantile is interpolated from bucket counts,
//     all computed in Go (final), so SQL has no final value to divide;
//   - on the metrics source each select is its own statement (one table
//     and metric each), so the two operands never meet in one SQL query.
//
// Dividing the two aligned finals is therefore exact for every aggFn and
// source, identical for DuckDB and ClickHouse, and needs no SQL beyond the
// two selects' own (the golden files of ratio charts show exactly those
// statements). Groups are ranked, as in every chart, by select[0] (the
// numerator: for an error rate, the services with the most errors), which
// keeps a group with one request and one error (100 %) from crowding out
// the busy ones.

// Series return types.
const (
	// ReturnColumn is one series per select and group (the default).
	ReturnColumn = "column"
	// ReturnRatio is one series per group: select[0] / select[1].
	ReturnRatio = "ratio"
)

// setReturnType validates the chart's seriesReturnType for n selects.
func (s *chartSpec) setReturnType(rt string, n int) error {
	switch strings.ToLower(strings.TrimSpace(rt)) {
	case "", ReturnColumn:
		return nil
	case ReturnRatio:
	default:
		return chartErr("seriesReturnType", "unknown seriesReturnType %q: use \"column\" (a series per select) or \"ratio\" (select[0] / select[1])", rt)
	}
	if n != 2 {
		return chartErr("seriesReturnType", "a ratio divides select[0] by select[1]: give exactly two select items (got %d), or set seriesReturnType to \"column\"", n)
	}
	if s.display == DisplayHeatmap {
		return chartErr("seriesReturnType", "a heatmap cannot show a ratio: use displayType line, table or number")
	}
	s.ratio = true
	return nil
}

// ratioName names the ratio series of an ungrouped chart: "errors / requests".
func (s *chartSpec) ratioName() string {
	return s.selects[0].name + " / " + s.selects[1].name
}

// ratioSeries writes one series per group (that has rows for either
// select): select[0] / select[1] in each bucket.
func (a *accumulator) ratioSeries(groups []seriesGroup, buckets []int64, secs float64) []Series {
	sp := a.p.spec
	out := []Series{}
	for _, g := range groups {
		if len(sp.groups) > 0 && !a.hasCells(0, g.key) && !a.hasCells(1, g.key) {
			continue
		}
		ser := a.newSeries(0, sp.ratioName(), g)
		for _, b := range buckets {
			v := divide(a.value(0, g.key, b, secs), a.value(1, g.key, b, secs))
			ser.Points = append(ser.Points, Point{T: a.pointTime(b), V: v})
		}
		out = append(out, ser)
	}
	return out
}

// divide is num / den, or NaN (no point, written as null) when either has
// no value or den is 0: an empty bucket of an error rate has no rate, it
// is neither 0 nor +Inf.
func divide(num, den float64) float64 {
	if math.IsNaN(num) || math.IsNaN(den) || den == 0 {
		return math.NaN()
	}
	v := num / den
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}
