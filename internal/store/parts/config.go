package parts

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/overlook-dev/overlook/internal/schema"
)

// Kind is the signal a Table stores.
type Kind int

// Kinds.
const (
	Traces Kind = iota // otel_traces rows (schema.Traces)
	Logs               // otel_logs rows (schema.Logs)
)

func (k Kind) String() string {
	switch k {
	case Traces:
		return "traces"
	case Logs:
		return "logs"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// table is the schema table of k.
func (k Kind) table() *schema.Table {
	if k == Logs {
		return &schema.Logs
	}
	return &schema.Traces
}

// Config of a Table. The zero value of every field but Dir and Kind
// selects the documented default.
type Config struct {
	// Dir holds the table's parts and WAL, one directory per table
	// (e.g. <data>/parts/otel_traces). Created if missing.
	Dir  string
	Kind Kind
	// Materialized are the materialised attribute columns ViewSQL adds
	// ("__hdx_materialized_<key>", see schema.Materialized). The parts do
	// not store them: ViewSQL derives each from its map.
	Materialized []schema.Materialized
	// PartRows: the head is cut into a part at this many rows.
	// Default 50_000.
	PartRows int
	// FlushInterval: the head is also cut once its oldest row is this
	// old, so that rows reach a part (and the WAL stays short) when
	// ingest is slow. Default 5s.
	FlushInterval time.Duration
	// MergeRows: merged parts grow up to this many rows. Default 1_000_000.
	MergeRows int
	// MaxBufferedBytes bounds the encoded bytes held in memory (the head
	// and the parts being written). An insert that would cross it fails
	// with store.ErrOverloaded (retryable) before anything of it is
	// written. Default 256 MiB.
	MaxBufferedBytes int64
	// RowGroupRows: rows per Parquet row group. Default 65_536, so a
	// part of PartRows (50k) is one row group: dictionaries per larger
	// row group cost less (bench/ingest spans: 51.7 B/span against 55.4
	// with 16_384), and merges copy row groups as they are.
	RowGroupRows int
	// PageBytes: the target size of a Parquet page before compression
	// (each column's values are cut into pages of about this size; zstd
	// compresses each page on its own). Zero: parquet-go's 256 KiB. A
	// trace lookup decodes one page per column.
	PageBytes int
	// ZstdLevel: the zstd level the parts' pages are written at.
	// Default: DefaultZstdLevel(Kind). Merges copy pages as written, so
	// a part keeps the level it was flushed at.
	ZstdLevel zstd.EncoderLevel
	// Logger receives background errors (part writes, merges). Default:
	// slog.Default().
	Logger *slog.Logger

	// Fault injection, for tests only: wrapWAL wraps each WAL segment's
	// file; partFault, when it returns an error, fails a part write.
	wrapWAL   func(walFile) walFile
	partFault func() error
}

func (c Config) withDefaults() Config {
	c.PartRows = cmp.Or(c.PartRows, 50_000)
	c.FlushInterval = cmp.Or(c.FlushInterval, 5*time.Second)
	c.MergeRows = cmp.Or(c.MergeRows, 1_000_000)
	c.MaxBufferedBytes = cmp.Or(c.MaxBufferedBytes, 256<<20)
	c.RowGroupRows = cmp.Or(c.RowGroupRows, 65_536)
	c.ZstdLevel = cmp.Or(c.ZstdLevel, DefaultZstdLevel(c.Kind))
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Dir == "":
		return errors.New("parts: Dir is required")
	case c.Kind != Traces && c.Kind != Logs:
		return fmt.Errorf("parts: unknown kind %d", c.Kind)
	case c.PartRows < 0 || c.MergeRows < 0 || c.RowGroupRows < 0 || c.MaxBufferedBytes < 0 || c.FlushInterval < 0 || c.PageBytes < 0:
		return errors.New("parts: PartRows, MergeRows, RowGroupRows, PageBytes, MaxBufferedBytes and FlushInterval must not be negative")
	}
	return nil
}

// DefaultZstdLevel is the zstd level of a kind's pages when
// Config.ZstdLevel is zero. Spans: SpeedBetterCompression, which holds
// bench/ingest's spans under 50 B (SpeedDefault: +0.5 B/span). Log
// records: SpeedFastest, 74.3 B against 72.9 at SpeedDefault and 71.3 at
// SpeedBetterCompression per record of bench/ingest's logs (the target
// is 80), for ≈ 7 % more records/s through the server at max ingest
// (zstd was 14 % of its CPU at SpeedDefault, 17 % at
// SpeedBetterCompression). docs/benchmarks.md, "Issue 10: log records at
// SpeedDefault" and "Issue 10: … SpeedFastest".
func DefaultZstdLevel(k Kind) zstd.EncoderLevel {
	if k == Logs {
		return zstd.SpeedFastest
	}
	return zstd.SpeedBetterCompression
}
