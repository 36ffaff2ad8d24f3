package query

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ChartResult is a chart's answer: one series per select and group (per
// group for a ratio chart).
type ChartResult struct {
	Series []Series  `json:"series"`
	Meta   ChartMeta `json:"meta"`
}

// Series is one line (or table row, or heatmap value bin).
type Series struct {
	// Name is the select's name for an ungrouped chart ("errors /
	// requests" for a ratio), else the group's values (prefixed by the
	// select's name when there are several series per group).
	Name string `json:"name"`
	// Select is the index of the select item the series belongs to.
	Select int `json:"select"`
	// Group maps each groupBy expression (as written) to this series'
	// value; absent for ungrouped charts and for the "Other" series.
	Group map[string]string `json:"group,omitempty"`
	// Other marks the series aggregating every group beyond the limit.
	Other bool `json:"other,omitempty"`
	// Bin is a heatmap series' value range [lo, hi).
	Bin *[2]float64 `json:"bin,omitempty"`
	// Points are [unixMillis, value] pairs, oldest first; value is null
	// where there is nothing to aggregate (a bucket without rows for min,
	// max, avg, quantile…; counts and sums are 0 there).
	Points []Point `json:"points"`
}

// Point is a bucket start (Unix milliseconds) and a value; NaN is "no
// value" and is written as null.
type Point struct {
	T int64
	V float64
}

// MarshalJSON writes [t, v] or [t, null].
func (p Point) MarshalJSON() ([]byte, error) {
	v := "null"
	if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
		v = strconv.FormatFloat(p.V, 'g', -1, 64)
	}
	return []byte("[" + strconv.FormatInt(p.T, 10) + "," + v + "]"), nil
}

// UnmarshalJSON reads [t, v] or [t, null].
func (p *Point) UnmarshalJSON(b []byte) error {
	var a [2]*float64
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if a[0] == nil {
		return fmt.Errorf("point without time")
	}
	p.T, p.V = int64(*a[0]), math.NaN()
	if a[1] != nil {
		p.V = *a[1]
	}
	return nil
}

// ChartMeta describes how the chart was computed.
type ChartMeta struct {
	Source      string `json:"source"`
	DisplayType string `json:"displayType"`
	// Granularity and StepMillis are the bucket width ("" and 0 for table
	// and number charts, whose single point is at Start).
	Granularity string `json:"granularity,omitempty"`
	StepMillis  int64  `json:"stepMillis,omitempty"`
	// Start and End are the requested range, Unix milliseconds.
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// GroupBy are the groupBy expressions as written.
	GroupBy []string `json:"groupBy,omitempty"`
	// Groups is how many distinct groups had rows (when a quantile or
	// count_distinct is ranked in SQL, at most Limit+1: "more than Limit");
	// Limit how many were kept; Other whether the rest were merged into an
	// "Other" series.
	Groups int  `json:"groups"`
	Limit  int  `json:"limit,omitempty"`
	Other  bool `json:"other,omitempty"`
	// Rows is how many result rows the back end returned; Queries how many
	// statements ran.
	Rows    int `json:"rows"`
	Queries int `json:"queries"`
	// Heatmap is the value axis of a heatmap.
	Heatmap *HeatmapMeta `json:"heatmap,omitempty"`
	// SeriesReturnType is "ratio" when each series is select[0] /
	// select[1] (then every series has select 0); absent otherwise.
	SeriesReturnType string `json:"seriesReturnType,omitempty"`
}

// HeatmapMeta is a heatmap's value axis.
type HeatmapMeta struct {
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Bins  int     `json:"bins"`
	Scale string  `json:"scale"`
}

// QueryFunc runs q on a back end and calls row for every result row, with
// one value per q.Columns entry: int64 (ColInt), string (ColString),
// float64 (ColFloat), []float64 (ColFloats), or nil for NULL. It stops at
// the first error row returns.
type QueryFunc func(ctx context.Context, q ChartQuery, row func([]any) error) error

// otherKey is the group key of the "Other" series.
const otherKey = "\x00other"

// Execute runs the plan through run and returns the series.
func (p *ChartPlan) Execute(ctx context.Context, run QueryFunc) (*ChartResult, error) {
	acc := &accumulator{p: p, cells: make([]map[cellKey]*partial, len(p.spec.selects)), groups: map[string][]string{}}
	for i := range acc.cells {
		acc.cells[i] = map[cellKey]*partial{}
	}
	count := func(q ChartQuery, f func([]any) error) error {
		acc.queries++
		return run(ctx, q, func(row []any) error {
			acc.rows++
			acc.bytes += rowBytes(row)
			if acc.rows > MaxChartRows || acc.bytes > MaxChartBytes {
				return &ChartError{Err: fmt.Errorf("the chart needs more than %d result rows or %d MiB (buckets × groups): "+
					"use a coarser granularity, a shorter range, fewer groups or a narrower where", MaxChartRows, MaxChartBytes>>20)}
			}
			return f(row)
		})
	}
	if p.spec.display == DisplayHeatmap {
		return p.executeHeatmap(ctx, acc, count)
	}
	var top [][]string
	if p.rank {
		var keys [][]string
		err := count(p.rankQuery(), func(row []any) error {
			key := make([]string, len(p.spec.groups))
			for i := range key {
				key[i], _ = row[i].(string)
			}
			keys = append(keys, key)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("rank groups: %w", err)
		}
		if len(keys) > p.spec.limit || len(p.units) > 1 {
			top = keys[:min(len(keys), p.spec.limit)]
			acc.other = len(keys) > p.spec.limit
		}
		acc.order = keys[:min(len(keys), p.spec.limit)]
		acc.ranked = len(keys)
		acc.top = map[string]bool{}
		for _, k := range acc.order {
			acc.top[groupKey(k)] = true
		}
	}
	for _, u := range p.units {
		err := count(p.mainQuery(u, top), func(row []any) error { return acc.add(u, row) })
		if err != nil {
			return nil, fmt.Errorf("chart query: %w", err)
		}
	}
	return acc.result(), nil
}

// cellKey is one (bucket, group) cell.
type cellKey struct {
	b int64
	g string
}

// partial is a select's partial aggregate in one cell.
type partial struct {
	ok   bool
	a, b float64 // value; avg: (sum, count); last: (value, time)
	hist *histAcc
}

// accumulator merges result rows into cells.
type accumulator struct {
	p       *ChartPlan
	cells   []map[cellKey]*partial // by select index
	groups  map[string][]string    // group key → values
	top     map[string]bool        // rank path: the kept groups
	order   [][]string             // rank path: kept groups, best first
	ranked  int                    // rank path: groups the ranking returned (≤ limit+1)
	other   bool
	rows    int
	bytes   int
	queries int
}

// rowBytes estimates the memory a result row takes: what MaxChartBytes
// bounds (histogram points carry arrays; group keys can be long).
func rowBytes(row []any) int {
	n := 0
	for _, v := range row {
		switch x := v.(type) {
		case string:
			n += 16 + len(x)
		case []float64:
			n += 24 + 8*len(x)
		default:
			n += 8
		}
	}
	return n
}

func groupKey(vals []string) string { return strings.Join(vals, "\x1f") }

func (a *accumulator) cell(j int, k cellKey) *partial {
	c := a.cells[j][k]
	if c == nil {
		c = &partial{}
		a.cells[j][k] = c
	}
	return c
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f)
}

// add merges one row of unit u's main query.
func (a *accumulator) add(u *unit, row []any) error {
	b, _ := row[0].(int64)
	n := len(u.groups)
	key := ""
	if n > 0 {
		vals := make([]string, n)
		isOther := false
		for i := range n {
			s, ok := row[1+i].(string)
			if !ok {
				isOther = true
			}
			vals[i] = s
		}
		key = groupKey(vals)
		if !isOther && a.top != nil && !a.top[key] {
			isOther = true
		}
		if isOther {
			key = otherKey
			a.other = true
		} else if _, seen := a.groups[key]; !seen {
			a.groups[key] = vals
		}
	}
	k := cellKey{b: b, g: key}
	rest := row[1+n:]
	if u.kind == unitHist {
		j := u.selects[0]
		bounds, _ := rest[0].([]float64)
		counts, _ := rest[1].([]float64)
		c := a.cell(j, k)
		if c.hist == nil {
			c.hist = &histAcc{}
		}
		c.hist.add(bounds, counts)
		cnt, _ := num(rest[2])
		sum, _ := num(rest[3])
		c.a += sum
		c.b += cnt
		c.ok = true
		return nil
	}
	i := 0
	for _, j := range u.selects {
		s := &a.p.spec.selects[j]
		c := a.cell(j, k)
		v, ok := num(rest[i])
		switch s.part() {
		case pAvg:
			w, _ := num(rest[i+1])
			if ok && w > 0 {
				c.a += v
				c.b += w
				c.ok = true
			}
			i += 2
			continue
		case pLast:
			t, tok := num(rest[i+1])
			if ok && tok && (!c.ok || t >= c.b) {
				c.a, c.b, c.ok = v, t, true
			}
			i += 2
			continue
		}
		i++
		if ok {
			c.merge(s.part(), &partial{ok: true, a: v})
		}
	}
	return nil
}

// merge folds o into c.
func (c *partial) merge(k partKind, o *partial) {
	if !o.ok {
		return
	}
	if !c.ok {
		*c = partial{ok: true, a: o.a, b: o.b}
		if o.hist != nil {
			c.hist = &histAcc{}
			c.hist.merge(o.hist)
		}
		return
	}
	switch k {
	case pSum:
		c.a += o.a
	case pMin:
		c.a = math.Min(c.a, o.a)
	case pMax:
		c.a = math.Max(c.a, o.a)
	case pAvg, pHist:
		c.a += o.a
		c.b += o.b
		if o.hist != nil {
			if c.hist == nil {
				c.hist = &histAcc{}
			}
			c.hist.merge(o.hist)
		}
	case pLast:
		if o.b >= c.b {
			c.a, c.b = o.a, o.b
		}
	case pExact:
		c.a = math.NaN() // cannot merge: the rank path avoids this
	}
}

// final is the value of select s in a cell; secs is the cell's width in
// seconds (rates).
func (s *selectSpec) final(c *partial, secs float64) float64 {
	if c == nil || !c.ok {
		return math.NaN()
	}
	switch s.part() {
	case pAvg:
		return c.a / c.b
	case pHist:
		switch s.fn {
		case AggQuantile:
			return c.hist.quantile(s.level)
		case AggCount:
			return c.b
		case AggSum:
			return c.a
		default: // avg
			if c.b == 0 {
				return math.NaN()
			}
			return c.a / c.b
		}
	case pSum:
		if s.fn == AggRate {
			return c.a / secs
		}
	}
	return c.a
}

// zeroFilled reports whether an empty bucket of s reads as 0 (counts and
// sums) rather than "no value".
func (s *selectSpec) zeroFilled() bool {
	switch s.fn {
	case AggCount, AggCountDistinct, AggSum, AggRate, AggIncrease:
		return true
	}
	return false
}

// result ranks groups, merges those beyond the limit into "Other" and
// writes the series.
func (a *accumulator) result() *ChartResult {
	sp := a.p.spec
	res := &ChartResult{Meta: a.meta()}
	order := a.order
	if a.top == nil && len(sp.groups) > 0 {
		order = a.rankInGo()
	}
	res.Meta.Groups = max(len(a.groups), a.ranked)
	res.Meta.Other = a.other
	buckets := a.buckets()
	secs := sp.end.Sub(sp.start).Seconds()
	if sp.step > 0 {
		secs = sp.step.Seconds()
	}
	var groups []seriesGroup
	if len(sp.groups) == 0 {
		groups = []seriesGroup{{key: ""}}
	} else {
		for _, v := range order {
			groups = append(groups, seriesGroup{key: groupKey(v), vals: v})
		}
		if a.other {
			groups = append(groups, seriesGroup{key: otherKey, other: true})
		}
	}
	if sp.ratio {
		res.Series = a.ratioSeries(groups, buckets, secs)
		return res
	}
	for j := range sp.selects {
		s := &sp.selects[j]
		for _, g := range groups {
			if len(sp.groups) > 0 && !a.hasCells(j, g.key) {
				continue
			}
			ser := a.newSeries(j, s.name, g)
			if len(sp.groups) > 0 && len(sp.selects) > 1 {
				ser.Name = s.name + " · " + ser.Name
			}
			for _, b := range buckets {
				ser.Points = append(ser.Points, Point{T: a.pointTime(b), V: a.value(j, g.key, b, secs)})
			}
			res.Series = append(res.Series, ser)
		}
	}
	if res.Series == nil {
		res.Series = []Series{}
	}
	return res
}

// seriesGroup is one group of the result: its key and values, or the
// "Other" group; one group with key "" when the chart is not grouped.
type seriesGroup struct {
	key   string
	vals  []string
	other bool
}

// newSeries is an empty series of select j for group g, named name when
// the chart is not grouped and by the group's values (or "Other") when it
// is.
func (a *accumulator) newSeries(j int, name string, g seriesGroup) Series {
	sp := a.p.spec
	ser := Series{Name: name, Select: j, Other: g.other, Points: []Point{}}
	if len(sp.groups) == 0 {
		return ser
	}
	ser.Name = "Other"
	if !g.other {
		ser.Name = strings.Join(g.vals, ", ")
		ser.Group = map[string]string{}
		for i, n := range sp.groupNames {
			ser.Group[n] = g.vals[i]
		}
	}
	return ser
}

// value is select j's final value in bucket b of group key: NaN for no
// value, 0 for an empty bucket of a count or sum.
func (a *accumulator) value(j int, key string, b int64, secs float64) float64 {
	s := &a.p.spec.selects[j]
	v := s.final(a.cells[j][cellKey{b: b, g: key}], secs)
	if math.IsNaN(v) && s.zeroFilled() {
		v = 0
	}
	return v
}

// pointTime is the Unix milliseconds of bucket b's point: the bucket start,
// or the range start for table and number charts.
func (a *accumulator) pointTime(b int64) int64 {
	if a.p.spec.step == 0 {
		return a.p.spec.start.UnixMilli()
	}
	return b / int64(time.Millisecond)
}

func (a *accumulator) hasCells(j int, key string) bool {
	for k := range a.cells[j] {
		if k.g == key {
			return true
		}
	}
	return false
}

// buckets lists every bucket start (ns) of the range; one (0) for table
// and number charts.
func (a *accumulator) buckets() []int64 {
	sp := a.p.spec
	if sp.step == 0 {
		return []int64{0}
	}
	first, last := bucketStart(sp.start, sp.step), bucketStart(sp.end.Add(-1), sp.step)
	out := make([]int64, 0, (last-first)/int64(sp.step)+1)
	for b := first; b <= last; b += int64(sp.step) {
		out = append(out, b)
	}
	return out
}

// rankInGo orders the groups by select 0 over the whole range (best
// first, ties by value) and merges all but the first Limit into "Other".
func (a *accumulator) rankInGo() [][]string {
	sp := a.p.spec
	s0 := &sp.selects[0]
	k0 := s0.part()
	totals := map[string]*partial{}
	for k, c := range a.cells[0] {
		if k.g == otherKey {
			continue
		}
		t := totals[k.g]
		if t == nil {
			t = &partial{}
			totals[k.g] = t
		}
		t.merge(k0, c)
	}
	secs := sp.end.Sub(sp.start).Seconds()
	type scored struct {
		key   string
		score float64
	}
	var all []scored
	for key := range a.groups {
		score := math.Inf(-1)
		if v := s0.final(totals[key], secs); !math.IsNaN(v) {
			score = v
		}
		all = append(all, scored{key, score})
	}
	slices.SortFunc(all, func(x, y scored) int {
		if x.score != y.score {
			if x.score > y.score {
				return -1
			}
			return 1
		}
		return strings.Compare(x.key, y.key)
	})
	var order [][]string
	for i, s := range all {
		if i < sp.limit {
			order = append(order, a.groups[s.key])
			continue
		}
		a.other = true
		for j := range sp.selects {
			kind := sp.selects[j].part()
			for k, c := range a.cells[j] {
				if k.g != s.key {
					continue
				}
				a.cell(j, cellKey{b: k.b, g: otherKey}).merge(kind, c)
				delete(a.cells[j], k)
			}
		}
	}
	return order
}

func (a *accumulator) meta() ChartMeta {
	sp := a.p.spec
	m := ChartMeta{Source: sp.source, DisplayType: sp.display, Start: sp.start.UnixMilli(), End: sp.end.UnixMilli(),
		GroupBy: sp.groupNames, Rows: a.rows, Queries: a.queries}
	if len(sp.groups) > 0 {
		m.Limit = sp.limit
	}
	if sp.ratio {
		m.SeriesReturnType = ReturnRatio
	}
	if sp.step > 0 {
		m.Granularity = FormatGranularity(sp.step)
		m.StepMillis = sp.step.Milliseconds()
	}
	return m
}
