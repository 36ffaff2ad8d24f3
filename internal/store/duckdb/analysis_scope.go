package duckdb

import (
	"context"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

var (
	_ store.TextAnalyzer  = (*Store)(nil)
	_ store.DeltaAnalyzer = (*Store)(nil)
	_ store.Faceter       = (*Store)(nil)
)

// scopeWhere renders the WHERE body (and its arguments) of the rows of an
// analysis scope: the time column in [Start, End) and the filter.
func (s *Store) scopeWhere(sc store.Scope) (string, []any, error) {
	if err := sc.Check(); err != nil {
		return "", nil, err
	}
	tc := quoteIdent(sc.Source.Table.TimeColumn)
	where, args, err := store.AndFilter(fmt.Sprintf("%s >= ? AND %s < ?", tc, tc),
		[]any{clampTime(sc.Start), clampTime(sc.End)}, sc.Filter, sc.Source, s.compileFilter)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", sc.Source.Name, err)
	}
	return where, args, nil
}

// textExpr is the SQL of an event's text: a log's Body; a span's SpanName,
// plus a space and its StatusMessage when that is set.
func textExpr(src *schema.Source) string {
	if src.Table.Name == schema.TracesTable {
		return `CASE WHEN "StatusMessage" <> '' THEN "SpanName" || ' ' || "StatusMessage" ELSE "SpanName" END`
	}
	return `"Body"`
}

// errorExpr is the SQL of "the event is an error": SeverityNumber ≥ 17
// (OTel ERROR and FATAL) for logs, StatusCode Error for spans.
func errorExpr(src *schema.Source) string {
	if src.Table.Name == schema.TracesTable {
		return `("StatusCode" = 'Error')`
	}
	return `("SeverityNumber" >= 17)`
}

// sampleKey is the SQL a row's sampling hash is taken of.
func sampleKey(src *schema.Source) string {
	if src.Table.Name == schema.TracesTable {
		return `"SpanId", "Timestamp"`
	}
	return `"Timestamp", "Body"`
}

// sampleSpace is the modulus of the sampling hash.
const sampleSpace = 1 << 20

// systemSampleMin is the scope size from which samples are taken by
// vectors of rows (TABLESAMPLE system: the columns of the rows not sampled
// are never read, which is what makes a sample cheap) rather than row by
// row (a hash of each row, which reads every row). A variable for tests.
var systemSampleMin int64 = 100_000

// sampleSeed makes system samples repeatable.
const sampleSeed = 7

// sampleFrom returns the FROM item of src's table and a WHERE suffix that
// keep about want of the total rows of a scope (both empty of sampling
// when total ≤ want). Small scopes are sampled by a hash of each row
// (deterministic); big ones by vectors, over-sampled by a quarter so
// that, capped with LIMIT want, the sample is rarely short.
func sampleFrom(src *schema.Source, total int64, want int) (from, pred string) {
	from = quoteIdent(src.Table.Name)
	if want <= 0 || total <= int64(want) {
		return from, ""
	}
	if total >= systemSampleMin {
		pct := min(100, float64(want)/float64(total)*125)
		return fmt.Sprintf("%s TABLESAMPLE %.6f%% (system, %d)", from, pct, sampleSeed), ""
	}
	keep := int64(float64(want) / float64(total) * sampleSpace)
	if keep < 1 {
		keep = 1
	}
	return from, fmt.Sprintf(" AND (hash(%s) %% %d) < %d", sampleKey(src), sampleSpace, keep)
}

// countScope counts the rows of a scope.
func (s *Store) countScope(ctx context.Context, src *schema.Source, where string, args []any, start, end time.Time) (int64, error) {
	q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", quoteIdent(src.Table.Name), where)
	q, release, err := s.readSQL(ctx, q, start, end)
	if err != nil {
		return 0, readErr(fmt.Errorf("count %s: %w", src.Name, err))
	}
	defer release()
	var n int64
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, readErr(fmt.Errorf("count %s: %w", src.Name, err))
	}
	return n, nil
}
