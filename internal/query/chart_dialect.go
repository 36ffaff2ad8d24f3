package query

// chartDialect is what charts need from a dialect beyond filters: time
// buckets, aggregate functions, window functions over metric series and
// array arithmetic. Both dialects implement it (methods below); the
// aggregate names differ (DuckDB quantile_cont(x, q) vs ClickHouse
// quantile(q)(x), FILTER (WHERE c) vs the -If combinator, ...).
type chartDialect interface {
	Dialect
	// epochNs writes a timestamp column as integer nanoseconds since the epoch.
	epochNs(r *renderer, col string)
	// bucket writes the start of col's bucket of width step (ns since the
	// epoch, aligned to multiples of step).
	bucket(r *renderer, col string, step int64)
	// agg writes an aggregate as a DOUBLE (see aggCall).
	agg(r *renderer, a aggCall)
	// lag writes the previous row's value of col in window __w (NULL for a
	// series' first row).
	lag(r *renderer, col string, isArray bool)
	// seriesKey writes the PARTITION BY list that identifies a metric series.
	seriesKey(r *renderer)
	// arrayToDouble writes col (an integer array) as an array of doubles.
	arrayToDouble(r *renderer, col string)
	// arraySub writes the element-wise a - b as an array of doubles.
	arraySub(r *renderer, a, b string)
	// arrayLen writes the length of an array column.
	arrayLen(r *renderer, col string)
	// toDouble writes col as a double.
	toDouble(r *renderer, col string)
	// ln writes the natural logarithm of col.
	ln(r *renderer, col string)
	// toInt writes floor(x) as a 64-bit integer, x written by f.
	floorInt(r *renderer, f func())
	// orFalse writes the predicate written by f with NULL read as false.
	orFalse(r *renderer, f func())
}

// aggCall is one aggregate over columns of the chart's inner relation
// (fixed __ aliases, never user text).
type aggCall struct {
	fn    string  // count, sum, min, max, avg, any, argmax, quantile, uniq
	x     string  // the argument column; "" for count(*)
	t     string  // argmax: the ordering column
	cond  string  // a boolean column restricting the rows; "" for none
	level float64 // quantile
}

var _ chartDialect = duckDB{}
var _ chartDialect = clickHouse{}

func (duckDB) epochNs(r *renderer, col string) {
	r.w("epoch_ns(")
	r.ident(col)
	r.w(")")
}

func (d duckDB) bucket(r *renderer, col string, step int64) {
	r.w("epoch_ns(")
	r.ident(col)
	r.w(") // ")
	d.param(r, step)
	r.w(" * ")
	d.param(r, step)
}

func (d duckDB) agg(r *renderer, a aggCall) {
	r.w("CAST(")
	switch a.fn {
	case "count":
		if a.x == "" {
			r.w("count(*)")
		} else {
			r.w("count(" + a.x + ")")
		}
	case "uniq":
		r.w("count(DISTINCT " + a.x + ")")
	case "any":
		r.w("any_value(" + a.x + ")")
	case "argmax":
		r.w("arg_max(" + a.x + ", " + a.t + ")")
	case "quantile":
		r.w("quantile_cont(" + a.x + ", ")
		d.param(r, a.level)
		r.w(")")
	default: // sum, min, max, avg
		r.w(a.fn + "(" + a.x + ")")
	}
	if a.cond != "" {
		r.w(" FILTER (WHERE " + a.cond + ")")
	}
	r.w(" AS DOUBLE)")
}

func (duckDB) lag(r *renderer, col string, _ bool) {
	r.w("lag(")
	r.ident(col)
	r.w(") OVER __w")
}

func (duckDB) seriesKey(r *renderer) {
	r.w("ServiceName, MetricName, Attributes, ResourceAttributes")
}

func (duckDB) arrayToDouble(r *renderer, col string) {
	r.w("CAST(")
	r.ident(col)
	r.w(" AS DOUBLE[])")
}

func (duckDB) arraySub(r *renderer, a, b string) {
	r.w("list_transform(list_zip(")
	r.ident(a)
	r.w(", ")
	r.ident(b)
	r.w("), lambda __p: CAST(__p[1] AS DOUBLE) - CAST(__p[2] AS DOUBLE))")
}

func (duckDB) arrayLen(r *renderer, col string) {
	r.w("len(")
	r.ident(col)
	r.w(")")
}

func (duckDB) toDouble(r *renderer, col string) {
	r.w("CAST(")
	r.ident(col)
	r.w(" AS DOUBLE)")
}

func (duckDB) ln(r *renderer, col string) {
	r.w("ln(")
	r.ident(col)
	r.w(")")
}

func (duckDB) floorInt(r *renderer, f func()) {
	r.w("CAST(floor(")
	f()
	r.w(") AS BIGINT)")
}

func (duckDB) orFalse(r *renderer, f func()) {
	r.w("coalesce(")
	f()
	r.w(", FALSE)")
}

func (clickHouse) epochNs(r *renderer, col string) {
	r.w("toUnixTimestamp64Nano(")
	r.ident(col)
	r.w(")")
}

func (c clickHouse) bucket(r *renderer, col string, step int64) {
	r.w("intDiv(toUnixTimestamp64Nano(")
	r.ident(col)
	r.w("), ")
	c.param(r, step)
	r.w(") * ")
	c.param(r, step)
}

func (c clickHouse) agg(r *renderer, a aggCall) {
	r.w("toFloat64(")
	name := map[string]string{"count": "count", "uniq": "uniqExact", "any": "any", "argmax": "argMax",
		"quantile": "quantile", "sum": "sum", "min": "min", "max": "max", "avg": "avg"}[a.fn]
	if a.cond != "" {
		name += "If"
	}
	r.w(name)
	if a.fn == "quantile" {
		r.w("(")
		c.param(r, a.level)
		r.w(")")
	}
	var args []string
	if a.x != "" {
		args = append(args, a.x)
	}
	if a.t != "" {
		args = append(args, a.t)
	}
	if a.cond != "" {
		args = append(args, a.cond)
	}
	r.w("(")
	for i, s := range args {
		if i > 0 {
			r.w(", ")
		}
		r.w(s)
	}
	r.w("))")
}

func (clickHouse) lag(r *renderer, col string, isArray bool) {
	// lagInFrame returns the type's default for a series' first row;
	// Nullable makes that NULL (arrays cannot be Nullable: their first
	// row is told apart by the lagged Count, which is).
	if isArray {
		r.w("lagInFrame(")
		r.ident(col)
		r.w(") OVER __w")
		return
	}
	r.w("lagInFrame(toNullable(")
	r.ident(col)
	r.w(")) OVER __w")
}

func (clickHouse) seriesKey(r *renderer) {
	r.w("ServiceName, MetricName, cityHash64(Attributes), cityHash64(ResourceAttributes)")
}

func (clickHouse) arrayToDouble(r *renderer, col string) {
	r.w("arrayMap(__a -> toFloat64(__a), ")
	r.ident(col)
	r.w(")")
}

func (clickHouse) arraySub(r *renderer, a, b string) {
	r.w("arrayMap((__a, __b) -> toFloat64(__a) - toFloat64(__b), ")
	r.ident(a)
	r.w(", ")
	r.ident(b)
	r.w(")")
}

func (clickHouse) arrayLen(r *renderer, col string) {
	r.w("length(")
	r.ident(col)
	r.w(")")
}

func (clickHouse) toDouble(r *renderer, col string) {
	r.w("toFloat64(")
	r.ident(col)
	r.w(")")
}

func (clickHouse) ln(r *renderer, col string) {
	r.w("log(")
	r.ident(col)
	r.w(")")
}

func (clickHouse) floorInt(r *renderer, f func()) {
	r.w("toInt64(floor(")
	f()
	r.w("))")
}

func (clickHouse) orFalse(r *renderer, f func()) {
	r.w("ifNull(")
	f()
	r.w(", false)")
}
