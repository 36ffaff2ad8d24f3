package query

import (
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// ParseSQLExpr parses one SQL value expression — a chart's valueExpression
// or a groupBy item — with the same grammar as ParseSQL's operands: a field
// (`Duration`, `SpanAttributes['app.payment.card_type']`,
// `ResourceAttributes.k8s.pod.name`, an alias such as `service`), a literal,
// or a whitelisted function call (`toFloat64(LogAttributes['latency'])`).
// A condition (`a = 1`) is not a value and is a *SyntaxError; so is empty
// input.
func ParseSQLExpr(input string) (Expr, error) {
	list, err := parseSQLExprs(input, false)
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// ParseSQLExprList parses a comma-separated list of value expressions, as
// HyperDX writes a groupBy string (`ServiceName, SpanAttributes['k']`).
// Commas inside calls and strings do not split. Empty input is a
// *SyntaxError.
func ParseSQLExprList(input string) ([]Expr, error) {
	return parseSQLExprs(input, true)
}

func parseSQLExprs(input string, list bool) ([]Expr, error) {
	if strings.TrimSpace(input) == "" {
		return nil, synErr(0, "empty expression: write a column, a map value such as SpanAttributes['key'], or a function call")
	}
	toks, err := lexSQL(input)
	if err != nil {
		return nil, err
	}
	p := &sqlParser{toks: toks}
	var out []Expr
	for {
		v, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if v.expr == nil {
			return nil, synErr(v.pos, "expected a value expression, got a condition")
		}
		out = append(out, v.expr)
		t := p.peek()
		if t.kind == sqlEOF {
			return out, nil
		}
		if list && t.kind == sqlPunct && t.text == "," {
			p.next()
			continue
		}
		if t.text == ")" {
			return nil, synErr(t.pos, "unexpected ')' with no matching '('")
		}
		return nil, synErr(t.pos, "unexpected %s after the expression", t.describe())
	}
}

// bindValue binds a value expression against src. Map values, columns and
// function results are all accepted; a map column itself is not a value.
func bindValue(e Expr, src *schema.Source) (bexpr, error) {
	b := &binder{src: src}
	x, _, err := b.expr(e)
	if err != nil {
		return nil, err
	}
	switch x.kind() {
	case kMap:
		return nil, &TypeError{Pos: e.Position(), Msg: "a whole map cannot be used as a value: address a key with m['key']"}
	case kNull:
		return nil, &TypeError{Pos: e.Position(), Msg: "NULL is not a value expression"}
	case kOther:
		return nil, &TypeError{Pos: e.Position(), Msg: "this column cannot be used as a value"}
	}
	return x, nil
}

// asString converts a bound value to a string expression (group keys and
// value discovery read strings on every back end).
func asString(x bexpr) bexpr {
	if x.kind() == kString {
		return x
	}
	return &bFunc{fn: "tostring", args: []bexpr{x}, k: kString}
}

// asNumber converts a bound value to a number for numeric aggregates:
// strings (map values) are cast safely, so a value that is not a number is
// NULL and ignored by the aggregate. Timestamps and booleans are refused.
func asNumber(x bexpr, pos int, what string) (bexpr, error) {
	switch k := x.kind(); {
	case k.numeric():
		return x, nil
	case k == kString:
		return &bFunc{fn: "tofloat64", args: []bexpr{x}, k: kFloat}, nil
	default:
		return nil, &TypeError{Pos: pos, Msg: fmt.Sprintf("%s needs a number, got a %s expression", what, k)}
	}
}

// CompileValue parses and binds a value expression (see ParseSQLExpr) and
// renders it as a string-typed SQL expression for the dialect, with its
// arguments: what value discovery (/api/values) groups by.
func CompileValue(input string, src *schema.Source, d Dialect) (string, []any, error) {
	if src == nil || src.Table == nil {
		return "", nil, fmt.Errorf("query: nil source")
	}
	if d == nil {
		return "", nil, fmt.Errorf("query: nil dialect")
	}
	e, err := ParseSQLExpr(input)
	if err != nil {
		return "", nil, err
	}
	x, err := bindValue(e, src)
	if err != nil {
		return "", nil, err
	}
	r := &renderer{d: d}
	r.expr(asString(x))
	return r.b.String(), r.args, nil
}
