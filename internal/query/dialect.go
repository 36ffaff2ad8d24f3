package query

import (
	"fmt"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Dialect is a SQL back end. The set is closed: use DuckDB or ClickHouse.
//
// The generic renderer (render.go) writes everything the dialects share —
// boolean structure, comparisons, IN, IS NULL, parameters — and asks the
// dialect for the constructs that differ: map access and key existence,
// LIKE, token matching, safe casts, functions and NULL handling under NOT.
// Both dialects use positional '?' placeholders with args in order
// (duckdb-go binds them natively; clickhouse-go binds '?' positionally and
// quotes the values itself, so no value is ever spliced by us).
type Dialect interface {
	// Name is "duckdb" or "clickhouse".
	Name() string

	// mapValue writes the value of key in map column m, '' when absent;
	// col, when not empty, is the materialised column holding it.
	mapValue(r *renderer, m string, key string, col string)
	// mapLookup writes the value of key in the first of maps that has it;
	// cols[i], when not empty, is the materialised column of maps[i].
	mapLookup(r *renderer, maps []string, key string, cols []string)
	// mapContains writes whether map column m has key.
	mapContains(r *renderer, m string, key string)
	// keyExists writes whether map column m has key; col, when not empty,
	// is the materialised column holding m[key].
	keyExists(r *renderer, m string, key string, col string)
	// mapNotEmpty writes whether map column m has any entry.
	mapNotEmpty(r *renderer, m string)
	// like writes x [NOT] LIKE/ILIKE pat (backslash escapes).
	like(r *renderer, p *bLike)
	// token writes a whole-token match.
	token(r *renderer, p *bToken)
	// fn writes a whitelisted function call.
	fn(r *renderer, f *bFunc)
	// notNullSafe writes NOT x, counting NULL (unknown) as false inside.
	notNullSafe(r *renderer, x bpred)
	// param writes the placeholder for v and records v as an argument.
	param(r *renderer, v any)
}

// DuckDB renders for DuckDB ≥ 1.5 (the embedded store).
var DuckDB Dialect = duckDB{}

// ClickHouse renders for ClickHouse (the scale-out back end).
var ClickHouse Dialect = clickHouse{}

// WithMaterialized returns d for a database that has the materialised
// attribute columns of set (schema.MaterializedSet): wherever a query
// reads m['key'] (SpanAttributes['k'], SpanAttributes.k, or a bare key k
// looked up in the source's maps) and the table has a column for (m, key),
// the rendered SQL reads that column instead of the map. Results are the
// same: see schema.Materialized for how each back end stores them.
//
// DuckDB and ClickHouse themselves assume no materialised column, so that
// they read any database of the ClickHouse exporter's schema.
func WithMaterialized(d Dialect, set schema.MaterializedSet) Dialect {
	if m, ok := d.(matDialect); ok {
		d = m.chartDialect
	}
	cd, ok := d.(chartDialect)
	if !ok || len(set) == 0 {
		return d
	}
	return matDialect{chartDialect: cd, set: set}
}

// matDialect is a dialect plus the materialised columns of its database.
type matDialect struct {
	chartDialect
	set schema.MaterializedSet
}

// materializedCol returns the materialised column of table's m[key] in
// d's database, or "".
func materializedCol(d Dialect, table, m, key string) string {
	md, ok := d.(matDialect)
	if !ok {
		return ""
	}
	c, _ := md.set.Lookup(table, m, key)
	return c
}

// Compile binds n against the source and renders a WHERE clause body for the
// dialect: field names become schema columns (see resolveField for the
// rule), values become positional arguments. n == nil renders "TRUE" with no
// arguments. Unknown fields are *FieldError; ill-typed SQL-mode expressions
// are *TypeError.
func Compile(n Node, src *schema.Source, d Dialect) (where string, args []any, err error) {
	if src == nil || src.Table == nil {
		return "", nil, fmt.Errorf("query: nil source")
	}
	if d == nil {
		return "", nil, fmt.Errorf("query: nil dialect")
	}
	if n == nil {
		return "TRUE", nil, nil
	}
	b := &binder{src: src}
	p, err := b.node(n)
	if err != nil {
		return "", nil, err
	}
	r := &renderer{d: d}
	r.pred(p)
	return r.b.String(), r.args, nil
}
