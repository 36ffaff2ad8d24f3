package duckdb

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

var (
	_ store.Charter     = (*Store)(nil)
	_ store.ValueLister = (*Store)(nil)
)

// Chart plans p for DuckDB and runs it: see query.PlanChart for the SQL.
// Invalid requests wrap store.ErrInvalidArgument and the *query.ChartError.
// Cancelling ctx interrupts the running statement.
func (s *Store) Chart(ctx context.Context, p store.ChartParams) (*query.ChartResult, error) {
	if p.Request == nil {
		return nil, fmt.Errorf("%w: no chart request", store.ErrInvalidArgument)
	}
	plan, err := query.PlanChart(p.Request, p.Start, p.End, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	// Buckets are aligned to the step, so the first one may start up to
	// a step before p.Start.
	lo := p.Start.Add(-plan.Step() - time.Minute)
	counted := s.countChart(plan, p.Start, p.End)
	res, err := plan.Execute(ctx, func(ctx context.Context, q query.ChartQuery, fn func([]any) error) error {
		if counted != nil {
			return counted(ctx, q, fn)
		}
		return s.runChartQuery(ctx, q, lo, p.End, fn)
	})
	if err != nil {
		var ce *query.ChartError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
		}
		return nil, readErr(fmt.Errorf("chart: %w", err))
	}
	return res, nil
}

// runChartQuery runs one chart statement and hands each row to fn with
// values converted to the kinds q.Columns names.
// start and end bound the rows q reads (see readSQL).
func (s *Store) runChartQuery(ctx context.Context, q query.ChartQuery, start, end time.Time, fn func([]any) error) error {
	sqlText, release, err := s.readSQL(ctx, q.SQL, start, end)
	if err != nil {
		return fmt.Errorf("run chart statement: %w", err)
	}
	defer release()
	return s.scanChartRows(ctx, q, sqlText, fn)
}

// scanChartRows runs sqlText, q ready to run, and hands each row to fn.
func (s *Store) scanChartRows(ctx context.Context, q query.ChartQuery, sqlText string, fn func([]any) error) error {
	rs, err := s.db.QueryContext(ctx, sqlText, q.Args...)
	if err != nil {
		return fmt.Errorf("run chart statement: %w", err)
	}
	defer rs.Close()
	n := len(q.Columns)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make([]any, n)
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return fmt.Errorf("scan chart row: %w", err)
		}
		for i, k := range q.Columns {
			row[i] = chartValue(k, vals[i])
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("read chart rows: %w", err)
	}
	return nil
}

// chartValue converts a scanned DuckDB value to the kind the plan expects;
// NULL (and anything unexpected) is nil.
func chartValue(k query.ColumnKind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case query.ColInt:
		switch x := v.(type) {
		case int64:
			return x
		case int32:
			return int64(x)
		case uint64:
			return int64(x)
		case float64:
			return int64(x)
		case *big.Int:
			return x.Int64()
		}
	case query.ColString:
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	case query.ColFloat:
		return toFloat(v)
	case query.ColFloats:
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		out := make([]float64, len(list))
		for i, e := range list {
			f, _ := toFloat(e).(float64)
			out[i] = f
		}
		return out
	}
	return nil
}

func toFloat(v any) any {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case uint64:
		return float64(x)
	case uint32:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case time.Time:
		return float64(x.UnixNano())
	}
	return nil
}
