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

// ErrUnavailable is wrapped by errors of a store that cannot serve now for
// a reason of its own, not the caller's (its database was invalidated by a
// disk error and is being reopened, or free disk space is below the
// configured floor). Like ErrOverloaded it is retryable (OTLP: Unavailable /
// 503; API reads: 503) and nothing of the refused data was stored.
var ErrUnavailable = errors.New("store is unavailable")

// ErrDown is wrapped, besides ErrUnavailable, by the health of a store
// whose reads fail too (its database is invalidated or being reopened):
// the API answers reads 503 then, not 500.
var ErrDown = errors.New("the database is down")

// HealthReporter is an optional capability of a Store: Health returns nil
// while the store takes writes, else an error wrapping ErrUnavailable that
// says why not and what to do. /ready reports it.
type HealthReporter interface {
	Health() error
}

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

// MetricExtInserter is an optional capability of a MetricInserter: storing
// the details of Prometheus native histograms that OTLP points cannot
// carry (overlook extension columns; see docs/metrics.md). Same contract
// as InsertMetrics.
type MetricExtInserter interface {
	InsertMetricsExt(ctx context.Context, md pmetric.Metrics, ext MetricsExt) error
}

// MetricsExt holds one HistogramExt per histogram point of an
// InsertMetricsExt call: Histograms for the explicit-bucket histogram
// points, ExpHistograms for the exponential ones, each in md's order
// (resource, scope, metric, data point). A nil slice means zero values
// for every point of that type; otherwise its length MUST equal the
// number of such points (ErrInvalidArgument).
type MetricsExt struct {
	Histograms, ExpHistograms []HistogramExt
}

// HistogramExt is what a Prometheus native histogram sample has beyond
// its OTLP point.
type HistogramExt struct {
	// CounterResetHint is Prometheus's histogram.CounterResetHint (0
	// unknown, 1 reset, 2 not reset, 3 gauge).
	CounterResetHint uint8
	// FloatCounts are the exact counts when some count is not an integer
	// (the OTLP point then holds them rounded); nil otherwise.
	FloatCounts *FloatCounts
}

// FloatCounts are the counts of a histogram point as floats, laid out as
// the OTLP point's integer counts: Buckets parallel to BucketCounts
// (explicit-bucket histograms), Positive and Negative from the point's
// offsets (exponential histograms).
type FloatCounts struct {
	Count, ZeroCount   float64
	Buckets            []float64
	Positive, Negative []float64
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
	// Sessions is the retention of browser session recordings
	// (hyperdx_sessions).
	Sessions time.Duration
}

// Stats describes the store for the process's own metrics.
type Stats struct {
	// DiskBytes is the on-disk size of the store's files.
	DiskBytes int64
	// DiskFreeBytes is the free space of the file system holding the
	// store; FileFreeBytes the free space inside its files that it reuses
	// before growing them; MinFreeDiskBytes the floor of their sum below
	// which writes are refused (0: none). Zero when unknown.
	DiskFreeBytes, FileFreeBytes, MinFreeDiskBytes int64
	// Unhealthy is nil while the store takes writes, else why not.
	Unhealthy error
}

// Store is everything a backend provides.
type Store interface {
	TraceInserter
	LogInserter
	MetricInserter
	Searcher
	TraceReader
	FieldLister
	Charter
	ValueLister
	Stats() Stats
	// Close flushes and releases everything. It MUST be called once.
	Close() error
}

// ChartParams is one chart (POST /api/chart): the request in HyperDX tile
// vocabulary and its time range (End exclusive).
type ChartParams struct {
	Request    *query.ChartRequest
	Start, End time.Time
}

// Charter computes charts. Invalid requests are errors wrapping
// ErrInvalidArgument and a *query.ChartError (which carries the field and,
// for expressions, the position).
type Charter interface {
	Chart(ctx context.Context, p ChartParams) (*query.ChartResult, error)
}

// ValuesParams selects where the values of one field are discovered.
type ValuesParams struct {
	// Source is "logs", "traces" or "metrics".
	Source string
	// Field is a SQL-mode value expression: ServiceName,
	// SpanAttributes['app.payment.card_type'], SpanAttributes.http.method.
	Field string
	// Prefix keeps values containing it (case-insensitive); values
	// starting with it rank first.
	Prefix     string
	Start, End time.Time
	// Limit caps the values returned; zero: 20.
	Limit int
	// RowBudget caps the rows read per table; zero: 100000.
	RowBudget int
}

// Value is a discovered value and how often it occurred in the rows read.
// Type is the metric type when listing metric names ("gauge", "sum",
// "histogram").
type Value struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
	Type  string `json:"type,omitempty"`
}

// ValueLister lists the most frequent values of a field, bounded by a time
// range and a row budget (never a full scan).
type ValueLister interface {
	Values(ctx context.Context, p ValuesParams) ([]Value, error)
}

// MetricKind is the OTLP point type of a metric, which decides the table
// its points live in (otel_metrics_gauge, _sum, _histogram,
// _exponential_histogram, _summary).
type MetricKind uint8

// Metric kinds; the zero value is invalid.
const (
	MetricGauge MetricKind = iota + 1
	MetricSum
	MetricHistogram
	MetricExpHistogram
	MetricSummary
)

// MetricInfo identifies a stored metric: its name with the properties
// that decide how it reads as Prometheus series.
type MetricInfo struct {
	Kind        MetricKind
	Name        string // MetricName
	Unit        string // MetricUnit
	Description string // MetricDescription (any one, if several were stored)
	ScopeName   string // ScopeName
	// IsMonotonic is set for monotonic sums.
	IsMonotonic bool
	// Temporality is the OTLP AggregationTemporality of sums and
	// histograms (1 delta, 2 cumulative); zero for the other kinds.
	Temporality int32
}

// MetricFilter restricts the rows MetricReader.SelectMetrics reads. Filters
// are exact predicates; callers choose ones that keep every row they need.
type MetricFilter struct {
	// Column is "ServiceName", "ResourceAttributes" or "Attributes".
	Column string
	// Key is the attribute key for the map columns. For "Attributes" an
	// empty Key means "any attribute's value" matches.
	Key string
	// Value is compared for equality, or, with Regex, is an RE2 pattern the
	// whole value must match.
	Value string
	Regex bool
}

// MetricSelectParams selects the points of some metrics of one kind.
type MetricSelectParams struct {
	Kind MetricKind
	// Names are the MetricNames to read; at least one is required.
	Names []string
	// AllNames tells that Names are every metric of Kind with points in
	// the range (as MetricInfos listed them): the store MAY then skip
	// filtering on the name, and return series of metrics written since
	// too (the caller filters them out).
	AllNames bool
	// Start and End bound TimeUnix, both inclusive; both are required.
	Start, End time.Time
	// Filters are ANDed.
	Filters []MetricFilter
	// MaxPoints caps the points read; beyond it SelectMetrics fails with an
	// error wrapping ErrTooManyPoints. Zero: no cap.
	MaxPoints int
	// SeriesOnly asks for the series without their points (each series
	// then has exactly one point: its first, with no values).
	SeriesOnly bool
}

// ErrTooManyPoints is wrapped by SelectMetrics when MaxPoints is exceeded.
var ErrTooManyPoints = errors.New("too many points selected")

// MetricSeries is one stored series — a MetricName with one set of
// resource and point attributes — and its points in the selected range,
// oldest first (equal timestamps may repeat). The caller owns it.
type MetricSeries struct {
	// Info is the series' metric (Description is not set).
	Info               MetricInfo
	ServiceName        string
	ResourceAttributes map[string]string
	Attributes         map[string]string
	// Times are TimeUnix in ns since the epoch, ascending.
	Times []int64
	// StartTimes are StartTimeUnix in ns (0: unknown), parallel to Times;
	// nil when every one is 0.
	StartTimes []int64
	// Flags are the OTLP data point flags (bit 0: no recorded value),
	// parallel to Times; nil when every one is 0.
	Flags []uint32
	// Values hold gauge and sum points, parallel to Times.
	Values []float64
	// Histograms hold histogram, exponential histogram and summary points,
	// parallel to Times.
	Histograms []HistogramPoint
}

// HistogramPoint is one histogram, exponential histogram or summary point;
// only the fields of the series' kind are set.
type HistogramPoint struct {
	Count uint64
	Sum   float64
	// NoSum is set for (exponential) histogram points without a sum
	// (OTLP's HasSum false); Sum is 0 then.
	NoSum bool
	// Explicit-bucket histograms.
	Bounds  []float64
	Buckets []uint64
	// Exponential histograms.
	Scale                          int32
	ZeroCount                      uint64
	PositiveOffset, NegativeOffset int32
	Positive, Negative             []uint64
	// ZeroThreshold is the width of an exponential histogram's zero bucket.
	ZeroThreshold float64
	// CounterResetHint and FloatCounts are the native-histogram details
	// of MetricExtInserter (zero values for points stored from OTLP).
	CounterResetHint uint8
	FloatCounts      *FloatCounts
	// Summaries: quantiles and their values, parallel.
	Quantiles, QuantileValues []float64
}

// MetricReader reads metrics as series, for PromQL and the Prometheus API.
// Every read is bounded by a time range.
type MetricReader interface {
	// MetricInfos lists the metrics with points in [start, end]: every
	// metric with committed points in the range, and, exactly to the
	// point, no other — except that metrics whose points retention is
	// deleting may be listed until it is done (callers must tolerate a
	// list that is over-inclusive, never one missing a metric).
	MetricInfos(ctx context.Context, start, end time.Time) ([]MetricInfo, error)
	// SelectMetrics returns the series of p.Names (of kind p.Kind) with
	// points in [p.Start, p.End] passing p.Filters, in no particular order.
	SelectMetrics(ctx context.Context, p MetricSelectParams) ([]MetricSeries, error)
}

// MetricFamilyMetadata is the metadata of a Prometheus metric family as a
// remote-write sender gave it.
type MetricFamilyMetadata struct {
	// Family is the family name: a counter's name as sent (with or without
	// _total), a classic histogram's or summary's name without _bucket,
	// _sum or _count.
	Family string
	// Type is the Prometheus type (counter, gauge, histogram,
	// gaugehistogram, summary, info, stateset, unknown).
	Type       string
	Unit, Help string
	// Seen is when the sender last sent it (refreshed at most hourly).
	Seen time.Time
}

// MetricMetadataStore keeps metric family metadata, one record per family:
// an optional capability of a Store. PutMetricMetadata replaces the
// records of the families of mds and returns only after they are durable.
type MetricMetadataStore interface {
	PutMetricMetadata(ctx context.Context, mds []MetricFamilyMetadata) error
	// MetricMetadata returns every record, sorted by family.
	MetricMetadata(ctx context.Context) ([]MetricFamilyMetadata, error)
}

// MetricResource is one distinct resource of stored metric points.
type MetricResource struct {
	Attributes map[string]string
	// Times holds, for each minute in which the resource has points, the
	// time of its last point in that minute; ascending.
	Times []time.Time
}

// MetricResourceReader lists the resources of the metric points in
// [start, end] (for Prometheus's target_info): an optional capability of a
// MetricReader.
type MetricResourceReader interface {
	MetricResources(ctx context.Context, start, end time.Time) ([]MetricResource, error)
}

// MetricDescriber finds descriptions the metric list lacks: an optional
// capability of a MetricReader, whose MetricInfos gives any one
// description per metric, possibly an empty one of points stored before
// the metric had a description.
type MetricDescriber interface {
	// MetricDescriptions returns, for the metrics named in names, a
	// non-empty description of one of their points in [start, end];
	// metrics without one are absent.
	MetricDescriptions(ctx context.Context, start, end time.Time, names []string) (map[string]string, error)
}

// Exemplar is one stored OTLP exemplar.
type Exemplar struct {
	// Time is the exemplar's TimeUnix in ns since the epoch.
	Time  int64
	Value float64
	// TraceID and SpanID are lowercase hex; empty when unset.
	TraceID, SpanID string
	// Attributes are the exemplar's filtered attributes.
	Attributes map[string]string
	// Bounds are the explicit bounds of the histogram point carrying the
	// exemplar (explicit-bucket histograms only), which decide its
	// Prometheus `_bucket` series.
	Bounds []float64
}

// SeriesExemplars is one stored series (Info, ServiceName,
// ResourceAttributes and Attributes set; no points) and its exemplars in
// the selected range, oldest first, without duplicates.
type SeriesExemplars struct {
	Series    MetricSeries
	Exemplars []Exemplar
}

// ExemplarSelectParams selects the exemplars of some metrics of one kind.
type ExemplarSelectParams struct {
	Kind MetricKind
	// Names are the MetricNames to read; at least one is required.
	Names []string
	// Start and End bound the exemplars' TimeUnix, both inclusive; both
	// are required. Exemplars are read from the points in [Start, End +
	// ExemplarSlack]: a point carries exemplars recorded before it.
	Start, End time.Time
	// Filters are ANDed, as in MetricSelectParams.
	Filters []MetricFilter
	// Limit caps the exemplars returned (the newest are kept); zero: no
	// cap.
	Limit int
}

// ExemplarSlack is how long after an exemplar the point carrying it may
// be: longer than any usual export or scrape interval.
const ExemplarSlack = 15 * time.Minute

// ExemplarReader reads the exemplars of metric points (for the Prometheus
// API's query_exemplars): an optional capability of a MetricReader.
type ExemplarReader interface {
	// SelectExemplars returns the series of p.Names (of kind p.Kind)
	// passing p.Filters that have exemplars in [p.Start, p.End], in no
	// particular order.
	SelectExemplars(ctx context.Context, p ExemplarSelectParams) ([]SeriesExemplars, error)
}
