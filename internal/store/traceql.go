package store

import (
	"context"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
)

// TraceQLSearchParams is one TraceQL search (Tempo's /api/search).
type TraceQLSearchParams struct {
	Query *traceql.Query
	// Start and End bound the spans read by their start (End exclusive).
	Start, End time.Time
	// Limit caps the traces; SpansPerSet the spans per spanset.
	Limit, SpansPerSet int
	// MinDuration and MaxDuration (zero: none) bound the trace duration.
	MinDuration, MaxDuration time.Duration
}

// TraceQLTrace is a trace matched by a TraceQL search.
type TraceQLTrace struct {
	TraceID                        string
	RootServiceName, RootTraceName string
	// StartUnixNano and DurationNanos span the trace's spans in the window.
	StartUnixNano, DurationNanos int64
	// SpanSets are the matched spansets: one, or one per by() group.
	SpanSets []TraceQLSpanSet
}

// TraceQLSpanSet is a set of matched spans of one trace.
type TraceQLSpanSet struct {
	// Group holds the by() values, parallel to the query's By fields.
	Group   []string
	Matched int
	Spans   []TraceQLSpan
}

// TraceQLSpan is a matched span.
type TraceQLSpan struct {
	SpanID, Name, ServiceName    string
	StartUnixNano, DurationNanos int64
	// Selected holds the select() values, parallel to the query's Select.
	Selected []string
}

// TraceQLMetricsParams is one TraceQL metrics query (query_range).
type TraceQLMetricsParams struct {
	Query      *traceql.Query
	Start, End time.Time
	Step       time.Duration
}

// TraceQLSeries is one series of a metrics query: its by() values and,
// for quantile_over_time, its quantile; samples in time order.
type TraceQLSeries struct {
	Labels   []string
	Quantile float64
	Samples  []TraceQLSample
}

// TraceQLSample is a value at the start of a step.
type TraceQLSample struct {
	TimeUnixMs int64
	Value      float64
}

// TraceQLSearcher is an optional capability of a Store: TraceQL search
// and metrics over its spans. Errors about the query wrap a
// *query.SyntaxError (with the position) or ErrInvalidArgument.
type TraceQLSearcher interface {
	TraceQLSearch(ctx context.Context, p TraceQLSearchParams) ([]TraceQLTrace, error)
	TraceQLMetrics(ctx context.Context, p TraceQLMetricsParams) ([]TraceQLSeries, error)
	TraceQLValues(ctx context.Context, p TraceQLValuesParams) ([]Value, error)
}

// TraceQLValuesParams asks for the values of Field among the spans Query
// selects (nil: all spans) in [Start, End), at most Limit.
type TraceQLValuesParams struct {
	Query      *traceql.Query
	Field      *traceql.Field
	Start, End time.Time
	Limit      int
}
