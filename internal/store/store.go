// Package store defines the signal-level storage interfaces that every
// backend (embedded DuckDB now, ClickHouse later) implements, and the rows
// they return. Backends live in sub-packages; storetest holds the
// conformance suite every backend must pass.
package store

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// ErrOverloaded is returned by inserters that refuse work because they are
// saturated. Callers MUST treat it as retryable (OTLP: Unavailable / 503) and
// MUST NOT treat the data as stored.
var ErrOverloaded = errors.New("store is saturated, retry later")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("store is closed")

// ErrInvalidArgument is wrapped by errors about the caller's input (a
// malformed trace ID, a missing or inverted time range, an unknown source):
// the API maps it to 400, not 500.
var ErrInvalidArgument = errors.New("invalid argument")

// TraceInserter stores spans. InsertTraces MUST return only after every span
// of td is durable (committed); on error nothing of td may be visible, or
// all of it. The inserter MUST NOT retain td after returning.
type TraceInserter interface {
	InsertTraces(ctx context.Context, td ptrace.Traces) error
}

// LogInserter stores log records, with the same contract as TraceInserter.
type LogInserter interface {
	InsertLogs(ctx context.Context, ld plog.Logs) error
}

// MetricInserter stores metric data points, with the same contract as
// TraceInserter.
type MetricInserter interface {
	InsertMetrics(ctx context.Context, md pmetric.Metrics) error
}

// Row is one stored row, keyed by the schema's column names. Values are
// JSON-ready: strings, numbers, bools, map[string]string, slices, and
// timestamps as time.Time. Nested columns appear flattened under their
// dotted names ("Events.Name": []string{...}), as ClickHouse returns them.
// The caller owns the returned rows.
type Row map[string]any

// SearchParams selects rows of one source.
type SearchParams struct {
	Source *schema.Source
	// Filter is the parsed query; nil matches everything.
	Filter query.Node
	// Start and End bound the time column; both are required (End exclusive).
	Start, End time.Time
	// Limit caps the returned rows; zero means the backend default (100).
	Limit int
}

// SearchResult holds the newest Limit matching rows, newest first, and the
// total number of matching rows in the range.
type SearchResult struct {
	Rows  []Row
	Count int64
}

// Searcher finds rows of logs or traces.
type Searcher interface {
	Search(ctx context.Context, p SearchParams) (SearchResult, error)
}

// TraceReader reads whole traces.
type TraceReader interface {
	// Trace returns every span of the trace, ordered by Timestamp. An
	// unknown trace yields no rows and no error.
	Trace(ctx context.Context, traceID string) ([]Row, error)
	// TraceLogs returns the logs whose TraceId is traceID, oldest first,
	// at most limit (zero: backend default, 1000).
	TraceLogs(ctx context.Context, traceID string, limit int) ([]Row, error)
}

// FieldsParams selects where attribute keys are discovered.
type FieldsParams struct {
	Source     *schema.Source
	Start, End time.Time
	// RowBudget caps how many rows are scanned; zero: backend default.
	RowBudget int
}

// Field is a searchable field: a column, or a key of a map column written
// as "MapColumn.key".
type Field struct {
	Name string `json:"name"`
	// Type is "string", "number", "timestamp", "map", "bool" or "array".
	Type string `json:"type"`
}

// FieldLister lists the fields seen in a time range.
type FieldLister interface {
	Fields(ctx context.Context, p FieldsParams) ([]Field, error)
}

// Retention is how long each signal is kept; zero keeps forever.
type Retention struct {
	Logs, Traces, Metrics time.Duration
}

// Stats describes the store for the process's own metrics.
type Stats struct {
	// DiskBytes is the on-disk size of the store's files.
	DiskBytes int64
}

// Store is everything a backend provides.
type Store interface {
	TraceInserter
	LogInserter
	MetricInserter
	Searcher
	TraceReader
	FieldLister
	Stats() Stats
	// Close flushes and releases everything. It MUST be called once.
	Close() error
}
