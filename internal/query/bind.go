package query

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// binder resolves an AST against a source into the bound tree.
type binder struct {
	src *schema.Source
}

func (b *binder) node(n Node) (bpred, error) {
	switch n := n.(type) {
	case nil:
		return &bConst{v: true}, nil
	case *MatchAll:
		return &bConst{v: true}, nil
	case *And:
		out := &bAnd{}
		for _, t := range n.Terms {
			p, err := b.node(t)
			if err != nil {
				return nil, err
			}
			out.xs = append(out.xs, p)
		}
		return out, nil
	case *Or:
		out := &bOr{}
		for _, t := range n.Terms {
			p, err := b.node(t)
			if err != nil {
				return nil, err
			}
			out.xs = append(out.xs, p)
		}
		return out, nil
	case *Not:
		p, err := b.node(n.X)
		if err != nil {
			return nil, err
		}
		return &bNot{x: p}, nil
	case *Search:
		return b.search(n)
	case *Compare:
		return b.compare(n.Pos, n.Op, n.Left, n.Right)
	case *Range:
		var parts []bpred
		if n.Lo != nil {
			op := Gt
			if n.LoInclusive {
				op = Ge
			}
			p, err := b.compare(n.Pos, op, n.X, n.Lo)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
		if n.Hi != nil {
			op := Lt
			if n.HiInclusive {
				op = Le
			}
			p, err := b.compare(n.Pos, op, n.X, n.Hi)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
		}
		switch len(parts) {
		case 0:
			return nil, &TypeError{Pos: n.Pos, Msg: "range without bounds"}
		case 1:
			return parts[0], nil
		}
		return &bAnd{xs: parts}, nil
	case *In:
		return b.in(n)
	case *Like:
		return b.like(n)
	case *IsNull:
		x, _, err := b.expr(n.X)
		if err != nil {
			return nil, err
		}
		if mv, ok := x.(*bMapValue); ok { // a map value is never NULL: test the key
			var p bpred = &bExists{x: mv}
			if !n.Negated {
				p = &bNot{x: p}
			}
			return p, nil
		}
		return &bIsNull{x: x, neg: n.Negated}, nil
	case *Truth:
		x, _, err := b.expr(n.X)
		if err != nil {
			return nil, err
		}
		if p, ok := x.(*bParam); ok && p.k == kBool {
			return &bConst{v: p.v.(bool)}, nil
		}
		if x.kind() != kBool {
			return nil, &TypeError{Pos: n.Pos, Msg: fmt.Sprintf("expected a condition, got a %s expression", x.kind())}
		}
		return &bBool{x: x}, nil
	}
	return nil, &TypeError{Pos: n.Position(), Msg: fmt.Sprintf("unsupported node %T", n)}
}

// expr binds an expression; the *field is set when e is a field reference.
func (b *binder) expr(e Expr) (bexpr, *field, error) {
	switch e := e.(type) {
	case *Field:
		f, err := resolveField(e, b.src)
		if err != nil {
			return nil, nil, err
		}
		x := f.expr
		if f.alias != nil && f.alias.scale > 1 {
			x = &bScaled{x: x, div: f.alias.scale}
		}
		return x, f, nil
	case *Literal:
		p, err := literalParam(e)
		return p, nil, err
	case *Call:
		x, err := b.call(e)
		return x, nil, err
	}
	return nil, nil, &TypeError{Pos: e.Position(), Msg: fmt.Sprintf("unsupported expression %T", e)}
}

func literalParam(l *Literal) (*bParam, error) {
	switch l.Kind {
	case StringLit:
		return &bParam{v: l.Text, k: kString}, nil
	case BoolLit:
		return &bParam{v: l.Text == "true", k: kBool}, nil
	case NullLit:
		return &bParam{v: nil, k: kNull}, nil
	case DurationLit:
		p, ok := durationParam(l.Text)
		if !ok {
			return nil, &TypeError{Pos: l.Pos, Msg: fmt.Sprintf("malformed duration %q: use a number and a unit (ns, us, ms, s, m, h), e.g. 200ms", l.Text)}
		}
		p.dur = l.Text
		return p, nil
	}
	v, k, ok := parseNumber(l.Text)
	if !ok {
		return nil, &TypeError{Pos: l.Pos, Msg: fmt.Sprintf("malformed number %q", l.Text)}
	}
	return &bParam{v: v, k: k}, nil
}

// parseNumber parses a decimal number: int64 when integral and in range,
// else uint64, else float64.
func parseNumber(s string) (any, kind, bool) {
	if !isPlainNumber(s) {
		return nil, 0, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, kInt, true
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, kUint, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, 0, false
	}
	return f, kFloat, true
}

// scaleParam multiplies a numeric parameter (duration ms → ns), keeping it
// an integer when the result is integral.
func scaleParam(p *bParam, by int64) *bParam {
	var f float64
	switch v := p.v.(type) {
	case int64:
		if v <= math.MaxInt64/by && v >= math.MinInt64/by {
			return &bParam{v: v * by, k: kInt}
		}
		f = float64(v)
	case uint64:
		f = float64(v)
	case float64:
		f = v
	default:
		return p
	}
	f *= float64(by)
	if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		return &bParam{v: int64(f), k: kInt}
	}
	return &bParam{v: f, k: kFloat}
}

func fieldErr(f *field, pos int, format string, a ...any) error {
	return &FieldError{Field: f.name, Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

// search binds a search-language leaf.
func (b *binder) search(s *Search) (bpred, error) {
	if s.Field == nil {
		text := &bColumn{name: b.src.TextColumn, k: kString}
		switch s.Kind {
		case Token:
			return &bToken{x: text, t: newTokenMatch([]string{s.Value})}, nil
		case Glob:
			return &bToken{x: text, t: newTokenMatch(s.Pieces)}, nil
		default: // Phrase
			return containsLike(text, s.Value), nil
		}
	}
	f, err := resolveField(s.Field, b.src)
	if err != nil {
		return nil, err
	}
	x, pos := f.expr, s.Pos
	k := x.kind()
	if s.Kind == Exists {
		return &bExists{x: x}, nil
	}
	if k == kMap {
		return nil, fieldErr(f, pos, "field %q is a map: search one of its keys with %s.<key>", f.name, f.name)
	}
	switch s.Kind {
	case Token:
		if k != kString {
			return nil, fieldErr(f, pos, "field %q is a %s: token search needs a string field", f.name, k)
		}
		return &bToken{x: x, t: newTokenMatch([]string{s.Value})}, nil
	case Phrase:
		return containsLike(x, s.Value), nil
	case Glob:
		if k != kString {
			x = &bFunc{fn: "tostring", args: []bexpr{x}, k: kString}
		}
		var pat strings.Builder
		for i, p := range s.Pieces {
			if i > 0 {
				pat.WriteByte('%')
			}
			pat.WriteString(escapeLike(p))
		}
		return &bLike{x: x, pat: &bParam{v: pat.String(), k: kString}, ci: true}, nil
	}
	// Contains or Exact.
	if a := f.alias; a != nil && k == kString {
		for _, e := range a.enum {
			if strings.EqualFold(e, s.Value) {
				return &bCompare{op: Eq, l: x, r: &bParam{v: e, k: kString}}, nil
			}
		}
		if a.errorish && strings.EqualFold(s.Value, "error") {
			return b.errorish(x), nil
		}
		if a.ci && s.Kind == Exact {
			return &bCompare{op: Eq, l: &bFunc{fn: "lower", args: []bexpr{x}, k: kString}, r: &bParam{v: strings.ToLower(s.Value), k: kString}}, nil
		}
	}
	if k == kString {
		if s.Kind == Exact {
			return &bCompare{op: Eq, l: x, r: &bParam{v: s.Value, k: kString}}, nil
		}
		return containsLike(x, s.Value), nil
	}
	if k == kTime && s.Kind == Contains {
		if _, err := parseTime(s.Value); err != nil {
			return &bLike{x: &bFunc{fn: "tostring", args: []bexpr{x}, k: kString}, pat: &bParam{v: "%" + escapeLike(s.Value) + "%", k: kString}, ci: true}, nil
		}
	}
	lit := luceneLiteral(pos, s.Value)
	if s.Kind == Exact {
		lit.Kind = StringLit
		if _, _, ok := parseNumber(s.Value); ok {
			lit.Kind = NumberLit
		}
	}
	return b.compare(pos, Eq, s.Field, lit)
}

// errorish is severity ≥ ERROR on logs: SeverityNumber >= 17 or an
// error-like SeverityText.
func (b *binder) errorish(text bexpr) bpred {
	in := &bIn{x: &bFunc{fn: "lower", args: []bexpr{text}, k: kString}}
	for _, s := range errorishSeverities {
		in.list = append(in.list, &bParam{v: s, k: kString})
	}
	if _, ok := b.src.Table.Column("SeverityNumber"); !ok {
		return in
	}
	return &bOr{xs: []bpred{&bCompare{op: Ge, l: &bColumn{name: "SeverityNumber", k: kUint}, r: &bParam{v: int64(17), k: kInt}}, in}}
}

// containsLike is the case-insensitive substring match of v in x.
func containsLike(x bexpr, v string) *bLike {
	return &bLike{x: x, pat: &bParam{v: "%" + escapeLike(v) + "%", k: kString}, ci: true, sub: &v}
}

// escapeLike escapes LIKE metacharacters (% _ \) with a backslash.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '%' || c == '_' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp")
}

// compare binds `l op r`, reconciling types: a string compared with a number
// is cast safely to a number; a literal is converted to the other side's
// type (numbers, booleans, timestamps); enum aliases canonicalise values; the
// duration alias scales a literal to nanoseconds.
func (b *binder) compare(pos int, op CompareOp, le, re Expr) (bpred, error) {
	l, lf, err := b.expr(le)
	if err != nil {
		return nil, err
	}
	r, rf, err := b.expr(re)
	if err != nil {
		return nil, err
	}
	if _, ok := r.(*bParam); !ok {
		if _, ok := l.(*bParam); ok { // literal on the left: flip
			l, r, lf = r, l, rf
			op = flip(op)
		}
	}
	l, r, err = b.unify(pos, l, lf, r)
	if err != nil {
		return nil, err
	}
	return &bCompare{op: op, l: l, r: r}, nil
}

func flip(op CompareOp) CompareOp {
	switch op {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return op
}

// unify makes l and r comparable. lf is l's field when l is a field.
func (b *binder) unify(pos int, l bexpr, lf *field, r bexpr) (bexpr, bexpr, error) {
	name := "expression"
	if lf != nil {
		name = fmt.Sprintf("field %q", lf.name)
	}
	lk, rk := l.kind(), r.kind()
	if lk == kNull || rk == kNull {
		return nil, nil, &TypeError{Pos: pos, Msg: "comparison with NULL is never true: use IS NULL / IS NOT NULL"}
	}
	if lk == kMap || rk == kMap {
		return nil, nil, &TypeError{Pos: pos, Msg: "a map cannot be compared: address a key with m['key'] or m.key"}
	}
	p, isParam := r.(*bParam)
	if isParam && p.dur != "" {
		if sc, ok := l.(*bScaled); ok {
			return sc.x, &bParam{v: p.v, k: p.k}, nil
		}
		if !b.isDurationField(lf) {
			return nil, nil, b.unitErr(lf, pos, name, p.dur)
		}
		return l, &bParam{v: p.v, k: p.k}, nil
	}
	if isParam && rk == kString && (b.isDurationField(lf) || isScaled(l)) {
		if d, ok := durationParam(p.v.(string)); ok {
			if sc, ok := l.(*bScaled); ok {
				l = sc.x
			}
			return l, &bParam{v: d.v, k: d.k}, nil
		}
	}
	if sc, ok := l.(*bScaled); ok && isParam {
		if !rk.numeric() {
			if _, _, ok := parseNumber(fmt.Sprint(p.v)); !ok {
				return nil, nil, &FieldError{Field: fieldName(lf), Pos: pos, Msg: fmt.Sprintf("%s is a duration in milliseconds: %q is not a number", name, p.v)}
			}
			v, k, _ := parseNumber(fmt.Sprint(p.v))
			p = &bParam{v: v, k: k}
		}
		return sc.x, scaleParam(p, sc.div), nil
	}
	if isParam && lf != nil && lf.alias != nil && len(lf.alias.enum) > 0 && rk == kString {
		for _, e := range lf.alias.enum {
			if strings.EqualFold(e, p.v.(string)) {
				return l, &bParam{v: e, k: kString}, nil
			}
		}
	}
	switch {
	case lk == rk, lk.numeric() && rk.numeric():
		return l, r, nil
	case lk == kString && rk.numeric():
		return &bFunc{fn: "tofloat64", args: []bexpr{l}, k: kFloat}, r, nil
	case lk.numeric() && rk == kString:
		if isParam {
			v, k, ok := parseNumber(p.v.(string))
			if !ok && isDurationLiteral(p.v.(string)) {
				return nil, nil, b.unitErr(lf, pos, name, p.v.(string))
			}
			if !ok {
				return nil, nil, &FieldError{Field: fieldName(lf), Pos: pos, Msg: fmt.Sprintf("%s is numeric: %q is not a number", name, p.v)}
			}
			return l, &bParam{v: v, k: k}, nil
		}
		return l, &bFunc{fn: "tofloat64", args: []bexpr{r}, k: kFloat}, nil
	case lk == kTime && rk == kString && isParam:
		t, err := parseTime(p.v.(string))
		if err != nil {
			return nil, nil, &FieldError{Field: fieldName(lf), Pos: pos, Msg: fmt.Sprintf("%s is a timestamp: %q is not a date/time (use RFC 3339, e.g. 2024-01-02T15:04:05Z)", name, p.v)}
		}
		return l, &bParam{v: t, k: kTime}, nil
	case lk == kBool && rk == kString && isParam:
		v, err := strconv.ParseBool(strings.ToLower(p.v.(string)))
		if err != nil {
			return nil, nil, &FieldError{Field: fieldName(lf), Pos: pos, Msg: fmt.Sprintf("%s is a boolean: %q is not true/false", name, p.v)}
		}
		return l, &bParam{v: v, k: kBool}, nil
	case lk == kString && rk == kTime:
		return l, &bFunc{fn: "tostring", args: []bexpr{r}, k: kString}, nil
	}
	return nil, nil, &TypeError{Pos: pos, Msg: fmt.Sprintf("cannot compare %s (%s) with a %s", name, lk, rk)}
}

func fieldName(f *field) string {
	if f == nil {
		return ""
	}
	return f.name
}

func (b *binder) in(n *In) (bpred, error) {
	x, xf, err := b.expr(n.X)
	if err != nil {
		return nil, err
	}
	out := &bIn{neg: n.Negated}
	allNum := true
	var items []bexpr
	for _, e := range n.List {
		v, _, err := b.expr(e)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		allNum = allNum && v.kind().numeric()
	}
	if x.kind() == kString && !allNum && len(items) > 1 {
		for i, v := range items {
			if v.kind().numeric() {
				// 'a' and -1 cannot both be compared with a string safely:
				// DuckDB would fail converting 'a' to a number.
				return nil, &TypeError{Pos: n.List[i].Position(), Msg: "IN list mixes strings and numbers: quote every value ('a', '-1') or none"}
			}
		}
	}
	nx := x
	if x.kind() == kString && allNum {
		nx = &bFunc{fn: "tofloat64", args: []bexpr{x}, k: kFloat}
	}
	for i, v := range items {
		l, r, err := b.unify(n.List[i].Position(), nx, xf, v)
		if err != nil {
			return nil, err
		}
		out.x = l
		out.list = append(out.list, r)
	}
	return out, nil
}

func (b *binder) like(n *Like) (bpred, error) {
	x, _, err := b.expr(n.X)
	if err != nil {
		return nil, err
	}
	if x.kind() != kString {
		if x.kind() == kMap || x.kind() == kNull {
			return nil, &TypeError{Pos: n.Pos, Msg: fmt.Sprintf("LIKE needs a string, got a %s", x.kind())}
		}
		x = &bFunc{fn: "tostring", args: []bexpr{x}, k: kString}
	}
	pat, _, err := b.expr(n.Pattern)
	if err != nil {
		return nil, err
	}
	if pat.kind() != kString {
		return nil, &TypeError{Pos: n.Pattern.Position(), Msg: "LIKE pattern must be a string"}
	}
	if _, ok := pat.(*bParam); !ok {
		// A pattern read from the data could be one that makes the
		// match exponential (see like_regex.go).
		return nil, &TypeError{Pos: n.Pattern.Position(), Msg: "LIKE pattern must be a string literal, e.g. Body LIKE '%timeout%'"}
	}
	return &bLike{x: x, pat: pat, ci: n.CaseInsensitive, neg: n.Negated}, nil
}

// call binds a whitelisted function call.
func (b *binder) call(c *Call) (bexpr, error) {
	var args []bexpr
	for _, a := range c.Args {
		x, _, err := b.expr(a)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	bad := func(msg string) error {
		return &TypeError{Pos: c.Pos, Msg: fmt.Sprintf("%s: %s", c.Name, msg)}
	}
	needString := func(i int) error {
		if args[i].kind() != kString {
			return bad(fmt.Sprintf("argument %d must be a string, got a %s", i+1, args[i].kind()))
		}
		return nil
	}
	switch c.Name {
	case "lower", "upper":
		if err := needString(0); err != nil {
			return nil, err
		}
		return &bFunc{fn: c.Name, args: args, k: kString}, nil
	case "length":
		if err := needString(0); err != nil {
			return nil, err
		}
		return &bFunc{fn: c.Name, args: args, k: kInt}, nil
	case "tostring":
		return toType(args[0], "STRING", bad)
	case "tofloat64":
		return toType(args[0], "FLOAT64", bad)
	case "cast":
		return toType(args[0], c.Type, bad)
	case "startswith", "endswith", "match":
		if err := needString(0); err != nil {
			return nil, err
		}
		if err := needString(1); err != nil {
			return nil, err
		}
		if p, ok := args[1].(*bParam); ok && c.Name == "match" {
			if _, err := regexp.Compile(p.v.(string)); err != nil {
				return nil, bad(fmt.Sprintf("invalid regular expression: %v", err))
			}
		}
		return &bFunc{fn: c.Name, args: args, k: kBool}, nil
	case "mapcontains":
		col, ok := args[0].(*bColumn)
		if !ok || col.k != kMap {
			return nil, bad("argument 1 must be a map column")
		}
		if _, ok := args[1].(*bParam); !ok || args[1].kind() != kString {
			return nil, bad("argument 2 must be a string literal key")
		}
		return &bFunc{fn: c.Name, args: args, k: kBool}, nil
	}
	return nil, bad("unknown function")
}

func toType(x bexpr, typ string, bad func(string) error) (bexpr, error) {
	if x.kind() == kMap || x.kind() == kNull {
		return nil, bad(fmt.Sprintf("cannot convert a %s", x.kind()))
	}
	switch typ {
	case "STRING":
		if x.kind() == kString {
			return x, nil
		}
		return &bFunc{fn: "tostring", args: []bexpr{x}, k: kString}, nil
	case "FLOAT64":
		return &bFunc{fn: "tofloat64", args: []bexpr{x}, k: kFloat}, nil
	case "INT64":
		return &bFunc{fn: "toint64", args: []bexpr{x}, k: kInt}, nil
	case "UINT64":
		return &bFunc{fn: "touint64", args: []bexpr{x}, k: kUint}, nil
	case "BOOL":
		return &bFunc{fn: "tobool", args: []bexpr{x}, k: kBool}, nil
	}
	return nil, bad("unsupported type " + typ)
}
