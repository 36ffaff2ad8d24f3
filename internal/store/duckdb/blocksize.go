package duckdb

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Block sizes of a new database file.
//
// DuckDB gives every column of a table that has rows not yet
// checkpointed a transient segment of one whole block (a nested column
// one per child and per validity mask), and its checkpoint compresses
// each column into a fresh block. With the parts layout, DuckDB holds
// the metrics: the span metrics' and service graph's flush every 15 s
// appends a few hundred rows to otel_metrics_sum and
// otel_metrics_histogram — 144 segments, 36 MiB of transient blocks at
// 256 KiB, and as much again while the checkpoint writes them out. The
// allocator kept the sum: 70–100 MiB of the process's resident set
// during a span load for a few kilobytes of rows. At 64 KiB it is a
// quarter (docs/benchmarks.md, "Issue 10: peak RSS with bench/ingest's
// spans").
//
// The price is on disk: below 256 KiB DuckDB 1.5 stores DOUBLE columns
// uncompressed instead of ALP, so the metrics tables take ≈ 1.5× the
// bytes (24 h × 1k series: 65 → 100 MiB; 32 KiB blocks 205 MiB, so 64
// KiB is the smallest that costs no more than that). The DuckDB layout
// appends spans and logs continuously, where one block per column is
// amortised over many rows, and keeps DuckDB's own size.
const (
	// DefaultBlockSize is the block size of a new file with LayoutParts.
	DefaultBlockSize = 64 << 10
	// DuckDBBlockSize is DuckDB's own default, kept with LayoutDuckDB.
	DuckDBBlockSize = 256 << 10
	// MinBlockSize and MaxBlockSize bound Config.BlockSize (DuckDB's
	// limits: a power of two between them).
	MinBlockSize = 16 << 10
	MaxBlockSize = 256 << 10
)

// validBlockSize reports whether n is a block size DuckDB accepts.
func validBlockSize(n int) bool {
	return n >= MinBlockSize && n <= MaxBlockSize && n&(n-1) == 0
}

// createFile creates the database file at path with blockSize blocks if
// it does not exist yet. An existing file keeps the block size it was
// created with (DuckDB reads it from the file's header), so a data
// directory written before opens unchanged.
func createFile(path string, blockSize int) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // exists (or cannot be examined: opening it reports why)
	}
	db, err := sql.Open("duckdb", path+"?default_block_size="+strconv.Itoa(blockSize))
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		_ = db.Close()
		if strings.Contains(err.Error(), "Could not set lock") {
			return nil // another process created it meanwhile: opening it says so
		}
		return fmt.Errorf("create %s with %d-byte blocks: %w", path, blockSize, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}
