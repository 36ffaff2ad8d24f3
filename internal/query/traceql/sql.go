package traceql

import (
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// SQL is a statement and its positional arguments.
type SQL struct {
	Query string
	Args  []any
}

// SearchOptions bound a search.
type SearchOptions struct {
	// Start and End bound the spans read by Timestamp (End exclusive).
	Start, End time.Time
	// Limit is the number of traces returned (most recent first).
	Limit int
	// SpansPerSet caps the spans returned per spanset.
	SpansPerSet int
	// MinDuration and MaxDuration, when not zero, keep the traces whose
	// duration (first span start to last span end) is within them.
	MinDuration, MaxDuration time.Duration
	// Materialized are the database's materialised attribute columns,
	// read instead of the maps (nil: none).
	Materialized schema.MaterializedSet
	// Since, when not zero (and without duration bounds), restricts the
	// search to the traces having a span in [Since, End): their spans in
	// [Start, End) are all read, so the query is evaluated on whole
	// traces, and only traces whose latest matched span is at or after
	// Since are returned. Every trace matching the full search with its
	// latest matched span in [Since, End) is found, and any trace not
	// found has its latest match before Since: a search returning Limit
	// traces with a Since is exact (Store.TraceQLSearch widens Since
	// until it is). For aggregates, whose relations are built over every
	// span read, this cuts the work to the traces of the slice.
	Since time.Time
	// RawIDs (DuckDB only) says otel_traces' TraceId, SpanId and
	// ParentSpanId are BLOBs of the raw IDs, not hex strings: the
	// statement compares, groups and orders them as they are and hexes
	// only what it returns and what trace:id, span:id and parent:id
	// compare. The answer is the same; hashing 16 bytes instead of
	// converting every span's IDs to text makes whole-range aggregates
	// several times cheaper.
	RawIDs bool
}

// Search columns, in order: trace_id, start_ns, end_ns, root_svc,
// root_name, grp, matched, rn, span_id, span_start, span_dur, span_name,
// span_svc, then one string column per select() field.
const searchFixedCols = 13

// SearchSQL compiles a search: the matching traces, most recent first (by
// their latest matched span; by their start when a duration bound is
// given), at most o.Limit, each with its matched spans (at most o.SpansPerSet per
// spanset, i.e. per by() group).
func SearchSQL(q *Query, d Dialect, o SearchOptions) (SQL, error) {
	if q.Metrics != nil {
		return SQL{}, fieldErr(q.Metrics.Pos, "%s() makes a metrics query: run it on /api/metrics/query_range, not search", q.Metrics.Fn)
	}
	c := &compiler{d: d, mat: o.Materialized, rawIDs: o.RawIDs && d == DuckDB}
	if o.MinDuration == 0 && o.MaxDuration == 0 {
		c.since = o.Since
	}
	root, err := c.spanset(q.Spans)
	if err != nil {
		return SQL{}, err
	}
	x := c.w()
	x.s(`m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM `, root, "), ")
	trCols := func() {
		x.s(`SELECT s."TraceId" AS "trace_id", min(`, x.epochNs(`s."Timestamp"`), `) AS "start_ns", max(`,
			x.epochNs(`s."Timestamp"`), ` + s."Duration") AS "end_ns", `,
			`coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", `,
			`coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s`)
	}
	limit := fmt.Sprint(max(o.Limit, 1))
	if o.MinDuration == 0 && o.MaxDuration == 0 {
		// The newest traces by their latest matched span, then their
		// summary: only the spans of those traces are read again.
		x.s(`top AS (SELECT "TraceId", max("Ts") AS "ts" FROM `, root, ` GROUP BY "TraceId" `)
		if !c.since.IsZero() {
			x.s(`HAVING max("Ts") >= `)
			x.p(c.since)
			x.s(" ")
		}
		x.s(`ORDER BY "ts" DESC, "TraceId" LIMIT `, limit, "), ")
		x.s("tr AS (")
		trCols()
		x.s(` WHERE s."TraceId" IN (SELECT "TraceId" FROM top) GROUP BY s."TraceId"), `)
	} else {
		// The trace durations decide which traces qualify: summarise every
		// matched trace, then keep the newest.
		x.s("tr AS (")
		trCols()
		x.s(` WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId"`)
		var having []string
		if o.MinDuration > 0 {
			having = append(having, "min")
		}
		if o.MaxDuration > 0 {
			having = append(having, "max")
		}
		for i, h := range having {
			if i == 0 {
				x.s(" HAVING ")
			} else {
				x.s(" AND ")
			}
			x.s("max(", x.epochNs(`s."Timestamp"`), ` + s."Duration") - min(`, x.epochNs(`s."Timestamp"`), ")")
			if h == "min" {
				x.s(" >= ")
				x.p(o.MinDuration.Nanoseconds())
			} else {
				x.s(" <= ")
				x.p(o.MaxDuration.Nanoseconds())
			}
		}
		x.s(` ORDER BY "start_ns" DESC, "trace_id" LIMIT `, limit, "), ")
	}
	x.s(`ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", `,
		`row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", `,
		c.hexID(`s."SpanId"`), ` AS "span_id", `, x.epochNs(`s."Timestamp"`), ` AS "span_start", s."Duration" AS "span_dur", `,
		`s."SpanName" AS "span_name", s."ServiceName" AS "span_svc"`)
	for i, f := range q.Select {
		x.s(", ")
		if _, err := c.strExpr(x, f); err != nil {
			return SQL{}, err
		}
		x.s(fmt.Sprintf(` AS "sel_%d"`, i))
	}
	x.s(` FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) `)
	x.s(`SELECT `, c.hexID(`tr."trace_id"`), `, tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", `,
		`ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc"`)
	for i := range q.Select {
		x.s(fmt.Sprintf(`, ms."sel_%d"`, i))
	}
	x.s(` FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= `, fmt.Sprint(max(o.SpansPerSet, 1)),
		` ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"`)
	return c.finish(o.Start, o.End, x), nil
}

// finish prepends the WITH list (s and the spanset CTEs) to tail, which
// starts with the final CTEs and ends with the SELECT.
func (c *compiler) finish(start, end time.Time, tail *w) SQL {
	x := c.w()
	x.s("WITH ")
	if c.recursive {
		x.s("RECURSIVE ")
	}
	// since: only the traces with a span in [since, end) (SearchOptions.Since).
	inSlice := func() {
		if c.since.IsZero() {
			return
		}
		x.s(` AND "TraceId" IN (SELECT "TraceId" FROM "otel_traces" WHERE "Timestamp" >= `)
		x.p(c.since)
		x.s(` AND "Timestamp" < `)
		x.p(end)
		x.s(")")
	}
	if c.needTL {
		x.s(`b AS `, c.inline(), `(SELECT * FROM "otel_traces" WHERE "Timestamp" >= `)
		x.p(start)
		x.s(` AND "Timestamp" < `)
		x.p(end)
		inSlice()
		x.s("), ")
		x.s(`tl AS (SELECT "TraceId" AS "tq_id", `,
			`coalesce(max(CASE WHEN "ParentSpanId" = '' THEN "SpanName" END), '') AS "tq_root_name", `,
			`coalesce(max(CASE WHEN "ParentSpanId" = '' THEN "ServiceName" END), '') AS "tq_root_svc", `,
			`max(`, x.epochNs(`"Timestamp"`), ` + "Duration") - min(`, x.epochNs(`"Timestamp"`), `) AS "tq_trace_dur" `,
			`FROM b GROUP BY "TraceId"), `)
		x.s(`s AS `, c.inline(), `(SELECT b.*, tl."tq_root_name", tl."tq_root_svc", tl."tq_trace_dur" FROM b JOIN tl ON tl."tq_id" = b."TraceId")`)
	} else {
		x.s(`s AS `, c.inline(), `(SELECT * FROM "otel_traces" WHERE "Timestamp" >= `)
		x.p(start)
		x.s(` AND "Timestamp" < `)
		x.p(end)
		inSlice()
		x.s(")")
	}
	for _, ct := range c.ctes {
		x.s(", ", ct.name, " AS ", c.materialize(ct), "(", ct.sql, ")")
		x.args = append(x.args, ct.args...)
	}
	x.s(", ")
	x.s(tail.b.String())
	x.args = append(x.args, tail.args...)
	return SQL{Query: x.b.String(), Args: x.args}
}

// inline marks the span CTEs for inlining: DuckDB would otherwise
// materialise every column of every span in the window (maps included)
// because they are read more than once; ClickHouse always inlines.
func (c *compiler) inline() string {
	if c.d == DuckDB {
		return "NOT MATERIALIZED "
	}
	return ""
}

// materialize marks a spanset relation for materialisation in DuckDB:
// relations are small (the matched spans' keys) and read several times;
// recursive CTEs are left to DuckDB.
func (c *compiler) materialize(ct cte) string {
	if c.d == DuckDB && !strings.HasPrefix(ct.name, "w") {
		return "MATERIALIZED "
	}
	return ""
}

// MetricsOptions bound a metrics query.
type MetricsOptions struct {
	Start, End time.Time
	// Step is the bucket width (> 0).
	Step time.Duration
	// Materialized: as SearchOptions.Materialized.
	Materialized schema.MaterializedSet
}

// Metrics columns, in order: one string column per by() field (by_0…),
// then "bucket" (Timestamp in nanoseconds divided by the step), then one
// value column per quantile (v_0…), or a single v_0.
//
// MetricsSQL compiles a metrics query (rate, count_over_time,
// quantile_over_time, avg/min/max/sum_over_time).
func MetricsSQL(q *Query, d Dialect, o MetricsOptions) (SQL, error) {
	ms := q.Metrics
	if ms == nil {
		return SQL{}, fieldErr(0, "not a metrics query: end it with | rate(), | count_over_time() or | quantile_over_time(duration, .99)")
	}
	if o.Step <= 0 {
		return SQL{}, fmt.Errorf("traceql: step must be positive")
	}
	c := &compiler{d: d, mat: o.Materialized}
	root, err := c.spanset(q.Spans)
	if err != nil {
		return SQL{}, err
	}
	x := c.w()
	x.s(`m AS (SELECT DISTINCT "TraceId", "SpanId" FROM `, root, ") SELECT ")
	var groups []string
	for i, f := range ms.By {
		if _, err := c.strExpr(x, f); err != nil {
			return SQL{}, err
		}
		x.s(fmt.Sprintf(` AS "by_%d", `, i))
		groups = append(groups, fmt.Sprintf(`"by_%d"`, i))
	}
	if d == ClickHouse {
		x.s(`intDiv(`, x.epochNs(`s."Timestamp"`), ", ")
		x.p(o.Step.Nanoseconds())
		x.s(`) AS "bucket"`)
	} else {
		x.s(`(`, x.epochNs(`s."Timestamp"`), " // ")
		x.p(o.Step.Nanoseconds())
		x.s(`) AS "bucket"`)
	}
	groups = append(groups, `"bucket"`)
	switch ms.Fn {
	case "rate", "count_over_time":
		x.s(`, count(*) AS "v_0"`)
	default:
		num := c.w()
		if err := c.numExpr(num, ms.Field); err != nil {
			return SQL{}, err
		}
		// numExpr's parameters (attribute keys) repeat per use.
		expr := num.b.String()
		uses := 1
		if ms.Fn == "quantile_over_time" {
			uses = len(ms.Quantiles)
			for i, qv := range ms.Quantiles {
				x.s(", ")
				x.quantile(expr, qv)
				x.s(fmt.Sprintf(` AS "v_%d"`, i))
			}
		} else {
			fn := strings.TrimSuffix(ms.Fn, "_over_time")
			x.s(", ", fn, "(", expr, `) AS "v_0"`)
		}
		// Arguments in text order: the by() expressions' come first (already
		// in x.args), then the value expressions'.
		for range uses {
			x.args = append(x.args, num.args...)
		}
	}
	x.s(` FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" GROUP BY `, strings.Join(groups, ", "),
		" ORDER BY ", strings.Join(groups, ", "))
	return c.finish(o.Start, o.End, x), nil
}

// MetricsValueIsDuration reports whether the metrics function's values
// are durations in nanoseconds (to be shown in seconds).
func (m *MetricsStage) MetricsValueIsDuration() bool {
	return m.Field != nil && (m.Field.Intrinsic == IDuration || m.Field.Intrinsic == ITraceDuration)
}

// ValuesSQL compiles the distinct values of field among the spans q
// selects (every span when q is nil), most frequent first, at most limit.
// Columns: value, count.
func ValuesSQL(q *Query, field *Field, d Dialect, start, end time.Time, limit int, mat schema.MaterializedSet) (SQL, error) {
	c := &compiler{d: d, mat: mat}
	sp := Spanset(&Filter{})
	if q != nil {
		if q.Metrics != nil {
			return SQL{}, fieldErr(q.Metrics.Pos, "a metrics query cannot narrow tag values: use a spanset filter such as { resource.service.name = \"x\" }")
		}
		sp = q.Spans
	}
	root, err := c.spanset(sp)
	if err != nil {
		return SQL{}, err
	}
	x := c.w()
	x.s(`m AS (SELECT DISTINCT "TraceId", "SpanId" FROM `, root, `), v AS (SELECT `)
	if _, err := c.strExpr(x, field); err != nil {
		return SQL{}, err
	}
	x.s(` AS "value" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId") `,
		`SELECT "value", count(*) AS "n" FROM v WHERE "value" <> '' GROUP BY "value" ORDER BY "n" DESC, "value" LIMIT `,
		fmt.Sprint(max(limit, 1)))
	return c.finish(start, end, x), nil
}

// ParseField parses a field as written in TraceQL (name, span.x, .x,
// resource.x, trace:id …).
func ParseField(s string) (*Field, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, q: &Query{}}
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, synErr(t.pos, "unexpected %s after the field", t)
	}
	return f, nil
}

// Sliceable reports whether a search may run newest-first over growing
// time slices and stop once it has enough traces: true unless a trace
// seen through part of its spans could match where the whole trace
// would not (aggregate filters, traceDuration).
func (q *Query) Sliceable() bool {
	ok := true
	var spanset func(Spanset)
	var cond func(Cond)
	cond = func(c Cond) {
		switch n := c.(type) {
		case *CondOp:
			cond(n.L)
			cond(n.R)
		case *Not:
			cond(n.X)
		case *Cmp:
			if n.Field.Intrinsic == ITraceDuration {
				ok = false
			}
		}
	}
	spanset = func(s Spanset) {
		switch n := s.(type) {
		case *Filter:
			if n.Cond != nil {
				cond(n.Cond)
			}
		case *SpansetOp:
			spanset(n.L)
			spanset(n.R)
		case *Pipeline:
			spanset(n.Src)
			for _, st := range n.Stages {
				switch st := st.(type) {
				case *AggFilter:
					ok = false
				case *Filter:
					spanset(st)
				}
			}
		}
	}
	spanset(q.Spans)
	return ok
}
