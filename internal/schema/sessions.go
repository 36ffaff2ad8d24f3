package schema

// Sessions is hyperdx_sessions: browser session recordings (rrweb events
// sent by HyperDX's browser SDK as OTLP log records carrying rr-web.*
// attributes and the resource attribute rum.sessionId). It has the logs
// schema, as in ClickStack, where the collector's routing connector sends
// those records to a ClickHouse exporter with logs_table_name:
// hyperdx_sessions. It is not in Tables: it has no DuckDB table, only parts
// (internal/store/duckdb/sessions.go).
var Sessions = Table{Name: SessionsTable, TimeColumn: Logs.TimeColumn, Columns: Logs.Columns}

// SessionsSource is the search source over Sessions (the recording records
// themselves; sessions are listed from their RUM spans).
var SessionsSource = Source{Name: "sessions", Table: &Sessions, TextColumn: "Body",
	MapColumns: []string{"LogAttributes", "ResourceAttributes", "ScopeAttributes"}}
