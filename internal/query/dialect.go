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

	// mapValue writes the value of key in map column m, '' when absent.
	mapValue(r *renderer, m string, key string)
	// mapLookup writes the value of key in the first of maps that has it.
	mapLookup(r *renderer, maps []string, key string)
	// mapContains writes whether map column m has key.
	mapContains(r *renderer, m string, key string)
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
