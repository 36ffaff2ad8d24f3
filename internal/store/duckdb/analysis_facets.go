package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/store"
)

// Facets returns the top p.Limit values of each field of p.Fields in (a
// uniform sample of at most p.MaxRows rows of) p.Scope, with each field's
// distinct count, in one pass: the fields are unpivoted and counted
// together.
func (s *Store) Facets(ctx context.Context, p store.FacetParams) (store.FacetResult, error) {
	var out store.FacetResult
	where, args, err := s.scopeWhere(p.Scope)
	if err != nil {
		return out, err
	}
	if err := p.Check(); err != nil {
		return out, err
	}
	src := p.Scope.Source
	exprs, fargs, err := store.FacetExprs(p, s.dialect)
	if err != nil {
		return out, err
	}
	total, err := s.countScope(ctx, src, where, args, p.Start, p.End)
	if err != nil {
		return out, err
	}
	idx := make([]string, len(p.Fields))
	vals := make([]string, len(p.Fields))
	for i := range p.Fields {
		idx[i] = fmt.Sprint(i)
		vals[i] = fmt.Sprintf("f%d", i)
	}
	from, pred := sampleFrom(src, total, p.MaxRows)
	q := fmt.Sprintf(`WITH base AS (SELECT %s FROM %s WHERE %s%s LIMIT %d)
SELECT i, v, n, d FROM (
  SELECT i, v, n, count(*) OVER (PARTITION BY i) AS d, row_number() OVER (PARTITION BY i ORDER BY n DESC, v) AS rn FROM (
    SELECT i, v, count(*) AS n FROM (SELECT unnest([%s]) AS i, unnest([%s]) AS v FROM base)
    WHERE v IS NOT NULL AND v <> '' GROUP BY i, v))
WHERE rn <= %d ORDER BY i, rn`,
		strings.Join(exprs, ", "), from, where, pred, p.MaxRows,
		strings.Join(idx, ", "), strings.Join(vals, ", "), p.Limit)
	q, release, err := s.readSQL(ctx, q, p.Start, p.End)
	if err != nil {
		return out, readErr(fmt.Errorf("facets of %s: %w", src.Name, err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, append(fargs, args...)...)
	if err != nil {
		return out, readErr(fmt.Errorf("facets of %s: %w", src.Name, err))
	}
	defer rs.Close()
	out = store.NewFacetResult(p)
	for rs.Next() {
		var i int32
		var v string
		var n, d int64
		if err := rs.Scan(&i, &v, &n, &d); err != nil {
			return out, fmt.Errorf("scan facets: %w", err)
		}
		out.Add(p, int(i), v, n, d)
	}
	if err := rs.Err(); err != nil {
		return out, readErr(fmt.Errorf("read facets: %w", err))
	}
	out.SetScanned(p, total)
	return out, nil
}

// TopAttributeKeys returns the most frequent attribute keys (as
// "Map.key") in a sample of at most maxRows rows of sc.
func (s *Store) TopAttributeKeys(ctx context.Context, sc store.Scope, maxRows, limit int) ([]string, error) {
	where, args, err := s.scopeWhere(sc)
	if err != nil {
		return nil, err
	}
	if err := store.CheckTopKeys(maxRows, limit); err != nil {
		return nil, err
	}
	maps := store.AttributeMaps(sc.Source)
	cols := make([]string, len(maps))
	parts := make([]string, len(maps))
	for i, m := range maps {
		cols[i] = quoteIdent(m)
		parts[i] = fmt.Sprintf("SELECT '%s' AS m, unnest(map_keys(%s)) AS k FROM base", m, quoteIdent(m))
	}
	total, err := s.countScope(ctx, sc.Source, where, args, sc.Start, sc.End)
	if err != nil {
		return nil, err
	}
	from, pred := sampleFrom(sc.Source, total, maxRows)
	q := fmt.Sprintf(`WITH base AS (SELECT %s FROM %s WHERE %s%s LIMIT %d)
SELECT m, k, count(*) AS n FROM (%s) GROUP BY m, k ORDER BY n DESC, m DESC, k LIMIT %d`,
		strings.Join(cols, ", "), from, where, pred, maxRows, strings.Join(parts, " UNION ALL "), limit)
	q, release, err := s.readSQL(ctx, q, sc.Start, sc.End)
	if err != nil {
		return nil, readErr(fmt.Errorf("attribute keys of %s: %w", sc.Source.Name, err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("attribute keys of %s: %w", sc.Source.Name, err))
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var m, k string
		var n int64
		if err := rs.Scan(&m, &k, &n); err != nil {
			return nil, fmt.Errorf("scan attribute keys: %w", err)
		}
		out = append(out, m+"."+k)
	}
	if err := rs.Err(); err != nil {
		return nil, readErr(fmt.Errorf("read attribute keys: %w", err))
	}
	return out, nil
}
