package duckdb

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
	if out.Total, err = s.countScope(ctx, sc.Source, where, args, sc.Start, sc.End); err != nil {
		return out, err
	}
	t := sc.Source.Table
	from, pred := sampleFrom(sc.Source, out.Total, maxRows)
	// Texts are cut at store.MaxSampleText characters: the tokenizer reads
	// 4 KiB (and sees that a longer text was cut).
	q := fmt.Sprintf("SELECT %s, substr(%s, 1, %d), %s, %s FROM %s WHERE %s%s LIMIT %d",
		quoteIdent(t.TimeColumn), textExpr(sc.Source), store.MaxSampleText, quoteIdent("ServiceName"), errorExpr(sc.Source),
		from, where, pred, maxRows)
	q, release, err := s.readSQL(ctx, q, sc.Start, sc.End)
	if err != nil {
		return out, readErr(fmt.Errorf("sample %s texts: %w", sc.Source.Name, err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return out, readErr(fmt.Errorf("sample %s texts: %w", sc.Source.Name, err))
	}
	defer rs.Close()
	for rs.Next() {
		var r store.TextRow
		var text, svc *string
		var isErr *bool
		if err := rs.Scan(&r.Time, &text, &svc, &isErr); err != nil {
			return out, fmt.Errorf("scan %s texts: %w", sc.Source.Name, err)
		}
		if text != nil {
			r.Text = *text
		}
		if svc != nil {
			r.Service = *svc
		}
		r.Error = isErr != nil && *isErr
		r.Time = r.Time.UTC()
		out.Rows = append(out.Rows, r)
	}
	if err := rs.Err(); err != nil {
		return out, readErr(fmt.Errorf("read %s texts: %w", sc.Source.Name, err))
	}
	out.Sampled = int64(len(out.Rows)) < out.Total
	return out, nil
}

// PatternCounts counts the rows of p.Scope matching each LIKE pattern (the
// first that matches wins) in one pass: per pattern, time bucket and
// service. It returns the counts parallel to p.Patterns and the rows read.
func (s *Store) PatternCounts(ctx context.Context, p store.PatternCountParams) ([]store.PatternCount, int64, error) {
	where, args, err := s.scopeWhere(p.Scope)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Check(); err != nil {
		return nil, 0, err
	}
	tally := store.NewPatternTally(len(p.Patterns))
	text := textExpr(p.Scope.Source)
	var cs strings.Builder
	var cargs []any
	if len(p.Patterns) == 0 {
		cs.WriteString("NULL::INTEGER")
	} else {
		cs.WriteString("CASE")
		for i, pat := range p.Patterns {
			fmt.Fprintf(&cs, " WHEN %s LIKE ? ESCAPE '\\' THEN %d", text, i)
			cargs = append(cargs, pat)
		}
		cs.WriteString(" END")
	}
	t := p.Scope.Source.Table
	step := p.Step.Nanoseconds()
	q := fmt.Sprintf(`SELECT p, b, svc, count(*), count_if(e) FROM (
  SELECT %s AS p, (epoch_ns(%s) // %d) * %d AS b, %s AS svc, %s AS e FROM %s WHERE %s
) GROUP BY p, b, svc`, cs.String(), quoteIdent(t.TimeColumn), step, step, quoteIdent("ServiceName"),
		errorExpr(p.Scope.Source), quoteIdent(t.Name), where)
	q, release, err := s.readSQL(ctx, q, p.Start, p.End)
	if err != nil {
		return nil, 0, readErr(fmt.Errorf("count patterns: %w", err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, append(cargs, args...)...)
	if err != nil {
		return nil, 0, readErr(fmt.Errorf("count patterns: %w", err))
	}
	defer rs.Close()
	for rs.Next() {
		var idx *int32
		var b int64
		var svc *string
		var n, e int64
		if err := rs.Scan(&idx, &b, &svc, &n, &e); err != nil {
			return nil, 0, fmt.Errorf("scan pattern counts: %w", err)
		}
		i := -1
		if idx != nil {
			i = int(*idx)
		}
		tally.Add(i, b, svc, n, e)
	}
	if err := rs.Err(); err != nil {
		return nil, 0, readErr(fmt.Errorf("read pattern counts: %w", err))
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
	if len(times) == 0 {
		return []store.Row{}, nil
	}
	times = store.RowsAtTimes(times)
	t := sc.Source.Table
	tc := quoteIdent(t.TimeColumn)
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(times)), ", ")
	for _, tm := range times {
		args = append(args, clampTime(tm))
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s AND %s IN (%s) ORDER BY %s DESC LIMIT %d",
		selectList(t), quoteIdent(t.Name), where, tc, ph, tc, store.MaxRowsAt)
	q, release, err := s.readSQL(ctx, q, sc.Start, sc.End)
	if err != nil {
		return nil, readErr(fmt.Errorf("rows of %s: %w", sc.Source.Name, err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("rows of %s: %w", sc.Source.Name, err))
	}
	rows, err := scanRows(rs, t)
	if err != nil {
		return nil, readErr(fmt.Errorf("rows of %s: %w", sc.Source.Name, err))
	}
	return rows, nil
}
