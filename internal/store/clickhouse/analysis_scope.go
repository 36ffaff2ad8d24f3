package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// The analysis reads (Event Patterns, Event Deltas, facets) on ClickHouse:
// the same answers as the DuckDB store's (internal/store/duckdb/analysis_*.go),
// in ClickHouse SQL. Samples are taken by a hash of each row (the tables
// have no SAMPLE BY key, which ClickStack's DDL does not declare either):
// repeatable, and uniform, but the hash reads the key columns of every row
// of the scope.

var (
	_ store.TextAnalyzer  = (*Store)(nil)
	_ store.DeltaAnalyzer = (*Store)(nil)
	_ store.Faceter       = (*Store)(nil)
)

// scopeWhere renders the WHERE body (and its arguments) of an analysis
// scope: the time column in [Start, End) and the filter.
func (s *Store) scopeWhere(sc store.Scope) (string, []any, error) {
	if err := sc.Check(); err != nil {
		return "", nil, err
	}
	tc := ident(sc.Source.Table.TimeColumn)
	where, args, err := store.AndFilter(fmt.Sprintf("%s >= ? AND %s < ?", tc, tc),
		[]any{clamp(sc.Start), clamp(sc.End)}, sc.Filter, sc.Source, s.compileFilter)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s: %w", store.ErrInvalidArgument, sc.Source.Name, err)
	}
	return where, args, nil
}

// compileFilter renders filter n over src in the store's dialect.
func (s *Store) compileFilter(n query.Node, src *schema.Source) (string, []any, error) {
	return query.Compile(n, src, s.dialect)
}

// col reads column c of schema table t, or its zero value when the
// database's table lacks it (read_only on another writer's database).
func (s *Store) col(t *schema.Table, c string) string {
	if s.has(t.Name, c) {
		return ident(c)
	}
	if cc, ok := t.Column(c); ok {
		return fmt.Sprintf("CAST(%s AS %s)", zeroLiteral(cc.Type), chType(cc.Type))
	}
	return "''"
}

// textExpr is an event's text: a log's Body; a span's SpanName, plus a
// space and its StatusMessage when that is set.
func (s *Store) textExpr(src *schema.Source) string {
	t := src.Table
	if t.Name == schema.TracesTable {
		return fmt.Sprintf("if(%s != '', concat(SpanName, ' ', %s), SpanName)", s.col(t, "StatusMessage"), s.col(t, "StatusMessage"))
	}
	return "Body"
}

// errorExpr is "the event is an error": SeverityNumber ≥ 17 (ERROR and
// FATAL) for logs, StatusCode Error for spans.
func errorExpr(src *schema.Source) string {
	if src.Table.Name == schema.TracesTable {
		return "(StatusCode = 'Error')"
	}
	return "(SeverityNumber >= 17)"
}

// sampleSpace is the modulus of the sampling hash.
const sampleSpace = 1 << 20

// samplePred returns a WHERE suffix keeping about want of total rows (by a
// hash of each row, over-sampled by a quarter so that, capped with LIMIT
// want, the sample is rarely short); empty when total ≤ want.
func samplePred(src *schema.Source, total int64, want int) string {
	if want <= 0 || total <= int64(want) {
		return ""
	}
	keep := int64(float64(want) / float64(total) * 1.25 * sampleSpace)
	if keep < 1 {
		keep = 1
	}
	key := "Timestamp, Body"
	if src.Table.Name == schema.TracesTable {
		key = "SpanId, Timestamp"
	}
	return fmt.Sprintf(" AND (cityHash64(%s) %% %d) < %d", key, sampleSpace, keep)
}

// countScope counts the rows of a scope.
func (s *Store) countScope(ctx context.Context, src *schema.Source, where string, args []any) (int64, error) {
	var n int64
	q := fmt.Sprintf("SELECT toInt64(count()) FROM %s WHERE %s", s.tableRef(src.Table), where)
	err := s.scan(ctx, q, args, func(_ []string, v []any) error {
		n = v[0].(int64)
		return nil
	})
	if err != nil {
		return 0, readErr(fmt.Errorf("count %s: %w", src.Name, err))
	}
	return n, nil
}

// quoteString is a ClickHouse string literal of a constant the code
// chose (field names), never of user input.
func quoteString(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
