// Package duckdb is the embedded storage backend: one DuckDB database file
// holding the OpenTelemetry ClickHouse exporter's tables (internal/schema),
// written through group-committed appenders and read with SQL rendered by
// internal/query.
//
// # Physical layout (ddl.go)
//
// Tables and columns are generated from internal/schema. Timestamp columns
// are TIMESTAMP_NS, Seconds columns TIMESTAMP, attribute maps
// MAP(VARCHAR, VARCHAR) (SpanAttributes['http.method'] as in ClickHouse).
// A ClickHouse Nested column is one STRUCT of LISTs,
//
//	Events STRUCT("Timestamp" TIMESTAMP_NS[], "Name" VARCHAR[],
//	              "Attributes" MAP(VARCHAR, VARCHAR)[], "DroppedAttributesCount" UINTEGER[])
//
// so that Events.Name is the array of event names in DuckDB exactly as in
// ClickHouse (list_contains(Events.Name, 'exception'), Events.Name[1];
// TestClickHouseStyleSQL). A LIST of STRUCTs would be the natural DuckDB
// shape but Events.Name would not be an array there.
//
// Materialised attributes (materialized.go, schema.Materialized): after the
// schema's columns, otel_traces and otel_logs have one VARCHAR column per
// hot attribute (schema.DefaultMaterialized plus
// Config.MaterializedAttributes), e.g. "__hdx_materialized_k8s.pod.name"
// for ResourceAttributes['k8s.pod.name'], NULL when the map lacks the key.
// The chunk builder fills them while writing the map; Open adds and
// backfills the columns a database lacks (schema version 1 → 2, or a newly
// configured key) and never drops one; queries read them through
// query.WithMaterialized. Measured at 10M spans: max(Duration) by card type
// 2.85 → 0.35 CPU-s. Cost of the default set: ≈ +10% insert CPU per span,
// +1.3 B/row on disk (BenchmarkMaterializedCost, docs/benchmarks.md).
//
// # Write path (chunk.go, rows_*.go, writer.go)
//
// Insert* converts pdata straight into DuckDB data chunks in the caller's
// goroutine (no interface boxing; strings ≤ 12 bytes inlined without a
// cgo call), then hands them to the signal's writer, which appends every
// queued batch through a C-API appender and commits once per group
// (group commit, one WAL fsync). Insert* returns after that commit. Two
// committer connections per signal let one append while the other
// commits. The queue is bounded (Config.MaxPendingRows → store.ErrOverloaded).
//
// Measured on this 2-core box while other jobs loaded it (load average
// 2.5-4; cpu-µs/row is process CPU per row including DuckDB's threads,
// the figure least disturbed by the neighbours; see bench_test.go):
//
//	                               logs                 spans
//	duckdb-go AppendRow + MAP      ≈ 26 cpu-µs/row       -
//	staged LISTs + map() in SQL    ≈ 17.6 (+2.4 conv.)   ≈ 25-32
//	direct chunks (this package)   ≈ 16-24 cpu-µs/row    ≈ 17-30
//	  wall, 4 inserters, 1k-5k     ≈ 48-89k rows/s       ≈ 40-64k rows/s
//	on disk after checkpoint       ≈ 73-76 B/row         ≈ 66-72 B/row
//
// At 5M spans + 5M logs: Trace ≈ 18 ms, TraceLogs ≈ 11 ms, Search (top
// 100 + count) ≈ 80 ms, Fields (100k-row budget) ≈ 0.25 s at 1M.
//
// Durability: DuckDB fsyncs the WAL on every commit (strace: one fsync(wal)
// per InsertLogs, TestFsyncProbe); nothing needs configuring.
//
// Checkpoints: DuckDB checkpoints automatically inside the commit that
// pushes the WAL past checkpoint_threshold (16 MB), stalling that writer
// 1-2 s each time. The threshold is raised and a background goroutine
// checkpoints at Config.CheckpointWALBytes or when idle (maintenance.go).
// A checkpoint blocks commits either way (DuckDB takes its checkpoint
// lock; measured: commits wait whether or not we hold them back), so the
// checkpointer holds them back explicitly (commitGate) and never races a
// write transaction.
//
// # Read path (search.go, trace.go, fields.go, rows_scan.go)
//
// Every read is bounded by time: Search by the table's time column,
// Trace by the window recorded in otel_traces_trace_id_ts, Fields by the
// time range and a row budget. Rows come back as store.Row keyed by
// schema column names, Nested columns flattened to "Events.Name" etc.
package duckdb
