package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/store"
)

// Facets returns the top p.Limit values of each field of p.Fields in (a
// uniform sample of at most p.MaxRows rows of) p.Scope, with each field's
// distinct count, in one pass; see store.Faceter.
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
	pairs := make([]string, len(p.Fields))
	for i := range pairs {
		pairs[i] = fmt.Sprintf("(toInt32(%d), ifNull(CAST(toString(f%d) AS Nullable(String)), ''))", i, i)
	}
	out = store.NewFacetResult(p)
	if s.columns[src.Table.Name] == nil {
		return out, nil
	}
	total, err := s.countScope(ctx, src, where, args)
	if err != nil {
		return out, err
	}
	q := fmt.Sprintf(`SELECT i, v, n, d FROM (
  SELECT i, v, n, toInt64(count() OVER (PARTITION BY i)) AS d, row_number() OVER (PARTITION BY i ORDER BY n DESC, v) AS rn FROM (
    SELECT iv.1 AS i, iv.2 AS v, toInt64(count()) AS n FROM (
      SELECT arrayJoin([%s]) AS iv FROM (SELECT %s FROM %s WHERE %s%s LIMIT %d))
    WHERE v != '' GROUP BY i, v))
WHERE rn <= %d ORDER BY i, rn`,
		strings.Join(pairs, ", "), strings.Join(exprs, ", "), s.tableRef(src.Table), where,
		samplePred(src, total, p.MaxRows), p.MaxRows, p.Limit)
	err = s.scan(ctx, q, append(fargs, args...), func(_ []string, v []any) error {
		out.Add(p, int(v[0].(int32)), v[1].(string), v[2].(int64), v[3].(int64))
		return nil
	})
	if err != nil {
		return out, readErr(fmt.Errorf("facets of %s: %w", src.Name, err))
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
	t := sc.Source.Table
	if s.columns[t.Name] == nil {
		return nil, nil
	}
	maps := store.AttributeMaps(sc.Source)
	cols := make([]string, len(maps))
	parts := make([]string, len(maps))
	for i, m := range maps {
		cols[i] = s.col(t, m) + " AS " + ident(m)
		parts[i] = fmt.Sprintf("arrayMap(k -> (%s, toString(k)), mapKeys(%s))", quoteString(m), ident(m))
	}
	total, err := s.countScope(ctx, sc.Source, where, args)
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf(`SELECT mk.1 AS m, mk.2 AS k, count() AS n FROM (
  SELECT arrayJoin(arrayConcat(%s)) AS mk FROM (SELECT %s FROM %s WHERE %s%s LIMIT %d))
GROUP BY m, k ORDER BY n DESC, m DESC, k LIMIT %d`,
		strings.Join(parts, ", "), strings.Join(cols, ", "), s.tableRef(t), where,
		samplePred(sc.Source, total, maxRows), maxRows, limit)
	var out []string
	err = s.scan(ctx, q, args, func(_ []string, v []any) error {
		out = append(out, v[0].(string)+"."+v[1].(string))
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("attribute keys of %s: %w", sc.Source.Name, err))
	}
	return out, nil
}
