package query

import (
	"strconv"
	"strings"
)

// Parse parses the Lucene-style search language (HyperDX semantics).
// Empty or whitespace-only input returns (nil, nil), meaning "match all".
// Syntax errors are *SyntaxError. See docs/query-language.md.
//
// Grammar (precedence NOT > AND > OR; juxtaposition is AND):
//
//	query   = or EOF
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }
//	unary   = ("NOT" | "-") unary | ["+"] primary
//	primary = "(" or ")" | "*" | PHRASE | WORD | FIELD ":" value
//	value   = "*" | PHRASE | WORD | ("<"|"<="|">"|">=") bound
//	        | ("["|"{") bound "TO" bound ("]"|"}") | "(" or ")"
//
// Keywords AND, OR, NOT and TO are upper case only; "and" is a word.
func Parse(input string) (Node, error) {
	if strings.TrimSpace(input) == "" {
		return nil, nil
	}
	p := &luceneParser{s: scanner{src: input}}
	n, err := p.parseOr(nil, -1)
	if err != nil {
		return nil, err
	}
	p.s.skipSpace()
	if !p.s.eof() {
		if p.s.peek() == ')' {
			return nil, synErr(p.s.pos, "unexpected ')' with no matching '('")
		}
		return nil, synErr(p.s.pos, "unexpected %s", describeAt(input, p.s.pos))
	}
	return n, nil
}

type luceneParser struct {
	s     scanner
	depth int
}

const maxDepth = 200

// keyword returns the keyword (AND, OR, NOT) at the cursor, if any.
func (p *luceneParser) keyword() string {
	for _, kw := range [...]string{"AND", "OR", "NOT"} {
		if strings.HasPrefix(p.s.src[p.s.pos:], kw) {
			end := p.s.pos + len(kw)
			if end == len(p.s.src) || p.s.src[end] == '(' || p.s.src[end] == ')' || isSpaceAt(p.s.src, end) {
				return kw
			}
		}
	}
	return ""
}

// atTermEnd reports whether the cursor is at the end of a (sub)expression.
func (p *luceneParser) atTermEnd(closing int) bool {
	p.s.skipSpace()
	return p.s.eof() || (p.s.peek() == ')' && closing >= 0)
}

// parseOr parses a disjunction. field is the default field inside a
// `field:( ... )` group (nil at top level); closing is the position of the
// open parenthesis being closed, or -1.
func (p *luceneParser) parseOr(field *Field, closing int) (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, synErr(p.s.pos, "query is nested too deeply")
	}
	start := p.s.pos
	first, err := p.parseAnd(field, closing)
	if err != nil {
		return nil, err
	}
	terms := []Node{first}
	for {
		p.s.skipSpace()
		if p.keyword() != "OR" {
			break
		}
		kwPos := p.s.pos
		p.s.pos += 2
		if p.atTermEnd(closing) {
			return nil, synErr(kwPos, "expected a term after OR")
		}
		n, err := p.parseAnd(field, closing)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	return or2(start, terms), nil
}

func (p *luceneParser) parseAnd(field *Field, closing int) (Node, error) {
	start := p.s.pos
	first, err := p.parseUnary(field, closing)
	if err != nil {
		return nil, err
	}
	terms := []Node{first}
	for {
		if p.atTermEnd(closing) {
			break
		}
		if p.s.peek() == ')' {
			break
		}
		switch p.keyword() {
		case "OR":
			return and2(start, terms), nil
		case "AND":
			kwPos := p.s.pos
			p.s.pos += 3
			if p.atTermEnd(closing) {
				return nil, synErr(kwPos, "expected a term after AND")
			}
			if kw := p.keyword(); kw == "AND" || kw == "OR" {
				return nil, synErr(p.s.pos, "unexpected %s after AND", kw)
			}
		}
		n, err := p.parseUnary(field, closing)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	return and2(start, terms), nil
}

func (p *luceneParser) parseUnary(field *Field, closing int) (Node, error) {
	p.s.skipSpace()
	start := p.s.pos
	switch kw := p.keyword(); kw {
	case "NOT":
		p.s.pos += 3
		if p.atTermEnd(closing) {
			return nil, synErr(start, "expected a term after NOT")
		}
		return p.parseNegated(start, field, closing)
	case "AND", "OR":
		return nil, synErr(start, "unexpected %s: expected a term before it", kw)
	}
	switch p.s.peek() {
	case '-':
		if p.s.pos+1 >= len(p.s.src) || isSpaceAt(p.s.src, p.s.pos+1) || p.s.peekAt(1) == ')' {
			return nil, synErr(start, "expected a term after '-'")
		}
		p.s.pos++
		return p.parseNegated(start, field, closing)
	case '+':
		if p.s.pos+1 < len(p.s.src) && !isSpaceAt(p.s.src, p.s.pos+1) && p.s.peekAt(1) != ')' {
			p.s.pos++
		}
	}
	return p.parsePrimary(field, closing)
}

func (p *luceneParser) parseNegated(start int, field *Field, closing int) (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, synErr(p.s.pos, "query is nested too deeply")
	}
	x, err := p.parseUnary(field, closing)
	if err != nil {
		return nil, err
	}
	if n, ok := x.(*Not); ok { // NOT NOT x == x
		return n.X, nil
	}
	return &Not{Pos: start, X: x}, nil
}

func (p *luceneParser) parsePrimary(field *Field, closing int) (Node, error) {
	p.s.skipSpace()
	start := p.s.pos
	switch p.s.peek() {
	case '(':
		return p.parseGroup(field)
	case ')':
		return nil, synErr(start, "unexpected ')' with no matching '('")
	case '"':
		v, err := p.s.readQuoted()
		if err != nil {
			return nil, err
		}
		if field != nil {
			return &Search{Pos: start, Field: field, Kind: Exact, Value: v}, nil
		}
		return &Search{Pos: start, Kind: Phrase, Value: v}, nil
	}
	w, err := p.s.readWord(field == nil, "")
	if err != nil {
		return nil, err
	}
	if w.colon {
		colon := p.s.pos
		p.s.pos++ // ':'
		if w.isWild() {
			return nil, synErr(w.start, "wildcards are not allowed in field names")
		}
		name := w.text()
		if name == "" {
			return nil, synErr(colon, "expected a field name before ':'")
		}
		return p.parseValue(&Field{Pos: w.start, Name: name}, colon)
	}
	if w.end == w.start {
		return nil, synErr(start, "unexpected %s", describeAt(p.s.src, start))
	}
	if field == nil && w.isBareStar() {
		return &MatchAll{Pos: start}, nil
	}
	return wordNode(start, field, w), nil
}

// wordNode is the leaf for an unquoted word: a token / glob on the text
// column at top level, contains / glob / exists on field inside a group.
func wordNode(pos int, field *Field, w word) Node {
	if field == nil {
		if w.isWild() {
			return &Search{Pos: pos, Kind: Glob, Value: w.text(), Pieces: compactPieces(w.pieces)}
		}
		return &Search{Pos: pos, Kind: Token, Value: w.text()}
	}
	if w.isWild() {
		pieces := compactPieces(w.pieces)
		if len(pieces) == 2 && pieces[0] == "" && pieces[1] == "" {
			return &Search{Pos: pos, Field: field, Kind: Exists}
		}
		return &Search{Pos: pos, Field: field, Kind: Glob, Value: w.text(), Pieces: pieces}
	}
	return &Search{Pos: pos, Field: field, Kind: Contains, Value: w.text()}
}

// compactPieces merges consecutive wildcards ("a**b" == "a*b").
func compactPieces(pieces []string) []string {
	out := []string{pieces[0]}
	for i := 1; i < len(pieces); i++ {
		if pieces[i] == "" && i < len(pieces)-1 {
			continue
		}
		out = append(out, pieces[i])
	}
	return out
}

func (p *luceneParser) parseGroup(field *Field) (Node, error) {
	open := p.s.pos
	p.s.pos++
	p.s.skipSpace()
	if p.s.peek() == ')' {
		return nil, synErr(open, "empty parentheses")
	}
	if p.s.eof() {
		return nil, synErr(len(p.s.src), "unbalanced parenthesis opened at position %d", open)
	}
	n, err := p.parseOr(field, open)
	if err != nil {
		return nil, err
	}
	p.s.skipSpace()
	if p.s.peek() != ')' {
		return nil, synErr(p.s.pos, "unbalanced parenthesis opened at position %d", open)
	}
	p.s.pos++
	return n, nil
}

// parseValue parses what follows `field:`.
// Spaces between the colon and the value are allowed (`ServiceName: payment`),
// as in HyperDX and Lucene.
func (p *luceneParser) parseValue(f *Field, colon int) (Node, error) {
	p.s.skipSpace()
	start := p.s.pos
	if p.s.eof() || p.s.peek() == ')' {
		return nil, synErr(colon, "expected value after ':'")
	}
	switch c := p.s.peek(); c {
	case '(':
		return p.parseGroup(f)
	case '"':
		v, err := p.s.readQuoted()
		if err != nil {
			return nil, err
		}
		return &Search{Pos: f.Pos, Field: f, Kind: Exact, Value: v}, nil
	case '>', '<':
		op := Gt
		if c == '<' {
			op = Lt
		}
		p.s.pos++
		if p.s.peek() == '=' {
			p.s.pos++
			op++ // Lt→Le, Gt→Ge
		}
		opText := p.s.src[start:p.s.pos]
		lit, err := p.readBound("")
		if err != nil {
			return nil, err
		}
		if lit == nil {
			return nil, synErr(start, "expected value after '%s'", opText)
		}
		return &Compare{Pos: f.Pos, Op: op, Left: f, Right: lit}, nil
	case '[', '{':
		return p.parseRange(f)
	}
	w, err := p.s.readWord(false, "")
	if err != nil {
		return nil, err
	}
	return wordNode(f.Pos, f, w), nil
}

// readBound reads a comparison or range bound: a quoted string or a word.
// It returns nil for an open bound "*" or when there is no value.
func (p *luceneParser) readBound(stops string) (*Literal, error) {
	pos := p.s.pos
	if p.s.peek() == '"' {
		v, err := p.s.readQuoted()
		if err != nil {
			return nil, err
		}
		return &Literal{Pos: pos, Kind: StringLit, Text: v}, nil
	}
	if p.s.eof() || isSpaceAt(p.s.src, pos) {
		return nil, nil
	}
	w, err := p.s.readWord(false, stops)
	if err != nil {
		return nil, err
	}
	if w.end == w.start || w.isBareStar() {
		return nil, nil
	}
	if w.isWild() {
		return nil, synErr(pos, "wildcards are not allowed in comparisons and ranges")
	}
	return luceneLiteral(pos, w.text()), nil
}

// luceneLiteral types a search-language value: a number if it parses as
// one, a duration if it is a number with a unit (200ms).
func luceneLiteral(pos int, s string) *Literal {
	if _, err := strconv.ParseFloat(s, 64); err == nil && isPlainNumber(s) {
		return &Literal{Pos: pos, Kind: NumberLit, Text: s}
	}
	if isDurationLiteral(s) {
		return &Literal{Pos: pos, Kind: DurationLit, Text: s}
	}
	return &Literal{Pos: pos, Kind: StringLit, Text: s}
}

// isPlainNumber accepts decimal numbers only (no "Inf", "NaN", hex, "_").
func isPlainNumber(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E':
		case (c == '-' || c == '+') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return digits
}

func (p *luceneParser) parseRange(f *Field) (Node, error) {
	open := p.s.pos
	loInc := p.s.peek() == '['
	p.s.pos++
	p.s.skipSpace()
	if strings.HasPrefix(p.s.src[p.s.pos:], "TO") && (p.s.pos+2 == len(p.s.src) || isSpaceAt(p.s.src, p.s.pos+2)) {
		return nil, synErr(p.s.pos, "expected lower bound before 'TO' (use * for none)")
	}
	lo, err := p.readBound("]}")
	if err != nil {
		return nil, err
	}
	p.s.skipSpace()
	if !strings.HasPrefix(p.s.src[p.s.pos:], "TO") || !(p.s.pos+2 == len(p.s.src) || isSpaceAt(p.s.src, p.s.pos+2)) {
		return nil, synErr(p.s.pos, "expected 'TO' in range opened at position %d", open)
	}
	p.s.pos += 2
	p.s.skipSpace()
	if c := p.s.peek(); c == ']' || c == '}' || p.s.eof() {
		return nil, synErr(p.s.pos, "expected upper bound after 'TO' (use * for none)")
	}
	hi, err := p.readBound("]}")
	if err != nil {
		return nil, err
	}
	p.s.skipSpace()
	c := p.s.peek()
	if c != ']' && c != '}' {
		return nil, synErr(p.s.pos, "expected ']' or '}' to close range opened at position %d", open)
	}
	p.s.pos++
	r := &Range{Pos: f.Pos, X: f, LoInclusive: loInc, HiInclusive: c == ']'}
	if lo != nil {
		r.Lo = lo
	}
	if hi != nil {
		r.Hi = hi
	}
	if r.Lo == nil && r.Hi == nil {
		return &Search{Pos: f.Pos, Field: f, Kind: Exists}, nil
	}
	return r, nil
}
