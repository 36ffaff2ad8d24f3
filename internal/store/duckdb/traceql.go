package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// MaxTraceQLLimit caps the traces of one TraceQL search.
const MaxTraceQLLimit = 10000

// MaxTraceQLSeries caps the series of one TraceQL metrics query.
const MaxTraceQLSeries = 1000

// traceQLFirstSlice is the share of the range a sliceable search reads
// first; each further slice is 4× wider, ending at End.
const traceQLFirstSlice = 64

// TraceQLSearch runs a TraceQL search over the spans in [Start, End),
// newest-first over growing slices of the range (the last 1/64, then 4×
// wider windows, …), stopping once Limit traces are found, so a search
// that matches often reads minutes, not the whole range:
//
//   - searches that allow it (traceql.Query.Sliceable) read only the
//     slice's spans;
//   - the others (aggregates, traceDuration) read every span in the range
//     of the traces having a span in the slice (traceql.SearchOptions.Since),
//     which keeps them exact: a trace is judged on all its spans.
//
// Searches with duration bounds (ordered by trace start) read the whole
// range at once.
func (s *Store) TraceQLSearch(ctx context.Context, p store.TraceQLSearchParams) ([]store.TraceQLTrace, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	if p.MinDuration > 0 || p.MaxDuration > 0 {
		return s.traceQLSearch(ctx, p, time.Time{})
	}
	sliceable := p.Query.Sliceable()
	full := p.End.Sub(p.Start)
	for d := full / traceQLFirstSlice; ; d *= 4 {
		q, since := p, time.Time{}
		if d < full {
			if sliceable {
				q.Start = p.End.Add(-d)
			} else {
				since = p.End.Add(-d)
				// The slice's traces have no span before from: the
				// statement reads [from, End), not the whole range.
				from, ok, err := s.traceQLTracesFrom(ctx, p.Start, since, p.End)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue // no span in the slice
				}
				q.Start = from
			}
		}
		res, err := s.traceQLSearch(ctx, q, since)
		if err != nil || len(res) >= min(max(p.Limit, 1), MaxTraceQLLimit) || d >= full {
			return res, err
		}
	}
}

// traceQLTracesFrom returns the earliest span start in [start, end) of
// the traces having a span in [since, end); ok is false when no span is
// in [since, end). It reads TraceId and Timestamp only; with the parts
// layout, the stored TraceId bytes (traceQLRawTraces).
func (s *Store) traceQLTracesFrom(ctx context.Context, start, since, end time.Time) (time.Time, bool, error) {
	const bound = `SELECT min("Timestamp") FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ? ` +
		`AND "TraceId" IN (SELECT "TraceId" FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?)`
	var (
		q       string
		release func()
		err     error
	)
	if sp := s.partTraces; sp != nil && !s.tqHexIDs {
		q, release, err = s.traceQLRawTraces(ctx, sp, bound, start, end)
	} else {
		q, release, err = s.readSQL(ctx, bound, start, end)
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("traceql search: %w", err)
	}
	defer release()
	var from sql.NullTime
	if err := s.db.QueryRowContext(ctx, q, start, end, since, end).Scan(&from); err != nil {
		return time.Time{}, false, readErr(fmt.Errorf("traceql search: the slice's traces: %w", err))
	}
	return from.Time, from.Valid, nil
}

// traceQLRawTraces is readSQL for q, a read of the Timestamp and TraceId
// of otel_traces only, with the parts layout: otel_traces stands for
// those two columns as stored in the parts overlapping [start, end] —
// TraceId the raw 16 bytes, not the view's hex — and the DuckDB table's
// rows (unhex of their hex IDs). Over 5M spans, hashing the stored
// bytes instead of converting each ID to hex makes the slice bound of an
// aggregate search several times cheaper (docs/benchmarks.md).
func (s *Store) traceQLRawTraces(ctx context.Context, sp *signalParts, q string, start, end time.Time) (string, func(), error) {
	sn, err := sp.t.Snapshot(ctx, clampTime(start), clampTime(end))
	if err != nil {
		return "", nil, fmt.Errorf("read the parts of %s: %w", sp.table.Name, err)
	}
	body := parts.ViewSQLRaw(sn.Files, "Timestamp", "TraceId")
	if sp.legacy.Load() {
		body += ` UNION ALL SELECT "Timestamp", unhex("TraceId") AS "TraceId" FROM main.` + quoteIdent(sp.table.Name)
	}
	return withCTEs(q, []string{quoteIdent(sp.table.Name) + " AS NOT MATERIALIZED (" + body + ")"}), sn.Release, nil
}

// traceQLRawIDs is readSQL for a TraceQL search compiled with
// SearchOptions.RawIDs, with the parts layout: otel_traces stands for the
// parts overlapping [start, end] with their stored ID bytes
// (parts.ViewSQLRawIDs) and the DuckDB table's rows, their hex IDs
// unhex'd.
func (s *Store) traceQLRawIDs(ctx context.Context, sp *signalParts, q string, start, end time.Time) (string, func(), error) {
	sn, err := sp.t.Snapshot(ctx, clampTime(start), clampTime(end))
	if err != nil {
		return "", nil, fmt.Errorf("read the parts of %s: %w", sp.table.Name, err)
	}
	body := parts.ViewSQLRawIDs(sp.kind, sp.mat, sn.Files)
	if sp.legacy.Load() {
		body += ` UNION ALL BY NAME SELECT * REPLACE (unhex("TraceId") AS "TraceId", unhex("SpanId") AS "SpanId", ` +
			`unhex("ParentSpanId") AS "ParentSpanId") FROM main.` + quoteIdent(sp.table.Name)
	}
	return withCTEs(q, []string{quoteIdent(sp.table.Name) + " AS NOT MATERIALIZED (" + body + ")"}), sn.Release, nil
}

// traceQLSearch runs one search statement over [Start, End).
// (since: traceql.SearchOptions.Since).
func (s *Store) traceQLSearch(ctx context.Context, p store.TraceQLSearchParams, since time.Time) ([]store.TraceQLTrace, error) {
	limit := min(max(p.Limit, 1), MaxTraceQLLimit)
	sp := s.partTraces
	raw := sp != nil && !s.tqHexIDs
	sq, err := traceql.SearchSQL(p.Query, traceql.DuckDB, traceql.SearchOptions{
		Start: p.Start, End: p.End, Limit: limit, SpansPerSet: max(p.SpansPerSet, 1),
		MinDuration: p.MinDuration, MaxDuration: p.MaxDuration, Materialized: s.mat, Since: since, RawIDs: raw,
	})
	if err != nil {
		return nil, err
	}
	var (
		q       string
		release func()
	)
	if raw {
		q, release, err = s.traceQLRawIDs(ctx, sp, sq.Query, p.Start, p.End)
	} else {
		q, release, err = s.readSQL(ctx, sq.Query, p.Start, p.End)
	}
	if err != nil {
		return nil, fmt.Errorf("traceql search: %w", err)
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, sq.Args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql search: %w", err))
	}
	defer rs.Close()
	nsel := len(p.Query.Select)
	vals := make([]any, 13+nsel)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []store.TraceQLTrace
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, readErr(fmt.Errorf("traceql search: %w", err))
		}
		r := store.TraceQLRow{TraceID: tqStr(vals[0]), TraceStart: tqI64(vals[1]), TraceEnd: tqI64(vals[2]),
			RootServiceName: tqStr(vals[3]), RootTraceName: tqStr(vals[4]), Group: tqStr(vals[5]), Matched: int(tqI64(vals[6])),
			SpanID: tqStr(vals[8]), SpanStart: tqI64(vals[9]), SpanDuration: tqI64(vals[10]),
			SpanName: tqStr(vals[11]), SpanServiceName: tqStr(vals[12])}
		for i := range nsel {
			r.Selected = append(r.Selected, tqStr(vals[13+i]))
		}
		out = store.AppendTraceQLRow(out, r, len(p.Query.By) > 0)
	}
	if err := rs.Err(); err != nil {
		return nil, readErr(fmt.Errorf("traceql search: %w", err))
	}
	return out, nil
}

// TraceQLMetrics runs a TraceQL metrics query over the spans in
// [Start, End); rate() is per second over the step.
func (s *Store) TraceQLMetrics(ctx context.Context, p store.TraceQLMetricsParams) ([]store.TraceQLSeries, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	sq, err := traceql.MetricsSQL(p.Query, traceql.DuckDB, traceql.MetricsOptions{Start: p.Start, End: p.End, Step: p.Step, Materialized: s.mat})
	if err != nil {
		return nil, err
	}
	q, release, err := s.readSQL(ctx, sq.Query, p.Start, p.End)
	if err != nil {
		return nil, fmt.Errorf("traceql metrics: %w", err)
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, sq.Args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql metrics: %w", err))
	}
	defer rs.Close()
	m := p.Query.Metrics
	nby, nv := len(m.By), max(len(m.Quantiles), 1)
	vals := make([]any, nby+1+nv)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	index := map[string]int{}
	var out []store.TraceQLSeries
	stepNs := p.Step.Nanoseconds()
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, readErr(fmt.Errorf("traceql metrics: %w", err))
		}
		labels := make([]string, nby)
		for i := range nby {
			labels[i] = tqStr(vals[i])
		}
		ts := tqI64(vals[nby]) * stepNs / 1e6
		for j := range nv {
			key := strings.Join(labels, "\x1f") + fmt.Sprintf("\x1f%d", j)
			k, ok := index[key]
			if !ok {
				if len(out) >= MaxTraceQLSeries {
					return nil, fmt.Errorf("%w: the query makes more than %d series: group by fewer or less varied fields", store.ErrInvalidArgument, MaxTraceQLSeries)
				}
				k = len(out)
				index[key] = k
				sr := store.TraceQLSeries{Labels: labels}
				if len(m.Quantiles) > 0 {
					sr.Quantile = m.Quantiles[j]
				}
				out = append(out, sr)
			}
			v := tqF64(vals[nby+1+j])
			switch {
			case m.Fn == "rate":
				v /= p.Step.Seconds()
			case m.MetricsValueIsDuration():
				v /= 1e9
			}
			out[k].Samples = append(out[k].Samples, store.TraceQLSample{TimeUnixMs: ts, Value: v})
		}
	}
	if err := rs.Err(); err != nil {
		return nil, readErr(fmt.Errorf("traceql metrics: %w", err))
	}
	return out, nil
}

func tqStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func tqI64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case float64:
		return int64(x)
	case *big.Int:
		return x.Int64()
	}
	return 0
}

func tqF64(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case nil:
		return math.NaN()
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return float64(tqI64(v))
}

// TraceQLValues lists the most frequent values of a field among the spans
// a TraceQL filter selects (Tempo's tag values).
func (s *Store) TraceQLValues(ctx context.Context, p store.TraceQLValuesParams) ([]store.Value, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	sq, err := traceql.ValuesSQL(p.Query, p.Field, traceql.DuckDB, p.Start, p.End, min(max(p.Limit, 1), MaxTraceQLLimit), s.mat)
	if err != nil {
		return nil, err
	}
	q, release, err := s.readSQL(ctx, sq.Query, p.Start, p.End)
	if err != nil {
		return nil, fmt.Errorf("traceql values: %w", err)
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, sq.Args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql values: %w", err))
	}
	defer rs.Close()
	var out []store.Value
	for rs.Next() {
		var v, n any
		if err := rs.Scan(&v, &n); err != nil {
			return nil, readErr(fmt.Errorf("traceql values: %w", err))
		}
		out = append(out, store.Value{Value: tqStr(v), Count: tqI64(n)})
	}
	if err := rs.Err(); err != nil {
		return nil, readErr(fmt.Errorf("traceql values: %w", err))
	}
	return out, nil
}
