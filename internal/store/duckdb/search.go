package duckdb

import (
	"context"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Search limits.
const (
	DefaultSearchLimit = 100
	MaxSearchLimit     = 10000
)

// knownTable reports whether t is one of the schema's tables (and not some
// caller-made table whose name would be pasted into SQL).
func knownTable(t *schema.Table) bool { return store.KnownTable(t) }

func checkRange(src *schema.Source, start, end interface{ IsZero() bool }) error {
	if src == nil || !knownTable(src.Table) {
		return fmt.Errorf("%w: unknown source", store.ErrInvalidArgument)
	}
	if start.IsZero() || end.IsZero() {
		return fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	return nil
}

// Bounds of TIMESTAMP_NS that the driver binds (years 1678-2262).
var (
	minTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Unix(0, maxNanos+1).UTC()
)

// clampTime brings t into the range a TIMESTAMP_NS parameter holds, so that
// "everything until year 9999" works as a bound.
func clampTime(t time.Time) time.Time {
	switch {
	case t.Before(minTime):
		return minTime
	case t.After(maxTime):
		return maxTime
	}
	return t.UTC()
}

// Search returns the newest p.Limit rows of p.Source matching p.Filter with
// the time column in [p.Start, p.End), newest first, and how many rows
// match in that range. Limit: zero means 100; at most 10000.
//
// Two statements: the rows (ORDER BY time DESC LIMIT, which DuckDB runs as
// a top-N), and a COUNT(*) over the same predicate. A window count(*) OVER ()
// in one statement would make DuckDB materialise every match.
func (s *Store) Search(ctx context.Context, p store.SearchParams) (store.SearchResult, error) {
	if err := checkRange(p.Source, p.Start, p.End); err != nil {
		return store.SearchResult{}, err
	}
	if p.End.Before(p.Start) {
		return store.SearchResult{}, fmt.Errorf("%w: end %v before start %v", store.ErrInvalidArgument, p.End, p.Start)
	}
	limit := p.Limit
	switch {
	case limit <= 0:
		limit = DefaultSearchLimit
	case limit > MaxSearchLimit:
		limit = MaxSearchLimit
	}
	t := p.Source.Table
	tc := quoteIdent(t.TimeColumn)
	where := fmt.Sprintf("%s >= ? AND %s < ?", tc, tc)
	args := []any{clampTime(p.Start), clampTime(p.End)}
	if p.Filter != nil {
		fw, fargs, err := s.compileFilter(p.Filter, p.Source)
		if err != nil {
			return store.SearchResult{}, fmt.Errorf("search %s: %w", p.Source.Name, err)
		}
		if fw != "" {
			where += " AND (" + fw + ")"
			args = append(args, fargs...)
		}
	}
	var res store.SearchResult
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s DESC LIMIT %d",
		selectList(t), quoteIdent(t.Name), where, tc, limit)
	if sp := s.partsOf(t); sp != nil {
		rows, err := s.partsSearchRows(ctx, sp, where, args, p.Start, p.End, limit)
		if err != nil {
			return res, readErr(fmt.Errorf("search %s: %w", p.Source.Name, err))
		}
		res.Rows = rows
	} else {
		q, release, err := s.readSQL(ctx, q, p.Start, p.End)
		if err != nil {
			return res, readErr(fmt.Errorf("search %s: %w", p.Source.Name, err))
		}
		rs, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			release()
			return res, readErr(fmt.Errorf("search %s: %w", p.Source.Name, err))
		}
		res.Rows, err = scanRows(rs, t)
		release()
		if err != nil {
			return res, readErr(fmt.Errorf("search %s: %w", p.Source.Name, err))
		}
	}
	if len(res.Rows) < limit {
		res.Count = int64(len(res.Rows))
		return res, nil
	}
	cq := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", quoteIdent(t.Name), where)
	cq, release, err := s.readSQL(ctx, cq, p.Start, p.End)
	if err != nil {
		return res, readErr(fmt.Errorf("count %s: %w", p.Source.Name, err))
	}
	defer release()
	if err := s.db.QueryRowContext(ctx, cq, args...).Scan(&res.Count); err != nil {
		return res, readErr(fmt.Errorf("count %s: %w", p.Source.Name, err))
	}
	return res, nil
}
