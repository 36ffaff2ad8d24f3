// Package parquetparts is a PROTOTYPE of a trace store made of columnar
// parts written in Go (issue 10, "How" step 2, design (a)): it is not
// wired into the server and exists so that its cost can be measured
// against today's DuckDB store on the same data (bench/ingest's
// storage study, docs/benchmarks.md "Storage layout study (session 3)").
//
// Write path: InsertTraces converts the spans to rows (in the caller's
// goroutine), appends the request's OTLP protobuf bytes to an append-only
// WAL (length-prefixed, CRC-32C, fsync'd by group commit) and adds the
// rows to an in-memory part. When the part holds PartRows rows, the WAL
// rotates to a new segment and a background goroutine sorts the rows
// (Config.Order: by ServiceName and Timestamp, or by TraceId), writes
// them as one Parquet file (zstd, dictionary-encoded strings, no Parquet
// bloom filter: see parts.go), fsyncs it, renames it into place with a
// small JSON index beside it (min/max Timestamp, services, a TraceId
// bloom filter) and deletes the WAL segment it covers. Part N holds WAL
// segment N; Open replays any segment left by a crash into its part,
// unless that part was already published.
//
// Layout: the ClickHouse exporter's column names; a Map column is a group
// of two parallel lists (Col.keys, Col.values) that a DuckDB view turns
// back into a MAP (see ViewSQL); Events and Links are lists of structs.
// Retention would delete whole part files by their index's MaxTimestamp.
package parquetparts
