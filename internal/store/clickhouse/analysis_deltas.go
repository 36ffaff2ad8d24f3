package clickhouse

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// deltaColumns are the scalar columns Deltas compares, per source (as the
// DuckDB store's).
func deltaColumns(src *schema.Source) []string {
	if src.Table.Name == schema.TracesTable {
		return []string{"ServiceName", "SpanName", "SpanKind", "StatusCode", "StatusMessage", "ScopeName"}
	}
	return []string{"ServiceName", "SeverityText", "ScopeName", "EventName"}
}

// Deltas compares the value distributions of the scalar columns of
// deltaColumns and of every attribute key in the selection of p.Scope with
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
	if p.MaxRows <= 0 || p.MaxValues <= 0 {
		return out, fmt.Errorf("%w: maxRows and maxValues must be positive", store.ErrInvalidArgument)
	}
	src := p.Scope.Source
	t := src.Table
	if p.DurationMin != nil || p.DurationMax != nil {
		if _, ok := t.Column("Duration"); !ok {
			return out, fmt.Errorf("%w: a duration selection needs source traces (%s has no Duration)", store.ErrInvalidArgument, src.Name)
		}
	}
	var sel []string
	var selArgs []any
	if p.DurationMin != nil {
		sel, selArgs = append(sel, "Duration >= ?"), append(selArgs, max(*p.DurationMin, 0))
	}
	if p.DurationMax != nil {
		sel, selArgs = append(sel, "Duration <= ?"), append(selArgs, max(*p.DurationMax, 0))
	}
	tc := ident(t.TimeColumn)
	if p.SelStart != nil {
		sel, selArgs = append(sel, tc+" >= ?"), append(selArgs, clamp(*p.SelStart))
	}
	if p.SelEnd != nil {
		sel, selArgs = append(sel, tc+" < ?"), append(selArgs, clamp(*p.SelEnd))
	}
	if len(sel) == 0 {
		return out, fmt.Errorf("%w: the selection is everything: bound it with durationMinMs, durationMaxMs, start or end", store.ErrInvalidArgument)
	}
	out.Fields = []store.DeltaField{}
	if s.columns[t.Name] == nil {
		return out, nil
	}
	selExpr := "(" + strings.Join(sel, " AND ") + ")"

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
	for _, c := range deltaColumns(src) {
		baseCols = append(baseCols, s.col(t, c)+" AS "+ident(c))
		pairs = append(pairs, fmt.Sprintf("(%s, CAST(%s AS String))", quoteString(c), ident(c)))
	}
	parts := []string{"[('', '')]", "[" + strings.Join(pairs, ", ") + "]"}
	for _, m := range attributeMaps(src) {
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
	byField := map[string]*store.DeltaField{}
	var order []string
	err = s.scan(ctx, q, qargs, func(_ []string, v []any) error {
		f, val := v[0].(string), v[1].(string)
		ps, pb, d, sad, fs, fb := v[2].(float64), v[3].(float64), v[4].(int64), v[5].(float64), v[6].(float64), v[7].(float64)
		df := byField[f]
		if df == nil {
			// Rows without the field are one more value of it.
			missS, missB := max(0, 1-fs), max(0, 1-fb)
			abs := missS - missB
			if abs < 0 {
				abs = -abs
			}
			df = &store.DeltaField{Field: f, Score: round4((sad + abs) / 2), Distinct: int(d)}
			byField[f] = df
			order = append(order, f)
		}
		df.Values = append(df.Values, store.DeltaValue{Value: val, Selection: round4(ps), Background: round4(pb)})
		return nil
	})
	if err != nil {
		return out, readErr(fmt.Errorf("compare the selection: %w", err))
	}
	rowsRead := float64(min(out.SelectionCount, int64(p.MaxRows)) + min(out.BackgroundCount, int64(p.MaxRows)))
	for _, f := range order {
		df := byField[f]
		if df.Distinct > p.MaxValues && float64(df.Distinct) > rowsRead/2 {
			continue
		}
		out.Fields = append(out.Fields, *df)
	}
	sort.SliceStable(out.Fields, func(i, j int) bool {
		if out.Fields[i].Score != out.Fields[j].Score {
			return out.Fields[i].Score > out.Fields[j].Score
		}
		return out.Fields[i].Field < out.Fields[j].Field
	})
	return out, nil
}

// round4 rounds to 4 decimals, so answers are stable across platforms.
func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}
