package query

import (
	"sort"
	"strings"
)

// ParseSQL parses a SQL WHERE expression into the same AST as Parse.
// Empty input returns (nil, nil). Supported: comparisons (= == != <> < <= >
// >=), AND/OR/NOT, parentheses, [NOT] IN (...), [NOT] LIKE/ILIKE, IS [NOT]
// NULL, [NOT] BETWEEN, map access SpanAttributes['k'], string/number/boolean
// literals and the functions in sqlFunctions. Anything else — subqueries,
// semicolons, comments, placeholders, unknown functions, UNION/SELECT and
// other statement keywords — is a *SyntaxError naming what is not allowed.
func ParseSQL(input string) (Node, error) {
	if strings.TrimSpace(input) == "" {
		return nil, nil
	}
	toks, err := lexSQL(input)
	if err != nil {
		return nil, err
	}
	p := &sqlParser{toks: toks}
	v, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != sqlEOF {
		if t.text == ")" {
			return nil, synErr(t.pos, "unexpected ')' with no matching '('")
		}
		return nil, synErr(t.pos, "unexpected %s", t.describe())
	}
	return p.asNode(v)
}

// sqlFunctions maps every accepted function name (lower case) to its
// canonical AST name, with its argument count.
var sqlFunctions = map[string]struct {
	name  string
	nargs int
}{
	"lower":                   {"lower", 1},
	"upper":                   {"upper", 1},
	"length":                  {"length", 1},
	"lengthutf8":              {"length", 1},
	"char_length":             {"length", 1},
	"tostring":                {"tostring", 1},
	"tofloat64":               {"tofloat64", 1},
	"tofloat64ornull":         {"tofloat64", 1},
	"mapcontains":             {"mapcontains", 2},
	"map_contains":            {"mapcontains", 2},
	"has":                     {"mapcontains", 2},
	"startswith":              {"startswith", 2},
	"starts_with":             {"startswith", 2},
	"endswith":                {"endswith", 2},
	"ends_with":               {"endswith", 2},
	"match":                   {"match", 2},
	"regexp_matches":          {"match", 2},
	"hastoken":                {"hastoken", 2},
	"hastokencaseinsensitive": {"hastoken", 2},
}

// castTypes maps the accepted CAST target types to canonical names.
var castTypes = map[string]string{
	"STRING": "STRING", "VARCHAR": "STRING", "TEXT": "STRING",
	"FLOAT64": "FLOAT64", "DOUBLE": "FLOAT64", "FLOAT": "FLOAT64",
	"INT64": "INT64", "BIGINT": "INT64", "INTEGER": "INT64", "INT": "INT64",
	"UINT64": "UINT64", "UBIGINT": "UINT64",
	"BOOL": "BOOL", "BOOLEAN": "BOOL",
}

func allowedFunctions() string {
	seen := map[string]bool{}
	var names []string
	for k := range sqlFunctions {
		if !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(append(names, "cast", "try_cast"), ", ")
}

func (t sqlTok) describe() string {
	switch t.kind {
	case sqlEOF:
		return "end of input"
	case sqlString:
		return "string literal"
	}
	return "'" + t.text + "'"
}

func (t sqlTok) isKw(kw string) bool { return t.kind == sqlIdent && strings.EqualFold(t.text, kw) }

type sqlParser struct {
	toks  []sqlTok
	i     int
	depth int
}

// sqlVal is a parsed SQL sub-expression: a condition (node) or a value (expr).
type sqlVal struct {
	node Node
	expr Expr
	pos  int
}

func (p *sqlParser) peek() sqlTok { return p.toks[p.i] }

func (p *sqlParser) next() sqlTok {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *sqlParser) expectPunct(s string, ctx string) (sqlTok, error) {
	t := p.next()
	if t.kind != sqlPunct || t.text != s {
		return t, synErr(t.pos, "expected '%s' %s, got %s", s, ctx, t.describe())
	}
	return t, nil
}

func (p *sqlParser) asNode(v sqlVal) (Node, error) {
	if v.node != nil {
		return v.node, nil
	}
	return &Truth{Pos: v.pos, X: v.expr}, nil
}

func (p *sqlParser) asExpr(v sqlVal) (Expr, error) {
	if v.expr != nil {
		return v.expr, nil
	}
	return nil, synErr(v.pos, "a condition cannot be used as a value here")
}

func (p *sqlParser) parseOr() (sqlVal, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return sqlVal{}, synErr(p.peek().pos, "expression is nested too deeply")
	}
	return p.parseChain("OR", p.parseAnd, or2)
}

func (p *sqlParser) parseAnd() (sqlVal, error) {
	return p.parseChain("AND", p.parseNot, and2)
}

// parseChain parses `operand (kw operand)*` and combines two or more
// operands into one node; a lone operand is returned as it is (it may be a
// value, not a condition).
func (p *sqlParser) parseChain(kw string, operand func() (sqlVal, error), combine func(int, []Node) Node) (sqlVal, error) {
	first, err := operand()
	if err != nil || !p.peek().isKw(kw) {
		return first, err
	}
	n, err := p.asNode(first)
	if err != nil {
		return sqlVal{}, err
	}
	terms := []Node{n}
	for p.peek().isKw(kw) {
		p.next()
		v, err := operand()
		if err != nil {
			return sqlVal{}, err
		}
		n, err := p.asNode(v)
		if err != nil {
			return sqlVal{}, err
		}
		terms = append(terms, n)
	}
	return sqlVal{node: combine(first.pos, terms), pos: first.pos}, nil
}

func (p *sqlParser) parseNot() (sqlVal, error) {
	t := p.peek()
	if !t.isKw("NOT") {
		return p.parsePredicate()
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return sqlVal{}, synErr(t.pos, "expression is nested too deeply")
	}
	p.next()
	v, err := p.parseNot()
	if err != nil {
		return sqlVal{}, err
	}
	n, err := p.asNode(v)
	if err != nil {
		return sqlVal{}, err
	}
	return sqlVal{node: &Not{Pos: t.pos, X: n}, pos: t.pos}, nil
}

var sqlCompareOps = map[string]CompareOp{"=": Eq, "==": Eq, "!=": Ne, "<>": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}

func (p *sqlParser) parsePredicate() (sqlVal, error) {
	left, err := p.parseOperand()
	if err != nil {
		return sqlVal{}, err
	}
	t := p.peek()
	pos := left.pos
	if t.kind == sqlPunct {
		op, ok := sqlCompareOps[t.text]
		if !ok {
			if t.text == "+" || t.text == "-" {
				return sqlVal{}, synErr(t.pos, "arithmetic operators are not supported")
			}
			return left, nil
		}
		p.next()
		l, err := p.asExpr(left)
		if err != nil {
			return sqlVal{}, err
		}
		rv, err := p.parseOperand()
		if err != nil {
			return sqlVal{}, err
		}
		r, err := p.asExpr(rv)
		if err != nil {
			return sqlVal{}, err
		}
		return sqlVal{node: &Compare{Pos: pos, Op: op, Left: l, Right: r}, pos: pos}, nil
	}
	if t.kind != sqlIdent {
		return left, nil
	}
	negated := false
	if t.isKw("NOT") {
		nt := p.toks[min(p.i+1, len(p.toks)-1)]
		if !(nt.isKw("IN") || nt.isKw("LIKE") || nt.isKw("ILIKE") || nt.isKw("BETWEEN")) {
			return sqlVal{}, synErr(nt.pos, "expected IN, LIKE, ILIKE or BETWEEN after NOT, got %s", nt.describe())
		}
		p.next()
		negated = true
		t = p.peek()
	}
	var node Node
	switch {
	case t.isKw("IN"):
		p.next()
		x, err := p.asExpr(left)
		if err != nil {
			return sqlVal{}, err
		}
		open, err := p.expectPunct("(", "after IN")
		if err != nil {
			return sqlVal{}, err
		}
		in := &In{Pos: pos, X: x, Negated: negated}
		for {
			v, err := p.parseOperand()
			if err != nil {
				return sqlVal{}, err
			}
			e, err := p.asExpr(v)
			if err != nil {
				return sqlVal{}, err
			}
			in.List = append(in.List, e)
			c := p.next()
			if c.kind == sqlPunct && c.text == ")" {
				break
			}
			if c.kind != sqlPunct || c.text != "," {
				return sqlVal{}, synErr(c.pos, "expected ',' or ')' in IN list opened at position %d, got %s", open.pos, c.describe())
			}
		}
		node = in
	case t.isKw("LIKE") || t.isKw("ILIKE"):
		p.next()
		x, err := p.asExpr(left)
		if err != nil {
			return sqlVal{}, err
		}
		pv, err := p.parseOperand()
		if err != nil {
			return sqlVal{}, err
		}
		pat, err := p.asExpr(pv)
		if err != nil {
			return sqlVal{}, err
		}
		node = &Like{Pos: pos, X: x, Pattern: pat, CaseInsensitive: t.isKw("ILIKE"), Negated: negated}
	case t.isKw("BETWEEN"):
		p.next()
		x, err := p.asExpr(left)
		if err != nil {
			return sqlVal{}, err
		}
		lo, err := p.parseOperand()
		if err != nil {
			return sqlVal{}, err
		}
		if a := p.next(); !a.isKw("AND") {
			return sqlVal{}, synErr(a.pos, "expected AND in BETWEEN, got %s", a.describe())
		}
		hi, err := p.parseOperand()
		if err != nil {
			return sqlVal{}, err
		}
		loE, err := p.asExpr(lo)
		if err != nil {
			return sqlVal{}, err
		}
		hiE, err := p.asExpr(hi)
		if err != nil {
			return sqlVal{}, err
		}
		node = &Range{Pos: pos, X: x, Lo: loE, Hi: hiE, LoInclusive: true, HiInclusive: true}
		if negated {
			node = &Not{Pos: pos, X: node}
		}
	case t.isKw("IS"):
		p.next()
		x, err := p.asExpr(left)
		if err != nil {
			return sqlVal{}, err
		}
		isNot := false
		if p.peek().isKw("NOT") {
			p.next()
			isNot = true
		}
		if n := p.next(); !n.isKw("NULL") {
			return sqlVal{}, synErr(n.pos, "expected NULL after IS, got %s", n.describe())
		}
		node = &IsNull{Pos: pos, X: x, Negated: isNot}
	default:
		if t.isKw("AND") || t.isKw("OR") {
			return left, nil
		}
		return sqlVal{}, synErr(t.pos, "unexpected %s", t.describe())
	}
	return sqlVal{node: node, pos: pos}, nil
}

func (p *sqlParser) parseOperand() (sqlVal, error) {
	t := p.next()
	switch t.kind {
	case sqlEOF:
		return sqlVal{}, synErr(t.pos, "unexpected end of input: expected a value")
	case sqlString:
		return sqlVal{expr: &Literal{Pos: t.pos, Kind: StringLit, Text: t.text}, pos: t.pos}, nil
	case sqlNumber:
		return sqlVal{expr: &Literal{Pos: t.pos, Kind: NumberLit, Text: t.text}, pos: t.pos}, nil
	case sqlDuration:
		return sqlVal{expr: &Literal{Pos: t.pos, Kind: DurationLit, Text: t.text}, pos: t.pos}, nil
	case sqlQuotedIdent:
		return p.parseFieldRest(t.text, t.pos)
	case sqlPunct:
		switch t.text {
		case "-":
			n := p.next()
			if n.kind != sqlNumber {
				return sqlVal{}, synErr(t.pos, "unary minus is only allowed before a number")
			}
			return sqlVal{expr: &Literal{Pos: t.pos, Kind: NumberLit, Text: "-" + n.text}, pos: t.pos}, nil
		case "(":
			if nt := p.peek(); nt.kind == sqlIdent && strings.EqualFold(nt.text, "SELECT") {
				return sqlVal{}, synErr(nt.pos, "subqueries are not allowed")
			}
			v, err := p.parseOr()
			if err != nil {
				return sqlVal{}, err
			}
			if c := p.next(); c.kind != sqlPunct || c.text != ")" {
				return sqlVal{}, synErr(c.pos, "unbalanced parenthesis opened at position %d", t.pos)
			}
			return v, nil
		}
		return sqlVal{}, synErr(t.pos, "unexpected %s: expected a value", t.describe())
	}
	// Identifier: keyword literal, function call or field.
	up := strings.ToUpper(t.text)
	switch up {
	case "TRUE", "FALSE":
		return sqlVal{expr: &Literal{Pos: t.pos, Kind: BoolLit, Text: strings.ToLower(up)}, pos: t.pos}, nil
	case "NULL":
		return sqlVal{expr: &Literal{Pos: t.pos, Kind: NullLit, Text: "null"}, pos: t.pos}, nil
	case "AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "BETWEEN":
		return sqlVal{}, synErr(t.pos, "unexpected %s: expected a value", up)
	}
	if nt := p.peek(); nt.kind == sqlPunct && nt.text == "(" {
		return p.parseCall(t)
	}
	return p.parseFieldRest(t.text, t.pos)
}

// parseFieldRest parses an optional map subscript after a field name.
func (p *sqlParser) parseFieldRest(name string, pos int) (sqlVal, error) {
	f := &Field{Pos: pos, Name: name}
	if nt := p.peek(); nt.kind == sqlPunct && nt.text == "[" {
		p.next()
		k := p.next()
		if k.kind != sqlString {
			return sqlVal{}, synErr(k.pos, "map key must be a string literal")
		}
		if _, err := p.expectPunct("]", "after map key"); err != nil {
			return sqlVal{}, err
		}
		key := k.text
		f.Key = &key
	}
	return sqlVal{expr: f, pos: pos}, nil
}

func (p *sqlParser) parseCall(name sqlTok) (sqlVal, error) {
	lname := strings.ToLower(name.text)
	open := p.next() // '('
	if nt := p.peek(); nt.kind == sqlIdent && strings.EqualFold(nt.text, "SELECT") {
		return sqlVal{}, synErr(nt.pos, "subqueries are not allowed")
	}
	if lname == "cast" || lname == "try_cast" {
		v, err := p.parseOperand()
		if err != nil {
			return sqlVal{}, err
		}
		x, err := p.asExpr(v)
		if err != nil {
			return sqlVal{}, err
		}
		if as := p.next(); !as.isKw("AS") {
			return sqlVal{}, synErr(as.pos, "expected AS in CAST, got %s", as.describe())
		}
		tt := p.next()
		typ, ok := castTypes[strings.ToUpper(tt.text)]
		if tt.kind != sqlIdent || !ok {
			return sqlVal{}, synErr(tt.pos, "type %s is not allowed in CAST (allowed: String, Float64, Int64, UInt64, Bool)", tt.describe())
		}
		if _, err := p.expectPunct(")", "to close CAST"); err != nil {
			return sqlVal{}, err
		}
		return sqlVal{expr: &Call{Pos: name.pos, Name: "cast", Args: []Expr{x}, Type: typ}, pos: name.pos}, nil
	}
	fn, ok := sqlFunctions[lname]
	if !ok {
		return sqlVal{}, synErr(name.pos, "function %s is not allowed (allowed: %s)", name.text, allowedFunctions())
	}
	var args []Expr
	if nt := p.peek(); !(nt.kind == sqlPunct && nt.text == ")") {
		for {
			v, err := p.parseOr()
			if err != nil {
				return sqlVal{}, err
			}
			e, err := p.asExpr(v)
			if err != nil {
				return sqlVal{}, err
			}
			args = append(args, e)
			c := p.next()
			if c.kind == sqlPunct && c.text == ")" {
				break
			}
			if c.kind != sqlPunct || c.text != "," {
				return sqlVal{}, synErr(c.pos, "expected ',' or ')' in call of %s opened at position %d, got %s", name.text, open.pos, c.describe())
			}
		}
	} else {
		p.next()
	}
	if len(args) != fn.nargs {
		return sqlVal{}, synErr(name.pos, "%s takes %d argument(s), got %d", name.text, fn.nargs, len(args))
	}
	if fn.name == "hastoken" {
		f, ok := args[0].(*Field)
		lit, ok2 := args[1].(*Literal)
		if !ok || !ok2 || lit.Kind != StringLit {
			return sqlVal{}, synErr(name.pos, "%s needs a field and a string literal", name.text)
		}
		return sqlVal{node: &Search{Pos: name.pos, Field: f, Kind: Token, Value: lit.Text}, pos: name.pos}, nil
	}
	return sqlVal{expr: &Call{Pos: name.pos, Name: fn.name, Args: args}, pos: name.pos}, nil
}
