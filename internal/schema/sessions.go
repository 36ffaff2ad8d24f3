package schema

// Sessions is hyperdx_sessions: browser session recordings (rrweb events
// sent by HyperDX's browser SDK as OTLP log records carrying rr-web.*
// attributes and the resource attribute rum.sessionId). It has the logs
// schema, as in ClickStack, where the collector's routing connector sends
// those records to a ClickHouse exporter with logs_table_name:
// hyperdx_sessions. It is not in Tables: it has no DuckDB table, only parts
// (internal/store/duckdb/sessions.go).
var Sessions = Table{Name: SessionsTable, TimeColumn: Logs.TimeColumn, Columns: Logs.Columns}
