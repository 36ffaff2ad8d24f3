package duckdb

import (
	"errors"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// Config configures the embedded DuckDB store. The zero value of every
// field but Dir selects the documented default.
type Config struct {
	// Dir is the data directory (created if missing). The database is the
	// single file Dir/overlook.duckdb plus its write-ahead log
	// Dir/overlook.duckdb.wal. Required.
	Dir string

	// Retention is how long each signal is kept; zero keeps it forever.
	Retention store.Retention
	// RetentionInterval is how often expired rows are deleted.
	// Zero: 1 minute.
	RetentionInterval time.Duration

	// MaxPendingRows bounds, per signal (logs, traces, metrics), the rows
	// accepted by Insert* but not yet committed. Beyond it Insert* fails at
	// once with store.ErrOverloaded. Zero: 200000 (≈ 2–3 s of peak ingest,
	// ≈ 200 MB of converted rows).
	MaxPendingRows int

	// MemoryLimit is DuckDB's memory_limit ("4GB", "50%"). Empty: DuckDB's
	// default, 80% of physical memory.
	MemoryLimit string
	// Threads is DuckDB's worker thread count. Zero: one per CPU.
	Threads int

	// WriterConns is how many connections commit logs (and, separately,
	// traces) in parallel: while one commits, another appends. Zero: 2.
	WriterConns int

	// CheckpointWALBytes: once the write-ahead log reaches this size, a
	// background checkpoint writes it into the database file. DuckDB's own
	// automatic checkpoint (16 MB by default, run inside the committing
	// writer) is moved out of the way, see settings in store.go.
	// Zero: 256 MiB. Measured against 64, 128 and 512 MiB (docs/benchmarks.md,
	// "Checkpoint threshold"): smaller thresholds cost more CPU per row and
	// stall more in total; larger ones stall longer.
	CheckpointWALBytes int64

	// MaterializedAttributes are attributes stored in a real column of
	// their own besides their map, per source ("traces", "logs"), each as
	// the query language's dotted path "MapColumn.key"
	// (SpanAttributes.app.payment.card_type, ResourceAttributes.team).
	// They add to schema.DefaultMaterialized. Filters, charts and value
	// lists on such an attribute read the column (≈ 8× less CPU than the
	// map at 10M spans); results do not change. A column missing from the
	// database is added and filled from the maps at Open; columns are
	// never dropped (removing a key here keeps its column, still filled).
	MaterializedAttributes map[string][]string

	// CheckpointIdle: a non-empty WAL is checkpointed once no commit has
	// happened for this long. Zero: 10 s.
	CheckpointIdle time.Duration

	// MaxQueueWait bounds how long a batch waits in a writer's queue for a
	// committer to take it (a checkpoint holds the commit gate, or the
	// committers are saturated). Past it the batch is withdrawn and refused
	// with store.ErrOverloaded (retryable), so that clients are answered
	// well inside the OTel SDKs' 10 s export timeout instead of being
	// acknowledged after they gave up (and retried: a duplicate). Zero: 2 s;
	// negative: unbounded.
	MaxQueueWait time.Duration

	// MaxCommitRows bounds the rows one group commit takes from a writer's
	// queue (at least one batch is always taken). A commit's duration is
	// then bounded too, so that under overload a batch taken for commit is
	// answered within about MaxQueueWait plus one bounded commit, instead
	// of riding a commit of everything queued (200k rows: ≈ 10 s on 2 busy
	// cores, at the SDKs' 10 s export timeout). What stays queued is taken
	// by the next commit or refused after MaxQueueWait. Zero: 32768;
	// negative: unbounded.
	MaxCommitRows int

	// MinFreeDisk is the floor of free disk space (the file system's free
	// bytes plus the free blocks inside the database file) below which
	// writes are refused with store.ErrUnavailable (retryable), before a
	// full disk invalidates the database. Zero: DefaultMinFreeDisk, but at
	// most 10% of the file system; negative: no floor.
	MinFreeDisk int64

	// Layout is where spans and log records are kept: LayoutParts (the
	// default) or LayoutDuckDB. Metrics are DuckDB tables either way.
	// A database written with one layout opens with the other: rows in
	// the DuckDB tables stay readable (and expire by retention) beside
	// the parts.
	Layout string
	// Parts tunes LayoutParts.
	Parts PartsConfig

	// BlockSize is the block size of a database file created by Open (a
	// power of two from 16 KiB to 256 KiB); an existing file keeps its
	// own. Zero: DefaultBlockSize with LayoutParts, DuckDB's 256 KiB with
	// LayoutDuckDB (blocksize.go says why).
	BlockSize int
}

// Defaults.
const (
	DefaultRetentionInterval  = time.Minute
	DefaultMaxPendingRows     = 200_000
	DefaultCheckpointWALBytes = 256 << 20
	DefaultCheckpointIdle     = 10 * time.Second
	DefaultWriterConns        = 2
	DefaultMaxQueueWait       = 2 * time.Second
	DefaultMaxCommitRows      = 32768
	// DefaultMinFreeDisk is 1 GiB: a background checkpoint writes up to
	// CheckpointWALBytes (256 MiB) of new blocks before it frees the old
	// ones, while the WAL keeps growing; four times that leaves room for
	// a checkpoint and the WAL behind it with margin.
	DefaultMinFreeDisk = 1 << 30
)

// Validate reports whether c is usable.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir is required"))
	}
	if c.Retention.Logs < 0 || c.Retention.Traces < 0 || c.Retention.Metrics < 0 || c.Retention.Sessions < 0 {
		errs = append(errs, errors.New("retention must not be negative"))
	}
	if c.RetentionInterval < 0 {
		errs = append(errs, errors.New("retention interval must not be negative"))
	}
	if c.MaxPendingRows < 0 {
		errs = append(errs, fmt.Errorf("max pending rows must not be negative, got %d", c.MaxPendingRows))
	}
	if c.WriterConns < 0 || c.WriterConns > 16 {
		errs = append(errs, fmt.Errorf("writer conns must be in [0, 16], got %d", c.WriterConns))
	}
	if c.Threads < 0 {
		errs = append(errs, fmt.Errorf("threads must not be negative, got %d", c.Threads))
	}
	if c.CheckpointWALBytes < 0 || c.CheckpointIdle < 0 {
		errs = append(errs, errors.New("checkpoint settings must not be negative"))
	}
	if c.BlockSize != 0 && !validBlockSize(c.BlockSize) {
		errs = append(errs, fmt.Errorf("block size must be a power of two from 16 KiB to 256 KiB, got %d", c.BlockSize))
	}
	if err := c.validateLayout(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.materializedSet(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withDefaults returns c with zero values replaced by defaults.
func (c Config) withDefaults() Config {
	if c.RetentionInterval == 0 {
		c.RetentionInterval = DefaultRetentionInterval
	}
	if c.MaxPendingRows == 0 {
		c.MaxPendingRows = DefaultMaxPendingRows
	}
	if c.WriterConns == 0 {
		c.WriterConns = DefaultWriterConns
	}
	if c.CheckpointWALBytes == 0 {
		c.CheckpointWALBytes = DefaultCheckpointWALBytes
	}
	if c.Layout == "" {
		c.Layout = LayoutParts
	}
	if c.CheckpointIdle == 0 {
		c.CheckpointIdle = DefaultCheckpointIdle
	}
	if c.BlockSize == 0 {
		c.BlockSize = DuckDBBlockSize
		if c.Layout == LayoutParts {
			c.BlockSize = DefaultBlockSize
		}
	}
	switch {
	case c.MaxQueueWait == 0:
		c.MaxQueueWait = DefaultMaxQueueWait
	case c.MaxQueueWait < 0:
		c.MaxQueueWait = 0 // unbounded
	}
	switch {
	case c.MaxCommitRows == 0:
		c.MaxCommitRows = DefaultMaxCommitRows
	case c.MaxCommitRows < 0:
		c.MaxCommitRows = 0 // unbounded
	}
	return c
}
