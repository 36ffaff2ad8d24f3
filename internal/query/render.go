package query

import (
	"strconv"
	"strings"
)

// renderer writes a bound tree as SQL text plus positional arguments. It
// writes only schema identifiers, SQL keywords, function names, operators,
// placeholders and a few fixed constants; every value is an argument.
type renderer struct {
	d    Dialect
	b    strings.Builder
	args []any
}

func (r *renderer) w(s string) { r.b.WriteString(s) }

// ident writes a schema identifier. Schema names are plain ASCII
// identifiers (with dots for nested columns), so they are written as is.
func (r *renderer) ident(name string) { r.w(name) }

func (r *renderer) pred(p bpred) {
	switch p := p.(type) {
	case *bConst:
		if p.v {
			r.w("TRUE")
		} else {
			r.w("FALSE")
		}
	case *bAnd:
		r.join(p.xs, " AND ")
	case *bOr:
		xs := p.xs
		if r.d.Name() == "duckdb" {
			xs = mergeOrTerms(xs) // see merge.go
		}
		if len(xs) == 1 {
			r.pred(xs[0])
			return
		}
		r.join(xs, " OR ")
	case *bNot:
		r.d.notNullSafe(r, p.x)
	case *bCompare:
		r.expr(p.l)
		r.w(" " + p.op.String() + " ")
		r.expr(p.r)
	case *bIn:
		r.expr(p.x)
		if p.neg {
			r.w(" NOT")
		}
		r.w(" IN (")
		for i, x := range p.list {
			if i > 0 {
				r.w(", ")
			}
			r.expr(x)
		}
		r.w(")")
	case *bLike:
		r.d.like(r, p)
	case *bIsNull:
		r.expr(p.x)
		if p.neg {
			r.w(" IS NOT NULL")
		} else {
			r.w(" IS NULL")
		}
	case *bToken:
		r.d.token(r, p)
	case *bExists:
		r.exists(p.x)
	case *bBool:
		r.expr(p.x)
	}
}

func (r *renderer) join(xs []bpred, sep string) {
	r.w("(")
	for i, x := range xs {
		if i > 0 {
			r.w(sep)
		}
		r.pred(x)
	}
	r.w(")")
}

// exists writes "field is present": a map key in any of the maps, a
// non-empty string column, a non-NULL other column.
func (r *renderer) exists(x bexpr) {
	switch x := x.(type) {
	case *bMapValue:
		if len(x.maps) > 1 {
			r.w("(")
		}
		for i, m := range x.maps {
			if i > 0 {
				r.w(" OR ")
			}
			r.d.keyExists(r, m, x.key, materializedCol(r.d, x.table, m, x.key))
		}
		if len(x.maps) > 1 {
			r.w(")")
		}
	case *bColumn:
		switch x.k {
		case kMap:
			r.d.mapNotEmpty(r, x.name)
		case kString:
			r.w("(")
			r.ident(x.name)
			r.w(" IS NOT NULL AND ")
			r.ident(x.name)
			r.w(" <> '')")
		default:
			r.ident(x.name)
			r.w(" IS NOT NULL")
		}
	default:
		r.expr(x)
		r.w(" IS NOT NULL")
	}
}

func (r *renderer) expr(e bexpr) {
	switch e := e.(type) {
	case *bColumn:
		r.ident(e.name)
	case *bMapValue:
		cols := make([]string, len(e.maps))
		for i, m := range e.maps {
			cols[i] = materializedCol(r.d, e.table, m, e.key)
		}
		if len(e.maps) == 1 {
			r.d.mapValue(r, e.maps[0], e.key, cols[0])
		} else {
			r.d.mapLookup(r, e.maps, e.key, cols)
		}
	case *bScaled:
		r.w("(")
		r.expr(e.x)
		r.w(" / " + strconv.FormatInt(e.div, 10) + ".0)")
	case *bParam:
		r.d.param(r, e.v)
	case *bFunc:
		r.d.fn(r, e)
	}
}

// renderLike writes `x [NOT] [I]LIKE pattern`, the part every dialect shares.
func renderLike(r *renderer, p *bLike) {
	r.expr(p.x)
	if p.neg {
		r.w(" NOT")
	}
	if p.ci {
		r.w(" ILIKE ")
	} else {
		r.w(" LIKE ")
	}
	r.expr(p.pat)
}

// call writes name(arg, arg, ...).
func (r *renderer) call(name string, args []bexpr) {
	r.w(name + "(")
	for i, a := range args {
		if i > 0 {
			r.w(", ")
		}
		r.expr(a)
	}
	r.w(")")
}
