// Package copytool is `overlook copy`: it copies the rows of one store
// (a DuckDB data directory) into another (a ClickHouse backend), table by
// table and day by day, streaming pages of rows, so memory stays bounded
// and a copy that stopped can be run again: a day the destination already
// holds completely is skipped, a day it holds partly is deleted there and
// copied again (docs/scale-out.md, "Copying a DuckDB data directory").
package copytool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Dest is where rows are copied to (the ClickHouse store).
type Dest interface {
	// CountRange counts t's rows with the time column in [start, end).
	CountRange(ctx context.Context, t *schema.Table, start, end time.Time) (int64, error)
	// DeleteRange deletes them.
	DeleteRange(ctx context.Context, t *schema.Table, start, end time.Time) error
	// InsertRows writes rows (store.Row, as Search returns them) durably.
	InsertRows(ctx context.Context, t *schema.Table, rows []store.Row) error
}

// Tables are the tables copied: the signals' tables (otel_traces_trace_id_ts
// is filled by the destination's materialized view as spans arrive).
func Tables() []*schema.Table {
	var out []*schema.Table
	for _, t := range schema.Tables {
		if t.Name != schema.TraceIDTsTable {
			out = append(out, t)
		}
	}
	return out
}

// Options tune a copy.
type Options struct {
	// PageRows is the most rows read and inserted at once (bounding
	// memory); zero: 10000, the stores' search limit.
	PageRows int
	Logger   *slog.Logger
}

// TableReport is what a copy did to one table.
type TableReport struct {
	Table               string
	Days, Skipped, Redo int
	Rows                int64
}

// Bounds of the instants a store holds (DateTime64(9) and TIMESTAMP_NS).
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

const day = 24 * time.Hour

// Copy copies every table of tables from src to dst and reports per table.
func Copy(ctx context.Context, src store.Store, dst Dest, tables []*schema.Table, o Options) ([]TableReport, error) {
	if o.PageRows <= 0 {
		o.PageRows = 10000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var out []TableReport
	for _, t := range tables {
		rep, err := copyTable(ctx, src, dst, t, o)
		out = append(out, rep)
		if err != nil {
			return out, fmt.Errorf("copy %s: %w", t.Name, err)
		}
	}
	return out, nil
}

func source(t *schema.Table) *schema.Source { return &schema.Source{Name: t.Name, Table: t} }

// count counts src's rows of t in [start, end).
func count(ctx context.Context, src store.Store, t *schema.Table, start, end time.Time) (int64, error) {
	res, err := src.Search(ctx, store.SearchParams{Source: source(t), Start: start, End: end, Limit: 1})
	if err != nil {
		return 0, err
	}
	return res.Count, nil
}

// span finds the first and last day with rows of t in src (ok false: none).
func span(ctx context.Context, src store.Store, t *schema.Table) (first, last time.Time, ok bool, err error) {
	res, err := src.Search(ctx, store.SearchParams{Source: source(t), Start: minTime, End: maxTime, Limit: 1})
	if err != nil || len(res.Rows) == 0 {
		return first, last, false, err
	}
	newest, isTime := res.Rows[0][t.TimeColumn].(time.Time)
	if !isTime {
		return first, last, false, fmt.Errorf("BUG: %s of %s is %T", t.TimeColumn, t.Name, res.Rows[0][t.TimeColumn])
	}
	last = newest.UTC().Truncate(day)
	// The first day: the least d with rows before d+1 day (bisection).
	lo, hi := minTime, last
	for lo.Before(hi) {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(day)
		n, err := count(ctx, src, t, minTime, mid.Add(day))
		if err != nil {
			return first, last, false, err
		}
		if n > 0 {
			hi = mid
		} else {
			lo = mid.Add(day)
		}
	}
	return lo, last, true, nil
}

func copyTable(ctx context.Context, src store.Store, dst Dest, t *schema.Table, o Options) (TableReport, error) {
	rep := TableReport{Table: t.Name}
	first, last, ok, err := span(ctx, src, t)
	if err != nil || !ok {
		return rep, err
	}
	for d := first; !d.After(last); d = d.Add(day) {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		want, err := count(ctx, src, t, d, d.Add(day))
		if err != nil {
			return rep, fmt.Errorf("count %s in the source: %w", d.Format(time.DateOnly), err)
		}
		if want == 0 {
			continue
		}
		rep.Days++
		have, err := dst.CountRange(ctx, t, d, d.Add(day))
		if err != nil {
			return rep, err
		}
		if have == want {
			rep.Skipped++
			o.Logger.Info("day already copied", "table", t.Name, "day", d.Format(time.DateOnly), "rows", want)
			continue
		}
		if have > 0 {
			// A copy stopped inside this day (or other rows are there):
			// copy the day again from scratch.
			rep.Redo++
			o.Logger.Warn("day partly in the destination: deleting it there and copying it again",
				"table", t.Name, "day", d.Format(time.DateOnly), "have", have, "want", want)
			if err := dst.DeleteRange(ctx, t, d, d.Add(day)); err != nil {
				return rep, err
			}
		}
		n, err := copyRange(ctx, src, dst, t, d, d.Add(day), o.PageRows)
		rep.Rows += n
		if err != nil {
			return rep, fmt.Errorf("day %s: %w", d.Format(time.DateOnly), err)
		}
		o.Logger.Info("day copied", "table", t.Name, "day", d.Format(time.DateOnly), "rows", n)
	}
	return rep, nil
}

// errDense: more rows than a page share one instant.
var errDense = errors.New("more rows than a page share one timestamp: raise the page size")

// copyRange copies [start, end) page by page: a range holding more rows
// than a page (counted first: a count is cheaper than reading a page that
// would be thrown away) is halved until each part fits.
func copyRange(ctx context.Context, src store.Store, dst Dest, t *schema.Table, start, end time.Time, page int) (int64, error) {
	n, err := count(ctx, src, t, start, end)
	if err != nil {
		return 0, fmt.Errorf("count the source: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if n > int64(page) {
		if end.Sub(start) <= time.Nanosecond {
			return 0, fmt.Errorf("%s at %v: %w", t.Name, start, errDense)
		}
		mid := start.Add(end.Sub(start) / 2)
		a, err := copyRange(ctx, src, dst, t, start, mid, page)
		if err != nil {
			return a, err
		}
		b, err := copyRange(ctx, src, dst, t, mid, end, page)
		return a + b, err
	}
	res, err := src.Search(ctx, store.SearchParams{Source: source(t), Start: start, End: end, Limit: page})
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	if int64(len(res.Rows)) != n {
		return 0, fmt.Errorf("read the source: %d rows in [%v, %v), counted %d (is a server writing to it?)", len(res.Rows), start, end, n)
	}
	if err := dst.InsertRows(ctx, t, res.Rows); err != nil {
		return 0, err
	}
	return n, nil
}
