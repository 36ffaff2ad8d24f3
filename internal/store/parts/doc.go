// Package parts stores one telemetry table (otel_traces or otel_logs) as
// immutable Parquet files ("parts") written in Go behind our own WAL, for
// DuckDB to read with its Parquet scanner (issue 10; the design won the
// storage study in docs/benchmarks.md, "Storage layout study (session
// 3)", prototyped in internal/store/prototype/parquetparts).
//
// # Directory layout
//
// One directory per table (Config.Dir):
//
//	wal-<N>.log                 WAL segment N: the acknowledged rows not yet in a part
//	part-<F>-<L>.parquet        a part: the rows of WAL segments F…L
//	part-<F>-<L>.json           its index (PartMeta): rows, min/max Timestamp,
//	                            services, TraceId bloom filter, file size
//	part-<F>-<L>.parquet.tmp    a part being written (deleted by Open)
//
// Numbers are zero-padded to 8 digits and only grow.
//
// # Write path
//
// InsertTraces/InsertLogs encode the request into a compact byte stream
// (encode.go) in the caller's goroutine, check the memory bound, append
// the encoded batch as one WAL record (length, CRC-32C, payload; wal.go)
// and copy it into the head: arena chunks mapped outside the Go heap plus
// a 40-byte sort index entry per row (partbuf.go). They return after the
// fsync that covers the record (group commit: one fsync serves every
// insert waiting). A refused insert (store.ErrOverloaded) wrote nothing.
//
// The head is cut into a part when it holds Config.PartRows rows, when
// its oldest row is Config.FlushInterval old, on Snapshot (read your
// writes) and on Close. A cut closes (fsyncs) the WAL segment holding
// exactly the head's rows and starts the next one, so part N holds
// exactly WAL segment N. Two background goroutines write cut parts,
// oldest first: rows sorted by (ServiceName, Timestamp), decoded 8192 at
// a time, written with parquet-go in row groups of Config.RowGroupRows
// (64k: a 50k-row part is one row group) with zstd (page-sized window),
// dictionary-encoded strings and no Parquet bloom filter (DuckDB 1.5.5
// then finds nothing by TraceId = unhex(…)); the file is fsync'd, its
// index (.json) written, both renamed into place, then the segment is
// deleted.
//
// Parquet columns: the ClickHouse exporter's names; IDs as raw bytes
// (BLOB); Map columns as a group of two lists (keys, values); Events and
// Links as lists of structs; logs' TimestampTime is not stored. ViewSQL
// turns them into exactly the DuckDB store's column types. Materialised
// attribute columns are derived by ViewSQL from their maps, not stored.
//
// # Merges
//
// One background merger joins runs of consecutive parts (size-tiered: a
// merge must triple its largest input, at most 8 inputs, output up to
// Config.MergeRows rows) into one part named part-<F>-<L> after the union
// of its inputs' segment ranges (merge.go). Row groups are copied
// verbatim (compressed column chunks spliced, nothing decoded), small
// ones re-encoded together, so a merge costs I/O, not CPU. The merged
// part is published before its inputs are retired; inputs are deleted
// when no Snapshot leases them. Open wakes the merger: parts left by a
// previous run are merged too.
//
// # Crash recovery (Open)
//
// Open deletes .tmp files, indexes without their part, and every part
// whose segment range another part's covers (the inputs of a merge that
// was published before they were deleted); then each WAL segment is
// deleted if a part covers its number (written before the crash, not
// yet deleted) or else replayed into its part. Replay stops at the first
// torn or corrupt record: it was never acknowledged. So kill -9 loses
// no acknowledged row and stores none twice.
//
// # Reading, retention
//
// Snapshot and SnapshotTrace return leased part files (by time range, or
// by the index's TraceId bloom filter); ViewSQL is the DuckDB SELECT over
// them. DropBefore retires whole parts by MaxTimestamp; their files go
// when their last lease is released (a crash before then keeps them
// until the next DropBefore; so does a crash while a merge whose input
// was dropped is being undone).
//
// # Memory
//
// The encoded bytes of the head and of the parts cut but not yet written
// (plus 40 B per row of sort index) are bounded by
// Config.MaxBufferedBytes: an insert that would cross it is refused with
// store.ErrOverloaded before it is appended to the WAL; a request over
// half the bound is refused as store.ErrInvalidArgument (it could never
// fit). Writing a part holds 8192 decoded rows and parquet-go's column
// buffers of one row group (compressed pages); a merge holds an input's
// footer and one TraceId page.
//
// # Files per query
//
// Every Snapshot cuts a non-empty head, so frequent queries during
// ingest make small parts; the merger joins them (their row groups
// re-encoded together) within seconds.
package parts
