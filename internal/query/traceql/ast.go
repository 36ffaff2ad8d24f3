// Package traceql parses TraceQL, Grafana Tempo's trace query language,
// into overlook's own AST and compiles it to SQL over otel_traces for both
// back ends (DuckDB and ClickHouse). It is written from Tempo's public
// documentation only; see docs/traceql.md for the supported subset and the
// semantics chosen where the documentation is silent.
//
// A query selects spans: a spanset filter `{ cond }` keeps the spans that
// match cond, spanset operators combine spansets of one trace (`&&`, `||`)
// or relate them through the span tree (`>>`, `>`, `~`, `<<`, `<`), and
// pipeline stages (`| count() > 2`, `| by(x)`, `| select(y)`) aggregate,
// group and annotate them. A metrics stage (`| rate() by (x)`) turns the
// selected spans into time series.
package traceql

// Query is a parsed TraceQL query.
type Query struct {
	// Spans selects the spans.
	Spans Spanset
	// Metrics, when not nil, turns the spans into time series
	// (/api/metrics/query_range); a search refuses such a query.
	Metrics *MetricsStage
	// Select lists the fields of select() stages, in order.
	Select []*Field
	// By are the fields of the last by() stage: the spansets returned are
	// the groups, labelled with these fields.
	By []*Field
}

// Spanset is a spanset expression: *Filter, *SpansetOp or *Pipeline.
type Spanset interface{ spansetPos() int }

// Filter is `{ cond }`; Cond nil matches every span.
type Filter struct {
	Pos  int
	Cond Cond
}

// SpansetOp combines two spansets: "&&" (both present in the trace: the
// spans of both), "||" (either), or a structural operator returning the
// spans of R related to some span of L: ">>" descendant, ">" child, "~"
// sibling, "<<" ancestor, "<" parent.
type SpansetOp struct {
	Pos  int
	Op   string
	L, R Spanset
}

// Pipeline is a spanset followed by stages.
type Pipeline struct {
	Pos    int
	Src    Spanset
	Stages []Stage
}

func (f *Filter) spansetPos() int    { return f.Pos }
func (o *SpansetOp) spansetPos() int { return o.Pos }
func (p *Pipeline) spansetPos() int  { return p.Pos }

// Stage is a pipeline stage: *AggFilter, *By, *Select or *Filter.
type Stage interface{ stagePos() int }

// AggFilter keeps the spansets (per trace, per by() group) whose aggregate
// compares true: `count() > 2`, `avg(duration) > 1s`.
type AggFilter struct {
	Pos int
	// Fn is count, avg, min, max or sum.
	Fn    string
	Field *Field // nil for count
	Op    string
	Value *Value
}

// By groups the spans of each trace by the values of Fields.
type By struct {
	Pos    int
	Fields []*Field
}

// Select adds Fields to the spans returned.
type Select struct {
	Pos    int
	Fields []*Field
}

func (a *AggFilter) stagePos() int { return a.Pos }
func (b *By) stagePos() int        { return b.Pos }
func (s *Select) stagePos() int    { return s.Pos }
func (f *Filter) stagePos() int    { return f.Pos }

// MetricsStage is the final metrics function of a query.
type MetricsStage struct {
	Pos int
	// Fn is rate, count_over_time, quantile_over_time, avg_over_time,
	// min_over_time, max_over_time or sum_over_time.
	Fn string
	// Field is the measured field (nil for rate and count_over_time).
	Field *Field
	// Quantiles are quantile_over_time's quantiles (0..1).
	Quantiles []float64
	// By are the grouping fields of `by (...)`.
	By []*Field
}

// Cond is a span condition inside `{ }`: *CondOp, *Not, *Cmp or *BoolLit.
type Cond interface{ condPos() int }

// CondOp is "&&" or "||" of two conditions on the same span.
type CondOp struct {
	Pos  int
	Op   string
	L, R Cond
}

// Not negates a condition.
type Not struct {
	Pos int
	X   Cond
}

// Cmp compares a field with a literal.
type Cmp struct {
	Pos   int
	Field *Field
	// Op is = != > >= < <= =~ !~.
	Op    string
	Value *Value
}

// BoolLit is `true` or `false` as a whole condition.
type BoolLit struct {
	Pos int
	V   bool
}

func (c *CondOp) condPos() int  { return c.Pos }
func (n *Not) condPos() int     { return n.Pos }
func (c *Cmp) condPos() int     { return c.Pos }
func (b *BoolLit) condPos() int { return b.Pos }

// Scope is where an attribute is looked up.
type Scope uint8

const (
	// ScopeNone marks an intrinsic.
	ScopeNone Scope = iota
	// ScopeSpan is `span.x`.
	ScopeSpan
	// ScopeResource is `resource.x`.
	ScopeResource
	// ScopeAny is unscoped `.x`: span or resource attribute.
	ScopeAny
)

// Intrinsic names a span or trace property.
type Intrinsic string

// The intrinsics (canonical names; span:name etc. are accepted as aliases).
const (
	IName            Intrinsic = "name"
	IStatus          Intrinsic = "status"
	IStatusMessage   Intrinsic = "statusMessage"
	IKind            Intrinsic = "kind"
	IDuration        Intrinsic = "duration"
	IRootName        Intrinsic = "rootName"
	IRootServiceName Intrinsic = "rootServiceName"
	ITraceDuration   Intrinsic = "traceDuration"
	ITraceID         Intrinsic = "trace:id"
	ISpanID          Intrinsic = "span:id"
	IParentID        Intrinsic = "span:parentID"
	IEventName       Intrinsic = "event:name"
	ILinkTraceID     Intrinsic = "link:traceID"
	ILinkSpanID      Intrinsic = "link:spanID"
)

// Field is an intrinsic (Scope == ScopeNone) or an attribute.
type Field struct {
	Pos       int
	Scope     Scope
	Intrinsic Intrinsic
	// Key is the attribute key (Scope != ScopeNone).
	Key string
	// Text is the field as written.
	Text string
}

// ValueKind is the type of a literal.
type ValueKind uint8

// Literal kinds.
const (
	VString ValueKind = iota
	VNumber
	VDuration
	VBool
	VNil
	VStatus
	VKind
)

// Value is a literal.
type Value struct {
	Pos  int
	Kind ValueKind
	// S is the string, or the stored spelling of a status ("Error", "Ok",
	// "Unset") or kind ("Server", ...).
	S string
	// N is the number; D the duration in nanoseconds; B the bool.
	N float64
	D int64
	B bool
}
