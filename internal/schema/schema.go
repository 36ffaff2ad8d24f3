// Package schema describes the logical telemetry schema shared by every
// storage backend and every query front end.
//
// Table and column names follow the OpenTelemetry ClickHouse exporter (the
// ClickStack schema), so that queries, dashboards and alerts written against
// one engine run on the other, and an existing ClickStack database can be read
// as it is. Columns the exporter does not have (ObservedTimestamp, dropped
// counts, ...) are added so that every OTLP field survives a round trip.
package schema

// Type is the logical type of a column; each backend maps it to a native type.
type Type int

// Logical column types.
const (
	String    Type = iota // text
	Int32                 // signed 32-bit integer
	UInt8                 // unsigned 8-bit integer
	UInt32                // unsigned 32-bit integer
	UInt64                // unsigned 64-bit integer
	Float64               // double
	Bool                  // boolean
	Timestamp             // nanosecond-precision instant (DateTime64(9))
	Seconds               // second-precision instant (DateTime)
	Map                   // Map(String, String)
	// Array types and nested lists.
	ArrayUInt64
	ArrayFloat64
	// Nested is a ClickHouse Nested column: a group of parallel arrays that
	// share a prefix ("Events.Name", "Events.Timestamp"). Fields lists them.
	Nested
)

// Column is one column of a table.
type Column struct {
	Name string
	Type Type
	// Fields are the sub-columns of a Nested column, in order.
	Fields []Column
}

// Table is one table of the schema.
type Table struct {
	Name    string
	Columns []Column
	// TimeColumn is the column every query on this table is bounded by.
	TimeColumn string
}

// Column returns the column with the given name and whether it exists.
// Nested sub-columns are found by their dotted name ("Events.Name").
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
		if c.Type == Nested {
			for _, f := range c.Fields {
				if c.Name+"."+f.Name == name {
					return f, true
				}
			}
		}
	}
	return Column{}, false
}

// Table names.
const (
	LogsTable                = "otel_logs"
	SessionsTable            = "hyperdx_sessions"
	TracesTable              = "otel_traces"
	TraceIDTsTable           = "otel_traces_trace_id_ts"
	MetricsGaugeTable        = "otel_metrics_gauge"
	MetricsSumTable          = "otel_metrics_sum"
	MetricsHistogramTable    = "otel_metrics_histogram"
	MetricsExpHistogramTable = "otel_metrics_exponential_histogram"
	MetricsSummaryTable      = "otel_metrics_summary"
)

func exemplars(ts Type) Column {
	return Column{Name: "Exemplars", Type: Nested, Fields: []Column{
		{Name: "FilteredAttributes", Type: Map},
		{Name: "TimeUnix", Type: ts},
		{Name: "Value", Type: Float64},
		{Name: "SpanId", Type: String},
		{Name: "TraceId", Type: String},
	}}
}

// metricsHead is the column prefix every metrics table shares.
func metricsHead() []Column {
	return []Column{
		{Name: "ResourceAttributes", Type: Map},
		{Name: "ResourceSchemaUrl", Type: String},
		{Name: "ScopeName", Type: String},
		{Name: "ScopeVersion", Type: String},
		{Name: "ScopeAttributes", Type: Map},
		{Name: "ScopeDroppedAttrCount", Type: UInt32},
		{Name: "ScopeSchemaUrl", Type: String},
		{Name: "ServiceName", Type: String},
		{Name: "MetricName", Type: String},
		{Name: "MetricDescription", Type: String},
		{Name: "MetricUnit", Type: String},
		{Name: "Attributes", Type: Map},
		{Name: "StartTimeUnix", Type: Timestamp},
		{Name: "TimeUnix", Type: Timestamp},
	}
}

func with(head []Column, tail ...Column) []Column { return append(head, tail...) }

// Logs is otel_logs.
var Logs = Table{Name: LogsTable, TimeColumn: "Timestamp", Columns: []Column{
	{Name: "Timestamp", Type: Timestamp},
	{Name: "TimestampTime", Type: Seconds},
	{Name: "TraceId", Type: String},
	{Name: "SpanId", Type: String},
	{Name: "TraceFlags", Type: UInt8},
	{Name: "SeverityText", Type: String},
	{Name: "SeverityNumber", Type: UInt8},
	{Name: "ServiceName", Type: String},
	{Name: "Body", Type: String},
	{Name: "ResourceSchemaUrl", Type: String},
	{Name: "ResourceAttributes", Type: Map},
	{Name: "ScopeSchemaUrl", Type: String},
	{Name: "ScopeName", Type: String},
	{Name: "ScopeVersion", Type: String},
	{Name: "ScopeAttributes", Type: Map},
	{Name: "LogAttributes", Type: Map},
	// Added by overlook: the rest of the OTLP log record.
	{Name: "EventName", Type: String},
	{Name: "ObservedTimestamp", Type: Timestamp},
	{Name: "DroppedAttributesCount", Type: UInt32},
	{Name: "ScopeDroppedAttrCount", Type: UInt32},
	{Name: "ResourceDroppedAttrCount", Type: UInt32},
}}

// Traces is otel_traces. Timestamp is the span's start; Duration is in ns.
var Traces = Table{Name: TracesTable, TimeColumn: "Timestamp", Columns: []Column{
	{Name: "Timestamp", Type: Timestamp},
	{Name: "TraceId", Type: String},
	{Name: "SpanId", Type: String},
	{Name: "ParentSpanId", Type: String},
	{Name: "TraceState", Type: String},
	{Name: "SpanName", Type: String},
	{Name: "SpanKind", Type: String},
	{Name: "ServiceName", Type: String},
	{Name: "ResourceAttributes", Type: Map},
	{Name: "ScopeName", Type: String},
	{Name: "ScopeVersion", Type: String},
	{Name: "SpanAttributes", Type: Map},
	{Name: "Duration", Type: UInt64},
	{Name: "StatusCode", Type: String},
	{Name: "StatusMessage", Type: String},
	{Name: "Events", Type: Nested, Fields: []Column{
		{Name: "Timestamp", Type: Timestamp},
		{Name: "Name", Type: String},
		{Name: "Attributes", Type: Map},
		{Name: "DroppedAttributesCount", Type: UInt32}, // added by overlook
	}},
	{Name: "Links", Type: Nested, Fields: []Column{
		{Name: "TraceId", Type: String},
		{Name: "SpanId", Type: String},
		{Name: "TraceState", Type: String},
		{Name: "Attributes", Type: Map},
		{Name: "DroppedAttributesCount", Type: UInt32}, // added by overlook
		{Name: "Flags", Type: UInt32},                  // added by overlook
	}},
	// Added by overlook: the rest of the OTLP span.
	{Name: "ResourceSchemaUrl", Type: String},
	{Name: "ScopeSchemaUrl", Type: String},
	{Name: "ScopeAttributes", Type: Map},
	{Name: "TraceFlags", Type: UInt32},
	{Name: "DroppedAttributesCount", Type: UInt32},
	{Name: "DroppedEventsCount", Type: UInt32},
	{Name: "DroppedLinksCount", Type: UInt32},
	{Name: "ScopeDroppedAttrCount", Type: UInt32},
	{Name: "ResourceDroppedAttrCount", Type: UInt32},
}}

// TraceIDTs is otel_traces_trace_id_ts: where in time a trace lives, so that
// a trace is found by ID without scanning all spans.
var TraceIDTs = Table{Name: TraceIDTsTable, TimeColumn: "Start", Columns: []Column{
	{Name: "TraceId", Type: String},
	{Name: "Start", Type: Timestamp},
	{Name: "End", Type: Timestamp},
}}

// SeriesFingerprint is the column every metrics table ends its exporter
// columns with (added by overlook): a 64-bit hash of what identifies the
// row's series (name, unit, scope name, service, resource and point
// attributes, and, per table, monotonicity and temporality), computed at
// insert. Readers group points into series by it without decoding the
// attribute maps of every row.
const SeriesFingerprint = "SeriesFingerprint"

func fingerprint() Column { return Column{Name: SeriesFingerprint, Type: UInt64} }

// hasSumMinMax are OTLP's flags of the histogram tables (added by
// overlook): whether the point has a sum, min and max; the exporter's
// columns hold 0 when it has not.
func hasSumMinMax() []Column {
	return []Column{{Name: "HasSum", Type: Bool}, {Name: "HasMin", Type: Bool}, {Name: "HasMax", Type: Bool}}
}

// promHistogramExt are overlook's extension columns of the histogram
// tables for what Prometheus native histograms have and OTLP lacks; only
// the Prometheus appender (remote write) fills them, OTLP ingest leaves
// the zero values: CounterResetHint (Prometheus's histogram.CounterResetHint:
// 0 unknown, 1 reset, 2 not reset, 3 gauge) and, when some count of the
// point is not an integer (HasFloatCounts), the exact counts as DOUBLEs
// (the integer columns then hold them rounded).
func promHistogramExt(buckets ...string) []Column {
	cols := []Column{
		{Name: "CounterResetHint", Type: UInt8},
		{Name: "HasFloatCounts", Type: Bool},
		{Name: "FloatCount", Type: Float64},
	}
	for _, b := range buckets {
		t := ArrayFloat64
		if b == "FloatZeroCount" {
			t = Float64
		}
		cols = append(cols, Column{Name: b, Type: t})
	}
	return cols
}

// MetricsGauge is otel_metrics_gauge.
var MetricsGauge = Table{Name: MetricsGaugeTable, TimeColumn: "TimeUnix", Columns: with(metricsHead(),
	Column{Name: "Value", Type: Float64},
	Column{Name: "Flags", Type: UInt32},
	exemplars(Timestamp),
	fingerprint(),
)}

// MetricsSum is otel_metrics_sum.
var MetricsSum = Table{Name: MetricsSumTable, TimeColumn: "TimeUnix", Columns: with(metricsHead(),
	Column{Name: "Value", Type: Float64},
	Column{Name: "Flags", Type: UInt32},
	exemplars(Timestamp),
	Column{Name: "AggregationTemporality", Type: Int32},
	Column{Name: "IsMonotonic", Type: Bool},
	fingerprint(),
)}

// MetricsHistogram is otel_metrics_histogram.
var MetricsHistogram = Table{Name: MetricsHistogramTable, TimeColumn: "TimeUnix", Columns: append(with(metricsHead(),
	Column{Name: "Count", Type: UInt64},
	Column{Name: "Sum", Type: Float64},
	Column{Name: "BucketCounts", Type: ArrayUInt64},
	Column{Name: "ExplicitBounds", Type: ArrayFloat64},
	exemplars(Timestamp),
	Column{Name: "Flags", Type: UInt32},
	Column{Name: "Min", Type: Float64},
	Column{Name: "Max", Type: Float64},
	Column{Name: "AggregationTemporality", Type: Int32},
	hasSumMinMax()[0], hasSumMinMax()[1], hasSumMinMax()[2],
	fingerprint()),
	promHistogramExt("FloatBucketCounts")...,
)}

// MetricsExpHistogram is otel_metrics_exponential_histogram.
var MetricsExpHistogram = Table{Name: MetricsExpHistogramTable, TimeColumn: "TimeUnix", Columns: append(with(metricsHead(),
	Column{Name: "Count", Type: UInt64},
	Column{Name: "Sum", Type: Float64},
	Column{Name: "Scale", Type: Int32},
	Column{Name: "ZeroCount", Type: UInt64},
	Column{Name: "PositiveOffset", Type: Int32},
	Column{Name: "PositiveBucketCounts", Type: ArrayUInt64},
	Column{Name: "NegativeOffset", Type: Int32},
	Column{Name: "NegativeBucketCounts", Type: ArrayUInt64},
	exemplars(Timestamp),
	Column{Name: "Flags", Type: UInt32},
	Column{Name: "Min", Type: Float64},
	Column{Name: "Max", Type: Float64},
	Column{Name: "AggregationTemporality", Type: Int32},
	// Added by overlook: OTLP's zero_threshold, the zero bucket's width.
	Column{Name: "ZeroThreshold", Type: Float64},
	hasSumMinMax()[0], hasSumMinMax()[1], hasSumMinMax()[2],
	fingerprint()),
	promHistogramExt("FloatZeroCount", "FloatPositiveBucketCounts", "FloatNegativeBucketCounts")...,
)}

// MetricsSummary is otel_metrics_summary.
var MetricsSummary = Table{Name: MetricsSummaryTable, TimeColumn: "TimeUnix", Columns: with(metricsHead(),
	Column{Name: "Count", Type: UInt64},
	Column{Name: "Sum", Type: Float64},
	Column{Name: "ValueAtQuantiles", Type: Nested, Fields: []Column{
		{Name: "Quantile", Type: Float64},
		{Name: "Value", Type: Float64},
	}},
	Column{Name: "Flags", Type: UInt32},
	fingerprint(),
)}

// Tables lists every table, in creation order.
var Tables = []*Table{&Logs, &Traces, &TraceIDTs, &MetricsGauge, &MetricsSum,
	&MetricsHistogram, &MetricsExpHistogram, &MetricsSummary}
