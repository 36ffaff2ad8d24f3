package duckdb

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/overlook-dev/overlook/internal/store"
)

// Deltas compares the value distributions of every scalar column of
// store.DeltaColumns and every attribute key (the event's and its resource's) in
// the selection of p.Scope with those of the rest of it. Counts are exact;
// the distributions come from at most p.MaxRows rows per side. Fields
// whose values are mostly unique (ids) are left out: a field with more
// than p.MaxValues distinct values that are more than half of its rows.
func (s *Store) Deltas(ctx context.Context, p store.DeltaParams) (store.DeltaResult, error) {
	var out store.DeltaResult
	where, args, err := s.scopeWhere(p.Scope)
	if err != nil {
		return out, err
	}
	if err := p.Check(); err != nil {
		return out, err
	}
	src := p.Scope.Source
	t := src.Table
	selExpr, selArgs := p.Selection(quoteIdent("Duration"), quoteIdent(t.TimeColumn), clampTime, math.MinInt64)

	// Exact counts of both sides.
	cq := fmt.Sprintf("SELECT count_if(s), count_if(NOT s) FROM (SELECT coalesce(%s, false) AS s FROM %s WHERE %s)",
		selExpr, quoteIdent(t.Name), where)
	cq, release, err := s.readSQL(ctx, cq, p.Start, p.End)
	if err != nil {
		return out, readErr(fmt.Errorf("count the selection: %w", err))
	}
	defer release()
	if err := s.db.QueryRowContext(ctx, cq, append(append([]any{}, selArgs...), args...)...).Scan(&out.SelectionCount, &out.BackgroundCount); err != nil {
		return out, readErr(fmt.Errorf("count the selection: %w", err))
	}
	out.Fields = []store.DeltaField{}
	if out.SelectionCount == 0 {
		return out, nil
	}
	out.Sampled = out.SelectionCount > int64(p.MaxRows) || out.BackgroundCount > int64(p.MaxRows)

	cols := store.DeltaColumns(src)
	maps := store.AttributeMaps(src)
	var baseCols, names, vals []string
	for _, c := range cols {
		baseCols = append(baseCols, quoteIdent(c))
		names = append(names, "'"+c+"'")
		vals = append(vals, "CAST("+quoteIdent(c)+" AS VARCHAR)")
	}
	parts := []string{fmt.Sprintf("SELECT s, unnest([%s]) AS f, unnest([%s]) AS v FROM base", strings.Join(names, ", "), strings.Join(vals, ", "))}
	for _, m := range maps {
		baseCols = append(baseCols, quoteIdent(m))
		parts = append(parts, fmt.Sprintf("SELECT s, '%s.' || k AS f, v FROM (SELECT s, unnest(map_keys(%s)) AS k, unnest(map_values(%s)) AS v FROM base)", m, quoteIdent(m), quoteIdent(m)))
	}
	// Each side sampled on its own: the selection is often a small part.
	side := func(sel bool, n int64) string {
		from, pred := sampleFrom(src, n, p.MaxRows)
		cond := "coalesce(" + selExpr + ", false)"
		if !sel {
			cond = "NOT " + cond
		}
		return fmt.Sprintf("(SELECT %v AS s, %s FROM %s WHERE %s AND %s%s LIMIT %d)",
			sel, strings.Join(baseCols, ", "), from, where, cond, pred, p.MaxRows)
	}
	q := fmt.Sprintf(`WITH base AS MATERIALIZED (
  %s UNION ALL %s),
sizes AS (SELECT greatest(count_if(s), 1)::DOUBLE AS ns, greatest(count_if(NOT s), 1)::DOUBLE AS nb FROM base),
g AS (SELECT f, v, count_if(s) AS cs, count_if(NOT s) AS cb FROM (%s) WHERE v IS NOT NULL AND v <> '' GROUP BY f, v)
SELECT f, v, cs / ns, cb / nb, d, sad, scs / ns, scb / nb FROM (
  SELECT f, v, cs, cb, ns, nb, count(*) OVER w AS d, sum(abs(cs / ns - cb / nb)) OVER w AS sad,
    sum(cs) OVER w AS scs, sum(cb) OVER w AS scb,
    row_number() OVER (PARTITION BY f ORDER BY cs / ns + cb / nb DESC, v) AS rn
  FROM g, sizes WINDOW w AS (PARTITION BY f))
WHERE rn <= %d ORDER BY f, rn`,
		side(true, out.SelectionCount), side(false, out.BackgroundCount), strings.Join(parts, " UNION ALL "), p.MaxValues)
	q, release2, err := s.readSQL(ctx, q, p.Start, p.End)
	if err != nil {
		return out, readErr(fmt.Errorf("compare the selection: %w", err))
	}
	defer release2()
	var qargs []any
	for range 2 {
		qargs = append(append(qargs, args...), selArgs...)
	}
	rs, err := s.db.QueryContext(ctx, q, qargs...)
	if err != nil {
		return out, readErr(fmt.Errorf("compare the selection: %w", err))
	}
	defer rs.Close()
	var fields store.DeltaCollector
	for rs.Next() {
		var f, v string
		var ps, pb, sad, fs, fb float64
		var d int64
		if err := rs.Scan(&f, &v, &ps, &pb, &d, &sad, &fs, &fb); err != nil {
			return out, fmt.Errorf("scan the comparison: %w", err)
		}
		fields.Add(f, v, ps, pb, d, sad, fs, fb)
	}
	if err := rs.Err(); err != nil {
		return out, readErr(fmt.Errorf("read the comparison: %w", err))
	}
	fields.Finish(&out, p)
	return out, nil
}
