package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/chcol"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Search limits (as the DuckDB store's).
const (
	DefaultSearchLimit = 100
	MaxSearchLimit     = 10000
)

func knownTable(t *schema.Table) bool { return store.KnownTable(t) }

// readErr marks failures of the server or network as store.ErrUnavailable
// (the API answers 503), leaving the caller's mistakes and cancellations.
func readErr(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, store.ErrInvalidArgument) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(err.Error(), "connection refused") {
		return fmt.Errorf("%w: ClickHouse is unreachable: %w", store.ErrUnavailable, err)
	}
	return err
}

// selectList reads every column of t in schema order (Nested flattened);
// columns the database lacks read as their type's zero value.
func (s *Store) selectList(t *schema.Table) string {
	var cols []string
	add := func(name string, c schema.Column) {
		if s.has(t.Name, name) {
			cols = append(cols, ident(name))
			return
		}
		cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", zeroLiteral(c.Type), chType(c.Type), ident(name)))
	}
	for _, c := range t.Columns {
		if c.Type == schema.Nested {
			for _, f := range c.Fields {
				n := c.Name + "." + f.Name
				if s.has(t.Name, n) {
					cols = append(cols, ident(n))
				} else {
					// One zero per entry of the group's first field.
					cols = append(cols, fmt.Sprintf("arrayMap(x -> CAST(%s AS %s), %s) AS %s",
						zeroLiteral(f.Type), chType(f.Type), ident(c.Name+"."+c.Fields[0].Name), ident(n)))
				}
			}
			continue
		}
		add(c.Name, c)
	}
	return strings.Join(cols, ", ")
}

func zeroLiteral(t schema.Type) string {
	switch t {
	case schema.String:
		return "''"
	case schema.Map:
		return "map()"
	case schema.ArrayUInt64, schema.ArrayFloat64:
		return "[]"
	case schema.Bool:
		return "false"
	case schema.Timestamp, schema.Seconds:
		return "0"
	}
	return "0"
}

// tableRef returns the FROM name of schema table t.
func (s *Store) tableRef(t *schema.Table) string { return s.table(t.Name) }

// Search returns the newest p.Limit rows matching p.Filter in [p.Start,
// p.End), newest first, and how many match.
func (s *Store) Search(ctx context.Context, p store.SearchParams) (store.SearchResult, error) {
	if p.Source == nil || !knownTable(p.Source.Table) {
		return store.SearchResult{}, fmt.Errorf("%w: unknown source", store.ErrInvalidArgument)
	}
	if p.Start.IsZero() || p.End.IsZero() {
		return store.SearchResult{}, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	if p.End.Before(p.Start) {
		return store.SearchResult{}, fmt.Errorf("%w: end %v before start %v", store.ErrInvalidArgument, p.End, p.Start)
	}
	limit := p.Limit
	switch {
	case limit <= 0:
		limit = DefaultSearchLimit
	case limit > MaxSearchLimit:
		limit = MaxSearchLimit
	}
	t := p.Source.Table
	if s.columns[t.Name] == nil {
		return store.SearchResult{Rows: []store.Row{}}, nil
	}
	tc := ident(t.TimeColumn)
	where := fmt.Sprintf("%s >= ? AND %s < ?", tc, tc)
	args := []any{clamp(p.Start), clamp(p.End)}
	if p.Filter != nil {
		fw, fargs, err := query.Compile(p.Filter, p.Source, s.dialect)
		if err != nil {
			return store.SearchResult{}, fmt.Errorf("%w: search %s: %w", store.ErrInvalidArgument, p.Source.Name, err)
		}
		where += " AND (" + fw + ")"
		args = append(args, fargs...)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s DESC LIMIT %d", s.selectList(t), s.tableRef(t), where, tc, limit)
	rows, err := s.queryRows(ctx, t, q, args...)
	if err != nil {
		return store.SearchResult{}, readErr(fmt.Errorf("search %s: %w", p.Source.Name, err))
	}
	res := store.SearchResult{Rows: rows, Count: int64(len(rows))}
	if len(rows) < limit {
		return res, nil
	}
	var n uint64
	cq, cargs := bindTimes(fmt.Sprintf("SELECT count() FROM %s WHERE %s", s.tableRef(t), where), args)
	if err := s.conn.QueryRow(ctx, cq, cargs...).Scan(&n); err != nil {
		return res, readErr(fmt.Errorf("count %s: %w", p.Source.Name, err))
	}
	res.Count = int64(n)
	return res, nil
}

// clamp keeps t inside DateTime64(9)'s range (1900–2262).
func clamp(t time.Time) time.Time {
	lo := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Unix(0, maxNanos).UTC()
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t.UTC()
}

var traceIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Trace returns every span of the trace ordered by Timestamp: the lookup
// table gives the trace's time window (second precision, widened by a
// second), then the spans are read inside it.
func (s *Store) Trace(ctx context.Context, traceID string) ([]store.Row, error) {
	id := strings.ToLower(traceID)
	if !traceIDRe.MatchString(id) {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex digits", store.ErrInvalidArgument, traceID)
	}
	t := &schema.Traces
	if s.columns[t.Name] == nil {
		return []store.Row{}, nil
	}
	where, args := "TraceId = ?", []any{id}
	if s.columns[schema.TraceIDTsTable] != nil {
		var start, end time.Time
		var n uint64
		err := s.conn.QueryRow(ctx, fmt.Sprintf("SELECT min(Start), max(End), count() FROM %s WHERE TraceId = ?", s.table(schema.TraceIDTsTable)), id).Scan(&start, &end, &n)
		if err != nil {
			return nil, readErr(fmt.Errorf("find trace %s: %w", id, err))
		}
		if n == 0 {
			return []store.Row{}, nil
		}
		where += " AND Timestamp >= ? AND Timestamp < ?"
		args = append(args, start.Add(-time.Second), end.Add(2*time.Second))
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY Timestamp", s.selectList(t), s.tableRef(t), where)
	rows, err := s.queryRows(ctx, t, q, args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("read trace %s: %w", id, err))
	}
	return rows, nil
}

// TraceLogs returns the logs of a trace, oldest first.
func (s *Store) TraceLogs(ctx context.Context, traceID string, limit int) ([]store.Row, error) {
	id := strings.ToLower(traceID)
	if !traceIDRe.MatchString(id) {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex digits", store.ErrInvalidArgument, traceID)
	}
	if limit <= 0 {
		limit = 1000
	}
	t := &schema.Logs
	if s.columns[t.Name] == nil {
		return []store.Row{}, nil
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE TraceId = ? ORDER BY Timestamp LIMIT %d", s.selectList(t), s.tableRef(t), limit)
	rows, err := s.queryRows(ctx, t, q, id)
	if err != nil {
		return nil, readErr(fmt.Errorf("read logs of trace %s: %w", id, err))
	}
	return rows, nil
}

// queryRows runs q (selecting s.selectList(t)) and returns store.Rows.
func (s *Store) queryRows(ctx context.Context, t *schema.Table, q string, args ...any) ([]store.Row, error) {
	out := []store.Row{}
	err := s.scan(ctx, q, args, func(names []string, vals []any) error {
		row := make(store.Row, len(names))
		for i, n := range names {
			row[n] = rowValue(vals[i])
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

// scan runs q and hands each row's values (dereferenced) to fn.
func (s *Store) scan(ctx context.Context, q string, args []any, fn func(names []string, vals []any) error) error {
	q, args = bindTimes(q, args)
	rs, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	return scanRows(rs, fn)
}

func scanRows(rs driver.Rows, fn func(names []string, vals []any) error) error {
	cts := rs.ColumnTypes()
	names := rs.Columns()
	ptrs := make([]any, len(cts))
	vals := make([]any, len(cts))
	for rs.Next() {
		for i, ct := range cts {
			ptrs[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rs.Scan(ptrs...); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		for i, p := range ptrs {
			vals[i] = reflect.ValueOf(p).Elem().Interface()
		}
		if err := fn(names, vals); err != nil {
			return err
		}
	}
	return rs.Err()
}

// rowValue converts a scanned value to store.Row's conventions: times
// UTC, nil pointers (Nullable NULL) as nil.
func rowValue(v any) any {
	switch x := v.(type) {
	case chcol.Variant:
		// A CASE of NULL and an array is a Variant on ClickHouse ≥ 25
		// (use_variant_as_common_type): its value, or nil.
		if x.Nil() {
			return nil
		}
		return rowValue(x.Any())
	case time.Time:
		return x.UTC()
	case []time.Time:
		out := make([]time.Time, len(x))
		for i, t := range x {
			out[i] = t.UTC()
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rowValue(rv.Elem().Interface())
	}
	return v
}

// fieldType names a logical type in the API's vocabulary.
func fieldType(t schema.Type) string {
	switch t {
	case schema.String:
		return "string"
	case schema.Int32, schema.UInt8, schema.UInt32, schema.UInt64, schema.Float64:
		return "number"
	case schema.Bool:
		return "bool"
	case schema.Timestamp, schema.Seconds:
		return "timestamp"
	case schema.Map:
		return "map"
	}
	return "array"
}

// Fields lists the table's columns and the map keys seen in the newest
// p.RowBudget rows (zero: 100000) of the range.
func (s *Store) Fields(ctx context.Context, p store.FieldsParams) ([]store.Field, error) {
	if p.Source == nil || !knownTable(p.Source.Table) {
		return nil, fmt.Errorf("%w: unknown source", store.ErrInvalidArgument)
	}
	if p.Start.IsZero() || p.End.IsZero() {
		return nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	t := p.Source.Table
	var out []store.Field
	for _, c := range t.Columns {
		if c.Type == schema.Nested {
			for _, f := range c.Fields {
				out = append(out, store.Field{Name: c.Name + "." + f.Name, Type: "array"})
			}
			continue
		}
		out = append(out, store.Field{Name: c.Name, Type: fieldType(c.Type)})
	}
	budget := p.RowBudget
	if budget <= 0 {
		budget = 100_000
	}
	if s.columns[t.Name] != nil {
		for _, m := range p.Source.MapColumns {
			if !s.has(t.Name, m) {
				continue
			}
			tc := ident(t.TimeColumn)
			q := fmt.Sprintf("SELECT DISTINCT arrayJoin(mapKeys(%s)) FROM (SELECT %s FROM %s WHERE %s >= ? AND %s < ? ORDER BY %s DESC LIMIT %d)",
				ident(m), ident(m), s.tableRef(t), tc, tc, tc, budget)
			err := s.scan(ctx, q, []any{clamp(p.Start), clamp(p.End)}, func(_ []string, vals []any) error {
				k, _ := vals[0].(string)
				out = append(out, store.Field{Name: m + "." + k, Type: "string"})
				return nil
			})
			if err != nil {
				return nil, readErr(fmt.Errorf("fields %s: %w", t.Name, err))
			}
		}
	}
	slices.SortFunc(out, func(a, b store.Field) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b store.Field) bool { return a.Name == b.Name }), nil
}
