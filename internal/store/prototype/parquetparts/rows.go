package parquetparts

// KV is a Map column as two parallel lists.
type KV struct {
	Keys   []string `parquet:"keys,list" parquet-element:",dict"`
	Values []string `parquet:"values,list" parquet-element:",dict"`
}

// Event is one span event.
type Event struct {
	Timestamp              int64  `parquet:"Timestamp,timestamp(nanosecond),delta"`
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

// SpanRow is one otel_traces row, with the ClickHouse exporter's column
// names (Map columns as KV groups, Nested ones as lists of structs).
// Trace and span IDs are stored as their bytes (BLOB in DuckDB; empty for
// an all-zero ID), not as hex text: random IDs do not compress, so hex
// costs twice their size. ViewSQL turns them back into lowercase hex.
type SpanRow struct {
	Timestamp                int64   `parquet:"Timestamp,timestamp(nanosecond),delta"`
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
