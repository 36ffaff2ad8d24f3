package traceql

import (
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Dialect is the SQL back end a query compiles for.
type Dialect uint8

const (
	// DuckDB is the embedded store (DuckDB ≥ 1.5).
	DuckDB Dialect = iota
	// ClickHouse is the scale-out back end (the exporter's schema).
	ClickHouse
)

// Name is "duckdb" or "clickhouse".
func (d Dialect) Name() string {
	if d == ClickHouse {
		return "clickhouse"
	}
	return "duckdb"
}

// w writes SQL with positional '?' parameters.
type w struct {
	d    Dialect
	mat  schema.MaterializedSet
	b    strings.Builder
	args []any
}

func (x *w) s(parts ...string) {
	for _, p := range parts {
		x.b.WriteString(p)
	}
}

// p writes a placeholder for v.
func (x *w) p(v any) {
	x.args = append(x.args, v)
	if _, ok := v.(float64); ok && x.d == DuckDB {
		// DuckDB would type the parameter from the other side.
		x.s("CAST(? AS DOUBLE)")
		return
	}
	x.s("?")
}

// q quotes an identifier.
func q(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// mapGet writes m[key], NULL (DuckDB) or ” (ClickHouse) when absent;
// callers pair it with mapHas where absence matters.
func (x *w) mapGet(m, key string) {
	if col, ok := x.mat.Lookup(schema.TracesTable, m, key); ok {
		// NULL when absent in DuckDB, '' in ClickHouse, as the map.
		x.s("s.", q(col))
		return
	}
	if x.d == ClickHouse {
		x.s("s.", q(m), "[")
		x.p(key)
		x.s("]")
		return
	}
	x.s("map_extract_value(s.", q(m), ", ")
	x.p(key)
	x.s(")")
}

func (x *w) mapHas(m, key string) {
	if col, ok := x.mat.Lookup(schema.TracesTable, m, key); ok && x.d == DuckDB {
		x.s("(s.", q(col), " IS NOT NULL)")
		return
	}
	if x.d == ClickHouse {
		x.s("mapContains(s.", q(m), ", ")
	} else {
		x.s("map_contains(s.", q(m), ", ")
	}
	x.p(key)
	x.s(")")
}

// toNumber writes a string expression cast to a double, NULL when it is
// not a number.
func (x *w) toNumber(expr func()) {
	if x.d == ClickHouse {
		x.s("toFloat64OrNull(")
		expr()
		x.s(")")
		return
	}
	x.s("TRY_CAST(")
	expr()
	x.s(" AS DOUBLE)")
}

// regex writes a fully anchored RE2 match of expr against pattern.
func (x *w) regex(expr func(), pattern string) {
	if x.d == ClickHouse {
		x.s("match(")
		expr()
		x.s(", ")
		x.p("^(?:" + pattern + ")$")
		x.s(")")
		return
	}
	x.s("regexp_full_match(")
	expr()
	x.s(", ")
	x.p(pattern)
	x.s(")")
}

// nested writes the array of field f of nested column c (Events.Name).
func (x *w) nested(c, f string) string {
	if x.d == ClickHouse {
		return "s." + q(c+"."+f)
	}
	return "struct_extract(s." + q(c) + ", '" + f + "')"
}

// anyElem writes whether some element e of array arr satisfies pred(e).
func (x *w) anyElem(arr string, pred func(e string)) {
	if x.d == ClickHouse {
		x.s("arrayExists(e -> ")
		pred("e")
		x.s(", ", arr, ")")
		return
	}
	x.s("len(list_filter(", arr, ", lambda e: ")
	pred("e")
	x.s(")) > 0")
}

// epochNs writes a timestamp column as nanoseconds since the epoch.
func (x *w) epochNs(col string) string {
	if x.d == ClickHouse {
		return "toUnixTimestamp64Nano(" + col + ")"
	}
	return "epoch_ns(" + col + ")"
}

// str writes expr as a string.
func (x *w) str(expr string) string {
	if x.d == ClickHouse {
		return "toString(" + expr + ")"
	}
	return "CAST(" + expr + " AS VARCHAR)"
}

// quantile writes the q-quantile of expr (interpolated).
func (x *w) quantile(expr string, qv float64) {
	if x.d == ClickHouse {
		x.s("quantileExact(")
		x.s(strconvF(qv))
		x.s(")(", expr, ")")
		return
	}
	x.s("quantile_cont(", expr, ", ", strconvF(qv), ")")
}
