// Package parquetparts is a PROTOTYPE of a trace store made of columnar
// parts written in Go (issue 10, "How" step 2, design (a)): it is not
// wired into the server and exists so that its cost can be measured
// against today's DuckDB store on the same data (bench/ingest's
// storage study, docs/benchmarks.md "Storage layout study (session 3)").
//
// Write path: InsertTraces encodes the spans into a compact byte stream
// (in the caller's goroutine; partbuf.go), appends the request's OTLP
// protobuf bytes to an append-only WAL (length-prefixed, CRC-32C,
// fsync'd by group commit) and adds the encoded batch to an in-memory
// part: chunks mapped outside the Go heap plus a 40-byte sort index entry
// per span. When the part holds PartRows rows (50k), the WAL rotates to a
// new segment and a background goroutine sorts the index (Config.Order:
// by ServiceName and Timestamp, or by TraceId), decodes the rows one row
// group (16k) at a time and writes them as one Parquet file (zstd with a
// page-sized window, dictionary-encoded strings, no Parquet bloom filter:
// see parts.go), fsyncs it, renames it into place with a small JSON index
// beside it (min/max Timestamp, services, a TraceId bloom filter), frees
// the chunks and deletes the WAL segment it covers. Part N holds WAL
// segment N; Open replays any segment left by a crash into its part,
// unless that part was already published.
//
// Read path: DuckDB reads the parts through ViewSQL; Store.Trace reads a
// trace directly with parquet-go (trace.go): the part index picks the
// files, the TraceId page index the page, and only the trace's rows are
// assembled.
//
// Layout: the ClickHouse exporter's column names; a Map column is a group
// of two parallel lists (Col.keys, Col.values) that a DuckDB view turns
// back into a MAP (see ViewSQL); Events and Links are lists of structs.
// Retention would delete whole part files by their index's MaxTimestamp.
package parquetparts
