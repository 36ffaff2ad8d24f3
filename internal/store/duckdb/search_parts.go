package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// partsSearchRows returns the newest limit rows of sp's table matching
// where (over [start, end)), newest first, in two statements: the first
// finds the rows — part file and row number — reading only the columns
// where and the order need; the second reads just those rows whole. In
// one statement DuckDB converts every matching row (maps, IDs, nested
// lists) before its top-N keeps 100 of them: 11.7 s for the last hour of
// 186k spans, against ≈ 0.1 s in two (docs/benchmarks.md). Rows of the
// DuckDB table (written before the parts layout) are found by rowid.
func (s *Store) partsSearchRows(ctx context.Context, sp *signalParts, where string, args []any, start, end time.Time, limit int) ([]store.Row, error) {
	sn, err := sp.t.Snapshot(ctx, clampTime(start), clampTime(end))
	if err != nil {
		return nil, fmt.Errorf("read the parts of %s: %w", sp.table.Name, err)
	}
	defer sn.Release()
	t := sp.table
	tc := quoteIdent(t.TimeColumn)
	body := parts.ViewSQLRows(sp.kind, sp.mat, sn.Files)
	legacy := sp.legacy.Load()
	if legacy {
		body += fmt.Sprintf(" UNION ALL BY NAME SELECT *, CAST(NULL AS VARCHAR) AS %s, CAST(rowid AS BIGINT) AS %s FROM main.%s",
			quoteIdent(parts.PartColumn), quoteIdent(parts.RowColumn), quoteIdent(t.Name))
	}
	find := fmt.Sprintf("WITH %s AS NOT MATERIALIZED (%s) SELECT %s, %s, %s FROM %s WHERE %s ORDER BY %s DESC LIMIT %d",
		quoteIdent(t.Name), body, quoteIdent(parts.PartColumn), quoteIdent(parts.RowColumn), tc,
		quoteIdent(t.Name), where, tc, limit)
	rs, err := s.db.QueryContext(ctx, find, args...)
	if err != nil {
		return nil, err
	}
	byPart := map[string][]int64{}
	var old []int64
	for rs.Next() {
		var part sql.NullString
		var row int64
		var ts time.Time
		if err := rs.Scan(&part, &row, &ts); err != nil {
			rs.Close()
			return nil, err
		}
		if part.Valid {
			byPart[part.String] = append(byPart[part.String], row)
		} else {
			old = append(old, row)
		}
	}
	if err := rs.Close(); err != nil {
		return nil, err
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	var selects []string
	files := make([]string, 0, len(byPart))
	for f := range byPart {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		selects = append(selects, fmt.Sprintf("SELECT %s FROM (%s)", selectList(t), parts.ViewSQLAt(sp.kind, sp.mat, f, byPart[f])))
	}
	if len(old) > 0 {
		ids := make([]string, len(old))
		for i, r := range old {
			ids[i] = fmt.Sprint(r)
		}
		selects = append(selects, fmt.Sprintf("SELECT %s FROM main.%s WHERE rowid IN (%s)", selectList(t), quoteIdent(t.Name), strings.Join(ids, ", ")))
	}
	if len(selects) == 0 {
		return nil, nil
	}
	fetch := strings.Join(selects, " UNION ALL ") + " ORDER BY " + tc + " DESC"
	rs, err = s.db.QueryContext(ctx, fetch)
	if err != nil {
		return nil, err
	}
	rows, err := scanRows(rs, t)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b store.Row) int { return cmp.Compare(0, rowTime(a).Compare(rowTime(b))) })
	return rows, nil
}
