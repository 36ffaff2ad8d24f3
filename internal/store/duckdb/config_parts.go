package duckdb

import (
	"fmt"
	"time"
)

// Layouts of the signal tables (otel_traces, otel_logs); metrics are
// always DuckDB tables.
const (
	// LayoutParts keeps spans and log records in Parquet parts written in
	// Go behind the store's own write-ahead log (internal/store/parts),
	// read by DuckDB's Parquet scanner. The default.
	LayoutParts = "parts"
	// LayoutDuckDB keeps them in DuckDB tables, written through appenders
	// (the layout before issue 10; kept for comparison and as a fallback).
	LayoutDuckDB = "duckdb"
)

// PartsConfig tunes LayoutParts. Zero values select the parts package's
// defaults (docs/limits.md).
type PartsConfig struct {
	// PartRows: rows at which the in-memory head becomes a part.
	PartRows int
	// FlushInterval: the head becomes a part once its oldest row is this
	// old (reads make it one at once: what is acknowledged is visible).
	FlushInterval time.Duration
	// MergeRows: small parts are merged into parts of up to this many rows.
	MergeRows int
	// MaxBufferedBytes bounds, per signal, the encoded rows in memory (the
	// head and parts being written); past it Insert* fails with
	// store.ErrOverloaded (retryable).
	MaxBufferedBytes int64
}

func (c Config) validateLayout() error {
	switch c.Layout {
	case "", LayoutParts, LayoutDuckDB:
	default:
		return fmt.Errorf("layout %q is unknown: use %q (the default) or %q", c.Layout, LayoutParts, LayoutDuckDB)
	}
	p := c.Parts
	if p.PartRows < 0 || p.FlushInterval < 0 || p.MergeRows < 0 || p.MaxBufferedBytes < 0 {
		return fmt.Errorf("parts settings must not be negative")
	}
	return nil
}
