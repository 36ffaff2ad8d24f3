package traceql

import (
	"strings"
)

// MaxDepth bounds the nesting of parentheses, braces and operators.
const MaxDepth = 64

// Parse parses a TraceQL query. Errors are *query.SyntaxError naming the
// byte offset.
func Parse(s string) (*Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &Query{}
	p.q = q
	sp, err := p.pipeline(true)
	if err != nil {
		return nil, err
	}
	q.Spans = sp
	if t := p.peek(); t.kind != tEOF {
		return nil, synErr(t.pos, "unexpected %s: expected end of query", t)
	}
	return q, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
	q     *Query
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) is(text string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == text
}

func (p *parser) expect(text string) (token, error) {
	t := p.next()
	if t.kind != tPunct || t.text != text {
		return t, synErr(t.pos, "expected %q, found %s", text, t)
	}
	return t, nil
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxDepth {
		return synErr(pos, "query nests deeper than %d levels: simplify it", MaxDepth)
	}
	return nil
}

// pipeline := spansetExpr ('|' stage)*. top allows the metrics stage.
func (p *parser) pipeline(top bool) (Spanset, error) {
	start := p.peek().pos
	src, err := p.spansetOr()
	if err != nil {
		return nil, err
	}
	if !p.is("|") {
		return src, nil
	}
	pl := &Pipeline{Pos: start, Src: src}
	for p.is("|") {
		p.next()
		if p.q.Metrics != nil {
			return nil, synErr(p.peek().pos, "nothing may follow the metrics function %s()", p.q.Metrics.Fn)
		}
		st, err := p.stage(top)
		if err != nil {
			return nil, err
		}
		if st != nil {
			pl.Stages = append(pl.Stages, st)
		}
	}
	return pl, nil
}

// spansetOr := spansetAnd ('||' spansetAnd)*
func (p *parser) spansetOr() (Spanset, error) {
	l, err := p.spansetAnd()
	if err != nil {
		return nil, err
	}
	for p.is("||") {
		t := p.next()
		r, err := p.spansetAnd()
		if err != nil {
			return nil, err
		}
		l = &SpansetOp{Pos: t.pos, Op: "||", L: l, R: r}
	}
	return l, nil
}

// spansetAnd := structural ('&&' structural)*
func (p *parser) spansetAnd() (Spanset, error) {
	l, err := p.structural()
	if err != nil {
		return nil, err
	}
	for p.is("&&") {
		t := p.next()
		r, err := p.structural()
		if err != nil {
			return nil, err
		}
		l = &SpansetOp{Pos: t.pos, Op: "&&", L: l, R: r}
	}
	return l, nil
}

// structural := primary (('>>'|'>'|'~'|'<<'|'<') primary)*, left to right.
func (p *parser) structural() (Spanset, error) {
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.is(">>") || p.is(">") || p.is("~") || p.is("<<") || p.is("<") {
		t := p.next()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		l = &SpansetOp{Pos: t.pos, Op: t.text, L: l, R: r}
	}
	return l, nil
}

// primary := '{' cond? '}' | '(' pipeline ')'
func (p *parser) primary() (Spanset, error) {
	t := p.next()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	switch {
	case t.kind == tPunct && t.text == "{":
		f := &Filter{Pos: t.pos}
		if p.is("}") {
			p.next()
			return f, nil
		}
		c, err := p.condOr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect("}"); err != nil {
			return nil, err
		}
		f.Cond = c
		return f, nil
	case t.kind == tPunct && t.text == "(":
		sp, err := p.pipeline(false)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return sp, nil
	}
	return nil, synErr(t.pos, "expected a spanset such as { name = \"x\" }, found %s", t)
}

// stage := aggregate op value | by(...) | select(...) | { cond } | metrics.
// It returns nil for a metrics stage (stored in p.q.Metrics).
func (p *parser) stage(top bool) (Stage, error) {
	t := p.peek()
	if t.kind == tPunct && t.text == "{" {
		sp, err := p.primary()
		if err != nil {
			return nil, err
		}
		return sp.(*Filter), nil
	}
	if t.kind != tIdent {
		return nil, synErr(t.pos, "expected a pipeline stage (count(), avg(), by(), select(), rate(), { … }), found %s", t)
	}
	p.next()
	name := t.text
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	switch name {
	case "count", "avg", "min", "max", "sum":
		a := &AggFilter{Pos: t.pos, Fn: name}
		if name != "count" {
			f, err := p.field()
			if err != nil {
				return nil, err
			}
			a.Field = f
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		op := p.next()
		if op.kind != tPunct || !isCmpOp(op.text) || op.text == "=~" || op.text == "!~" {
			return nil, synErr(op.pos, "expected a comparison after %s(), e.g. %s() > 2, found %s", name, name, op)
		}
		a.Op = op.text
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if v.Kind != VNumber && v.Kind != VDuration {
			return nil, synErr(v.Pos, "%s() compares with a number or a duration", name)
		}
		a.Value = v
		return a, nil
	case "by", "select":
		fs, err := p.fieldList()
		if err != nil {
			return nil, err
		}
		if name == "by" {
			p.q.By = fs
			return &By{Pos: t.pos, Fields: fs}, nil
		}
		p.q.Select = append(p.q.Select, fs...)
		return &Select{Pos: t.pos, Fields: fs}, nil
	case "rate", "count_over_time", "quantile_over_time", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time":
		if !top || p.depth > 0 {
			return nil, synErr(t.pos, "%s() must be the last stage of the whole query", name)
		}
		m := &MetricsStage{Pos: t.pos, Fn: name}
		if name != "rate" && name != "count_over_time" {
			f, err := p.field()
			if err != nil {
				return nil, err
			}
			m.Field = f
			if name == "quantile_over_time" {
				for p.is(",") {
					p.next()
					v, err := p.value()
					if err != nil {
						return nil, err
					}
					if v.Kind != VNumber || v.N < 0 || v.N > 1 {
						return nil, synErr(v.Pos, "a quantile is a number from 0 to 1, e.g. .99")
					}
					m.Quantiles = append(m.Quantiles, v.N)
				}
				if len(m.Quantiles) == 0 {
					return nil, synErr(p.peek().pos, "quantile_over_time needs at least one quantile, e.g. quantile_over_time(duration, .99)")
				}
			}
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		if tt := p.peek(); tt.kind == tIdent && tt.text == "by" {
			p.next()
			if _, err := p.expect("("); err != nil {
				return nil, err
			}
			fs, err := p.fieldList()
			if err != nil {
				return nil, err
			}
			m.By = fs
		}
		p.q.Metrics = m
		return nil, nil
	}
	return nil, synErr(t.pos, "unknown pipeline function %s(): use count, avg, min, max, sum, by, select, rate, count_over_time or quantile_over_time", name)
}

// fieldList := field (',' field)* ')'; the '(' is consumed.
func (p *parser) fieldList() ([]*Field, error) {
	var fs []*Field
	for {
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
		if !p.is(",") {
			break
		}
		p.next()
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return fs, nil
}

// condOr := condAnd ('||' condAnd)*
func (p *parser) condOr() (Cond, error) {
	l, err := p.condAnd()
	if err != nil {
		return nil, err
	}
	for p.is("||") {
		t := p.next()
		r, err := p.condAnd()
		if err != nil {
			return nil, err
		}
		l = &CondOp{Pos: t.pos, Op: "||", L: l, R: r}
	}
	return l, nil
}

// condAnd := condUnary ('&&' condUnary)*
func (p *parser) condAnd() (Cond, error) {
	l, err := p.condUnary()
	if err != nil {
		return nil, err
	}
	for p.is("&&") {
		t := p.next()
		r, err := p.condUnary()
		if err != nil {
			return nil, err
		}
		l = &CondOp{Pos: t.pos, Op: "&&", L: l, R: r}
	}
	return l, nil
}

// condUnary := '!' condUnary | '(' condOr ')' | true | false | field op value
func (p *parser) condUnary() (Cond, error) {
	t := p.peek()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	switch {
	case t.kind == tPunct && t.text == "!":
		p.next()
		x, err := p.condUnary()
		if err != nil {
			return nil, err
		}
		return &Not{Pos: t.pos, X: x}, nil
	case t.kind == tPunct && t.text == "(":
		p.next()
		c, err := p.condOr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return c, nil
	case t.kind == tIdent && (t.text == "true" || t.text == "false"):
		p.next()
		return &BoolLit{Pos: t.pos, V: t.text == "true"}, nil
	}
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind != tPunct || !isCmpOp(op.text) {
		return nil, synErr(op.pos, "expected a comparison (= != > >= < <= =~ !~) after %s, found %s", f.Text, op)
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	c := &Cmp{Pos: f.Pos, Field: f, Op: op.text, Value: v}
	if err := checkCmp(c); err != nil {
		return nil, err
	}
	return c, nil
}

func isCmpOp(s string) bool {
	switch s {
	case "=", "!=", ">", ">=", "<", "<=", "=~", "!~":
		return true
	}
	return false
}

// intrinsics maps every accepted spelling to its intrinsic.
var intrinsics = map[string]Intrinsic{
	"name": IName, "span:name": IName,
	"status": IStatus, "span:status": IStatus,
	"statusMessage": IStatusMessage, "span:statusMessage": IStatusMessage,
	"kind": IKind, "span:kind": IKind,
	"duration": IDuration, "span:duration": IDuration,
	"rootName": IRootName, "trace:rootName": IRootName,
	"rootServiceName": IRootServiceName, "trace:rootService": IRootServiceName,
	"traceDuration": ITraceDuration, "trace:duration": ITraceDuration,
	"trace:id": ITraceID, "span:id": ISpanID, "span:parentID": IParentID,
	"event:name": IEventName, "link:traceID": ILinkTraceID, "link:spanID": ILinkSpanID,
}

// field := intrinsic | span.key | resource.key | .key
func (p *parser) field() (*Field, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, synErr(t.pos, "expected a field (name, duration, span.x, resource.x, .x), found %s", t)
	}
	f := &Field{Pos: t.pos, Text: t.text}
	if in, ok := intrinsics[t.text]; ok {
		f.Intrinsic = in
		return f, nil
	}
	for _, sc := range []struct {
		prefix string
		scope  Scope
	}{{"span.", ScopeSpan}, {"resource.", ScopeResource}, {".", ScopeAny}} {
		if strings.HasPrefix(t.text, sc.prefix) {
			f.Scope, f.Key = sc.scope, t.text[len(sc.prefix):]
			if f.Key == "" {
				return nil, synErr(t.pos, "attribute %q has no name", t.text)
			}
			return f, nil
		}
	}
	if strings.HasPrefix(t.text, "event.") || strings.HasPrefix(t.text, "link.") ||
		strings.HasPrefix(t.text, "instrumentation.") || strings.Contains(t.text, ":") {
		return nil, synErr(t.pos, "field %s is not supported; supported: intrinsics (name, status, kind, duration, …), span.x, resource.x and .x", t.text)
	}
	return nil, synErr(t.pos, "unknown field %s: write an attribute as .%s (span or resource), span.%s or resource.%s", t.text, t.text, t.text, t.text)
}

var statusValues = map[string]string{"error": "Error", "ok": "Ok", "unset": "Unset"}
var kindValues = map[string]string{"unspecified": "Unspecified", "internal": "Internal", "server": "Server",
	"client": "Client", "producer": "Producer", "consumer": "Consumer"}

// value := string | number | duration | true | false | nil | status | kind
func (p *parser) value() (*Value, error) {
	t := p.next()
	v := &Value{Pos: t.pos}
	switch t.kind {
	case tString:
		v.Kind, v.S = VString, t.text
	case tNumber:
		v.Kind, v.N = VNumber, t.num
	case tDuration:
		v.Kind, v.D = VDuration, t.dur
	case tIdent:
		switch {
		case t.text == "true" || t.text == "false":
			v.Kind, v.B = VBool, t.text == "true"
		case t.text == "nil":
			v.Kind = VNil
		case statusValues[t.text] != "":
			v.Kind, v.S = VStatus, statusValues[t.text]
		case kindValues[t.text] != "":
			v.Kind, v.S = VKind, kindValues[t.text]
		default:
			return nil, synErr(t.pos, "unexpected %s: expected a value (\"string\", number, duration such as 100ms, true, false, nil, a status or a kind)", t)
		}
	default:
		return nil, synErr(t.pos, "expected a value, found %s", t)
	}
	return v, nil
}

// checkCmp checks that the value's type fits the field and the operator.
func checkCmp(c *Cmp) error {
	f, v, op := c.Field, c.Value, c.Op
	regex := op == "=~" || op == "!~"
	if regex && v.Kind != VString {
		return synErr(v.Pos, "%s needs a string regular expression", op)
	}
	eqOnly := func(what string) error {
		if op != "=" && op != "!=" {
			return synErr(c.Pos, "%s compares with = or != only", what)
		}
		return nil
	}
	switch f.Intrinsic {
	case "":
		if v.Kind == VStatus || v.Kind == VKind {
			return synErr(v.Pos, "an attribute compares with a string, number, bool or nil; quote the text: \"%s\"", strings.ToLower(v.S))
		}
		if v.Kind == VDuration {
			return synErr(v.Pos, "attributes hold no durations: compare with a number")
		}
		if v.Kind == VNil || v.Kind == VBool {
			return eqOnly(f.Text + " with " + map[bool]string{true: "nil", false: "a bool"}[v.Kind == VNil])
		}
		return nil
	case IStatus:
		if v.Kind != VStatus {
			return synErr(v.Pos, "status compares with error, ok or unset")
		}
		return eqOnly("status")
	case IKind:
		if v.Kind != VKind {
			return synErr(v.Pos, "kind compares with unspecified, internal, server, client, producer or consumer")
		}
		return eqOnly("kind")
	case IDuration, ITraceDuration:
		if v.Kind != VDuration {
			return synErr(v.Pos, "%s compares with a duration such as 100ms or 1.5s", f.Text)
		}
		if regex {
			return synErr(c.Pos, "%s cannot be matched with a regular expression", f.Text)
		}
		return nil
	default:
		if v.Kind != VString {
			return synErr(v.Pos, "%s compares with a string", f.Text)
		}
		return nil
	}
}
