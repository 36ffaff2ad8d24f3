package traceql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// A compiled query is a WITH list of CTEs over otel_traces:
//
//   - s: the spans whose Timestamp is in [start, end), plus, when the query
//     needs them, the trace-level columns tq_root_name, tq_root_svc and
//     tq_trace_dur (computed over the same window);
//   - one CTE per spanset expression, each a relation of span keys
//     ("TraceId", "SpanId", "ParentSpanId", "G", "Ts"), G being the by()
//     group ('' when ungrouped) and Ts the span's start;
//   - recursive CTEs for the descendant and ancestor operators.
//
// Relations are sets (UNION dedups), so recursion over a malformed span
// tree (cycles) still ends. ClickHouse's recursive CTEs take UNION ALL
// only: there a cycle ends at the server's max_recursive_cte_evaluation_depth
// (default 1000) with an error instead.

type cte struct {
	name, sql string
	args      []any
}

type compiler struct {
	d         Dialect
	mat       schema.MaterializedSet
	ctes      []cte
	n         int
	needTL    bool
	recursive bool
	// since restricts s to the traces with a span at or after it
	// (SearchOptions.Since).
	since time.Time
	// rawIDs: the span IDs are raw bytes (SearchOptions.RawIDs).
	rawIDs bool
}

// hexID is the text (lower-case hex) of ID expression e.
func (c *compiler) hexID(e string) string {
	if c.rawIDs {
		return "lower(hex(" + e + "))"
	}
	return e
}

// w returns a writer for c's dialect.
func (c *compiler) w() *w { return &w{d: c.d, mat: c.mat} }

func strconvF(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func fieldErr(pos int, format string, a ...any) error {
	return &query.SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

func (c *compiler) add(prefix string, x *w) string {
	c.n++
	name := fmt.Sprintf("%s%d", prefix, c.n)
	c.ctes = append(c.ctes, cte{name: name, sql: x.b.String(), args: x.args})
	return name
}

func (c *compiler) union() string {
	if c.d == ClickHouse {
		return " UNION DISTINCT "
	}
	return " UNION "
}

// recUnion joins the two parts of a recursive CTE.
func (c *compiler) recUnion() string {
	if c.d == ClickHouse {
		return " UNION ALL "
	}
	return " UNION "
}

const keyCols = `"TraceId", "SpanId", "ParentSpanId", "G", "Ts"`

// rkeys are the key columns of relation alias a.
func rkeys(a string) string {
	return a + `."TraceId", ` + a + `."SpanId", ` + a + `."ParentSpanId", ` + a + `."G", ` + a + `."Ts"`
}

// joinS joins relation alias r to the spans s.
func joinS(r string) string {
	return ` JOIN s ON s."TraceId" = ` + r + `."TraceId" AND s."SpanId" = ` + r + `."SpanId"`
}

// spanset compiles sp and returns the name of its relation.
func (c *compiler) spanset(sp Spanset) (string, error) {
	switch n := sp.(type) {
	case *Filter:
		x := c.w()
		x.s(`SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s`)
		if n.Cond != nil {
			x.s(" WHERE ")
			if err := c.cond(x, n.Cond); err != nil {
				return "", err
			}
		}
		return c.add("f", x), nil
	case *SpansetOp:
		l, err := c.spanset(n.L)
		if err != nil {
			return "", err
		}
		r, err := c.spanset(n.R)
		if err != nil {
			return "", err
		}
		return c.spansetOp(n.Op, l, r), nil
	case *Pipeline:
		if r, ok, err := c.scanPipeline(n); ok || err != nil {
			return r, err
		}
		r, err := c.spanset(n.Src)
		if err != nil {
			return "", err
		}
		for _, st := range n.Stages {
			if r, err = c.stage(st, r); err != nil {
				return "", err
			}
		}
		return r, nil
	}
	return "", fmt.Errorf("traceql: BUG: spanset %T", sp)
}

// scanPipeline compiles, when it can, a pipeline of one spanset filter
// followed by by(), select() and aggregate filters only (`{ … } | by(x) |
// avg(duration) > 1s`, `{ … } | count() > 2`) in one scan of s: the
// filter's relation carries the by() groups and the aggregated values
// as columns, and each aggregate filter groups that relation, where the
// general path (stage) joins every matched span back to s by (TraceId,
// SpanId) for each stage and deduplicates every relation (docs/
// benchmarks.md, "Issue 10: reads (session 5)": 24.6 s at 5M spans).
// ok is false for other pipelines.
//
// The relation is not deduplicated: a span stored twice (the same
// TraceId and SpanId inserted twice) counts twice in count(), sum(), avg().
func (c *compiler) scanPipeline(n *Pipeline) (_ string, ok bool, _ error) {
	f, isFilter := n.Src.(*Filter)
	if !isFilter {
		return "", false, nil
	}
	hasAgg := false
	for _, st := range n.Stages {
		switch st.(type) {
		case *By, *Select:
		case *AggFilter:
			hasAgg = true
		default:
			return "", false, nil
		}
	}
	if !hasAgg {
		return "", false, nil
	}
	type agg struct {
		st     *AggFilter
		group  string // the group column at this stage ("" ungrouped)
		column string // the aggregated value's column ("" for count)
	}
	var aggs []agg
	x := c.w()
	x.s(`SELECT s."TraceId", s."SpanId", s."ParentSpanId", s."Timestamp" AS "Ts"`)
	group := ""
	for i, st := range n.Stages {
		switch st := st.(type) {
		case *Select:
			for _, fl := range st.Fields {
				if _, err := c.strExpr(c.w(), fl); err != nil {
					return "", true, err
				}
			}
		case *By:
			x.s(", ")
			for j, fl := range st.Fields {
				if j > 0 {
					x.s(" || '\x1f' || ")
				}
				if _, err := c.strExpr(x, fl); err != nil {
					return "", true, err
				}
			}
			group = fmt.Sprintf(`"g_%d"`, i)
			x.s(" AS ", group)
		case *AggFilter:
			a := agg{st: st, group: group}
			if st.Fn != "count" {
				x.s(", ")
				if err := c.numExpr(x, st.Field); err != nil {
					return "", true, err
				}
				a.column = fmt.Sprintf(`"a_%d"`, i)
				x.s(" AS ", a.column)
			}
			aggs = append(aggs, a)
		}
	}
	x.s(" FROM s")
	if f.Cond != nil {
		x.s(" WHERE ")
		if err := c.cond(x, f.Cond); err != nil {
			return "", true, err
		}
	}
	r := c.add("f", x)
	for _, a := range aggs {
		y := c.w()
		keys := `"TraceId"`
		if a.group != "" {
			keys = `"TraceId", ` + a.group
		}
		y.s("SELECT * FROM ", r, " WHERE (", keys, ") IN (SELECT ", keys, " FROM ", r, " GROUP BY ", keys, " HAVING ")
		if a.st.Fn == "count" {
			y.s("count(*)")
		} else {
			y.s(a.st.Fn, "(", a.column, ")")
		}
		y.s(" ", a.st.Op, " ")
		if a.st.Value.Kind == VDuration {
			y.p(float64(a.st.Value.D))
		} else {
			y.p(a.st.Value.N)
		}
		y.s(")")
		r = c.add("p", y)
	}
	y := c.w()
	g := "''"
	if group != "" {
		g = group
	}
	y.s(`SELECT "TraceId", "SpanId", "ParentSpanId", `, g, ` AS "G", "Ts" FROM `, r)
	return c.add("p", y), true, nil
}

func (c *compiler) spansetOp(op, l, r string) string {
	x := c.w()
	switch op {
	case "||":
		x.s("SELECT ", keyCols, " FROM ", l, c.union(), "SELECT ", keyCols, " FROM ", r)
	case "&&":
		x.s("SELECT ", keyCols, " FROM ", l, ` WHERE "TraceId" IN (SELECT "TraceId" FROM `, r, ")",
			c.union(), "SELECT ", keyCols, " FROM ", r, ` WHERE "TraceId" IN (SELECT "TraceId" FROM `, l, ")")
	case ">":
		x.s("SELECT ", rkeys("r"), " FROM ", r, ` r WHERE (r."TraceId" || r."ParentSpanId") IN (SELECT "TraceId" || "SpanId" FROM `, l, ")")
	case "<":
		x.s("SELECT ", rkeys("r"), " FROM ", r, ` r WHERE (r."TraceId" || r."SpanId") IN (SELECT "TraceId" || "ParentSpanId" FROM `, l, ")")
	case "~":
		x.s("SELECT DISTINCT ", rkeys("r"), " FROM ", r, " r JOIN ", l, ` l ON l."TraceId" = r."TraceId" AND l."ParentSpanId" = r."ParentSpanId"`,
			` WHERE r."ParentSpanId" <> '' AND l."SpanId" <> r."SpanId"`)
	case ">>", "<<":
		// The spans of the traces having both sides: the tree walked.
		t := c.w()
		t.s(`SELECT "TraceId", "SpanId", "ParentSpanId" FROM s WHERE "TraceId" IN (SELECT "TraceId" FROM `, l,
			`) AND "TraceId" IN (SELECT "TraceId" FROM `, r, ")")
		tree := c.add("t", t)
		c.n++
		rec := fmt.Sprintf("w%d", c.n)
		y := c.w()
		if op == ">>" {
			// rec: the descendants of l's spans.
			y.s(`SELECT "TraceId", "SpanId" FROM `, tree, ` WHERE ("TraceId" || "ParentSpanId") IN (SELECT "TraceId" || "SpanId" FROM `, l, ")",
				c.recUnion(), `SELECT t."TraceId", t."SpanId" FROM `, tree, " t JOIN ", rec, ` ON t."TraceId" = `, rec, `."TraceId" AND t."ParentSpanId" = `, rec, `."SpanId"`)
		} else {
			// rec: the ancestors of l's spans.
			y.s(`SELECT "TraceId", "ParentSpanId" AS "SpanId" FROM `, l, ` WHERE "ParentSpanId" <> ''`,
				c.recUnion(), `SELECT t."TraceId", t."ParentSpanId" AS "SpanId" FROM `, tree, " t JOIN ", rec, ` ON t."TraceId" = `, rec, `."TraceId" AND t."SpanId" = `, rec, `."SpanId"`,
				` WHERE t."ParentSpanId" <> ''`)
		}
		c.ctes = append(c.ctes, cte{name: rec, sql: y.b.String()})
		c.recursive = true
		x.s("SELECT ", rkeys("r"), " FROM ", r, ` r WHERE (r."TraceId" || r."SpanId") IN (SELECT "TraceId" || "SpanId" FROM `, rec, ")")
	}
	return c.add("o", x)
}

func (c *compiler) stage(st Stage, r string) (string, error) {
	x := c.w()
	switch n := st.(type) {
	case *Filter:
		x.s("SELECT DISTINCT ", rkeys("r"), " FROM ", r, " r", joinS("r"))
		if n.Cond != nil {
			x.s(" WHERE ")
			if err := c.cond(x, n.Cond); err != nil {
				return "", err
			}
		}
	case *Select:
		for _, f := range n.Fields {
			if _, err := c.strExpr(c.w(), f); err != nil {
				return "", err
			}
		}
		return r, nil
	case *By:
		x.s(`SELECT DISTINCT r."TraceId", r."SpanId", r."ParentSpanId", `)
		for i, f := range n.Fields {
			if i > 0 {
				x.s(" || '\x1f' || ")
			}
			if _, err := c.strExpr(x, f); err != nil {
				return "", err
			}
		}
		x.s(` AS "G", r."Ts" FROM `, r, " r", joinS("r"))
	case *AggFilter:
		x.s("SELECT ", rkeys("r"), " FROM ", r, ` r WHERE (`, c.hexID(`r."TraceId"`), ` || r."G") IN (SELECT `, c.hexID(`r2."TraceId"`), ` || r2."G" FROM `, r, " r2")
		if n.Fn != "count" {
			x.s(joinS("r2"))
		}
		x.s(` GROUP BY r2."TraceId", r2."G" HAVING `)
		if n.Fn == "count" {
			x.s("count(*)")
		} else {
			x.s(n.Fn, "(")
			if err := c.numExpr(x, n.Field); err != nil {
				return "", err
			}
			x.s(")")
		}
		x.s(" ", n.Op, " ")
		if n.Value.Kind == VDuration {
			x.p(float64(n.Value.D))
		} else {
			x.p(n.Value.N)
		}
		x.s(")")
	default:
		return "", fmt.Errorf("traceql: BUG: stage %T", st)
	}
	return c.add("p", x), nil
}

// numExpr writes f as a number (durations in nanoseconds).
func (c *compiler) numExpr(x *w, f *Field) error {
	switch f.Intrinsic {
	case IDuration:
		x.s(`s."Duration"`)
	case ITraceDuration:
		c.needTL = true
		x.s(`s."tq_trace_dur"`)
	case "":
		x.toNumber(func() { c.attrValue(x, f) })
	default:
		return fieldErr(f.Pos, "%s is not a number: aggregate duration, traceDuration or a numeric attribute", f.Text)
	}
	return nil
}

// intrinsicCol is the column of a string intrinsic of s.
func (c *compiler) intrinsicCol(in Intrinsic) string {
	switch in {
	case IName:
		return `s."SpanName"`
	case IStatus:
		return `s."StatusCode"`
	case IStatusMessage:
		return `s."StatusMessage"`
	case IKind:
		return `s."SpanKind"`
	case IRootName:
		c.needTL = true
		return `s."tq_root_name"`
	case IRootServiceName:
		c.needTL = true
		return `s."tq_root_svc"`
	case ITraceID:
		return c.hexID(`s."TraceId"`)
	case ISpanID:
		return c.hexID(`s."SpanId"`)
	case IParentID:
		return c.hexID(`s."ParentSpanId"`)
	}
	return ""
}

// strExpr writes f as a string (” when an attribute is absent) and
// returns the label it is known by.
func (c *compiler) strExpr(x *w, f *Field) (string, error) {
	switch f.Intrinsic {
	case "":
		x.s("coalesce(")
		c.attrValue(x, f)
		x.s(", '')")
	case IDuration:
		x.s(x.str(`s."Duration"`))
	case ITraceDuration:
		c.needTL = true
		x.s(x.str(`s."tq_trace_dur"`))
	case IStatus, IKind:
		x.s("lower(", c.intrinsicCol(f.Intrinsic), ")")
	case IEventName, ILinkTraceID, ILinkSpanID:
		return "", fieldErr(f.Pos, "%s has many values per span: it cannot be grouped or selected", f.Text)
	default:
		x.s(c.intrinsicCol(f.Intrinsic))
	}
	return f.Text, nil
}

// attrMaps are the map columns an attribute is looked up in.
func attrMaps(f *Field) []string {
	switch f.Scope {
	case ScopeSpan:
		return []string{"SpanAttributes"}
	case ScopeResource:
		return []string{"ResourceAttributes"}
	}
	return []string{"SpanAttributes", "ResourceAttributes"}
}

// attrValue writes the attribute's value, NULL when absent (span
// attributes before resource attributes for unscoped .x).
func (c *compiler) attrValue(x *w, f *Field) {
	if f.Scope == ScopeResource && f.Key == "service.name" {
		x.s(`s."ServiceName"`)
		return
	}
	maps := attrMaps(f)
	if x.d == ClickHouse {
		// m[k] is '' when absent: test presence explicitly.
		for _, m := range maps {
			x.s("if(")
			x.mapHas(m, f.Key)
			x.s(", ")
			x.mapGet(m, f.Key)
			x.s(", ")
		}
		x.s("NULL", strings.Repeat(")", len(maps)))
		return
	}
	if len(maps) == 1 {
		x.mapGet(maps[0], f.Key)
		return
	}
	x.s("coalesce(")
	for i, m := range maps {
		if i > 0 {
			x.s(", ")
		}
		x.mapGet(m, f.Key)
	}
	x.s(")")
}

func (c *compiler) cond(x *w, n Cond) error {
	switch n := n.(type) {
	case *CondOp:
		op := " AND "
		if n.Op == "||" {
			op = " OR "
		}
		x.s("(")
		if err := c.cond(x, n.L); err != nil {
			return err
		}
		x.s(op)
		if err := c.cond(x, n.R); err != nil {
			return err
		}
		x.s(")")
	case *Not:
		x.s("NOT coalesce((")
		if err := c.cond(x, n.X); err != nil {
			return err
		}
		x.s("), false)")
	case *BoolLit:
		if n.V {
			x.s("1 = 1")
		} else {
			x.s("1 = 0")
		}
	case *Cmp:
		return c.cmp(x, n)
	default:
		return fmt.Errorf("traceql: BUG: cond %T", n)
	}
	return nil
}

// scalarCmp writes `expr op value` for a string or numeric value.
func (c *compiler) scalarCmp(x *w, expr func(), op string, v any) {
	switch op {
	case "=~":
		x.regex(expr, v.(string))
	case "!~":
		x.s("NOT ")
		x.regex(expr, v.(string))
	default:
		expr()
		x.s(" ", op, " ")
		x.p(v)
	}
}

func (c *compiler) cmp(x *w, n *Cmp) error {
	f, v := n.Field, n.Value
	switch f.Intrinsic {
	case "":
		return c.attrCmp(x, n)
	case IDuration, ITraceDuration:
		return c.numCmp(x, f, n.Op, v.D)
	case IEventName, ILinkTraceID, ILinkSpanID:
		col := map[Intrinsic][2]string{IEventName: {"Events", "Name"}, ILinkTraceID: {"Links", "TraceId"},
			ILinkSpanID: {"Links", "SpanId"}}[f.Intrinsic]
		val := v.S
		if f.Intrinsic != IEventName && n.Op != "=~" && n.Op != "!~" {
			val = strings.ToLower(val)
		}
		x.s("(")
		x.anyElem(x.nested(col[0], col[1]), func(e string) {
			c.scalarCmp(x, func() { x.s(e) }, n.Op, val)
		})
		x.s(")")
		return nil
	case ITraceID, ISpanID, IParentID:
		val := v.S
		if n.Op != "=~" && n.Op != "!~" {
			val = strings.ToLower(val)
		}
		c.scalarCmp(x, func() { x.s(c.intrinsicCol(f.Intrinsic)) }, n.Op, val)
		return nil
	}
	col := c.intrinsicCol(f.Intrinsic)
	c.scalarCmp(x, func() { x.s(col) }, n.Op, v.S)
	return nil
}

func (c *compiler) numCmp(x *w, f *Field, op string, d int64) error {
	x.s("(")
	if err := c.numExpr(x, f); err != nil {
		return err
	}
	x.s(" ", op, " ")
	x.p(d)
	x.s(")")
	return nil
}

// attrCmp compares an attribute: it matches only when the attribute is
// present (also for !=), except `= nil`, which matches its absence.
func (c *compiler) attrCmp(x *w, n *Cmp) error {
	f, v := n.Field, n.Value
	maps := attrMaps(f)
	if f.Scope == ScopeResource && f.Key == "service.name" && (v.Kind == VString || v.Kind == VBool) {
		c.scalarCmp(x, func() { x.s(`s."ServiceName"`) }, n.Op, stringOf(v))
		return nil
	}
	join := " OR "
	if v.Kind == VNil && n.Op == "=" {
		join = " AND "
	}
	x.s("(")
	for i, m := range maps {
		if i > 0 {
			x.s(join)
		}
		switch v.Kind {
		case VNil:
			if n.Op == "=" {
				x.s("NOT ")
			}
			x.mapHas(m, f.Key)
		case VNumber:
			x.s("(")
			c.scalarCmp(x, func() { x.toNumber(func() { x.mapGet(m, f.Key) }) }, n.Op, v.N)
			x.s(")")
		default:
			// DuckDB's map value is NULL when absent, so the comparison
			// is false then; ClickHouse's is '' and needs the test.
			x.s("(")
			if x.d == ClickHouse {
				x.mapHas(m, f.Key)
				x.s(" AND ")
			}
			c.scalarCmp(x, func() { x.mapGet(m, f.Key) }, n.Op, stringOf(v))
			x.s(")")
		}
	}
	x.s(")")
	return nil
}

func stringOf(v *Value) string {
	switch v.Kind {
	case VBool:
		return strconv.FormatBool(v.B)
	case VNumber:
		return strconvF(v.N)
	}
	return v.S
}
