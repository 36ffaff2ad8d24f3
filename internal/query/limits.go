package query

import (
	"fmt"
	"strings"
)

// ConfigPrefix is where the limits live in overlook's configuration; error
// messages name the key to raise.
const ConfigPrefix = "extensions::overlook::query::"

// Limits bound how much work one query may ask for, so that no single
// request can exhaust the server (issue 9, finding 2). A zero field uses the
// default below. The defaults leave every query a person writes, and every
// query ClickStack/HyperDX generates, far inside the bounds; they stop
// machine-made queries of thousands of terms.
type Limits struct {
	// MaxLength bounds the query text in bytes (checked before parsing).
	MaxLength int
	// MaxTerms bounds the leaf conditions (words, phrases, field:value,
	// comparisons, IN-list items count one each).
	MaxTerms int
	// MaxDepth bounds the nesting of AND/OR/NOT and parentheses.
	MaxDepth int
	// MaxPatterns bounds the pattern matches: wildcard words (pay*), LIKE /
	// ILIKE, match() regular expressions.
	MaxPatterns int
}

// Default limits.
const (
	DefaultMaxLength   = 16 << 10
	DefaultMaxTerms    = 256
	DefaultMaxDepth    = 32
	DefaultMaxPatterns = 32
)

// WithDefaults returns l with zero fields set to the defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxLength <= 0 {
		l.MaxLength = DefaultMaxLength
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = DefaultMaxTerms
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxPatterns <= 0 {
		l.MaxPatterns = DefaultMaxPatterns
	}
	return l
}

// LimitError reports a query over one of the Limits. Key is the
// configuration key (under ConfigPrefix) that sets the limit.
type LimitError struct {
	Key   string
	What  string
	Got   int
	Limit int
}

// Error implements error: what is over, the limit, its key and the fix.
func (e *LimitError) Error() string {
	return fmt.Sprintf("query too complex: %d %s, more than the limit of %d (%s%s): "+
		"split the query, use fewer terms (field:(a OR b) or IN lists count each value), or raise the limit",
		e.Got, e.What, e.Limit, ConfigPrefix, e.Key)
}

// ParseLimited parses q in lang ("lucene", the default, or "sql") and
// checks it against l (zero fields: defaults).
func ParseLimited(q, lang string, l Limits) (Node, error) {
	l = l.WithDefaults()
	if len(q) > l.MaxLength {
		return nil, &LimitError{Key: "max_query_length", What: "bytes of query text", Got: len(q), Limit: l.MaxLength}
	}
	var (
		n   Node
		err error
	)
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case "", "lucene":
		n, err = Parse(q)
	case "sql":
		n, err = ParseSQL(q)
	default:
		return nil, fmt.Errorf("unknown whereLanguage %q: use \"lucene\" or \"sql\"", lang)
	}
	if err != nil {
		return nil, err
	}
	if err := l.Check(n); err != nil {
		return nil, err
	}
	return n, nil
}

// Check reports the first limit n exceeds (zero fields of l: defaults).
func (l Limits) Check(n Node) error {
	l = l.WithDefaults()
	c := &complexity{}
	c.node(n, 1)
	switch {
	case c.depth > l.MaxDepth:
		return &LimitError{Key: "max_depth", What: "levels of nesting", Got: c.depth, Limit: l.MaxDepth}
	case c.terms > l.MaxTerms:
		return &LimitError{Key: "max_terms", What: "terms", Got: c.terms, Limit: l.MaxTerms}
	case c.patterns > l.MaxPatterns:
		return &LimitError{Key: "max_patterns", What: "wildcard, LIKE or regular-expression patterns", Got: c.patterns, Limit: l.MaxPatterns}
	}
	return nil
}

// complexity counts a query's terms, patterns and depth.
type complexity struct{ terms, patterns, depth int }

func (c *complexity) at(d int) {
	if d > c.depth {
		c.depth = d
	}
}

// node counts n, nested in d-1 operators: AND, OR and NOT are levels,
// and so are function calls inside calls; leaves are not.
func (c *complexity) node(n Node, d int) {
	switch n := n.(type) {
	case *And:
		c.at(d)
		for _, t := range n.Terms {
			c.node(t, d+1)
		}
	case *Or:
		c.at(d)
		for _, t := range n.Terms {
			c.node(t, d+1)
		}
	case *Not:
		c.at(d)
		c.node(n.X, d+1)
	case *Search:
		c.terms++
		if n.Kind == Glob {
			c.patterns++
		}
	case *Compare:
		c.terms++
		c.expr(n.Left, d+1)
		c.expr(n.Right, d+1)
	case *Range:
		c.terms++
		c.expr(n.X, d+1)
	case *In:
		c.terms += max(1, len(n.List))
		c.expr(n.X, d+1)
	case *Like:
		c.terms++
		c.patterns++
		c.expr(n.X, d+1)
		c.expr(n.Pattern, d+1)
	case *IsNull:
		c.terms++
		c.expr(n.X, d+1)
	case *Truth:
		c.terms++
		c.expr(n.X, d+1)
	}
}

func (c *complexity) expr(e Expr, d int) {
	if call, ok := e.(*Call); ok {
		c.at(d)
		if call.Name == "match" {
			c.patterns++
		}
		for _, a := range call.Args {
			c.expr(a, d+1)
		}
	}
}
