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
//	wal-<N>.log                   WAL segment N: the acknowledged rows not yet in a part
//	recycle-<N>.wal               the file of segment N, whose part is published, kept
//	                              for a later segment to reuse (wal_reuse.go)
//	part-<F>-<L>-h<H>.parquet     a part: the rows of WAL segments F…L whose
//	                              Timestamp is in hour H (Unix time / 1 h)
//	part-<F>-<L>-h<H>.json        its index (PartMeta): rows, min/max Timestamp,
//	                              services, TraceId bloom filter (and one per
//	                              row group of a spans part), file size,
//	                              rows per (ServiceName, minute) (Counts)
//	part-<F>-<L>-h<H>.parquet.tmp a part being written (deleted by Open)
//
// Segment numbers are zero-padded to 8 digits and only grow. Parts
// written before hour buckets are named part-<F>-<L> (any hour); they
// are read, merged among themselves and dropped as before.
//
// # Write path
//
// InsertTraces/InsertLogs encode the request into a compact byte stream
// (encode.go) in the caller's goroutine, check the memory bound, append
// the encoded batch as one WAL record (length, CRC-32C seeded with the
// segment's number, payload; wal.go) to the segment's buffer in memory
// and copy it into the head: arena chunks mapped outside the Go heap plus
// a 40-byte sort index entry per row (partbuf.go). They return after the
// fdatasync that covers the record (group commit: one write and fsync
// serve every insert waiting; they run without the table's lock, holding
// only the sync lock). A refused insert (store.ErrOverloaded) wrote
// nothing. A segment's file is reused by a later segment once its part is
// published, so records are written over old ones in place and the
// fdatasync has no file system metadata to commit (wal_reuse.go).
//
// The head is cut into a part when it holds Config.PartRows rows, when
// its oldest row is Config.FlushInterval old, on Snapshot (read your
// writes) and on Close. A cut closes (fsyncs) the WAL segment holding
// exactly the head's rows and starts the next one, so part N holds
// exactly WAL segment N, one part per hour bucket of Timestamp present
// in it (part-N-N-h<H>). Only the swap holds the table's lock (seal.go):
// the next segment was created ahead (wal-<N+1>.log, empty until used;
// the one after it is created while the seal runs), and the seal's fsync
// runs without the lock, so inserts go on into the new segment and
// trace lookups are not held; acknowledgements wait for the seal (one
// fsync at a time, in order). Two background goroutines write cut parts,
// oldest first: rows sorted by hour, then spans by (TraceId,
// Timestamp) and log records by (ServiceName, Timestamp), decoded 1024 at
// a time, written with parquet-go in row groups of Config.RowGroupRows
// (64k: a 50k-row part is one row group) with zstd (page-sized window),
// dictionary-encoded strings and no Parquet bloom filter (DuckDB 1.5.5
// then finds nothing by TraceId = unhex(…)); the file is fsync'd, its
// index (.json) written, both renamed into place, then the segment's
// file is kept for reuse (at most two) or deleted.
//
// Parquet columns: the ClickHouse exporter's names; IDs as raw bytes
// (BLOB); Map columns as a group of two lists (keys, values); Events and
// Links as lists of structs; logs' TimestampTime is not stored. ViewSQL
// turns them into exactly the DuckDB store's column types. Materialised
// attribute columns are derived by ViewSQL from their maps, not stored.
//
// # Merges
//
// One background merger joins runs of consecutive parts of one hour
// bucket (size-tiered: a merge must triple its largest input, at most 8
// inputs, output up to Config.MergeRows rows) into one part named
// part-<F>-<L>-h<H> after the union of its inputs' segment ranges
// (merge.go). Row groups are copied
// verbatim (compressed column chunks spliced, nothing decoded), small
// ones re-encoded together, so a merge costs I/O, not CPU. The merged
// part is published before its inputs are retired; inputs are deleted
// when no Snapshot leases them. Open wakes the merger: parts left by a
// previous run are merged too.
//
// # Crash recovery (Open)
//
// Open deletes .tmp files, indexes without their part, and every part
// whose segment range another part of the same hour covers (the inputs
// of a merge that was published before they were deleted); then each
// WAL segment is replayed and written as its hour parts, skipping the
// hours a part already holds (published before the crash, the segment
// not yet deleted: a cut's hour parts are published one by one), and
// deleted. Replay stops at the first torn or corrupt record: it was
// never acknowledged. So kill -9 loses no acknowledged row and stores
// none twice. (An hour part already dropped by DropBefore whose segment
// a crash kept comes back until the next DropBefore.)
//
// # Full disk
//
// A failed WAL write or fsync refuses every insert not yet durable (the
// batch being synced and those appended since), truncates the segment
// back to its last fsync'd offset (fsync'd) and the head back to the
// rows of that offset: a torn record never sits before acknowledged
// ones, and inserts work again once the disk has room. A failed seal (a
// cut's fsync) does the same for the sealed segment and the part cut
// from it: exactly its records not yet durable are refused; the records
// already in the next segment are not touched. If the
// truncation (or a new segment) fails too, inserts are refused until a
// retry (every insert, every FlushInterval/4) succeeds. A failed part
// write is retried every second, its rows kept in memory and in the WAL.
// Err reports both states.
//
// # Reading, retention
//
// Snapshot and SnapshotTrace return leased part files (by time range, or
// by the index's TraceId bloom filter); ViewSQL is the DuckDB SELECT over
// them. TraceSpans (trace.go) reads one trace without DuckDB: the head
// and the parts being written are decoded from memory, and the parts
// whose bloom filter may hold the trace are read with parquet-go: only
// the row groups whose own filter may hold it (PartMeta.RowGroupBlooms,
// rgbloom.go; a merged part has ≈ 20), in those the TraceId page index,
// then only the trace's rows, the page of each column holding them
// decoded on up to GOMAXPROCS goroutines (trace_prefetch.go). The
// direct reader (trace_direct.go) reads overlook's parts from each
// part's lookup index (trace_index.go: offset and TraceId column
// indexes, ≈ 53 KB per 470k-span part, built in the background at Open
// or by the part's first lookup, up to 32 MiB); parquet-go, for the row
// groups it declines, from at most 64 part files kept open. Part writers sort a permutation of the head's sort index, never
// the index itself, so TraceSpans can read it meanwhile. DropBefore retires whole parts by MaxTimestamp: a part holds one
// hour, so a row goes between the cutoff and the cutoff + 1 h; their files go
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
// fit). Writing a part holds 1024 decoded rows and parquet-go's column
// buffers of one row group (compressed pages); a merge holds an input's
// footer and one TraceId page.
//
// # Files per query
//
// Every Snapshot cuts a non-empty head, so frequent queries during
// ingest make small parts; the merger joins them (their row groups
// re-encoded together) within seconds.
package parts
