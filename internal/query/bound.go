package query

import "github.com/overlook-dev/overlook/internal/schema"

// kind is the type of a bound expression.
type kind int

const (
	kString kind = iota
	kInt
	kUint
	kFloat
	kBool
	kTime
	kMap
	kNull
	kOther
)

func (k kind) numeric() bool { return k == kInt || k == kUint || k == kFloat }

func (k kind) String() string {
	return [...]string{"string", "integer", "unsigned integer", "number", "boolean", "timestamp", "map", "null", "value"}[k]
}

func kindOf(t schema.Type) kind {
	switch t {
	case schema.String:
		return kString
	case schema.Int32:
		return kInt
	case schema.UInt8, schema.UInt32, schema.UInt64:
		return kUint
	case schema.Float64:
		return kFloat
	case schema.Bool:
		return kBool
	case schema.Timestamp, schema.Seconds:
		return kTime
	case schema.Map:
		return kMap
	}
	return kOther
}

// The bound tree: every name resolved to schema identifiers, every value a
// parameter. Renderers walk it; they never see user text except as args.

// bexpr is a bound value expression.
type bexpr interface{ kind() kind }

// bColumn is a schema column.
type bColumn struct {
	name string
	k    kind
}

// bMapValue is the value of key in the first of maps that has it, or the
// empty string when none has it (ClickHouse semantics, reproduced on DuckDB).
// table is the table of the maps: the renderer reads a materialised column
// instead of a map when the dialect's database has one for (table, map,
// key) (see WithMaterialized); the value is the same either way.
type bMapValue struct {
	table string
	maps  []string
	key   string
}

// bScaled is col / div (duration in ms over a ns column).
type bScaled struct {
	x   bexpr
	div int64
}

// bParam is a bound parameter.
type bParam struct {
	v any
	k kind
	// dur is the literal as written when it carried a duration unit
	// ("200ms"; v is then in nanoseconds).
	dur string
}

// bFunc is a whitelisted function. fn is one of the canonical names:
// lower, upper, length, tostring, tofloat64, toint64, touint64, tobool,
// mapcontains, startswith, endswith, match.
type bFunc struct {
	fn   string
	args []bexpr
	k    kind
}

func (e *bColumn) kind() kind   { return e.k }
func (e *bMapValue) kind() kind { return kString }
func (e *bScaled) kind() kind   { return kFloat }
func (e *bParam) kind() kind    { return e.k }
func (e *bFunc) kind() kind     { return e.k }

// bpred is a bound predicate.
type bpred interface{ bpred() }

type (
	bAnd   struct{ xs []bpred }
	bOr    struct{ xs []bpred }
	bNot   struct{ x bpred }
	bConst struct{ v bool }
	// bCompare: l op r, both sides of compatible kinds.
	bCompare struct {
		op   CompareOp
		l, r bexpr
	}
	bIn struct {
		x    bexpr
		list []bexpr
		neg  bool
	}
	// bLike: x [NOT] [I]LIKE pat, pat using % _ and \ escapes.
	bLike struct {
		x, pat bexpr
		ci     bool
		neg    bool
		// sub, when set, is the literal substring that pat ('%sub%')
		// looks for (phrase and contains searches); see merge.go.
		sub *string
	}
	bIsNull struct {
		x   bexpr
		neg bool
	}
	// bToken: whole-token match; see token.go.
	bToken struct {
		x bexpr
		t tokenMatch
	}
	// bExists: the field is present: a non-empty column, a map key.
	bExists struct{ x bexpr }
	// bBool: a boolean expression.
	bBool struct{ x bexpr }
)

func (*bAnd) bpred()     {}
func (*bOr) bpred()      {}
func (*bNot) bpred()     {}
func (*bConst) bpred()   {}
func (*bCompare) bpred() {}
func (*bIn) bpred()      {}
func (*bLike) bpred()    {}
func (*bIsNull) bpred()  {}
func (*bToken) bpred()   {}
func (*bExists) bpred()  {}
func (*bBool) bpred()    {}
