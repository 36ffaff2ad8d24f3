package query

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// ChartPlan is a validated, bound chart for one dialect. Run it with
// Execute, which issues its SQL statements (ChartQuery) through the back
// end's QueryFunc and shapes the rows into series.
//
// Every statement reads one relation, the "inner" query, whose columns
// have fixed names: __b (bucket start, ns since the epoch), __g<i> (the
// group-by values as strings), __x<j> (select j's value), __c<j> (select
// j's own where) and __t (the row's time in ns). An outer query aggregates
// it. User text only ever reaches the SQL as bound arguments.
type ChartPlan struct {
	spec  *chartSpec
	d     chartDialect
	units []*unit
	// rank: some aggregate cannot be merged across groups (quantile,
	// count_distinct), so the top groups are chosen by a ranking query
	// first and the "other" group is aggregated by SQL.
	rank bool
}

// ChartQuery is one SQL statement of a chart: positional arguments and the
// kind of each result column.
type ChartQuery struct {
	SQL     string
	Args    []any
	Columns []ColumnKind
}

// ColumnKind is how a back end scans a chart result column.
type ColumnKind int

// Result column kinds. A back end passes NULL as nil.
const (
	// ColInt is an int64 (a bucket start in ns since the epoch).
	ColInt ColumnKind = iota
	// ColString is a string (a group value).
	ColString
	// ColFloat is a float64.
	ColFloat
	// ColFloats is a []float64 (histogram bounds and bucket counts).
	ColFloats
)

// unitKind is the shape of a unit's inner relation.
type unitKind int

const (
	unitRows    unitKind = iota // rows of a table (events, gauges, raw sum values)
	unitCounter                 // sum metric points as reset-aware increments
	unitHist                    // histogram points as per-series bucket deltas
	unitHeatmap                 // rows binned by value (heatmap)
)

// unit is one statement's worth of a chart: the selects read from the
// same relation.
type unit struct {
	kind    unitKind
	src     *schema.Source
	metric  string
	selects []int
	groups  []bexpr
	where   bpred
	values  map[int]bexpr // by select index; missing: count(*)
	conds   map[int]bpred // by select index; missing: no own where
}

// partKind is how a select's partial aggregate merges across groups and
// buckets.
type partKind int

const (
	pSum   partKind = iota // count, sum, rate, increase: add
	pMin                   // min
	pMax                   // max
	pAvg                   // avg: (sum, count)
	pAny                   // any: first seen
	pLast                  // last_value: (value, time)
	pExact                 // quantile, count_distinct: not mergeable
	pHist                  // histogram: bucket counts
)

func (s *selectSpec) part() partKind {
	if s.mtype == MetricHistogram {
		return pHist
	}
	switch s.fn {
	case AggCount, AggSum, AggRate, AggIncrease:
		return pSum
	case AggMin:
		return pMin
	case AggMax:
		return pMax
	case AggAvg:
		return pAvg
	case AggAny:
		return pAny
	case AggLastValue:
		return pLast
	}
	return pExact
}

// counterDeltas reports whether the select reads a sum metric as
// increments (rate, increase, sum) rather than raw values.
func (s *selectSpec) counterDeltas() bool {
	return s.mtype == MetricSum && (s.fn == AggRate || s.fn == AggIncrease || s.fn == AggSum)
}

// PlanChart validates r over [start, end) and binds it for dialect d.
// Errors are *ChartError naming the request field; for expressions they
// wrap the *SyntaxError, *FieldError or *TypeError with its position.
func PlanChart(r *ChartRequest, start, end time.Time, d Dialect) (*ChartPlan, error) {
	cd, ok := d.(chartDialect)
	if !ok {
		return nil, fmt.Errorf("query: dialect %v cannot render charts", d)
	}
	spec, err := r.validate(start, end)
	if err != nil {
		return nil, err
	}
	p := &ChartPlan{spec: spec, d: cd}
	for i := range spec.selects {
		if err := p.addSelect(i); err != nil {
			return nil, err
		}
	}
	for i := range spec.selects {
		if spec.selects[i].part() == pExact && len(spec.groups) > 0 {
			p.rank = true
		}
	}
	return p, nil
}

// addSelect binds select i into the unit that reads its relation (one
// unit for every select of logs or traces; one per select for metrics).
func (p *ChartPlan) addSelect(i int) error {
	s := &p.spec.selects[i]
	at := func(f string) string { return fmt.Sprintf("select[%d].%s", i, f) }
	kind := unitRows
	switch {
	case s.mtype == MetricHistogram:
		kind = unitHist
	case s.counterDeltas():
		kind = unitCounter
	case p.spec.display == DisplayHeatmap:
		kind = unitHeatmap
	}
	var u *unit
	if p.spec.source != "metrics" && len(p.units) > 0 {
		u = p.units[0]
	} else {
		u = &unit{kind: kind, src: s.src, metric: s.metric, values: map[int]bexpr{}, conds: map[int]bpred{}}
		b := &binder{src: s.src}
		if p.spec.where != nil {
			w, err := b.node(p.spec.where)
			if err != nil {
				return &ChartError{Field: "where", Err: err}
			}
			u.where = w
		}
		for gi, g := range p.spec.groups {
			x, err := bindValue(g, s.src)
			if err != nil {
				return &ChartError{Field: fmt.Sprintf("groupBy (%s)", p.spec.groupNames[gi]), Err: err}
			}
			u.groups = append(u.groups, asString(x))
		}
		p.units = append(p.units, u)
	}
	u.selects = append(u.selects, i)
	if s.value != nil {
		x, err := bindValue(s.value, s.src)
		if err != nil {
			return &ChartError{Field: at("valueExpression"), Err: err}
		}
		if s.fn != AggCountDistinct && (s.fn != AggCount || p.spec.display == DisplayHeatmap) {
			if x, err = asNumber(x, s.value.Position(), s.fn); err != nil {
				return &ChartError{Field: at("valueExpression"), Err: err}
			}
		}
		u.values[i] = x
	}
	if s.where != nil {
		c, err := (&binder{src: s.src}).node(s.where)
		if err != nil {
			return &ChartError{Field: at("where"), Err: err}
		}
		u.conds[i] = c
	}
	return nil
}

// Step is the bucket width; zero for table and number charts.
func (p *ChartPlan) Step() time.Duration { return p.spec.step }

// col names a column of the inner relation.
func col(prefix string, i int) string { return prefix + strconv.Itoa(i) }

// timeCol is the unit's time column.
func (u *unit) timeCol() string { return u.src.Table.TimeColumn }

// writeInner writes the unit's inner relation: a SELECT yielding __b,
// __g*, __x*, __c* and __t, restricted to [start, end) and the chart's
// where.
func (p *ChartPlan) writeInner(r *renderer, u *unit) {
	switch u.kind {
	case unitCounter:
		p.writeCounterInner(r, u)
		return
	case unitHist:
		p.writeHistInner(r, u)
		return
	}
	r.w("SELECT ")
	p.writeProjection(r, u, func(j int) {
		x, ok := u.values[j]
		if !ok {
			r.w("NULL")
			return
		}
		r.expr(x)
	})
	r.w(" FROM ")
	r.ident(u.src.Table.Name)
	r.w(" WHERE ")
	p.writeRange(r, u, p.spec.start)
}

// writeProjection writes "__b, __g*, __x*, __c*, __t" over the table's
// columns; value writes select j's value expression.
func (p *ChartPlan) writeProjection(r *renderer, u *unit, value func(j int)) {
	tc := u.timeCol()
	if p.spec.step > 0 {
		p.d.bucket(r, tc, int64(p.spec.step))
	} else {
		r.w("0")
	}
	r.w(" AS __b")
	for i, g := range u.groups {
		r.w(", ")
		if _, isMap := g.(*bMapValue); isMap {
			r.expr(g) // never NULL: an absent key reads '' on both back ends
		} else {
			r.w("coalesce(")
			r.expr(g)
			r.w(", '')")
		}
		r.w(" AS " + col("__g", i))
	}
	for _, j := range u.selects {
		r.w(", ")
		value(j)
		r.w(" AS " + col("__x", j))
		if c, ok := u.conds[j]; ok {
			r.w(", ")
			p.d.orFalse(r, func() { r.pred(c) })
			r.w(" AS " + col("__c", j))
		}
	}
	r.w(", ")
	p.d.epochNs(r, tc)
	r.w(" AS __t")
}

// writeRange writes the time range, metric name and chart filter.
func (p *ChartPlan) writeRange(r *renderer, u *unit, from time.Time) {
	tc := u.timeCol()
	r.ident(tc)
	r.w(" >= ")
	r.d.param(r, from)
	r.w(" AND ")
	r.ident(tc)
	r.w(" < ")
	r.d.param(r, p.spec.end)
	if u.metric != "" {
		r.w(" AND MetricName = ")
		r.d.param(r, u.metric)
	}
	if u.where != nil {
		r.w(" AND ")
		r.pred(u.where)
	}
}

// writeCounterInner reads sum-metric points as increments, per series
// (ServiceName, MetricName, Attributes, ResourceAttributes): a delta point
// is its own increment; a cumulative point's increment is the difference
// from the series' previous point, or the value itself after a reset (the
// value dropped on a monotonic sum, or the start time moved on). A series'
// first point has no increment. Points from metricLookback before the
// range are read so the first bucket's increments are not lost.
func (p *ChartPlan) writeCounterInner(r *renderer, u *unit) {
	r.w("SELECT ")
	p.writeProjection(r, u, func(int) {
		r.w("CASE WHEN AggregationTemporality = 1 THEN Value WHEN __pv IS NULL THEN NULL " +
			"WHEN StartTimeUnix > __ps THEN Value WHEN IsMonotonic AND Value < __pv THEN Value ELSE Value - __pv END")
	})
	r.w(" FROM (SELECT *, ")
	p.d.lag(r, "Value", false)
	r.w(" AS __pv, ")
	p.d.lag(r, "StartTimeUnix", false)
	r.w(" AS __ps FROM ")
	r.ident(u.src.Table.Name)
	r.w(" WHERE ")
	p.writeRange(r, u, p.spec.start.Add(-metricLookback))
	r.w(" WINDOW __w AS (PARTITION BY ")
	p.d.seriesKey(r)
	r.w(" ORDER BY TimeUnix)) WHERE ")
	p.writeFrom(r)
}

// writeHistInner reads histogram points as per-series deltas of
// BucketCounts, Count and Sum (cumulative temporality; delta points are
// their own deltas), with the same reset rule as counters (Count dropped,
// start time moved on, or the bucket layout changed).
func (p *ChartPlan) writeHistInner(r *renderer, u *unit) {
	j := u.selects[0]
	reset := func() {
		r.w("WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR ")
		p.d.arrayLen(r, "BucketCounts")
		r.w(" <> ")
		p.d.arrayLen(r, "__pb")
		r.w(" THEN ")
	}
	r.w("SELECT __b")
	for i := range u.groups {
		r.w(", " + col("__g", i))
	}
	r.w(", ExplicitBounds AS __bounds, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL ")
	reset()
	p.d.arrayToDouble(r, "BucketCounts")
	r.w(" ELSE ")
	p.d.arraySub(r, "BucketCounts", "__pb")
	r.w(" END AS __counts, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL ")
	reset()
	p.d.toDouble(r, "Count")
	r.w(" ELSE ")
	p.d.toDouble(r, "Count")
	r.w(" - ")
	p.d.toDouble(r, "__pc")
	r.w(" END AS __cnt, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL ")
	reset()
	r.w("Sum ELSE Sum - __psum END AS __sum FROM (SELECT ")
	p.writeProjection(r, u, func(int) { r.w("NULL") })
	r.w(", AggregationTemporality, StartTimeUnix, TimeUnix, Count, Sum, BucketCounts, ExplicitBounds")
	for _, l := range []struct {
		c, as string
		arr   bool
	}{{"BucketCounts", "__pb", true}, {"Count", "__pc", false}, {"Sum", "__psum", false}, {"StartTimeUnix", "__ps", false}} {
		r.w(", ")
		p.d.lag(r, l.c, l.arr)
		r.w(" AS " + l.as)
	}
	r.w(" FROM ")
	r.ident(u.src.Table.Name)
	r.w(" WHERE ")
	p.writeRange(r, u, p.spec.start.Add(-metricLookback))
	r.w(" WINDOW __w AS (PARTITION BY ")
	p.d.seriesKey(r)
	r.w(" ORDER BY TimeUnix)) WHERE ")
	p.writeFrom(r)
	if _, ok := u.conds[j]; ok {
		r.w(" AND " + col("__c", j))
	}
}

// aggFor is select j's aggregate call(s): its partial aggregates when
// final is false, else the one aggregate that ranks groups.
func (p *ChartPlan) aggFor(j int, final bool) []aggCall {
	s := &p.spec.selects[j]
	x, c := col("__x", j), ""
	if u := p.unitOf(j); u != nil {
		if _, ok := u.conds[j]; ok {
			c = col("__c", j)
		}
		if _, ok := u.values[j]; !ok && !s.counterDeltas() {
			x = ""
		}
	}
	a := aggCall{x: x, cond: c, level: s.level}
	switch s.part() {
	case pSum:
		a.fn = "sum"
		if s.fn == AggCount {
			a.fn = "count"
		}
	case pMin:
		a.fn = "min"
	case pMax:
		a.fn = "max"
	case pAvg:
		if final {
			a.fn = "avg"
			break
		}
		a.fn = "sum"
		n := a
		n.fn = "count"
		return []aggCall{a, n}
	case pAny:
		a.fn = "any"
	case pLast:
		a.fn, a.t = "argmax", "__t"
		if final {
			break
		}
		t := aggCall{fn: "max", x: "__t", cond: c}
		return []aggCall{a, t}
	case pExact:
		a.fn = "quantile"
		if s.fn == AggCountDistinct {
			a.fn = "uniq"
		}
	case pHist:
		a = aggCall{fn: "sum", x: "__cnt"}
	}
	return []aggCall{a}
}

// unitOf is the unit computing select j.
func (p *ChartPlan) unitOf(j int) *unit {
	for _, u := range p.units {
		for _, k := range u.selects {
			if k == j {
				return u
			}
		}
	}
	return nil
}

// rankQuery ranks the groups by select 0 over the whole range: the top
// Limit+1 group keys, best first (Limit+1 tells whether an "other" group
// exists).
func (p *ChartPlan) rankQuery() ChartQuery {
	u := p.unitOf(0)
	r := &renderer{d: p.d}
	r.w("SELECT ")
	var cols []ColumnKind
	for i := range u.groups {
		r.w(col("__g", i) + ", ")
		cols = append(cols, ColString)
	}
	p.d.agg(r, p.aggFor(0, true)[0])
	cols = append(cols, ColFloat)
	r.w(" AS __s FROM (")
	p.writeInner(r, u)
	r.w(") GROUP BY ")
	for i := range u.groups {
		if i > 0 {
			r.w(", ")
		}
		r.w(col("__g", i))
	}
	r.w(" ORDER BY __s DESC NULLS LAST")
	for i := range u.groups {
		r.w(", " + col("__g", i))
	}
	r.w(" LIMIT ")
	r.d.param(r, int64(p.spec.limit+1))
	return ChartQuery{SQL: r.b.String(), Args: r.args, Columns: cols}
}

// mainQuery is unit u's statement. With top set (the ranking query's
// keys, when there are more groups than the limit), rows of other groups
// are aggregated together under NULL keys: the "other" group.
func (p *ChartPlan) mainQuery(u *unit, top [][]string) ChartQuery {
	r := &renderer{d: p.d}
	cols := []ColumnKind{ColInt}
	for range u.groups {
		cols = append(cols, ColString)
	}
	if u.kind == unitHist {
		// Points, not aggregates: Execute merges them per bucket and group
		// (bucket counts add up exactly, so groups outside top are merged
		// into "other" there).
		r.w("SELECT * FROM (")
		p.writeInner(r, u)
		r.w(") WHERE __counts IS NOT NULL LIMIT ")
		r.d.param(r, int64(MaxChartRows+1))
		return ChartQuery{SQL: r.b.String(), Args: r.args, Columns: append(cols, ColFloats, ColFloats, ColFloat, ColFloat)}
	}
	r.w("SELECT __b")
	for i := range u.groups {
		if top != nil {
			r.w(", CASE WHEN __in THEN " + col("__g", i) + " END AS " + col("__k", i))
		} else {
			r.w(", " + col("__g", i))
		}
	}
	for _, j := range u.selects {
		for _, a := range p.aggFor(j, false) {
			r.w(", ")
			p.d.agg(r, a)
			cols = append(cols, ColFloat)
		}
	}
	r.w(" FROM (")
	if top != nil {
		r.w("SELECT *, ")
		p.writeInTop(r, u, top)
		r.w(" AS __in FROM (")
		p.writeInner(r, u)
		r.w(")")
	} else {
		p.writeInner(r, u)
	}
	r.w(") GROUP BY __b")
	for i := range u.groups {
		if top != nil {
			r.w(", " + col("__k", i))
		} else {
			r.w(", " + col("__g", i))
		}
	}
	r.w(" LIMIT ")
	r.d.param(r, int64(MaxChartRows+1))
	return ChartQuery{SQL: r.b.String(), Args: r.args, Columns: cols}
}

// writeInTop writes whether the row's group is one of top.
func (p *ChartPlan) writeInTop(r *renderer, u *unit, top [][]string) {
	r.w("(")
	for k, key := range top {
		if k > 0 {
			r.w(" OR ")
		}
		r.w("(")
		for i := range u.groups {
			if i > 0 {
				r.w(" AND ")
			}
			r.w(col("__g", i) + " = ")
			r.d.param(r, key[i])
		}
		r.w(")")
	}
	r.w(")")
}

// heatRangeQuery finds the value axis of a heatmap: the smallest positive
// (log scale) or smallest value, and the largest.
func (p *ChartPlan) heatRangeQuery() ChartQuery {
	u := p.units[0]
	x := col("__x", u.selects[0])
	r := &renderer{d: p.d}
	r.w("SELECT ")
	lo := aggCall{fn: "min", x: x}
	if p.spec.heatmap.Scale == "log" {
		lo.cond = "__pos"
	}
	p.d.agg(r, lo)
	r.w(", ")
	p.d.agg(r, aggCall{fn: "max", x: x})
	r.w(" FROM (SELECT " + x + ", " + x + " > 0 AS __pos FROM (")
	p.writeInner(r, u)
	r.w("))")
	return ChartQuery{SQL: r.b.String(), Args: r.args, Columns: []ColumnKind{ColFloat, ColFloat}}
}

// heatBinsQuery counts rows per (bucket, value bin) for the value axis
// [lo, hi] cut into bins (log or linear); values outside are clamped to
// the edge bins.
func (p *ChartPlan) heatBinsQuery(lo, hi float64) ChartQuery {
	h := p.spec.heatmap
	u := p.units[0]
	j := u.selects[0]
	x := col("__x", j)
	r := &renderer{d: p.d}
	if h.Scale == "log" {
		lo, hi = math.Log(lo), math.Log(hi)
	}
	r.w("SELECT __b, least(greatest(")
	p.d.floorInt(r, func() {
		r.w("(")
		if h.Scale == "log" {
			p.d.ln(r, x)
		} else {
			r.ident(x)
		}
		r.w(" - ")
		r.d.param(r, lo)
		r.w(") / ")
		r.d.param(r, (hi-lo)/float64(h.Bins))
	})
	r.w(", ")
	r.d.param(r, int64(0))
	r.w("), ")
	r.d.param(r, int64(h.Bins-1))
	r.w(") AS __y, ")
	c := ""
	if _, ok := u.conds[j]; ok {
		c = col("__c", j)
	}
	p.d.agg(r, aggCall{fn: "count", cond: c})
	r.w(" FROM (")
	p.writeInner(r, u)
	r.w(") WHERE " + x + " IS NOT NULL")
	if h.Scale == "log" {
		r.w(" AND " + x + " > 0")
	}
	r.w(" GROUP BY __b, __y LIMIT ")
	r.d.param(r, int64(MaxChartRows+1))
	return ChartQuery{SQL: r.b.String(), Args: r.args, Columns: []ColumnKind{ColInt, ColInt, ColFloat}}
}

// writeFrom drops the lookback rows read before the range start (after
// the window functions have seen them). The comparison is on integer
// nanoseconds: a timestamp parameter outside the table scan would be typed
// TIMESTAMP WITH TIME ZONE by DuckDB.
func (p *ChartPlan) writeFrom(r *renderer) {
	p.d.epochNs(r, "TimeUnix")
	r.w(" >= ")
	r.d.param(r, p.spec.start.UnixNano())
}
