package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// SampleTexts returns at most maxRows event texts of sc: every one when
// the scope has no more, else a uniform (hash-based, repeatable) sample.
func (s *Store) SampleTexts(ctx context.Context, sc store.Scope, maxRows int) (store.TextSample, error) {
	var out store.TextSample
	where, args, err := s.scopeWhere(sc)
	if err != nil {
		return out, err
	}
	if err := store.CheckSampleRows(maxRows); err != nil {
		return out, err
	}
	t := sc.Source.Table
	if s.columns[t.Name] == nil {
		return out, nil
	}
	if out.Total, err = s.countScope(ctx, sc.Source, where, args); err != nil {
		return out, err
	}
	q := fmt.Sprintf("SELECT %s, substringUTF8(%s, 1, %d), ServiceName, toBool(%s) FROM %s WHERE %s%s LIMIT %d",
		ident(t.TimeColumn), s.textExpr(sc.Source), store.MaxSampleText, errorExpr(sc.Source),
		s.tableRef(t), where, samplePred(sc.Source, out.Total, maxRows), maxRows)
	err = s.scan(ctx, q, args, func(_ []string, v []any) error {
		out.Rows = append(out.Rows, store.TextRow{Time: v[0].(time.Time).UTC(), Text: v[1].(string), Service: v[2].(string), Error: v[3].(bool)})
		return nil
	})
	if err != nil {
		return out, readErr(fmt.Errorf("sample %s texts: %w", sc.Source.Name, err))
	}
	out.Sampled = int64(len(out.Rows)) < out.Total
	return out, nil
}

// PatternCounts counts the rows of p.Scope matching each LIKE pattern (the
// first that matches wins) in one pass, per pattern, time bucket and
// service; see store.TextAnalyzer.
func (s *Store) PatternCounts(ctx context.Context, p store.PatternCountParams) ([]store.PatternCount, int64, error) {
	where, args, err := s.scopeWhere(p.Scope)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Check(); err != nil {
		return nil, 0, err
	}
	tally := store.NewPatternTally(len(p.Patterns))
	t := p.Scope.Source.Table
	if s.columns[t.Name] == nil {
		return tally.Counts, 0, nil
	}
	// ClickHouse's LIKE escapes with a backslash, as the patterns do.
	text := s.textExpr(p.Scope.Source)
	cs := "toInt32(-1)"
	var cargs []any
	if len(p.Patterns) > 0 {
		var b strings.Builder
		b.WriteString("multiIf(")
		for i, pat := range p.Patterns {
			fmt.Fprintf(&b, "%s LIKE ?, %d, ", text, i)
			cargs = append(cargs, pat)
		}
		b.WriteString("-1)")
		cs = "toInt32(" + b.String() + ")"
	}
	step := p.Step.Nanoseconds()
	q := fmt.Sprintf(`SELECT p, b, svc, toInt64(count()), toInt64(countIf(e)) FROM (
  SELECT %s AS p, intDiv(toUnixTimestamp64Nano(%s), %d) * %d AS b, ServiceName AS svc, %s AS e FROM %s WHERE %s
) GROUP BY p, b, svc`, cs, ident(t.TimeColumn), step, step, errorExpr(p.Scope.Source), s.tableRef(t), where)
	err = s.scan(ctx, q, append(cargs, args...), func(_ []string, v []any) error {
		svc := v[2].(string)
		tally.Add(int(v[0].(int32)), v[1].(int64), &svc, v[3].(int64), v[4].(int64))
		return nil
	})
	if err != nil {
		return nil, 0, readErr(fmt.Errorf("count patterns: %w", err))
	}
	return tally.Counts, tally.Scanned, nil
}

// RowsAt returns the rows of sc whose time column is one of times (at most
// store.MaxRowsAt), newest first.
func (s *Store) RowsAt(ctx context.Context, sc store.Scope, times []time.Time) ([]store.Row, error) {
	where, args, err := s.scopeWhere(sc)
	if err != nil {
		return nil, err
	}
	t := sc.Source.Table
	if len(times) == 0 || s.columns[t.Name] == nil {
		return []store.Row{}, nil
	}
	times = store.RowsAtTimes(times)
	tc := ident(t.TimeColumn)
	ns := make([]int64, len(times))
	for i, tm := range times {
		ns[i] = clamp(tm).UnixNano()
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s AND has(?, toUnixTimestamp64Nano(%s)) ORDER BY %s DESC LIMIT %d",
		s.selectList(t), s.tableRef(t), where, tc, tc, store.MaxRowsAt)
	rows, err := s.queryRows(ctx, t, q, append(args, ns)...)
	if err != nil {
		return nil, readErr(fmt.Errorf("rows of %s: %w", sc.Source.Name, err))
	}
	return rows, nil
}
