package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/store"
)

// Deltas compares the value distributions of the scalar columns of
// store.DeltaColumns and of every attribute key in the selection of p.Scope with
// those of the rest of it; see store.DeltaAnalyzer and the DuckDB store's
// Deltas, whose answers it gives. One query reads both sides (each
// sampled on its own to p.MaxRows), unpivots every field into (field,
// value) pairs and ranks the values per field; a pseudo field "" counts
// each side's rows.
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
	out.Fields = []store.DeltaField{}
	if s.columns[t.Name] == nil {
		return out, nil
	}
	// Duration is UInt64: a negative bound is 0.
	selExpr, selArgs := p.Selection("Duration", ident(t.TimeColumn), clamp, 0)

	cq := fmt.Sprintf("SELECT toInt64(countIf(s)), toInt64(countIf(NOT s)) FROM (SELECT %s AS s FROM %s WHERE %s)",
		selExpr, s.tableRef(t), where)
	err = s.scan(ctx, cq, append(append([]any{}, selArgs...), args...), func(_ []string, v []any) error {
		out.SelectionCount, out.BackgroundCount = v[0].(int64), v[1].(int64)
		return nil
	})
	if err != nil {
		return out, readErr(fmt.Errorf("count the selection: %w", err))
	}
	if out.SelectionCount == 0 {
		return out, nil
	}
	out.Sampled = out.SelectionCount > int64(p.MaxRows) || out.BackgroundCount > int64(p.MaxRows)

	var baseCols, pairs []string
	for _, c := range store.DeltaColumns(src) {
		baseCols = append(baseCols, s.col(t, c)+" AS "+ident(c))
		pairs = append(pairs, fmt.Sprintf("(%s, CAST(%s AS String))", quoteString(c), ident(c)))
	}
	parts := []string{"[('', '')]", "[" + strings.Join(pairs, ", ") + "]"}
	for _, m := range store.AttributeMaps(src) {
		baseCols = append(baseCols, s.col(t, m)+" AS "+ident(m))
		parts = append(parts, fmt.Sprintf("arrayMap((k, x) -> (concat(%s, toString(k)), x), mapKeys(%s), mapValues(%s))",
			quoteString(m+"."), ident(m), ident(m)))
	}
	side := func(in bool, n int64) string {
		cond, flag := selExpr, 1
		if !in {
			cond, flag = "NOT "+selExpr, 0
		}
		return fmt.Sprintf("(SELECT %d AS s, %s FROM %s WHERE %s AND %s%s LIMIT %d)",
			flag, strings.Join(baseCols, ", "), s.tableRef(t), where, cond, samplePred(src, n, p.MaxRows), p.MaxRows)
	}
	q := fmt.Sprintf(`SELECT f, v, cs / ns, cb / nb, toInt64(d), sad, scs / ns, scb / nb FROM (
  SELECT f, v, cs, cb, ns, nb, count() OVER w AS d, sum(abs(cs / ns - cb / nb)) OVER w AS sad,
    sum(cs) OVER w AS scs, sum(cb) OVER w AS scb,
    row_number() OVER (PARTITION BY f ORDER BY cs / ns + cb / nb DESC, v) AS rn
  FROM (
    SELECT f, v, cs, cb,
      greatest(sum(if(f = '', cs, 0)) OVER (), 1) AS ns, greatest(sum(if(f = '', cb, 0)) OVER (), 1) AS nb
    FROM (
      SELECT fv.1 AS f, fv.2 AS v, countIf(s = 1) AS cs, countIf(s = 0) AS cb
      FROM (SELECT s, arrayJoin(arrayConcat(%s)) AS fv FROM (%s UNION ALL %s))
      GROUP BY f, v HAVING f = '' OR v != ''
    )
  )
  WHERE f != ''
  WINDOW w AS (PARTITION BY f)
)
WHERE rn <= %d ORDER BY f, rn`,
		strings.Join(parts, ", "), side(true, out.SelectionCount), side(false, out.BackgroundCount), p.MaxValues)
	var qargs []any
	for range 2 {
		qargs = append(append(qargs, args...), selArgs...)
	}
	var fields store.DeltaCollector
	err = s.scan(ctx, q, qargs, func(_ []string, v []any) error {
		fields.Add(v[0].(string), v[1].(string), v[2].(float64), v[3].(float64), v[4].(int64), v[5].(float64), v[6].(float64), v[7].(float64))
		return nil
	})
	if err != nil {
		return out, readErr(fmt.Errorf("compare the selection: %w", err))
	}
	fields.Finish(&out, p)
	return out, nil
}
