package parts

// The Parquet rows of a part, with the ClickHouse exporter's column
// names. Map columns are KV groups (two parallel lists, which ViewSQL
// turns into a MAP); Nested columns (Events, Links) are lists of structs
// (ViewSQL turns them into a STRUCT of LISTs). Trace and span IDs are
// their bytes (BLOB in DuckDB; empty for an all-zero ID), not hex text:
// random IDs do not compress, so hex would cost twice their size.

// KV is a Map column as two parallel lists.
type KV struct {
	Keys   []string `parquet:"keys,list" parquet-element:",dict"`
	Values []string `parquet:"values,list" parquet-element:",dict"`
}

// Event is one span event.
type Event struct {
	Timestamp              int64  `parquet:"Timestamp,timestamp(nanosecond:local),delta"`
	Name                   string `parquet:"Name,dict"`
	Attributes             KV     `parquet:"Attributes"`
	DroppedAttributesCount uint32 `parquet:"DroppedAttributesCount"`
}

// Link is one span link.
type Link struct {
	TraceId                []byte `parquet:"TraceId"`
	SpanId                 []byte `parquet:"SpanId"`
	TraceState             string `parquet:"TraceState,dict"`
	Attributes             KV     `parquet:"Attributes"`
	DroppedAttributesCount uint32 `parquet:"DroppedAttributesCount"`
	Flags                  uint32 `parquet:"Flags"`
}

// SpanRow is one otel_traces row.
type SpanRow struct {
	Timestamp                int64   `parquet:"Timestamp,timestamp(nanosecond:local),delta"`
	TraceId                  []byte  `parquet:"TraceId"`
	SpanId                   []byte  `parquet:"SpanId"`
	ParentSpanId             []byte  `parquet:"ParentSpanId"`
	TraceState               string  `parquet:"TraceState,dict"`
	SpanName                 string  `parquet:"SpanName,dict"`
	SpanKind                 string  `parquet:"SpanKind,dict"`
	ServiceName              string  `parquet:"ServiceName,dict"`
	ResourceAttributes       KV      `parquet:"ResourceAttributes"`
	ScopeName                string  `parquet:"ScopeName,dict"`
	ScopeVersion             string  `parquet:"ScopeVersion,dict"`
	SpanAttributes           KV      `parquet:"SpanAttributes"`
	Duration                 uint64  `parquet:"Duration,delta"`
	StatusCode               string  `parquet:"StatusCode,dict"`
	StatusMessage            string  `parquet:"StatusMessage,dict"`
	Events                   []Event `parquet:"Events,list"`
	Links                    []Link  `parquet:"Links,list"`
	ResourceSchemaUrl        string  `parquet:"ResourceSchemaUrl,dict"`
	ScopeSchemaUrl           string  `parquet:"ScopeSchemaUrl,dict"`
	ScopeAttributes          KV      `parquet:"ScopeAttributes"`
	TraceFlags               uint32  `parquet:"TraceFlags"`
	DroppedAttributesCount   uint32  `parquet:"DroppedAttributesCount"`
	DroppedEventsCount       uint32  `parquet:"DroppedEventsCount"`
	DroppedLinksCount        uint32  `parquet:"DroppedLinksCount"`
	ScopeDroppedAttrCount    uint32  `parquet:"ScopeDroppedAttrCount"`
	ResourceDroppedAttrCount uint32  `parquet:"ResourceDroppedAttrCount"`
}

// LogRow is one otel_logs row. TimestampTime is not stored: ViewSQL
// derives it from Timestamp. TraceFlags and SeverityNumber are stored as
// 32-bit integers and cast to UTINYINT by ViewSQL.
type LogRow struct {
	Timestamp                int64  `parquet:"Timestamp,timestamp(nanosecond:local),delta"`
	TraceId                  []byte `parquet:"TraceId"`
	SpanId                   []byte `parquet:"SpanId"`
	TraceFlags               uint32 `parquet:"TraceFlags"`
	SeverityText             string `parquet:"SeverityText,dict"`
	SeverityNumber           uint32 `parquet:"SeverityNumber"`
	ServiceName              string `parquet:"ServiceName,dict"`
	Body                     string `parquet:"Body"`
	ResourceSchemaUrl        string `parquet:"ResourceSchemaUrl,dict"`
	ResourceAttributes       KV     `parquet:"ResourceAttributes"`
	ScopeSchemaUrl           string `parquet:"ScopeSchemaUrl,dict"`
	ScopeName                string `parquet:"ScopeName,dict"`
	ScopeVersion             string `parquet:"ScopeVersion,dict"`
	ScopeAttributes          KV     `parquet:"ScopeAttributes"`
	LogAttributes            KV     `parquet:"LogAttributes"`
	EventName                string `parquet:"EventName,dict"`
	ObservedTimestamp        int64  `parquet:"ObservedTimestamp,timestamp(nanosecond:local),delta"`
	DroppedAttributesCount   uint32 `parquet:"DroppedAttributesCount"`
	ScopeDroppedAttrCount    uint32 `parquet:"ScopeDroppedAttrCount"`
	ResourceDroppedAttrCount uint32 `parquet:"ResourceDroppedAttrCount"`
}
