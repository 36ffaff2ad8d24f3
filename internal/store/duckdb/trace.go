package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// DefaultTraceLogsLimit is TraceLogs' limit when the caller passes zero.
const DefaultTraceLogsLimit = 1000

// traceLogsSlack widens a trace's window when looking for its logs: logs
// are often written just before a span starts or after it ends.
const traceLogsSlack = 10 * time.Minute

// normTraceID validates a trace ID (32 hex digits, any case) and returns it
// in the stored lowercase form.
func normTraceID(id string) (string, error) {
	if len(id) != 32 {
		return "", fmt.Errorf("%w: trace id %q is not 32 hex digits", store.ErrInvalidArgument, id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", fmt.Errorf("%w: trace id %q is not 32 hex digits", store.ErrInvalidArgument, id)
		}
	}
	return strings.ToLower(id), nil
}

// traceWindow returns the earliest span start and latest span end of a
// trace from otel_traces_trace_id_ts; ok is false for an unknown trace.
func (s *Store) traceWindow(ctx context.Context, id string) (start, end time.Time, ok bool, err error) {
	var lo, hi sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT min("Start"), max("End") FROM `+
		quoteIdent(schema.TraceIDTsTable)+` WHERE "TraceId" = ?`, id).Scan(&lo, &hi)
	if err != nil {
		return start, end, false, fmt.Errorf("trace window %s: %w", id, err)
	}
	if !lo.Valid {
		return start, end, false, nil
	}
	return lo.Time, hi.Time, true, nil
}

// Trace returns every span of the trace ordered by Timestamp (then SpanId).
// The trace's window comes from otel_traces_trace_id_ts, so the span scan
// touches only the row groups whose Timestamp zone maps overlap it.
func (s *Store) Trace(ctx context.Context, traceID string) ([]store.Row, error) {
	id, err := normTraceID(traceID)
	if err != nil {
		return nil, err
	}
	if sp := s.partTraces; sp != nil {
		return s.partsTrace(ctx, sp, id)
	}
	return s.tableTrace(ctx, id)
}

// tableTrace reads a trace from the DuckDB table otel_traces.
func (s *Store) tableTrace(ctx context.Context, id string) ([]store.Row, error) {
	start, end, ok, err := s.traceWindow(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	t := &schema.Traces
	q := fmt.Sprintf(`SELECT %s FROM main.%s WHERE "Timestamp" >= ? AND "Timestamp" <= ? AND "TraceId" = ? `+
		`ORDER BY "Timestamp", "SpanId"`, selectList(t), quoteIdent(t.Name))
	rs, err := s.db.QueryContext(ctx, q, start, end, id)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", id, err)
	}
	rows, err := scanRows(rs, t)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", id, err)
	}
	return rows, nil
}

// TraceLogs returns the logs of the trace, oldest first, at most limit
// (zero: 1000, capped at MaxSearchLimit). When the trace's spans are
// stored, only logs within its window widened by 10 minutes are
// considered, so the scan is bounded; logs of a trace without stored spans
// are looked up in the whole table.
func (s *Store) TraceLogs(ctx context.Context, traceID string, limit int) ([]store.Row, error) {
	id, err := normTraceID(traceID)
	if err != nil {
		return nil, err
	}
	switch {
	case limit <= 0:
		limit = DefaultTraceLogsLimit
	case limit > MaxSearchLimit:
		limit = MaxSearchLimit
	}
	if sp := s.partLogs; sp != nil {
		return s.partsTraceLogs(ctx, sp, id, limit)
	}
	return s.tableTraceLogs(ctx, id, limit)
}

// tableTraceLogs reads a trace's logs from the DuckDB table otel_logs.
func (s *Store) tableTraceLogs(ctx context.Context, id string, limit int) ([]store.Row, error) {
	start, end, ok, err := s.traceWindow(ctx, id)
	if err != nil {
		return nil, err
	}
	t := &schema.Logs
	where := `"TraceId" = ?`
	args := []any{id}
	if ok {
		where = `"Timestamp" >= ? AND "Timestamp" <= ? AND ` + where
		args = []any{start.Add(-traceLogsSlack), end.Add(traceLogsSlack), id}
	}
	q := fmt.Sprintf(`SELECT %s FROM main.%s WHERE %s ORDER BY "Timestamp" LIMIT %d`,
		selectList(t), quoteIdent(t.Name), where, limit)
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("trace logs %s: %w", id, err)
	}
	rows, err := scanRows(rs, t)
	if err != nil {
		return nil, fmt.Errorf("trace logs %s: %w", id, err)
	}
	return rows, nil
}

// partsTrace reads a trace from the parts layout in Go (the head, the
// parts being written, and the parts whose index may hold it: see
// parts.Table.TraceSpans), and from the DuckDB table while that has rows.
func (s *Store) partsTrace(ctx context.Context, sp *signalParts, id string) ([]store.Row, error) {
	spans, err := sp.t.TraceSpans(ctx, id)
	if err != nil {
		return nil, err
	}
	rows := make([]store.Row, len(spans))
	for i := range spans {
		rows[i] = spanRow(&spans[i])
	}
	if sp.legacy.Load() {
		old, err := s.tableTrace(ctx, id)
		if err != nil {
			return nil, err
		}
		rows = append(rows, old...)
	}
	sortTrace(rows)
	return rows, nil
}

// partsTraceSQL is partsTrace through DuckDB (the parts that may hold
// the trace, read with its Parquet scanner): the reference the Go path
// is tested against.
func (s *Store) partsTraceSQL(ctx context.Context, sp *signalParts, id string) ([]store.Row, error) {
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE "TraceId" = ? ORDER BY "Timestamp", "SpanId"`,
		selectList(sp.table), quoteIdent(sp.table.Name))
	rows, err := s.traceRows(ctx, sp, q, id, id)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", id, err)
	}
	if !sp.legacy.Load() {
		return rows, nil
	}
	old, err := s.tableTrace(ctx, id)
	if err != nil || len(old) == 0 {
		return rows, err
	}
	rows = append(rows, old...)
	sortTrace(rows)
	return rows, nil
}

// sortTrace orders a trace's rows by Timestamp, then SpanId (as the SQL
// paths' ORDER BY).
func sortTrace(rows []store.Row) {
	slices.SortStableFunc(rows, func(a, b store.Row) int {
		if c := rowTime(a).Compare(rowTime(b)); c != 0 {
			return c
		}
		as, _ := a["SpanId"].(string)
		bs, _ := b["SpanId"].(string)
		return strings.Compare(as, bs)
	})
}

// partsTraceLogs reads a trace's logs from the parts that may hold them,
// and from the DuckDB table while that has rows.
func (s *Store) partsTraceLogs(ctx context.Context, sp *signalParts, id string, limit int) ([]store.Row, error) {
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE "TraceId" = ? ORDER BY "Timestamp" LIMIT %d`,
		selectList(sp.table), quoteIdent(sp.table.Name), limit)
	rows, err := s.traceRows(ctx, sp, q, id, id)
	if err != nil {
		return nil, fmt.Errorf("trace logs %s: %w", id, err)
	}
	if !sp.legacy.Load() {
		return rows, nil
	}
	old, err := s.tableTraceLogs(ctx, id, limit)
	if err != nil || len(old) == 0 {
		return rows, err
	}
	rows = append(rows, old...)
	slices.SortStableFunc(rows, func(a, b store.Row) int { return rowTime(a).Compare(rowTime(b)) })
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, nil
}

// rowTime is a row's Timestamp (zero if it has none).
func rowTime(r store.Row) time.Time {
	t, _ := r["Timestamp"].(time.Time)
	return t
}
