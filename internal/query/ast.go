// Package query holds the one query AST every front end parses into (the
// Lucene-style search language, SQL WHERE mode) and the renderers that turn
// it into parameterised SQL per dialect.
//
// The pipeline is Parse/ParseSQL (text → AST, names unresolved) → Compile
// (AST + schema.Source → bound tree with every name resolved to a schema
// column → SQL WHERE body for a Dialect). Values never appear in the SQL
// text: they are returned as positional arguments. Identifiers in the SQL
// text only ever come from the schema; user-supplied map keys are arguments
// too. The language itself is documented in docs/query-language.md.
package query

// Node is a boolean node of the filter AST: something a row matches or not.
// Implementations are the types in this file; the set is closed.
type Node interface {
	node()
	// Position is the 0-based byte offset in the input where the node starts.
	Position() int
}

// Expr is a value-producing expression (a field, a literal, a function call).
// Implementations are the types in this file; the set is closed.
type Expr interface {
	expr()
	// Position is the 0-based byte offset in the input where the expression starts.
	Position() int
}

// And matches when every term matches. Terms has at least two elements.
type And struct {
	Pos   int
	Terms []Node
}

// Or matches when any term matches. Terms has at least two elements.
type Or struct {
	Pos   int
	Terms []Node
}

// Not matches when X does not. Unknown (NULL) counts as "does not match", so
// Not is the exact complement of X (two-valued logic, like a search engine).
type Not struct {
	Pos int
	X   Node
}

// MatchAll matches every row (the query "*").
type MatchAll struct{ Pos int }

// SearchKind says how a Search node matches its value.
type SearchKind int

// Search kinds.
const (
	// Token: a whole-word, case-insensitive match (bare word `foo`).
	Token SearchKind = iota
	// Phrase: a case-insensitive substring match (bare `"a phrase"`).
	Phrase
	// Contains: case-insensitive substring (`Field:v`); equality on
	// numeric/bool fields.
	Contains
	// Exact: equality (`Field:"v"`).
	Exact
	// Glob: a case-insensitive wildcard match; Pieces are the literal parts
	// between the `*`s (`pay*` → ["pay", ""]).
	Glob
	// Exists: the field is present / non-empty (`Field:*`).
	Exists
)

var searchKindNames = [...]string{"token", "phrase", "contains", "exact", "glob", "exists"}

// String returns the kind's name.
func (k SearchKind) String() string {
	if int(k) < len(searchKindNames) {
		return searchKindNames[k]
	}
	return "?"
}

// Search is a search-language leaf: Field matched against Value the way Kind
// says. Field is nil for bare words and phrases (the source's text column).
// For Glob, Pieces holds the literal text between wildcards and Value is the
// pattern as written.
type Search struct {
	Pos    int
	Field  *Field
	Kind   SearchKind
	Value  string
	Pieces []string
}

// CompareOp is a comparison operator.
type CompareOp int

// Comparison operators.
const (
	Eq CompareOp = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

var compareOpText = [...]string{"=", "!=", "<", "<=", ">", ">="}

// String returns the operator's SQL spelling.
func (o CompareOp) String() string {
	if int(o) < len(compareOpText) {
		return compareOpText[o]
	}
	return "?"
}

// Compare matches when `Left Op Right` holds. A string side compared with a
// number is converted with a safe cast (a value that is not a number does not
// match; it never errors).
type Compare struct {
	Pos         int
	Op          CompareOp
	Left, Right Expr
}

// Range matches Lo ≤ X ≤ Hi (or <, per the Inclusive flags). A nil bound is
// open (`[10 TO *]`). SQL BETWEEN is a Range with both bounds inclusive.
type Range struct {
	Pos                      int
	X                        Expr
	Lo, Hi                   Expr
	LoInclusive, HiInclusive bool
}

// In matches when X equals one of List (NOT IN when Negated).
type In struct {
	Pos     int
	X       Expr
	List    []Expr
	Negated bool
}

// Like matches X against a SQL LIKE pattern (% and _ wildcards, \ escapes).
type Like struct {
	Pos             int
	X               Expr
	Pattern         Expr
	CaseInsensitive bool
	Negated         bool
}

// IsNull matches when X is NULL (IS NOT NULL when Negated).
type IsNull struct {
	Pos     int
	X       Expr
	Negated bool
}

// Truth matches when the boolean expression X is true (a bool column, a
// boolean function such as mapContains, or a TRUE/FALSE literal).
type Truth struct {
	Pos int
	X   Expr
}

// Field is a reference to a field by name as the user wrote it
// ("ServiceName", "service", "SpanAttributes.http.method", "userEmail").
// Key is set when the map key was given separately, as in SQL's
// SpanAttributes['k'] (then Name is the map column). Compile resolves names;
// see Compile for the rule.
type Field struct {
	Pos  int
	Name string
	Key  *string
}

// LiteralKind is the type of a literal.
type LiteralKind int

// Literal kinds.
const (
	StringLit LiteralKind = iota
	NumberLit
	BoolLit
	NullLit
	// DurationLit is a number with a duration unit ("200ms", "1.5s"):
	// nanoseconds, comparable with duration columns only.
	DurationLit
)

// Literal is a constant. Text is the value as written (string content for
// strings, digits for numbers, "true"/"false" for booleans). Numbers keep
// their text so that integers stay exact.
type Literal struct {
	Pos  int
	Kind LiteralKind
	Text string
}

// Call is a call of a whitelisted function. Name is canonical lower case
// ("lower", "mapcontains", "cast"). For casts, Type is the target type name
// as written (upper-cased).
type Call struct {
	Pos  int
	Name string
	Args []Expr
	Type string
}

func (*And) node()      {}
func (*Or) node()       {}
func (*Not) node()      {}
func (*MatchAll) node() {}
func (*Search) node()   {}
func (*Compare) node()  {}
func (*Range) node()    {}
func (*In) node()       {}
func (*Like) node()     {}
func (*IsNull) node()   {}
func (*Truth) node()    {}

func (*Field) expr()   {}
func (*Literal) expr() {}
func (*Call) expr()    {}

// Position implements Node.
func (n *And) Position() int { return n.Pos }

// Position implements Node.
func (n *Or) Position() int { return n.Pos }

// Position implements Node.
func (n *Not) Position() int { return n.Pos }

// Position implements Node.
func (n *MatchAll) Position() int { return n.Pos }

// Position implements Node.
func (n *Search) Position() int { return n.Pos }

// Position implements Node.
func (n *Compare) Position() int { return n.Pos }

// Position implements Node.
func (n *Range) Position() int { return n.Pos }

// Position implements Node.
func (n *In) Position() int { return n.Pos }

// Position implements Node.
func (n *Like) Position() int { return n.Pos }

// Position implements Node.
func (n *IsNull) Position() int { return n.Pos }

// Position implements Node.
func (n *Truth) Position() int { return n.Pos }

// Position implements Expr.
func (e *Field) Position() int { return e.Pos }

// Position implements Expr.
func (e *Literal) Position() int { return e.Pos }

// Position implements Expr.
func (e *Call) Position() int { return e.Pos }

// and2 joins nodes with AND, flattening nested Ands; one node is returned as is.
func and2(pos int, nodes []Node) Node {
	return join(pos, nodes, true)
}

func or2(pos int, nodes []Node) Node {
	return join(pos, nodes, false)
}

func join(pos int, nodes []Node, isAnd bool) Node {
	var flat []Node
	for _, n := range nodes {
		if a, ok := n.(*And); ok && isAnd {
			flat = append(flat, a.Terms...)
			continue
		}
		if o, ok := n.(*Or); ok && !isAnd {
			flat = append(flat, o.Terms...)
			continue
		}
		flat = append(flat, n)
	}
	if len(flat) == 1 {
		return flat[0]
	}
	if isAnd {
		return &And{Pos: pos, Terms: flat}
	}
	return &Or{Pos: pos, Terms: flat}
}
